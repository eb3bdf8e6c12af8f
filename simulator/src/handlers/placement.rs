//! `GET /v1/bdbs/{uid}/actions/optimize_shards_placement`, `PUT .../actions/rebalance` and
//! `PUT .../actions/revamp` over [`crate::model::placement`] (and, for a revamp that is not a
//! dry run, the update path of [`crate::model::bdbs`]). Blueprints carry the
//! `cluster-state-id` header.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::{async_handler, decode, validate_named, ApiError, Handler, Reply, Req};
use crate::model::bdbs::{self, BdbChanges};
use crate::model::placement::{self, Blueprint, Rebalance, Topology};
use crate::Shared;

fn blueprint_reply(blueprint: Blueprint) -> Reply {
    let mut reply = Reply::ok(blueprint.entries);
    reply
        .headers
        .push(("cluster-state-id", blueprint.state_id.to_string()));
    reply
}

fn int_query(req: &Req, name: &str) -> Result<Option<i64>, ApiError> {
    match req.query.get(name) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::new(
                400,
                "invalid_parameter",
                format!("{name} must be an integer, not {v:?}"),
            )
        }),
    }
}

/// `GET /v1/bdbs/{uid}/actions/optimize_shards_placement`: the blueprint for the database's
/// topology, or the one the query parameters give.
fn optimize(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let replication = match req.query.get("replication").map(String::as_str) {
        None => None,
        Some("enabled") => Some(true),
        Some("disabled") => Some(false),
        Some(other) => {
            return Err(ApiError::new(
                406,
                "invalid_parameter",
                format!("replication must be enabled or disabled, not {other:?}"),
            ))
        }
    };
    let topology = Topology {
        shards_count: int_query(req, "shards_count")?,
        replication,
        avoid_nodes: req.query.get("avoid_nodes").map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect()
        }),
        memory_size: int_query(req, "memory_size")?,
    };
    int_query(req, "bigstore_ram_size")?;
    Ok(blueprint_reply(placement::optimize(
        shared, uid, &topology,
    )?))
}

/// `PUT /v1/bdbs/{uid}/actions/rebalance`: the action, or (`dry_run`) the blueprint.
fn rebalance(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    // At most this many failovers (only with only_failovers); by default one per primary.
    let max_operations =
        int_query(req, "max_operations")?.map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(0));
    let only_failovers = req.query_flag("only_failovers").then_some(max_operations);
    let answer = placement::rebalance(shared, uid, req.query_flag("dry_run"), only_failovers)?;
    Ok(match answer {
        Rebalance::Started(action) => Reply::ok(json!({ "action_uid": action })),
        Rebalance::DryRun(blueprint) => blueprint_reply(blueprint),
    })
}

/// `PUT /v1/bdbs/{uid}/actions/revamp`: the topology settings of the body applied as an update
/// (its action's uid), or (`dry_run`) the blueprint they would give.
async fn revamp(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    validate_named(&body, "BdbActionRevampRequest")?;
    let Value::Object(changes) = body else {
        return Err(ApiError::new(
            406,
            "invalid_schema",
            "the body must be a JSON object",
        ));
    };
    let as_bdb = Value::Object(changes.clone());
    validate_named(&as_bdb, "Bdb")?;
    let parsed: redis_enterprise_api::types::Bdb = decode(as_bdb)?;
    let topology = Topology {
        shards_count: parsed.shards_count,
        replication: parsed.replication,
        avoid_nodes: parsed.avoid_nodes.clone(),
        memory_size: parsed.memory_size,
    };
    // The blueprint checks the topology (and the database exists) before anything changes.
    let blueprint = placement::optimize(shared, uid, &topology)?;
    if req.query_flag("dry_run") {
        return Ok(blueprint_reply(blueprint));
    }
    placement::require_active(shared, uid)?;
    let bdb = bdbs::update(
        shared,
        uid,
        BdbChanges {
            changes,
            parsed,
            re_place: true,
            expected_state: None,
        },
        false,
        false,
    )
    .await?;
    Ok(Reply::ok(json!({ "action_uid": bdb.action_uid })))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        (
            "bdb_action_optimize_shards_placement",
            Handler::Sync(optimize),
        ),
        ("bdb_action_rebalance", Handler::Sync(rebalance)),
        ("bdb_action_revamp", async_handler!(revamp)),
    ]
}
