//! The command model: one command per spec operation, named `<resource> <verb>` from its tag
//! and operationId, with the flags its parameters and body members need and the waiter that
//! `--wait` uses. Everything is derived from `redis_enterprise_api::describe` at run time, so
//! an operation added to the spec becomes a command without a hand edit. It does not parse
//! arguments or send requests (see `cli` and `run`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use redis_enterprise_api::describe::{self, OperationSpec};
use serde_json::Value;

/// Long names of the global flags: a parameter or body member with one of these names would
/// clash, so body members get a `body-` prefix instead.
pub const RESERVED_LONGS: &[&str] = &[
    "url",
    "user",
    "profile",
    "config",
    "ca-cert",
    "insecure",
    "password-stdin",
    "output",
    "query",
    "yes",
    "wait",
    "wait-timeout",
    "body",
    "out",
    "chart",
    "package",
    "help",
    "version",
    "dry-run",
];

/// The JSON type of a body member that can be given as a flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// A string (or a string enum).
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl Scalar {
    fn of(schema: &Value) -> Option<Scalar> {
        match schema.get("type").and_then(Value::as_str)? {
            "string" => Some(Scalar::String),
            "integer" => Some(Scalar::Integer),
            "number" => Some(Scalar::Number),
            "boolean" => Some(Scalar::Boolean),
            _ => None,
        }
    }

    /// Parses a flag's text as this type.
    pub fn parse(self, text: &str) -> Result<Value, String> {
        match self {
            Scalar::String => Ok(Value::String(text.to_string())),
            Scalar::Integer => text
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("{text:?} is not an integer")),
            Scalar::Number => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("{text:?} is not a number")),
            Scalar::Boolean => match text {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(format!("{text:?} is not true or false")),
            },
        }
    }
}

/// A simple body member given as a flag.
#[derive(Clone, Debug)]
pub struct BodyFlag {
    /// The member's name in the body.
    pub member: String,
    /// The flag's long name (the member's, or `body-<member>` when that clashes).
    pub long: String,
    /// Its type.
    pub scalar: Scalar,
    /// Its description.
    pub description: String,
}

/// What `--wait` waits for after the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitKind {
    /// The action named by the response's `action_uid`; then, for a database response, the
    /// database to be `active`.
    Action {
        /// The response is a database (`uid` in the bdbs resource): wait for it to be active.
        bdb: bool,
    },
    /// The CRDB task named by the response's `id`.
    CrdbTask,
    /// The object to be gone: the operation's own path answers 404 to this GET.
    Gone {
        /// The GET operation on the same path.
        get: &'static str,
    },
    /// The cluster bootstrap to be `completed`.
    Bootstrap,
}

/// One operation as a command.
#[derive(Debug)]
pub struct OpCommand {
    /// What the spec says about it.
    pub spec: &'static OperationSpec,
    /// Its resource group as a command name (`bdbs`, `crdb-tasks`).
    pub group: String,
    /// Its verb within the group (`list`, `create`, `action-export`).
    pub verb: String,
    /// Body members that have flags.
    pub body_flags: Vec<BodyFlag>,
    /// What `--wait` waits for, when the operation starts something.
    pub wait: Option<WaitKind>,
}

impl OpCommand {
    /// The operationId.
    pub fn id(&self) -> &'static str {
        self.spec.operation.id
    }

    /// Whether the body is JSON that this command sends (multipart uploads are not).
    pub fn has_json_body(&self) -> bool {
        self.spec.body_media_type.as_deref() == Some("application/json")
    }

    /// Whether the body is a multipart module upload (`--package FILE`).
    pub fn is_upload(&self) -> bool {
        self.spec.body_media_type.as_deref() == Some("multipart/form-data")
    }

    /// Whether the response is a file to stream (`--out FILE`).
    pub fn is_download(&self) -> bool {
        !self.spec.response_is_json()
    }

    /// Whether `--chart` applies: a statistics operation.
    pub fn has_chart(&self) -> bool {
        self.id().contains("stats")
    }
}

/// Every operation as a command, in spec order.
pub fn commands() -> &'static [OpCommand] {
    static COMMANDS: OnceLock<Vec<OpCommand>> = OnceLock::new();
    COMMANDS.get_or_init(build)
}

/// The command of operation `id`.
pub fn by_id(id: &str) -> Option<&'static OpCommand> {
    commands().iter().find(|c| c.id() == id)
}

/// The command `<group> <verb>`.
pub fn by_group_verb(group: &str, verb: &str) -> Option<&'static OpCommand> {
    commands()
        .iter()
        .find(|c| c.group == group && c.verb == verb)
}

