//! The tools: one per operation of the spec (its operationId, input schema from its parameters
//! and body, annotations from `x-safety`), three workflow tools that change a database and wait,
//! and the policy that decides which of them exist for this server. A tool the policy does not
//! allow is never built, so it is neither listed nor callable. Nothing here sends a request.

use std::sync::Arc;

use redis_enterprise_api::describe::{self, OperationSpec};
use redis_enterprise_api::operations::Safety;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Map, Value};

/// Which tools exist.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Adds `write` tools.
    pub allow_writes: bool,
    /// Adds `destructive` tools.
    pub allow_destructive: bool,
    /// When not empty, only tools whose tag or name is listed.
    pub allow: Vec<String>,
    /// Tools whose tag or name is listed never exist.
    pub deny: Vec<String>,
}

impl Policy {
    /// Whether a tool of `tag`, `name` and `safety` exists under this policy.
    pub fn allows(&self, tag: &str, name: &str, safety: Safety) -> bool {
        let listed = |list: &[String]| list.iter().any(|e| e == tag || e == name);
        if listed(&self.deny) || (!self.allow.is_empty() && !listed(&self.allow)) {
            return false;
        }
        match safety {
            Safety::Read => true,
            Safety::Write => self.allow_writes,
            Safety::Destructive => self.allow_destructive,
        }
    }
}

/// What calling a tool does.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// Sends the operation.
    Operation(&'static OperationSpec),
    /// `create_database_and_wait`.
    CreateDatabase,
    /// `update_database_and_wait`.
    UpdateDatabase,
    /// `delete_database_and_wait`.
    DeleteDatabase,
}

/// A tool and what it does.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The MCP tool.
    pub tool: Tool,
    /// What calling it does.
    pub action: Action,
}

/// Why an operation has no tool: multipart uploads cannot be given as JSON arguments.
pub fn has_tool(spec: &OperationSpec) -> bool {
    spec.body_media_type.as_deref() != Some("multipart/form-data")
}

/// The tools this policy allows, operations in spec order, then the workflows.
pub fn tools(policy: &Policy) -> Vec<Entry> {
    let mut out = Vec::new();
    for spec in describe::operations().iter().filter(|s| has_tool(s)) {
        let op = spec.operation;
        if policy.allows(op.tag, op.id, op.safety) {
            out.push(Entry {
                tool: operation_tool(spec),
                action: Action::Operation(spec),
            });
        }
    }
    for (name, action, safety, about) in WORKFLOWS {
        if policy.allows("bdbs", name, *safety) {
            out.push(Entry {
                tool: workflow_tool(name, *action, *safety, about),
                action: *action,
            });
        }
    }
    out
}

/// The workflow tools: name, action, safety, description.
pub const WORKFLOWS: &[(&str, Action, Safety, &str)] = &[
    (
        "create_database_and_wait",
        Action::CreateDatabase,
        Safety::Write,
        "Create a database (bdb_create) and return it once the cluster reports it active: waits for the creation action, then for the database status.",
    ),
    (
        "update_database_and_wait",
        Action::UpdateDatabase,
        Safety::Write,
        "Update database `uid` (bdb_update) and return it once the change is done and it is active again.",
    ),
    (
        "delete_database_and_wait",
        Action::DeleteDatabase,
        Safety::Destructive,
        "Delete database `uid` (bdb_delete) and return once it is gone.",
    ),
];

fn annotations(title: &str, safety: Safety, idempotent: bool) -> ToolAnnotations {
    ToolAnnotations::with_title(title)
        .read_only(safety == Safety::Read)
        .destructive(safety == Safety::Destructive)
        .idempotent(idempotent)
        .open_world(false)
}

