//! Authentication: HTTP Basic on every request, or a JWT obtained from
//! `POST /v1/users/authorize` and renewed with `POST /v1/users/refresh_jwt` before it expires.
//!
//! Secrets are kept in header values marked sensitive and in a wrapper whose `Debug` is
//! redacted; they never reach `Debug`, `Display`, errors or tracing. The JWT calls bypass the
//! client hooks on purpose (they would otherwise need a token to get a token).
//!
//! Token requests are single-flight and no lock is held across network I/O (see
//! [`JwtSession`]); a 401 to a request that carried a token makes the hooks forget that token
//! ([`JwtSession::invalidate`]) and authorise once more.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use reqwest::header::HeaderValue;
use tokio::time::Instant;

use crate::error::Error;

/// A secret string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

/// Who the client authenticates as, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    password: Secret,
    jwt: Option<Option<Duration>>,
}

/// Lifetime the server gives a token when no `ttl` is requested (the reference's default).
const DEFAULT_JWT_TTL: Duration = Duration::from_secs(300);

impl Credentials {
    /// HTTP Basic authentication with a Redis Software user's email (or name) and password.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: Secret(password.into()),
            jwt: None,
        }
    }

    /// JWT authentication: the client obtains a token with these credentials on first use and
    /// renews it before it expires. `ttl` is the token lifetime to ask for (server default when
    /// `None`).
    pub fn jwt(
        username: impl Into<String>,
        password: impl Into<String>,
        ttl: Option<Duration>,
    ) -> Self {
        Self {
            username: username.into(),
            password: Secret(password.into()),
            jwt: Some(ttl),
        }
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    pub(crate) fn basic_header(&self) -> HeaderValue {
        let raw = format!("{}:{}", self.username, self.password.0);
        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
        let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
            .expect("base64 is a valid header value");
        value.set_sensitive(true);
        value
    }
}

/// The authentication state a client carries.
#[derive(Clone, Debug)]
pub(crate) enum Auth {
    /// Nothing is added (the caller sets its own header, or talks to an open test server).
    None,
    /// `Authorization: Basic …` on every request.
    Basic(HeaderValue),
    /// `Authorization: JWT …`, managed.
    Jwt(Arc<JwtSession>),
}

impl Auth {
    pub(crate) fn from_credentials(credentials: Option<&Credentials>) -> Self {
        match credentials {
            None => Auth::None,
            Some(c) => match c.jwt {
                None => Auth::Basic(c.basic_header()),
                Some(ttl) => Auth::Jwt(Arc::new(JwtSession::new(c.clone(), ttl))),
            },
        }
    }
}

#[derive(Clone)]
struct Token {
    header: HeaderValue,
    raw: Secret,
    obtained: Instant,
    lifetime: Duration,
}

impl Token {
    /// Renew once four fifths of the lifetime have passed (integer arithmetic: cannot overflow).
    fn renew_after(&self) -> Duration {
        self.lifetime / 5 * 4
    }
}

/// A token request in flight, shared by every caller that needs a token meanwhile
/// (single flight). Its error is shared too, hence the `Arc`: every waiter gets it as
/// [`Error::Auth`].
type Pending = Shared<BoxFuture<'static, Result<Token, Arc<Error>>>>;

#[derive(Default)]
struct SessionState {
    token: Option<Token>,
    /// The request in flight and its generation (to install its result only once).
    pending: Option<(u64, Pending)>,
    generation: u64,
}

/// A JWT and the means to renew it.
///
/// The state sits behind a `std::sync::Mutex` that is only held to read or swap it, never
/// across network I/O: the first caller that finds no usable token starts one token request
/// (a shared future) and every concurrent caller awaits that same request.
pub(crate) struct JwtSession {
    credentials: Credentials,
    ttl: Option<Duration>,
    state: Mutex<SessionState>,
}

impl std::fmt::Debug for JwtSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtSession")
            .field("username", &self.credentials.username)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct TokenReply {
    access_token: String,
}

#[derive(serde::Deserialize)]
struct Claims {
    #[serde(default, deserialize_with = "crate::lenient::opt_i64")]
    exp: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::opt_i64")]
    iat: Option<i64>,
}

/// The token's lifetime from its `exp` and `iat` claims, when readable. Any claim values are
/// accepted without overflow or panic: a negative, zero or overflowing difference means
/// "unknown".
fn lifetime_from_claims(token: &str) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    let secs = claims.exp?.checked_sub(claims.iat?)?;
    u64::try_from(secs)
        .ok()
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
}

/// What one token request needs, owned (the shared future outlives the caller's borrow).
struct TokenRequest {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
    ttl: Option<Duration>,
}

