//! Cluster-wide and node actions (`/v1/cluster/actions`, `/v1/nodes/{uid}/actions`).
//!
//! Node maintenance is modelled: `maintenance_on` takes a maintenance snapshot of the node,
//! stops it accepting shards (`accept_servers` false, `max_redis_servers` 0, as a quorum-only
//! node shows) and moves the shards of every database that has one there to the other nodes
//! (placed by the rule, [`crate::state::Store::place`]), recording in the snapshot where they
//! were; `maintenance_off` restores the node from that snapshot and those shards come back (a
//! database created meanwhile stays where it was placed until a rebalance). Each runs as an action (`running`, then
//! `completed` or `failed` after the action delay) that the node's action lists show; cancelling
//! a running one stops it before it changes anything, and cancelling a finished one removes its
//! status. `remove` (node removal) and `enslave_node` (replica roles on a node) are
//! [`super::not_modelled`] per action: the simulator's nodes cannot leave and its shard roles
//! are fixed by replication.
//!
//! The cluster-wide action `change_master` is modelled: it runs as an action of the cluster
//! (`object_name` `cluster`) that the cluster's action lists show, and on completion the node it
//! names is the cluster's primary node (its node status shows `role` `master`, every other node
//! `slave`); it fails when that node is gone by then. Cancelling works as for node actions.

use std::sync::Arc;

use serde_json::{json, Value};

use super::{actions, bdbs, ModelError};
use crate::state::{iso_from_secs, now_secs, Store};
use crate::Shared;

/// The node actions the simulator runs.
const MODELLED: &[&str] = &["maintenance_on", "maintenance_off"];
/// The node actions the reference documents that the simulator does not run.
const NOT_RUN: &[&str] = &["remove", "enslave_node"];

/// The cluster-wide actions the simulator runs.
const CLUSTER_ACTIONS: &[&str] = &["change_master"];

fn is_cluster_action(e: &crate::state::ActionEntry) -> bool {
    e.node.is_none() && e.bdb_uid.is_none() && e.action.object_name.as_deref() == Some("cluster")
}

/// The actions of the cluster.
pub(crate) fn list(shared: &Shared) -> Value {
    let now = shared.clock.now_ms();
    shared.with_store(|s| {
        let actions: Vec<Value> = s
            .actions
            .values()
            .filter(|e| is_cluster_action(e))
            .map(|e| serde_json::to_value(actions::view(e, false, now)).unwrap_or(Value::Null))
            .collect();
        json!({ "actions": actions })
    })
}

/// The uid of the latest cluster action `name`.
fn last_of_cluster(s: &Store, name: &str) -> Option<String> {
    s.actions
        .iter()
        .filter(|(_, e)| is_cluster_action(e) && e.action.name.as_deref() == Some(name))
        .max_by_key(|(_, e)| e.started_ms)
        .map(|(k, _)| k.clone())
}

/// Starts cluster action `name`: `invalid_action` (400) for a name the reference does not
/// document, `missing_field` (400) when `change_master` names no node or `invalid_parameter`
/// when the name is not a node uid, 404 for an unknown node, 409 `action_in_progress` while
/// the same action runs. The node becomes the primary node when the action completes.
pub(crate) fn start_cluster(
    shared: &Arc<Shared>,
    name: &str,
    node_uid: Option<&Value>,
) -> Result<String, ModelError> {
    if !CLUSTER_ACTIONS.contains(&name) {
        return Err(ModelError::invalid(
            "invalid_action",
            format!("unknown cluster action {name:?}; cluster actions: change_master"),
        ));
    }
    let target = match node_uid {
        None | Some(Value::Null) => {
            return Err(ModelError::invalid(
                "missing_field",
                "change_master needs node_uid: the node to make the primary node",
            ))
        }
        Some(Value::String(t)) => t.trim().parse::<i64>().ok(),
        Some(v) => v.as_i64(),
    }
    .ok_or_else(|| {
        ModelError::invalid(
            "invalid_parameter",
            format!(
                "node_uid {} is not a node uid",
                node_uid.unwrap_or(&Value::Null)
            ),
        )
    })?;
    node(shared, target)?;
    let now = shared.clock.now_ms();
    let delay = shared.config.action_delay;
    let action = shared.with_store(|s| {
        let busy = s.actions.values().any(|e| {
            is_cluster_action(e)
                && actions::is_running(&e.action)
                && e.action.name.as_deref() == Some(name)
        });
        if busy {
            return Err(ModelError::conflict(
                "action_in_progress",
                format!("cluster action {name} is already running"),
            ));
        }
        // Starting an action discards the status of its previous run.
        if let Some(previous) = last_of_cluster(s, name) {
            s.actions.remove(&previous);
        }
        let uid = actions::start(s, name, None, now, delay);
        // The primary node runs cluster-wide actions.
        let master = s.master_node().to_string();
        if let Some(entry) = s.actions.get_mut(&uid) {
            entry.action.object_name = Some("cluster".into());
            entry.action.node_uid = Some(master);
        }
        Ok(uid)
    })?;
    shared.persist();
    complete_when_due(shared, &action, now + delay.as_millis() as i64, move |s| {
        if s.nodes.contains_key(&target) {
            s.master_node = Some(target);
            Ok(())
        } else {
            Err(("node_not_exist", format!("node {target} no longer exists")))
        }
    });
    Ok(action)
}

