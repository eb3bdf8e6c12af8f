//! Preparation: the generator's view of a validated spec.
//!
//! - Operations marked `x-handwritten: true` (multipart uploads) are removed: progenitor cannot
//!   generate them, and the client layer implements them by hand.
//! - String enum components are collected: `enums` generates them as open enums and progenitor
//!   is told to use those instead of its closed ones.
//! - Facts that progenitor ignores (`x-since`, `deprecated`, `readOnly`, `x-default`, `x-range`)
//!   are appended to descriptions, so that they reach the generated doc comments.
//! - Every operation is recorded (method, path, tag, since) for the generated operation table.
//! - Numeric bounds (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`) and string
//!   constraints (`minLength`, `maxLength`, `pattern`) stay in the spec for validators (Prism,
//!   Schemathesis, the simulator) but are taken out of what progenitor sees: typify would turn
//!   `minimum: 0` into `u64`, `minimum: 1` into `NonZeroU64` and a `pattern` into a validating
//!   newtype, and a single out-of-range value a server sends would then fail a whole response.
//!   The constraint is appended to the description instead (of the parameter, for a parameter's
//!   schema).
//! - What real clusters send beyond the reference is described for validators and taken out of
//!   what progenitor sees, because the client's decoders already accept it (`crate::lenient`,
//!   the runtime's wrapped-list rule) and the Rust types stay the documented ones: a `oneOf`
//!   alternative marked `x-lenient: <class>` is dropped (a `oneOf` left with one alternative
//!   becomes that alternative), and `""` is dropped from string enums (an unset enum; the open
//!   enum keeps it as sent).

use serde_json::Value;

use crate::Problem;

/// A string enum component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    /// Component name (becomes the Rust type name).
    pub name: String,
    /// Description for the doc comment.
    pub description: Option<String>,
    /// The documented values, in spec order.
    pub values: Vec<String>,
}

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationDef {
    /// operationId.
    pub id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The operation's tag.
    pub tag: String,
    /// `x-since`: the oldest release that documents it.
    pub since: Option<String>,
    /// `x-removed-in`: the first release whose reference no longer documents it.
    pub removed_in: Option<String>,
    /// `x-served-in`: releases that live clusters showed serving it, where that differs from
    /// what `x-since`/`x-removed-in` imply (`reference/observed/routes.json`).
    pub served_in: Vec<String>,
    /// `x-not-served-in`: releases whose live clusters answered 404 although the reference
    /// documents the route for them.
    pub not_served_in: Vec<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Written by hand in the client layer rather than generated.
    pub handwritten: bool,
    /// `x-safety`: `read`, `write` or `destructive` (checked by validation).
    pub safety: String,
}

