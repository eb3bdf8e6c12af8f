//! What a handler answers: a status, a body (JSON, raw bytes with a content type, or none) and
//! extra headers.

use bytes::Bytes;
use serde_json::Value;

/// What a handler answers.
#[derive(Debug)]
pub(crate) struct Reply {
    /// Status.
    pub status: u16,
    /// Body: JSON, or none.
    pub body: ReplyBody,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
}

/// A reply body.
#[derive(Debug)]
pub(crate) enum ReplyBody {
    /// A JSON document.
    Json(Value),
    /// Bytes with a content type.
    Raw(&'static str, Bytes),
    /// Nothing.
    Empty,
}

impl Reply {
    /// 200 with a JSON body.
    pub fn ok(value: Value) -> Self {
        Self::json(200, value)
    }

    /// A JSON body with any status.
    pub fn json(status: u16, value: Value) -> Self {
        Self {
            status,
            body: ReplyBody::Json(value),
            headers: Vec::new(),
        }
    }

    /// A serialisable value with status 200.
    pub fn of<T: serde::Serialize>(value: &T) -> Self {
        Self::ok(serde_json::to_value(value).unwrap_or(Value::Null))
    }

    /// No body.
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            body: ReplyBody::Empty,
            headers: Vec::new(),
        }
    }
}
