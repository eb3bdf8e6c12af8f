//! `GET /v1/cluster/actions...` and `GET /v1/nodes/.../actions...` over
//! [`crate::model::cluster_actions`]; starting and cancelling them answers 501.

use std::sync::Arc;

use crate::api::{ApiError, Handler, Reply, Req};
use crate::model::cluster_actions;
use crate::Shared;

fn list(_shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(cluster_actions::list()))
}

fn list_of_node(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("node_uid")?;
    Ok(Reply::ok(cluster_actions::list_of_node(shared, uid)?))
}

fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let node = if req.op.id.starts_with("node_") {
        Some(req.int_param("node_uid")?)
    } else {
        None
    };
    Err(cluster_actions::get(shared, node, req.param("action")).into())
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("cluster_action_list", Handler::Sync(list)),
        ("cluster_action_get", Handler::Sync(get)),
        ("node_action_list_all", Handler::Sync(list)),
        ("node_action_list", Handler::Sync(list_of_node)),
        ("node_action_get", Handler::Sync(get)),
    ]
}
