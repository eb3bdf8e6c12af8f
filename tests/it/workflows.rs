//! The workflows of issue 14 end to end against the project's simulator
//! (`redis-enterprise-simulator`, HTTPS on loopback, verifying its CA), through the public API
//! only: create a database and wait until it is active, retry a change while the database is
//! busy (and never a real conflict), update and delete and wait, find by name, bootstrap a new
//! cluster and wait for it, and refuse an operation the cluster's release does not serve.
//!
//! The simulator runs without redis-server processes (`no_redis`): these tests are about the
//! REST workflow, not the data path. Its actions take real (short) time; nothing here measures
//! time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_enterprise_api::extras::{WaitOptions, WorkflowError};
use redis_enterprise_api::types::{self, BdbStatus, NodeStatus};
use redis_enterprise_api::{Client, Credentials, Error, NotServedReason, RetryPolicy};
use redis_enterprise_simulator::Simulator;

async fn simulator(action_delay: Duration, unbootstrapped: bool) -> Simulator {
    Simulator::builder()
        .nodes(3)
        .no_redis(true)
        .action_delay(action_delay)
        .unbootstrapped(unbootstrapped)
        .start()
        .await
        .expect("the simulator starts")
}

fn client(sim: &Simulator) -> redis_enterprise_api::ClientBuilder {
    Client::builder(sim.base_url())
        .basic_auth(sim.username(), sim.password())
        .add_ca_certificate_pem(sim.ca_pem())
}

fn bdb(name: &str, memory: i64) -> types::Bdb {
    {
        let mut value = types::Bdb::default();
        value.name = Some(name.into());
        value.memory_size = Some(memory);
        value
    }
}

