//! Node status (`/v1/nodes/status`, `/v1/nodes/{uid}/status`) and node checks
//! (`/v1/nodes/check/{uid}`, `/v1/cluster/check`): what the nodes are now, computed from the
//! store on every read. The role follows the cluster's primary node (`master` for the
//! node `change_master` last promoted, `slave` for every other node); the shard lists follow
//! where each database's shards are placed and their roles; the memory a node has left is its
//! total less the memory of the shards placed on it; a node in maintenance shows its
//! maintenance snapshot and has nothing to provision.

use serde_json::{json, Map, Value};

use super::{bdbs, ModelError};
use crate::state::Store;
use crate::Shared;

/// The shards placed on node `uid`, primaries and replicas (shard uids), and the memory they
/// take (bytes: each shard holds its slot range's share of its database's `memory_size`).
pub(crate) fn shards_on(s: &Store, uid: i64) -> (Vec<String>, Vec<String>, i64) {
    let (mut masters, mut replicas, mut used) = (Vec::new(), Vec::new(), 0i64);
    for entry in s.bdbs.values() {
        let nodes = s.shard_nodes(entry);
        let shard_list = entry.bdb.shard_list.clone().unwrap_or_default();
        let replication = entry.bdb.replication == Some(true);
        let copies = if replication { 2 } else { 1 };
        let ranges = (shard_list.len() / copies).max(1) as i64;
        let per_shard = entry.bdb.memory_size.unwrap_or(0).max(0) / ranges;
        for (i, shard) in shard_list.iter().enumerate() {
            if nodes.get(i) != Some(&uid) {
                continue;
            }
            used = used.saturating_add(per_shard);
            if bdbs::is_replica_shard(replication, i) {
                replicas.push(shard.to_string());
            } else {
                masters.push(shard.to_string());
            }
        }
    }
    (masters, replicas, used)
}

/// The status of node `uid` (`node`: its object in the store).
fn status(s: &Store, uid: i64, node: &Value) -> Value {
    let (masters, replicas, used) = shards_on(s, uid);
    let total = node["total_memory"].as_i64().unwrap_or(0);
    let provisional = if s.maintenance.contains_key(&uid) || node["accept_servers"] == false {
        0
    } else {
        total
    };
    let mut out = json!({
        "cores": node["cores"].as_i64().unwrap_or(1),
        "free_provisional_ram": (provisional - used).max(0),
        "free_ram": (total - used).max(0),
        "hostname": format!("node{uid}.simulator.local"),
        "master_shards": masters,
        "node_overbooking_depth": 0,
        "node_status": node["status"].as_str().unwrap_or("active"),
        "role": if s.master_node() == uid { "master" } else { "slave" },
        "slave_shards": replicas,
        "software_version": node["software_version"].clone(),
        "software_version_sha": software_sha(node["software_version"].as_str().unwrap_or("")),
        "total_memory": total,
        "total_provisional_ram": provisional,
    });
    if let (Some(snapshot), Some(map)) = (s.maintenance.get(&uid), out.as_object_mut()) {
        let created = snapshot["time"]
            .as_str()
            .unwrap_or("")
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_string();
        map.insert(
            "maintenance_snapshot".into(),
            json!({
                "created_time": created,
                "name": snapshot["name"].clone(),
                "node_uid": uid.to_string(),
            }),
        );
    }
    out
}

/// A build checksum for a software version: the SHA-256 of its text, in hex (a real cluster
/// shows its build's; the simulator has one build per version it reports).
fn software_sha(version: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, version.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The node checks of node `uid`: whether they pass and, when not, the first that failed. Of
/// the reference's checks the simulator knows `services` (the node is `active`); the others
/// (ports, pid files, sockets, host settings, connectivity) concern processes and hosts it
/// does not have, so they pass, and `bootstrap_status` cannot fail here: before the bootstrap
/// every request but the bootstrap's answers 503.
fn check(uid: i64, node: &Value) -> (bool, Option<String>) {
    match node["status"].as_str() {
        Some("active") | None => (true, None),
        Some(other) => (
            false,
            Some(format!("services: node {uid} is {other}, not active")),
        ),
    }
}

/// The checks of node `uid` (`NodeCheckResult`; 404 kind when there is no such node).
pub(crate) fn check_node(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    shared.with_store(|s| {
        let node = s
            .nodes
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("node", uid))?;
        let (result, error) = check(uid, node);
        let mut out = json!({ "node_uid": uid, "result": result });
        if let (Some(error), Some(map)) = (error, out.as_object_mut()) {
            map.insert("error".into(), Value::String(error));
        }
        Ok(out)
    })
}

/// The checks of every node (`CheckResult`): one result per node, and whether all passed.
pub(crate) fn check_cluster(shared: &Shared) -> Value {
    shared.with_store(|s| {
        let nodes: Vec<Value> = s
            .nodes
            .iter()
            .map(|(uid, node)| {
                let (result, error) = check(*uid, node);
                let mut out = json!({ "node_uid": uid.to_string(), "result": result });
                if let (Some(error), Some(map)) = (error, out.as_object_mut()) {
                    map.insert("error".into(), Value::String(error));
                }
                out
            })
            .collect();
        let all = nodes.iter().all(|n| n["result"] == true);
        json!({ "cluster_test_result": all, "nodes": nodes })
    })
}

/// The status of every node, keyed by node uid.
pub(crate) fn list(shared: &Shared) -> Value {
    shared.with_store(|s| {
        let map: Map<String, Value> = s
            .nodes
            .iter()
            .map(|(uid, node)| (uid.to_string(), status(s, *uid, node)))
            .collect();
        Value::Object(map)
    })
}

/// The status of node `uid` (404 when it does not exist).
pub(crate) fn get(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    shared.with_store(|s| match s.nodes.get(&uid) {
        Some(node) => Ok(status(s, uid, node)),
        None => Err(ModelError::not_found("node", uid)),
    })
}