impl JwtSession {
    pub(crate) fn new(credentials: Credentials, ttl: Option<Duration>) -> Self {
        Self {
            credentials,
            ttl,
            state: Mutex::new(SessionState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SessionState> {
        // The lock is never held across an await or a call that can panic, so poisoning would
        // only follow a panic elsewhere in the same critical section; the state stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `Authorization` value for the next request, obtaining or renewing the token first
    /// when needed.
    pub(crate) async fn header(
        &self,
        http: &reqwest::Client,
        base_url: &str,
    ) -> Result<HeaderValue, Error> {
        let (generation, pending) = {
            let mut state = self.lock();
            let mut refresh_with = None;
            if let Some(token) = state.token.as_ref() {
                let age = token.obtained.elapsed();
                if age < token.renew_after() {
                    return Ok(token.header.clone());
                }
                if age < token.lifetime {
                    refresh_with = Some(token.clone());
                }
            }
            match &state.pending {
                Some((generation, pending)) => (*generation, pending.clone()),
                None => {
                    state.generation = state.generation.wrapping_add(1);
                    let request = TokenRequest {
                        http: http.clone(),
                        base_url: base_url.to_string(),
                        credentials: self.credentials.clone(),
                        ttl: self.ttl,
                    };
                    let future: BoxFuture<'static, Result<Token, Arc<Error>>> = Box::pin(
                        async move { request.obtain(refresh_with).await.map_err(Arc::new) },
                    );
                    let pending = future.shared();
                    state.pending = Some((state.generation, pending.clone()));
                    (state.generation, pending)
                }
            }
        };
        let result = pending.await;
        let mut state = self.lock();
        if state
            .pending
            .as_ref()
            .is_some_and(|(g, _)| *g == generation)
        {
            state.pending = None;
            if let Ok(token) = &result {
                state.token = Some(token.clone());
            }
        }
        drop(state);
        result.map(|token| token.header).map_err(Error::Auth)
    }

    /// Forgets the token that was sent as `sent` (the server answered 401 to it: revoked, or
    /// expired earlier than its claims said), so that the next request obtains a new one.
    pub(crate) fn invalidate(&self, sent: &HeaderValue) {
        let mut state = self.lock();
        if state.token.as_ref().is_some_and(|t| t.header == *sent) {
            state.token = None;
        }
    }

    /// The current token, if one has been obtained (for tests and for callers that pass it on).
    pub(crate) async fn current_token(&self) -> Option<String> {
        self.lock().token.as_ref().map(|t| t.raw.0.clone())
    }
}

impl TokenRequest {
    /// Refreshes `current` when given (falling back to authorising when the refresh fails),
    /// or authorises.
    async fn obtain(self, current: Option<Token>) -> Result<Token, Error> {
        if let Some(token) = current {
            match self.request("/v1/users/refresh_jwt", Some(&token)).await {
                Ok(fresh) => return Ok(fresh),
                Err(e) => tracing::debug!(error = %e, "JWT refresh failed; authorizing again"),
            }
        }
        self.request("/v1/users/authorize", None).await
    }

    async fn request(&self, path: &str, current: Option<&Token>) -> Result<Token, Error> {
        let (http, base_url) = (&self.http, &self.base_url);
        let mut body = serde_json::Map::new();
        if let Some(ttl) = self.ttl {
            body.insert("ttl".into(), ttl.as_secs().into());
        }
        let authorization = match current {
            Some(token) => token.header.clone(),
            None => {
                // 8.2 reads the credentials from Basic auth; older releases from the body. Send both.
                body.insert("username".into(), self.credentials.username.clone().into());
                body.insert(
                    "password".into(),
                    self.credentials.password.0.clone().into(),
                );
                self.credentials.basic_header()
            }
        };
        let response = http
            .post(format!("{base_url}{path}"))
            .header(reqwest::header::AUTHORIZATION, authorization)
            .json(&body)
            .send()
            .await
            .map_err(Error::Transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(Error::Transport)?;
        if !status.is_success() {
            return Err(crate::decode::api_error_plain(status, headers, bytes));
        }
        let reply: TokenReply = crate::decode::decode_body(&bytes).map_err(|(path, source)| {
            // The body holds the token: do not keep it in the error.
            Error::Decode(Box::new(crate::error::DecodeError {
                status,
                path,
                body: bytes::Bytes::new(),
                source,
            }))
        })?;
        let lifetime = lifetime_from_claims(&reply.access_token)
            .or(self.ttl)
            .unwrap_or(DEFAULT_JWT_TTL);
        let mut header =
            HeaderValue::from_str(&format!("JWT {}", reply.access_token)).map_err(|_| {
                Error::InvalidRequest(
                    "the server sent a token that is not a valid header value".into(),
                )
            })?;
        header.set_sensitive(true);
        Ok(Token {
            header,
            raw: Secret(reply.access_token),
            obtained: Instant::now(),
            lifetime,
        })
    }
}
