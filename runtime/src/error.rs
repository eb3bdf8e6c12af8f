//! The one error type of the client: every generated operation and every hand-written helper
//! returns [`Error`].
//!
//! It keeps what a caller needs to act: the HTTP status, the server's `error_code` and message,
//! the raw body and headers, and the underlying error as a `source` (never flattened into a
//! string). Secrets never reach it: request headers are not stored, and messages only quote the
//! server.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// An error response from the server (any non-2xx status, or a 2xx the spec does not list).
///
/// `Debug` and `Display` never print the body or header values (a proxy's page or a cookie may
/// carry anything): read them from [`ApiError::body`] and [`ApiError::headers`].
#[derive(Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The server's machine-readable `error_code`, when the body is the documented error JSON.
    pub error_code: Option<String>,
    /// The server's `description` (or `message`), when present.
    pub message: Option<String>,
    /// The raw response body, whatever it was (JSON, HTML from a proxy, empty).
    pub body: Bytes,
    /// Response headers.
    pub headers: HeaderMap,
}

impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("error_code", &self.error_code)
            .field("message", &self.message)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("headers", &HeaderNames(&self.headers))
            .finish()
    }
}

/// Header names only, for `Debug`.
struct HeaderNames<'a>(&'a HeaderMap);

impl std::fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "server answered {}", self.status)?;
        if let Some(code) = &self.error_code {
            write!(f, " ({code})")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

/// A response body that did not decode into the documented type.
///
/// `Debug` and `Display` never print the body (it may hold anything, secrets included): read it
/// from [`DecodeError::body`].
pub struct DecodeError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// JSON path of the value that failed (`[3].shards_count`), `.` for the whole body.
    pub path: String,
    /// The raw body, so the caller can still read it.
    pub body: Bytes,
    /// serde's error.
    pub source: serde_json::Error,
}

/// A success body that strict decoding refused ([`Error::Strict`]).
///
/// `Debug` and `Display` never print the body: read it from [`StrictError::body`].
#[derive(Clone)]
pub struct StrictError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// The leniency the body needed.
    pub leniency: Leniency,
    /// The raw body.
    pub body: Bytes,
}

impl std::fmt::Debug for StrictError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrictError")
            .field("status", &self.status)
            .field("leniency", &self.leniency)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl std::fmt::Display for StrictError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "strict decoding refused the response body ({}): ",
            self.status
        )?;
        match &self.leniency {
            Leniency::EmptyBody => f.write_str("empty body where a JSON document is documented"),
            Leniency::WrappedList { member } => {
                write!(
                    f,
                    "documented array wrapped in an object (member `{member}`)"
                )
            }
            Leniency::DuplicateKey { path } => write!(f, "duplicate key at `{path}`"),
        }
    }
}

impl std::error::Error for StrictError {}

