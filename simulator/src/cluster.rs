//! The cluster as a whole: bootstrap (`idle` → `creating_cluster` → `completed`), cluster
//! settings kept as sent (`GET`/`PUT /v1/cluster`), the license, nodes with status and
//! uptime, and cluster alerts (raised from the databases' real memory use).
//!
//! What it does not model: joining or removing nodes (the node count is fixed at start),
//! certificates, LDAP, SSO, services, or any setting changing behaviour.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::api::{async_handler, ApiError, Handler, Reply, Req};
use crate::state::iso_now;
use crate::{bdbs, schema, Shared};

/// `GET /v1/bootstrap`.
pub(crate) fn bootstrap_get(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    shared.with_store(|s| {
        let mut status = Map::new();
        status.insert("state".into(), Value::String(s.bootstrap.state.clone()));
        if let Some(t) = &s.bootstrap.start_time {
            status.insert("start_time".into(), Value::String(t.clone()));
        }
        if let Some(t) = &s.bootstrap.end_time {
            status.insert("end_time".into(), Value::String(t.clone()));
        }
        Ok(Reply::ok(serde_json::json!({
            "bootstrap_status": status,
            "local_node_info": {
                "uid": 1,
                "software_version": crate::release::find(&shared.config.release)
                    .map_or("", |r| r.software_version),
                "cores": 2,
            },
        })))
    })
}

/// `POST /v1/bootstrap/{action}`: starts creating (or joining, recovering) the cluster; the
/// state is `completed` after the action delay. The body's credentials become the admin
/// user's, and its cluster name the cluster's.
pub(crate) fn bootstrap_start(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let action = req.param("action").to_string();
    let next = match action.as_str() {
        "create_cluster" => "creating_cluster",
        "join_cluster" => "joining_cluster",
        "recover_cluster" => "recovering_cluster",
        _ => {
            return Err(ApiError::new(
                409,
                "invalid_action",
                format!("{action:?} is not create_cluster, join_cluster or recover_cluster"),
            ))
        }
    };
    let body = req.json_value()?;
    schema::validate_named(&body, "Bootstrap")
        .map_err(|e| ApiError::new(409, "config_error", e))?;
    shared.with_store(|s| {
        if !matches!(s.bootstrap.state.as_str(), "idle" | "error") {
            return Err(ApiError::new(
                409,
                "bootstrap_in_progress",
                format!("bootstrap is {} already", s.bootstrap.state),
            ));
        }
        s.bootstrap.state = next.into();
        s.bootstrap.start_time = Some(iso_now());
        if let Some(name) = body.pointer("/cluster/name").and_then(Value::as_str) {
            if let Some(obj) = s.cluster.as_object_mut() {
                obj.insert("name".into(), Value::String(name.into()));
            }
        }
        let username = body
            .pointer("/credentials/username")
            .and_then(Value::as_str);
        let password = body
            .pointer("/credentials/password")
            .and_then(Value::as_str);
        if let (Some(u), Some(p), Some(admin)) = (username, password, s.users.get_mut(&1)) {
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
    Ok(Reply::empty(200))
}

/// `GET /v1/cluster`.
pub(crate) fn get(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    shared.with_store(|s| Ok(Reply::ok(s.cluster.clone())))
}

/// `PUT /v1/cluster`: the members sent replace the stored ones.
pub(crate) fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    schema::validate_named(&body, "Cluster")
        .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let Value::Object(changes) = body else {
        return Err(ApiError::new(
            400,
            "invalid_schema",
            "the body must be a JSON object",
        ));
    };
    let reply = shared.with_store(|s| {
        if let Some(cluster) = s.cluster.as_object_mut() {
            cluster.extend(changes);
        }
        Reply::ok(s.cluster.clone())
    });
    shared.persist();
    Ok(reply)
}

/// `GET /v1/license`.
pub(crate) fn license_get(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
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
        Ok(Reply::ok(license))
    })
}

/// `PUT /v1/license`: installs the license text (`{"license": "..."}`).
pub(crate) fn license_update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    let Some(text) = body.get("license").and_then(Value::as_str) else {
        return Err(ApiError::new(400, "missing_field", "license is required"));
    };
    let text = text.to_string();
    let reply = shared.with_store(|s| {
        if let Some(obj) = s.license.as_object_mut() {
            obj.insert("license".into(), Value::String(text));
            obj.insert("activation_date".into(), Value::String(iso_now()));
            obj.insert("expired".into(), Value::Bool(false));
        }
        Reply::ok(s.license.clone())
    });
    shared.persist();
    Ok(reply)
}

