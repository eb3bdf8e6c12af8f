//! The transport: which certificates are trusted (the system roots, an added CA, or any with an
//! explicit opt-in), credentials never sent over plain HTTP unless allowed, transport errors
//! that name their cause (TLS unknown CA, name mismatch, expired; refused port; timeout), and
//! timeouts of `Duration::MAX` that cannot overflow.

use std::time::Duration;

use base64::Engine;
use redis_enterprise_api::{BuildError, Client, Credentials, Error, RetryPolicy, TransportKind};
use redis_enterprise_api_tests::server::{
    refused_port_url, Certificate, RawBehaviour, RawServer, Reply, TestServer,
};
use redis_enterprise_api_tests::setup::{jwt_server, paths, roles, trusted, PASSWORD, USER};

#[tokio::test]
async fn self_signed_certificate_is_rejected_by_default() {
    let server = TestServer::https(|_| Reply::json(200, roles())).await;
    let client = Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .build()
        .expect("client builds");
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("an unknown CA must be refused");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(
        server.requests().is_empty(),
        "no request may reach an unverified server"
    );
}

#[tokio::test]
async fn custom_ca_is_trusted_and_basic_auth_is_sent() {
    let server = TestServer::https(|_| Reply::json(200, roles())).await;
    let client = trusted(&server).build().expect("client builds");
    let roles = client
        .role_list()
        .send()
        .await
        .expect("request succeeds")
        .into_inner();
    assert_eq!(roles[0].name.as_deref(), Some("admin"));
    let req = &server.requests()[0];
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    assert_eq!(
        req.header("authorization").as_deref(),
        Some(expected.as_str())
    );
    assert_eq!(
        req.header("api-version"),
        None,
        "progenitor's api-version header is stripped"
    );
    assert!(req
        .header("user-agent")
        .unwrap_or_default()
        .starts_with("redis-enterprise-api/"));
}

#[tokio::test]
async fn any_certificate_is_accepted_only_with_the_opt_in() {
    let server = TestServer::https(|_| Reply::json(200, roles())).await;
    let client = Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client builds");
    client
        .role_list()
        .send()
        .await
        .expect("opt-in accepts the self-signed chain");
}

#[tokio::test]
async fn credentials_over_plain_http_are_refused_unless_allowed() {
    let server = TestServer::http(|_| Reply::json(200, roles())).await;
    let err = Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .build()
        .expect_err("plain http with credentials");
    assert!(matches!(err, BuildError::InsecureHttp), "{err:?}");
    assert!(!err.to_string().contains(PASSWORD));
    let client = Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .allow_insecure_http(true)
        .build()
        .expect("explicitly allowed");
    client.role_list().send().await.expect("request succeeds");
}

// ---------------------------------------------------------------- transport errors

fn assert_transport(err: &Error, kind: TransportKind, url: &str, words: &str) {
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(err.transport_kind(), Some(kind), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(url), "message names the URL: {text}");
    assert!(text.contains(words), "message names the cause: {text}");
    assert!(!text.contains(PASSWORD), "{text}");
}

#[tokio::test]
async fn tls_unknown_ca_is_named() {
    let server = TestServer::https(|_| Reply::json(200, roles())).await;
    let client = Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .build()
        .expect("client builds");
    let err = client.role_list().send().await.expect_err("unknown CA");
    assert_transport(
        &err,
        TransportKind::TlsUnknownIssuer,
        &server.url,
        "unknown certificate authority",
    );
    assert!(err.is_tls_failure() && !err.is_connection_refused() && !err.is_timeout());
    assert!(!err.is_retryable());
    assert!(server.requests().is_empty());
    assert_eq!(
        server.connections(),
        1,
        "a failed certificate check is not retried (the default policy retries 3 times)"
    );
}

#[tokio::test]
async fn tls_name_mismatch_is_named() {
    let server =
        TestServer::https_with(Certificate::OtherName, |_| Reply::json(200, roles())).await;
    let err = trusted(&server)
        .build()
        .expect("client builds")
        .role_list()
        .send()
        .await
        .expect_err("certificate for another name");
    assert_transport(
        &err,
        TransportKind::TlsNameMismatch,
        &server.url,
        "not valid for this host name",
    );
    assert!(err.is_tls_failure());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn tls_expired_certificate_is_named() {
    let server = TestServer::https_with(Certificate::Expired, |_| Reply::json(200, roles())).await;
    let err = trusted(&server)
        .build()
        .expect("client builds")
        .role_list()
        .send()
        .await
        .expect_err("expired certificate");
    assert_transport(&err, TransportKind::TlsExpired, &server.url, "expired");
    assert!(err.is_tls_failure());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn refused_port_is_named_and_differs_from_tls() {
    let url = refused_port_url().await;
    let client = Client::builder(&url)
        .basic_auth(USER, PASSWORD)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("nothing listens");
    assert_transport(
        &err,
        TransportKind::ConnectionRefused,
        &url,
        "connection refused",
    );
    assert!(err.is_connection_refused() && !err.is_tls_failure() && !err.is_timeout());
    assert!(err.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn hanging_server_is_a_named_timeout() {
    let server = RawServer::start(RawBehaviour::Hang).await;
    // The connect timeout is longer than the request timeout: on the paused clock, the one
    // timer that fires is the request timeout, whatever phase the request is in.
    let client = Client::builder(&server.url)
        .connect_timeout(Duration::from_secs(3600))
        .timeout(Duration::from_secs(30))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let started = tokio::time::Instant::now();
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("the server never answers");
    assert_transport(&err, TransportKind::Timeout, &server.url, "timed out");
    assert!(err.is_timeout() && !err.is_tls_failure() && !err.is_connection_refused());
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(30),
        "the request timeout, on the paused clock"
    );
}

#[tokio::test]
async fn client_and_token_timeouts_of_duration_max_are_safe() {
    let server = TestServer::https(jwt_server(|_| true)).await;
    let client = Client::builder(&server.url)
        .credentials(Credentials::jwt(USER, PASSWORD, Some(Duration::MAX)))
        .add_ca_certificate_pem(server.ca_pem.clone())
        .connect_timeout(Duration::MAX)
        .timeout(Duration::MAX)
        .retry_policy(RetryPolicy {
            max_backoff: Duration::MAX,
            initial_backoff: Duration::MAX,
            ..RetryPolicy::default()
        })
        .build()
        .expect("client builds");
    client.role_list().send().await.expect("first call");
    client.role_list().send().await.expect("second call");
    assert_eq!(
        paths(&server),
        ["/v1/users/authorize", "/v1/roles", "/v1/roles"]
    );
}
