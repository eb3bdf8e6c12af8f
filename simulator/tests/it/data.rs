//! Database operations on the real redis-server: passwords, flush, export and import through a
//! `mount_point` location, recover and upgrade as actions `wait_for_action` finds, the busy
//! rule while they run, and 501 `not_modelled` for every operation the simulator refuses.

use crate::common;

use redis_enterprise_api::operations::OPERATIONS;
use redis_enterprise_api::{types, Client};
use redis_enterprise_simulator::{Simulator, NOT_MODELLED};
use serde_json::{json, Value};

/// Sends a request as the admin and returns the status and the JSON body (`null` for none).
async fn call(sim: &Simulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
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
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("a body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Creates a database (with a password when given) and waits until it is active; returns its
/// uid and port.
async fn database(client: &Client, name: &str, password: Option<&str>) -> (i64, u16) {
    let mut db = types::Bdb::default();
    db.name = Some(name.into());
    db.memory_size = Some(64 << 20);
    #[allow(deprecated)]
    {
        db.authentication_redis_pass = password.map(str::to_string);
    }
    let created = client
        .bdb_create(&db)
        .send()
        .await
        .expect("create")
        .into_inner();
    client
        .wait_for_action(&created.action_uid.expect("an action"), common::wait())
        .await
        .expect("created");
    let uid = created.uid.expect("a uid");
    let got = client.bdb_get(uid).send().await.expect("get").into_inner();
    (
        uid,
        u16::try_from(got.port.expect("a port")).expect("a port number"),
    )
}

/// Waits for the action a reply names.
async fn wait(client: &Client, reply: &Value) {
    let action = reply["action_uid"]
        .as_str()
        .expect("the reply names its action");
    client
        .wait_for_action(action, common::wait())
        .await
        .expect("the action completes");
}

/// Whether a new connection with `password` may run PING.
fn accepts(port: u16, password: &str) -> Result<(), String> {
    let client =
        redis::Client::open(format!("redis://127.0.0.1:{port}/")).map_err(|e| e.to_string())?;
    let mut conn = client.get_connection().map_err(|e| e.to_string())?;
    redis::cmd("AUTH")
        .arg(password)
        .query::<String>(&mut conn)
        .map_err(|e| e.to_string())?;
    redis::cmd("PING")
        .query::<String>(&mut conn)
        .map(drop)
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_passwords_reach_the_redis_server() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    let (uid, port) = database(&client, "guarded", Some("old-password")).await;
    let path = format!("/v1/bdbs/{uid}/passwords");

    let (status, body) = call(
        &sim,
        "PUT",
        &path,
        Some(json!({ "password": "new-password" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (old, new) = tokio::task::spawn_blocking(move || {
        (accepts(port, "old-password"), accepts(port, "new-password"))
    })
    .await
    .expect("redis task");
    println!("after PUT {path}: old password -> {old:?}; new password -> {new:?}");
    let refused = old.expect_err("redis-server refuses the old password");
    assert!(refused.contains("WRONGPASS"), "{refused}");
    assert_eq!(new, Ok(()));

    let (status, _) = call(&sim, "POST", &path, Some(json!({ "password": "second" }))).await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &sim,
        "DELETE",
        &path,
        Some(json!({ "password": "new-password" })),
    )
    .await;
    assert_eq!(status, 200);
    let (new, second) = tokio::task::spawn_blocking(move || {
        (accepts(port, "new-password"), accepts(port, "second"))
    })
    .await
    .expect("redis task");
    assert!(new.is_err(), "a removed password is refused");
    assert_eq!(second, Ok(()));
    let (status, body) = call(&sim, "DELETE", &path, Some(json!({ "password": "second" }))).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (406, Some("cannot_delete_last_password"))
    );
    let (status, _) = call(
        &sim,
        "PUT",
        "/v1/bdbs/999/passwords",
        Some(json!({ "password": "x" })),
    )
    .await;
    assert_eq!(status, 404);

    let pids = sim.redis_server_pids();
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_empties_and_export_import_round_trip_through_a_mount_point() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    let (uid, port) = database(&client, "data", None).await;
    let set = move |keys: &'static [&'static str]| {
        let mut conn = common::redis_connection(port, None);
        for k in keys {
            redis::cmd("SET")
                .arg(*k)
                .arg("v")
                .query::<()>(&mut conn)
                .expect("SET");
        }
    };
    let size = move || -> i64 {
        let mut conn = common::redis_connection(port, None);
        redis::cmd("DBSIZE").query(&mut conn).expect("DBSIZE")
    };
    tokio::task::spawn_blocking(move || set(&["a", "b", "c"]))
        .await
        .expect("redis task");

    // Export: an action holding the database busy, then an RDB file in the directory.
    let dir = tempfile::tempdir().expect("a directory");
    let location = json!({ "export_location": { "type": "mount_point", "path": dir.path() } });
    let (status, reply) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/export"),
        Some(location),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let (status, busy) = call(
        &sim,
        "PUT",
        &format!("/v1/bdbs/{uid}"),
        Some(json!({ "memory_size": 1 << 27 })),
    )
    .await;
    assert_eq!(
        (status, busy["error_code"].as_str()),
        (409, Some("db_busy")),
        "{busy}"
    );
    wait(&client, &reply).await;
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("the directory")
        .map(|e| e.expect("an entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let rdb = files[0].clone();
    let head = std::fs::read(&rdb).expect("the export");
    assert!(head.starts_with(b"REDIS"), "an RDB file");
    let (_, got) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(got["export_status"], "succeeded", "{got}");

    // Flush: the keyspace is empty afterwards.
    let (status, reply) = call(
        &sim,
        "PUT",
        &format!("/v1/bdbs/{uid}/flush"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    wait(&client, &reply).await;
    assert_eq!(
        tokio::task::spawn_blocking(size).await.expect("redis task"),
        0
    );

    // Import: the exported keys are back.
    let source = json!({ "dataset_import_sources": [{ "type": "mount_point", "path": rdb }] });
    let (status, reply) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/import"),
        Some(source),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    wait(&client, &reply).await;
    assert_eq!(
        tokio::task::spawn_blocking(size).await.expect("redis task"),
        3
    );
    let (_, got) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(got["import_status"], "succeeded", "{got}");
    let (status, _) = call(
        &sim,
        "PUT",
        &format!("/v1/bdbs/{uid}/actions/import_reset_status"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, got) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(got["import_status"], "idle", "{got}");

    // A location outside this machine is refused honestly; a missing directory fails the action.
    let s3 = json!({ "export_location": { "type": "s3", "bucket_name": "b" } });
    let (status, body) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/export"),
        Some(s3),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (501, Some("not_modelled")),
        "{body}"
    );
    let missing =
        json!({ "export_location": { "type": "mount_point", "path": "/nonexistent/dir" } });
    let (_, reply) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/export"),
        Some(missing),
    )
    .await;
    let failed = client
        .wait_for_action(
            reply["action_uid"].as_str().expect("an action"),
            common::wait(),
        )
        .await;
    assert!(failed.is_err(), "the export to a missing directory fails");
    let (_, got) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(got["export_failure_reason"], "wrong-file-path", "{got}");

    let pids = sim.redis_server_pids();
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recover_and_upgrade_are_actions() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    let (uid, _) = database(&client, "versions", None).await;
    let (status, reply) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/recover"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    wait(&client, &reply).await;

    let (status, bdb) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/upgrade"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "{bdb}");
    assert_eq!(bdb["status"], "active-change-pending", "{bdb}");
    wait(&client, &bdb).await;
    let (_, got) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(
        got["version"], "8.2",
        "the newest Redis of release 8.2: {got}"
    );
    let (status, body) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/upgrade"),
        Some(json!({ "redis_version": "7.2" })),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (406, Some("redis_version_downgrade"))
    );

    let pids = sim.redis_server_pids();
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_modelled_answers_501_naming_it() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    // Operations 8.2 no longer serves are asked of a simulator impersonating 7.22.
    let older = common::builder()
        .no_redis(true)
        .release("7.22")
        .start()
        .await
        .expect("the simulator starts");
    let mut refused = 0;
    for (id, why) in NOT_MODELLED {
        let op = OPERATIONS
            .iter()
            .find(|o| o.id == *id)
            .expect("a known operation");
        let sim = if op.served_by(sim.release()) {
            &sim
        } else {
            &older
        };
        let path: Vec<&str> = op
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect();
        // A request the spec accepts (its example body), so that the refusal is about what is
        // not modelled, not about the request.
        let body = matches!(op.method, "POST" | "PUT" | "DELETE")
            .then(|| request_example(op.method, op.path).unwrap_or_else(|| json!({})));
        let (status, reply) = call(sim, op.method, &path.join("/"), body).await;
        assert_eq!(status, 501, "{id}: {reply}");
        assert_eq!(reply["error_code"], "not_modelled", "{id}");
        let description = reply["description"].as_str().unwrap_or_default();
        assert!(
            description.contains(why) && description.contains(id),
            "{id}: {description}"
        );
        refused += 1;
    }
    println!("{refused} operations answer 501 not_modelled");
    assert_eq!(refused, NOT_MODELLED.len());
    assert_eq!(refused, 1);
    sim.shutdown().await;
    older.shutdown().await;
}

/// The example request body the spec gives operation `method path`, if any.
fn request_example(method: &str, path: &str) -> Option<Value> {
    let spec: Value = serde_json::from_str(redis_enterprise_api::openapi::JSON).ok()?;
    let op = &spec["paths"][path][method.to_ascii_lowercase()];
    let media = &op["requestBody"]["content"]["application/json"];
    media.get("example").cloned()
}

/// A database without sources answers the source, syncer and peer routes as live clusters did
/// for one (`reference/observed/routes.json`); one that names a source needs a syncer the
/// simulator does not run, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_syncer_and_peers_of_a_database_without_them() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let uid = created(&sim, "plain").await;
    let cases = [
        (
            "/v1/bdbs/replica_sources/alerts".to_string(),
            200,
            json!({}),
        ),
        ("/v1/bdbs/crdt_sources/alerts".to_string(), 200, json!({})),
        (
            format!("/v1/bdbs/replica_sources/alerts/{uid}"),
            200,
            json!({}),
        ),
        (
            format!("/v1/bdbs/crdt_sources/alerts/{uid}"),
            200,
            json!({}),
        ),
        (
            format!("/v1/bdbs/{uid}/sync_source_stats"),
            200,
            json!({ "sync_source_stats": [] }),
        ),
    ];
    for (path, want, body) in &cases {
        let (status, got) = call(&sim, "GET", path, None).await;
        assert_eq!((status, &got), (*want, body), "{path}");
    }
    let refusals = [
        (
            format!("/v1/bdbs/replica_sources/alerts/{uid}/1"),
            404,
            "source_not_exist",
        ),
        (
            format!("/v1/bdbs/crdt_sources/alerts/{uid}/1/x"),
            404,
            "source_not_exist",
        ),
        (
            format!("/v1/bdbs/{uid}/sync_source_stats/1"),
            404,
            "sync_source_not_exist",
        ),
        (
            format!("/v1/bdbs/{uid}/syncer_state"),
            404,
            "syncer_state_not_exist",
        ),
        (
            format!("/v1/bdbs/{uid}/syncer_state/crdt"),
            404,
            "syncer_state_not_exist",
        ),
        (format!("/v1/bdbs/{uid}/peer_stats"), 406, "not_crdb"),
        (format!("/v1/bdbs/{uid}/peer_stats/1"), 406, "not_crdb"),
        ("/v1/bdbs/999/peer_stats".to_string(), 404, "db_not_exist"),
        (
            "/v1/bdbs/replica_sources/alerts/999".to_string(),
            404,
            "db_not_exist",
        ),
    ];
    for (path, want, code) in &refusals {
        let (status, got) = call(&sim, "GET", path, None).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (*want, Some(*code)),
            "{path}"
        );
    }
    // A database that names a Replica Of source: its syncer is what would answer.
    let (status, replica) = call(
        &sim,
        "POST",
        "/v1/bdbs",
        Some(json!({
            "name": "replica",
            "memory_size": 1 << 26,
            "replica_sources": [{ "uri": "redis://:pw@10.0.0.1:12000" }],
        })),
    )
    .await;
    assert_eq!(status, 200, "{replica}");
    let replica_uid = replica["uid"].as_i64().expect("a uid");
    for path in [
        format!("/v1/bdbs/replica_sources/alerts/{replica_uid}"),
        "/v1/bdbs/replica_sources/alerts".to_string(),
        format!("/v1/bdbs/{replica_uid}/syncer_state"),
        format!("/v1/bdbs/{replica_uid}/sync_source_stats"),
    ] {
        let (status, got) = call(&sim, "GET", &path, None).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (501, Some("not_modelled")),
            "{path}"
        );
    }
    // Active-Active sources are still none anywhere.
    let (status, got) = call(&sim, "GET", "/v1/bdbs/crdt_sources/alerts", None).await;
    assert_eq!((status, got), (200, json!({})));
    sim.shutdown().await;
}

/// A database's alert settings are kept and followed: with the `bdb_size` threshold at 0 % the
/// alert is raised (a database uses at least nothing), disabled it is not; a dry run keeps
/// nothing; an unknown alert or a threshold that is not a number is refused (406).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_alert_settings_are_kept_and_followed() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let uid = created(&sim, "alerting").await;
    let alerts = format!("/v1/bdbs/alerts/{uid}");
    assert_eq!(call(&sim, "GET", &alerts, None).await, (200, json!({})));

    let at_zero = json!({ "bdb_size": { "enabled": true, "threshold": "0" } });
    let (status, reply) = call(
        &sim,
        "POST",
        &format!("{alerts}?dry_run=true"),
        Some(at_zero.clone()),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["bdb_size"]["threshold"], "0");
    assert_eq!(call(&sim, "GET", &alerts, None).await, (200, json!({})));

    let (status, reply) = call(&sim, "POST", &alerts, Some(at_zero)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["bdb_size"]["enabled"], true);
    assert_eq!(reply["bdb_size"]["state"], true, "{reply}");
    let (status, raised) = call(&sim, "GET", &alerts, None).await;
    assert_eq!(status, 200);
    assert_eq!(raised["bdb_size"]["state"], true, "{raised}");
    assert_eq!(raised["bdb_size"]["threshold"], "0", "{raised}");

    let off = json!({ "bdb_size": { "enabled": false } });
    let (status, reply) = call(&sim, "POST", &alerts, Some(off)).await;
    assert_eq!(
        (status, &reply["bdb_size"]["enabled"]),
        (200, &json!(false))
    );
    assert_eq!(call(&sim, "GET", &alerts, None).await, (200, json!({})));

    let refusals = [
        (
            alerts.clone(),
            json!({ "bdb_colour": { "enabled": true } }),
            406,
            "invalid_alert",
        ),
        (
            alerts.clone(),
            json!({ "bdb_size": { "threshold": "high" } }),
            406,
            "invalid_threshold",
        ),
        (
            "/v1/bdbs/alerts/999".to_string(),
            json!({ "bdb_size": {} }),
            404,
            "db_not_exist",
        ),
    ];
    for (path, body, want, code) in refusals {
        let (status, got) = call(&sim, "POST", &path, Some(body)).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (want, Some(code)),
            "{path}"
        );
    }
    sim.shutdown().await;
}

