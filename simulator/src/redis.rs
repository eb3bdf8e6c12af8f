//! redis-server processes, one per database: started on a free loopback port, configured with
//! `CONFIG SET` and `ACL SETUSER` over a minimal RESP client (a handful of commands, so no client
//! crate), stopped on delete and at shutdown. Every child is started with `kill_on_drop`, and the
//! registry kills and reaps whatever is left when the simulator stops, so none outlives it.
//!
//! The database's passwords are the `default` user's (what a Redis client authenticates with);
//! the simulator itself talks to each process as a `simulator` ACL user with a random secret of
//! that process, so a password change never locks the simulator out. Exports write an RDB with
//! `SAVE` into the requested directory, imports load one with `DEBUG RELOAD NOSAVE` (both
//! commands allowed from loopback only).
//!
//! What it does not do: periodic persistence (`--save ''`, no AOF), TLS, clustering or replicas
//! (a database of several shards is still one process).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// Where the Debian package installs redis-server.
pub const DEFAULT_REDIS_SERVER: &str = "/usr/bin/redis-server";

/// What can go wrong with a redis-server process.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// The process could not be started.
    #[error("cannot start {program}")]
    Spawn {
        /// The executable.
        program: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The process did not answer PING in time.
    #[error("redis-server on port {port} did not answer within {waited:?}")]
    NotReady {
        /// Its port.
        port: u16,
        /// How long we waited.
        waited: Duration,
    },
    /// Talking to the process failed.
    #[error("redis-server on port {port}: i/o error")]
    Io {
        /// Its port.
        port: u16,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The server answered a command with an error.
    #[error("redis-server on port {port} refused {command}: {message}")]
    Command {
        /// Its port.
        port: u16,
        /// The command name.
        command: String,
        /// The server's error line.
        message: String,
    },
}

/// How to configure a redis-server for a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedisConfig {
    /// `maxmemory` in bytes (0 = no limit).
    pub maxmemory: i64,
    /// `maxmemory-policy`.
    pub policy: String,
    /// SHA-256 (hex) of each password of the default user; none: no password.
    pub password_hashes: Vec<String>,
    /// Whether clients may use the default user (false after `stop_traffic`: it is `off`, so
    /// a client's commands and its `AUTH` are refused; the simulator's own user is not).
    pub traffic: bool,
}

/// The simulator's own ACL user in every process.
const MANAGER: &str = "simulator";

struct Running {
    child: Child,
    port: u16,
    /// The `simulator` user's password in this process.
    secret: String,
    /// The default user's password hashes as last applied.
    password_hashes: Vec<String>,
    /// Whether the default user is on, as last applied.
    traffic: bool,
}

/// `ACL SETUSER default` rules for a list of password hashes (all commands and keys), `on`
/// unless traffic is stopped.
fn default_user_rules(hashes: &[String], traffic: bool) -> Vec<String> {
    let on = if traffic { "on" } else { "off" };
    let mut rules: Vec<String> = [on, "resetpass", "~*", "&*", "+@all"]
        .iter()
        .map(|r| r.to_string())
        .collect();
    if hashes.is_empty() {
        rules.push("nopass".into());
    }
    rules.extend(hashes.iter().map(|h| format!("#{h}")));
    rules
}

/// The running redis-server processes, by database uid.
pub(crate) struct Processes {
    program: PathBuf,
    running: Mutex<BTreeMap<i64, Running>>,
    /// Set when the simulator stops: a start that races with it kills its own child.
    closed: std::sync::atomic::AtomicBool,
    /// Ports picked for processes being started.
    reserved: Mutex<std::collections::BTreeSet<u16>>,
}

