//! What is not stateful. An operation in [`crate::NOT_MODELLED`] answers 501 with an `ErrorBody`
//! (`error_code` `not_modelled`) naming what the simulator does not model: answering it would
//! pretend. Every other operation that no resource handles yet is answered from the spec: the
//! request body is validated against the operation's schema (400 `invalid_schema` naming the
//! path), then the reply is the operation's lowest documented 2xx status with its example, or
//! the smallest body valid against its schema. Nothing here reads or changes the store.

use bytes::Bytes;
use serde_json::Value;

use crate::api::{ApiError, Reply, ReplyBody, Req};
use crate::model::not_modelled::not_modelled_reason;
use crate::model::ModelError;
use crate::schema;

/// The 501 of an operation in [`crate::NOT_MODELLED`], whatever its parameters name.
pub(crate) fn refuse(req: &Req) -> Result<Reply, ApiError> {
    let why = not_modelled_reason(req.op.id).unwrap_or("this operation");
    Err(ModelError::not_modelled(format!("{why}: {} answers 501", req.op.id)).into())
}

/// Answers `req` from the spec.
pub(crate) fn answer(req: &Req) -> Result<Reply, ApiError> {
    let Some(op) = schema::operation(req.op.id, req.op.method, req.op.path) else {
        // The operation table and the embedded spec come from the same codegen run.
        return Ok(Reply::empty(200));
    };
    check_int_params(req, op)?;
    check_parts(req, op)?;
    if let Some(body_schema) = schema::request_schema(op) {
        if !req.body.is_empty() {
            let body = req.json_value()?;
            schema::validate(&body, body_schema, "$")
                .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
        }
    }
    let statuses = schema::statuses(op);
    let status = statuses
        .iter()
        .copied()
        .find(|s| (200..300).contains(s))
        .unwrap_or(200);
    Ok(match schema::response_content(op, status) {
        Some(("application/json", media)) => Reply::json(status, schema::example(media)),
        Some((ct, media)) => {
            let text = match media.get("example") {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            let ct: &'static str = ct;
            Reply {
                status,
                body: ReplyBody::Raw(ct, Bytes::from(text)),
                headers: Vec::new(),
            }
        }
        None => Reply::empty(status),
    })
}

/// Path parameters the spec types as integers must be integers.
fn check_int_params(req: &Req, op: &'static Value) -> Result<(), ApiError> {
    let Some(params) = op.get("parameters").and_then(Value::as_array) else {
        return Ok(());
    };
    for p in params.iter().map(schema::resolve) {
        if p.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let is_int = p
            .get("schema")
            .map(schema::resolve)
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("integer");
        if let (true, Some(name)) = (is_int, p.get("name").and_then(Value::as_str)) {
            // An operation that documents no refusal answers its example whatever the uid.
            if req.refusal_status().is_some() {
                req.int_param(name)?;
            }
        }
    }
    Ok(())
}

/// A `multipart/form-data` body must be one, with a part for every member its schema requires
/// (a module upload without its `module` part is refused, as a cluster refuses it).
fn check_parts(req: &Req, op: &'static Value) -> Result<(), ApiError> {
    let Some(body_schema) = op
        .get("requestBody")
        .map(schema::resolve)
        .and_then(|b| b.get("content"))
        .and_then(|c| c.get("multipart/form-data"))
        .and_then(|m| m.get("schema"))
        .map(schema::resolve)
    else {
        return Ok(());
    };
    let multipart = req.content_type.as_deref().is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"))
    });
    if !multipart {
        return Err(ApiError::new(
            400,
            "unsupported_media_type",
            "the body must be multipart/form-data",
        ));
    }
    let body = String::from_utf8_lossy(&req.body);
    let required = body_schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    for name in required {
        if !body.contains(&format!("name=\"{name}\"")) {
            return Err(ApiError::new(
                400,
                "missing_part",
                format!("the multipart body has no {name:?} part"),
            ));
        }
    }
    Ok(())
}
