//! A clean restart with a state file keeps databases, users, roles and settings, and starts the databases'
//! redis-server processes again on their ports.

use crate::common;

use redis_enterprise_api::types;
use redis_enterprise_api::Credentials;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_a_restart() {
    let _process = crate::common::share_the_process().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let state = dir.path().join("state.json");

    let sim = common::builder()
        .state_file(state.clone())
        .start()
        .await
        .expect("the first simulator starts");
    let client = common::client(&sim);
    let role = client
        .role_create(&{
            let mut value = types::Role::default();
            value.name = Some("operators".into());
            value.management = Some(types::RoleManagement::DbMember);
            value
        })
        .send()
        .await
        .expect("role")
        .into_inner();
    let user: types::UserCreate = serde_json::from_value(serde_json::json!({
        "email": "op@example.com",
        "password": "op-password",
        "role_uids": [role.uid.expect("role uid")],
    }))
    .expect("user body");
    client.user_create(&user).send().await.expect("user");
    // A settings object from the spec's singleton paths is kept as written.
    let policy = {
        let mut value = types::ClusterSettings::default();
        value.auto_recovery = Some(true);
        value
    };
    client
        .cluster_policy_update(&policy)
        .send()
        .await
        .expect("policy");
    let before = client
        .cluster_policy_get()
        .send()
        .await
        .expect("policy")
        .into_inner();
    assert_eq!(before.auto_recovery, Some(true));
    let mut ports = Vec::new();
    for (name, memory) in [("one", 10_i64 << 20), ("two", 20 << 20)] {
        let db = {
            let mut value = types::Bdb::default();
            value.name = Some(name.into());
            value.memory_size = Some(memory);
            value
        };
        let created = client
            .bdb_create(&db)
            .send()
            .await
            .expect("create")
            .into_inner();
        client
            .wait_for_action(&created.action_uid.expect("action"), common::wait())
            .await
            .expect("created");
        let got = client
            .bdb_get(created.uid.expect("uid"))
            .send()
            .await
            .expect("get")
            .into_inner();
        ports.push(got.port.expect("port"));
    }
    sim.shutdown().await;
    assert_eq!(common::children_after_stop().await, Vec::<u32>::new());
    assert!(state.is_file(), "the state file was written");

    let sim = common::builder()
        .state_file(state.clone())
        .start()
        .await
        .expect("the second simulator starts from the state file");
    let client = common::client(&sim);
    let dbs = client.bdb_list().send().await.expect("list").into_inner();
    let names: Vec<_> = dbs.iter().filter_map(|d| d.name.clone()).collect();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(sim.redis_server_pids().len(), 2, "both processes came back");
    for db in &dbs {
        assert_eq!(db.status, Some(types::BdbStatus::Active));
        let port = u16::try_from(db.port.expect("port")).expect("a port");
        assert!(
            ports.contains(&i64::from(port)),
            "same port {port} as before: {ports:?}"
        );
        let memory = db.memory_size.expect("memory");
        let maxmemory = tokio::task::spawn_blocking(move || {
            let mut con = common::redis_connection(port, None);
            let pong: String = redis::cmd("PING").query(&mut con).expect("PING");
            assert_eq!(pong, "PONG");
            let config: Vec<String> = redis::cmd("CONFIG")
                .arg("GET")
                .arg("maxmemory")
                .query(&mut con)
                .expect("CONFIG GET");
            config[1].clone()
        })
        .await
        .expect("redis task");
        assert_eq!(
            maxmemory,
            memory.to_string(),
            "configured from the database"
        );
    }
    let policy = client
        .cluster_policy_get()
        .send()
        .await
        .expect("policy")
        .into_inner();
    assert_eq!(policy, before, "settings survive the restart");
    let roles = client.role_list().send().await.expect("roles").into_inner();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].name.as_deref(), Some("operators"));
    let users = client.user_list().send().await.expect("users").into_inner();
    assert_eq!(users.len(), 2, "admin and op: {users:?}");
    // The user's password survived too: it can sign in and, as a db_member, create.
    let op = common::client_as(
        &sim,
        Credentials::jwt("op@example.com", "op-password", None),
    );
    let db = {
        let mut value = types::Bdb::default();
        value.name = Some("three".into());
        value.memory_size = Some(1 << 20);
        value
    };
    let created = op
        .bdb_create(&db)
        .send()
        .await
        .expect("op creates")
        .into_inner();
    assert_eq!(created.uid, Some(3), "uids continue after the restart");
    op.wait_for_action(&created.action_uid.expect("action"), common::wait())
        .await
        .expect("created");
    sim.shutdown().await;
    assert_eq!(common::children_after_stop().await, Vec::<u32>::new());
}