impl Processes {
    /// A registry that starts `program`.
    pub fn new(program: PathBuf) -> Self {
        Self {
            program,
            running: Mutex::new(BTreeMap::new()),
            reserved: Mutex::new(std::collections::BTreeSet::new()),
            closed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Process ids of the children currently running.
    pub fn pids(&self) -> Vec<u32> {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.values().filter_map(|r| r.child.id()).collect()
    }

    /// Starts a redis-server for database `uid` on `port` (0 = a free port) and waits until it
    /// answers PING. Returns the port.
    ///
    /// A free port is only free until someone binds it: two databases created at once could be
    /// handed the same one, or another program could take it first. So ports being started are
    /// reserved (no two starts here pick the same one), and a process on a picked port that
    /// exits at once is retried on another port, a few times.
    pub async fn start(
        &self,
        uid: i64,
        port: u16,
        config: &RedisConfig,
    ) -> Result<u16, RedisError> {
        if port != 0 {
            return self.start_on(uid, port, config).await;
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = self.reserve_free_port()?;
            let result = self.start_on(uid, port, config).await;
            self.release(port);
            match result {
                Err(RedisError::NotReady { .. }) if attempt < 5 && !self.is_closed() => {
                    tracing::debug!(
                        port,
                        attempt,
                        "redis-server could not use the port; retrying"
                    );
                }
                other => return other,
            }
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A free port that no other start here is about to use, reserved until [`Self::release`].
    fn reserve_free_port(&self) -> Result<u16, RedisError> {
        for _ in 0..64 {
            let port = free_port()?;
            let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
            let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            if !reserved.contains(&port) && running.values().all(|r| r.port != port) {
                reserved.insert(port);
                return Ok(port);
            }
        }
        Err(RedisError::Io {
            port: 0,
            source: std::io::ErrorKind::AddrInUse.into(),
        })
    }

    fn release(&self, port: u16) {
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        reserved.remove(&port);
    }

    async fn start_on(&self, uid: i64, port: u16, config: &RedisConfig) -> Result<u16, RedisError> {
        let secret = crate::password::hex(&crate::password::random_bytes::<16>());
        let mut cmd = Command::new(&self.program);
        // `-`: the ACL users (passwords, the simulator's secret) come as configuration on
        // stdin, so they never show in the process's command line (`ps`, /proc/PID/cmdline).
        cmd.arg("-")
            .arg("--port")
            .arg(port.to_string())
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                // CONFIG SET dir (exports, imports) and DEBUG RELOAD (imports), from loopback.
                "--enable-protected-configs",
                "local",
                "--enable-debug-command",
                "local",
            ])
            .args(["--maxmemory", &config.maxmemory.to_string()])
            .args(["--maxmemory-policy", &config.policy])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        die_with_parent(&mut cmd);
        let mut child = cmd.spawn().map_err(|source| RedisError::Spawn {
            program: self.program.clone(),
            source,
        })?;
        let users = format!(
            "user default {}\nuser {MANAGER} on >{secret} ~* &* +@all\n",
            default_user_rules(&config.password_hashes, config.traffic).join(" ")
        );
        if let Some(mut stdin) = child.stdin.take() {
            // Dropping stdin closes it: redis-server reads its configuration up to the end.
            if let Err(e) = stdin.write_all(users.as_bytes()).await {
                tracing::debug!(port, error = %e, "redis-server closed its stdin");
            }
        }
        let entry = Running {
            child,
            port,
            secret: secret.clone(),
            password_hashes: config.password_hashes.clone(),
            traffic: config.traffic,
        };
        let refused = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            if self.closed.load(std::sync::atomic::Ordering::SeqCst) {
                Some(entry)
            } else {
                running.insert(uid, entry)
            }
        };
        let closed = self.closed.load(std::sync::atomic::Ordering::SeqCst);
        if let Some(entry) = refused {
            reap(entry).await;
            if closed {
                return Err(RedisError::NotReady {
                    port,
                    waited: Duration::ZERO,
                });
            }
        }
        let waited = Duration::from_secs(10);
        let started = tokio::time::Instant::now();
        loop {
            // A process that exited (port taken, bad configuration) fails at once; a PING is
            // bounded, because something else may listen on the port and never answer.
            if !self.is_alive(uid) {
                self.stop(uid).await;
                return Err(RedisError::NotReady {
                    port,
                    waited: started.elapsed(),
                });
            }
            let ping = command(port, Some((MANAGER, &secret)), &["PING"]);
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(250), ping).await {
                return Ok(port);
            }
            if started.elapsed() >= waited {
                self.stop(uid).await;
                return Err(RedisError::NotReady { port, waited });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn is_alive(&self, uid: i64) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        match running.get_mut(&uid) {
            Some(r) => matches!(r.child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Runs one command in a database's process as the simulator's own user; `Ok(None)` when
    /// the database has no process.
    pub async fn run(&self, uid: i64, args: &[&str]) -> Result<Option<String>, RedisError> {
        let Some((port, secret)) = ({
            let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running.get(&uid).map(|r| (r.port, r.secret.clone()))
        }) else {
            return Ok(None);
        };
        command(port, Some((MANAGER, &secret)), args)
            .await
            .map(Some)
    }

    /// Applies a configuration to a running process with `CONFIG SET` and, when the passwords
    /// or the traffic changed, `ACL SETUSER default`; stopping the traffic also closes the
    /// clients' connections (`CLIENT KILL USER default`).
    pub async fn configure(&self, uid: i64, config: &RedisConfig) -> Result<(), RedisError> {
        let Some((old_hashes, old_traffic)) = ({
            let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running
                .get(&uid)
                .map(|r| (r.password_hashes.clone(), r.traffic))
        }) else {
            return Ok(());
        };
        let maxmemory = config.maxmemory.to_string();
        self.run(uid, &["CONFIG", "SET", "maxmemory", &maxmemory])
            .await?;
        self.run(uid, &["CONFIG", "SET", "maxmemory-policy", &config.policy])
            .await?;
        if config.password_hashes != old_hashes || config.traffic != old_traffic {
            let rules = default_user_rules(&config.password_hashes, config.traffic);
            let mut args = vec!["ACL", "SETUSER", "default"];
            args.extend(rules.iter().map(String::as_str));
            self.run(uid, &args).await?;
            if !config.traffic {
                self.run(uid, &["CLIENT", "KILL", "USER", "default"])
                    .await?;
            }
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(r) = running.get_mut(&uid) {
                r.password_hashes = config.password_hashes.clone();
                r.traffic = config.traffic;
            }
        }
        Ok(())
    }

    /// Writes the database's data as an RDB file `dir/file` (`SAVE`, so the file is complete
    /// when this returns). `Ok(false)` when the database has no process.
    pub async fn export(&self, uid: i64, dir: &str, file: &str) -> Result<bool, RedisError> {
        if self
            .run(uid, &["CONFIG", "SET", "dir", dir])
            .await?
            .is_none()
        {
            return Ok(false);
        }
        self.run(uid, &["CONFIG", "SET", "dbfilename", file])
            .await?;
        self.run(uid, &["SAVE"]).await?;
        Ok(true)
    }

    /// Replaces the database's data with the RDB file `dir/file` (`DEBUG RELOAD NOSAVE`).
    /// `Ok(false)` when the database has no process.
    pub async fn import(&self, uid: i64, dir: &str, file: &str) -> Result<bool, RedisError> {
        if self
            .run(uid, &["CONFIG", "SET", "dir", dir])
            .await?
            .is_none()
        {
            return Ok(false);
        }
        self.run(uid, &["CONFIG", "SET", "dbfilename", file])
            .await?;
        self.run(uid, &["DEBUG", "RELOAD", "NOSAVE"]).await?;
        Ok(true)
    }

    /// `INFO` of a database's process as key/value pairs, if it runs.
    pub async fn info(&self, uid: i64) -> Option<BTreeMap<String, String>> {
        let text = self.run(uid, &["INFO"]).await.ok()??;
        Some(
            text.lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.to_string(), v.trim().to_string()))
                .collect(),
        )
    }

    /// Stops a database's process (kill and reap); nothing if it does not run.
    pub async fn stop(&self, uid: i64) {
        let entry = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running.remove(&uid)
        };
        if let Some(entry) = entry {
            reap(entry).await;
        }
    }

    /// Stops every process.
    pub async fn stop_all(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        let all: Vec<Running> = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *running).into_values().collect()
        };
        for entry in all {
            reap(entry).await;
        }
    }

