//! What handlers and the HTTP side share: the routed request ([`Req`]), the reply ([`Reply`])
//! and the error in the spec's `ErrorBody` shape ([`ApiError`]). It imports no handler and no
//! part of the server, so every resource can use it without a cycle.

use std::collections::BTreeMap;

use bytes::Bytes;
use redis_enterprise_api::operations::Operation;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Who is calling.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The user's uid (0 before bootstrap).
    pub uid: i64,
    /// The user's email (or name).
    pub email: String,
    /// The management role that decides permissions.
    pub management: String,
}

/// A routed, authenticated request.
pub(crate) struct Req {
    /// The operation.
    pub op: &'static Operation,
    /// Path parameters by name.
    pub params: BTreeMap<String, String>,
    /// Query parameters by name.
    pub query: BTreeMap<String, String>,
    /// The body.
    pub body: Bytes,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The caller.
    pub caller: Caller,
}

impl Req {
    /// A path parameter that must be an integer. Anything else (not a number, or beyond 64
    /// bits) names no object: `invalid_uid` with the first of 400, 404, 406 the operation
    /// documents (400 when it documents none).
    pub fn int_param(&self, name: &str) -> Result<i64, ApiError> {
        let raw = self
            .params
            .get(name)
            .map(String::as_str)
            .unwrap_or_default();
        raw.parse().map_err(|_| {
            ApiError::new(
                self.refusal_status().unwrap_or(400),
                "invalid_uid",
                format!("path parameter {name} must be an integer, got {raw:?}"),
            )
        })
    }

    /// The first of 400, 406 the operation documents: how it refuses input it cannot use.
    pub fn input_refusal_status(&self) -> Option<u16> {
        let op = crate::schema::operation(self.op.id, self.op.method, self.op.path)?;
        let statuses = crate::schema::statuses(op);
        [400, 406].into_iter().find(|s| statuses.contains(s))
    }

    /// The first of 400, 404, 406 the operation documents.
    pub fn refusal_status(&self) -> Option<u16> {
        let op = crate::schema::operation(self.op.id, self.op.method, self.op.path)?;
        let statuses = crate::schema::statuses(op);
        [400, 404, 406].into_iter().find(|s| statuses.contains(s))
    }

    /// The error for a missing object: 404 `<what>_not_exist`, or, where the operation documents
    /// no 404 (`user_delete` lists only 200 and 406), the documented refusal status.
    pub fn missing(&self, what: &str, id: impl std::fmt::Display) -> ApiError {
        let mut e = ApiError::not_found(what, id);
        if let Some(op) = crate::schema::operation(self.op.id, self.op.method, self.op.path) {
            let statuses = crate::schema::statuses(op);
            if !statuses.contains(&404) {
                if let Some(s) = [406, 400].into_iter().find(|s| statuses.contains(s)) {
                    e.status = s;
                }
            }
        }
        e
    }

    /// A path parameter as a string.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// A boolean query parameter (`true`/`1`), false when absent.
    pub fn query_flag(&self, name: &str) -> bool {
        self.query
            .get(name)
            .is_some_and(|v| matches!(v.as_str(), "true" | "1" | "yes" | ""))
    }

    /// The body as JSON (`{}` when empty), checking the content type.
    pub fn json_value(&self) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        if let Some(ct) = &self.content_type {
            let mime = ct.split(';').next().unwrap_or_default().trim();
            if !mime.eq_ignore_ascii_case("application/json") && !mime.ends_with("+json") {
                return Err(ApiError::new(
                    415,
                    "unsupported_media_type",
                    format!("the body must be application/json, not {mime}"),
                ));
            }
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::new(
                400,
                "invalid_json",
                format!("the body is not valid JSON: {e}"),
            )
        })
    }
}

/// Decodes a JSON value into a generated type (400 `invalid_schema` naming the path).
pub(crate) fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        ApiError::new(
            400,
            "invalid_schema",
            format!("invalid value at {}: {}", e.path(), e.inner()),
        )
    })
}

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

    /// 404 for a missing object.
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::new(
            404,
            &format!("{what}_not_exist"),
            format!("{what} {id} does not exist"),
        )
    }

    /// The reply carrying this error as an `ErrorBody`.
    pub fn into_reply(self) -> Reply {
        Reply::json(
            self.status,
            serde_json::json!({ "error_code": self.code, "description": self.description }),
        )
    }
}

/// A handler's future.
pub(crate) type BoxFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Reply, ApiError>> + Send + 'a>>;

/// What serves one operation. Each resource registers its handlers by operation id (its
/// `register()`), and the server builds its routing table from those lists.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    /// Answers at once.
    Sync(fn(&std::sync::Arc<crate::Shared>, &Req) -> Result<Reply, ApiError>),
    /// Awaits redis-server or the clock.
    Async(for<'a> fn(&'a std::sync::Arc<crate::Shared>, &'a Req) -> BoxFuture<'a>),
}

impl Handler {
    /// Runs the handler.
    pub async fn call(
        self,
        shared: &std::sync::Arc<crate::Shared>,
        req: &Req,
    ) -> Result<Reply, ApiError> {
        match self {
            Self::Sync(f) => f(shared, req),
            Self::Async(f) => f(shared, req).await,
        }
    }
}

/// [`Handler::Async`] for an `async fn(&Arc<Shared>, &Req) -> Result<Reply, ApiError>`.
macro_rules! async_handler {
    ($f:path) => {{
        fn boxed<'a>(
            shared: &'a std::sync::Arc<crate::Shared>,
            req: &'a crate::api::Req,
        ) -> crate::api::BoxFuture<'a> {
            Box::pin($f(shared, req))
        }
        crate::api::Handler::Async(boxed)
    }};
}
pub(crate) use async_handler;
