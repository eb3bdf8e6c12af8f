//! Set-up shared by the integration tests: the test user, a client that trusts a loopback test
//! server, retries fast enough for tests, the bodies several tests answer with, and a tracing
//! writer that keeps what is logged.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use redis_enterprise_api::{Client, ClientBuilder, Credentials, RetryPolicy};
use serde_json::{json, Value};

use crate::server::{Recorded, Reply, TestServer};

/// The user the tests authenticate as.
pub const USER: &str = "admin@example.com";
/// Its password: the secret-leak tests look for it in every output.
pub const PASSWORD: &str = "s3cr3t-Passw0rd";

/// A client builder for `server` with Basic credentials that trusts the server's CA.
pub fn trusted(server: &TestServer) -> ClientBuilder {
    Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .add_ca_certificate_pem(server.ca_pem.clone())
}

/// A client of `server` with JWT credentials, no retries and no timeouts.
pub fn jwt_client(server: &TestServer) -> Client {
    Client::builder(&server.url)
        .credentials(Credentials::jwt(USER, PASSWORD, None))
        .add_ca_certificate_pem(server.ca_pem.clone())
        .retry_policy(RetryPolicy::disabled())
        .no_timeouts()
        .build()
        .expect("client builds")
}

/// The default retry policy with millisecond backoffs.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

/// A `GET /v1/roles` answer with one role.
pub fn roles() -> Value {
    json!([{"uid": 1, "name": "admin", "management": "admin"}])
}

/// A database as the cluster lists it.
pub fn bdb(uid: i64, name: &str, status: &str) -> Value {
    json!({"uid": uid, "name": name, "status": status})
}

/// An unsigned JWT numbered `n`, issued at `iat` and expiring at `exp` (seconds).
pub fn fake_jwt(n: usize, iat: i64, exp: i64) -> String {
    let enc = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.sig{n}",
        enc(json!({"alg": "HS256"})),
        enc(json!({"iat": iat, "exp": exp, "n": n}))
    )
}

/// The paths of the requests `server` received, in order.
pub fn paths(server: &TestServer) -> Vec<String> {
    server.requests().iter().map(|r| r.path.clone()).collect()
}

/// A handler answering the n-th request with `replies[n]` (the last one repeats), and the number
/// of requests it answered.
pub fn sequence(
    replies: Vec<Reply>,
) -> (
    Arc<AtomicUsize>,
    impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
) {
    assert!(!replies.is_empty(), "at least one reply");
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let handler = move |_: &Recorded| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        replies[n.min(replies.len() - 1)].clone()
    };
    (count, handler)
}

/// A JWT server: `/v1/users/authorize` issues token n; `accept(n)` says whether other requests
/// carrying token n are answered (200 with roles) or refused (401).
pub fn jwt_server(
    accept: impl Fn(usize) -> bool + Send + Sync + 'static,
) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    let issued = Arc::new(Mutex::new(Vec::<String>::new()));
    move |req: &Recorded| {
        let mut tokens = issued.lock().expect("lock");
        if req.path == "/v1/users/authorize" {
            let token = fake_jwt(tokens.len(), 1000, 1300);
            tokens.push(token.clone());
            return Reply::json(200, json!({"access_token": token}));
        }
        let sent = req.header("authorization").unwrap_or_default();
        match tokens.iter().position(|t| sent == format!("JWT {t}")) {
            Some(n) if accept(n) => Reply::json(200, roles()),
            _ => Reply::json(
                401,
                json!({"error_code": "token_revoked", "description": "the token was revoked"}),
            ),
        }
    }
}

/// Keeps a [`Captured::install`] subscriber in place until dropped.
pub struct CaptureGuard {
    _default: tracing::subscriber::DefaultGuard,
    _companion: tracing::Dispatch,
}

/// A tracing writer that keeps everything written to it.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Installs, for the current thread, a subscriber that writes events up to `level` into a
    /// new `Captured`; it stays in place while the guard lives.
    ///
    /// Other tests of the same binary run on other threads with no subscriber. While only one
    /// subscriber is registered, tracing-core computes a callsite's interest from the default
    /// subscriber of whichever thread hits it first, so a callsite first reached on another
    /// thread is cached as "never" and this thread never sees it (CI once lost the request span
    /// that way). The guard keeps a second, silent subscriber registered, which makes tracing
    /// ask every registered subscriber and decide per call.
    pub fn install(level: tracing::Level) -> (Self, CaptureGuard) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let companion = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let default = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        let guard = CaptureGuard {
            _default: default,
            _companion: companion,
        };
        (captured, guard)
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8 logs")
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
