//! Objects like a cluster's: for each stateful object, the members a GET returns against the
//! members the spec's schema documents, printed and asserted. Members the caller did not set
//! carry the reference's `x-default`.

use crate::common;

use serde_json::{json, Value};

fn spec() -> Value {
    serde_json::from_str(redis_enterprise_api::openapi::JSON).expect("the spec parses")
}

/// The members schema `name` documents.
fn documented(spec: &Value, name: &str) -> serde_json::Map<String, Value> {
    spec["components"]["schemas"][name]["properties"]
        .as_object()
        .cloned()
        .expect("the schema documents properties")
}

async fn get(
    sim: &redis_enterprise_simulator::Simulator,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut req = common::raw_client(sim)
        .request(method, format!("{}{path}", sim.base_url()))
        .header("authorization", common::admin_auth(sim));
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.expect("the simulator answers");
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_carry_the_members_a_cluster_returns() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    let created = get(
        &sim,
        "POST",
        "/v1/bdbs",
        Some(json!({ "name": "counted", "memory_size": 1 << 26 })),
    )
    .await;
    client
        .wait_for_action(
            created["action_uid"].as_str().expect("an action"),
            common::wait(),
        )
        .await
        .expect("created");
    let uid = created["uid"].as_i64().expect("a uid");
    let role = get(
        &sim,
        "POST",
        "/v1/roles",
        Some(json!({ "name": "ops", "management": "db_member" })),
    )
    .await;
    let acl = get(
        &sim,
        "POST",
        "/v1/redis_acls",
        Some(json!({ "name": "reader", "acl": "+@read ~*" })),
    )
    .await;
    let bdb = get(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    let shard_uid = bdb["shard_list"][0].as_i64().expect("a shard");
    let objects = [
        ("database", "Bdb", bdb.clone()),
        ("endpoint", "BdbEndpoint", bdb["endpoints"][0].clone()),
        (
            "cluster",
            "Cluster",
            get(&sim, "GET", "/v1/cluster", None).await,
        ),
        ("node", "Node", get(&sim, "GET", "/v1/nodes/1", None).await),
        (
            "proxy",
            "Proxy",
            get(&sim, "GET", "/v1/proxies/1", None).await,
        ),
        (
            "shard",
            "Shard",
            get(&sim, "GET", &format!("/v1/shards/{shard_uid}"), None).await,
        ),
        ("user", "User", get(&sim, "GET", "/v1/users/1", None).await),
        (
            "role",
            "Role",
            get(&sim, "GET", &format!("/v1/roles/{}", role["uid"]), None).await,
        ),
        (
            "redis ACL",
            "RedisAcl",
            get(&sim, "GET", &format!("/v1/redis_acls/{}", acl["uid"]), None).await,
        ),
        (
            "license",
            "License",
            get(&sim, "GET", "/v1/license", None).await,
        ),
        (
            "module",
            "Module",
            get(&sim, "GET", "/v1/modules", None).await[0].clone(),
        ),
        ("alert settings", "ClusterAlertSettings", {
            let cluster = get(&sim, "GET", "/v1/cluster", None).await;
            cluster["alert_settings"].clone()
        }),
    ];
    let spec = spec();
    let mut measured = Vec::new();
    for (what, schema, object) in &objects {
        let members = object.as_object().expect("an object");
        let documented = documented(&spec, schema);
        let undocumented: Vec<&String> = members
            .keys()
            .filter(|k| !documented.contains_key(*k))
            .collect();
        assert!(
            undocumented.is_empty(),
            "{what}: members {schema} does not document: {undocumented:?}"
        );
        let (returned, documented) = (members.len(), documented.len());
        println!(
            "{what:<10} {schema:<12} {returned:>4} members returned of {documented:>4} documented"
        );
        measured.push((*what, returned, documented));
    }
    // Exact counts: a change that drops a member (or adds one) shows here. What is left out of
    // each object, and why, is said where the object is built (model/bdbs.rs, state.rs).
    let expected = [
        ("database", 138, 170),
        ("endpoint", 10, 10),
        ("cluster", 72, 86),
        ("node", 30, 37),
        ("proxy", 24, 24),
        ("shard", 10, 13),
        ("user", 11, 17),
        ("role", 3, 6),
        ("redis ACL", 3, 7),
        ("license", 12, 13),
        ("module", 19, 22),
        ("alert settings", 28, 28),
    ];
    assert_eq!(measured, expected);
    let pids = sim.redis_server_pids();
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}
