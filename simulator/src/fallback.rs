//! What is not stateful. An operation in [`NOT_MODELLED`] answers 501 with an `ErrorBody`
//! (`error_code` `not_modelled`) naming what the simulator does not model: answering it would
//! pretend. Every other operation that no resource handles yet is answered from the spec: the
//! request body is validated against the operation's schema (400 `invalid_schema` naming the
//! path), then the reply is the operation's lowest documented 2xx status with its example, or
//! the smallest body valid against its schema. Nothing here reads or changes the store.

use bytes::Bytes;
use serde_json::Value;

use crate::api::{ApiError, Reply, ReplyBody, Req};
use crate::schema;

/// Operations the simulator refuses with 501, and what it does not model for each.
pub const NOT_MODELLED: &[(&str, &str)] = &[
    (
        "bdb_action_optimize_shards_placement",
        "shard placement across nodes (a database runs as one redis-server)",
    ),
    (
        "bdb_action_rebalance",
        "shard placement across nodes (a database runs as one redis-server)",
    ),
    (
        "bdb_action_revamp",
        "shard placement across nodes (a database runs as one redis-server)",
    ),
    (
        "bdb_action_recover_plan_get",
        "persistence files (the simulator keeps none to plan a recovery from)",
    ),
    (
        "bdb_action_stop_traffic",
        "proxies (clients reach the redis-server directly)",
    ),
    (
        "bdb_action_resume_traffic",
        "proxies (clients reach the redis-server directly)",
    ),
    (
        "bdb_alerts_update",
        "per-database alert settings (alerts are raised from live memory use only)",
    ),
    (
        "bdb_crdt_source_alerts_list_all",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_crdt_source_alerts_list",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_crdt_source_alerts_get",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_crdt_source_alert_get",
        "Active-Active sources and their alerts",
    ),
    (
        "bdb_replica_source_alerts_list_all",
        "Replica Of sources and their alerts",
    ),
    (
        "bdb_replica_source_alerts_list",
        "Replica Of sources and their alerts",
    ),
    (
        "bdb_replica_source_alerts_get",
        "Replica Of sources and their alerts",
    ),
    (
        "bdb_replica_source_alert_get",
        "Replica Of sources and their alerts",
    ),
    ("bdb_debuginfo_get_all", "debug-info packages"),
    ("bdb_debuginfo_get", "debug-info packages"),
    (
        "bdb_modules_config",
        "modules (the redis-server loads none)",
    ),
    (
        "bdb_modules_upgrade",
        "modules (the redis-server loads none)",
    ),
    ("bdb_peer_stats_list", "Active-Active peers"),
    ("bdb_peer_stats_get", "Active-Active peers"),
    (
        "bdb_sync_source_stats_list",
        "Replica Of and Active-Active sync sources",
    ),
    (
        "bdb_sync_source_stats_get",
        "Replica Of and Active-Active sync sources",
    ),
    (
        "bdb_syncer_state_get",
        "the syncer process of Replica Of and Active-Active",
    ),
    (
        "bdb_syncer_state_crdt_get",
        "the syncer process of Replica Of and Active-Active",
    ),
    (
        "bdb_syncer_state_replica_get",
        "the syncer process of Replica Of and Active-Active",
    ),
    (
        "bdb_certificate_list",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
    (
        "bdb_certificate_get",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
    (
        "bdb_certificate_set",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
    (
        "bdb_certificate_delete",
        "per-database TLS certificates (the redis-server serves no TLS)",
    ),
];

/// What the simulator does not model for operation `id`, when it answers it with 501.
pub(crate) fn not_modelled_reason(id: &str) -> Option<&'static str> {
    NOT_MODELLED
        .iter()
        .find(|(op, _)| *op == id)
        .map(|(_, why)| *why)
}

/// 501 `not_modelled`: the simulator does not do `what`.
pub(crate) fn not_modelled(what: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        501,
        "not_modelled",
        format!("the simulator does not model {what}"),
    )
}

/// The 501 of an operation in [`NOT_MODELLED`], whatever its parameters name.
pub(crate) fn refuse(req: &Req) -> Result<Reply, ApiError> {
    let why = not_modelled_reason(req.op.id).unwrap_or("this operation");
    Err(not_modelled(format!("{why}: {} answers 501", req.op.id)))
}

/// Answers `req` from the spec.
pub(crate) fn answer(req: &Req) -> Result<Reply, ApiError> {
    let Some(op) = schema::operation(req.op.id, req.op.method, req.op.path) else {
        // The operation table and the embedded spec come from the same codegen run.
        return Ok(Reply::empty(200));
    };
    check_int_params(req, op)?;
    if let Some(body_schema) = schema::request_schema(op) {
        if !req.body.is_empty() {
            let body = req.json_value()?;
            schema::validate(&body, body_schema, "$")
                .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
        }
    }
    let statuses = schema::statuses(op);
    let status = statuses
        .iter()
        .copied()
        .find(|s| (200..300).contains(s))
        .unwrap_or(200);
    Ok(match schema::response_content(op, status) {
        Some(("application/json", media)) => Reply::json(status, schema::example(media)),
        Some((ct, media)) => {
            let text = match media.get("example") {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            let ct: &'static str = ct;
            Reply {
                status,
                body: ReplyBody::Raw(ct, Bytes::from(text)),
                headers: Vec::new(),
            }
        }
        None => Reply::empty(status),
    })
}

/// Path parameters the spec types as integers must be integers.
fn check_int_params(req: &Req, op: &'static Value) -> Result<(), ApiError> {
    let Some(params) = op.get("parameters").and_then(Value::as_array) else {
        return Ok(());
    };
    for p in params.iter().map(schema::resolve) {
        if p.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let is_int = p
            .get("schema")
            .map(schema::resolve)
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("integer");
        if let (true, Some(name)) = (is_int, p.get("name").and_then(Value::as_str)) {
            // An operation that documents no refusal answers its example whatever the uid.
            if req.refusal_status().is_some() {
                req.int_param(name)?;
            }
        }
    }
    Ok(())
}
