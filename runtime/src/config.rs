//! Building a client: base URL, credentials, TLS, timeouts, user agent and retry policy, from
//! code (`Client::builder`) or from the environment (`Client::from_env`).
//!
//! The generated `Client` carries a [`ClientState`] as its inner value; the hooks read it on
//! every request. Building never panics: every misconfiguration is a [`BuildError`].

use std::marker::PhantomData;
use std::time::Duration;

use crate::auth::{Auth, Credentials};
use crate::retry::RetryPolicy;
use crate::tls::TlsSettings;
use crate::version::VersionState;
use crate::ApiClient;

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, response body included. Large downloads
/// (debuginfo) may need more: see [`ClientBuilder::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Per-client state read by the request hooks: authentication and retries.
#[derive(Clone, Debug)]
pub struct ClientState {
    pub(crate) auth: Auth,
    pub(crate) retry: RetryPolicy,
    pub(crate) version: VersionState,
    pub(crate) strict_decoding: bool,
}

impl ClientState {
    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL is not a usable `http(s)://host[:port]` URL.
    #[error("invalid base URL: {reason}")]
    InvalidUrl {
        /// What is wrong with it.
        reason: String,
    },
    /// Credentials would travel unencrypted.
    #[error(
        "refusing to send credentials over plain http; use https or call allow_insecure_http(true)"
    )]
    InsecureHttp,
    /// A required environment variable is not set.
    #[error("environment variable {name} is not set")]
    MissingEnv {
        /// The variable.
        name: &'static str,
    },
    /// An environment variable has an unusable value.
    #[error("environment variable {name} is invalid: {reason}")]
    InvalidEnv {
        /// The variable.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// A CA certificate file could not be read.
    #[error("cannot read CA certificate {path}")]
    CaFile {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A CA certificate is not valid PEM.
    #[error("invalid CA certificate: {reason}")]
    CaCertificate {
        /// Why.
        reason: String,
    },
    /// rustls rejected the TLS configuration.
    #[error("invalid TLS configuration")]
    Tls(#[source] rustls::Error),
    /// reqwest could not build its client.
    #[error("cannot build the HTTP client")]
    Http(#[source] reqwest::Error),
}

/// Builds a client of type `C` (the generated `Client`). Start with `Client::builder`.
pub struct ClientBuilder<C> {
    base_url: String,
    credentials: Option<Credentials>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: String,
    tls: TlsSettings,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    check_version: bool,
    preset_version: Option<String>,
    strict_decoding: bool,
    client: PhantomData<fn() -> C>,
}

// By hand: a derive would require `C: Clone`.
impl<C> Clone for ClientBuilder<C> {
    fn clone(&self) -> Self {
        Self {
            base_url: self.base_url.clone(),
            credentials: self.credentials.clone(),
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            user_agent: self.user_agent.clone(),
            tls: self.tls.clone(),
            allow_insecure_http: self.allow_insecure_http,
            retry: self.retry.clone(),
            check_version: self.check_version,
            preset_version: self.preset_version.clone(),
            strict_decoding: self.strict_decoding,
            client: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("custom_ca_certificates", &self.tls.ca_pem.len())
            .field("accept_invalid_certs", &self.tls.accept_invalid_certs)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry", &self.retry)
            .field("check_version", &self.check_version)
            .field("preset_version", &self.preset_version)
            .field("strict_decoding", &self.strict_decoding)
            .finish()
    }
}

impl<C: ApiClient> ClientBuilder<C> {
    /// A builder with default settings for the cluster at `base_url` (`https://host:9443`):
    /// what `Client::builder` returns.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            credentials: None,
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            timeout: Some(DEFAULT_TIMEOUT),
            user_agent: concat!("redis-enterprise-api/", env!("CARGO_PKG_VERSION")).to_string(),
            tls: TlsSettings::default(),
            allow_insecure_http: false,
            retry: RetryPolicy::default(),
            check_version: false,
            preset_version: None,
            strict_decoding: false,
            client: PhantomData,
        }
    }

    /// Strict decoding: a response property whose JSON does not fit its generated type fails
    /// the call with [`Error::Decode`](crate::Error::Decode) naming its path, instead of being
    /// isolated and reported (see [`crate::unfit`]). For tests that want to catch spec drift.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Credentials sent with every request.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// HTTP Basic authentication (shorthand for [`Credentials::basic`]).
    pub fn basic_auth(self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials(Credentials::basic(username, password))
    }

    /// Time allowed to establish a connection (default 10 s). Any value is safe, `Duration::MAX`
    /// included.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for each request, body included (default 60 s). Any value is safe,
    /// `Duration::MAX` included. Downloads have their own (`extras::DownloadOptions` of the
    /// client crate).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Removes the connect and request timeouts and the idle-connection timer, so the client
    /// sets no timers of its own: for streaming very large downloads, and for tests that run
    /// on tokio's paused clock (where any pending timer would fire while waiting for I/O).
    pub fn no_timeouts(mut self) -> Self {
        self.connect_timeout = None;
        self.timeout = None;
        self
    }

    /// The `User-Agent` header (default `redis-enterprise-api/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Trusts a CA certificate (PEM, one or more certificates), for a cluster whose certificate
    /// is signed by its own authority.
    pub fn add_ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.ca_pem.push(pem.into());
        self
    }

    /// Accepts ANY server certificate, including the self-signed one a new cluster has. The
    /// connection is encrypted but the server is not authenticated: use a CA certificate
    /// instead wherever possible.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.tls.accept_invalid_certs = accept;
        self
    }

    /// Allows credentials over plain `http://` (refused by default).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The retry policy (default: 3 retries of idempotent requests).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Refuses, before any request and with [`crate::Error::NotServed`], an operation that the
    /// cluster's release does not serve (off by default). The release is read once, on the
    /// first checked call (`Client::cluster_version`); the facts are the operation table's
    /// `since`, `removed_in`, `served_in` and `not_served_in`
    /// ([`Operation::served_by`](crate::Operation::served_by)). Raw paths (`Client::send_raw`)
    /// are not checked.
    pub fn check_cluster_version(mut self, check: bool) -> Self {
        self.check_version = check;
        self
    }

    /// Uses this as the cluster's version instead of reading it (for a client that already
    /// knows it, or talks to a cluster that does not report one).
    pub fn cluster_version(mut self, version: impl Into<String>) -> Self {
        self.preset_version = Some(version.into());
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<C, BuildError> {
        let base_url = normalize_base_url(&self.base_url)?;
        if base_url.starts_with("http://")
            && self.credentials.is_some()
            && !self.allow_insecure_http
        {
            return Err(BuildError::InsecureHttp);
        }
        let tls = crate::tls::client_config(&self.tls)?;
        let mut http = reqwest::ClientBuilder::new()
            .tls_backend_preconfigured(tls)
            .dns_resolver(std::sync::Arc::new(crate::dns::SystemResolver))
            .user_agent(self.user_agent);
        match (self.connect_timeout, self.timeout) {
            (None, None) => http = http.pool_idle_timeout(None),
            (connect, total) => {
                // Clamped (to about 136 years) so that no deadline arithmetic can overflow,
                // whatever the caller passed (`Duration::MAX` included).
                if let Some(t) = connect {
                    http = http.connect_timeout(t.min(crate::raw::MAX_TIMEOUT));
                }
                if let Some(t) = total {
                    http = http.timeout(t.min(crate::raw::MAX_TIMEOUT));
                }
            }
        }
        let http = http.build().map_err(BuildError::Http)?;
        let state = ClientState {
            auth: Auth::from_credentials(self.credentials.as_ref()),
            retry: self.retry,
            version: VersionState::new(self.check_version, self.preset_version),
            strict_decoding: self.strict_decoding,
        };
        Ok(C::from_parts(&base_url, http, state))
    }
}

/// `https://host:9443/` → `https://host:9443`; rejects other schemes, missing hosts and
/// credentials embedded in the URL (they would leak into logs).
fn normalize_base_url(raw: &str) -> Result<String, BuildError> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| BuildError::InvalidUrl {
        reason: e.to_string(),
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(BuildError::InvalidUrl {
            reason: format!("scheme {} is not http or https", url.scheme()),
        });
    }
    if url.host_str().is_none() {
        return Err(BuildError::InvalidUrl {
            reason: "no host".into(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BuildError::InvalidUrl {
            reason: "credentials in the URL are not supported; use Credentials".into(),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BuildError::InvalidUrl {
            reason: "a base URL has no query or fragment".into(),
        });
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Environment variables read by `Client::from_env`.
pub mod env {
    /// Base URL, such as `https://cluster.example:9443`.
    pub const URL: &str = "REDIS_ENTERPRISE_URL";
    /// User email or name.
    pub const USER: &str = "REDIS_ENTERPRISE_USER";
    /// Password.
    pub const PASSWORD: &str = "REDIS_ENTERPRISE_PASSWORD";
    /// Optional: path of a PEM file with the CA to trust.
    pub const CA_CERT: &str = "REDIS_ENTERPRISE_CA_CERT";
    /// Optional: `true` to accept any certificate (see `danger_accept_invalid_certs`).
    pub const INSECURE: &str = "REDIS_ENTERPRISE_INSECURE";
}

/// A client that shares `client`'s connections, credentials, token and cached version but
/// retries by `retry`: what `Client::with_retry_policy` does.
pub fn with_retry_policy<C: ApiClient>(client: &C, retry: RetryPolicy) -> C {
    let state = ClientState {
        retry,
        ..client.inner().clone()
    };
    C::from_parts(client.baseurl(), client.client().clone(), state)
}

/// The current JWT, when JWT authentication is configured and a token has been obtained: what
/// `Client::jwt_token` returns.
pub async fn jwt_token<C: ApiClient>(client: &C) -> Option<String> {
    match &client.inner().auth {
        Auth::Jwt(session) => session.current_token().await,
        _ => None,
    }
}

/// A builder configured from `REDIS_ENTERPRISE_URL`, `REDIS_ENTERPRISE_USER`,
/// `REDIS_ENTERPRISE_PASSWORD` and the optional `REDIS_ENTERPRISE_CA_CERT` (PEM file) and
/// `REDIS_ENTERPRISE_INSECURE` (`true` accepts any certificate), read through `lookup`
/// (`Client::builder_from_env` passes the process environment; tests pass a map).
pub fn builder_from_lookup<C: ApiClient>(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<ClientBuilder<C>, BuildError> {
    let get = |name: &'static str| {
        lookup(name)
            .filter(|v| !v.is_empty())
            .ok_or(BuildError::MissingEnv { name })
    };
    let url = get(env::URL)?;
    let user = get(env::USER)?;
    let password = get(env::PASSWORD)?;
    let mut builder = ClientBuilder::new(url).basic_auth(user, password);
    if let Some(path) = lookup(env::CA_CERT).filter(|v| !v.is_empty()) {
        let pem = std::fs::read(&path).map_err(|source| BuildError::CaFile {
            path: path.clone(),
            source,
        })?;
        builder = builder.add_ca_certificate_pem(pem);
    }
    if let Some(value) = lookup(env::INSECURE).filter(|v| !v.is_empty()) {
        let insecure = match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            _ => {
                return Err(BuildError::InvalidEnv {
                    name: env::INSECURE,
                    reason: "expected true or false".into(),
                })
            }
        };
        builder = builder.danger_accept_invalid_certs(insecure);
    }
    Ok(builder)
}