fn operation_tool(spec: &OperationSpec) -> Tool {
    let op = spec.operation;
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut defs = Map::new();
    for p in &spec.params {
        let mut schema = p.schema.clone();
        if let Value::Object(map) = &mut schema {
            if !p.description.is_empty() {
                map.insert("description".into(), Value::String(p.description.clone()));
            }
        }
        properties.insert(p.name.clone(), schema);
        if p.required {
            required.push(Value::String(p.name.clone()));
        }
    }
    if let Some(body) = &spec.body_schema {
        let mut body = body.clone();
        if let Some(Value::Object(d)) = body.as_object_mut().and_then(|b| b.remove("$defs")) {
            defs.extend(d);
        }
        if let Value::Object(map) = &mut body {
            map.insert("description".into(), json!("The request body."));
        }
        properties.insert("body".into(), body);
        if spec.body_required {
            required.push(json!("body"));
        }
    }
    if !spec.response_is_json() {
        properties.insert(
            "out_file".into(),
            json!({"type": "string", "description": "Local file the server streams the response body into (an archive or NDJSON report); the result names it and its size."}),
        );
        required.push(json!("out_file"));
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    if !defs.is_empty() {
        schema.insert("$defs".into(), Value::Object(defs));
    }
    let mut description = format!("{}\n\n{}", spec.summary, spec.description);
    description.push_str(&format!(
        "\n\n{} {} (safety: {})",
        op.method, op.path, op.safety
    ));
    let idempotent = matches!(op.method, "GET" | "PUT" | "DELETE");
    Tool::new(op.id, description, Arc::new(schema)).with_annotations(annotations(
        &spec.summary,
        op.safety,
        idempotent,
    ))
}

fn workflow_tool(name: &'static str, action: Action, safety: Safety, about: &'static str) -> Tool {
    // A create sends what bdb_create takes (with the members it requires), an update what
    // bdb_update takes (any member).
    let body_of = if matches!(action, Action::CreateDatabase) {
        "bdb_create"
    } else {
        "bdb_update"
    };
    let bdb = describe::operation(body_of).and_then(|s| s.body_schema.clone());
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut defs = Map::new();
    if matches!(action, Action::UpdateDatabase | Action::DeleteDatabase) {
        properties.insert(
            "uid".into(),
            json!({"type": "integer", "description": "The database's uid."}),
        );
        required.push(json!("uid"));
    }
    if matches!(action, Action::CreateDatabase | Action::UpdateDatabase) {
        let mut body = bdb.unwrap_or_else(|| json!({"type": "object"}));
        if let Some(Value::Object(d)) = body.as_object_mut().and_then(|b| b.remove("$defs")) {
            defs.extend(d);
        }
        properties.insert("body".into(), body);
        required.push(json!("body"));
    }
    properties.insert(
        "timeout_seconds".into(),
        json!({"type": "integer", "description": "Give up waiting after this many seconds (default 600)."}),
    );
    let mut schema: JsonObject = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    schema.insert("required".into(), Value::Array(required));
    if !defs.is_empty() {
        schema.insert("$defs".into(), Value::Object(defs));
    }
    Tool::new(name, about, Arc::new(schema)).with_annotations(annotations(
        about,
        safety,
        !matches!(action, Action::CreateDatabase),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis_enterprise_api::operations::OPERATIONS;

    #[test]
    fn tool_counts_follow_the_table() {
        let count = |s: Safety| {
            describe::operations()
                .iter()
                .filter(|o| has_tool(o) && o.operation.safety == s)
                .count()
        };
        let read = tools(&Policy::default()).len();
        assert_eq!(read, count(Safety::Read));
        let writes = Policy {
            allow_writes: true,
            ..Policy::default()
        };
        assert_eq!(tools(&writes).len(), read + count(Safety::Write) + 2);
        let all = Policy {
            allow_destructive: true,
            ..writes.clone()
        };
        assert_eq!(
            tools(&all).len(),
            OPERATIONS.iter().filter(|o| !o.handwritten).count() + WORKFLOWS.len()
        );
        let only_users = Policy {
            allow: vec!["users".into()],
            deny: vec!["user_get".into()],
            ..Policy::default()
        };
        let names: Vec<String> = tools(&only_users)
            .iter()
            .map(|e| e.tool.name.to_string())
            .collect();
        assert!(names.contains(&"user_list".to_string()));
        assert!(!names.contains(&"user_get".to_string()));
        assert!(names.iter().all(|n| n.starts_with("user")));
    }
}