fn node_actions(s: &Store, node: Option<i64>, now: i64) -> Vec<Value> {
    s.actions
        .values()
        .filter(|e| e.node.is_some() && (node.is_none() || e.node == node))
        .map(|e| serde_json::to_value(actions::view(e, false, now)).unwrap_or(Value::Null))
        .collect()
}

/// The actions of every node.
pub(crate) fn list_of_nodes(shared: &Shared) -> Value {
    let now = shared.clock.now_ms();
    shared.with_store(|s| json!({ "actions": node_actions(s, None, now) }))
}

/// The actions of node `uid` (404 when it does not exist).
pub(crate) fn list_of_node(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    node(shared, uid)?;
    let now = shared.clock.now_ms();
    Ok(shared.with_store(|s| json!({ "actions": node_actions(s, Some(uid), now) })))
}

/// The last action `name` of node `node_uid`, or of the cluster when `None` (404 when there is
/// none).
pub(crate) fn get(shared: &Shared, node_uid: Option<i64>, name: &str) -> Result<Value, ModelError> {
    if let Some(uid) = node_uid {
        node(shared, uid)?;
    }
    let now = shared.clock.now_ms();
    shared
        .with_store(|s| {
            match node_uid {
                Some(uid) => last_of(s, uid, name),
                None => last_of_cluster(s, name),
            }
            .and_then(|k| s.actions.get(&k))
            .map(|e| serde_json::to_value(actions::view(e, false, now)).unwrap_or(Value::Null))
        })
        .ok_or_else(|| no_action(name))
}

fn no_action(name: &str) -> ModelError {
    ModelError::not_found(
        "action",
        format!("{name:?} (not running, and no status of a last run)"),
    )
}

fn node(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    if shared.with_store(|s| s.nodes.contains_key(&uid)) {
        Ok(())
    } else {
        Err(ModelError::not_found("node", uid))
    }
}

/// The uid of the latest action `name` of node `uid`.
fn last_of(s: &Store, uid: i64, name: &str) -> Option<String> {
    s.actions
        .iter()
        .filter(|(_, e)| e.node == Some(uid) && e.action.name.as_deref() == Some(name))
        .max_by_key(|(_, e)| e.started_ms)
        .map(|(k, _)| k.clone())
}

/// Options of a maintenance action (the body of `node_action_start`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MaintenanceOptions {
    /// `maintenance_on`: take a new snapshot even when one exists.
    pub overwrite_snapshot: bool,
    /// `maintenance_on`: options that keep some shards on the node (`evict_ha_replica` or
    /// `evict_active_active_replica` false, `keep_slave_shards`, `evict_dbs`), named.
    pub keeps_shards: Option<&'static str>,
    /// `maintenance_off`: the snapshot to restore (the node's maintenance snapshot).
    pub snapshot_name: Option<String>,
    /// `maintenance_off`: leave the shards where they are.
    pub skip_shards_restore: bool,
}