/// Module arguments of a database: a module it does not run is refused with the reference's
/// code, arguments with a character the reference forbids are refused by the schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn module_configuration_names_what_the_database_runs() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let db_uid = created(&sim, "plain").await;
    let path = format!("/v1/bdbs/{db_uid}/modules/config");
    let cases = [
        ("MAXDOC 9", 400, "module_not_exist"),
        ("a<b", 400, "invalid_schema"),
    ];
    for (args, want, code) in cases {
        let body = json!({ "modules": [{ "module_name": "search", "module_args": args }] });
        let (status, got) = call(&sim, "POST", &path, Some(body)).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (want, Some(code)),
            "{args}"
        );
    }
    // The deprecated twin route answers the same.
    let twin = format!("/v1/modules/config/bdb/{db_uid}");
    let body = json!({ "modules": [{ "module_name": "search", "module_args": "MAXDOC 9" }] });
    let (status, got) = call(&sim, "POST", &twin, Some(body)).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (400, Some("module_not_exist"))
    );
    let body = json!({ "modules": [{ "module_name": "search", "module_args": "" }] });
    let (status, got) = call(&sim, "POST", "/v1/bdbs/999/modules/config", Some(body)).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (404, Some("db_not_exist"))
    );
    sim.shutdown().await;
}

