//! `/v1/crdbs` and `/v1/crdb_tasks` over [`crate::model::crdbs`].

use std::sync::Arc;

use serde_json::Value;

use super::fallback;
use crate::api::{validate_named, ApiError, Handler, Reply, Req};
use crate::model::crdbs::{self, TaskOperation};
use crate::Shared;

/// The body as a JSON object valid against the `Crdb` schema.
fn crdb_body(req: &Req) -> Result<serde_json::Map<String, Value>, ApiError> {
    let body = req.json_value()?;
    validate_named(&body, "Crdb")?;
    match body {
        Value::Object(crdb) => Ok(crdb),
        _ => Err(ApiError::new(
            400,
            "invalid_schema",
            "the body must be an object",
        )),
    }
}

fn list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(crdbs::list(shared))))
}

fn get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    crdbs::get(shared, req.param("crdb_guid"))
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

fn create(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let crdb = crdb_body(req)?;
    match crdbs::create(shared, crdb, req.query_flag("dry_run"))? {
        Some(task) => Ok(Reply::ok(task)),
        None => fallback::answer(req),
    }
}

fn update(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let changes = crdb_body(req)?;
    crdbs::update(shared, req.param("crdb_guid"), changes)
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

fn delete(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    crdbs::delete(shared, req.param("crdb_guid"))
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// Flush, purge, modify and upgrade: a task on an existing record.
fn run(shared: &Arc<Shared>, req: &Req, operation: TaskOperation) -> Result<Reply, ApiError> {
    // Validates the body and checks the documented statuses first.
    fallback::answer(req)?;
    crdbs::run(shared, req.param("crdb_guid"), operation)
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

fn task_list(shared: &Arc<Shared>, _req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(Value::Array(crdbs::tasks(shared))))
}

fn task_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    crdbs::task(shared, req.param("task_id"))
        .map(Reply::ok)
        .map_err(|e| req.missing(e))
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        ("crdb_list", Handler::Sync(list)),
        ("crdb_get", Handler::Sync(get)),
        ("crdb_create", Handler::Sync(create)),
        ("crdb_update", Handler::Sync(update)),
        ("crdb_delete", Handler::Sync(delete)),
        (
            "crdb_flush",
            Handler::Sync(|s, r| run(s, r, TaskOperation::Flush)),
        ),
        (
            "crdb_purge",
            Handler::Sync(|s, r| run(s, r, TaskOperation::Purge)),
        ),
        (
            "crdb_modify",
            Handler::Sync(|s, r| run(s, r, TaskOperation::Modify)),
        ),
        (
            "crdb_upgrade",
            Handler::Sync(|s, r| run(s, r, TaskOperation::Upgrade)),
        ),
        ("crdb_task_list", Handler::Sync(task_list)),
        ("crdb_task_get", Handler::Sync(task_get)),
    ]
}
