//! Helpers shared by the simulator's tests: a started simulator, a client that verifies its CA,
//! a count of this process's redis-server children, and the lock that keeps that count exact
//! now that every test runs in one process.

#![allow(dead_code)]

use std::time::Duration;

use redis_enterprise_api::extras::WaitOptions;
use redis_enterprise_api::{Client, Credentials, RetryPolicy};
use redis_enterprise_simulator::{Simulator, SimulatorBuilder};

/// Tests that start simulators (and so redis-server children of this process) hold it shared;
/// a test that asserts this process has no redis-server child at all holds it alone, so no
/// other test's databases are counted. Each test takes it once, first thing.
static PROCESS: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Taken by every test that may start redis-server children of this process.
pub async fn share_the_process() -> tokio::sync::RwLockReadGuard<'static, ()> {
    PROCESS.read().await
}

/// Taken by a test that counts every redis-server child of this process: no other test runs
/// meanwhile.
pub async fn own_the_process() -> tokio::sync::RwLockWriteGuard<'static, ()> {
    PROCESS.write().await
}

/// Action delay the tests use: long enough to see `pending`, short enough to wait for.
pub const DELAY: Duration = Duration::from_millis(150);

/// A builder with the tests' action delay.
pub fn builder() -> SimulatorBuilder {
    Simulator::builder().action_delay(DELAY)
}

/// Starts a simulator with the tests' action delay.
pub async fn start() -> Simulator {
    builder().start().await.expect("the simulator starts")
}

/// Starts a simulator without redis-server processes: the rules, not the data.
pub async fn rules_only() -> Simulator {
    builder()
        .no_redis(true)
        .start()
        .await
        .expect("the simulator starts")
}

/// Starts a simulator without redis-servers on a manual clock: each action stays running until
/// the test advances the clock past the action delay.
pub async fn rules_on_a_manual_clock() -> Simulator {
    builder()
        .no_redis(true)
        .manual_clock(true)
        .start()
        .await
        .expect("the simulator starts")
}

/// A client with Basic auth as the admin, verifying the simulator's CA, without retries (so a
/// test sees every status the simulator sends).
pub fn client(sim: &Simulator) -> Client {
    client_as(sim, Credentials::basic(sim.username(), sim.password()))
}

/// A client with any credentials.
pub fn client_as(sim: &Simulator, credentials: Credentials) -> Client {
    Client::builder(sim.base_url())
        .credentials(credentials)
        .add_ca_certificate_pem(sim.ca_pem())
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("the client builds")
}

/// How the tests wait for actions.
pub fn wait() -> WaitOptions {
    WaitOptions::default()
        .poll_interval(Duration::from_millis(25))
        .timeout(Duration::from_secs(30))
}

/// redis-server processes whose parent is this test process (zombies included: an unreaped
/// child is a leak too).
pub fn redis_children() -> Vec<u32> {
    let me = std::process::id();
    let mut out = Vec::new();
    let entries = std::fs::read_dir("/proc").expect("/proc is readable");
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some((comm, rest)) = stat.split_once(") ") else {
            continue;
        };
        let comm = comm.split_once('(').map(|(_, c)| c).unwrap_or_default();
        let ppid: u32 = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        if ppid == me && comm.starts_with("redis-server") {
            out.push(pid);
        }
    }
    out
}

/// Waits (bounded) until no redis-server child is left, and returns what is left.
pub async fn children_after_stop() -> Vec<u32> {
    for _ in 0..100 {
        let left = redis_children();
        if left.is_empty() {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    redis_children()
}

/// Whether something accepts connections on a loopback port.
pub fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// A synchronous Redis connection to a database port.
pub fn redis_connection(port: u16, password: Option<&str>) -> redis::Connection {
    let url = match password {
        Some(p) => format!("redis://:{p}@127.0.0.1:{port}/"),
        None => format!("redis://127.0.0.1:{port}/"),
    };
    redis::Client::open(url)
        .expect("a valid redis url")
        .get_connection()
        .expect("the database accepts connections")
}

/// A plain reqwest client that trusts the simulator's CA and adds no authentication, for
/// requests the generated client would never send (malformed bodies, foreign tokens).
pub fn raw_client(sim: &Simulator) -> reqwest::Client {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let pem = sim.ca_pem();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots
            .add(cert.expect("the CA PEM parses"))
            .expect("the CA is a valid root");
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .expect("raw client")
}

/// `Authorization: Basic` for the admin.
pub fn admin_auth(sim: &Simulator) -> String {
    use base64::Engine;
    let raw = format!("{}:{}", sim.username(), sim.password());
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// Which of `pids` are still children of this process (a zombie counts: it was not reaped).
/// Tests in one binary run in parallel, so a test checks its own simulator's processes.
pub fn still_children(pids: &[u32]) -> Vec<u32> {
    let mine = redis_children();
    pids.iter().copied().filter(|p| mine.contains(p)).collect()
}

/// Waits (bounded) until none of `pids` is a child any more, and returns those that are.
pub async fn wait_gone(pids: &[u32]) -> Vec<u32> {
    for _ in 0..100 {
        if still_children(pids).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    still_children(pids)
}
