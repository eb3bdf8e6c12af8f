//! Cluster-wide and node actions (`/v1/cluster/actions`, `/v1/nodes/{uid}/actions`): the
//! simulator runs none of them (no failover, maintenance mode, node removal or rebalancing of
//! a node), so their lists are empty and asking for one names nothing (404). Starting or
//! cancelling one is [`super::not_modelled`]: answering it would pretend.

use serde_json::{json, Value};

use crate::model::ModelError;
use crate::Shared;

/// The actions of the cluster, or of every node: none run.
pub(crate) fn list() -> Value {
    json!({ "actions": [] })
}

/// The actions of node `uid` (404 when it does not exist): none run.
pub(crate) fn list_of_node(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    node(shared, uid)?;
    Ok(list())
}

/// Action `name` of the cluster, or of node `node_uid`: none runs, so none of that name.
pub(crate) fn get(shared: &Shared, node_uid: Option<i64>, name: &str) -> ModelError {
    if let Some(uid) = node_uid {
        if let Err(e) = node(shared, uid) {
            return e;
        }
    }
    ModelError::not_found("action", format!("{name:?} (no action is running)"))
}

fn node(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    if shared.with_store(|s| s.nodes.contains_key(&uid)) {
        Ok(())
    } else {
        Err(ModelError::not_found("node", uid))
    }
}