/// A shape of success body the default decode accepts and strict decoding refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Leniency {
    /// An empty (or all-whitespace) body where a JSON document is documented.
    EmptyBody,
    /// A documented array sent wrapped in a one-member object.
    WrappedList {
        /// The wrapper's member.
        member: String,
    },
    /// An object with the same key twice (the default decode keeps the last value).
    DuplicateKey {
        /// JSON path of the second occurrence.
        path: String,
    },
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The server answered with success, but the body did not decode.
    #[error("response body ({}) did not decode at `{}`", .0.status, .0.path)]
    Decode(#[source] Box<DecodeError>),
    /// The client was built with [`crate::ClientBuilder::strict_decoding`] and the body needed
    /// a leniency the default decode allows (an empty body, a wrapped list, a duplicate key).
    #[error("{0}")]
    Strict(Box<StrictError>),
    /// The request never got an answer (connection, TLS, timeout) or the body could not be read.
    /// The message names the cause ([`Error::transport_kind`]) and the URL (without its query);
    /// [`Error::transport_kind`] tells them apart without reading messages.
    #[error("{}", transport_message(.0))]
    Transport(#[source] reqwest::Error),
    /// The request could not be built from the given arguments.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Authentication failed: the server answered 401 (to the request itself, after one
    /// re-authorisation when the client uses JWT, or to obtaining a token), or a token could not
    /// be obtained at all. The inner error keeps status, `error_code` and message, which
    /// [`Error::status`], [`Error::error_code`] and [`Error::message`] read through.
    ///
    /// The inner error is shared (`Arc`): concurrent requests that awaited the same token
    /// request all get that request's very error, transport failures included.
    #[error("authentication failed: {0}")]
    Auth(#[source] std::sync::Arc<Error>),
    /// A client hook refused the request.
    #[error("request refused by a client hook: {0}")]
    Hook(String),
    /// The cluster's release does not serve this operation: refused locally, before any
    /// request, by [`crate::ClientBuilder::check_cluster_version`].
    #[error("{0}")]
    NotServed(Box<NotServed>),
    /// The server (or a transfer) broke the documented format of a body in a way JSON decoding
    /// does not cover: a truncated download, a usage report whose checksum does not match.
    #[error("{0}")]
    Integrity(Box<IntegrityError>),
}

/// An operation the cluster's release does not serve (see [`Error::NotServed`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("operation {operation} is not served by Redis Software {cluster_version}: {reason}")]
pub struct NotServed {
    /// The operationId.
    pub operation: String,
    /// The cluster's version as it reported it (such as `7.4.2-54`).
    pub cluster_version: String,
    /// Why, from the operation table.
    pub reason: NotServedReason,
}

/// Why a release does not serve an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotServedReason {
    /// The operation appeared in a later release.
    Since(&'static str),
    /// The operation was removed in this or an earlier release.
    RemovedIn(&'static str),
    /// Live clusters of this release (`major.minor`) did not serve the route (the spec's
    /// `x-not-served-in` / `x-served-in`).
    NotServedIn(String),
}

impl std::fmt::Display for NotServedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotServedReason::Since(v) => write!(f, "available since {v}"),
            NotServedReason::RemovedIn(v) => write!(f, "removed in {v}"),
            NotServedReason::NotServedIn(v) => write!(f, "release {v} does not serve it"),
        }
    }
}

/// A body that arrived broken (see [`Error::Integrity`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IntegrityError {
    /// The usage report's last line is not the MD5 of what precedes it.
    #[error(
        "usage report checksum mismatch: the report says {expected}, the body hashes to {actual}"
    )]
    ChecksumMismatch {
        /// The hash the report's last line carries.
        expected: String,
        /// The MD5 of the body before that line.
        actual: String,
    },
    /// No node (and not the cluster object) reports a software version.
    #[error("the cluster reports no software_version")]
    NoVersion,
    /// The usage report ended without its checksum line.
    #[error("usage report has no checksum line")]
    MissingChecksum,
    /// A usage-report line is not a JSON record.
    #[error("usage report line {line} did not decode at `{path}`")]
    Record {
        /// 1-based line number.
        line: usize,
        /// JSON path of the failure.
        path: String,
        /// serde's error.
        #[source]
        source: serde_json::Error,
    },
    /// Writing a download to its destination failed.
    #[error("writing the download failed after {written} bytes")]
    Write {
        /// Bytes written before the failure.
        written: u64,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A download ended before the length the server announced.
    #[error("download truncated after {received} of {expected} bytes")]
    Truncated {
        /// Bytes received (and written).
        received: u64,
        /// `Content-Length` announced by the server.
        expected: u64,
    },
}

/// What kind of transport failure an [`Error::Transport`] is (see [`Error::transport_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The server's certificate is not signed by a trusted CA (add the cluster's CA with
    /// [`crate::ClientBuilder::add_ca_certificate_pem`]).
    TlsUnknownIssuer,
    /// The certificate is valid but not for the host name or address in the URL.
    TlsNameMismatch,
    /// The certificate has expired (or is not valid yet).
    TlsExpired,
    /// Any other TLS failure (protocol, handshake, revoked or malformed certificate).
    TlsOther,
    /// The host name could not be resolved.
    Dns,
    /// The connection was reset or closed before the answer was complete.
    Reset,
    /// Nothing listens on that port (connection refused).
    ConnectionRefused,
    /// The host or network cannot be reached.
    Unreachable,
    /// The connect or request timeout passed.
    Timeout,
    /// Another connection failure.
    Connect,
    /// The response body could not be read, or anything else.
    Other,
}

