//! The cluster as a whole: bootstrap (`idle` → `creating_cluster` → `completed`), cluster
//! settings kept as sent, the license, nodes with status and uptime, and cluster alerts (raised
//! from the databases' real memory use).
//!
//! What it does not model: joining or removing nodes (the node count is fixed at start),
//! certificates, LDAP, SSO, services, or any setting changing behaviour.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{bdbs, ModelError};
use crate::state::{iso_now, Store};
use crate::Shared;

/// The bootstrap status and the local node's information.
pub(crate) fn bootstrap_status(shared: &Shared) -> Value {
    shared.with_store(|s| {
        let mut status = Map::new();
        status.insert("state".into(), Value::String(s.bootstrap.state.clone()));
        if let Some(t) = &s.bootstrap.start_time {
            status.insert("start_time".into(), Value::String(t.clone()));
        }
        if let Some(t) = &s.bootstrap.end_time {
            status.insert("end_time".into(), Value::String(t.clone()));
        }
        serde_json::json!({
            "bootstrap_status": status,
            "local_node_info": {
                "uid": 1,
                "software_version": crate::release::find(&shared.config.release)
                    .map_or("", |r| r.software_version),
                "cores": 2,
            },
        })
    })
}

/// How a node becomes part of a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BootstrapAction {
    /// `create_cluster`.
    Create,
    /// `join_cluster`.
    Join,
    /// `recover_cluster`.
    Recover,
}

impl BootstrapAction {
    fn state(self) -> &'static str {
        match self {
            Self::Create => "creating_cluster",
            Self::Join => "joining_cluster",
            Self::Recover => "recovering_cluster",
        }
    }
}

/// What a bootstrap request sets.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bootstrap {
    /// The cluster's name.
    pub cluster_name: Option<String>,
    /// The admin's new email and password.
    pub credentials: Option<(String, String)>,
}

/// Starts creating (or joining, recovering) the cluster; the state is `completed` after the
/// action delay. The credentials become the admin user's, the name the cluster's.
pub(crate) fn start_bootstrap(
    shared: &Arc<Shared>,
    action: BootstrapAction,
    bootstrap: Bootstrap,
) -> Result<(), ModelError> {
    shared.with_store(|s| {
        if !matches!(s.bootstrap.state.as_str(), "idle" | "error") {
            return Err(ModelError::conflict(
                "bootstrap_in_progress",
                format!("bootstrap is {} already", s.bootstrap.state),
            ));
        }
        s.bootstrap.state = action.state().into();
        s.bootstrap.start_time = Some(iso_now());
        if let Some(name) = &bootstrap.cluster_name {
            if let Some(obj) = s.cluster.as_object_mut() {
                obj.insert("name".into(), Value::String(name.clone()));
            }
        }
        if let (Some((u, p)), Some(admin)) = (&bootstrap.credentials, s.users.get_mut(&1)) {
            admin.user.email = Some(u.to_string());
            admin.set_password(p);
        }
        Ok(())
    })?;
    shared.persist();
    let task_shared = shared.clone();
    let deadline = shared.clock.now_ms() + shared.config.action_delay.as_millis() as i64;
    tokio::spawn(async move {
        task_shared.clock.sleep_until(deadline).await;
        task_shared.with_store(|s| {
            s.bootstrap.state = "completed".into();
            s.bootstrap.end_time = Some(iso_now());
        });
        task_shared.persist();
    });
    Ok(())
}

/// The cluster object.
pub(crate) fn get(shared: &Shared) -> Value {
    shared.with_store(|s| s.cluster.clone())
}

/// The members sent replace the stored ones; answers the cluster object.
pub(crate) fn update(shared: &Shared, changes: Map<String, Value>) -> Value {
    let cluster = shared.with_store(|s| {
        if let Some(cluster) = s.cluster.as_object_mut() {
            cluster.extend(changes);
        }
        s.cluster.clone()
    });
    shared.persist();
    cluster
}

/// The license, with the shards in use.
pub(crate) fn license(shared: &Shared) -> Value {
    shared.with_store(|s| {
        let mut license = s.license.clone();
        let shards: i64 = s
            .bdbs
            .values()
            .map(|e| e.bdb.shard_list.as_ref().map_or(0, |l| l.len() as i64))
            .sum();
        if let Some(obj) = license.as_object_mut() {
            obj.insert("ram_shards_in_use".into(), Value::from(shards));
        }
        license
    })
}

/// Installs a license text; answers the license object.
pub(crate) fn install_license(shared: &Shared, text: String) -> Value {
    let license = shared.with_store(|s| {
        if let Some(obj) = s.license.as_object_mut() {
            obj.insert("license".into(), Value::String(text));
            obj.insert("activation_date".into(), Value::String(iso_now()));
            obj.insert("expired".into(), Value::Bool(false));
        }
        s.license.clone()
    });
    shared.persist();
    license
}

fn node_view(s: &Store, uid: i64, node: &Value) -> Value {
    let mut node = node.clone();
    let shards: i64 = s
        .bdbs
        .values()
        .map(|e| s.shard_nodes(e).iter().filter(|n| **n == uid).count() as i64)
        .sum();
    if let Some(obj) = node.as_object_mut() {
        obj.insert("shard_count".into(), Value::from(shards));
    }
    node
}

