//! Active-Active databases (CRDBs) as records: create, list, get, update and delete, each
//! change running as a CRDB task (`queued` → `finished` after the action delay) that the task
//! list shows. Flush, purge, modify and upgrade run a task without changing the record.
//! Credentials sent for the participating clusters are not kept.
//!
//! What it does not do: contact the participating clusters, create local databases or
//! processes for the instances, or replicate anything.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::ModelError;
use crate::state::iso_now;
use crate::Shared;

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

fn exists(shared: &Shared, guid: &str) -> bool {
    shared.with_store(|s| s.crdbs.contains_key(guid))
}

/// Every CRDB record.
pub(crate) fn list(shared: &Shared) -> Vec<Value> {
    shared.with_store(|s| s.crdbs.values().cloned().collect())
}

/// One CRDB record.
pub(crate) fn get(shared: &Shared, guid: &str) -> Result<Value, ModelError> {
    shared.with_store(|s| {
        s.crdbs
            .get(guid)
            .cloned()
            .ok_or_else(|| ModelError::not_found("crdb", guid))
    })
}

/// Creates a CRDB record (a name is required and must be free) and its `create_crdb` task,
/// which is returned. A dry run only checks the name is given, and answers `None`.
pub(crate) fn create(
    shared: &Arc<Shared>,
    crdb: Map<String, Value>,
    dry_run: bool,
) -> Result<Option<Value>, ModelError> {
    let name = crdb.get("name").and_then(Value::as_str).unwrap_or_default();
    if name.is_empty() {
        return Err(ModelError::invalid("missing_field", "name is required"));
    }
    let name = name.to_string();
    if dry_run {
        return Ok(None);
    }
    let guid = shared.with_store(|s| {
        if s.crdbs
            .values()
            .any(|c| c["name"] == Value::String(name.clone()))
        {
            return Err(ModelError::refused(
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
    Ok(Some(run_task(shared, &guid, "create_crdb", false)))
}

/// Merges `changes` into a record (its `guid` stays) and runs an `update_crdb` task.
pub(crate) fn update(
    shared: &Arc<Shared>,
    guid: &str,
    changes: Map<String, Value>,
) -> Result<Value, ModelError> {
    shared.with_store(|s| match s.crdbs.get_mut(guid) {
        Some(Value::Object(record)) => {
            for (k, v) in without_credentials(changes) {
                if k != "guid" {
                    record.insert(k, v);
                }
            }
            Ok(())
        }
        _ => Err(ModelError::not_found("crdb", guid)),
    })?;
    Ok(run_task(shared, guid, "update_crdb", false))
}

/// Runs a `delete_crdb` task; the record goes when it finishes.
pub(crate) fn delete(shared: &Arc<Shared>, guid: &str) -> Result<Value, ModelError> {
    if !exists(shared, guid) {
        return Err(ModelError::not_found("crdb", guid));
    }
    Ok(run_task(shared, guid, "delete_crdb", true))
}

/// What a CRDB task does that leaves the record as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskOperation {
    /// `flush_crdb`.
    Flush,
    /// `purge_crdb`.
    Purge,
    /// `modify_crdb`.
    Modify,
    /// `upgrade_crdb`.
    Upgrade,
}

impl TaskOperation {
    fn name(self) -> &'static str {
        match self {
            Self::Flush => "flush_crdb",
            Self::Purge => "purge_crdb",
            Self::Modify => "modify_crdb",
            Self::Upgrade => "upgrade_crdb",
        }
    }
}

/// Runs a task on an existing record.
pub(crate) fn run(
    shared: &Arc<Shared>,
    guid: &str,
    operation: TaskOperation,
) -> Result<Value, ModelError> {
    if !exists(shared, guid) {
        return Err(ModelError::not_found("crdb", guid));
    }
    Ok(run_task(shared, guid, operation.name(), false))
}

/// Every CRDB task.
pub(crate) fn tasks(shared: &Shared) -> Vec<Value> {
    shared.with_store(|s| s.crdb_tasks.values().cloned().collect())
}

/// One CRDB task.
pub(crate) fn task(shared: &Shared, id: &str) -> Result<Value, ModelError> {
    shared.with_store(|s| {
        s.crdb_tasks
            .get(id)
            .cloned()
            .ok_or_else(|| ModelError::not_found("crdb_task", id))
    })
}