/// The prepared spec.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What progenitor receives.
    pub api: openapiv3::OpenAPI,
    /// Enum components, generated as open enums.
    pub enums: Vec<EnumDef>,
    /// Every operation, generated or hand-written, in spec order.
    pub operations: Vec<OperationDef>,
    /// `(schema, property)` pairs marked `deprecated: true`: their fields get `#[deprecated]`.
    pub deprecated_properties: std::collections::BTreeSet<(String, String)>,
    /// `(schema, property)` pairs marked `readOnly: true`: the server sets them, so request
    /// bodies get no setter for them.
    pub read_only_properties: std::collections::BTreeSet<(String, String)>,
    /// Schemas that generated operations send as their JSON request body: they get chainable
    /// setters.
    pub request_bodies: std::collections::BTreeSet<String>,
    /// `(schema, property)` pairs marked `format: password` (passwords, keys, tokens): `Debug`
    /// shows them as `<redacted>`.
    pub secret_properties: std::collections::BTreeSet<(String, String)>,
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Builds the generator's view of `raw` (which must have passed validation).
pub fn prepare(raw: &Value) -> Result<Prepared, Vec<Problem>> {
    let mut spec = raw.clone();
    let mut operations = Vec::new();
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for method in METHODS {
                let Some(op) = item.get_mut(method) else {
                    continue;
                };
                let handwritten = op.get("x-handwritten") == Some(&Value::Bool(true));
                let def = OperationDef {
                    id: str_of(op, "operationId"),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    tag: op
                        .pointer("/tags/0")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    since: op
                        .get("x-since")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    removed_in: op
                        .get("x-removed-in")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    served_in: strings_of(op, "x-served-in"),
                    not_served_in: strings_of(op, "x-not-served-in"),
                    deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
                    handwritten,
                    safety: str_of(op, "x-safety"),
                };
                annotate_operation(op, &def);
                operations.push(def);
                if handwritten {
                    item.remove(method);
                }
            }
        }
        paths.retain(|_, item| {
            item.as_object()
                .map(|m| METHODS.iter().any(|k| m.contains_key(*k)))
                .unwrap_or(false)
        });
    }

    collapse_refinements(&mut spec);
    drop_lenient_classes(&mut spec);
    strip_bounds(&mut spec);

    let mut enums = Vec::new();
    let mut deprecated_properties = std::collections::BTreeSet::new();
    let mut secret_properties = std::collections::BTreeSet::new();
    let mut read_only_properties = std::collections::BTreeSet::new();
    let mut request_bodies = std::collections::BTreeSet::new();
    for item in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
    {
        for method in METHODS {
            if let Some(name) = item
                .pointer(&format!(
                    "/{method}/requestBody/content/application~1json/schema/$ref"
                ))
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                request_bodies.insert(name.to_string());
            }
        }
    }
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                enums.push(EnumDef {
                    name: name.clone(),
                    description: schema
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    values: values
                        .iter()
                        .map(|v| v.as_str().unwrap_or_default().to_string())
                        .collect(),
                });
            }
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (prop, def) in props {
                    if def.get("deprecated") == Some(&Value::Bool(true)) {
                        deprecated_properties.insert((name.clone(), prop.clone()));
                    }
                    if def.get("readOnly") == Some(&Value::Bool(true)) {
                        read_only_properties.insert((name.clone(), prop.clone()));
                    }
                    if def.get("format").and_then(Value::as_str) == Some("password") {
                        secret_properties.insert((name.clone(), prop.clone()));
                    }
                }
            }
            annotate_schema(schema);
        }
    }

    let api: openapiv3::OpenAPI = serde_json::from_value(spec).map_err(|e| {
        vec![Problem {
            location: "(root)".into(),
            message: format!("prepared spec is not valid OpenAPI: {e}"),
        }]
    })?;
    Ok(Prepared {
        api,
        enums,
        operations,
        deprecated_properties,
        secret_properties,
        read_only_properties,
        request_bodies,
    })
}

/// A list of strings under `key` (validation has checked the shape).
fn strings_of(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Appends version and deprecation facts to an operation's description.
fn annotate_operation(op: &mut Value, def: &OperationDef) {
    let mut notes = Vec::new();
    if let Some(since) = &def.since {
        notes.push(format!("Documented since Redis Software {since}."));
    }
    if def.deprecated {
        match op.get("x-removed-in").and_then(Value::as_str) {
            Some(v) => notes.push(format!(
                "**Deprecated:** removed in Redis Software {v}; kept for older clusters."
            )),
            None => notes.push("**Deprecated.**".to_string()),
        }
    }
    append_notes(op, &notes);
}

/// Appends read-only, deprecation, default and range facts to property descriptions.
fn annotate_schema(schema: &mut Value) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (_, prop) in props.iter_mut() {
        let mut notes = Vec::new();
        if prop.get("readOnly") == Some(&Value::Bool(true)) {
            notes.push("Read-only.".to_string());
        }
        if prop.get("deprecated") == Some(&Value::Bool(true)) && !desc_mentions(prop, "deprecated")
        {
            notes.push("**Deprecated.**".to_string());
        }
        if let Some(d) = prop.get("x-default") {
            notes.push(format!("Default: `{}`.", plain(d)));
        }
        if let Some(r) = prop.get("x-range") {
            notes.push(format!("Range: {}.", plain(r)));
        }
        if !notes.is_empty() && prop.get("$ref").is_none() {
            append_notes(prop, &notes);
        }
    }
}

/// The numeric bounds progenitor must not see.
const BOUNDS: [(&str, &str); 4] = [
    ("minimum", "At least"),
    ("exclusiveMinimum", "Greater than"),
    ("maximum", "At most"),
    ("exclusiveMaximum", "Less than"),
];

