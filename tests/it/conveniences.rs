//! The small things a downstream user hit (issue 20, item 10), one test each: a `JwtAuthorize`
//! whose fields are named, a database's endpoint, `is_forbidden` apart from
//! `is_auth_failure`, the status type re-exported, `WaitOptions: Clone`, causes in workflow
//! errors' `Display`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis_enterprise_api::extras::{
    wait_until, DatabaseEndpoint, DatabaseEndpoints, Verdict, WaitOptions, WorkflowError,
};
use redis_enterprise_api::types::{Bdb, BdbEndpoint, BdbTlsMode, JwtAuthorize};
use redis_enterprise_api::{Client, Error, RetryPolicy, StatusCode};
use redis_enterprise_api_tests::server::{Reply, TestServer};
use serde_json::json;

#[test]
fn jwt_authorize_names_user_and_password() {
    let mut body = JwtAuthorize::for_user("admin@example.com").password("pw");
    body.ttl = Some(60);
    assert_eq!(body.username, "admin@example.com");
    assert_eq!(body.password, "pw");
    assert_eq!(
        serde_json::to_value(&body).expect("encodes"),
        json!({"username": "admin@example.com", "password": "pw", "ttl": 60})
    );
}

fn endpoint(dns: Option<&str>, addr: &[&str], port: Option<i64>) -> BdbEndpoint {
    let mut e = BdbEndpoint::default();
    e.dns_name = dns.map(str::to_string);
    e.addr = Some(addr.iter().map(|a| a.to_string()).collect());
    e.port = port;
    e
}

#[test]
fn a_database_names_its_endpoint_address_and_url() {
    let mut bdb = Bdb::default();
    assert_eq!(bdb.first_endpoint(), None, "no endpoints yet");
    bdb.port = Some(12000);
    bdb.endpoints = Some(vec![
        endpoint(Some("redis-12000.cluster.local"), &["10.0.0.1"], None),
        endpoint(None, &["fd00::1"], Some(12001)),
        endpoint(None, &[], Some(12002)),
    ]);
    let all = bdb.endpoints_list();
    assert_eq!(all.len(), 2, "the one without a host is left out");
    assert_eq!(
        all[0],
        DatabaseEndpoint {
            host: "redis-12000.cluster.local".into(),
            port: 12000,
            tls: false
        }
    );
    assert_eq!(all[0].address(), "redis-12000.cluster.local:12000");
    assert_eq!(all[0].url(), "redis://redis-12000.cluster.local:12000");
    assert_eq!(all[1].address(), "[fd00::1]:12001");
    bdb.tls_mode = Some(BdbTlsMode::Enabled);
    let first = bdb.first_endpoint().expect("an endpoint");
    assert_eq!(first.url(), "rediss://redis-12000.cluster.local:12000");
    bdb.tls_mode = Some(BdbTlsMode::ReplicaSsl);
    assert_eq!(
        bdb.first_endpoint().expect("an endpoint").url(),
        "redis://redis-12000.cluster.local:12000",
        "replica TLS only: clients connect in plain text"
    );
}

#[tokio::test]
async fn forbidden_is_not_an_authentication_failure() {
    let server = TestServer::https(|req| {
        let status = if req.path.starts_with("/v1/roles") {
            403
        } else {
            401
        };
        Reply::json(status, json!({"error_code": "nope"}))
    })
    .await;
    let client = Client::builder(&server.url)
        .basic_auth("admin@example.com", "pw")
        .add_ca_certificate_pem(server.ca_pem.clone())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client");
    let forbidden = client.role_list().send().await.expect_err("403");
    assert!(forbidden.is_forbidden());
    assert!(!forbidden.is_auth_failure());
    let status: Option<StatusCode> = forbidden.status();
    assert_eq!(status, Some(StatusCode::FORBIDDEN));
    let unauthorized = client.bdb_list().send().await.expect_err("401");
    assert!(unauthorized.is_auth_failure());
    assert!(!unauthorized.is_forbidden());
    assert_eq!(unauthorized.status(), Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn wait_options_clone_and_share_their_callback() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let options: WaitOptions<u32> = WaitOptions::default()
        .timeout(Duration::from_secs(5))
        .on_progress(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
    let copy = options.clone();
    assert_eq!(format!("{copy:?}"), format!("{options:?}"));
    for opts in [options, copy] {
        let waited = wait_until(opts, || async { Ok::<u32, Error>(7) }, |_| Verdict::Done)
            .await
            .expect("done at once");
        assert_eq!(waited.value, 7);
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "both clones called the one callback"
    );
}

#[test]
fn a_workflow_error_shows_its_cause() {
    let err = WorkflowError::Request {
        operation: "bdb_update",
        source: Error::InvalidRequest("memory_size must be positive".into()),
    };
    assert_eq!(
        err.to_string(),
        "bdb_update failed: invalid request: memory_size must be positive"
    );
}
