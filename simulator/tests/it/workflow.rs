//! What users do end to end, through the generated client over HTTPS (verifying the
//! simulator's CA): bootstrap a cluster, create a role and a user, sign in with a JWT, create a
//! database, wait for its action, use it with a Redis client, change its memory limit, hit the
//! busy rule, delete it and see its port close.

use crate::common;

use std::time::Duration;

use redis_enterprise_api::types;
use redis_enterprise_api::Credentials;

fn bdb(name: &str, memory: i64) -> types::Bdb {
    {
        let mut value = types::Bdb::default();
        value.name = Some(name.into());
        value.memory_size = Some(memory);
        value
    }
}

fn user_create(value: serde_json::Value) -> types::UserCreate {
    serde_json::from_value(value).expect("a valid user body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_then_roles_users_and_jwt() {
    let _process = crate::common::share_the_process().await;
    let sim = common::builder()
        .unbootstrapped(true)
        .manual_clock(true)
        .start()
        .await
        .expect("the simulator starts");
    let admin = common::client(&sim);

    // Before bootstrap the cluster APIs answer 503.
    let err = admin
        .cluster_get()
        .send()
        .await
        .expect_err("not in a cluster yet");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));

    let status = admin
        .bootstrap_get()
        .send()
        .await
        .expect("bootstrap status")
        .into_inner();
    let state = status
        .bootstrap_status
        .and_then(|s| s.state)
        .map(|s| s.to_string());
    assert_eq!(state.as_deref(), Some("idle"));
    let body = {
        let mut value = types::Bootstrap::default();
        value.action = Some(types::BootstrapAction::CreateCluster);
        value.cluster = Some({
            let mut value = types::BootstrapClusterIdentity::default();
            value.name = Some("sim.example".into());
            value
        });
        value.credentials = Some({
            let mut value = types::BootstrapCredentials::default();
            value.username = Some(sim.username().into());
            value.password = Some(sim.password().into());
            value
        });
        value
    };
    admin
        .bootstrap_start("create_cluster", &body)
        .send()
        .await
        .expect("bootstrap starts");
    let again = admin
        .bootstrap_start("create_cluster", &body)
        .send()
        .await
        .expect_err("bootstrap is already running");
    assert_eq!(again.status().map(|s| s.as_u16()), Some(409));
    sim.advance(common::DELAY);
    let mut polls = 0;
    loop {
        polls += 1;
        let info = admin
            .bootstrap_get()
            .send()
            .await
            .expect("bootstrap status")
            .into_inner();
        let state = info
            .bootstrap_status
            .and_then(|s| s.state)
            .map(|s| s.to_string());
        if state.as_deref() == Some("completed") {
            break;
        }
        assert!(polls < 400, "bootstrap never completed: {state:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let cluster = admin
        .cluster_get()
        .send()
        .await
        .expect("cluster after bootstrap")
        .into_inner();
    assert_eq!(cluster.name.as_deref(), Some("sim.example"));

    // A viewer role and a user holding it.
    let role = admin
        .role_create(&{
            let mut value = types::Role::default();
            value.name = Some("viewers".into());
            value.management = Some(types::RoleManagement::DbViewer);
            value
        })
        .send()
        .await
        .expect("role created")
        .into_inner();
    let role_uid = role.uid.expect("the role has a uid");
    let dup = admin
        .role_create(&{
            let mut value = types::Role::default();
            value.name = Some("viewers".into());
            value.management = Some(types::RoleManagement::Admin);
            value
        })
        .send()
        .await
        .expect_err("duplicate role name");
    assert_eq!(dup.error_code(), Some("name_already_exists"));
    let user = admin
        .user_create(&user_create(serde_json::json!({
            "email": "viewer@example.com",
            "password": "viewer-password",
            "name": "viewer",
            "role_uids": [role_uid],
        })))
        .send()
        .await
        .expect("user created")
        .into_inner();
    assert!(user.uid.is_some_and(|u| u > 1), "{user:?}");
    let dup = admin
        .user_create(&user_create(serde_json::json!({
            "email": "viewer@example.com",
            "password": "x",
        })))
        .send()
        .await
        .expect_err("duplicate email");
    assert_eq!(dup.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(dup.error_code(), Some("email_already_exists"));
    let in_use = admin
        .role_delete(role_uid)
        .send()
        .await
        .expect_err("the role is in use");
    assert_eq!(in_use.error_code(), Some("role_in_use"));

    // The viewer signs in with a JWT: it may read, not write.
    let viewer = common::client_as(
        &sim,
        Credentials::jwt("viewer@example.com", "viewer-password", None),
    );
    let dbs = viewer
        .bdb_list()
        .send()
        .await
        .expect("a viewer reads")
        .into_inner();
    assert!(dbs.is_empty());
    assert!(viewer.jwt_token().await.is_some(), "the client holds a JWT");
    let denied = viewer
        .bdb_create(&bdb("nope", 1 << 20))
        .send()
        .await
        .expect_err("a viewer may not create");
    assert_eq!(denied.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(denied.error_code(), Some("insufficient_permissions"));
    let denied = viewer
        .user_list()
        .send()
        .await
        .expect_err("a viewer may not list users");
    assert_eq!(denied.status().map(|s| s.as_u16()), Some(403));

    // Wrong credentials and expired tokens get 401.
    let wrong = common::client_as(&sim, Credentials::basic(sim.username(), "wrong"));
    let err = wrong
        .cluster_get()
        .send()
        .await
        .expect_err("wrong password");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let token = admin
        .user_authorize(&{
            let mut body =
                types::JwtAuthorize::new("viewer-password".into(), "viewer@example.com".into());
            body.ttl = Some(1);
            body
        })
        .send()
        .await
        .expect("authorize")
        .into_inner()
        .access_token
        .expect("a token");
    let raw = common::raw_client(&sim);
    let fresh = raw
        .get(format!("{}/v1/bdbs", sim.base_url()))
        .header("authorization", format!("JWT {token}"))
        .send()
        .await
        .expect("request with a fresh token");
    assert_eq!(fresh.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = raw
        .get(format!("{}/v1/bdbs", sim.base_url()))
        .header("authorization", format!("JWT {token}"))
        .send()
        .await
        .expect("request with an expired token");
    assert_eq!(expired.status().as_u16(), 401);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_lifecycle_with_a_real_redis_server() {
    let _process = crate::common::share_the_process().await;
    // A manual clock: each action stays running (its database busy) until the test advances
    // the clock, so the 409s below cannot race the action.
    let sim = common::builder()
        .manual_clock(true)
        .start()
        .await
        .expect("the simulator starts");
    let client = common::client(&sim);

    let created = client
        .bdb_create(&bdb("app", 100 << 20))
        .send()
        .await
        .expect("database created")
        .into_inner();
    let uid = created.uid.expect("a uid was assigned");
    assert_eq!(created.status, Some(types::BdbStatus::Pending));
    let action = created.action_uid.clone().expect("an action uid");

    // Busy while its action runs.
    let busy = client
        .bdb_update(uid, &bdb("app", 200 << 20))
        .send()
        .await
        .expect_err("busy while pending");
    assert_eq!(busy.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(busy.error_code(), Some("db_busy"));
    assert!(busy.is_busy(), "the client classifies it as busy");
    let dup = client
        .bdb_create(&bdb("app", 1 << 20))
        .send()
        .await
        .expect_err("duplicate name");
    assert_eq!(dup.error_code(), Some("name_already_exists"));
    let dup_uid = client
        .bdb_create(&{
            let mut body = bdb("other", 1 << 20);
            body.uid = Some(uid);
            body
        })
        .send()
        .await
        .expect_err("duplicate uid");
    assert_eq!(dup_uid.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(dup_uid.error_code(), Some("uid_exists"));

    let unavailable = client
        .bdb_availability_get(uid)
        .send()
        .await
        .expect_err("not available while pending");
    assert_eq!(unavailable.status().map(|s| s.as_u16()), Some(503));
    let pending = client
        .action_get_v2(&action)
        .send()
        .await
        .expect("action")
        .into_inner();
    assert_eq!(pending.status, Some(types::ActionStatus::Running));
    sim.advance(common::DELAY);
    let outcome = client
        .wait_for_action(&action, common::wait())
        .await
        .expect("the create action completes");
    assert_eq!(outcome.action.status, Some(types::ActionStatus::Completed));
    let db = client.bdb_get(uid).send().await.expect("get").into_inner();
    assert_eq!(db.status, Some(types::BdbStatus::Active));
    let port = u16::try_from(db.port.expect("an active database has a port")).expect("a port");
    let endpoint_port = db
        .endpoints
        .as_ref()
        .and_then(|e| e.first())
        .and_then(|e| e.port);
    assert_eq!(endpoint_port, Some(i64::from(port)));
    client
        .bdb_availability_get(uid)
        .send()
        .await
        .expect("available once active");
    let pids = sim.redis_server_pids();
    assert_eq!(pids.len(), 1);
    assert_eq!(
        common::still_children(&pids),
        pids,
        "a child of this process"
    );

    // The endpoint is a real Redis.
    let maxmemory = tokio::task::spawn_blocking(move || {
        let mut con = common::redis_connection(port, None);
        redis::cmd("SET")
            .arg("greeting")
            .arg("hello")
            .query::<()>(&mut con)
            .expect("SET");
        let got: String = redis::cmd("GET")
            .arg("greeting")
            .query(&mut con)
            .expect("GET");
        assert_eq!(got, "hello");
        let config: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory")
            .query(&mut con)
            .expect("CONFIG GET");
        config[1].clone()
    })
    .await
    .expect("redis client task");
    assert_eq!(maxmemory, (100_i64 << 20).to_string());

    // Stats come from the live process.
    // Deprecated in the reference, still served by 8.2 (and by the simulator).
    #[allow(deprecated)]
    let stats = client.bdb_stats_last_get(uid).send().await;
    let stats = stats.expect("stats/last").into_inner();
    let interval = stats.get(&uid.to_string()).expect("stats of the database");
    assert!(
        interval.used_memory.is_some_and(|m| m > 0.0),
        "{interval:?}"
    );

    // Update the memory limit and see CONFIG GET change once the action completes.
    let updated = client
        .bdb_update(uid, &{
            let mut value = types::Bdb::default();
            value.memory_size = Some(200 << 20);
            value
        })
        .send()
        .await
        .expect("update accepted")
        .into_inner();
    assert_eq!(updated.status, Some(types::BdbStatus::ActiveChangePending));
    let busy = client
        .bdb_delete(uid)
        .send()
        .await
        .expect_err("busy while the update runs");
    assert_eq!(busy.error_code(), Some("db_busy"));
    sim.advance(common::DELAY);
    client
        .wait_for_action(&updated.action_uid.expect("update action"), common::wait())
        .await
        .expect("the update completes");
    let maxmemory = tokio::task::spawn_blocking(move || {
        let mut con = common::redis_connection(port, None);
        let config: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory")
            .query(&mut con)
            .expect("CONFIG GET");
        config[1].clone()
    })
    .await
    .expect("redis client task");
    assert_eq!(maxmemory, (200_i64 << 20).to_string());

    // Update with the flush action: the key written earlier is gone once it completes.
    let flushed = client
        .bdb_update_with_action(uid, "flush", &types::Bdb::default())
        .send()
        .await
        .expect("update with flush accepted")
        .into_inner();
    sim.advance(common::DELAY);
    client
        .wait_for_action(&flushed.action_uid.expect("flush action"), common::wait())
        .await
        .expect("the flush completes");
    let greeting = tokio::task::spawn_blocking(move || {
        let mut con = common::redis_connection(port, None);
        redis::cmd("GET")
            .arg("greeting")
            .query::<Option<String>>(&mut con)
            .expect("GET")
    })
    .await
    .expect("redis client task");
    assert_eq!(greeting, None, "flushed");

    // The action is listed per database and in v1/v2 lists.
    let machines = client
        .action_bdb_list(&uid.to_string())
        .send()
        .await
        .expect("actions of the db")
        .into_inner();
    assert_eq!(machines.len(), 3, "create, update, flush: {machines:?}");
    let all = client
        .action_list_v2()
        .send()
        .await
        .expect("v2 actions")
        .into_inner();
    assert_eq!(all.len(), 3);

    // Delete: the port closes, then the database is gone.
    client
        .bdb_delete(uid)
        .send()
        .await
        .expect("delete accepted");
    assert!(!common::port_open(port), "the redis-server port is closed");
    assert!(sim.redis_server_pids().is_empty());
    let gone = client
        .bdb_get(uid)
        .send()
        .await
        .expect("still listed")
        .into_inner();
    assert_eq!(gone.status, Some(types::BdbStatus::DeletePending));
    sim.advance(common::DELAY);
    let mut polls = 0;
    loop {
        polls += 1;
        match client.bdb_get(uid).send().await {
            Err(e) if e.is_not_found() => break,
            Ok(db) => assert_eq!(
                db.into_inner().status,
                Some(types::BdbStatus::DeletePending)
            ),
            Err(e) => panic!("unexpected error while deleting: {e}"),
        }
        assert!(polls < 400, "the database was never removed");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_simulator_stops_its_processes() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    let mut ports = Vec::new();
    for name in ["a", "b"] {
        let db = client
            .bdb_create(&bdb(name, 10 << 20))
            .send()
            .await
            .expect("create")
            .into_inner();
        client
            .wait_for_action(&db.action_uid.expect("action"), common::wait())
            .await
            .expect("created");
        let db = client
            .bdb_get(db.uid.expect("uid"))
            .send()
            .await
            .expect("get");
        ports.push(u16::try_from(db.into_inner().port.expect("port")).expect("port"));
    }
    let pids = sim.redis_server_pids();
    assert_eq!(pids.len(), 2);
    assert_eq!(common::still_children(&pids), pids);
    drop(sim);
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
    for port in ports {
        assert!(
            !common::port_open(port),
            "port {port} still open after drop"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_alert_follows_the_live_process() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    // An empty redis-server uses about 1 MB: with a 1 MiB limit it is above the 80 % threshold,
    // with 100 MiB far below.
    let mut uids = Vec::new();
    for (name, memory) in [("tight", 1_i64 << 20), ("roomy", 100 << 20)] {
        let created = client
            .bdb_create(&bdb(name, memory))
            .send()
            .await
            .expect("create")
            .into_inner();
        client
            .wait_for_action(&created.action_uid.expect("action"), common::wait())
            .await
            .expect("created");
        uids.push(created.uid.expect("uid"));
    }
    let tight = client
        .bdb_alerts_list(uids[0])
        .send()
        .await
        .expect("alerts")
        .into_inner();
    let alert = tight
        .get("bdb_size")
        .expect("the tight database raised bdb_size");
    assert_eq!(alert.state, Some(true));
    let roomy = client
        .bdb_alerts_list(uids[1])
        .send()
        .await
        .expect("alerts")
        .into_inner();
    assert!(roomy.is_empty(), "{roomy:?}");
    let pids = sim.redis_server_pids();
    assert_eq!(pids.len(), 2);
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_password_guards_the_endpoint() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    // The deprecated field is still how the reference sets the default user's password.
    let mut db = bdb("guarded", 10 << 20);
    #[allow(deprecated)]
    {
        db.authentication_redis_pass = Some("s3cret".into());
    }
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
    let port = u16::try_from(got.port.expect("port")).expect("a port");
    tokio::task::spawn_blocking(move || {
        let mut anonymous = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
            .expect("url")
            .get_connection()
            .expect("connects");
        let refused = redis::cmd("GET")
            .arg("k")
            .query::<Option<String>>(&mut anonymous);
        let err = refused.expect_err("a password is required");
        assert_eq!(err.code(), Some("NOAUTH"), "{err}");
        let mut authed = common::redis_connection(port, Some("s3cret"));
        let pong: String = redis::cmd("PING").query(&mut authed).expect("PING");
        assert_eq!(pong, "PONG");
    })
    .await
    .expect("redis task");
    let pids = sim.redis_server_pids();
    sim.shutdown().await;
    assert_eq!(common::wait_gone(&pids).await, Vec::<u32>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_change_nothing() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let client = common::client(&sim);
    let checked = client
        .bdb_create(&bdb("dry", 1 << 20))
        .dry_run(true)
        .send()
        .await
        .expect("a valid body passes the dry run")
        .into_inner();
    assert_eq!(checked.name.as_deref(), Some("dry"));
    assert!(client
        .bdb_list()
        .send()
        .await
        .expect("list")
        .into_inner()
        .is_empty());
    assert!(client
        .action_list_v2()
        .send()
        .await
        .expect("actions")
        .into_inner()
        .is_empty());

    let created = client
        .bdb_create(&bdb("real", 1 << 20))
        .send()
        .await
        .expect("create");
    let created = created.into_inner();
    let uid = created.uid.expect("uid");
    client
        .wait_for_action(&created.action_uid.expect("action"), common::wait())
        .await
        .expect("created");
    let preview = client
        .bdb_update(uid, &{
            let mut value = types::Bdb::default();
            value.memory_size = Some(2 << 20);
            value
        })
        .dry_run(true)
        .send()
        .await
        .expect("dry-run update")
        .into_inner();
    assert_eq!(preview.memory_size, Some(2 << 20));
    let stored = client.bdb_get(uid).send().await.expect("get").into_inner();
    assert_eq!(
        stored.memory_size,
        Some(1 << 20),
        "the dry run changed nothing"
    );
    assert_eq!(
        stored.status,
        Some(types::BdbStatus::Active),
        "and started no action"
    );
    assert_eq!(
        client
            .action_list_v2()
            .send()
            .await
            .expect("actions")
            .into_inner()
            .len(),
        1
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_whose_process_cannot_start_fails_cleanly() {
    let _process = crate::common::share_the_process().await;
    let sim = common::start().await;
    let client = common::client(&sim);
    // Hold a port so the database's redis-server cannot bind it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let mut db = bdb("clash", 1 << 20);
    db.port = Some(i64::from(port));
    let created = client
        .bdb_create(&db)
        .send()
        .await
        .expect("accepted")
        .into_inner();
    let err = client
        .wait_for_action(&created.action_uid.expect("action"), common::wait())
        .await
        .expect_err("the action fails");
    assert!(
        matches!(err, redis_enterprise_api::extras::WaitError::Ended { .. }),
        "{err}"
    );
    let got = client
        .bdb_get(created.uid.expect("uid"))
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(got.status, Some(types::BdbStatus::CreationFailed));
    assert!(sim.redis_server_pids().is_empty(), "no process is left");
    drop(taken);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_rotate_their_own_passwords() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let admin = common::client(&sim);
    admin
        .user_create(&user_create(serde_json::json!({
            "email": "dev@example.com", "password": "one", "role": "db_member",
        })))
        .send()
        .await
        .expect("user");
    let as_dev = |pw: &str| common::client_as(&sim, Credentials::basic("dev@example.com", pw));
    let role = as_dev("one")
        .user_role_get()
        .send()
        .await
        .expect("own role")
        .into_inner();
    assert_eq!(role.role, Some(types::UserRole::DbMember));

    let add: types::UserPasswordAddRequest =
        serde_json::from_value(serde_json::json!({ "new_password": "two" })).expect("body");
    as_dev("one")
        .user_password_add(&add)
        .send()
        .await
        .expect("add a password");
    as_dev("one")
        .cluster_get()
        .send()
        .await
        .expect("the old password still works");
    as_dev("two")
        .cluster_get()
        .send()
        .await
        .expect("the new one works too");

    let delete: types::UserPasswordDeleteRequest =
        serde_json::from_value(serde_json::json!({ "old_password": "one" })).expect("body");
    as_dev("two")
        .user_password_delete(&delete)
        .send()
        .await
        .expect("drop the old one");
    let err = as_dev("one")
        .cluster_get()
        .send()
        .await
        .expect_err("the old password is gone");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let last: types::UserPasswordDeleteRequest =
        serde_json::from_value(serde_json::json!({ "old_password": "two" })).expect("body");
    let err = as_dev("two")
        .user_password_delete(&last)
        .send()
        .await
        .expect_err("the last one stays");
    assert_eq!(err.error_code(), Some("cannot_delete_last_password"));

    let other: types::UserPasswordUpdateRequest = serde_json::from_value(
        serde_json::json!({ "username": sim.username(), "new_password": "mine" }),
    )
    .expect("body");
    let err = as_dev("two")
        .user_password_update(&other)
        .send()
        .await
        .expect_err("not the admin's");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_memory_alert_follows_placed_databases() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let client = common::client(&sim);
    let quiet = client
        .node_alerts_list(1)
        .send()
        .await
        .expect("alerts")
        .into_inner();
    assert!(quiet.is_empty(), "{quiet:?}");
    // One shard of 7 GiB lands on node 1 (of 8 GiB): above 80 %.
    let created = client
        .bdb_create(&bdb("big", 7 << 30))
        .send()
        .await
        .expect("create")
        .into_inner();
    client
        .wait_for_action(&created.action_uid.expect("action"), common::wait())
        .await
        .expect("created");
    let node1 = client
        .node_alerts_list(1)
        .send()
        .await
        .expect("alerts")
        .into_inner();
    assert_eq!(
        node1.get("node_memory").and_then(|a| a.state),
        Some(true),
        "{node1:?}"
    );
    let node2 = client
        .node_alerts_list(2)
        .send()
        .await
        .expect("alerts")
        .into_inner();
    assert!(node2.is_empty(), "{node2:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_active_databases_are_records_with_tasks() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_on_a_manual_clock().await;
    let client = common::client(&sim);
    let crdb: types::Crdb = serde_json::from_value(serde_json::json!({
        "name": "aa",
        "default_db_config": { "name": "aa", "memory_size": 1 << 20 },
        "instances": [{ "cluster": {
            "url": "https://cluster1.example.com:9443",
            "name": "cluster-1",
            "credentials": { "username": "admin@example.com", "password": "secret" },
        }}],
    }))
    .expect("a CRDB body");
    let task = client
        .crdb_create(&crdb)
        .send()
        .await
        .expect("create")
        .into_inner();
    let task_id = task.id.clone().expect("a task id");
    let guid = task.crdb_guid.clone().expect("the new guid");
    let queued = client.crdb_task_get(&task_id).send().await.expect("task");
    assert_eq!(
        queued.into_inner().status.map(|s| s.to_string()).as_deref(),
        Some("queued")
    );
    sim.advance(common::DELAY);
    let mut polls = 0;
    loop {
        let t = client.crdb_task_get(&task_id).send().await.expect("task");
        if t.into_inner().status.map(|s| s.to_string()).as_deref() == Some("finished") {
            break;
        }
        polls += 1;
        assert!(polls < 400, "the task never finished");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stored = client
        .crdb_get(&guid)
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_eq!(stored.name.as_deref(), Some("aa"));
    let stored_json = serde_json::to_string(&stored).expect("json");
    assert!(
        !stored_json.contains("secret"),
        "credentials are not kept: {stored_json}"
    );
    assert_eq!(
        client
            .crdb_list()
            .send()
            .await
            .expect("list")
            .into_inner()
            .len(),
        1
    );
    let dup = client
        .crdb_create(&crdb)
        .send()
        .await
        .expect_err("duplicate name");
    assert_eq!(dup.error_code(), Some("name_already_exists"));

    client.crdb_delete(&guid).send().await.expect("delete");
    sim.advance(common::DELAY);
    let mut polls = 0;
    loop {
        match client.crdb_get(&guid).send().await {
            Err(e) if e.is_not_found() => break,
            Ok(_) => {}
            Err(e) => panic!("unexpected: {e}"),
        }
        polls += 1;
        assert!(polls < 400, "the CRDB was never removed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    sim.shutdown().await;
}