fn quick<T>() -> WaitOptions<T> {
    WaitOptions::default()
        .poll_interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(30))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_database_and_wait_returns_it_active() {
    let sim = simulator(Duration::from_millis(400), false).await;
    let client = client(&sim).build().expect("client builds");
    let seen = Arc::new(Mutex::new(Vec::<Option<BdbStatus>>::new()));
    let log = seen.clone();
    let created = client
        .create_database_and_wait(
            &bdb("orders", 100 * 1024 * 1024),
            quick().on_progress(move |b: &types::Bdb| {
                log.lock().expect("lock").push(b.status.clone())
            }),
        )
        .await
        .expect("created and active");
    assert_eq!(created.status, Some(BdbStatus::Active));
    assert_eq!(created.name.as_deref(), Some("orders"));
    let uid = created.uid.expect("uid");
    assert_eq!(
        client
            .bdb_get(uid)
            .send()
            .await
            .expect("get")
            .into_inner()
            .status,
        Some(BdbStatus::Active)
    );
    let statuses = seen.lock().expect("lock").clone();
    assert_eq!(
        statuses.last(),
        Some(&Some(BdbStatus::Active)),
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_database_change_is_retried_until_the_action_ends() {
    let sim = simulator(Duration::from_millis(1500), false).await;
    let plain = client(&sim).build().expect("client builds");
    let created = plain
        .bdb_create(&bdb("busy", 100 * 1024 * 1024))
        .send()
        .await
        .expect("create starts")
        .into_inner();
    let uid = created.uid.expect("uid");

    // Without busy retries the change is refused while the creation runs.
    let err = plain
        .bdb_update(uid, &bdb("busy", 200 * 1024 * 1024))
        .send()
        .await
        .expect_err("busy while creating");
    assert!(err.is_busy(), "{err:?}");
    assert_eq!(err.error_code(), Some("db_busy"));

    // With them, the same change goes through once the action has ended.
    let retrying = plain.with_retry_policy(RetryPolicy {
        busy_retries: 60,
        busy_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(200),
        ..RetryPolicy::default()
    });
    retrying
        .bdb_update(uid, &bdb("busy", 200 * 1024 * 1024))
        .send()
        .await
        .expect("retried until the database was free");
    let after = retrying
        .wait_for_bdb_active(uid, quick())
        .await
        .expect("active again");
    assert_eq!(after.memory_size, Some(200 * 1024 * 1024));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn name_conflict_on_the_simulator_is_not_retried() {
    let sim = simulator(Duration::from_millis(200), false).await;
    let client = client(&sim)
        .retry_policy(RetryPolicy::default().retry_busy(50))
        .build()
        .expect("client builds");
    client
        .create_database_and_wait(&bdb("twin", 100 * 1024 * 1024), quick())
        .await
        .expect("first one");
    let err = client
        .create_database_and_wait(&bdb("twin", 100 * 1024 * 1024), quick())
        .await
        .expect_err("the name is taken");
    match err {
        WorkflowError::Request { operation, source } => {
            assert_eq!(operation, "bdb_create");
            assert_eq!(source.status().map(|s| s.as_u16()), Some(409));
            assert!(!source.is_busy(), "{source:?}");
        }
        other => panic!("expected the create request to fail, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_delete_and_find_by_name_wait_for_the_cluster() {
    let sim = simulator(Duration::from_millis(300), false).await;
    let client = client(&sim).build().expect("client builds");
    let created = client
        .create_database_and_wait(&bdb("catalog", 100 * 1024 * 1024), quick())
        .await
        .expect("created");
    let uid = created.uid.expect("uid");
    let found = client
        .find_bdb_by_name("catalog")
        .await
        .expect("found by name");
    assert_eq!(found.uid, Some(uid));

    let updated = client
        .update_database_and_wait(uid, &bdb("catalog", 300 * 1024 * 1024), quick())
        .await
        .expect("updated");
    assert_eq!(updated.memory_size, Some(300 * 1024 * 1024));
    assert_eq!(updated.status, Some(BdbStatus::Active));

    client
        .delete_database_and_wait(uid, quick())
        .await
        .expect("deleted");
    let err = client.bdb_get(uid).send().await.expect_err("gone");
    assert!(err.is_not_found(), "{err:?}");
    assert!(client
        .find_bdb_by_name("catalog")
        .await
        .expect_err("gone")
        .is_not_found());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_is_waited_for_until_completed() {
    let sim = simulator(Duration::from_millis(500), true).await;
    let client = client(&sim).build().expect("client builds");
    let err = client.bdb_list().send().await.expect_err("no cluster yet");
    assert!(err.is_not_in_active_cluster(), "{err:?}");
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
    client
        .bootstrap_start("create_cluster", &body)
        .send()
        .await
        .expect("bootstrap starts");
    let polls = Arc::new(Mutex::new(0u32));
    let counter = polls.clone();
    let info = client
        .wait_for_bootstrap_completed(
            quick()
                .on_progress(move |_: &types::BootstrapInfo| *counter.lock().expect("lock") += 1),
        )
        .await
        .expect("bootstrap completes");
    let state = info
        .bootstrap_status
        .and_then(|s| s.state)
        .map(|s| s.to_string());
    assert_eq!(state.as_deref(), Some("completed"));
    assert!(
        *polls.lock().expect("lock") >= 2,
        "it was in progress at first"
    );
    client.bdb_list().send().await.expect("the cluster answers");
    let node = client
        .wait_for_node_status(1, NodeStatus::Active, quick())
        .await
        .expect("node 1 active");
    assert_eq!(node.uid, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_check_refuses_what_the_release_does_not_serve() {
    let sim = simulator(Duration::from_millis(200), false).await;
    let client = client(&sim)
        .check_cluster_version(true)
        .build()
        .expect("client builds");
    let version = client
        .cluster_version()
        .await
        .expect("the simulator reports a version");
    assert!(version.starts_with("8.2"), "{version}");
    // Module uploads through /v1/modules went away in 8.0.
    let err = client
        .operation_raw("module_delete", &[("uid", "1")], &[], None)
        .await
        .expect_err("refused locally");
    match &err {
        Error::NotServed(refused) => {
            assert_eq!(refused.operation, "module_delete");
            assert_eq!(refused.reason, NotServedReason::RemovedIn("8.0"));
            assert_eq!(refused.cluster_version, version);
        }
        other => panic!("expected NotServed, got {other:?}"),
    }
    client
        .bdb_list()
        .send()
        .await
        .expect("a served operation goes through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_client_runs_the_whole_database_lifecycle() {
    let sim = simulator(Duration::from_millis(200), false).await;
    let client = Client::builder(sim.base_url())
        .credentials(Credentials::jwt(sim.username(), sim.password(), None))
        .add_ca_certificate_pem(sim.ca_pem())
        .build()
        .expect("client builds");
    let created = client
        .create_database_and_wait(&bdb("sessions", 100 * 1024 * 1024), quick())
        .await
        .expect("created with a JWT");
    let uid = created.uid.expect("uid");
    assert!(client.jwt_token().await.is_some(), "a token was obtained");
    client
        .delete_database_and_wait(uid, quick())
        .await
        .expect("deleted with a JWT");
    assert!(client
        .find_bdb_by_name("sessions")
        .await
        .expect_err("gone")
        .is_not_found());
}
