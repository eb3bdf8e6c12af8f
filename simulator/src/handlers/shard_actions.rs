//! `POST /v1/shards/actions/{failover,migrate}` and `POST /v1/shards/{uid}/actions/...` over
//! [`crate::model::shard_actions`]: the reply is `{action_uid, description}`, or, for a dry
//! run that passes the checks, a description alone.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::{ApiError, Handler, Reply, Req};
use crate::model::shard_actions::{self, Change};
use crate::Shared;

/// The strings of list member `name` of `body` (node and shard uids, which clusters send as
/// strings and the reference sometimes as integers).
fn uids(body: &Value, name: &str) -> Vec<String> {
    body.get(name)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn dead_nodes(body: &Value) -> Vec<i64> {
    uids(body, "dead_nodes")
        .iter()
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

fn reply(
    shared: &Arc<Shared>,
    body: &Value,
    name: &str,
    what: &str,
    changes: BTreeMap<i64, Vec<Change>>,
) -> Result<Reply, ApiError> {
    if body.get("dry_run").and_then(Value::as_bool) == Some(true) {
        return Ok(Reply::ok(
            json!({ "description": format!("{what} dry run succeeded") }),
        ));
    }
    let action = shard_actions::run(shared, name, changes)?;
    Ok(Reply::ok(
        json!({ "action_uid": action, "description": format!("{what} was triggered") }),
    ))
}

/// `POST /v1/shards/actions/failover` and `POST /v1/shards/{uid}/actions/failover`.
fn failover(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    let shards = if req.op.id == "shard_action_failover" {
        vec![req.param("uid").to_string()]
    } else {
        uids(&body, "shard_uids")
    };
    let (bdb, changes) = shard_actions::failovers(shared, &shards, &dead_nodes(&body))
        .map_err(|e| req.missing(e))?;
    reply(
        shared,
        &body,
        "failover_shards",
        "Failover",
        BTreeMap::from([(bdb, changes)]),
    )
}

/// `POST /v1/shards/actions/migrate` and `POST /v1/shards/{uid}/actions/migrate`.
fn migrate(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let body = req.json_value()?;
    let shards = if req.op.id == "shard_action_migrate" {
        vec![req.param("uid").to_string()]
    } else {
        uids(&body, "shard_uids")
    };
    let target = body.get("target_node_uid").and_then(Value::as_i64);
    let changes = shard_actions::migrations(shared, &shards, target).map_err(|e| req.missing(e))?;
    reply(shared, &body, "migrate_shards", "Migration", changes)
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("shard_action_failover", Handler::Sync(failover)),
        ("shard_action_failover_many", Handler::Sync(failover)),
        ("shard_action_migrate", Handler::Sync(migrate)),
        ("shard_action_migrate_many", Handler::Sync(migrate)),
    ]
}
