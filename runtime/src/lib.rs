//! The hand-written runtime of the `redis-enterprise-api` client, released with it at the same
//! version. Use the client crate: it re-exports everything here under the paths its
//! documentation shows (`redis_enterprise_api::Error`, `redis_enterprise_api::lenient`, …).
//!
//! This crate holds no generated code and names no generated type. Where it needs the client,
//! it is generic over [`ApiClient`], which the generated crate implements for its `Client`.
//!
//! | module | what it does |
//! |---|---|
//! | [`config`] | building a client: base URL, credentials, TLS, timeouts, retries ([`ClientBuilder`]) |
//! | `auth`, `tls` (private) | HTTP Basic and JWT sessions; the rustls configuration |
//! | [`hooks`] | what every request goes through: version check, authentication, the retry loop and its tracing span |
//! | [`retry`] | which failures are retried and how long to wait ([`RetryPolicy`]) |
//! | [`error`] | the one [`Error`] of every call |
//! | [`decode`] | decoding responses and error bodies; called by the generated operations |
//! | [`unfit`] | field-level fault isolation ([`DecodeReport`]) and the serialisation writer that puts isolated values back |
//! | [`lenient`] | scalar decoders that accept what live clusters send (`"1"` for `1`, `""` for none) |
//! | [`object`] | what the generated objects' `Deserialize` is made of: one visitor per object over shared, generic decoders |
//! | [`operation`] | the operation type of the generated table, and which releases serve an operation |
//! | [`version`] | the cluster's release, read once, and the opt-in check against it |
//! | [`raw`] | any request or any operation by operationId, body undecoded |
//! | [`wait`] | polling until a condition holds ([`wait::wait_until`]) |
#![warn(missing_docs)]

mod auth;
pub mod config;
pub mod decode;
mod dns;
pub mod error;
pub mod hooks;
pub mod lenient;
pub mod object;
pub mod operation;
pub mod raw;
pub mod retry;
mod tls;
pub mod unfit;
pub mod version;
pub mod wait;

pub use auth::Credentials;
pub use config::{BuildError, ClientBuilder, ClientState};
pub use decode::{decode_body, UndocumentedBody};
pub use error::{
    ApiError, DecodeError, Error, IntegrityError, Leniency, NotServed, NotServedReason,
    StrictError, TransportKind,
};
pub use operation::{Operation, Safety};
pub use retry::RetryPolicy;
pub use unfit::DecodeReport;

/// What the runtime needs of a generated client: progenitor's [`ClientInfo`] over
/// [`ClientState`] (base URL, HTTP client, the state the hooks read), how to build one from
/// those parts, and the operation table. The generated crate implements it for its `Client`.
///
/// [`ClientInfo`]: progenitor_client::ClientInfo
pub trait ApiClient: progenitor_client::ClientInfo<ClientState> + Sized {
    /// A client from its parts: what progenitor's `Client::new_with_client` takes.
    fn from_parts(baseurl: &str, http: reqwest::Client, state: ClientState) -> Self;

    /// The operation of the spec with this operationId (`None` for a raw request).
    fn operation(operation_id: &str) -> Option<&'static Operation>;
}
