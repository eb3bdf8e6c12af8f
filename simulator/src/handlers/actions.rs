//! `/v1/actions`, `/v2/actions` and `/v1/actions/bdb/{uid}` over [`crate::model::actions`].

use std::sync::Arc;

use crate::api::{ApiError, Handler, Reply, Req};
use crate::model::actions;
use crate::Shared;

/// `GET /v1/actions` and `GET /v2/actions`.
fn list(shared: &Arc<Shared>, _req: &Req, v2: bool) -> Result<Reply, ApiError> {
    if v2 {
        Ok(Reply::of(&actions::list_v2(shared)))
    } else {
        let (tasks, machines) = actions::list_v1(shared);
        Ok(Reply::ok(
            serde_json::json!({ "actions": tasks, "state-machines": machines }),
        ))
    }
}

/// `GET /v1/actions/{uid}` and `GET /v2/actions/{uid}`.
fn get(shared: &Arc<Shared>, req: &Req, v2: bool) -> Result<Reply, ApiError> {
    let action = actions::get(shared, req.param("uid"), v2)?;
    Ok(Reply::of(&action))
}

/// `GET /v1/actions/bdb/{bdb_uid}`: the state machines of one database.
fn list_for_bdb(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let bdb = req.int_param("bdb_uid")?;
    Ok(Reply::ok(serde_json::Value::Array(
        actions::state_machines_of(shared, bdb),
    )))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("action_list", Handler::Sync(|s, r| list(s, r, false))),
        ("action_list_v2", Handler::Sync(|s, r| list(s, r, true))),
        ("action_get", Handler::Sync(|s, r| get(s, r, false))),
        ("action_get_v2", Handler::Sync(|s, r| get(s, r, true))),
        ("action_bdb_list", Handler::Sync(list_for_bdb)),
    ]
}
