//! Look-ups by name: databases (found, missing, ambiguous), modules by name and version, users
//! by e-mail and roles by name, and the failure of the list request behind them.

use redis_enterprise_api::extras::FindError;
use redis_enterprise_api_tests::server::{Recorded, Reply, TestServer};
use redis_enterprise_api_tests::setup::{bdb, trusted};
use serde_json::json;

// ---------------------------------------------------------------- look-ups

#[tokio::test]
async fn find_database_by_name_found_missing_and_ambiguous() {
    let server = TestServer::https(|_| {
        Reply::json(
            200,
            json!([
                bdb(1, "cache", "active"),
                bdb(2, "twin", "active"),
                bdb(3, "twin", "active")
            ]),
        )
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(
        client.find_bdb_by_name("cache").await.expect("found").uid,
        Some(1)
    );
    let missing = client
        .find_bdb_by_name("Cache")
        .await
        .expect_err("case matters");
    assert!(missing.is_not_found(), "{missing:?}");
    match client
        .find_bdb_by_name("twin")
        .await
        .expect_err("two match")
    {
        FindError::Ambiguous { uids, .. } => assert_eq!(uids, ["2", "3"]),
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn find_module_by_name_and_version() {
    let server = TestServer::https(|_| {
        Reply::json(
            200,
            json!([
                {"uid": "m1", "module_name": "search", "semantic_version": "2.8.4", "version": 20804},
                {"uid": "m2", "module_name": "search", "semantic_version": "2.10.1", "version": 21001},
                {"uid": "m3", "module_name": "ReJSON", "display_name": "JSON", "semantic_version": "2.6.0"}
            ]),
        )
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(
        client
            .find_module_uid("search", Some("2.10.1"))
            .await
            .expect("found"),
        "m2"
    );
    assert_eq!(
        client
            .find_module_uid("search", Some("20804"))
            .await
            .expect("numeric"),
        "m1"
    );
    assert_eq!(
        client
            .find_module_uid("JSON", None)
            .await
            .expect("display name"),
        "m3"
    );
    match client
        .find_module("search", None)
        .await
        .expect_err("two versions")
    {
        FindError::Ambiguous { uids, .. } => assert_eq!(uids, ["m1", "m2"]),
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert!(client
        .find_module("search", Some("9.9.9"))
        .await
        .expect_err("no such version")
        .is_not_found());
}

#[tokio::test]
async fn find_user_by_email_and_role_by_name() {
    let server = TestServer::https(|req: &Recorded| match req.path.as_str() {
        "/v1/users" => Reply::json(
            200,
            json!([{"uid": 1, "email": "Ops@Example.com"}, {"uid": 2, "email": "dev@example.com"}]),
        ),
        _ => Reply::json(
            200,
            json!([{"uid": 4, "name": "db_viewer"}, {"uid": 5, "name": "admin"}]),
        ),
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(
        client
            .find_user_by_email("ops@example.com")
            .await
            .expect("found")
            .uid,
        Some(1)
    );
    assert!(client
        .find_user_by_email("nobody@example.com")
        .await
        .expect_err("missing")
        .is_not_found());
    assert_eq!(
        client.find_role_by_name("admin").await.expect("found").uid,
        Some(5)
    );
    let err = client.find_role_by_name("root").await.expect_err("missing");
    assert_eq!(err.to_string(), "no role matches name \"root\"");
}

#[tokio::test]
async fn find_reports_the_list_request_failure() {
    let server = TestServer::https(|_| Reply::json(403, json!({"error_code": "forbidden"}))).await;
    let client = trusted(&server).build().expect("client builds");
    match client.find_role_by_name("admin").await.expect_err("403") {
        FindError::Request { kind, source } => {
            assert_eq!(kind, "role");
            assert_eq!(source.status().map(|s| s.as_u16()), Some(403));
        }
        other => panic!("expected Request, got {other:?}"),
    }
}