/// A fresh cluster runs no action: the cluster's and the nodes' lists are empty, one asked for
/// or cancelled by name is 404; a start the reference does not document, a `change_master`
/// without a node or naming none that exists, and node actions the simulator does not run are
/// refused by name, never a fake success, and leave the lists empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_refuse_what_they_cannot_do() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    for path in [
        "/v1/cluster/actions",
        "/v1/nodes/actions",
        "/v1/nodes/1/actions",
    ] {
        assert_eq!(
            call(&sim, "GET", path, None).await,
            (200, json!({ "actions": [] })),
            "{path}"
        );
    }
    let refusals = [
        (
            "GET",
            "/v1/cluster/actions/change_master",
            404,
            "action_not_exist",
        ),
        (
            "GET",
            "/v1/nodes/1/actions/maintenance_on",
            404,
            "action_not_exist",
        ),
        ("GET", "/v1/nodes/9/actions", 404, "node_not_exist"),
        (
            "GET",
            "/v1/nodes/9/actions/maintenance_on",
            404,
            "node_not_exist",
        ),
        (
            "POST",
            "/v1/cluster/actions/change_master",
            400,
            "missing_field",
        ),
        ("POST", "/v1/cluster/actions/reboot", 400, "invalid_action"),
        (
            "DELETE",
            "/v1/cluster/actions/change_master",
            404,
            "action_not_exist",
        ),
        (
            "DELETE",
            "/v1/nodes/1/actions/maintenance_on",
            404,
            "action_not_exist",
        ),
        ("POST", "/v1/nodes/1/actions/reboot", 400, "invalid_action"),
        ("POST", "/v1/nodes/1/actions/remove", 501, "not_modelled"),
        (
            "POST",
            "/v1/nodes/1/actions/enslave_node",
            501,
            "not_modelled",
        ),
        (
            "POST",
            "/v1/nodes/9/actions/maintenance_on",
            400,
            "node_not_exist",
        ),
    ];
    for (method, path, want, code) in refusals {
        let body = (method == "POST").then(|| json!({}));
        let (status, got) = call(&sim, method, path, body).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (want, Some(code)),
            "{method} {path}"
        );
    }
    for (node_uid, want, code) in [
        (json!("9"), 404, "node_not_exist"),
        (json!("primary"), 400, "invalid_parameter"),
    ] {
        let body = json!({ "node_uid": node_uid });
        let (status, got) = call(
            &sim,
            "POST",
            "/v1/cluster/actions/change_master",
            Some(body),
        )
        .await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (want, Some(code)),
            "change_master to {node_uid}"
        );
    }
    // Options that would keep shards on the node are refused by name.
    let body = json!({ "evict_ha_replica": false });
    let (status, got) = call(
        &sim,
        "POST",
        "/v1/nodes/1/actions/maintenance_on",
        Some(body),
    )
    .await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (501, Some("not_modelled"))
    );
    // A refused start changes nothing.
    for path in ["/v1/cluster/actions", "/v1/nodes/actions"] {
        assert_eq!(
            call(&sim, "GET", path, None).await,
            (200, json!({ "actions": [] }))
        );
    }
    sim.shutdown().await;
}

