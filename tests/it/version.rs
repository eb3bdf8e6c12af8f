//! The cluster-version check: the release read once (the oldest node's), operations the
//! release does not serve refused before any request (removed ones, and what observed clusters
//! did or did not serve), and no check unless asked for.

use redis_enterprise_api::{Error, NotServedReason};
use redis_enterprise_api_tests::server::{Recorded, Reply, TestServer};
use redis_enterprise_api_tests::setup::{paths, trusted};
use serde_json::json;

// ---------------------------------------------------------------- version check

fn cluster_of(version: &'static str) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |req: &Recorded| match req.path.as_str() {
        "/v1/nodes" => Reply::json(
            200,
            json!([{"uid": 1, "software_version": "8.2.1-10"}, {"uid": 2, "software_version": version}]),
        ),
        "/v1/bdbs" => Reply::json(200, json!([])),
        _ => Reply::raw(200, "application/json", "{}"),
    }
}

#[tokio::test]
async fn cluster_version_is_read_once_and_is_the_oldest_node() {
    let server = TestServer::https(cluster_of("7.4.2-54")).await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(client.cluster_version().await.expect("version"), "7.4.2-54");
    assert_eq!(
        client.clone().cluster_version().await.expect("cached"),
        "7.4.2-54"
    );
    assert_eq!(paths(&server), ["/v1/nodes"], "read once");
}

#[tokio::test]
async fn version_check_refuses_before_any_request() {
    let server = TestServer::https(cluster_of("7.4.2-54")).await;
    let client = trusted(&server)
        .check_cluster_version(true)
        .build()
        .expect("client builds");
    let Err(err) = client.usage_report_get().send().await else {
        panic!("a 7.22 operation on 7.4 must be refused");
    };
    match &err {
        Error::NotServed(refused) => {
            assert_eq!(refused.operation, "usage_report_get");
            assert_eq!(refused.cluster_version, "7.4.2-54");
            assert_eq!(refused.reason, NotServedReason::Since("7.22"));
        }
        other => panic!("expected NotServed, got {other:?}"),
    }
    assert_eq!(paths(&server), ["/v1/nodes"], "only the version was read");
    client
        .bdb_list()
        .send()
        .await
        .expect("a 7.4 operation is sent");
    assert_eq!(paths(&server), ["/v1/nodes", "/v1/bdbs"]);
}

#[tokio::test]
async fn version_check_knows_removed_and_observed_operations() {
    let server = TestServer::https(cluster_of("8.0.2-17")).await;
    let client = trusted(&server)
        .check_cluster_version(true)
        .build()
        .expect("client builds");
    let err = client
        .operation_raw("module_delete", &[("uid", "m1")], &[], None)
        .await
        .expect_err("removed in 8.0");
    assert!(
        matches!(&err, Error::NotServed(r) if r.reason == NotServedReason::RemovedIn("8.0")),
        "{err:?}"
    );
    // The 8.2 reference documents metrics_config_get; live 8.0 clusters served it.
    client
        .operation_raw("metrics_config_get", &[], &[], None)
        .await
        .expect("served in 8.0 as observed");

    let old = trusted(&server)
        .check_cluster_version(true)
        .cluster_version("7.22.0-95")
        .build()
        .expect("client builds");
    let err = old
        .operation_raw("metrics_config_get", &[], &[], None)
        .await
        .expect_err("not served in 7.22");
    assert!(
        matches!(&err, Error::NotServed(r) if r.reason == NotServedReason::NotServedIn("7.22".into())),
        "{err:?}"
    );
    assert_eq!(paths(&server), ["/v1/nodes", "/v1/metrics_config"]);

    // Hand-written operations are checked too: module uploads through /v1/modules ended in 8.0.
    let err = client
        .module_create("m.zip", b"PK".to_vec())
        .send()
        .await
        .expect_err("removed in 8.0");
    assert!(
        matches!(&err, Error::NotServed(r) if r.operation == "module_create"),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2, "nothing more was sent");
}

#[tokio::test]
async fn version_check_is_off_by_default() {
    let server = TestServer::https(cluster_of("7.4.2-54")).await;
    let client = trusted(&server).build().expect("client builds");
    client
        .operation_raw("usage_report_get", &[], &[], None)
        .await
        .expect("sent without a check");
    assert_eq!(paths(&server), ["/v1/usage_report"]);
}
