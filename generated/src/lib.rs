#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// Emitted by codegen and formatted by prettyplease, so rustfmt must not touch it.
// The allows cover lints that progenitor's output trips; keep the list short. `deprecated`:
// generated serde and Default code touches the fields the spec marks deprecated.
#[rustfmt::skip]
#[allow(deprecated, clippy::needless_lifetimes, clippy::too_many_arguments, clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
mod generated;
pub use generated::*;

// The hand-written workflows, in the folder `src/workflows/`, public under their first name.
/// Operations as the spec documents them (parameters, bodies, docs), for tools such as the CLI
/// and the MCP server (feature `openapi`).
#[cfg(feature = "openapi")]
#[path = "workflows/describe.rs"]
pub mod describe;
#[path = "workflows/mod.rs"]
pub mod extras;

// The hand-written runtime (crate `redis-enterprise-api-runtime`), under the paths this crate
// has always had. `decode` and `hooks` are what the generated operations call.
use redis_enterprise_api_runtime::{decode, hooks};
pub use redis_enterprise_api_runtime::{error, lenient, object, raw, retry, unfit, version};

pub use config::{BuildError, ClientBuilder};
pub use redis_enterprise_api_runtime::{
    decode_body, ApiError, Credentials, DecodeError, DecodeReport, Error, IntegrityError, Leniency,
    NotServed, NotServedReason, RetryPolicy, StrictError, TransportKind, UndocumentedBody,
};
/// The HTTP status type of [`Error::status`], [`ApiError::status`] and every response.
pub use reqwest::StatusCode;
