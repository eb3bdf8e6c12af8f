//! The routed, authenticated request ([`Req`]) and what handlers read from it: path and query
//! parameters, the body as JSON, and the statuses its operation documents for refusals.

use std::collections::BTreeMap;

use bytes::Bytes;
use redis_enterprise_api::operations::Operation;
use serde_json::Value;

use super::ApiError;
pub(crate) use crate::model::users::Caller;

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
    /// The `cluster-state-id` header, if any (database create and update).
    pub cluster_state_id: Option<String>,
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
        // The spec types some ids as strings (the reference does); no object has an id that is
        // not an integer, so such an id names nothing: 404 where the operation documents it, as
        // for an integer that names nothing.
        raw.parse().map_err(|_| {
            let status = if self.documents(404) {
                404
            } else {
                self.refusal_status().unwrap_or(400)
            };
            ApiError::new(
                status,
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

    /// A model's error as this operation answers it: a missing object is 404
    /// `<what>_not_exist`, or, where the operation documents no 404 (`user_delete` lists only
    /// 200 and 406), the documented refusal status; any other error as [`ApiError::from`] maps it.
    pub fn missing(&self, e: crate::model::ModelError) -> ApiError {
        let not_found = e.kind == crate::model::ErrorKind::NotFound;
        let mut e = ApiError::from(e);
        if !not_found {
            return e;
        }
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

    /// Whether the operation documents `status`.
    pub fn documents(&self, status: u16) -> bool {
        crate::schema::operation(self.op.id, self.op.method, self.op.path)
            .is_some_and(|op| crate::schema::statuses(op).contains(&status))
    }

    /// The `cluster-state-id` header as a number (406 `wrong_cluster_state_id` when it is not
    /// one: it names no state of the cluster).
    pub fn expected_state(&self) -> Result<Option<u64>, ApiError> {
        match &self.cluster_state_id {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                ApiError::new(
                    406,
                    "wrong_cluster_state_id",
                    format!("cluster-state-id {v:?} is not a cluster state id"),
                )
            }),
        }
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
pub(crate) fn decode<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    crate::model::decode(value).map_err(ApiError::from)
}

/// Validates the body against a schema of the spec (400 `invalid_schema` naming the path).
pub(crate) fn validate_named(value: &Value, schema: &str) -> Result<(), ApiError> {
    crate::model::validate_named(value, schema).map_err(ApiError::from)
}
