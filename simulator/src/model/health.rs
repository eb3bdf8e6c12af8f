//! The cluster health report (`GET /v4/cluster/health`, 8.0 and later), computed from the
//! store: the license and its shard counts, every node (role, maintenance, memory, the shards
//! placed on it, its raised alerts), the cluster's raised alerts and a summary of every
//! database. Overall `status`: `error` when a database is down, `warning` when a database is
//! changing, a node is in maintenance or an alert is raised, else `ok`. With `issues_only`
//! only the nodes and databases that are not healthy are listed. Left out: `certificates` (the
//! simulator keeps no cluster certificate objects) and each node's `services` (it runs none).

use serde_json::{json, Map, Value};

use super::node_status::shards_on;
use crate::state::{now_secs, Store};
use crate::Shared;

/// The raised alerts of `alerts` (name → alert object) as the report lists them.
fn raised(alerts: &Map<String, Value>) -> Vec<Value> {
    alerts
        .iter()
        .filter(|(_, a)| a["state"] == true)
        .map(|(name, a)| {
            let mut out = json!({ "name": name, "severity": a["severity"].clone() });
            if let Some(map) = out.as_object_mut() {
                if let Some(since) = a.get("change_time") {
                    map.insert("active_since".into(), since.clone());
                }
                if let Some(threshold) = a.get("threshold") {
                    map.insert("threshold".into(), threshold.clone());
                }
            }
            out
        })
        .collect()
}

fn node(s: &Store, uid: i64, node: &Value, alerts: &Map<String, Value>) -> Value {
    let (masters, replicas, used) = shards_on(s, uid);
    let total = node["total_memory"].as_i64().unwrap_or(0);
    let in_maintenance = s.maintenance.contains_key(&uid);
    let provisional = if in_maintenance || node["accept_servers"] == false {
        0
    } else {
        total
    };
    let shard = |id: &String, role: &str| json!({ "id": id, "role": role, "status": "active", "detailed_status": "ok" });
    let shards: Vec<Value> = masters
        .iter()
        .map(|id| shard(id, "leader"))
        .chain(replicas.iter().map(|id| shard(id, "follower")))
        .collect();
    let active = node["status"].as_str().unwrap_or("active") == "active";
    json!({
        "id": uid.to_string(),
        "status": if !active { "down" } else if in_maintenance { "warning" } else { "active" },
        "detailed_status": if active { "active" } else { "down" },
        "role": if s.master_node() == uid { "leader" } else { "follower" },
        "version": node["software_version"].clone(),
        "quorum_only": false,
        "in_maintenance": in_maintenance,
        "observed_at": now_secs(),
        "ephemeral_memory_path": node["ephemeral_storage_path"].clone(),
        "ephemeral_memory_size": node["ephemeral_storage_size"].clone(),
        "persistent_memory_path": node["persistent_storage_path"].clone(),
        "persistent_memory_size": node["persistent_storage_size"].clone(),
        "memory": {
            "total_ram": total,
            "free_ram": (total - used).max(0),
            "total_provisional_ram": provisional,
            "free_provisional_ram": (provisional - used).max(0),
            "overbooking_depth": 0,
        },
        "shards": shards,
        "active_alerts": raised(alerts),
    })
}

/// `active`, `warning` or `down` for a database of status `detailed`.
fn database_status(detailed: &str) -> &'static str {
    match detailed {
        "active" => "active",
        "creation-failed" | "unknown" => "down",
        _ => "warning",
    }
}

/// The report. `cluster_alerts` are the cluster's alerts (name → alert object) and
/// `node_alerts` each node's, by node uid.
pub(crate) fn report(
    shared: &Shared,
    issues_only: bool,
    cluster_alerts: &Map<String, Value>,
    node_alerts: &Map<String, Value>,
) -> Value {
    let license = super::cluster::license(shared);
    shared.with_store(|s| {
        let no_alerts = Map::new();
        let nodes: Vec<Value> = s
            .nodes
            .iter()
            .map(|(uid, n)| {
                let alerts = node_alerts
                    .get(&uid.to_string())
                    .and_then(Value::as_object)
                    .unwrap_or(&no_alerts);
                node(s, *uid, n, alerts)
            })
            .collect();
        let databases: Vec<Value> = s
            .bdbs
            .iter()
            .map(|(uid, e)| {
                let detailed = e
                    .bdb
                    .status
                    .as_ref()
                    .map(|st| st.to_string())
                    .unwrap_or_else(|| "unknown".into());
                json!({
                    "id": uid.to_string(),
                    "name": e.bdb.name.clone().unwrap_or_default(),
                    "status": database_status(&detailed),
                    "detailed_status": detailed,
                    "version": e.bdb.redis_version.clone().unwrap_or_default(),
                    "high_availability": {
                        "status": if e.bdb.replication == Some(true) { "up" } else { "disabled" },
                    },
                })
            })
            .collect();
        let cluster_raised = raised(cluster_alerts);
        let any = |list: &[Value], status: &str| list.iter().any(|v| v["status"] == status);
        let node_alert = nodes
            .iter()
            .any(|n| n["active_alerts"].as_array().is_some_and(|a| !a.is_empty()));
        let status = if any(&databases, "down") || any(&nodes, "down") {
            "error"
        } else if any(&databases, "warning")
            || any(&nodes, "warning")
            || node_alert
            || !cluster_raised.is_empty()
        {
            "warning"
        } else {
            "ok"
        };
        let keep = |list: Vec<Value>| -> Vec<Value> {
            list.into_iter()
                .filter(|v| !issues_only || v["status"] != "active")
                .collect()
        };
        let count = |key: &str| license.get(key).cloned().unwrap_or(Value::Null);
        json!({
            "fqdn": s.cluster["name"].clone(),
            "status": status,
            "license": {
                "expired": count("expired"),
                "valid_until": count("expiration_date"),
                "shards_limit": count("shards_limit"),
                "shards_in_use": count("ram_shards_in_use"),
                "ram_shards_limit": count("ram_shards_limit"),
                "ram_shards_in_use": count("ram_shards_in_use"),
                "flex_shards_limit": count("flash_shards_limit"),
                "flex_shards_in_use": count("flash_shards_in_use"),
            },
            "nodes": keep(nodes),
            "active_alerts": cluster_raised,
            "database_infos": keep(databases),
        })
    })
}
