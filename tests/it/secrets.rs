//! Secrets and raw bodies never printed (issue 20, item 5, hand-written part): every error's
//! `Display` and `Debug` leave the body (and header values) out, which stay reachable by method;
//! credentials and client builders redact the password.

use redis_enterprise_api::types::JwtAuthorize;
use redis_enterprise_api::{Client, Credentials, Error};
use redis_enterprise_api_tests::server::{Reply, TestServer};

const SECRET: &str = "hunter2-s3cr3t-value";

fn client(server: &TestServer, strict: bool) -> Client {
    Client::builder(&server.url)
        .basic_auth("admin@example.com", "pw")
        .add_ca_certificate_pem(server.ca_pem.clone())
        .strict_decoding(strict)
        .retry_policy(redis_enterprise_api::RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

/// Neither `Display` (with its sources) nor `Debug` shows the secret; the body still holds it.
fn assert_hidden(what: &str, err: &Error) {
    let mut shown = format!("{err}\n{err:?}\n{err:#?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        shown.push_str(&format!("\n{s}\n{s:?}"));
        source = s.source();
    }
    assert!(
        !shown.contains(SECRET),
        "{what}: the secret is printed:\n{shown}"
    );
    let body = err.body().expect("the body is kept");
    assert!(
        String::from_utf8_lossy(body).contains(SECRET),
        "{what}: body() lost the secret"
    );
}

#[tokio::test]
async fn no_error_prints_the_body_or_header_values() {
    let body = format!(r#"{{"error_code": "bad", "hint": "{SECRET}"}}"#);
    let cases: Vec<(&str, Reply, bool)> = vec![
        (
            "api error",
            Reply::raw(400, "application/json", body.clone())
                .header("set-cookie", &format!("session={SECRET}")),
            false,
        ),
        (
            "auth error (401)",
            Reply::raw(401, "text/html", format!("<p>{SECRET}</p>")),
            false,
        ),
        (
            "decode error",
            Reply::raw(
                200,
                "application/json",
                format!(r#"[{{"name": "{SECRET}"}}, 7]"#),
            ),
            false,
        ),
        (
            "strict decode error",
            Reply::raw(
                200,
                "application/json",
                format!(r#"[{{"name": "{SECRET}"}}, 7]"#),
            ),
            true,
        ),
        (
            "strict leniency error",
            Reply::raw(
                200,
                "application/json",
                format!(r#"{{"roles": [{{"name": "{SECRET}"}}]}}"#),
            ),
            true,
        ),
    ];
    let mut checked = 0;
    for (what, reply, strict) in cases {
        let server = TestServer::https(move |_| reply.clone()).await;
        let err = client(&server, strict)
            .role_list()
            .send()
            .await
            .expect_err(what);
        assert_hidden(what, &err);
        if let Some(api) = err.api() {
            assert!(!format!("{api:?}").contains(SECRET), "{what}");
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn credentials_builders_and_request_helpers_redact_the_password() {
    let basic = Credentials::basic("admin@example.com", SECRET);
    let jwt = Credentials::jwt("admin@example.com", SECRET, None);
    let builder = Client::builder("https://127.0.0.1:9443").basic_auth("admin@example.com", SECRET);
    let pending = JwtAuthorize::for_user("admin@example.com");
    let shown = [
        format!("{basic:?}"),
        format!("{jwt:?}"),
        format!("{builder:?}"),
        format!("{pending:?}"),
    ];
    for s in &shown {
        assert!(!s.contains(SECRET), "{s}");
    }
    assert!(shown[0].contains("admin@example.com"));
    assert!(shown[2].contains("<redacted>"), "{}", shown[2]);
    assert_eq!(shown.len(), 4);
}
