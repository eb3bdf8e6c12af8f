//! Transport errors told apart by the types in their source chain, never by message text
//! (issue 20, item 4): a host name containing "tls" that does not resolve is a DNS failure, a
//! refused connection on 127.0.0.1 is `ConnectionRefused`, a connection closed before the answer
//! is `Reset`, and only a real TLS failure (an untrusted certificate) is TLS.

use std::time::Duration;

use redis_enterprise_api::{Client, RetryPolicy, TransportKind};
use redis_enterprise_api_tests::server::{
    refused_port_url, RawBehaviour, RawServer, Reply, TestServer,
};
use serde_json::json;

fn builder(url: &str) -> redis_enterprise_api::ClientBuilder {
    Client::builder(url)
        .basic_auth("admin@example.com", "pw")
        .retry_policy(RetryPolicy::disabled())
        .connect_timeout(Duration::from_secs(20))
}

#[tokio::test]
async fn a_host_name_with_tls_in_it_that_does_not_resolve_is_dns() {
    // `.invalid` never resolves (RFC 6761); the name and the whole URL say "tls".
    let client = builder("https://redis-tls.invalid:9443")
        .build()
        .expect("client");
    let err = client.role_list().send().await.expect_err("no such host");
    assert_eq!(err.transport_kind(), Some(TransportKind::Dns), "{err:?}");
    assert!(!err.is_tls_failure());
    assert!(err.to_string().contains("host name not resolved"), "{err}");
}

#[tokio::test]
async fn a_refused_connection_is_refused() {
    let url = refused_port_url().await;
    let client = builder(&url).build().expect("client");
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("nothing listens");
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::ConnectionRefused),
        "{err:?}"
    );
    assert!(err.is_connection_refused());
    assert!(!err.is_tls_failure());
}

#[tokio::test]
async fn a_connection_closed_before_the_answer_is_reset() {
    // The server reads the request and closes the connection without a byte.
    let server = RawServer::start(RawBehaviour::Respond(Vec::new())).await;
    let client = builder(&server.url)
        .allow_insecure_http(true)
        .build()
        .expect("client");
    let err = client.role_list().send().await.expect_err("closed");
    assert_eq!(err.transport_kind(), Some(TransportKind::Reset), "{err:?}");
    assert!(!err.is_tls_failure());
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_failure() {
    let server = TestServer::https(|_| Reply::json(200, json!([]))).await;
    // The server's CA is not added: webpki roots only.
    let client = builder(&server.url).build().expect("client");
    let err = client.role_list().send().await.expect_err("untrusted");
    assert_eq!(
        err.transport_kind(),
        Some(TransportKind::TlsUnknownIssuer),
        "{err:?}"
    );
    assert!(err.is_tls_failure());
    assert!(!err.is_retryable());
    // The same server, trusted: the crypto provider works (rustls's process default).
    let trusted = builder(&server.url)
        .add_ca_certificate_pem(server.ca_pem.clone())
        .build()
        .expect("client");
    let roles = trusted.role_list().send().await.expect("trusted");
    assert!(roles.into_inner().is_empty());
    assert!(tokio_rustls::rustls::crypto::CryptoProvider::get_default().is_some());
}