/// The classes of value real clusters send where the reference documents another type, as the
/// spec names them in `x-lenient` (validation checks the names).
pub const LENIENT_CLASSES: [&str; 6] = [
    "integer-as-string",
    "number-as-string",
    "string-as-integer",
    "empty-list-as-string",
    "wrapped-list",
    "unlisted-name",
];

/// Drops every `oneOf` alternative marked `x-lenient` (merging a `oneOf` left with one
/// alternative into its schema, or into `allOf: [that]` when it is a reference) and `""` from every string enum, under `node`.
pub fn drop_lenient_classes(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(alternatives)) = map.get_mut("oneOf") {
                alternatives.retain(|a| a.get("x-lenient").is_none());
                if alternatives.len() == 1 {
                    if let Some(Value::Object(only)) = alternatives.pop() {
                        map.remove("oneOf");
                        if only.contains_key("$ref") {
                            // A reference beside a description loses the description: keep
                            // the spec's form for a described reference, `allOf: [$ref]`.
                            map.insert("allOf".into(), Value::Array(vec![Value::Object(only)]));
                        } else {
                            for (k, v) in only {
                                map.entry(k).or_insert(v);
                            }
                        }
                    }
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| v.as_str() != Some(""));
            }
            for value in map.values_mut() {
                drop_lenient_classes(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_lenient_classes),
        _ => {}
    }
}

/// Keywords a refinement may carry: they narrow what a referenced schema accepts in one place
/// (the members a create requires, tighter bounds, a name's pattern) and change no type.
const REFINING: &[&str] = &[
    "required",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "description",
];

fn only_refining(map: &serde_json::Map<String, Value>) -> bool {
    map.keys()
        .all(|k| REFINING.contains(&k.as_str()) || k.starts_with("x-"))
}

/// Whether `schema` only refines the schema it is combined with: refining keywords, and
/// `properties` whose schemas carry refining keywords only.
fn is_refinement(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    !map.is_empty()
        && map.iter().all(|(k, v)| match k.as_str() {
            "properties" => v.as_object().is_some_and(|props| {
                props
                    .values()
                    .all(|s| s.as_object().is_some_and(only_refining))
            }),
            k => REFINING.contains(&k) || k.starts_with("x-"),
        })
}

