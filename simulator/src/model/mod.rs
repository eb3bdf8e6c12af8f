//! The simulator's rules, one module per resource, over the store ([`crate::state::Store`]),
//! the redis-server processes and the clock held by [`crate::Shared`]. A model function takes
//! typed input (generated types, enums, plain values) and answers a typed value or a
//! [`ModelError`]; it knows nothing of the protocol that carries requests. The one exception to
//! "typed" is what the simulator keeps as JSON objects (cluster, nodes, settings, CRDBs).
//!
//! Nothing here imports the request, reply and error types or the server (a test in `lib.rs`
//! reads these files and fails if one does).

pub(crate) mod actions;
pub(crate) mod bdb_certs;
pub(crate) mod bdb_data;
pub(crate) mod bdb_sources;
pub(crate) mod bdbs;
pub(crate) mod cluster;
pub(crate) mod cluster_actions;
pub(crate) mod crdbs;
pub(crate) mod debuginfo;
pub(crate) mod health;
pub(crate) mod modules;
pub(crate) mod node_status;
pub(crate) mod not_modelled;
pub(crate) mod permissions;
pub(crate) mod placement;
pub(crate) mod proxies;
pub(crate) mod roles;
pub(crate) mod settings;
pub(crate) mod shard_actions;
pub(crate) mod stats;
pub(crate) mod users;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// What kind of refusal a [`ModelError`] is; the API side gives each kind its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// Input the rules cannot use.
    Invalid,
    /// A configuration or change the rules refuse ("not acceptable").
    Refused,
    /// The request conflicts with the current state (busy, exists, in progress).
    Conflict,
    /// The object does not exist.
    NotFound,
    /// The caller may not do this.
    Forbidden,
    /// The caller's credentials are refused.
    Unauthenticated,
    /// The object exists but cannot serve (not active, not answering).
    Unavailable,
    /// The simulator does not model this.
    NotModelled,
    /// The simulator itself failed (a redis-server command, signing a token).
    Internal,
}

/// Why a model refused or failed: its kind, a stable code (the API's `error_code`) and a
/// description for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub(crate) struct ModelError {
    /// The kind of refusal.
    pub kind: ErrorKind,
    /// The stable code.
    pub code: String,
    /// What went wrong.
    pub description: String,
}

impl ModelError {
    /// An error of any kind.
    pub fn new(kind: ErrorKind, code: &str, description: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.into(),
            description: description.into(),
        }
    }

    /// Input the rules cannot use.
    pub fn invalid(code: &str, description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, code, description)
    }

    /// A configuration or change the rules refuse.
    pub fn refused(code: &str, description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, code, description)
    }

    /// A conflict with the current state.
    pub fn conflict(code: &str, description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, description)
    }

    /// A missing object: `<what>_not_exist`.
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorKind::NotFound,
            &format!("{what}_not_exist"),
            format!("{what} {id} does not exist"),
        )
    }

    /// `not_modelled`: the simulator does not do `what`.
    pub fn not_modelled(what: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorKind::NotModelled,
            "not_modelled",
            format!("the simulator does not model {what}"),
        )
    }

    /// The simulator failed.
    pub fn internal(description: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, "internal_error", description)
    }

    /// A value that does not match the spec's schema.
    pub fn invalid_schema(description: impl Into<String>) -> Self {
        Self::invalid("invalid_schema", description)
    }

    /// Whether this is the refusal of a database busy with an action.
    pub fn is_busy(&self) -> bool {
        self.code == "db_busy"
    }
}

/// Decodes a JSON value into a generated type (`invalid_schema` naming the JSON path).
pub(crate) fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ModelError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        ModelError::invalid_schema(format!("invalid value at {}: {}", e.path(), e.inner()))
    })
}

/// Validates a JSON value against a schema of the spec (`invalid_schema` naming the path).
pub(crate) fn validate_named(value: &Value, schema: &str) -> Result<(), ModelError> {
    crate::schema::validate_named(value, schema).map_err(ModelError::invalid_schema)
}
