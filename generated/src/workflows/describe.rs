//! What the spec says about each operation, read from the embedded OpenAPI document (feature
//! `openapi`): summary, description, parameters with their docs and schemas, the request body's
//! schema and the success response's media type and schema. Tools that are driven by the spec at
//! run time (the command line, the MCP server) read operations from here, so an operation added
//! to the spec reaches them without a hand edit.
//!
//! Schemas are returned as JSON Schema values whose local references point into `$defs`
//! (the `body_schema` and `response_schema` of an [`OperationSpec`](crate::describe::OperationSpec)
//! carry the definitions they need). Nothing here validates a value against a schema; the server does that.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::operations::{Operation, OPERATIONS};

/// Where a parameter goes in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// A `{name}` in the path template.
    Path,
    /// A query-string pair.
    Query,
    /// A request header.
    Header,
}

/// One parameter of an operation.
#[derive(Clone, Debug)]
pub struct ParamSpec {
    /// Its name in the spec (`uid`, `dry_run`, `cluster-state-id`).
    pub name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Whether the request needs it.
    pub required: bool,
    /// The spec's description (may be empty).
    pub description: String,
    /// Its schema, references resolved.
    pub schema: Value,
}

impl ParamSpec {
    /// The JSON type of its schema (`string`, `integer`, `boolean`, `array`…), `string` when
    /// the schema does not say.
    pub fn json_type(&self) -> &str {
        self.schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("string")
    }
}

/// One operation as the spec describes it.
#[derive(Clone, Debug)]
pub struct OperationSpec {
    /// Its entry of the operation table.
    pub operation: &'static Operation,
    /// One-line summary.
    pub summary: String,
    /// Longer description (may be empty).
    pub description: String,
    /// Path, query and header parameters, path ones first, each in spec order.
    pub params: Vec<ParamSpec>,
    /// The request body's media type, when there is a body.
    pub body_media_type: Option<String>,
    /// Whether the body is required.
    pub body_required: bool,
    /// The request body's schema, with the `$defs` it references; `None` without a body.
    pub body_schema: Option<Value>,
    /// The success response's media type, `None` when it has no body.
    pub response_media_type: Option<String>,
    /// The success response's schema, with the `$defs` it references.
    pub response_schema: Option<Value>,
}

impl OperationSpec {
    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Whether the success response is JSON (as opposed to an archive or NDJSON stream).
    pub fn response_is_json(&self) -> bool {
        self.response_media_type
            .as_deref()
            .is_none_or(|m| m == "application/json")
    }

    /// The top-level properties of the request body's object schema, each with its schema
    /// resolved one level (a `$ref` replaced by its definition), in schema order.
    pub fn body_properties(&self) -> Vec<(String, Value)> {
        object_properties(self.body_schema.as_ref())
    }

    /// The top-level properties of the success response's object schema (see
    /// [`OperationSpec::body_properties`]).
    pub fn response_properties(&self) -> Vec<(String, Value)> {
        object_properties(self.response_schema.as_ref())
    }
}

/// Every operation of the spec, in spec order (the order of [`OPERATIONS`]).
pub fn operations() -> &'static [OperationSpec] {
    static SPECS: OnceLock<Vec<OperationSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        let spec: Value = serde_json::from_str(crate::openapi::JSON)
            .expect("invariant: the embedded spec is the JSON codegen wrote");
        OPERATIONS.iter().map(|op| describe(&spec, op)).collect()
    })
}

/// The operation called `id`.
pub fn operation(id: &str) -> Option<&'static OperationSpec> {
    let index = OPERATIONS.iter().position(|op| op.id == id)?;
    operations().get(index)
}

fn describe(spec: &Value, op: &'static Operation) -> OperationSpec {
    let item = spec
        .pointer(&format!("/paths/{}", escape_pointer(op.path)))
        .cloned()
        .unwrap_or(Value::Null);
    let raw = item
        .get(op.method.to_ascii_lowercase())
        .cloned()
        .unwrap_or(Value::Null);
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut params = Vec::new();
    let declared = item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            raw.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    for p in declared {
        let p = deref(spec, p);
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => ParamLocation::Path,
            Some("query") => ParamLocation::Query,
            Some("header") => ParamLocation::Header,
            _ => continue,
        };
        let schema = p.get("schema").map(|s| deref(spec, s).clone());
        params.push(ParamSpec {
            name: text(p, "name"),
            location,
            required: p.get("required") == Some(&Value::Bool(true)),
            description: text(p, "description"),
            schema: schema.unwrap_or_else(|| Value::Object(Map::new())),
        });
    }
    params.sort_by_key(|p| p.location != ParamLocation::Path);
    let body = raw.get("requestBody").map(|b| deref(spec, b));
    let (body_media_type, body_schema) = match body.and_then(first_content) {
        Some((media, schema)) => (Some(media), schema.map(|s| with_defs(spec, s))),
        None => (None, None),
    };
    let success = raw
        .get("responses")
        .and_then(Value::as_object)
        .and_then(|r| r.iter().find(|(status, _)| status.starts_with('2')))
        .map(|(_, r)| deref(spec, r));
    let (response_media_type, response_schema) = match success.and_then(first_content) {
        Some((media, schema)) => (Some(media), schema.map(|s| with_defs(spec, s))),
        None => (None, None),
    };
    OperationSpec {
        operation: op,
        summary: text(&raw, "summary"),
        description: text(&raw, "description"),
        params,
        body_media_type,
        body_required: body.and_then(|b| b.get("required")) == Some(&Value::Bool(true)),
        body_schema,
        response_media_type,
        response_schema,
    }
}