/// The role of each node (`/v1/nodes/status`, in node order), checked against each node's own
/// status (`/v1/nodes/{uid}/status`).
async fn roles(sim: &Simulator) -> Vec<String> {
    let (status, all) = call(sim, "GET", "/v1/nodes/status", None).await;
    assert_eq!(status, 200, "{all}");
    let all = all.as_object().expect("a map of nodes");
    let mut roles = Vec::new();
    for (uid, node) in all {
        let (status, one) = call(sim, "GET", &format!("/v1/nodes/{uid}/status"), None).await;
        assert_eq!((status, &one), (200, node), "node {uid}");
        roles.push(node["role"].as_str().expect("a role").to_string());
    }
    roles
}

/// `change_master` runs as an action of the cluster that its lists show (409 for a second start
/// meanwhile); when it completes the node it named is the primary node in every node status,
/// and the others are `slave`. Cancelling a running one leaves the primary node where it was;
/// cancelling a finished one removes its status. Node status also follows where the shards
/// are: a database's primary and replica shards, and the memory they take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_master_moves_the_primary_role() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_on_a_manual_clock().await;
    assert_eq!(roles(&sim).await, ["master", "slave", "slave"]);
    let (_, fresh) = call(&sim, "GET", "/v1/nodes/2/status", None).await;
    assert_eq!(fresh["master_shards"], json!([]));
    assert_eq!(fresh["free_ram"], fresh["total_memory"]);
    assert!(fresh.get("maintenance_snapshot").is_none(), "{fresh}");

    let start = "/v1/cluster/actions/change_master";
    let (status, got) = call(&sim, "POST", start, Some(json!({ "node_uid": "2" }))).await;
    assert_eq!(status, 200, "{got}");
    let (status, got) = call(&sim, "GET", start, None).await;
    assert_eq!(
        (status, got["status"].as_str()),
        (200, Some("running")),
        "{got}"
    );
    assert_eq!(got["name"], "change_master");
    assert_eq!(got["object_name"], "cluster");
    let (_, list) = call(&sim, "GET", "/v1/cluster/actions", None).await;
    assert_eq!(list["actions"].as_array().map(Vec::len), Some(1), "{list}");
    let (status, got) = call(&sim, "POST", start, Some(json!({ "node_uid": "3" }))).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (409, Some("action_in_progress"))
    );
    // Not the primary node before the action completes.
    assert_eq!(roles(&sim).await, ["master", "slave", "slave"]);
    let done = cluster_action_ended(&sim, "change_master").await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(roles(&sim).await, ["slave", "master", "slave"]);

    // Cancelled while running: the primary node stays where it is.
    let (status, _) = call(&sim, "POST", start, Some(json!({ "node_uid": "3" }))).await;
    assert_eq!(status, 200);
    let (status, _) = call(&sim, "DELETE", start, None).await;
    assert_eq!(status, 200);
    let cancelled = cluster_action_ended(&sim, "change_master").await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_eq!(roles(&sim).await, ["slave", "master", "slave"]);
    // A finished action's status is removed by a cancel.
    let (status, _) = call(&sim, "DELETE", start, None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&sim, "GET", start, None).await;
    assert_eq!(status, 404);

    // The shards of a replicated database of two primaries (64 MiB): a primary and a replica
    // on each node they are placed on, each taking half the memory.
    let (status, db) = call(
        &sim,
        "POST",
        "/v1/bdbs",
        Some(json!({ "name": "spread", "memory_size": 1 << 26, "shards_count": 2, "replication": true })),
    )
    .await;
    assert_eq!(status, 200, "{db}");
    let uid = db["uid"].as_i64().expect("a uid");
    sim.advance(std::time::Duration::from_secs(1));
    let (_, shards) = call(&sim, "GET", &format!("/v1/bdbs/{uid}/shards"), None).await;
    let shards = shards.as_array().expect("a list");
    assert_eq!(shards.len(), 4);
    let (_, all) = call(&sim, "GET", "/v1/nodes/status", None).await;
    let mut seen = 0;
    for shard in shards {
        let node = &all[shard["node_uid"].as_str().expect("a node")];
        let list = if shard["role"] == "master" {
            "master_shards"
        } else {
            "slave_shards"
        };
        assert!(
            node[list]
                .as_array()
                .expect("a list")
                .contains(&shard["uid"]),
            "shard {shard} in {node}"
        );
        seen += 1;
    }
    assert_eq!(seen, 4);
    let used: i64 = all
        .as_object()
        .expect("a map")
        .values()
        .map(|n| n["total_memory"].as_i64().unwrap() - n["free_ram"].as_i64().unwrap())
        .sum();
    assert_eq!(used, 2 << 26, "each copy of each half takes 32 MiB");
    sim.shutdown().await;
}

