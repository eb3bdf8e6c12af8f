//! Errors in the spec's `ErrorBody` shape (`{"error_code", "description"}` with a status), and
//! the one place where a model's [`ModelError`] becomes one: each [`ErrorKind`] has its status.
//! (Where an operation documents another status for a refusal, [`super::Req::missing`] and the
//! pipeline's `fit_status` adjust it, from the operation's spec.)

use super::Reply;
use crate::model::users::SignInError;
use crate::model::{ErrorKind, ModelError};

/// An error reply in the `ErrorBody` shape.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    /// Status.
    pub status: u16,
    /// `error_code`.
    pub code: String,
    /// `description`.
    pub description: String,
}

impl ApiError {
    /// An error.
    pub fn new(status: u16, code: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            description: description.into(),
        }
    }

    /// The reply carrying this error as an `ErrorBody`.
    pub fn into_reply(self) -> Reply {
        Reply::json(
            self.status,
            serde_json::json!({ "error_code": self.code, "description": self.description }),
        )
    }
}

/// The status of each kind of model error.
fn status_of(kind: ErrorKind) -> u16 {
    match kind {
        ErrorKind::Invalid => 400,
        ErrorKind::Unauthenticated => 401,
        ErrorKind::Forbidden => 403,
        ErrorKind::NotFound => 404,
        ErrorKind::Refused => 406,
        ErrorKind::Conflict => 409,
        ErrorKind::Internal => 500,
        ErrorKind::NotModelled => 501,
        ErrorKind::Unavailable => 503,
    }
}

impl From<ModelError> for ApiError {
    fn from(e: ModelError) -> Self {
        Self {
            status: status_of(e.kind),
            code: e.code,
            description: e.description,
        }
    }
}

impl From<SignInError> for ApiError {
    /// The 401 a cluster answers.
    fn from(e: SignInError) -> Self {
        ModelError::from(e).into()
    }
}