fn node_view(s: &crate::state::Store, uid: i64, node: &Value) -> Value {
    let mut node = node.clone();
    let nodes = s.nodes.len().max(1) as i64;
    let shards: i64 = s
        .bdbs
        .values()
        .flat_map(|e| e.bdb.shard_list.clone().unwrap_or_default())
        .enumerate()
        .filter(|(i, _)| (*i as i64) % nodes + 1 == uid)
        .count() as i64;
    if let Some(obj) = node.as_object_mut() {
        obj.insert("shard_count".into(), Value::from(shards));
    }
    node
}

/// `GET /v1/nodes`.
pub(crate) fn node_list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    shared.with_store(|s| {
        let all: Vec<Value> = s.nodes.iter().map(|(u, n)| node_view(s, *u, n)).collect();
        Ok(Reply::ok(Value::Array(all)))
    })
}

/// `GET /v1/nodes/{uid}`.
pub(crate) fn node_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    shared.with_store(|s| match s.nodes.get(&uid) {
        Some(n) => Ok(Reply::ok(node_view(s, uid, n))),
        None => Err(req.missing("node", uid)),
    })
}

/// Node fields `node_update` may change (the reference's list).
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

/// `PUT /v1/nodes/{uid}`: changes the writable fields; any other field is refused (406).
pub(crate) fn node_update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    schema::validate_named(&body, "Node").map_err(|e| ApiError::new(400, "invalid_schema", e))?;
    let Value::Object(changes) = body else {
        return Err(ApiError::new(
            400,
            "invalid_schema",
            "the body must be a JSON object",
        ));
    };
    if let Some(field) = changes
        .keys()
        .find(|k| !NODE_WRITABLE.contains(&k.as_str()))
    {
        return Err(ApiError::new(
            406,
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
            None => Err(req.missing("node", uid)),
        },
    )?;
    shared.persist();
    Ok(Reply::empty(200))
}

/// `GET /v1/cluster/alerts`: `cluster_too_few_nodes_for_replication` from the node count and
/// the databases' replication, and `cluster_ram_overcommit` when the databases' memory limits
/// add up to more than the nodes' memory.
pub(crate) async fn alerts(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
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
        Ok(Reply::ok(Value::Object(out)))
    })
}

/// Share of a node's memory above which the memory limits of the databases placed on it raise
/// its `node_memory` alert.
const NODE_MEMORY_ALERT_PERCENT: f64 = 80.0;

/// The alerts of one node: `node_memory`, raised when the memory limits of the databases whose
/// shards it hosts add up to more than 80 % of its memory (the databases' shards are placed
/// round-robin over the nodes, as `GET /v1/shards` shows).
fn node_alerts(s: &crate::state::Store, uid: i64) -> Map<String, Value> {
    let nodes = s.nodes.len().max(1);
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
        let here = (0..shards)
            .filter(|i| (i % nodes) as i64 + 1 == uid)
            .count();
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

/// `GET /v1/nodes/alerts`.
pub(crate) fn node_alerts_all(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    shared.with_store(|s| {
        let all: Map<String, Value> = s
            .nodes
            .keys()
            .map(|uid| (uid.to_string(), Value::Object(node_alerts(s, *uid))))
            .collect();
        Ok(Reply::ok(Value::Object(all)))
    })
}

/// `GET /v1/nodes/alerts/{uid}`.
pub(crate) fn node_alerts_of(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    shared.with_store(|s| {
        if !s.nodes.contains_key(&uid) {
            return Err(req.missing("node", uid));
        }
        Ok(Reply::ok(Value::Object(node_alerts(s, uid))))
    })
}

/// `GET /v1/nodes/alerts/{uid}/{alert}`: the alert, or a disabled one when it is not raised.
pub(crate) fn node_alert_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let name = req.param("alert").to_string();
    shared.with_store(|s| {
        if !s.nodes.contains_key(&uid) {
            return Err(req.missing("node", uid));
        }
        let alert = node_alerts(s, uid)
            .remove(&name)
            .unwrap_or_else(|| serde_json::json!({ "enabled": false, "state": false }));
        Ok(Reply::ok(alert))
    })
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("bootstrap_get", Handler::Sync(bootstrap_get)),
        ("bootstrap_start", Handler::Sync(bootstrap_start)),
        ("cluster_get", Handler::Sync(get)),
        ("cluster_update", Handler::Sync(update)),
        ("license_get", Handler::Sync(license_get)),
        ("license_update", Handler::Sync(license_update)),
        ("node_list", Handler::Sync(node_list)),
        ("node_get", Handler::Sync(node_get)),
        ("node_update", Handler::Sync(node_update)),
        ("node_alerts_list_all", Handler::Sync(node_alerts_all)),
        ("node_alerts_list", Handler::Sync(node_alerts_of)),
        ("node_alert_get", Handler::Sync(node_alert_get)),
        ("cluster_alerts_list", async_handler!(alerts)),
    ]
}