/// The first media type of a body or response and its schema.
fn first_content(holder: &Value) -> Option<(String, Option<&Value>)> {
    let (media, content) = holder.get("content")?.as_object()?.iter().next()?;
    Some((media.clone(), content.get("schema")))
}

/// `schema` with its references rewritten to `#/$defs/<name>` and every definition it reaches
/// (transitively) under `$defs`.
fn with_defs(spec: &Value, schema: &Value) -> Value {
    let mut defs = BTreeMap::new();
    let mut root = rewrite_refs(schema, &mut defs, spec);
    if !defs.is_empty() {
        if let Value::Object(map) = &mut root {
            map.insert(
                "$defs".into(),
                Value::Object(defs.into_iter().collect::<Map<_, _>>()),
            );
        } else {
            root = serde_json::json!({ "allOf": [root], "$defs": defs });
        }
    }
    root
}

fn rewrite_refs(value: &Value, defs: &mut BTreeMap<String, Value>, spec: &Value) -> Value {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                if !defs.contains_key(name) {
                    // Placeholder first: a recursive schema stops here instead of looping.
                    defs.insert(name.to_string(), Value::Null);
                    let target = spec
                        .pointer(&format!("/components/schemas/{}", escape_pointer(name)))
                        .cloned()
                        .unwrap_or(Value::Null);
                    let rewritten = rewrite_refs(&target, defs, spec);
                    defs.insert(name.to_string(), rewritten);
                }
                return serde_json::json!({ "$ref": format!("#/$defs/{name}") });
            }
            // Extensions and examples are documentation for people, not schema; a `properties`
            // map is kept whole (its keys are member names, which may look like either).
            Value::Object(
                map.iter()
                    .filter(|(k, _)| !k.starts_with("x-") && *k != "example")
                    .map(|(k, v)| {
                        let v = match (k.as_str(), v) {
                            ("properties", Value::Object(props)) => Value::Object(
                                props
                                    .iter()
                                    .map(|(name, s)| (name.clone(), rewrite_refs(s, defs, spec)))
                                    .collect(),
                            ),
                            _ => rewrite_refs(v, defs, spec),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| rewrite_refs(v, defs, spec)).collect())
        }
        other => other.clone(),
    }
}

/// Follows a local `$ref` (into the spec's components) until a value that is not one.
fn deref<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| spec.pointer(pointer))
        else {
            return value;
        };
        value = target;
    }
    value
}

/// The properties of an object schema carrying `$defs` (as built by [`with_defs`]), each
/// resolved one level.
fn object_properties(schema: Option<&Value>) -> Vec<(String, Value)> {
    let Some(schema) = schema else {
        return Vec::new();
    };
    let defs = schema.get("$defs");
    let resolve = |v: &Value| -> Value {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        {
            Some(name) => defs
                .and_then(|d| d.get(name))
                .cloned()
                .unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    // A schema refined with `allOf` (a create body: the object, and the members it needs) has
    // the properties of its parts; a part's entry for a member it only refines merges into the
    // member's schema, after the part that declares it.
    let root = resolve(schema);
    let parts: Vec<Value> = match root.get("allOf").and_then(Value::as_array) {
        Some(parts) => parts.iter().map(resolve).collect(),
        None => vec![root],
    };
    let mut out: Vec<(String, Value)> = Vec::new();
    for part in &parts {
        let Some(props) = part.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (name, s) in props {
            let s = resolve(s);
            match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, Value::Object(known))) => {
                    if let Value::Object(more) = s {
                        known.extend(more);
                    }
                }
                _ => out.push((name.clone(), s)),
            }
        }
    }
    out
}

/// JSON Pointer escaping of one reference token.
fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_described_with_its_path_params() {
        let all = operations();
        assert_eq!(all.len(), OPERATIONS.len());
        for spec in all {
            assert!(
                !spec.summary.is_empty(),
                "{} has no summary",
                spec.operation.id
            );
            let in_path = spec.operation.path.matches('{').count();
            let declared = spec
                .params
                .iter()
                .filter(|p| p.location == ParamLocation::Path)
                .count();
            assert_eq!(in_path, declared, "{}", spec.operation.id);
        }
        let create = operation("bdb_create").expect("bdb_create is in the spec");
        assert!(create.param("dry_run").is_some());
        assert!(create
            .body_properties()
            .iter()
            .any(|(n, _)| n == "memory_size"));
        assert!(create
            .response_properties()
            .iter()
            .any(|(n, _)| n == "action_uid"));
    }

    #[test]
    fn a_refined_body_has_the_properties_of_its_object() {
        // bdb_create's body is Bdb refined with the members a create requires: the same
        // properties as bdb_update's plain Bdb, each once.
        let names = |id: &str| -> Vec<String> {
            operation(id)
                .expect("in the spec")
                .body_properties()
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        let (create, update) = (names("bdb_create"), names("bdb_update"));
        assert!(create.len() > 100, "{}", create.len());
        assert_eq!(create, update);
        // bdb_create_v2 refines a member: `bdb` keeps its description and gains `required`.
        let v2 = operation("bdb_create_v2")
            .expect("in the spec")
            .body_properties();
        let bdb = &v2.iter().find(|(n, _)| n == "bdb").expect("a bdb member").1;
        assert!(bdb.get("description").is_some(), "{bdb}");
        assert_eq!(bdb["required"], serde_json::json!(["name", "memory_size"]));
        assert_eq!(v2.len(), 2, "bdb and recovery_plan");
    }
}
