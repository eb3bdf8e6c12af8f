//! Proxies (`/v1/proxies`): one per node, with the settings a fresh cluster's proxies report
//! (the reference's example values and `x-default`s), changed by `proxy_update` (one proxy) and
//! `proxy_update_all` (every proxy) and kept in the store. Only the members the proxy object
//! documents may change, never `uid`; the simulator runs no proxy process, so a setting takes
//! effect as soon as it is stored (`allow_restart` changes nothing).

use serde_json::{json, Map, Value};

use super::ModelError;
use crate::state::Store;
use crate::Shared;

/// A fresh proxy of node `uid`: every documented member, as a new cluster reports it.
fn fresh(uid: i64) -> Value {
    let mut proxy = json!({
        "uid": uid,
        "backlog": 1024,
        "client_keepcnt": 6,
        "client_keepidle": 180,
        "client_keepintvl": 30,
        "conns": 500_000,
        "duration_usage_threshold": 30,
        "dynamic_threads_scaling": false,
        "ignore_bdb_cconn_limit": false,
        "ignore_bdb_cconn_output_buff_limits": false,
        "log_level": "info",
        "max_listeners": 1024,
        "max_servers": 4096,
        "max_threads": 64,
        "max_worker_client_conns": 16_384,
        "max_worker_server_conns": 16_384,
        "max_worker_txns": 65_536,
        "threads": 3,
        "threads_usage_threshold": 80,
    });
    crate::schema::add_defaults(&mut proxy, "Proxy");
    proxy
}

/// The proxy of node `uid` as it is now.
fn view(s: &Store, uid: i64) -> Value {
    let mut proxy = fresh(uid);
    if let (Some(changed), Value::Object(map)) = (s.proxy_settings.get(&uid), &mut proxy) {
        map.extend(changed.clone());
    }
    proxy
}

/// Every proxy, in node order.
pub(crate) fn list(shared: &Shared) -> Vec<Value> {
    shared.with_store(|s| s.nodes.keys().map(|uid| view(s, *uid)).collect())
}

/// The proxy of node `uid` (404 `proxy_not_exist` when there is no such node).
pub(crate) fn get(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    shared.with_store(|s| {
        if s.nodes.contains_key(&uid) {
            Ok(view(s, uid))
        } else {
            Err(ModelError::not_found("proxy", uid))
        }
    })
}

/// The members of `changes` a proxy update may set: 400 `invalid_parameter` for `uid` (set by
/// the cluster), 400 `invalid_schema` for a member the proxy object does not document (the
/// cluster checks a proxy's settings against its schema, which has no other member).
fn settable(changes: &Map<String, Value>) -> Result<Map<String, Value>, ModelError> {
    let documented = fresh(0);
    for name in changes.keys() {
        if name == "uid" {
            return Err(ModelError::invalid(
                "invalid_parameter",
                "uid is the proxy's node and cannot change",
            ));
        }
        if documented.get(name).is_none() {
            return Err(ModelError::invalid_schema(format!(
                "additional properties are not allowed ({name:?} is not a proxy setting)"
            )));
        }
    }
    Ok(changes.clone())
}

/// Applies `changes` (the `proxy` member of the body, checked against the schema) to the
/// proxy of node `uid`, or to every proxy when `uid` is `None` (404 for an unknown node).
pub(crate) fn update(
    shared: &Shared,
    uid: Option<i64>,
    changes: &Map<String, Value>,
) -> Result<(), ModelError> {
    let changes = settable(changes)?;
    shared.with_store(|s| {
        let targets: Vec<i64> = match uid {
            Some(uid) if s.nodes.contains_key(&uid) => vec![uid],
            Some(uid) => return Err(ModelError::not_found("proxy", uid)),
            None => s.nodes.keys().copied().collect(),
        };
        for target in targets {
            s.proxy_settings
                .entry(target)
                .or_default()
                .extend(changes.clone());
        }
        Ok(())
    })?;
    shared.persist();
    Ok(())
}
