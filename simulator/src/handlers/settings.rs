//! Settings objects ([`crate::model::settings`]): `GET` answers the stored object, or the
//! spec's answer until something was stored; `PUT`/`PATCH` validate the body as the spec's
//! answer does, then merge it; `DELETE` gives the spec's answer and forgets the object.

use std::sync::Arc;

use redis_enterprise_api::operations::Operation;
use serde_json::Value;

use super::fallback;
use crate::api::{ApiError, Reply, ReplyBody, Req};
use crate::model::settings;
use crate::{schema, Shared};

/// Whether the operation reads or writes a settings object.
pub(crate) fn handles(op: &Operation) -> bool {
    settings::handles(op)
}

/// Answers a settings operation.
pub(crate) fn answer(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let Some(get) = settings::getter(req.op.path) else {
        return fallback::answer(req);
    };
    let path = req.op.path;
    match req.op.method {
        "GET" => match settings::stored(shared, path) {
            Some(value) => Ok(Reply::ok(value)),
            None => fallback::answer(req),
        },
        "DELETE" => {
            let reply = fallback::answer(req)?;
            settings::forget(shared, path);
            Ok(reply)
        }
        _ => {
            // Validates the body against the operation's schema and gives the documented reply.
            let mut reply = fallback::answer(req)?;
            let body = req.json_value()?;
            let Value::Object(changes) = body else {
                return Ok(reply);
            };
            let merged = settings::merge(shared, get, changes);
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