/// Starts action `name` on node `uid`: 404 for an unknown node; `invalid_action` (400) for a
/// name the reference does not document; `not_modelled` for `remove`, `enslave_node` and for
/// options that keep shards where the placement cannot; 409 `action_in_progress` while a
/// maintenance action runs on the node. The action's work is done when it completes.
pub(crate) fn start_node(
    shared: &Arc<Shared>,
    uid: i64,
    name: &str,
    options: MaintenanceOptions,
) -> Result<String, ModelError> {
    node(shared, uid)?;
    if NOT_RUN.contains(&name) {
        return Err(ModelError::not_modelled(format!(
            "node action {name} (the simulator's nodes cannot leave the cluster and their shard roles follow replication)"
        )));
    }
    if !MODELLED.contains(&name) {
        return Err(ModelError::invalid(
            "invalid_action",
            format!(
                "unknown node action {name:?}; node actions: maintenance_on, maintenance_off, remove, enslave_node"
            ),
        ));
    }
    if let Some(option) = options.keeps_shards.filter(|_| name == "maintenance_on") {
        return Err(ModelError::not_modelled(format!(
            "keeping shards on a node in maintenance ({option}: the shards are placed round-robin over the nodes not in maintenance)"
        )));
    }
    if options.skip_shards_restore && name == "maintenance_off" {
        return Err(ModelError::not_modelled(
            "skip_shards_restore (the shards are placed round-robin over the nodes not in maintenance)",
        ));
    }
    let now = shared.clock.now_ms();
    let delay = shared.config.action_delay;
    let action = shared.with_store(|s| {
        let busy = s.actions.values().any(|e| {
            e.node == Some(uid)
                && actions::is_running(&e.action)
                && e.action
                    .name
                    .as_deref()
                    .is_some_and(|n| MODELLED.contains(&n))
        });
        if busy {
            return Err(ModelError::conflict(
                "action_in_progress",
                format!("a maintenance action is already running on node {uid}"),
            ));
        }
        // Starting an action discards the status of its previous run.
        if let Some(previous) = last_of(s, uid, name) {
            s.actions.remove(&previous);
        }
        Ok(actions::start_on_node(s, name, uid, now, delay))
    })?;
    shared.persist();
    let turn_on = name == "maintenance_on";
    complete_when_due(shared, &action, now + delay.as_millis() as i64, move |s| {
        if turn_on {
            maintenance_on(s, uid, options.overwrite_snapshot)
        } else {
            maintenance_off(s, uid, options.snapshot_name.as_deref())
        }
    });
    Ok(action)
}

