//! What a downstream crate's test looks like: only the public API of `redis-enterprise-api`
//! and `redis-enterprise-simulator` (no helper of this repository), the simulator as a
//! dev-dependency, one simulator per test on a free loopback port.

use std::time::Duration;

use redis_enterprise_api::extras::WaitOptions;
use redis_enterprise_api::{types, Client};
use redis_enterprise_simulator::Simulator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_automation_creates_a_database_it_can_use() {
    // Only for this repository: the one test binary shares a process with tests that count
    // its redis-server children (see `common::own_the_process`).
    let _process = crate::common::share_the_process().await;
    let sim = Simulator::builder()
        .action_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("redis-server is installed");
    let client = Client::builder(sim.base_url())
        .basic_auth(sim.username(), sim.password())
        .add_ca_certificate_pem(sim.ca_pem())
        .build()
        .expect("the client builds");

    // The code under test would do this.
    let mut db = types::Bdb::default();
    db.name = Some("orders".into());
    db.memory_size = Some(100 << 20);
    let created = client
        .bdb_create(&db)
        .send()
        .await
        .expect("create")
        .into_inner();
    client
        .wait_for_action(
            &created.action_uid.expect("an action"),
            WaitOptions::default().timeout(Duration::from_secs(30)),
        )
        .await
        .expect("the database becomes active");

    let dbs = client.bdb_list().send().await.expect("list").into_inner();
    assert_eq!(dbs.len(), 1);
    let db = &dbs[0];
    assert_eq!(db.status, Some(types::BdbStatus::Active));
    let port = db.port.expect("an endpoint port");
    // The endpoint is a real redis-server.
    let mut stream =
        tokio::net::TcpStream::connect(("127.0.0.1", u16::try_from(port).expect("a port")))
            .await
            .expect("the endpoint accepts connections");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(b"PING\r\n").await.expect("write");
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).await.expect("read");
    assert_eq!(&reply, b"+PONG\r\n");

    let pids = sim.redis_server_pids();
    assert_eq!(pids.len(), 1);
    sim.shutdown().await;
}
