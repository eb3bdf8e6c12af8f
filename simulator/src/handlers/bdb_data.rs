//! `/v1/bdbs/{uid}/passwords`, `/v1/bdbs/{uid}/actions/{export,import,recover,*_reset_status}`
//! and `/v1/bdbs/{uid}/upgrade` over [`crate::model::bdb_data`].

use std::sync::Arc;

use serde_json::{json, Value};

use crate::api::{validate_named, ApiError, Reply, Req};
use crate::model::bdb_data::{self, Location, PasswordChange, StatusReset};
use crate::model::ModelError;
use crate::Shared;

/// The body as JSON, valid against schema `schema_name`.
fn validate(req: &Req, schema_name: &str) -> Result<Value, ApiError> {
    let body = req.json_value()?;
    validate_named(&body, schema_name)?;
    Ok(body)
}

/// A model error as an action operation answers it: a missing database with the status the
/// operation documents; a busy one with 406 where the operation documents a refusal but no 409
/// (`bdb_upgrade`).
fn refusal(req: &Req, e: ModelError) -> ApiError {
    let busy = e.is_busy();
    let mut e = req.missing(e);
    if busy && req.refusal_status().is_some_and(|_| !req.documents(409)) {
        e.status = 406;
    }
    e
}

fn action_reply(action: &str) -> Reply {
    Reply::ok(json!({ "action_uid": action }))
}

/// `PUT`, `POST` and `DELETE /v1/bdbs/{uid}/passwords`: replace the default user's passwords
/// with one, add one, or remove one. Removing the last password is refused (406).
pub(crate) async fn passwords(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = validate(req, "BdbPasswordRequest")?;
    let password = body
        .get("password")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let change = match req.op.method {
        "PUT" => PasswordChange::Replace,
        "POST" => PasswordChange::Add,
        _ => PasswordChange::Remove,
    };
    bdb_data::change_password(shared, uid, change, password)
        .await
        .map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

/// `POST /v1/bdbs/{uid}/actions/export`: to a `mount_point` location (others answer 501).
pub(crate) async fn export(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = validate(req, "BdbActionExportRequest")?;
    let location = body.get("export_location").cloned().unwrap_or(Value::Null);
    let text = |k: &str| {
        location
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let location = Location {
        kind: text("type"),
        path: text("path"),
    };
    let action = bdb_data::export(shared, uid, location)
        .await
        .map_err(|e| refusal(req, e))?;
    Ok(action_reply(&action))
}

/// `POST /v1/bdbs/{uid}/actions/import`: one `mount_point` file (others answer 501).
pub(crate) async fn import(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = validate(req, "BdbActionImportRequest")?;
    let sources = match body.get("dataset_import_sources") {
        Some(Value::Array(list)) => Some(list.clone()),
        _ => None,
    };
    let action = bdb_data::import(shared, uid, sources)
        .await
        .map_err(|e| refusal(req, e))?;
    Ok(action_reply(&action))
}

/// `PUT /v1/bdbs/{uid}/actions/{backup,export,import}_reset_status`: forgets the last
/// outcome (409 while an action runs).
pub(crate) fn reset_status(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let which = match req.op.id {
        "bdb_action_backup_reset_status" => StatusReset::Backup,
        "bdb_action_export_reset_status" => StatusReset::Export,
        _ => StatusReset::Import,
    };
    bdb_data::reset_status(shared, uid, which).map_err(|e| req.missing(e))?;
    Ok(Reply::empty(200))
}

/// `POST /v1/bdbs/{uid}/actions/recover`.
pub(crate) async fn recover(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    validate(req, "BdbActionRecoverRequest")?;
    let action = bdb_data::recover(shared, uid)
        .await
        .map_err(|e| refusal(req, e))?;
    Ok(action_reply(&action))
}

/// `POST /v1/bdbs/{uid}/actions/stop_traffic` and `.../resume_traffic`: the action's uid.
pub(crate) fn traffic(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let on = req.op.id == "bdb_action_resume_traffic";
    let action = bdb_data::set_traffic(shared, uid, on).map_err(|e| refusal(req, e))?;
    Ok(action_reply(&action))
}

/// `POST /v1/bdbs/{uid}/modules/config` and its deprecated twin
/// `POST /v1/modules/config/bdb/{uid}`: refused for a module the database does not run. (The
/// body was checked against the operation's schema before the handler.)
pub(crate) fn modules_config(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    let names: Vec<String> = body
        .get("modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("module_name").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    bdb_data::modules_config(shared, uid, &names)?;
    Ok(Reply::empty(200))
}

/// `POST /v1/bdbs/{uid}/modules/upgrade` and its removed twin
/// `POST /v1/modules/upgrade/bdb/{uid}`: refused for a module the cluster does not have or the
/// database does not run. (The body was checked against the operation's schema before the
/// handler.)
pub(crate) fn modules_upgrade(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = req.json_value()?;
    let text = |m: &Value, key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
    let modules: Vec<bdb_data::ModuleUpgrade> = body
        .get("modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|m| bdb_data::ModuleUpgrade {
            current_module: text(m, "current_module"),
            module_name: text(m, "module_name"),
            new_module: text(m, "new_module"),
        })
        .collect();
    bdb_data::modules_upgrade(shared, uid, &modules)?;
    Ok(Reply::empty(200))
}

/// `POST /v1/bdbs/{uid}/upgrade`: answers the database; a downgrade is refused (406).
pub(crate) async fn upgrade(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let body = validate(req, "BdbUpgradeRequest")?;
    let version = body
        .get("redis_version")
        .and_then(Value::as_str)
        .map(str::to_string);
    let bdb = bdb_data::upgrade(shared, uid, version)
        .await
        .map_err(|e| refusal(req, e))?;
    Ok(Reply::of(&bdb))
}
