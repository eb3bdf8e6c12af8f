#![recursion_limit = "256"] // serde_json::json! of the objects a cluster returns (model/bdbs.rs)
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// Where things live (see also the README's "Where things live"):
// - `model/`: the rules per resource over the store; no request, reply or server types.
// - `api/`: the request, reply and error types handlers and the server share, and the one
//   mapping from model errors to `ErrorBody`s.
// - `handlers/`: per resource, request → typed input → model → reply, and its `register()`.
// - `http/`: the listener, routing, authentication, permissions and the request pipeline.
// - the rest is infrastructure the model uses: `state` (the store and its file), `redis`
//   (the processes), `clock`, `password`, `release`, `schema` (the spec), `tls`.
mod api;
mod clock;
mod handlers;
mod http;
mod model;
mod password;
mod redis;
mod release;
mod schema;
mod state;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use http::{route, route_in};
pub use model::not_modelled::NOT_MODELLED;
pub use redis::RedisError;
pub use release::{Release, DEFAULT_RELEASE, RELEASES};

/// The password of the admin user when none is given.
pub const DEFAULT_PASSWORD: &str = "simulator-password";
/// The admin user's email when none is given.
pub const DEFAULT_USERNAME: &str = "admin@example.com";

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// redis-server is not installed (and `no_redis` was not set).
    #[error("redis-server not found at {path}: install the Debian package `redis-server`, or run with --no-redis")]
    RedisServerMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The TLS certificate could not be generated or loaded.
    #[error("tls set-up failed: {reason}")]
    Tls {
        /// What failed.
        reason: String,
    },
    /// The state file could not be read or written.
    #[error("state file {path}")]
    StateFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The state file is not valid JSON of the simulator's state.
    #[error("state file {path} is not a simulator state")]
    StateDecode {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// [`SimulatorBuilder::fuzz_admin`] was asked for on an address other than loopback.
    #[error("--fuzz-admin keeps credentials valid that no password change revokes: it is refused on {addr}, which is not a loopback address")]
    FuzzAdminNotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// [`SimulatorBuilder::release`] named a release the simulator does not impersonate.
    #[error("unknown release {release:?}: the simulator impersonates 7.4, 7.8, 7.22, 8.0 and 8.2")]
    UnknownRelease {
        /// The release asked for.
        release: String,
    },
    /// A database's redis-server could not be restarted from the state file.
    #[error("cannot restart the redis-server of database {uid}")]
    Restart {
        /// The database.
        uid: i64,
        /// The cause.
        #[source]
        source: RedisError,
    },
}

/// Settings of a simulator, as the builder or the command line set them.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub listen: SocketAddr,
    pub username: String,
    pub password: String,
    pub nodes: usize,
    pub unbootstrapped: bool,
    pub http: bool,
    pub no_redis: bool,
    pub state_file: Option<PathBuf>,
    pub action_delay: Duration,
    pub manual_clock: bool,
    pub redis_server: PathBuf,
    pub body_limit: usize,
    pub fuzz_admin: bool,
    pub release: String,
}

/// What every handler shares: the store, the processes and the settings.
pub(crate) struct Shared {
    pub config: Config,
    pub store: Mutex<state::Store>,
    pub persistence: state::Persistence,
    pub processes: redis::Processes,
    /// The clock actions run on.
    pub clock: clock::Clock,
    /// Set when the simulator stops: background action tasks that outlive it must not write
    /// the state file any more (a new simulator may already own it).
    pub stopped: std::sync::atomic::AtomicBool,
    /// The serialised database list and the store generation it was made from.
    pub list_cache: Mutex<Option<(u64, bytes::Bytes)>>,
}

impl Shared {
    /// Runs `f` on the store under its lock.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut state::Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut store)
    }

    /// Saves the store when a state file is configured; a failure is logged (the request that
    /// changed the state has succeeded in memory).
    pub fn persist(&self) {
        if self.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        if let Err(e) = self.persistence.save(&self.store) {
            tracing::error!(error = %e, "cannot write the state file");
        }
    }
}

/// Configures and starts a [`Simulator`].
#[derive(Debug, Clone)]
pub struct SimulatorBuilder {
    config: Config,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            config: Config {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                username: DEFAULT_USERNAME.into(),
                password: DEFAULT_PASSWORD.into(),
                nodes: 3,
                unbootstrapped: false,
                http: false,
                no_redis: false,
                state_file: None,
                action_delay: Duration::from_millis(300),
                manual_clock: false,
                redis_server: PathBuf::from(redis::DEFAULT_REDIS_SERVER),
                body_limit: 1024 * 1024,
                fuzz_admin: false,
                release: DEFAULT_RELEASE.into(),
            },
        }
    }
}