fn build() -> Vec<OpCommand> {
    let specs = describe::operations();
    let mut out: Vec<OpCommand> = Vec::with_capacity(specs.len());
    for spec in specs {
        let op = spec.operation;
        let group = op.tag.replace('_', "-");
        let mut verb = verb_of(op.tag, op.id);
        // Two operations of one group with the same verb: the second keeps its full id.
        if out.iter().any(|c| c.group == group && c.verb == verb) {
            verb = op.id.replace('_', "-");
        }
        out.push(OpCommand {
            spec,
            group,
            verb,
            body_flags: body_flags(spec),
            wait: wait_kind(spec),
        });
    }
    out
}

/// `bdb_action_export` in `bdbs` → `action-export`; `cluster_ldap_get` in `cluster` →
/// `ldap-get`; an id that does not start with its resource keeps its whole name.
fn verb_of(tag: &str, id: &str) -> String {
    let mut stems = vec![tag.to_string()];
    if let Some(s) = tag.strip_suffix("ies") {
        stems.push(format!("{s}y"));
    }
    if let Some(s) = tag.strip_suffix("es") {
        stems.push(s.to_string());
    }
    if let Some(s) = tag.strip_suffix('s') {
        stems.push(s.to_string());
    }
    // `endpoints_stats` → `endpoint_stats`: singular first word.
    if let Some((first, rest)) = tag.split_once('_') {
        if let Some(s) = first.strip_suffix('s') {
            stems.push(format!("{s}_{rest}"));
        }
    }
    stems.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for stem in &stems {
        if let Some(rest) = id
            .strip_prefix(stem.as_str())
            .and_then(|r| r.strip_prefix('_'))
        {
            if !rest.is_empty() {
                return rest.replace('_', "-");
            }
        }
    }
    id.replace('_', "-")
}

fn body_flags(spec: &OperationSpec) -> Vec<BodyFlag> {
    if spec.body_media_type.as_deref() != Some("application/json") {
        return Vec::new();
    }
    let params: BTreeSet<&str> = spec.params.iter().map(|p| p.name.as_str()).collect();
    spec.body_properties()
        .into_iter()
        .filter(|(_, schema)| schema.get("readOnly") != Some(&Value::Bool(true)))
        .filter_map(|(member, schema)| {
            let scalar = Scalar::of(&schema)?;
            let clashes = params.contains(member.as_str())
                || RESERVED_LONGS.contains(&member.as_str())
                || member.starts_with("body-");
            let long = if clashes {
                format!("body-{member}")
            } else {
                member.clone()
            };
            let description = schema
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            Some(BodyFlag {
                member,
                long,
                scalar,
                description,
            })
        })
        .collect()
}

/// Which waiter `--wait` uses, from what the response carries: an `action_uid` (an action), a
/// CRDB task, a DELETE of an object that has a GET, the bootstrap.
fn wait_kind(spec: &OperationSpec) -> Option<WaitKind> {
    let op = spec.operation;
    if op.safety == redis_enterprise_api::operations::Safety::Read {
        return None;
    }
    let response: BTreeSet<String> = spec
        .response_properties()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    if response.contains("action_uid") {
        let bdb = op.tag == "bdbs" && response.contains("uid") && response.contains("status");
        return Some(WaitKind::Action { bdb });
    }
    if op.tag == "crdbs" && response.contains("id") && response.contains("status") {
        return Some(WaitKind::CrdbTask);
    }
    if op.tag == "bootstrap" {
        return Some(WaitKind::Bootstrap);
    }
    if op.method == "DELETE" {
        let get = redis_enterprise_api::operations::OPERATIONS
            .iter()
            .find(|o| o.method == "GET" && o.path == op.path)?;
        return Some(WaitKind::Gone { get: get.id });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_strip_the_resource() {
        assert_eq!(verb_of("bdbs", "bdb_action_export"), "action-export");
        assert_eq!(verb_of("proxies", "proxy_update_all"), "update-all");
        assert_eq!(verb_of("cluster", "cluster_ldap_get"), "ldap-get");
        assert_eq!(verb_of("crdb_tasks", "crdb_task_get"), "get");
        assert_eq!(verb_of("endpoints_stats", "endpoint_stats_list"), "list");
        assert_eq!(verb_of("suffixes", "suffix_list"), "list");
        assert_eq!(verb_of("jsonschema", "jsonschema_get"), "get");
    }

    #[test]
    fn every_operation_has_one_distinct_command() {
        let all = commands();
        assert_eq!(
            all.len(),
            redis_enterprise_api::operations::OPERATIONS.len()
        );
        let names: BTreeSet<(String, String)> = all
            .iter()
            .map(|c| (c.group.clone(), c.verb.clone()))
            .collect();
        assert_eq!(names.len(), all.len());
        let create = by_id("bdb_create").expect("bdb_create");
        assert_eq!(create.wait, Some(WaitKind::Action { bdb: true }));
        assert!(create.body_flags.iter().any(|f| f.member == "memory_size"));
        assert_eq!(
            by_id("bdb_delete").and_then(|c| c.wait),
            Some(WaitKind::Gone { get: "bdb_get" })
        );
    }
}
