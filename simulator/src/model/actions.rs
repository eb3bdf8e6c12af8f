//! Actions: the long-running work a change starts (database create, update, delete…). An
//! action is `running` while its work goes on, its `progress` follows the clock (elapsed time
//! over the configured action delay, at most 99 until it ends), and the task that does the
//! work marks it `completed` or `failed`. Reading: the v1 view (tasks and state machines), the
//! v2 view, one action, a database's state machines; nothing here starts processes.

use std::time::Duration;

use redis_enterprise_api::types;
use serde_json::Value;

use super::ModelError;
use crate::state::{now_secs, ActionEntry, Store};
use crate::Shared;

/// Records a new running action and returns its uid.
pub(crate) fn start(
    store: &mut Store,
    name: &str,
    bdb_uid: Option<i64>,
    now_ms: i64,
    delay: Duration,
) -> String {
    let uid = store.new_action_uid();
    let action = {
        let mut value = types::Action::default();
        value.action_uid = Some(uid.clone());
        value.name = Some(name.to_string());
        value.object_name = bdb_uid.map(|u| format!("bdb:{u}"));
        value.node_uid = Some("1".into());
        value.status = Some(types::ActionStatus::Running);
        value.progress = Some(0.0);
        value.creation_time = Some(now_secs());
        value.heartbeat = Some(now_secs());
        value.task_id = Some(uid.clone());
        value.state = Some("running".into());
        value
    };
    store.actions.insert(
        uid.clone(),
        ActionEntry {
            action,
            bdb_uid,
            started_ms: now_ms,
            duration_ms: delay.as_millis() as i64,
            node: None,
        },
    );
    uid
}

/// Records a new running action on node `node` and returns its uid.
pub(crate) fn start_on_node(
    store: &mut Store,
    name: &str,
    node: i64,
    now_ms: i64,
    delay: Duration,
) -> String {
    let uid = start(store, name, None, now_ms, delay);
    if let Some(entry) = store.actions.get_mut(&uid) {
        entry.node = Some(node);
        entry.action.node_uid = Some(node.to_string());
        entry.action.object_name = Some(format!("node:{node}"));
    }
    uid
}

/// Ends an action: `completed`, or `failed` with an error code and message.
pub(crate) fn finish(store: &mut Store, uid: &str, error: Option<(&str, String)>) {
    if let Some(entry) = store.actions.get_mut(uid) {
        let a = &mut entry.action;
        a.heartbeat = Some(now_secs());
        match error {
            None => {
                a.status = Some(types::ActionStatus::Completed);
                a.progress = Some(100.0);
                a.state = Some("completed".into());
            }
            Some((code, message)) => {
                a.status = Some(types::ActionStatus::Failed);
                a.state = Some("failed".into());
                a.error_code = Some(code.to_string());
                a.error_message = Some(message);
            }
        }
    }
}

/// Ends every action still running (at start-up from a state file: their work did not survive
/// the restart, and the databases are restored as they were).
pub(crate) fn finish_all_running(store: &mut Store) {
    let running: Vec<String> = store
        .actions
        .iter()
        .filter(|(_, e)| is_running(&e.action))
        .map(|(k, _)| k.clone())
        .collect();
    for uid in running {
        finish(store, &uid, None);
    }
}

pub(crate) fn is_running(a: &types::Action) -> bool {
    matches!(a.status, Some(types::ActionStatus::Running))
}

/// The action as the API shows it, with progress from the clock.
pub(crate) fn view(entry: &ActionEntry, v2: bool, now_ms: i64) -> types::Action {
    let mut a = entry.action.clone();
    if is_running(&a) {
        let elapsed = (now_ms - entry.started_ms).max(0) as f64;
        let total = entry.duration_ms.max(1) as f64;
        a.progress = Some((elapsed / total * 100.0).clamp(0.0, 99.0).floor());
    }
    if v2 {
        a.node_uid = None;
        a.task_id = None;
        a.state = None;
        a.object_name = None;
    } else {
        a.creation_time = None;
    }
    a
}

fn state_machine(entry: &ActionEntry, now_ms: i64) -> Value {
    let a = view(entry, false, now_ms);
    let status = match &a.status {
        Some(types::ActionStatus::Completed) => "completed",
        Some(types::ActionStatus::Failed) => "failed",
        _ => "active",
    };
    let mut sm = serde_json::json!({
        "action_uid": a.action_uid,
        "name": a.name,
        "object_name": a.object_name,
        "progress": a.progress,
        "state": a.state,
        "status": status,
        "heartbeat": a.heartbeat,
    });
    if let (Some(e), Some(map)) = (&a.error_message, sm.as_object_mut()) {
        map.insert("error".into(), Value::String(e.clone()));
    }
    sm
}

/// The v1 list: actions on no database (tasks), and the state machines of databases.
pub(crate) fn list_v1(shared: &Shared) -> (Vec<types::Action>, Vec<Value>) {
    let now = shared.clock.now_ms();
    shared.with_store(|s| {
        let tasks: Vec<types::Action> = s
            .actions
            .values()
            .filter(|e| e.bdb_uid.is_none())
            .map(|e| view(e, false, now))
            .collect();
        let machines: Vec<Value> = s
            .actions
            .values()
            .filter(|e| e.bdb_uid.is_some())
            .map(|e| state_machine(e, now))
            .collect();
        (tasks, machines)
    })
}

/// The v2 list: every action.
pub(crate) fn list_v2(shared: &Shared) -> Vec<types::Action> {
    let now = shared.clock.now_ms();
    shared.with_store(|s| s.actions.values().map(|e| view(e, true, now)).collect())
}

/// One action, in the v1 or the v2 view.
pub(crate) fn get(shared: &Shared, uid: &str, v2: bool) -> Result<types::Action, ModelError> {
    let now = shared.clock.now_ms();
    shared.with_store(|s| match s.actions.get(uid) {
        Some(e) => Ok(view(e, v2, now)),
        None => Err(ModelError::not_found("action", uid)),
    })
}

/// The state machines of one database.
pub(crate) fn state_machines_of(shared: &Shared, bdb: i64) -> Vec<Value> {
    let now = shared.clock.now_ms();
    shared.with_store(|s| {
        s.actions
            .values()
            .filter(|e| e.bdb_uid == Some(bdb))
            .map(|e| state_machine(e, now))
            .collect()
    })
}
