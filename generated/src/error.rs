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
#[derive(Debug, Clone)]
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
#[derive(Debug)]
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
    /// The request never got an answer (connection, TLS, timeout) or the body could not be read.
    #[error("request failed")]
    Transport(#[source] reqwest::Error),
    /// The request could not be built from the given arguments.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// Authentication could not be set up (for example, obtaining a JWT failed).
    #[error("authentication failed")]
    Auth(#[source] Box<Error>),
    /// A client hook refused the request.
    #[error("request refused by a client hook: {0}")]
    Hook(String),
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
            _ => None,
        }
    }

    /// The API error, when the server answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
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

    /// 401 or 403.
    pub fn is_auth_failure(&self) -> bool {
        matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED) | Some(StatusCode::FORBIDDEN)
        )
    }

    /// Whether the same request may succeed if sent again (connection failures, 429, 502, 503,
    /// 504). The client already retries idempotent requests; see [`crate::RetryPolicy`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_connect() || e.is_timeout(),
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