/// Does `work` on the store once action `action` is due on the clock (`due_ms`), unless it was
/// cancelled meanwhile, and ends the action with the outcome.
fn complete_when_due(
    shared: &Arc<Shared>,
    action: &str,
    due_ms: i64,
    work: impl FnOnce(&mut Store) -> Result<(), (&'static str, String)> + Send + 'static,
) {
    let shared = shared.clone();
    let action = action.to_string();
    tokio::spawn(async move {
        shared.clock.sleep_until(due_ms).await;
        shared.with_store(|s| {
            let still_running = s
                .actions
                .get(&action)
                .is_some_and(|e| actions::is_running(&e.action));
            if still_running {
                let outcome = work(s);
                actions::finish(s, &action, outcome.err());
            }
        });
        shared.persist();
    });
}

/// Puts node `uid` in maintenance: fails (`insufficient_resources`) when it hosts shards and no
/// other node is out of maintenance to take them. A node already in maintenance keeps its
/// snapshot unless `overwrite`.
fn maintenance_on(s: &mut Store, uid: i64, overwrite: bool) -> Result<(), (&'static str, String)> {
    // Each database with a shard on the node: where its shards are, and where the rule places
    // them without the node (and its own avoided nodes).
    let mut moves: Vec<(i64, Vec<i64>, Vec<i64>)> = Vec::new();
    for (bdb_uid, entry) in &s.bdbs {
        let old = s.shard_nodes(entry);
        if !old.contains(&uid) {
            continue;
        }
        let mut avoid = bdbs::avoided(&entry.bdb);
        avoid.push(uid);
        let Some(new) = s.place(old.len(), &avoid) else {
            return Err((
                "insufficient_resources",
                format!("no other node can take the shards of node {uid} (database {bdb_uid})"),
            ));
        };
        moves.push((*bdb_uid, old, new));
    }
    let node = s.nodes.get_mut(&uid).and_then(Value::as_object_mut);
    let Some(node) = node else {
        return Err(("node_not_exist", format!("node {uid} does not exist")));
    };
    let existing = s.maintenance.get(&uid).cloned();
    // Where the moved shards were, for maintenance_off to put them back.
    let mut placements = match (&existing, overwrite) {
        (Some(snapshot), false) => snapshot["placements"]
            .as_object()
            .cloned()
            .unwrap_or_default(),
        _ => serde_json::Map::new(),
    };
    for (bdb_uid, old, _) in &moves {
        placements
            .entry(bdb_uid.to_string())
            .or_insert_with(|| json!(old));
    }
    let restores = match &existing {
        Some(snapshot) => snapshot["restores"].clone(),
        None => json!({
            "accept_servers": node.get("accept_servers").cloned().unwrap_or(Value::Bool(true)),
            "max_redis_servers": node.get("max_redis_servers").cloned().unwrap_or(Value::Null),
        }),
    };
    if existing.is_none() || overwrite {
        let now = now_secs();
        let name = format!(
            "maintenance_mode_{}",
            iso_from_secs(now)
                .replace('T', "_")
                .replace(':', "-")
                .trim_end_matches('Z')
        );
        s.maintenance.insert(
            uid,
            json!({ "name": name, "time": iso_from_secs(now), "restores": restores }),
        );
    }
    node.insert("accept_servers".into(), Value::Bool(false));
    node.insert("max_redis_servers".into(), json!(0));
    // Where shards may go changed: blueprints computed before no longer apply.
    s.cluster_state_id += 1;
    if let Some(snapshot) = s.maintenance.get_mut(&uid).and_then(Value::as_object_mut) {
        snapshot.insert("placements".into(), Value::Object(placements));
    }
    for (bdb_uid, _, new) in moves {
        if let Some(entry) = s.bdbs_mut().get_mut(&bdb_uid) {
            entry.shard_nodes = Some(new);
        }
    }
    Ok(())
}

/// Takes node `uid` out of maintenance, restoring what its snapshot recorded: fails when it has
/// no maintenance snapshot, or not the one named.
fn maintenance_off(
    s: &mut Store,
    uid: i64,
    snapshot_name: Option<&str>,
) -> Result<(), (&'static str, String)> {
    let Some(snapshot) = s.maintenance.get(&uid).cloned() else {
        return Err((
            "snapshot_not_exist",
            format!("node {uid} has no maintenance snapshot to restore"),
        ));
    };
    if let Some(wanted) = snapshot_name.filter(|w| snapshot["name"] != *w) {
        return Err((
            "snapshot_not_exist",
            format!("node {uid} has no snapshot {wanted:?}"),
        ));
    }
    if let Some(node) = s.nodes.get_mut(&uid).and_then(Value::as_object_mut) {
        if let Some(restores) = snapshot["restores"].as_object() {
            for (k, v) in restores.iter().filter(|(_, v)| !v.is_null()) {
                node.insert(k.clone(), v.clone());
            }
        }
    }
    s.maintenance.remove(&uid);
    s.cluster_state_id += 1;
    // The shards the snapshot moved away go back, for each database that still has as many
    // shards and whose former nodes are all open; the others stay where they are (a rebalance
    // places them by the rule).
    let placements = snapshot["placements"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (bdb_uid, nodes) in placements {
        let (Ok(bdb_uid), Some(nodes)) = (bdb_uid.parse::<i64>(), nodes.as_array()) else {
            continue;
        };
        let nodes: Vec<i64> = nodes.iter().filter_map(Value::as_i64).collect();
        let open = nodes.iter().all(|n| !s.maintenance.contains_key(n));
        let fits = s
            .bdbs
            .get(&bdb_uid)
            .is_some_and(|e| e.bdb.shard_list.as_ref().map_or(0, Vec::len) == nodes.len());
        if open && fits {
            if let Some(entry) = s.bdbs_mut().get_mut(&bdb_uid) {
                entry.shard_nodes = Some(nodes);
            }
        }
    }
    Ok(())
}

/// Cancels action `name` of node `uid`: a running one is `cancelled` (its work is not done), a
/// finished one's status is removed; 404 when the node has none of that name.
pub(crate) fn cancel_node(shared: &Shared, uid: i64, name: &str) -> Result<(), ModelError> {
    node(shared, uid)?;
    cancel(shared, |s| last_of(s, uid, name), name)
}

/// Cancels cluster action `name`, as [`cancel_node`] does a node's.
pub(crate) fn cancel_cluster(shared: &Shared, name: &str) -> Result<(), ModelError> {
    cancel(shared, |s| last_of_cluster(s, name), name)
}

fn cancel(
    shared: &Shared,
    find: impl FnOnce(&Store) -> Option<String>,
    name: &str,
) -> Result<(), ModelError> {
    shared.with_store(|s| {
        let key = find(s).ok_or_else(|| no_action(name))?;
        let running = s
            .actions
            .get(&key)
            .is_some_and(|e| actions::is_running(&e.action));
        if running {
            if let Some(e) = s.actions.get_mut(&key) {
                e.action.status = Some(redis_enterprise_api::types::ActionStatus::Cancelled);
                e.action.state = Some("cancelled".into());
                e.action.heartbeat = Some(now_secs());
            }
        } else {
            s.actions.remove(&key);
        }
        Ok::<(), ModelError>(())
    })?;
    shared.persist();
    Ok(())
}