/// Replaces every `allOf: [{$ref}, refinement, ...]` under `node` by the reference: a
/// refinement narrows what a request may send (validators and the simulator read it from the
/// spec) but is the same Rust type, so the generated code uses the referenced type. The
/// reference stays `allOf: [{$ref}]` beside other keywords (a description).
pub fn collapse_refinements(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let collapse = match map.get("allOf") {
                Some(Value::Array(parts)) => {
                    parts.len() >= 2
                        && parts[0].as_object().is_some_and(|r| {
                            r.len() == 1 && r.get("$ref").is_some_and(Value::is_string)
                        })
                        && parts[1..].iter().all(is_refinement)
                }
                _ => false,
            };
            if collapse {
                if let Some(Value::Array(parts)) = map.get_mut("allOf") {
                    parts.truncate(1);
                }
                if map.len() == 1 {
                    if let Some(Value::Array(mut parts)) = map.remove("allOf") {
                        if let Some(reference) = parts.pop() {
                            *node = reference;
                            return;
                        }
                    }
                }
            }
            for value in map.values_mut() {
                collapse_refinements(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(collapse_refinements),
        _ => {}
    }
}

/// Removes numeric bounds from every schema under `node`, noting them in a description: the
/// parameter's when the schema is a parameter's, else the schema's own.
fn strip_bounds(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let is_parameter = map.contains_key("in") && map.contains_key("schema");
            if is_parameter {
                let notes = map.get_mut("schema").map(take_bounds).unwrap_or_default();
                append_inline(node, &notes);
            } else if map.contains_key("type") {
                let notes = take_bounds(node);
                append_inline(node, &notes);
            }
            if let Value::Object(map) = node {
                for value in map.values_mut() {
                    strip_bounds(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_bounds),
        _ => {}
    }
}

/// The string constraints progenitor must not see (typify would make each field a validating
/// newtype that refuses what a server sends).
const STRING_BOUNDS: [(&str, &str); 3] = [
    ("minLength", "At least {} characters."),
    ("maxLength", "At most {} characters."),
    ("pattern", "Matches `{}`."),
];

/// Takes the bounds out of a numeric or string schema and returns them as sentences.
fn take_bounds(schema: &mut Value) -> Vec<String> {
    if schema.get("type").and_then(Value::as_str) == Some("string") {
        let Some(map) = schema.as_object_mut() else {
            return Vec::new();
        };
        return STRING_BOUNDS
            .iter()
            .filter_map(|(key, words)| {
                let bound = map.remove(*key)?;
                Some(words.replace("{}", &plain(&bound)))
            })
            .collect();
    }
    let numeric = matches!(
        schema.get("type").and_then(Value::as_str),
        Some("integer" | "number")
    );
    let Some(map) = schema.as_object_mut().filter(|_| numeric) else {
        return Vec::new();
    };
    // OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` qualify `minimum`/`maximum`.
    let exclusive = |key: &str| map.get(key) == Some(&Value::Bool(true));
    let (min_exclusive, max_exclusive) =
        (exclusive("exclusiveMinimum"), exclusive("exclusiveMaximum"));
    BOUNDS
        .iter()
        .filter_map(|(key, words)| {
            let bound = map.remove(*key)?;
            let words = match *key {
                "minimum" if min_exclusive => "Greater than",
                "maximum" if max_exclusive => "Less than",
                _ => words,
            };
            (!bound.is_boolean()).then(|| format!("{words} {}.", plain(&bound)))
        })
        .collect()
}

/// Appends `notes` to the description of `node`, on the same line (parameter descriptions
/// become one line of an argument list).
fn append_inline(node: &mut Value, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    let Some(map) = node.as_object_mut() else {
        return;
    };
    let text = match map.get("description").and_then(Value::as_str) {
        Some(d) if !d.trim().is_empty() => format!("{} {}", d.trim_end(), notes.join(" ")),
        _ => notes.join(" "),
    };
    map.insert("description".into(), Value::String(text));
}

fn desc_mentions(v: &Value, word: &str) -> bool {
    v.get("description")
        .and_then(Value::as_str)
        .map(|d| d.to_lowercase().contains(word))
        .unwrap_or(false)
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn append_notes(node: &mut Value, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    let Some(map) = node.as_object_mut() else {
        return;
    };
    let mut text = map
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_end()
        .to_string();
    for n in notes {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(n);
    }
    map.insert("description".into(), Value::String(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refinements_collapse_to_their_reference_and_nothing_else_does() {
        let refined = serde_json::json!({"allOf": [
            {"$ref": "#/components/schemas/Bdb"},
            {"required": ["name"], "properties": {"port": {"minimum": 1024}}, "x-why": "create"}
        ]});
        let mut spec = serde_json::json!({
            "body": refined.clone(),
            "member": {"description": "d", "allOf": refined["allOf"].clone()},
            // Not refinements: a new member with a type, a second reference, a bare reference.
            "typed": {"allOf": [{"$ref": "#/a"}, {"properties": {"extra": {"type": "string"}}}]},
            "two": {"allOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]},
            "bare": {"allOf": [{"$ref": "#/a"}]}
        });
        let untouched = ["typed", "two", "bare"].map(|k| (k, spec[k].clone()));
        collapse_refinements(&mut spec);
        assert_eq!(
            spec["body"],
            serde_json::json!({"$ref": "#/components/schemas/Bdb"})
        );
        assert_eq!(
            spec["member"],
            serde_json::json!({"description": "d", "allOf": [{"$ref": "#/components/schemas/Bdb"}]})
        );
        for (k, v) in untouched {
            assert_eq!(spec[k], v, "{k}");
        }
    }

    #[test]
    fn lenient_alternatives_and_empty_enum_values_are_dropped() {
        let mut spec = serde_json::json!({
            "progress": {"description": "d", "readOnly": true, "oneOf": [
                {"type": "number"},
                {"type": "string", "pattern": "^[0-9]+$", "x-lenient": "number-as-string"}
            ]},
            "either": {"oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]},
            "status": {"type": "string", "enum": ["", "active"]}
        });
        drop_lenient_classes(&mut spec);
        assert_eq!(
            spec,
            serde_json::json!({
                "progress": {"description": "d", "readOnly": true, "type": "number"},
                "either": {"oneOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]},
                "status": {"type": "string", "enum": ["active"]}
            })
        );
    }
}
