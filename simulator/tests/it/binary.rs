//! The binary's contract: `--help` lists every flag; `--cert-out` writes the CA that clients
//! verify; SIGTERM stops it with every redis-server it started.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis_enterprise_api::{types, Client, Credentials, RetryPolicy};

const EXE: &str = env!("CARGO_BIN_EXE_redis-enterprise-sim");

/// Kills the binary if a test fails before it stopped it.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            if let Err(e) = self.0.kill() {
                eprintln!("cannot kill the simulator: {e}");
            }
            if let Err(e) = self.0.wait() {
                eprintln!("cannot reap the simulator: {e}");
            }
        }
    }
}

#[test]
fn help_lists_every_flag() {
    let out = Command::new(EXE)
        .arg("--help")
        .output()
        .expect("--help runs");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    let flags = [
        "--listen",
        "--username",
        "--password",
        "--cert-out",
        "--http",
        "--nodes",
        "--unbootstrapped",
        "--state",
        "--action-delay",
        "--no-redis",
        "--redis-server",
        "--body-limit",
    ];
    for flag in flags {
        assert!(
            help.contains(flag),
            "--help does not mention {flag}:\n{help}"
        );
    }
    assert!(
        help.contains("127.0.0.1:9443"),
        "defaults are shown:\n{help}"
    );
}

#[test]
fn a_missing_redis_server_is_named() {
    let out = Command::new(EXE)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--redis-server",
            "/nonexistent/redis-server",
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("redis-server"), "{err}");
}

/// Children of `pid` named redis-server.
fn redis_children_of(pid: u32) -> usize {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            let Some((comm, rest)) = stat.split_once(") ") else {
                return false;
            };
            comm.ends_with("(redis-server")
                && rest.split_whitespace().nth(1) == Some(pid.to_string().as_str())
        })
        .count()
}

/// Starts the binary with `args` and returns it with the URL it logs and a thread draining its
/// log.
fn spawn(args: &[&str]) -> (Guard, String, std::thread::JoinHandle<Vec<String>>) {
    let child = Command::new(EXE)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut guard = Guard(child);
    let stderr = guard.0.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the simulator logs its address")
            .expect("a log line");
        if let Some(url) = line.split("listening on ").nth(1) {
            break url.trim().to_string();
        }
    };
    // Keep draining the log so the simulator never blocks on a full pipe.
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    (guard, url, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_simulator_takes_its_redis_servers_along() {
    let _process = crate::common::share_the_process().await;
    let (mut guard, url, log) =
        spawn(&["--listen", "127.0.0.1:0", "--http", "--action-delay", "50"]);
    let client = Client::builder(url)
        .credentials(Credentials::basic(
            redis_enterprise_simulator::DEFAULT_USERNAME,
            redis_enterprise_simulator::DEFAULT_PASSWORD,
        ))
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client");
    let db = {
        let mut value = types::Bdb::default();
        value.name = Some("orphan".into());
        value.memory_size = Some(1 << 20);
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
    let port = client
        .bdb_get(created.uid.expect("uid"))
        .send()
        .await
        .expect("get")
        .into_inner()
        .port
        .and_then(|p| u16::try_from(p).ok())
        .expect("port");
    assert!(common::port_open(port));
    // SIGKILL: no Drop, no signal handler runs.
    guard.0.kill().expect("kill -9");
    guard.0.wait().expect("reaped");
    let started = Instant::now();
    while common::port_open(port) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "redis-server on {port} outlived its simulator"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    log.join().expect("log reader");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_with_cert_out_and_stops_on_sigterm() {
    let _process = crate::common::share_the_process().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let ca = dir.path().join("ca.pem");
    let child = Command::new(EXE)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--action-delay",
            "100",
            "--password",
            "pw",
        ])
        .arg("--cert-out")
        .arg(&ca)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut guard = Guard(child);
    let pid = guard.0.id();
    let stderr = guard.0.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the simulator logs its address")
            .expect("a log line");
        if let Some(url) = line.split("listening on ").nth(1) {
            break url.trim().to_string();
        }
    };
    // Keep draining the log so the simulator never blocks on a full pipe.
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = std::fs::read(&ca).expect("--cert-out wrote the CA");
    let client = Client::builder(url.clone())
        .credentials(Credentials::basic("admin@example.com", "pw"))
        .add_ca_certificate_pem(pem)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client");
    let db = {
        let mut value = types::Bdb::default();
        value.name = Some("bin".into());
        value.memory_size = Some(1 << 20);
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
    let port = client
        .bdb_get(created.uid.expect("uid"))
        .send()
        .await
        .expect("get")
        .into_inner()
        .port
        .and_then(|p| u16::try_from(p).ok())
        .expect("port");
    assert!(common::port_open(port));
    assert_eq!(redis_children_of(pid), 1);

    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = guard.0.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    assert!(
        !common::port_open(port),
        "the database's redis-server stopped"
    );
    let log = log.join().expect("log reader");
    let requests = log
        .iter()
        .filter(|l| l.contains(" /v1/") || l.contains(" /v2/"))
        .count();
    assert!(requests >= 3, "one log line per request: {log:?}");
}
