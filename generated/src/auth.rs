//! Authentication: HTTP Basic on every request, or a JWT obtained from
//! `POST /v1/users/authorize` and renewed with `POST /v1/users/refresh_jwt` before it expires.
//!
//! Secrets are kept in header values marked sensitive and in a wrapper whose `Debug` is
//! redacted; they never reach `Debug`, `Display`, errors or tracing. The JWT calls bypass the
//! client hooks on purpose (they would otherwise need a token to get a token).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use reqwest::header::HeaderValue;
use tokio::sync::Mutex;
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
                Some(ttl) => Auth::Jwt(Arc::new(JwtSession {
                    credentials: c.clone(),
                    ttl,
                    token: Mutex::new(None),
                })),
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

/// A JWT and the means to renew it.
pub(crate) struct JwtSession {
    credentials: Credentials,
    ttl: Option<Duration>,
    token: Mutex<Option<Token>>,
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

/// The token's lifetime from its `exp` and `iat` claims, when readable.
fn lifetime_from_claims(token: &str) -> Option<Duration> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    let secs = claims.exp? - claims.iat?;
    (secs > 0).then(|| Duration::from_secs(secs as u64))
}

impl JwtSession {
    /// Renew when this fraction of the lifetime has passed.
    const RENEW_AT: f64 = 0.8;

    /// The `Authorization` value for the next request, obtaining or renewing the token first
    /// when needed.
    pub(crate) async fn header(
        &self,
        http: &reqwest::Client,
        base_url: &str,
    ) -> Result<HeaderValue, Error> {
        let mut guard = self.token.lock().await;
        if let Some(token) = guard.as_ref() {
            let age = token.obtained.elapsed();
            if age < token.lifetime.mul_f64(Self::RENEW_AT) {
                return Ok(token.header.clone());
            }
            if age < token.lifetime {
                match self
                    .request(http, base_url, "/v1/users/refresh_jwt", Some(token))
                    .await
                {
                    Ok(fresh) => {
                        let header = fresh.header.clone();
                        *guard = Some(fresh);
                        return Ok(header);
                    }
                    Err(e) => tracing::debug!(error = %e, "JWT refresh failed; authorizing again"),
                }
            }
        }
        let fresh = self
            .request(http, base_url, "/v1/users/authorize", None)
            .await?;
        let header = fresh.header.clone();
        *guard = Some(fresh);
        Ok(header)
    }

    async fn request(
        &self,
        http: &reqwest::Client,
        base_url: &str,
        path: &str,
        current: Option<&Token>,
    ) -> Result<Token, Error> {
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
            .map_err(|e| Error::Auth(Box::new(Error::Transport(e))))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::Auth(Box::new(Error::Transport(e))))?;
        if !status.is_success() {
            return Err(Error::Auth(Box::new(crate::decode::api_error(
                status, headers, bytes,
            ))));
        }
        let reply: TokenReply = crate::decode::decode_body(&bytes).map_err(|(path, source)| {
            // The body holds the token: do not keep it in the error.
            Error::Auth(Box::new(Error::Decode(Box::new(
                crate::error::DecodeError {
                    status,
                    path,
                    body: bytes::Bytes::new(),
                    source,
                },
            ))))
        })?;
        let lifetime = lifetime_from_claims(&reply.access_token)
            .or(self.ttl)
            .unwrap_or(DEFAULT_JWT_TTL);
        let mut header =
            HeaderValue::from_str(&format!("JWT {}", reply.access_token)).map_err(|_| {
                Error::Auth(Box::new(Error::InvalidRequest(
                    "the server sent a token that is not a valid header value".into(),
                )))
            })?;
        header.set_sensitive(true);
        Ok(Token {
            header,
            raw: Secret(reply.access_token),
            obtained: Instant::now(),
            lifetime,
        })
    }

    /// The current token, if one has been obtained (for tests and for callers that pass it on).
    pub(crate) async fn current_token(&self) -> Option<String> {
        self.token.lock().await.as_ref().map(|t| t.raw.0.clone())
    }
}
