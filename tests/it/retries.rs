//! Retries: which statuses and methods are retried (503 on reads and on operations marked
//! idempotent, never a POST otherwise), bounded attempts, `Retry-After`, a disabled policy, and
//! the opt-in retry of a busy database's 409 (bounded, honouring `Retry-After`, never a real
//! conflict, never for operations not listed).

use std::sync::atomic::Ordering;
use std::time::Duration;

use redis_enterprise_api::RetryPolicy;
use redis_enterprise_api_tests::server::{Reply, TestServer};
use redis_enterprise_api_tests::setup::{bdb, fast_retries, roles, sequence, trusted};
use serde_json::json;

#[tokio::test]
async fn a_503_on_get_is_retried_and_then_succeeds() {
    let unavailable = Reply::json(503, json!({"error_code": "not_in_cluster"}));
    let (count, handler) = sequence(vec![
        unavailable.clone(),
        unavailable,
        Reply::json(200, roles()),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(fast_retries())
        .build()
        .expect("client builds");
    client
        .role_list()
        .send()
        .await
        .expect("third attempt succeeds");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_503_on_post_is_not_retried() {
    let (count, handler) = sequence(vec![
        Reply::json(503, json!({})),
        Reply::json(200, json!({"uid": 2})),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(fast_retries())
        .build()
        .expect("client builds");
    let body = redis_enterprise_api::types::Role::default();
    let err = client
        .role_create(&body)
        .send()
        .await
        .expect_err("POST is not retried");
    assert!(err.is_not_in_active_cluster());
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_operation_marked_idempotent_is_retried() {
    let (count, handler) = sequence(vec![
        Reply::json(502, json!({})),
        Reply::json(200, json!({"uid": 2})),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(fast_retries().retry_operation("role_update"))
        .build()
        .expect("client builds");
    client
        .role_update(2, &Default::default())
        .send()
        .await
        .expect("PUT marked idempotent is retried");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retries_are_bounded() {
    let (count, handler) = sequence(vec![Reply::json(504, json!({}))]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(fast_retries())
        .build()
        .expect("client builds");
    let err = client.role_list().send().await.expect_err("always 504");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(504));
    assert_eq!(
        count.load(Ordering::SeqCst),
        1 + RetryPolicy::default().max_retries as usize
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let (count, handler) = sequence(vec![
        Reply::json(429, json!({})).header("retry-after", "7"),
        Reply::json(200, roles()),
    ]);
    let server = TestServer::https(handler).await;
    let policy = RetryPolicy {
        max_backoff: Duration::from_secs(30),
        ..fast_retries()
    };
    let client = trusted(&server)
        .no_timeouts()
        .retry_policy(policy)
        .build()
        .expect("client builds");
    let start = tokio::time::Instant::now();
    client
        .role_list()
        .send()
        .await
        .expect("second attempt succeeds");
    assert!(
        start.elapsed() >= Duration::from_secs(7),
        "waited only {:?}",
        start.elapsed()
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn disabled_retries_send_once() {
    let (count, handler) = sequence(vec![Reply::json(503, json!({}))]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    client.role_list().send().await.expect_err("503");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------- busy 409

fn busy() -> Reply {
    Reply::json(
        409,
        json!({"error_code": "db_busy", "description": "database is busy with another action"}),
    )
}

#[tokio::test(start_paused = true)]
async fn busy_409_is_retried_when_opted_in() {
    let (count, handler) = sequence(vec![
        busy(),
        Reply::json(409, json!({"error_code": "busy"})),
        Reply::json(200, bdb(1, "db", "active")),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::default().retry_busy(3))
        .no_timeouts()
        .build()
        .expect("client builds");
    let updated = client
        .bdb_update(1, &Default::default())
        .send()
        .await
        .expect("succeeds after two busy answers")
        .into_inner();
    assert_eq!(updated.uid, Some(1));
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(
        methods,
        ["PUT", "PUT", "PUT"],
        "a PUT is resent only because it was busy"
    );
}

#[tokio::test(start_paused = true)]
async fn busy_409_honours_retry_after() {
    let (count, handler) = sequence(vec![
        busy().header("retry-after", "7"),
        Reply::json(200, bdb(1, "db", "active")),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::default().retry_busy(1))
        .no_timeouts()
        .build()
        .expect("client builds");
    let started = tokio::time::Instant::now();
    client
        .bdb_update(1, &Default::default())
        .send()
        .await
        .expect("succeeds");
    assert_eq!(started.elapsed(), Duration::from_secs(7));
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn busy_retries_are_bounded_and_end_in_a_busy_error() {
    let (count, handler) = sequence(vec![busy()]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::default().retry_busy(2))
        .no_timeouts()
        .build()
        .expect("client builds");
    let err = client.bdb_delete(1).send().await.expect_err("always busy");
    assert!(err.is_busy(), "{err:?}");
    assert_eq!(err.error_code(), Some("db_busy"));
    assert_eq!(err.message(), Some("database is busy with another action"));
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "one attempt and two retries"
    );
}

#[tokio::test(start_paused = true)]
async fn uid_exists_409_is_never_retried() {
    for body in [
        json!({"error_code": "uid_exists", "description": "database uid 1 already exists"}),
        json!({"error_code": "name_in_use"}),
        json!({"description": "conflict without a code"}),
    ] {
        let (count, handler) = sequence(vec![Reply::json(409, body.clone())]);
        let server = TestServer::https(handler).await;
        let client = trusted(&server)
            .retry_policy(RetryPolicy::default().retry_busy(5))
            .no_timeouts()
            .build()
            .expect("client builds");
        let err = client
            .bdb_create(&Default::default())
            .send()
            .await
            .expect_err("a real conflict");
        assert!(!err.is_busy(), "{err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
        assert_eq!(err.error_code(), body["error_code"].as_str());
        assert_eq!(count.load(Ordering::SeqCst), 1, "{body}: never retried");
    }
}

#[tokio::test(start_paused = true)]
async fn busy_409_is_not_retried_by_default_or_for_unlisted_operations() {
    let (count, handler) = sequence(vec![busy()]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let err = client.bdb_delete(1).send().await.expect_err("busy");
    assert!(err.is_busy());
    assert_eq!(count.load(Ordering::SeqCst), 1, "off by default");

    let only_update = client.with_retry_policy(
        RetryPolicy::default()
            .retry_busy(3)
            .retry_busy_operation("bdb_update"),
    );
    only_update.bdb_delete(1).send().await.expect_err("busy");
    assert_eq!(count.load(Ordering::SeqCst), 2, "bdb_delete is not listed");
    only_update
        .bdb_update(1, &Default::default())
        .send()
        .await
        .expect_err("still busy");
    assert_eq!(count.load(Ordering::SeqCst), 6, "bdb_update: 1 + 3 retries");
}