/// Where shards were placed, the certificates set for databases, proxy settings and the
/// primary node are kept across a restart: a database placed while node 1 was in maintenance is
/// still off it, its certificate is still there, proxy 3 still has 7 threads and node 2 is
/// still the primary node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn placement_and_certificates_survive_a_restart() {
    use crate::bdb_extras::{active_database, call};
    use serde_json::json;

    let _process = crate::common::share_the_process().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let state = dir.path().join("state.json");
    let sim = common::builder()
        .no_redis(true)
        .state_file(state.clone())
        .start()
        .await
        .expect("the first simulator starts");
    let on = "/v1/nodes/1/actions/maintenance_on";
    let (status, _) = call(&sim, "POST", on, Some(json!({}))).await;
    assert_eq!(status, 200);
    for _ in 0..400 {
        if call(&sim, "GET", on, None).await.1["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let uid = active_database(
        &sim,
        json!({ "name": "placed", "memory_size": 1 << 26, "shards_count": 3 }),
    )
    .await;
    let off = "/v1/nodes/1/actions/maintenance_off";
    let (status, _) = call(&sim, "POST", off, Some(json!({}))).await;
    assert_eq!(status, 200);
    for _ in 0..400 {
        if call(&sim, "GET", off, None).await.1["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let key = rcgen::KeyPair::generate().expect("a key");
    let cert = rcgen::CertificateParams::new(vec!["db.example".to_string()])
        .expect("params")
        .self_signed(&key)
        .expect("a certificate");
    let path = format!("/v1/bdbs/{uid}/certificates");
    let body = json!({ "cert": cert.pem(), "private_key": key.serialize_pem() });
    let (status, set) = call(&sim, "POST", &path, Some(body)).await;
    assert_eq!(status, 200, "{set}");
    let nodes = |shards: serde_json::Value| -> Vec<String> {
        shards
            .as_array()
            .expect("a list")
            .iter()
            .map(|s| s["node_uid"].as_str().expect("a node").to_string())
            .collect()
    };
    let shards_path = format!("/v1/bdbs/{uid}/shards");
    assert_eq!(
        nodes(call(&sim, "GET", &shards_path, None).await.1),
        ["2", "3", "2"]
    );
    let proxy = json!({ "proxy": { "threads": 7 } });
    assert_eq!(call(&sim, "PUT", "/v1/proxies/3", Some(proxy)).await.0, 200);
    let master = "/v1/cluster/actions/change_master";
    let (status, _) = call(&sim, "POST", master, Some(json!({ "node_uid": "2" }))).await;
    assert_eq!(status, 200);
    for _ in 0..400 {
        if call(&sim, "GET", master, None).await.1["status"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        call(&sim, "GET", "/v1/nodes/2/status", None).await.1["role"],
        "master"
    );
    sim.shutdown().await;

    let sim = common::builder()
        .no_redis(true)
        .state_file(state)
        .start()
        .await
        .expect("the second simulator starts");
    assert_eq!(
        nodes(call(&sim, "GET", &shards_path, None).await.1),
        ["2", "3", "2"]
    );
    let (status, got) = call(&sim, "GET", &path, None).await;
    assert_eq!((status, got), (200, set));
    assert_eq!(
        call(&sim, "GET", "/v1/proxies/3", None).await.1["threads"],
        7
    );
    assert_eq!(
        call(&sim, "GET", "/v1/proxies/2", None).await.1["threads"],
        3
    );
    assert_eq!(
        call(&sim, "GET", "/v1/nodes/2/status", None).await.1["role"],
        "master"
    );
    assert_eq!(
        call(&sim, "GET", "/v1/nodes/1/status", None).await.1["role"],
        "slave"
    );
    sim.shutdown().await;
}
