//! Objects like a cluster's: for each stateful object, the members a GET returns against the
//! members the spec's schema documents, printed and asserted. Members the caller did not set
//! carry the reference's `x-default`.

use crate::common;

use serde_json::{json, Value};

fn spec() -> Value {
    serde_json::from_str(redis_enterprise_api::openapi::JSON).expect("the spec parses")
}

/// Members schema `name` documents.
fn documented(spec: &Value, name: &str) -> usize {
    spec["components"]["schemas"][name]["properties"]
        .as_object()
        .map_or(0, |p| p.len())
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
    ];
    let spec = spec();
    let mut measured = Vec::new();
    for (what, schema, object) in &objects {
        let returned = object.as_object().map_or(0, |o| o.len());
        let documented = documented(&spec, schema);
        println!(
            "{what:<10} {schema:<12} {returned:>4} members returned of {documented:>4} documented"
        );
        measured.push((*what, returned, documented));
    }
    // Floors: what the simulator returns today; a change that drops members fails here.
    let floors = [
        ("database", 73),
        ("endpoint", 6),
        ("cluster", 38),
        ("node", 23),
        ("shard", 8),
        ("user", 9),
        ("role", 3),
        ("redis ACL", 3),
        ("license", 10),
    ];
    assert_eq!(measured.len(), floors.len());
    for ((what, returned, documented), (floor_what, floor)) in measured.iter().zip(floors) {
        assert_eq!(*what, floor_what);
        assert!(
            returned >= &floor,
            "{what}: {returned} members, expected at least {floor}"
        );
        assert!(
            returned <= documented || *what == "database",
            "{what}: more members than documented"
        );
    }
    let pids = sim.redis_server_pids();
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}