impl SimulatorBuilder {
    /// Address to listen on (default `127.0.0.1:0`, a free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }

    /// Email of the admin user (default [`DEFAULT_USERNAME`]).
    pub fn username(mut self, username: &str) -> Self {
        self.config.username = username.into();
        self
    }

    /// Password of the admin user (default [`DEFAULT_PASSWORD`]).
    pub fn password(mut self, password: &str) -> Self {
        self.config.password = password.into();
        self
    }

    /// Number of simulated nodes (default 3).
    pub fn nodes(mut self, nodes: usize) -> Self {
        self.config.nodes = nodes.max(1);
        self
    }

    /// Start as a node that is not yet in a cluster: cluster APIs answer 503 until
    /// `POST /v1/bootstrap/create_cluster`.
    pub fn unbootstrapped(mut self, unbootstrapped: bool) -> Self {
        self.config.unbootstrapped = unbootstrapped;
        self
    }

    /// Serve plain HTTP instead of HTTPS.
    pub fn http(mut self, http: bool) -> Self {
        self.config.http = http;
        self
    }

    /// Run without redis-server processes (endpoints then report no port).
    pub fn no_redis(mut self, no_redis: bool) -> Self {
        self.config.no_redis = no_redis;
        self
    }

    /// Persist the state to this JSON file, and reload it at start when it exists.
    pub fn state_file(mut self, path: PathBuf) -> Self {
        self.config.state_file = Some(path);
        self
    }

    /// How long actions take (default 300 ms).
    pub fn action_delay(mut self, delay: Duration) -> Self {
        self.config.action_delay = delay;
        self
    }

    /// Run actions on a manual clock that moves only with [`Simulator::advance`]: an action
    /// stays `running` (its database busy) until the clock has moved past its delay, so a test
    /// never sleeps for one and never races it. Default: the wall clock.
    pub fn manual_clock(mut self, manual: bool) -> Self {
        self.config.manual_clock = manual;
        self
    }

    /// The redis-server executable (default `/usr/bin/redis-server`).
    pub fn redis_server(mut self, path: PathBuf) -> Self {
        self.config.redis_server = path;
        self
    }

    /// Largest request body accepted, in bytes (default 1 MiB); larger ones get 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// For fuzzers only (default off): the start-up credentials keep signing in as the admin
    /// (uid 1) after that user's password changed, after it was deleted and while it is
    /// locked, so a fuzzer that changes passwords at random cannot lock itself out. That is a
    /// credential nothing revokes, so [`SimulatorBuilder::start`] refuses it unless the
    /// simulator listens on a loopback address. Without it, the start-up credentials only
    /// create the admin user, as a cluster's bootstrap credentials do.
    pub fn fuzz_admin(mut self, fuzz_admin: bool) -> Self {
        self.config.fuzz_admin = fuzz_admin;
        self
    }

    /// The Redis Software release to impersonate (`"7.4"`, `"7.8"`, `"7.22"`, `"8.0"` or
    /// `"8.2"`, the default; see [`RELEASES`]): the simulator serves exactly the routes that
    /// release serves (404 for the others, as its clusters answered) and its nodes report its
    /// `software_version`. [`SimulatorBuilder::start`] refuses another value.
    pub fn release(mut self, release: &str) -> Self {
        self.config.release = release.into();
        self
    }

    /// Starts the simulator on the current tokio runtime.
    pub async fn start(self) -> Result<Simulator, SimError> {
        let config = self.config;
        let Some(release) = release::find(&config.release) else {
            return Err(SimError::UnknownRelease {
                release: config.release.clone(),
            });
        };
        if config.fuzz_admin && !config.listen.ip().is_loopback() {
            return Err(SimError::FuzzAdminNotLoopback {
                addr: config.listen,
            });
        }
        if !config.no_redis && !config.redis_server.is_file() {
            return Err(SimError::RedisServerMissing {
                path: config.redis_server.clone(),
            });
        }
        let mut store = match &config.state_file {
            Some(path) if path.exists() => state::Store::load(path)?,
            _ => state::Store::new(
                &config.username,
                &config.password,
                config.nodes,
                config.unbootstrapped,
            ),
        };
        // A cluster restarted on another release runs that release's software.
        store.set_software_version(release.software_version);
        let shared = Arc::new(Shared {
            persistence: state::Persistence::new(config.state_file.clone()),
            processes: redis::Processes::new(config.redis_server.clone()),
            store: Mutex::new(store),
            stopped: std::sync::atomic::AtomicBool::new(false),
            clock: clock::Clock::new(config.manual_clock),
            list_cache: Mutex::new(None),
            config,
        });
        model::bdbs::restore(&shared).await?;
        shared.persist();
        let tls = tls::Tls::generate()?;
        let server = http::serve(shared.clone(), &tls).await?;
        let scheme = if shared.config.http { "http" } else { "https" };
        Ok(Simulator {
            base_url: format!("{scheme}://{}", server.addr),
            ca_pem: tls.ca_pem.clone(),
            shared,
            server: Some(server),
        })
    }
}

