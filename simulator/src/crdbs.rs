//! Active-Active databases (CRDBs) as records: create, list, get, update (`PATCH`) and delete,
//! each change running as a CRDB task (`queued` → `finished` after the action delay) that
//! `/v1/crdb_tasks` lists. Flush, purge, modify and upgrade run a task without changing the
//! record. Credentials sent for the participating clusters are not kept.
//!
//! What it does not do: contact the participating clusters, create local databases or
//! processes for the instances, or replicate anything.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::api::{async_handler, ApiError, Handler, Reply, Req};
use crate::state::iso_now;
use crate::{schema, Shared};

/// Records a task for `guid` and finishes it after the action delay; returns the task object.
fn run_task(shared: &Arc<Shared>, guid: &str, operation: &str, then_remove: bool) -> Value {
    let task = shared.with_store(|s| {
        let id = format!("crdb-task-{}", s.crdb_tasks.len() + 1);
        let task = serde_json::json!({
            "id": id,
            "crdb_guid": guid,
            "operation": operation,
            "status": "queued",
            "started": iso_now(),
            "worker_name": "crdb_worker:1",
            "errors": [],
        });
        s.crdb_tasks.insert(id, task.clone());
        task
    });
    shared.persist();
    let id = task["id"].as_str().unwrap_or_default().to_string();
    let guid = guid.to_string();
    let task_shared = shared.clone();
    let deadline = shared.clock.now_ms() + shared.config.action_delay.as_millis() as i64;
    tokio::spawn(async move {
        task_shared.clock.sleep_until(deadline).await;
        task_shared.with_store(|s| {
            if let Some(Value::Object(t)) = s.crdb_tasks.get_mut(&id) {
                t.insert("status".into(), Value::String("finished".into()));
                t.insert("ended".into(), Value::String(iso_now()));
            }
            if then_remove {
                s.crdbs.remove(&guid);
            }
        });
        task_shared.persist();
    });
    task
}

/// Members of the body that are not kept: the participating clusters' credentials.
fn without_credentials(mut crdb: Map<String, Value>) -> Map<String, Value> {
    if let Some(Value::Array(instances)) = crdb.get_mut("instances") {
        for instance in instances {
            if let Some(Value::Object(cluster)) = instance.get_mut("cluster") {
                cluster.remove("credentials");
            }
        }
    }
    crdb
}

/// The CRDB operations that are stateful; the others answer from the spec.
pub(crate) async fn answer(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let guid = req.param("crdb_guid").to_string();
    let exists = |shared: &Arc<Shared>| shared.with_store(|s| s.crdbs.contains_key(&guid));
    match req.op.id {
        "crdb_list" => {
            shared.with_store(|s| Ok(Reply::ok(Value::Array(s.crdbs.values().cloned().collect()))))
        }
        "crdb_get" => shared.with_store(|s| {
            s.crdbs
                .get(&guid)
                .cloned()
                .map(Reply::ok)
                .ok_or_else(|| req.missing("crdb", &guid))
        }),
        "crdb_create" => {
            let body = req.json_value()?;
            schema::validate_named(&body, "Crdb")
                .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
            let Value::Object(crdb) = body else {
                return Err(ApiError::new(
                    400,
                    "invalid_schema",
                    "the body must be an object",
                ));
            };
            let name = crdb.get("name").and_then(Value::as_str).unwrap_or_default();
            if name.is_empty() {
                return Err(ApiError::new(400, "missing_field", "name is required"));
            }
            let name = name.to_string();
            if req.query_flag("dry_run") {
                return crate::fallback::answer(req);
            }
            let guid = shared.with_store(|s| {
                if s.crdbs
                    .values()
                    .any(|c| c["name"] == Value::String(name.clone()))
                {
                    return Err(ApiError::new(
                        406,
                        "name_already_exists",
                        format!("an Active-Active database named {name:?} exists"),
                    ));
                }
                let n = s.crdbs.len() + s.crdb_tasks.len() + 1;
                let guid = format!("{n:08x}-0000-4000-8000-{n:012x}");
                let mut record = without_credentials(crdb);
                record.insert("guid".into(), Value::String(guid.clone()));
                s.crdbs.insert(guid.clone(), Value::Object(record));
                Ok(guid)
            })?;
            Ok(Reply::ok(run_task(shared, &guid, "create_crdb", false)))
        }
        "crdb_update" => {
            let body = req.json_value()?;
            schema::validate_named(&body, "Crdb")
                .map_err(|e| ApiError::new(400, "invalid_schema", e))?;
            let Value::Object(changes) = body else {
                return Err(ApiError::new(
                    400,
                    "invalid_schema",
                    "the body must be an object",
                ));
            };
            shared.with_store(|s| match s.crdbs.get_mut(&guid) {
                Some(Value::Object(record)) => {
                    for (k, v) in without_credentials(changes) {
                        if k != "guid" {
                            record.insert(k, v);
                        }
                    }
                    Ok(())
                }
                _ => Err(req.missing("crdb", &guid)),
            })?;
            Ok(Reply::ok(run_task(shared, &guid, "update_crdb", false)))
        }
        "crdb_delete" => {
            if !exists(shared) {
                return Err(req.missing("crdb", &guid));
            }
            Ok(Reply::ok(run_task(shared, &guid, "delete_crdb", true)))
        }
        "crdb_flush" | "crdb_purge" | "crdb_modify" | "crdb_upgrade" => {
            // Validates the body and checks the documented statuses first.
            crate::fallback::answer(req)?;
            if !exists(shared) {
                return Err(req.missing("crdb", &guid));
            }
            let operation = req.op.id.trim_start_matches("crdb_").to_string() + "_crdb";
            Ok(Reply::ok(run_task(shared, &guid, &operation, false)))
        }
        "crdb_task_list" => shared.with_store(|s| {
            Ok(Reply::ok(Value::Array(
                s.crdb_tasks.values().cloned().collect(),
            )))
        }),
        "crdb_task_get" => {
            let id = req.param("task_id").to_string();
            shared.with_store(|s| {
                s.crdb_tasks
                    .get(&id)
                    .cloned()
                    .map(Reply::ok)
                    .ok_or_else(|| req.missing("crdb_task", &id))
            })
        }
        _ => crate::fallback::answer(req),
    }
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    [
        "crdb_list",
        "crdb_get",
        "crdb_create",
        "crdb_update",
        "crdb_delete",
        "crdb_flush",
        "crdb_purge",
        "crdb_modify",
        "crdb_upgrade",
        "crdb_task_list",
        "crdb_task_get",
    ]
    .into_iter()
    .map(|id| (id, async_handler!(answer)))
    .collect()
}
