//! 32 clients creating, reading and deleting databases at the same time, each for a fixed
//! number of rounds: every uid is unique, nothing is lost, no process leaks, and the simulator
//! still answers.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use redis_enterprise_api::types;

const CLIENTS: usize = 32;
const ROUNDS: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_clients_create_read_delete() {
    let _process = crate::common::own_the_process().await;
    let sim = common::builder()
        .action_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("the simulator starts");
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..CLIENTS {
        let client = common::client(&sim);
        tasks.spawn(async move {
            let mut uids = Vec::new();
            for round in 0..ROUNDS {
                let db = {
                    let mut value = types::Bdb::default();
                    value.name = Some(format!("c{c}-r{round}"));
                    value.memory_size = Some(8 << 20);
                    value
                };
                let created = client.bdb_create(&db).send().await.expect("create");
                let created = created.into_inner();
                let uid = created.uid.expect("uid");
                client
                    .wait_for_action(&created.action_uid.expect("action"), common::wait())
                    .await
                    .expect("created");
                let got = client.bdb_get(uid).send().await.expect("read").into_inner();
                assert_eq!(
                    got.name, db.name,
                    "database {uid} is the one this client made"
                );
                assert_eq!(got.status, Some(types::BdbStatus::Active));
                client
                    .bdb_list()
                    .fields("uid,name")
                    .send()
                    .await
                    .expect("list");
                client.bdb_delete(uid).send().await.expect("delete");
                uids.push(uid);
            }
            uids
        });
    }
    let mut all = Vec::new();
    let joined = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(result) = tasks.join_next().await {
            all.extend(result.expect("a client task finished without panicking"));
        }
    })
    .await;
    assert!(joined.is_ok(), "the clients did not finish in time");
    assert_eq!(all.len(), CLIENTS * ROUNDS, "every create returned a uid");
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "no uid was given twice: {all:?}");

    // Every deletion completes; then nothing is left.
    let client = common::client(&sim);
    let mut polls = 0;
    loop {
        let left = client.bdb_list().send().await.expect("list").into_inner();
        if left.is_empty() {
            break;
        }
        polls += 1;
        assert!(polls < 400, "{} databases never went away", left.len());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(sim.redis_server_pids().is_empty());
    assert_eq!(
        common::redis_children(),
        Vec::<u32>::new(),
        "no leaked redis-server"
    );
    client
        .cluster_get()
        .send()
        .await
        .expect("the simulator still answers");
    sim.shutdown().await;
}