impl TransportKind {
    /// Whether this is a TLS failure.
    pub fn is_tls(self) -> bool {
        matches!(
            self,
            TransportKind::TlsUnknownIssuer
                | TransportKind::TlsNameMismatch
                | TransportKind::TlsExpired
                | TransportKind::TlsOther
        )
    }
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportKind::TlsUnknownIssuer => {
                "tls: the server certificate is signed by an unknown certificate authority"
            }
            TransportKind::TlsNameMismatch => {
                "tls: the server certificate is not valid for this host name"
            }
            TransportKind::TlsExpired => {
                "tls: the server certificate has expired or is not yet valid"
            }
            TransportKind::TlsOther => "tls handshake failed",
            TransportKind::Dns => "host name not resolved",
            TransportKind::Reset => "connection reset or closed",
            TransportKind::ConnectionRefused => "connection refused",
            TransportKind::Unreachable => "host unreachable",
            TransportKind::Timeout => "timed out",
            TransportKind::Connect => "connection failed",
            TransportKind::Other => "transfer failed",
        })
    }
}

fn tls_kind(error: &rustls::Error) -> TransportKind {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => TransportKind::TlsUnknownIssuer,
            C::NotValidForName | C::NotValidForNameContext { .. } => TransportKind::TlsNameMismatch,
            C::Expired
            | C::ExpiredContext { .. }
            | C::NotValidYet
            | C::NotValidYetContext { .. } => TransportKind::TlsExpired,
            _ => TransportKind::TlsOther,
        },
        _ => TransportKind::TlsOther,
    }
}

/// Classifies a reqwest error by the types in its source chain (rustls, the client's resolver,
/// hyper, I/O error kinds), never by message text: messages carry the URL, whose host name may
/// contain anything ("tls", "refused"). `std::io::Error::source` skips the error it wraps, so
/// wrapped I/O errors are opened with `get_ref`.
pub(crate) fn classify(error: &reqwest::Error) -> TransportKind {
    if error.is_timeout() {
        return TransportKind::Timeout;
    }
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    let mut closed = false;
    while let Some(e) = current {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return tls_kind(tls);
        }
        if e.is::<crate::dns::DnsError>() {
            return TransportKind::Dns;
        }
        if let Some(hyper) = e.downcast_ref::<hyper::Error>() {
            closed |= hyper.is_incomplete_message() || hyper.is_canceled() || hyper.is_closed();
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            match io.kind() {
                K::ConnectionRefused => return TransportKind::ConnectionRefused,
                K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => {
                    return TransportKind::Unreachable
                }
                K::TimedOut => return TransportKind::Timeout,
                K::ConnectionReset
                | K::ConnectionAborted
                | K::BrokenPipe
                | K::UnexpectedEof
                | K::NotConnected => closed = true,
                _ => {}
            }
            if let Some(inner) = io.get_ref() {
                current = Some(inner);
                continue;
            }
        }
        current = e.source();
    }
    if closed {
        TransportKind::Reset
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    }
}

/// `request to https://host:9443/v1/bdbs failed: connection refused`: the URL without query,
/// fragment or user info, so no secret can reach the message.
fn transport_message(error: &reqwest::Error) -> String {
    let kind = classify(error);
    match error.url() {
        Some(url) => {
            let mut url = url.clone();
            url.set_query(None);
            url.set_fragment(None);
            // Only fails for URLs that cannot have credentials, which then have none.
            let _ignored = url.set_username("");
            let _ignored = url.set_password(None);
            format!("request to {url} failed: {kind}")
        }
        None => format!("request failed: {kind}"),
    }
}

