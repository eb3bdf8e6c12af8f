//! Singleton settings kept in state, found in the spec rather than listed by hand: every path
//! without parameters that has a `GET` answering a JSON object and a `PUT` (or `PATCH`) taking
//! one (cluster policy, LDAP, SSO, OCSP, diagnostics, job scheduler, CM settings, metrics
//! configuration, services configuration, connection auditing, …). Reading gives the stored
//! object (none until something was stored: the spec's example stands for it); a write merges
//! the members sent into it (kept only when the result is still valid against the `GET`
//! schema); forgetting drops it. No setting changes the simulator's behaviour.

use redis_enterprise_api::operations::{Operation, OPERATIONS};
use serde_json::{Map, Value};

use crate::{schema, Shared};

/// The `GET` operation of a settings path, if the path is one.
pub(crate) fn getter(path: &str) -> Option<&'static Operation> {
    if path.contains('{') {
        return None;
    }
    let get = OPERATIONS
        .iter()
        .find(|o| o.path == path && o.method == "GET")?;
    let has_writer = OPERATIONS.iter().any(|o| {
        o.path == path
            && matches!(o.method, "PUT" | "PATCH")
            && schema::operation(o.id, o.method, o.path)
                .and_then(schema::request_schema)
                .is_some()
    });
    let spec = schema::operation(get.id, get.method, get.path)?;
    let (_, media) = schema::response_content(spec, 200)?;
    let body = media.get("schema").map(schema::resolve)?;
    let is_object = body.get("type").and_then(Value::as_str) == Some("object")
        || body.get("properties").is_some();
    (has_writer && is_object).then_some(get)
}

/// Whether the operation reads or writes a settings object.
pub(crate) fn handles(op: &Operation) -> bool {
    matches!(op.method, "GET" | "PUT" | "PATCH" | "DELETE") && getter(op.path).is_some()
}

/// The spec's answer for the `GET` of a path (its example or smallest valid body).
fn default_of(get: &'static Operation) -> Value {
    schema::operation(get.id, get.method, get.path)
        .and_then(|op| schema::response_content(op, 200))
        .map_or(Value::Null, |(_, media)| schema::example(media))
}

fn get_schema(get: &'static Operation) -> Option<&'static Value> {
    let op = schema::operation(get.id, get.method, get.path)?;
    schema::response_content(op, 200)?.1.get("schema")
}

/// The stored object of a settings path, if something was stored.
pub(crate) fn stored(shared: &Shared, path: &str) -> Option<Value> {
    shared.with_store(|s| s.settings.get(path).cloned())
}

/// Forgets the stored object of a settings path.
pub(crate) fn forget(shared: &Shared, path: &str) {
    shared.with_store(|s| s.settings.remove(path));
    shared.persist();
}

/// Merges `changes` into the object of the settings path whose `GET` is `get` (the spec's
/// default until something was stored). The result is kept and returned only when it is still
/// valid against the `GET` schema.
pub(crate) fn merge(
    shared: &Shared,
    get: &'static Operation,
    changes: Map<String, Value>,
) -> Option<Value> {
    let path = get.path;
    let merged = shared.with_store(|s| {
        let mut current = s
            .settings
            .get(path)
            .cloned()
            .unwrap_or_else(|| default_of(get));
        if let Value::Object(map) = &mut current {
            map.extend(changes);
        }
        let valid = get_schema(get).is_none_or(|sch| schema::validate(&current, sch, "$").is_ok());
        if valid {
            s.settings.insert(path.to_string(), current.clone());
        }
        valid.then_some(current)
    });
    shared.persist();
    merged
}