/// A running simulator. Dropping it (or [`Simulator::shutdown`]) stops the server and every
/// redis-server it started.
pub struct Simulator {
    base_url: String,
    ca_pem: String,
    shared: Arc<Shared>,
    server: Option<http::Server>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// A builder with the defaults.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// `https://127.0.0.1:PORT` (or `http://…` with [`SimulatorBuilder::http`]).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// PEM of the CA that signed the server certificate (also present, unused, over HTTP).
    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    /// Email of the admin user.
    pub fn username(&self) -> &str {
        &self.shared.config.username
    }

    /// The password the admin user was created with (it stops working once that user's
    /// password changes, unless [`SimulatorBuilder::fuzz_admin`] is on).
    pub fn password(&self) -> &str {
        &self.shared.config.password
    }

    /// The release it impersonates (`"8.2"`).
    pub fn release(&self) -> &str {
        &self.shared.config.release
    }

    /// Process ids of the redis-server children currently running.
    pub fn redis_server_pids(&self) -> Vec<u32> {
        self.shared.processes.pids()
    }

    /// Moves the manual clock forward (see [`SimulatorBuilder::manual_clock`]); nothing on the
    /// wall clock.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Stops the server, waits for in-flight work to stop and stops every redis-server.
    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        self.shared.persist();
        self.shared
            .stopped
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.shared.processes.stop_all().await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
        self.shared
            .stopped
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.shared.processes.kill_all_blocking();
    }
}

#[cfg(test)]
mod layering {
    //! The model never depends on the HTTP side: no file under `src/model/` names the request,
    //! reply or error types, the handlers, the server, or hyper.

    use std::path::Path;

    /// Identifiers only the HTTP side has.
    const HTTP_TYPES: &[&str] = &[
        "Req",
        "Reply",
        "ReplyBody",
        "ApiError",
        "Handler",
        "async_handler",
        "StatusCode",
        "HeaderMap",
        "hyper",
        "http_body_util",
    ];

    /// Modules of the HTTP side, which a `use` or a `crate::` path must not name.
    const HTTP_MODULES: &[&str] = &["api", "handlers", "http"];

    /// The identifiers of a line, in order.
    fn words(line: &str) -> Vec<&str> {
        line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect()
    }

    /// What in `text` breaks the rule, as `line: text`.
    fn violations(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let words = words(line);
            let names_type = words.iter().any(|w| HTTP_TYPES.contains(w));
            let trimmed = line.trim_start();
            let is_path = trimmed.starts_with("use ")
                || trimmed.starts_with("pub(crate) use ")
                || line.contains("crate::")
                || line.contains("super::");
            let names_module = is_path
                && words.windows(2).any(|w| {
                    matches!(w[0], "crate" | "super" | "use") && HTTP_MODULES.contains(&w[1])
                })
                || trimmed.starts_with("use ") && words.iter().any(|w| HTTP_MODULES.contains(w));
            if names_type || names_module {
                found.push(format!("{}: {}", n + 1, line.trim()));
            }
        }
        found
    }

    #[test]
    fn the_rule_catches_what_it_forbids() {
        assert!(!violations("use crate::api::ApiError;").is_empty());
        assert!(!violations("use crate::{http, state};").is_empty());
        assert!(!violations("fn f(req: &Req) {}").is_empty());
        assert!(!violations("    super::handlers::bdbs::register();").is_empty());
        assert!(violations("use crate::state::Store; // requests, replies").is_empty());
        assert!(violations("use redis_enterprise_api::types;").is_empty());
    }

    #[test]
    fn no_model_file_names_the_http_side() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join("model");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).expect("src/model is readable") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a model file is readable");
            let found = violations(&text);
            assert!(
                found.is_empty(),
                "{} names the HTTP side:\n{}",
                path.display(),
                found.join("\n")
            );
            files += 1;
        }
        assert!(
            files >= 10,
            "only {files} model files found in {}",
            dir.display()
        );
    }
}
