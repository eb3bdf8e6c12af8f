//! `redis-enterprise-sim`: the simulator as a program. Flags only; everything else is the
//! library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use redis_enterprise_simulator::{Simulator, DEFAULT_PASSWORD, DEFAULT_USERNAME};

/// A stateful simulator of the Redis Software REST API, with a real redis-server per database.
#[derive(Debug, Parser)]
#[command(name = "redis-enterprise-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9443")]
    listen: SocketAddr,
    /// Email of the admin user.
    #[arg(long, default_value = DEFAULT_USERNAME)]
    username: String,
    /// Password of the admin user.
    #[arg(long, default_value = DEFAULT_PASSWORD)]
    password: String,
    /// Write the CA certificate (PEM) that signed the server certificate to this file.
    #[arg(long)]
    cert_out: Option<PathBuf>,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    http: bool,
    /// Number of simulated nodes.
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// Start as a node outside any cluster: cluster APIs answer 503 until
    /// POST /v1/bootstrap/create_cluster.
    #[arg(long)]
    unbootstrapped: bool,
    /// Persist the state to this JSON file (written atomically) and reload it at start.
    #[arg(long)]
    state: Option<PathBuf>,
    /// How long actions take, in milliseconds.
    #[arg(long, default_value_t = 300)]
    action_delay: u64,
    /// Run without redis-server processes (database endpoints then have no port).
    #[arg(long)]
    no_redis: bool,
    /// The redis-server executable.
    #[arg(long, default_value = "/usr/bin/redis-server")]
    redis_server: PathBuf,
    /// For fuzzers only: the start-up credentials keep signing in as the admin whatever
    /// happens to that user (password change, delete, lock). Refused unless --listen is a
    /// loopback address.
    #[arg(long)]
    fuzz_admin: bool,
    /// The Redis Software release to impersonate: its routes, its nodes' software_version.
    #[arg(long, default_value = redis_enterprise_simulator::DEFAULT_RELEASE, value_parser = ["7.4", "7.8", "7.22", "8.0", "8.2"])]
    release: String,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    body_limit: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let mut builder = Simulator::builder()
        .listen(args.listen)
        .username(&args.username)
        .password(&args.password)
        .nodes(args.nodes)
        .unbootstrapped(args.unbootstrapped)
        .http(args.http)
        .no_redis(args.no_redis)
        .action_delay(Duration::from_millis(args.action_delay))
        .redis_server(args.redis_server)
        .body_limit(args.body_limit)
        .fuzz_admin(args.fuzz_admin)
        .release(&args.release);
    if let Some(state) = args.state {
        builder = builder.state_file(state);
    }
    let sim = builder.start().await?;
    if let Some(path) = &args.cert_out {
        std::fs::write(path, sim.ca_pem())?;
    }
    tracing::info!("listening on {}", sim.base_url());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    tracing::info!("stopping");
    sim.shutdown().await;
    Ok(())
}