    /// Kills every process without waiting (for `Drop`, where nothing can be awaited); the
    /// blocking wait reaps them so none is left as a zombie.
    pub fn kill_all_blocking(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        let all: Vec<Running> = {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *running).into_values().collect()
        };
        for mut entry in all {
            if entry.child.start_kill().is_ok() {
                let deadline = std::time::Instant::now() + Duration::from_secs(2);
                while std::time::Instant::now() < deadline {
                    match entry.child.try_wait() {
                        Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                        _ => break,
                    }
                }
            }
        }
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        self.kill_all_blocking();
    }
}

async fn reap(mut entry: Running) {
    // kill() sends SIGKILL and waits, so the child is reaped and its port is closed.
    if let Err(e) = entry.child.kill().await {
        tracing::debug!(port = entry.port, error = %e, "redis-server already gone");
    }
}

/// Makes the child receive SIGKILL when the thread that started it goes away, so even a
/// simulator killed with SIGKILL (where no `Drop` runs) leaves no redis-server behind. Children
/// are started from the runtime's worker threads, which live as long as the runtime.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    // SAFETY: the closure runs in the forked child before exec and only calls prctl, which is
    // async-signal-safe; it allocates nothing and touches no lock.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_cmd: &mut Command) {}

/// A free loopback port, as the OS picks it.
fn free_port() -> Result<u16, RedisError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|source| RedisError::Io { port: 0, source })?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|source| RedisError::Io { port: 0, source })
}

