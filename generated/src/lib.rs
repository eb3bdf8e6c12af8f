#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// Emitted by codegen and formatted by prettyplease, so rustfmt must not touch it.
// The allows cover lints that progenitor's output trips; keep the list short. `deprecated`:
// generated serde and Default code touches the fields the spec marks deprecated.
#[rustfmt::skip]
#[allow(deprecated, clippy::needless_lifetimes, clippy::too_many_arguments, clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
mod generated;
pub use generated::*;

mod auth;
pub mod config;
mod decode;
mod dns;
pub mod error;
pub mod extras;
mod hooks;
pub mod lenient;
pub mod raw;
pub mod retry;
mod tls;
pub mod unfit;
pub mod version;

pub use auth::Credentials;
pub use config::{BuildError, ClientBuilder};
pub use decode::decode_body;
pub use error::{
    ApiError, DecodeError, Error, IntegrityError, Leniency, NotServed, NotServedReason,
    StrictError, TransportKind,
};
/// The HTTP status type of [`Error::status`], [`ApiError::status`] and every response.
pub use reqwest::StatusCode;
pub use retry::RetryPolicy;
pub use unfit::DecodeReport;