/// Every node.
pub(crate) fn nodes(shared: &Shared) -> Vec<Value> {
    shared.with_store(|s| s.nodes.iter().map(|(u, n)| node_view(s, *u, n)).collect())
}

/// One node.
pub(crate) fn node(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    shared.with_store(|s| match s.nodes.get(&uid) {
        Some(n) => Ok(node_view(s, uid, n)),
        None => Err(ModelError::not_found("node", uid)),
    })
}

/// Node fields a node update may change (the reference's list).
const NODE_WRITABLE: &[&str] = &[
    "accept_servers",
    "addr",
    "external_addr",
    "max_listeners",
    "max_redis_forks",
    "max_redis_servers",
    "max_slave_full_syncs",
    "rack_id",
    "recovery_path",
    "second_rack_id",
];

/// Changes the writable fields of a node; any other field is refused.
pub(crate) fn update_node(
    shared: &Shared,
    uid: i64,
    changes: Map<String, Value>,
) -> Result<(), ModelError> {
    if let Some(field) = changes
        .keys()
        .find(|k| !NODE_WRITABLE.contains(&k.as_str()))
    {
        return Err(ModelError::refused(
            "read_only_field",
            format!(
                "{field} cannot be changed; writable: {}",
                NODE_WRITABLE.join(", ")
            ),
        ));
    }
    shared.with_store(
        |s| match s.nodes.get_mut(&uid).and_then(Value::as_object_mut) {
            Some(node) => {
                node.extend(changes);
                Ok(())
            }
            None => Err(ModelError::not_found("node", uid)),
        },
    )?;
    shared.persist();
    Ok(())
}

/// The cluster's alerts: `cluster_too_few_nodes_for_replication` from the node count and the
/// databases' replication, and `cluster_ram_overcommit` when the databases' memory limits add
/// up to more than the nodes' memory.
pub(crate) async fn alerts(shared: &Shared) -> Map<String, Value> {
    bdbs::refresh_alerts(shared).await;
    shared.with_store(|s| {
        let replicated = s.bdbs.values().any(|e| e.bdb.replication == Some(true));
        let memory: i64 = s.bdbs.values().filter_map(|e| e.bdb.memory_size).sum();
        let total: i64 = s
            .nodes
            .values()
            .filter_map(|n| n.get("total_memory").and_then(Value::as_i64))
            .sum();
        let mut out = Map::new();
        let mut alert = |name: &str, on: bool| {
            out.insert(
                name.into(),
                serde_json::json!({
                    "enabled": true,
                    "state": on,
                    "severity": "WARNING",
                    "change_time": iso_now(),
                    "change_value": { "state": on },
                }),
            );
        };
        alert(
            "cluster_too_few_nodes_for_replication",
            replicated && s.nodes.len() < 2,
        );
        alert("cluster_ram_overcommit", memory > total);
        out
    })
}

/// Share of a node's memory above which the memory limits of the databases placed on it raise
/// its `node_memory` alert.
const NODE_MEMORY_ALERT_PERCENT: f64 = 80.0;

/// The alerts of one node: `node_memory`, raised when the memory limits of the databases whose
/// shards it hosts add up to more than 80 % of its memory (the databases' shards are placed
/// round-robin over the nodes, as the shard list shows).
fn node_alerts(s: &Store, uid: i64) -> Map<String, Value> {
    let total = s
        .nodes
        .get(&uid)
        .and_then(|n| n.get("total_memory"))
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let mut placed = 0.0;
    for entry in s.bdbs.values() {
        let shards = entry.bdb.shard_list.as_ref().map_or(0, Vec::len).max(1);
        let per_shard = entry.bdb.memory_size.unwrap_or(0) as f64 / shards as f64;
        let here = s.shard_nodes(entry).iter().filter(|n| **n == uid).count();
        placed += per_shard * here as f64;
    }
    let mut out = Map::new();
    if total > 0.0 && placed / total * 100.0 >= NODE_MEMORY_ALERT_PERCENT {
        out.insert(
            "node_memory".into(),
            serde_json::json!({
                "enabled": true,
                "state": true,
                "severity": "WARNING",
                "threshold": NODE_MEMORY_ALERT_PERCENT.to_string(),
                "change_time": iso_now(),
                "change_value": { "state": true, "memory_util": (placed / total * 100.0).round() },
            }),
        );
    }
    out
}

/// The alerts of every node, by uid.
pub(crate) fn all_node_alerts(shared: &Shared) -> Map<String, Value> {
    shared.with_store(|s| {
        s.nodes
            .keys()
            .map(|uid| (uid.to_string(), Value::Object(node_alerts(s, *uid))))
            .collect()
    })
}

/// The alerts of one node.
pub(crate) fn alerts_of_node(shared: &Shared, uid: i64) -> Result<Map<String, Value>, ModelError> {
    shared.with_store(|s| {
        if !s.nodes.contains_key(&uid) {
            return Err(ModelError::not_found("node", uid));
        }
        Ok(node_alerts(s, uid))
    })
}

/// One alert of a node, or a disabled one when it is not raised.
pub(crate) fn node_alert(shared: &Shared, uid: i64, name: &str) -> Result<Value, ModelError> {
    let mut alerts = alerts_of_node(shared, uid)?;
    Ok(alerts
        .remove(name)
        .unwrap_or_else(|| serde_json::json!({ "enabled": false, "state": false })))
}
