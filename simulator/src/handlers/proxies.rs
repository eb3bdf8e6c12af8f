//! `/v1/proxies` over [`crate::model::proxies`].

use std::sync::Arc;

use serde_json::Value;

use crate::api::{ApiError, Handler, Reply, Req};
use crate::model::proxies;
use crate::Shared;

fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(proxies::list(shared))))
}

fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    proxies::get(shared, uid)
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// `PUT /v1/proxies` and `PUT /v1/proxies/{uid}`: the body's `proxy` member (checked against
/// the schema before the handler) is applied; 200 without a body, as documented.
fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = if req.op.id == "proxy_update" {
        Some(req.int_param("uid")?)
    } else {
        None
    };
    let body = req.json_value()?;
    let changes = body
        .get("proxy")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    proxies::update(shared, uid, &changes).map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("proxy_list", Handler::Sync(list)),
        ("proxy_get", Handler::Sync(get)),
        ("proxy_update", Handler::Sync(update)),
        ("proxy_update_all", Handler::Sync(update)),
    ]
}
