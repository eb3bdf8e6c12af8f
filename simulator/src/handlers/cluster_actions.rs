//! `/v1/cluster/actions...` and `/v1/nodes/.../actions...` over
//! [`crate::model::cluster_actions`]: node maintenance actions and the cluster-wide
//! `change_master` start, show and cancel.

use std::sync::Arc;

use serde_json::Value;

use crate::api::{ApiError, Handler, Reply, Req};
use crate::model::cluster_actions::{self, MaintenanceOptions};
use crate::Shared;

fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(cluster_actions::list(shared)))
}

/// `POST /v1/cluster/actions/{action}`: 200 without a body (the spec documents none); the
/// action is then found by its name in the cluster's actions.
fn start_cluster(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = if req.body.is_empty() {
        Value::Null
    } else {
        req.json_value()?
    };
    cluster_actions::start_cluster(shared, req.param("action"), body.get("node_uid"))
        .map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

fn list_of_nodes(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(cluster_actions::list_of_nodes(shared)))
}

fn list_of_node(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("node_uid")?;
    Ok(Reply::ok(cluster_actions::list_of_node(shared, uid)?))
}

fn node_of(req: &Req) -> Result<Option<i64>, ApiError> {
    if req.op.id.starts_with("node_") {
        Ok(Some(req.int_param("node_uid")?))
    } else {
        Ok(None)
    }
}

fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let node = node_of(req)?;
    Ok(Reply::ok(cluster_actions::get(
        shared,
        node,
        req.param("action"),
    )?))
}

/// The maintenance options of a `node_action_start` body (checked against its schema before
/// the handler).
fn options(body: &Value) -> MaintenanceOptions {
    let flag = |key: &str| body.get(key).and_then(Value::as_bool);
    let keeps_shards = if flag("evict_ha_replica") == Some(false) {
        Some("evict_ha_replica false")
    } else if flag("evict_active_active_replica") == Some(false) {
        Some("evict_active_active_replica false")
    } else if flag("keep_slave_shards") == Some(true) {
        Some("keep_slave_shards")
    } else if body.get("evict_dbs").is_some() {
        Some("evict_dbs")
    } else {
        None
    };
    MaintenanceOptions {
        overwrite_snapshot: flag("overwrite_snapshot") == Some(true),
        keeps_shards,
        snapshot_name: body
            .get("snapshot_name")
            .and_then(Value::as_str)
            .map(str::to_string),
        skip_shards_restore: flag("skip_shards_restore") == Some(true),
    }
}

/// `POST /v1/nodes/{node_uid}/actions/{action}`: 200 without a body (the spec documents
/// none); the action is then found by its name on the node.
fn start_node(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("node_uid")?;
    let body = req.json_value()?;
    cluster_actions::start_node(shared, uid, req.param("action"), options(&body))
        .map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

fn cancel(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    match node_of(req)? {
        Some(uid) => {
            cluster_actions::cancel_node(shared, uid, req.param("action"))?;
            Ok(Reply::empty(200))
        }
        None => {
            cluster_actions::cancel_cluster(shared, req.param("action"))?;
            Ok(Reply::empty(200))
        }
    }
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("cluster_action_list", Handler::Sync(list)),
        ("cluster_action_start", Handler::Sync(start_cluster)),
        ("cluster_action_get", Handler::Sync(get)),
        ("cluster_action_cancel", Handler::Sync(cancel)),
        ("node_action_list_all", Handler::Sync(list_of_nodes)),
        ("node_action_list", Handler::Sync(list_of_node)),
        ("node_action_get", Handler::Sync(get)),
        ("node_action_start", Handler::Sync(start_node)),
        ("node_action_cancel", Handler::Sync(cancel)),
    ]
}