/// Waits (on the manual clock, moved past the action delay) until the cluster's action `name`
/// has ended, and answers it.
async fn cluster_action_ended(sim: &Simulator, name: &str) -> Value {
    sim.advance(std::time::Duration::from_secs(1));
    for _ in 0..200 {
        let (_, got) = call(sim, "GET", &format!("/v1/cluster/actions/{name}"), None).await;
        if got["status"] != "running" {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the cluster's {name} still runs");
}

/// Waits (on the manual clock, moved past the action delay) until node `node`'s action `name`
/// has ended, and answers it.
async fn ended(sim: &Simulator, node: i64, name: &str) -> Value {
    sim.advance(std::time::Duration::from_secs(1));
    for _ in 0..200 {
        let (_, got) = call(
            sim,
            "GET",
            &format!("/v1/nodes/{node}/actions/{name}"),
            None,
        )
        .await;
        if got["status"] != "running" {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("node {node}'s {name} still runs");
}

/// The node each shard of database `uid` is on.
async fn shard_nodes(sim: &Simulator, uid: i64) -> Vec<String> {
    let (status, shards) = call(sim, "GET", &format!("/v1/bdbs/{uid}/shards"), None).await;
    assert_eq!(status, 200);
    shards
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["node_uid"].as_str().expect("a node").to_string())
        .collect()
}

/// `maintenance_on` runs as an action the node's lists show; when it completes the node accepts
/// no shards (`accept_servers` false, `max_redis_servers` 0) and its shards are on the other
/// nodes; `maintenance_off` restores both. A second start while one runs is 409; cancelling a
/// running one stops it before it changes anything, cancelling a finished one removes its
/// status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_maintenance_moves_the_shards_away_and_back() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_on_a_manual_clock().await;
    let (status, db) = call(
        &sim,
        "POST",
        "/v1/bdbs",
        Some(json!({ "name": "spread", "memory_size": 1 << 26, "shards_count": 3 })),
    )
    .await;
    assert_eq!(status, 200, "{db}");
    let uid = db["uid"].as_i64().expect("a uid");
    sim.advance(std::time::Duration::from_secs(1));
    assert_eq!(shard_nodes(&sim, uid).await, ["1", "2", "3"]);
    let node = |n: i64| {
        let sim = &sim;
        async move { call(sim, "GET", &format!("/v1/nodes/{n}"), None).await.1 }
    };
    assert_eq!(node(1).await["shard_count"], 1);

    let on = "/v1/nodes/1/actions/maintenance_on";
    let (status, _) = call(&sim, "POST", on, Some(json!({}))).await;
    assert_eq!(status, 200);
    let (status, got) = call(&sim, "GET", on, None).await;
    assert_eq!((status, got["status"].as_str()), (200, Some("running")));
    assert_eq!(got["name"], "maintenance_on");
    assert_eq!(got["node_uid"], "1");
    for path in ["/v1/nodes/1/actions", "/v1/nodes/actions"] {
        let (_, list) = call(&sim, "GET", path, None).await;
        assert_eq!(list["actions"].as_array().map(Vec::len), Some(1), "{path}");
    }
    let (_, others) = call(&sim, "GET", "/v1/nodes/2/actions", None).await;
    assert_eq!(others, json!({ "actions": [] }));
    let (status, got) = call(&sim, "POST", on, Some(json!({}))).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (409, Some("action_in_progress"))
    );
    // Nothing moved yet.
    assert_eq!(node(1).await["accept_servers"], true);

    assert_eq!(
        ended(&sim, 1, "maintenance_on").await["status"],
        "completed"
    );
    let maintained = node(1).await;
    assert_eq!(maintained["accept_servers"], false);
    assert_eq!(maintained["max_redis_servers"], 0);
    assert_eq!(maintained["shard_count"], 0);
    assert_eq!(shard_nodes(&sim, uid).await, ["2", "3", "2"]);
    // Its status shows the snapshot, no shard and nothing to provision.
    let (_, status_of_1) = call(&sim, "GET", "/v1/nodes/1/status", None).await;
    let snapshot = &status_of_1["maintenance_snapshot"];
    assert!(
        snapshot["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("maintenance_mode_")),
        "{status_of_1}"
    );
    assert_eq!(snapshot["node_uid"], "1");
    assert_eq!(status_of_1["master_shards"], json!([]));
    assert_eq!(status_of_1["total_provisional_ram"], 0);

    let off = "/v1/nodes/1/actions/maintenance_off";
    let (status, _) = call(&sim, "POST", off, Some(json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(
        ended(&sim, 1, "maintenance_off").await["status"],
        "completed"
    );
    let restored = node(1).await;
    assert_eq!(restored["accept_servers"], true);
    assert_eq!(restored["max_redis_servers"], 100);
    assert_eq!(shard_nodes(&sim, uid).await, ["1", "2", "3"]);
    let (_, status_of_1) = call(&sim, "GET", "/v1/nodes/1/status", None).await;
    assert!(
        status_of_1.get("maintenance_snapshot").is_none(),
        "{status_of_1}"
    );
    assert_eq!(
        status_of_1["master_shards"].as_array().map(Vec::len),
        Some(1)
    );
    // Out of maintenance, there is no snapshot to restore: the action fails.
    let (status, _) = call(&sim, "POST", off, Some(json!({}))).await;
    assert_eq!(status, 200);
    let failed = ended(&sim, 1, "maintenance_off").await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error_code"], "snapshot_not_exist");

    // Cancelled while running: it changes nothing.
    let (status, _) = call(&sim, "POST", on, Some(json!({}))).await;
    assert_eq!(status, 200);
    let (status, _) = call(&sim, "DELETE", on, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        ended(&sim, 1, "maintenance_on").await["status"],
        "cancelled"
    );
    assert_eq!(node(1).await["accept_servers"], true);
    assert_eq!(shard_nodes(&sim, uid).await, ["1", "2", "3"]);
    // Cancelling a finished action removes its status.
    let (status, _) = call(&sim, "DELETE", on, None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&sim, "GET", on, None).await;
    assert_eq!(status, 404);
    let (status, _) = call(&sim, "DELETE", on, None).await;
    assert_eq!(status, 404);
    sim.shutdown().await;
}

/// On a one-node cluster there is nowhere to move a database's shards: `maintenance_on` fails
/// with `insufficient_resources` and the node stays as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_maintenance_needs_another_node_for_the_shards() {
    let _process = crate::common::share_the_process().await;
    let sim = common::builder()
        .no_redis(true)
        .manual_clock(true)
        .nodes(1)
        .start()
        .await
        .expect("the simulator starts");
    let (status, _) = call(
        &sim,
        "POST",
        "/v1/bdbs",
        Some(json!({ "name": "alone", "memory_size": 1 << 26 })),
    )
    .await;
    assert_eq!(status, 200);
    sim.advance(std::time::Duration::from_secs(1));
    let on = "/v1/nodes/1/actions/maintenance_on";
    let (status, _) = call(&sim, "POST", on, Some(json!({}))).await;
    assert_eq!(status, 200);
    let failed = ended(&sim, 1, "maintenance_on").await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error_code"], "insufficient_resources");
    let (_, node) = call(&sim, "GET", "/v1/nodes/1", None).await;
    assert_eq!(node["accept_servers"], true);
    sim.shutdown().await;
}

/// `stop_traffic` is an action (the database `active-change-pending` meanwhile); when it
/// completes the redis-server refuses the clients (an open connection is closed, a new one's
/// `AUTH` is refused) while the simulator still reads its statistics, and
/// `traffic_manually_disabled` is true; a password change keeps the traffic stopped;
/// `resume_traffic` lets the clients in again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_traffic_keeps_clients_out_until_resumed() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    let (uid, port) = database(&client, "paused", Some("first")).await;
    let mut open =
        tokio::task::spawn_blocking(move || common::redis_connection(port, Some("first")))
            .await
            .expect("redis task");

    let (status, reply) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/stop_traffic"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let (_, db) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(db["status"], "active-change-pending");
    let (status, got) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/resume_traffic"),
        None,
    )
    .await;
    assert_eq!((status, got["error_code"].as_str()), (409, Some("db_busy")));
    wait(&client, &reply).await;
    let (_, db) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(
        (
            db["status"].as_str(),
            db["traffic_manually_disabled"].as_bool()
        ),
        (Some("active"), Some(true))
    );

    let (held, fresh) = tokio::task::spawn_blocking(move || {
        let held = redis::cmd("PING")
            .query::<String>(&mut open)
            .map_err(|e| e.to_string());
        (held, accepts(port, "first"))
    })
    .await
    .expect("redis task");
    println!("traffic stopped: open connection -> {held:?}; new connection -> {fresh:?}");
    assert!(held.is_err(), "the open connection is closed");
    assert!(fresh.is_err(), "a new connection is refused");
    let (status, stats) = call(&sim, "GET", &format!("/v1/bdbs/stats/last/{uid}"), None).await;
    assert_eq!(
        status, 200,
        "the simulator still reads the process: {stats}"
    );

    // A password change does not let the clients back in.
    let path = format!("/v1/bdbs/{uid}/passwords");
    let (status, _) = call(&sim, "PUT", &path, Some(json!({ "password": "second" }))).await;
    assert_eq!(status, 200);
    let refused = tokio::task::spawn_blocking(move || accepts(port, "second"))
        .await
        .expect("redis task");
    assert!(refused.is_err(), "still stopped: {refused:?}");

    let (status, reply) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{uid}/actions/resume_traffic"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    wait(&client, &reply).await;
    let (_, db) = call(&sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
    assert_eq!(db["traffic_manually_disabled"], false);
    let back = tokio::task::spawn_blocking(move || accepts(port, "second"))
        .await
        .expect("redis task");
    assert_eq!(back, Ok(()));

    let (status, _) = call(&sim, "POST", "/v1/bdbs/999/actions/stop_traffic", None).await;
    assert_eq!(status, 404);
    sim.shutdown().await;
}

/// Creates database `name` (64 MiB) through the REST API and returns its uid.
async fn created(sim: &Simulator, name: &str) -> i64 {
    let (status, db) = call(
        sim,
        "POST",
        "/v1/bdbs",
        Some(json!({ "name": name, "memory_size": 1 << 26 })),
    )
    .await;
    assert_eq!(status, 200, "{db}");
    db["uid"].as_i64().expect("a uid")
}

/// Proxies: one per node with every documented setting; an update of one proxy changes it
/// alone, an update of all changes each, and both are what later reads show; `uid`, a member
/// the proxy does not document and an unknown node are refused and change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_settings_are_kept_per_node() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let (status, all) = call(&sim, "GET", "/v1/proxies", None).await;
    assert_eq!(status, 200, "{all}");
    let uids: Vec<i64> = all
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["uid"].as_i64().expect("a uid"))
        .collect();
    assert_eq!(uids, [1, 2, 3]);
    assert_eq!(proxy_setting(&sim, "threads").await, [3, 3, 3]);

    let one = json!({ "allow_restart": true, "proxy": { "threads": 8, "log_level": "debug" } });
    let (status, got) = call(&sim, "PUT", "/v1/proxies/2", Some(one)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(proxy_setting(&sim, "threads").await, [3, 8, 3]);
    let (_, second) = call(&sim, "GET", "/v1/proxies/2", None).await;
    assert_eq!(second["log_level"], "debug");
    let all_of_them = json!({ "proxy": { "max_threads": 32 } });
    let (status, _) = call(&sim, "PUT", "/v1/proxies", Some(all_of_them)).await;
    assert_eq!(status, 200);
    assert_eq!(proxy_setting(&sim, "max_threads").await, [32, 32, 32]);
    assert_eq!(
        proxy_setting(&sim, "threads").await,
        [3, 8, 3],
        "the update of all kept the others"
    );

    let refusals = [
        (
            "/v1/proxies/1",
            json!({ "proxy": { "uid": 7 } }),
            400,
            "invalid_parameter",
        ),
        (
            "/v1/proxies",
            json!({ "proxy": { "turbo": true } }),
            400,
            "invalid_schema",
        ),
        (
            "/v1/proxies/9",
            json!({ "proxy": { "threads": 4 } }),
            404,
            "proxy_not_exist",
        ),
        (
            "/v1/proxies/1",
            json!({ "proxy": { "log_level": "loud" } }),
            400,
            "invalid_schema",
        ),
    ];
    for (path, body, want, code) in &refusals {
        let (status, got) = call(&sim, "PUT", path, Some(body.clone())).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (*want, Some(*code)),
            "{path} {body}"
        );
    }
    assert_eq!(proxy_setting(&sim, "threads").await, [3, 8, 3]);
    let (status, _) = call(&sim, "GET", "/v1/proxies/9", None).await;
    assert_eq!(status, 404);
    sim.shutdown().await;
}

