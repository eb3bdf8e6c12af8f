//! The hand-written client layer against a loopback HTTPS server: base URLs and settings from
//! the environment, typed errors for error statuses, secrets that never reach `Debug`,
//! `Display`, errors or logs, malformed and unfit bodies, and the raw escape hatch.

use base64::Engine;
use redis_enterprise_api::{BuildError, Client, Credentials, DecodeReport, Error, RetryPolicy};
use redis_enterprise_api_tests::server::{Reply, TestServer};
use redis_enterprise_api_tests::setup::{roles, trusted, Captured, PASSWORD, USER};
use serde_json::json;

#[test]
fn bad_urls_are_clear_errors() {
    for url in [
        "not a url",
        "ftp://host:9443",
        "https://user:pw@host:9443",
        "https://host:9443/?x=1",
    ] {
        let err = Client::builder(url)
            .basic_auth(USER, PASSWORD)
            .build()
            .expect_err(url);
        assert!(
            matches!(err, BuildError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
        assert!(!err.to_string().contains("pw"), "{err}");
    }
}

#[test]
fn from_env_names_the_missing_variable() {
    let vars = |set: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            set.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let err = redis_enterprise_api::config::builder_from_lookup(vars(&[
        ("REDIS_ENTERPRISE_URL", "https://h:9443"),
        ("REDIS_ENTERPRISE_USER", "u"),
    ]))
    .expect_err("password missing");
    assert!(
        matches!(
            err,
            BuildError::MissingEnv {
                name: "REDIS_ENTERPRISE_PASSWORD"
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "environment variable REDIS_ENTERPRISE_PASSWORD is not set"
    );
    let err = redis_enterprise_api::config::builder_from_lookup(vars(&[
        ("REDIS_ENTERPRISE_URL", "https://h:9443"),
        ("REDIS_ENTERPRISE_USER", "u"),
        ("REDIS_ENTERPRISE_PASSWORD", "p"),
        ("REDIS_ENTERPRISE_INSECURE", "maybe"),
    ]))
    .expect_err("bad flag");
    assert!(
        matches!(
            err,
            BuildError::InvalidEnv {
                name: "REDIS_ENTERPRISE_INSECURE",
                ..
            }
        ),
        "{err:?}"
    );
    let builder = redis_enterprise_api::config::builder_from_lookup(vars(&[
        ("REDIS_ENTERPRISE_URL", "https://h:9443"),
        ("REDIS_ENTERPRISE_USER", "u"),
        ("REDIS_ENTERPRISE_PASSWORD", "p"),
        ("REDIS_ENTERPRISE_INSECURE", "true"),
    ]))
    .expect("complete environment");
    builder.build().expect("builds");
}

#[tokio::test]
async fn error_statuses_become_typed_errors() {
    for status in [401u16, 403, 404, 409, 503, 505] {
        let server = TestServer::https(move |_| {
            Reply::json(status, json!({"error_code": format!("code_{status}"), "description": format!("failure {status}")}))
        })
        .await;
        let client = trusted(&server)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .expect("client builds");
        let err = client.role_get(7).send().await.expect_err("error status");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
        assert_eq!(err.error_code(), Some(format!("code_{status}").as_str()));
        assert_eq!(err.message(), Some(format!("failure {status}").as_str()));
        assert_eq!(err.is_not_in_active_cluster(), status == 503);
        assert_eq!(err.is_unsupported_api_version(), status == 505);
        assert_eq!(err.is_auth_failure(), status == 401);
        assert_eq!(err.is_forbidden(), status == 403);
        assert!(err.body().is_some_and(|b| !b.is_empty()));
        assert!(!format!("{err} {err:?}").contains(PASSWORD));
    }
}

#[tokio::test]
async fn error_message_field_is_read_when_description_is_absent() {
    let server = TestServer::https(|_| {
        Reply::json(
            400,
            json!({"error_code": "invalid_schema", "message": "bad field"}),
        )
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    let err = client.role_get(1).send().await.expect_err("400");
    assert_eq!(err.error_code(), Some("invalid_schema"));
    assert_eq!(err.message(), Some("bad field"));
}

#[tokio::test]
async fn secrets_never_reach_debug_display_errors_or_logs() {
    let (captured, _guard) = Captured::install(tracing::Level::TRACE);

    let server =
        TestServer::https(|_| Reply::json(401, json!({"error_code": "unauthorized"}))).await;
    let builder = trusted(&server).retry_policy(RetryPolicy::disabled());
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let debug_builder = format!("{builder:?}");
    let client = builder.build().expect("client builds");
    let err = client.role_list().send().await.expect_err("401");
    let credentials = Credentials::basic(USER, PASSWORD);
    let everything = format!("{debug_builder} {client:?} {credentials:?} {err} {err:?}");
    let logs = captured.text();
    for text in [&everything, &logs] {
        assert!(!text.contains(PASSWORD), "password leaked: {text}");
        assert!(!text.contains(&encoded), "basic credentials leaked: {text}");
    }
    assert!(
        logs.contains("redis_enterprise_api.request"),
        "a span per request: {logs}"
    );
    assert!(
        logs.contains("/v1/roles"),
        "the span names the path template: {logs}"
    );
}

#[tokio::test]
async fn malformed_bodies_are_typed_errors_never_panics() {
    let cases: Vec<(&str, Reply)> = vec![
        (
            "truncated JSON",
            Reply::raw(200, "application/json", r#"[{"uid": 1, "name": "adm"#),
        ),
        (
            "HTML from a proxy",
            Reply::raw(200, "text/html", "<html><body>Bad gateway</body></html>"),
        ),
        (
            "trailing garbage",
            Reply::raw(200, "application/json", "[] []"),
        ),
        ("wrong content type", Reply::raw(200, "text/plain", "uid=1")),
    ];
    for (what, reply) in cases {
        let body = reply.body.clone();
        let server = TestServer::https(move |_| reply.clone()).await;
        let client = trusted(&server).build().expect("client builds");
        let err = client.role_list().send().await.expect_err(what);
        let decode = err
            .decode()
            .unwrap_or_else(|| panic!("{what}: expected a decode error, got {err:?}"));
        assert_eq!(
            decode.body.as_ref(),
            body.as_slice(),
            "{what}: raw body kept"
        );
    }
    // An error status with an HTML body keeps the status and the body.
    let server =
        TestServer::https(|_| Reply::raw(502, "text/html", "<html>upstream down</html>")).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let err = client.role_list().send().await.expect_err("502");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(err.error_code(), None);
    assert_eq!(
        err.body().map(|b| b.as_ref()),
        Some(b"<html>upstream down</html>".as_slice())
    );
}

#[tokio::test]
async fn a_property_that_does_not_fit_is_isolated_or_strictly_an_error() {
    // One member of the second role has a type nothing can read as a uid: the list still
    // decodes (the role keeps that member as sent), the response says which path did not fit,
    // and a strict client refuses the same body with that path.
    let body = json!([{"uid": 1, "name": "a"}, {"uid": {"nested": true}, "name": "b"}]);
    let reply = Reply::json(200, body.clone());
    let server = TestServer::https(move |_| reply.clone()).await;
    let lenient = trusted(&server).build().expect("client builds");
    let roles = lenient
        .role_list()
        .send()
        .await
        .expect("isolated, not failed");
    assert_eq!(roles.unfit_properties(), vec!["[1].uid".to_string()]);
    let roles = roles.into_inner();
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[1].uid, None);
    assert_eq!(roles[1].name.as_deref(), Some("b"));
    assert_eq!(
        redis_enterprise_api::unfit::unfit_value(&roles[1].extra, "uid"),
        Some(&json!({"nested": true}))
    );
    assert_eq!(serde_json::to_value(&roles).expect("encodes"), body);

    let strict = trusted(&server)
        .strict_decoding(true)
        .build()
        .expect("client builds");
    let err = strict.role_list().send().await.expect_err("strict mode");
    assert_eq!(err.decode().expect("a decode error").path, "[1].uid");
}

#[tokio::test]
async fn an_empty_success_body_and_a_wrapped_list_are_successes() {
    let server = TestServer::https(|_| Reply::raw(200, "text/html", "")).await;
    let client = trusted(&server).build().expect("client builds");
    let roles = client
        .role_list()
        .send()
        .await
        .expect("an empty body is a success");
    assert!(roles.body_was_empty());
    assert!(roles.into_inner().is_empty());

    let server =
        TestServer::https(|_| Reply::json(200, json!({"roles": [{"uid": 4, "name": "r"}]}))).await;
    let client = trusted(&server).build().expect("client builds");
    let roles = client
        .role_list()
        .send()
        .await
        .expect("a wrapped list is a success");
    assert_eq!(roles.unwrapped_from().as_deref(), Some("roles"));
    assert!(!roles.body_was_empty());
    let roles = roles.into_inner();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].uid, Some(4));
}

#[tokio::test]
async fn raw_escape_hatch_returns_undecoded_json() {
    let server = TestServer::https(|req| {
        Reply::json(
            200,
            json!({"path": req.path, "weird": {"shape": [1, "two"]}}),
        )
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    let raw = client
        .operation_raw("role_get", &[("uid", "5")], &[("fields", "uid,name")], None)
        .await
        .expect("raw call");
    let value = raw.value().expect("JSON");
    assert_eq!(value["path"], "/v1/roles/5?fields=uid%2Cname");
    assert_eq!(value["weird"]["shape"][1], "two");
    let raw = client
        .send_raw(reqwest::Method::GET, "/v1/anything", None)
        .await
        .expect("raw call");
    assert_eq!(raw.status.as_u16(), 200);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.header("authorization").is_some()));
}

#[tokio::test]
async fn send_raw_rejects_a_path_without_a_leading_slash() {
    let server = TestServer::https(|_| Reply::json(200, roles())).await;
    let client = trusted(&server).build().expect("client builds");
    for path in ["v1/roles", "@evil.example/v1/roles", ""] {
        let err = client
            .send_raw(reqwest::Method::GET, path, None)
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidRequest(_)), "{path}: {err:?}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
    client
        .send_raw(reqwest::Method::GET, "/v1/roles", None)
        .await
        .expect("a proper path works");
    assert_eq!(server.requests().len(), 1);
}