/// Sends one command (after `AUTH user password` when given) and returns the reply as text:
/// a simple string, an integer, or a bulk string (arrays are joined by newlines).
async fn command(
    port: u16,
    auth: Option<(&str, &str)>,
    args: &[&str],
) -> Result<String, RedisError> {
    let io = |source| RedisError::Io { port, source };
    let stream = tokio::time::timeout(
        Duration::from_secs(2),
        TcpStream::connect(("127.0.0.1", port)),
    )
    .await
    .map_err(|_| io(std::io::ErrorKind::TimedOut.into()))?
    .map_err(io)?;
    let mut stream = BufReader::new(stream);
    if let Some((user, password)) = auth {
        write_command(&mut stream, &["AUTH", user, password])
            .await
            .map_err(io)?;
        read_reply(&mut stream, port, "AUTH").await?;
    }
    write_command(&mut stream, args).await.map_err(io)?;
    let name = args.first().copied().unwrap_or_default();
    tokio::time::timeout(Duration::from_secs(5), read_reply(&mut stream, port, name))
        .await
        .map_err(|_| io(std::io::ErrorKind::TimedOut.into()))?
}

async fn write_command(stream: &mut BufReader<TcpStream>, args: &[&str]) -> std::io::Result<()> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    stream.get_mut().write_all(&out).await
}

fn read_reply<'a>(
    stream: &'a mut BufReader<TcpStream>,
    port: u16,
    name: &'a str,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, RedisError>> + Send + 'a>> {
    Box::pin(async move {
        let io = |source| RedisError::Io { port, source };
        let mut line = String::new();
        stream.read_line(&mut line).await.map_err(io)?;
        let line = line.trim_end_matches(['\r', '\n']);
        // The type byte is ASCII in every reply; anything else is not RESP.
        let (kind, rest) = line.split_at_checked(1).unwrap_or(("", line));
        match kind {
            "+" | ":" => Ok(rest.to_string()),
            "-" => Err(RedisError::Command {
                port,
                command: name.to_string(),
                message: rest.to_string(),
            }),
            "$" => {
                let len: i64 = rest.parse().unwrap_or(-1);
                if len < 0 {
                    return Ok(String::new());
                }
                let mut buf = vec![0u8; len as usize + 2];
                stream.read_exact(&mut buf).await.map_err(io)?;
                buf.truncate(len as usize);
                Ok(String::from_utf8_lossy(&buf).into_owned())
            }
            "*" => {
                let n: i64 = rest.parse().unwrap_or(0);
                let mut parts = Vec::new();
                for _ in 0..n.max(0) {
                    parts.push(read_reply(stream, port, name).await?);
                }
                Ok(parts.join("\n"))
            }
            _ => Err(io(std::io::ErrorKind::InvalidData.into())),
        }
    })
}