/// Setting `name` of every proxy, in node order.
async fn proxy_setting(sim: &Simulator, name: &str) -> Vec<i64> {
    let (status, all) = call(sim, "GET", "/v1/proxies", None).await;
    assert_eq!(status, 200, "{all}");
    all.as_array()
        .expect("a list")
        .iter()
        .map(|p| p[name].as_i64().expect("an integer setting"))
        .collect()
}

/// Node checks answer what the simulator knows: on a bootstrapped cluster every node passes
/// (one result per node, `cluster_test_result` true; they were the spec's example, where node 3
/// fails), an unknown node is refused (400, the status the operation documents); before the
/// bootstrap the node answers 503, as a node outside a cluster does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_checks_follow_the_cluster() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let (status, all) = call(&sim, "GET", "/v1/cluster/check", None).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["cluster_test_result"], true);
    let nodes = all["nodes"].as_array().expect("a list");
    assert_eq!(nodes.len(), 3);
    assert!(
        nodes
            .iter()
            .all(|n| n["result"] == true && n.get("error").is_none()),
        "{all}"
    );
    assert_eq!(
        call(&sim, "GET", "/v1/nodes/check/2", None).await,
        (200, json!({ "node_uid": 2, "result": true }))
    );
    let (status, _) = call(&sim, "GET", "/v1/nodes/check/9", None).await;
    assert_eq!(status, 400);
    sim.shutdown().await;

    let fresh = common::builder()
        .no_redis(true)
        .unbootstrapped(true)
        .start()
        .await
        .expect("the simulator starts");
    let (status, got) = call(&fresh, "GET", "/v1/nodes/check/1", None).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (503, Some("cluster_not_bootstrapped")),
        "a node outside a cluster answers 503"
    );
    fresh.shutdown().await;
}

