//! Singleton settings kept in state, found in the spec rather than listed by hand: every path
//! without parameters that has a `GET` answering a JSON object and a `PUT` (or `PATCH`) taking
//! one (cluster policy, LDAP, SSO, OCSP, diagnostics, job scheduler, CM settings, metrics
//! configuration, services configuration, connection auditing, …). `GET` answers the stored
//! object, or the spec's example until something was stored; `PUT` merges the members sent into
//! it (kept only when the result is still valid against the `GET` schema); `DELETE` on the same
//! path forgets it. No setting changes the simulator's behaviour.

use std::sync::Arc;

use redis_enterprise_api::operations::{Operation, OPERATIONS};
use serde_json::Value;

use crate::api::{ApiError, Reply, ReplyBody, Req};
use crate::{fallback, schema, Shared};

/// The `GET` operation of a settings path, if the path is one.
fn getter(path: &str) -> Option<&'static Operation> {
    if path.contains('{') {
        return None;
    }
    let get = OPERATIONS
        .iter()
        .find(|o| o.path == path && o.method == "GET")?;
    let has_writer = OPERATIONS.iter().any(|o| {
        o.path == path
            && matches!(o.method, "PUT" | "PATCH")
            && schema::operation(o.id, o.method, o.path)
                .and_then(schema::request_schema)
                .is_some()
    });
    let spec = schema::operation(get.id, get.method, get.path)?;
    let (_, media) = schema::response_content(spec, 200)?;
    let body = media.get("schema").map(schema::resolve)?;
    let is_object = body.get("type").and_then(Value::as_str) == Some("object")
        || body.get("properties").is_some();
    (has_writer && is_object).then_some(get)
}

/// Whether the operation reads or writes a settings object.
pub(crate) fn handles(op: &Operation) -> bool {
    matches!(op.method, "GET" | "PUT" | "PATCH" | "DELETE") && getter(op.path).is_some()
}

/// The spec's answer for the `GET` of a path (its example or smallest valid body).
fn default_of(get: &'static Operation) -> Value {
    schema::operation(get.id, get.method, get.path)
        .and_then(|op| schema::response_content(op, 200))
        .map_or(Value::Null, |(_, media)| schema::example(media))
}

fn get_schema(get: &'static Operation) -> Option<&'static Value> {
    let op = schema::operation(get.id, get.method, get.path)?;
    schema::response_content(op, 200)?.1.get("schema")
}

/// Answers a settings operation.
pub(crate) fn answer(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let Some(get) = getter(req.op.path) else {
        return fallback::answer(req);
    };
    let path = req.op.path;
    match req.op.method {
        "GET" => {
            let stored = shared.with_store(|s| s.settings.get(path).cloned());
            match stored {
                Some(value) => Ok(Reply::ok(value)),
                None => fallback::answer(req),
            }
        }
        "DELETE" => {
            let reply = fallback::answer(req)?;
            shared.with_store(|s| s.settings.remove(path));
            shared.persist();
            Ok(reply)
        }
        _ => {
            // Validates the body against the operation's schema and gives the documented reply.
            let mut reply = fallback::answer(req)?;
            let body = req.json_value()?;
            let Value::Object(changes) = body else {
                return Ok(reply);
            };
            let merged = shared.with_store(|s| {
                let mut current = s
                    .settings
                    .get(path)
                    .cloned()
                    .unwrap_or_else(|| default_of(get));
                if let Value::Object(map) = &mut current {
                    map.extend(changes);
                }
                let valid =
                    get_schema(get).is_none_or(|sch| schema::validate(&current, sch, "$").is_ok());
                if valid {
                    s.settings.insert(path.to_string(), current.clone());
                }
                valid.then_some(current)
            });
            shared.persist();
            // A reply with the object itself shows the merged settings when they fit its schema.
            if let (Some(merged), ReplyBody::Json(_)) = (merged, &reply.body) {
                let spec = schema::operation(req.op.id, req.op.method, req.op.path);
                let fits = spec
                    .and_then(|op| schema::response_content(op, reply.status))
                    .and_then(|(_, media)| media.get("schema"))
                    .is_some_and(|sch| schema::validate(&merged, sch, "$").is_ok());
                if fits {
                    reply.body = ReplyBody::Json(merged);
                }
            }
            Ok(reply)
        }
    }
}