impl std::fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("path", &self.path)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("source", &self.source)
            .finish()
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.source)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl Error {
    /// HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Strict(e) => Some(e.status),
            Error::Transport(e) => e.status(),
            Error::Auth(e) => e.status(),
            _ => None,
        }
    }

    /// The server's `error_code`, when it sent one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.error_code.as_deref(),
            Error::Auth(e) => e.error_code(),
            _ => None,
        }
    }

    /// The server's error message, when it sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.message.as_deref(),
            Error::Auth(e) => e.message(),
            _ => None,
        }
    }

    /// The raw response body, when there was one.
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Api(e) => Some(&e.body),
            Error::Decode(e) => Some(&e.body),
            Error::Strict(e) => Some(&e.body),
            Error::Auth(e) => e.body(),
            _ => None,
        }
    }

    /// The API error, when the server answered with an error status (also inside
    /// [`Error::Auth`]).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::Auth(e) => e.api(),
            _ => None,
        }
    }

    /// What kind of transport failure this is (also inside [`Error::Auth`]), or `None` when
    /// the server answered.
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Error::Transport(e) => Some(classify(e)),
            Error::Auth(e) => e.transport_kind(),
            _ => None,
        }
    }

    /// A TLS failure: unknown CA, name mismatch, expired certificate or handshake failure.
    pub fn is_tls_failure(&self) -> bool {
        self.transport_kind().is_some_and(TransportKind::is_tls)
    }

    /// Nothing listens at the address (connection refused) or it cannot be reached.
    pub fn is_connection_refused(&self) -> bool {
        matches!(
            self.transport_kind(),
            Some(TransportKind::ConnectionRefused | TransportKind::Unreachable)
        )
    }

    /// The connect or request timeout passed.
    pub fn is_timeout(&self) -> bool {
        self.transport_kind() == Some(TransportKind::Timeout)
    }

    /// The decode error, when a success body did not decode.
    pub fn decode(&self) -> Option<&DecodeError> {
        match self {
            Error::Decode(e) => Some(e),
            _ => None,
        }
    }

    /// 503: the node is not a member of an active cluster (or the cluster is not ready). Another
    /// node, or a retry later, may succeed.
    pub fn is_not_in_active_cluster(&self) -> bool {
        self.status() == Some(StatusCode::SERVICE_UNAVAILABLE)
    }

    /// 505: the cluster does not support the API version in the request path.
    pub fn is_unsupported_api_version(&self) -> bool {
        self.status() == Some(StatusCode::HTTP_VERSION_NOT_SUPPORTED)
    }

    /// 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Authentication failed: 401, or any [`Error::Auth`] (a token that could not be
    /// obtained). Not 403: see [`Error::is_forbidden`].
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, Error::Auth(_)) || self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// 403: the credentials were accepted but the user's role does not allow the request.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(StatusCode::FORBIDDEN)
    }

    /// The server answered 409 because the database (or cluster) is busy with another change:
    /// a temporary condition. See [`crate::RetryPolicy::busy_retries`] for the exact rule.
    pub fn is_busy(&self) -> bool {
        self.api()
            .is_some_and(|api| crate::retry::is_busy(api.status, api.error_code.as_deref()))
    }

    /// Whether the same request may succeed if sent again (connection failures other than TLS
    /// verification, timeouts, 429, 502, 503, 504). The client already retries idempotent requests; see [`crate::RetryPolicy`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => (e.is_connect() || e.is_timeout()) && !classify(e).is_tls(),
            Error::Auth(_) | Error::NotServed(_) | Error::Integrity(_) => false,
            _ => self
                .status()
                .map(crate::retry::is_retryable_status)
                .unwrap_or(false),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e)
    }
}

impl From<reqwest::header::InvalidHeaderValue> for Error {
    fn from(e: reqwest::header::InvalidHeaderValue) -> Self {
        Error::InvalidRequest(format!("invalid header value: {e}"))
    }
}

impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(e: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(s) => Error::InvalidRequest(s),
            P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
                Error::Transport(e)
            }
            P::ErrorResponse(rv) => Error::Api(Box::new(ApiError {
                status: rv.status(),
                error_code: None,
                message: None,
                body: Bytes::new(),
                headers: rv.headers().clone(),
            })),
            P::InvalidResponsePayload(body, source) => Error::Decode(Box::new(DecodeError {
                status: StatusCode::OK,
                path: ".".into(),
                body,
                source,
            })),
            P::UnexpectedResponse(r) => Error::Api(Box::new(ApiError {
                status: r.status(),
                error_code: None,
                message: None,
                body: Bytes::new(),
                headers: r.headers().clone(),
            })),
            P::Custom(s) => Error::Hook(s),
        }
    }
}