/// The cluster health report is the cluster's: a database being created is a warning (and the
/// only issue listed with `issues_only`), then the report is `ok` with 3 active nodes (node 1
/// the leader), the database's 4 shards on their nodes, the license's shards in use; a node in
/// maintenance is a warning again. (It answered the spec's example, a cluster that is not
/// this one.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_report_is_the_clusters() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_on_a_manual_clock().await;
    let (status, db) = call(
        &sim,
        "POST",
        "/v1/bdbs",
        Some(json!({ "name": "healthy", "memory_size": 1 << 26, "shards_count": 2, "replication": true })),
    )
    .await;
    assert_eq!(status, 200, "{db}");
    let health = "/v4/cluster/health";
    let (status, issues) = call(&sim, "GET", &format!("{health}?issues_only=true"), None).await;
    assert_eq!(status, 200, "{issues}");
    assert_eq!(issues["status"], "warning", "{issues}");
    assert_eq!(issues["nodes"], json!([]));
    let pending = issues["database_infos"].as_array().expect("a list");
    assert_eq!(pending.len(), 1, "{issues}");
    assert_eq!(pending[0]["detailed_status"], "pending");
    assert_eq!(pending[0]["name"], "healthy");

    sim.advance(std::time::Duration::from_secs(1));
    let mut report = Value::Null;
    for _ in 0..200 {
        report = call(&sim, "GET", health, None).await.1;
        if report["status"] == "ok" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(report["status"], "ok", "{report}");
    assert_eq!(report["fqdn"], "cluster.local");
    assert_eq!(report["license"]["shards_in_use"], 4);
    let nodes = report["nodes"].as_array().expect("a list");
    let roles: Vec<&str> = nodes.iter().map(|n| n["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["leader", "follower", "follower"]);
    let shards: usize = nodes
        .iter()
        .map(|n| n["shards"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(shards, 4);
    let db = &report["database_infos"][0];
    assert_eq!(
        (
            db["status"].as_str(),
            db["high_availability"]["status"].as_str()
        ),
        (Some("active"), Some("up"))
    );
    let (_, issues) = call(&sim, "GET", &format!("{health}?issues_only=true"), None).await;
    assert_eq!(
        (issues["nodes"].clone(), issues["database_infos"].clone()),
        (json!([]), json!([]))
    );

    let on = "/v1/nodes/3/actions/maintenance_on";
    assert_eq!(call(&sim, "POST", on, Some(json!({}))).await.0, 200);
    assert_eq!(
        ended(&sim, 3, "maintenance_on").await["status"],
        "completed"
    );
    let (_, issues) = call(&sim, "GET", &format!("{health}?issues_only=true"), None).await;
    assert_eq!(issues["status"], "warning", "{issues}");
    let listed = issues["nodes"].as_array().expect("a list");
    assert_eq!(listed.len(), 1, "{issues}");
    assert_eq!(
        (
            listed[0]["id"].as_str(),
            listed[0]["in_maintenance"].as_bool()
        ),
        (Some("3"), Some(true))
    );
    sim.shutdown().await;
}

/// The statistics of shards, nodes and the cluster follow what the database's redis-server
/// holds and where its shards are placed: the primaries' keys add up to the keys written,
/// each replica holds what its primary holds and serves nothing, the nodes add up their
/// shards, and the cluster its nodes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shard_node_and_cluster_statistics_follow_the_data() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    let (status, db) = call(
        &sim,
        "POST",
        "/v1/bdbs",
        Some(json!({ "name": "counted", "memory_size": 1 << 26, "shards_count": 2, "replication": true })),
    )
    .await;
    assert_eq!(status, 200, "{db}");
    wait(&client, &db).await;
    let uid = db["uid"].as_i64().expect("a uid");
    let got = client.bdb_get(uid).send().await.expect("get").into_inner();
    let port = u16::try_from(got.port.expect("a port")).expect("a port number");
    const KEYS: usize = 11;
    tokio::task::spawn_blocking(move || {
        let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).expect("url");
        let mut conn = client.get_connection().expect("connect");
        for i in 0..KEYS {
            redis::cmd("SET")
                .arg(format!("k{i}"))
                .arg(i)
                .query::<()>(&mut conn)
                .expect("SET");
        }
    })
    .await
    .expect("redis task");

    // Shards: one series each, placed as `/v1/bdbs/{uid}/shards` says.
    let (_, placed) = call(&sim, "GET", &format!("/v1/bdbs/{uid}/shards"), None).await;
    let placed = placed.as_array().expect("a list").clone();
    assert_eq!(placed.len(), 4);
    let (status, series) = call(
        &sim,
        "GET",
        &format!("/v1/shards/stats?parent_uid={uid}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{series}");
    let series = series.as_array().expect("a list").clone();
    assert_eq!(series.len(), 4, "{series:?}");
    let (mut primary_keys, mut replicas) = (0.0, 0);
    for (shard, stats) in placed.iter().zip(&series) {
        assert_eq!(stats["uid"], shard["uid"]);
        assert_eq!(stats["node_uid"], shard["node_uid"]);
        assert_eq!(stats["assigned_slots"], shard["assigned_slots"]);
        let interval = &stats["intervals"][0];
        assert_eq!(interval["interval"], "1sec");
        let keys = interval["no_of_keys"].as_f64().expect("no_of_keys");
        if shard["role"] == "master" {
            primary_keys += keys;
        } else {
            // The replica follows its primary, the shard before it.
            let primary = &series[series.iter().position(|s| s == stats).unwrap() - 1];
            assert_eq!(
                keys,
                primary["intervals"][0]["no_of_keys"].as_f64().unwrap()
            );
            assert_eq!(interval["total_req"], 0.0, "{interval}");
            assert_eq!(interval["connected_clients"], 0.0, "{interval}");
            replicas += 1;
        }
    }
    assert_eq!(primary_keys, KEYS as f64, "{series:?}");
    assert_eq!(replicas, 2);

    // The same through the other shard routes, with a chosen interval and metrics.
    let first = placed[0]["uid"].as_str().expect("a uid");
    let (status, one) = call(
        &sim,
        "GET",
        &format!("/v1/shards/stats/{first}?interval=1hour"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["intervals"][0]["interval"], "1hour", "{one}");
    assert_eq!(
        one["intervals"][0]["no_of_keys"], series[0]["intervals"][0]["no_of_keys"],
        "{one}"
    );
    let (status, chosen) = call(
        &sim,
        "GET",
        &format!("/v1/shards/stats?parent_uid={uid}&metrics=no_of_keys,used_memory"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{chosen}");
    let interval = chosen[0]["intervals"][0].as_object().expect("an interval");
    let mut names: Vec<&str> = interval.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["etime", "interval", "no_of_keys", "stime", "used_memory"]
    );
    let (_, last) = call(&sim, "GET", "/v1/shards/stats/last", None).await;
    for shard in &placed {
        let uid = shard["uid"].as_str().expect("a uid");
        assert!(last[uid]["used_memory"].as_f64().is_some(), "{last}");
    }
    let (_, last_one) = call(&sim, "GET", &format!("/v1/shards/stats/last/{first}"), None).await;
    assert_eq!(last_one.as_object().map(|m| m.len()), Some(1), "{last_one}");

    // Nodes: their memory is what node status says; clients and requests add up their shards.
    let (_, nodes) = call(&sim, "GET", "/v1/nodes/stats", None).await;
    let nodes = nodes.as_array().expect("a list").clone();
    let (_, status_of) = call(&sim, "GET", "/v1/nodes/status", None).await;
    assert_eq!(nodes.len(), status_of.as_object().expect("a map").len());
    let mut free = 0.0;
    for node in &nodes {
        let uid = node["uid"].as_str().expect("a uid");
        let interval = &node["intervals"][0];
        assert_eq!(
            interval["free_memory"].as_f64(),
            status_of[uid]["free_ram"].as_f64(),
            "node {uid}: {interval}"
        );
        let on_node: f64 = series
            .iter()
            .filter(|s| s["node_uid"] == uid)
            .map(|s| s["intervals"][0]["connected_clients"].as_f64().unwrap())
            .sum();
        assert_eq!(interval["conns"].as_f64(), Some(on_node), "node {uid}");
        let cpu: f64 = ["cpu_idle", "cpu_system", "cpu_user"]
            .iter()
            .map(|k| interval[k].as_f64().expect("a CPU share"))
            .sum();
        assert!(cpu > 0.0 && cpu <= 1.0 + 1e-9, "{interval}");
        assert!(interval["persistent_storage_free"].as_f64().unwrap() > 0.0);
        free += interval["free_memory"].as_f64().unwrap();
    }
    let (status, cluster) = call(&sim, "GET", "/v1/cluster/stats/last", None).await;
    assert_eq!(status, 200, "{cluster}");
    assert_eq!(cluster["free_memory"].as_f64(), Some(free), "{cluster}");
    let (_, cluster_series) = call(&sim, "GET", "/v1/cluster/stats?interval=5min", None).await;
    assert_eq!(cluster_series["intervals"][0]["interval"], "5min");

    // What does not exist.
    for (path, status) in [
        ("/v1/shards/stats/999".to_string(), 404),
        ("/v1/shards/stats/last/999".to_string(), 404),
        ("/v1/nodes/stats/99".to_string(), 404),
        ("/v1/nodes/stats/last/99".to_string(), 404),
        ("/v1/shards/stats?parent_uid=999".to_string(), 404),
    ] {
        let (got, body) = call(&sim, "GET", &path, None).await;
        assert_eq!(got, status, "{path}: {body}");
    }
    sim.shutdown().await;
}
