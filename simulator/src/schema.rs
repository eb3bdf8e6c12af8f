//! The spec at run time (`redis_enterprise_api::openapi::JSON`, parsed once): looking up an
//! operation's request schema, documented statuses and response examples; validating a JSON
//! value against a schema (the subset of OpenAPI 3.0 the spec uses: `$ref`, `type`, `nullable`,
//! `enum`, `properties`, `required`, `items`, `minItems`, `maxItems`, `additionalProperties`,
//! `allOf`, `oneOf`, `anyOf`); and building the smallest value valid against a schema.
//!
//! It checks `minimum`/`maximum` where the spec has them, but not formats, patterns or the
//! ranges the reference gives only in prose (`x-range`): a simulator that refuses what the real
//! server accepts is worse than one that accepts a little more.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// The parsed spec.
pub(crate) fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(redis_enterprise_api::openapi::JSON)
            .expect("the spec embedded by codegen is valid JSON")
    })
}

/// Follows `$ref`s (`#/components/...`) until a schema without one.
pub(crate) fn resolve(mut schema: &'static Value) -> &'static Value {
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return schema;
        };
        let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| spec().pointer(pointer))
        else {
            return schema;
        };
        schema = target;
    }
    schema
}

/// A component schema by name.
pub(crate) fn named(name: &str) -> Option<&'static Value> {
    spec().pointer(&format!("/components/schemas/{name}"))
}

/// Adds to `value` (an object) every member of component schema `name` that it lacks and that
/// the spec gives an `x-default` (the reference's default), when that default is valid for the
/// member: what a cluster returns for a setting the caller did not choose.
pub(crate) fn add_defaults(value: &mut Value, name: &str) {
    let (Some(schema), Value::Object(map)) = (named(name), value) else {
        return;
    };
    let Some(props) = resolve(schema).get("properties").and_then(Value::as_object) else {
        return;
    };
    for (member, prop) in props {
        let Some(default) = prop.get("x-default") else {
            continue;
        };
        if map.contains_key(member) {
            continue;
        }
        if validate(default, prop, member).is_ok() {
            map.insert(member.clone(), default.clone());
        }
    }
}

/// Adds to `value` (an object) each of `members` it lacks, when the member is valid for
/// component schema `name` (plausible values of read-only members a cluster always returns).
pub(crate) fn add_members(value: &mut Value, name: &str, members: Value) {
    let (Some(schema), Value::Object(map), Value::Object(members)) = (named(name), value, members)
    else {
        return;
    };
    let Some(props) = resolve(schema).get("properties").and_then(Value::as_object) else {
        return;
    };
    for (member, v) in members {
        let valid = props
            .get(&member)
            .is_some_and(|prop| validate(&v, prop, &member).is_ok());
        if valid && !map.contains_key(&member) {
            map.insert(member, v);
        }
    }
}

/// The operation object of an operationId.
pub(crate) fn operation(id: &str, method: &str, path: &str) -> Option<&'static Value> {
    let item = spec().get("paths")?.get(path)?;
    let op = item.get(method.to_ascii_lowercase())?;
    (op.get("operationId").and_then(Value::as_str) == Some(id)).then_some(op)
}

/// The JSON request body schema of an operation, if it takes one.
pub(crate) fn request_schema(op: &'static Value) -> Option<&'static Value> {
    let body = resolve(op.get("requestBody")?);
    body.get("content")?.get("application/json")?.get("schema")
}

/// Statuses the operation documents, ascending.
pub(crate) fn statuses(op: &'static Value) -> Vec<u16> {
    let mut out: Vec<u16> = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
        .unwrap_or_default();
    out.sort_unstable();
    out
}

/// The response object of a status.
pub(crate) fn response(op: &'static Value, status: u16) -> Option<&'static Value> {
    op.get("responses")?.get(status.to_string()).map(resolve)
}

/// The content type and schema of a response, when it has a body.
pub(crate) fn response_content(
    op: &'static Value,
    status: u16,
) -> Option<(&'static str, &'static Value)> {
    let content = response(op, status)?.get("content")?.as_object()?;
    let (ct, media) = content
        .iter()
        .find(|(ct, _)| ct.as_str() == "application/json")
        .or_else(|| content.iter().next())?;
    Some((ct.as_str(), media))
}

/// Validates a body against a component schema by name.
pub(crate) fn validate_named(value: &Value, name: &str) -> Result<(), String> {
    match named(name) {
        Some(schema) => validate(value, schema, "$"),
        None => Ok(()),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A string's length (in characters, as JSON Schema counts them) and pattern.
fn check_string(text: &str, schema: &Value, path: &str) -> Result<(), String> {
    let length = text.chars().count() as u64;
    if schema
        .get("minLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| length < m)
    {
        return Err(format!("{path}: {length} characters is too short"));
    }
    if schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| length > m)
    {
        return Err(format!("{path}: {length} characters is too long"));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        // The spec's patterns are plain ASCII classes, read the same by ECMA and Rust regexes.
        // A pattern this engine cannot read is the spec's problem: it refuses nothing.
        if let Ok(re) = regex::Regex::new(pattern) {
            if !re.is_match(text) {
                return Err(format!("{path}: {text:?} does not match {pattern}"));
            }
        }
    }
    Ok(())
}

/// Validates `value` against `schema`; the error names the JSON path.
pub(crate) fn validate(value: &Value, schema: &'static Value, path: &str) -> Result<(), String> {
    let schema = resolve(schema);
    if value.is_null() && schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(value, s, path)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(any) = schema.get(key).and_then(Value::as_array) {
            let mut first_error = None;
            let ok = any.iter().any(|s| match validate(value, s, path) {
                Ok(()) => true,
                Err(e) => {
                    first_error.get_or_insert(e);
                    false
                }
            });
            if !ok {
                return Err(first_error
                    .unwrap_or_else(|| format!("{path}: matches none of the {key} schemas")));
            }
        }
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let actual = type_name(value);
        let integral_float = value.as_f64().is_some_and(|f| f.fract() == 0.0);
        let fits = actual == t
            || (t == "number" && actual == "integer")
            || (t == "integer" && actual == "number" && integral_float);
        if !fits {
            return Err(format!("{path}: expected {t}, found {actual}"));
        }
    }
    if let Some(n) = value.as_f64() {
        let below = schema
            .get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n < m);
        let above = schema
            .get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n > m);
        if below || above {
            return Err(format!("{path}: {n} is out of the documented range"));
        }
    }
    if let (Some("integer"), Value::Number(n)) = (schema.get("type").and_then(Value::as_str), value)
    {
        // The range of the documented format: a client's i64 cannot hold more.
        let (low, high) = match schema.get("format").and_then(Value::as_str) {
            Some("int32") => (f64::from(i32::MIN), f64::from(i32::MAX)),
            Some("int64") => (-9_223_372_036_854_775_808.0, 9_223_372_036_854_775_807.0),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        };
        let fits = match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => (low..=high).contains(&(i as f64)),
            // A float at the very bound may be a rounded integer beyond it (-2^63 - 1 parses as
            // -2^63): only an integer literal can be the bound itself.
            (None, Some(f)) => f > low && f < high,
            (None, None) => false,
        };
        if !fits {
            return Err(format!("{path}: {n} is outside the range of its format"));
        }
    }
    if let Value::String(text) = value {
        check_string(text, schema, path)?;
    }
    if let Value::Array(items) = value {
        let at_least = schema.get("minItems").and_then(Value::as_u64);
        let at_most = schema.get("maxItems").and_then(Value::as_u64);
        let n = items.len() as u64;
        if at_least.is_some_and(|m| n < m) || at_most.is_some_and(|m| n > m) {
            return Err(format!("{path}: {n} items, outside the documented count"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            return Err(format!(
                "{path}: {value} is not one of {}",
                Value::Array(options.clone())
            ));
        }
    }
    match value {
        Value::Object(map) => validate_object(map, schema, path),
        Value::Array(items) => match schema.get("items") {
            Some(item_schema) => {
                for (i, item) in items.iter().enumerate() {
                    validate(item, item_schema, &format!("{path}[{i}]"))?;
                }
                Ok(())
            }
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

fn validate_object(
    map: &Map<String, Value>,
    schema: &'static Value,
    path: &str,
) -> Result<(), String> {
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(name) {
                return Err(format!("{path}: missing required member {name}"));
            }
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (k, v) in map {
        match properties.and_then(|p| p.get(k)) {
            Some(s) => validate(v, s, &format!("{path}.{k}"))?,
            None => {
                if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                    validate(v, extra, &format!("{path}.{k}"))?;
                }
            }
        }
    }
    Ok(())
}

/// The smallest value valid against a schema: required members only, first enum value,
/// zero, empty string or list.
pub(crate) fn minimal(schema: &'static Value) -> Value {
    minimal_depth(schema, 0)
}

fn minimal_depth(schema: &'static Value, depth: usize) -> Value {
    let schema = resolve(schema);
    if depth > 16 {
        return Value::Null;
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for s in all {
            match minimal_depth(s, depth + 1) {
                Value::Object(m) => merged.extend(m),
                // `allOf: [$ref to a scalar]` only adds a description to a scalar.
                scalar => return scalar,
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return minimal_depth(first, depth + 1);
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => Value::String(String::new()),
        Some("integer") => Value::from(
            schema
                .get("minimum")
                .and_then(Value::as_f64)
                .map_or(0, |m| m.ceil() as i64),
        ),
        Some("number") => Value::from(schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0)),
        Some("boolean") => Value::Bool(false),
        Some("array") => Value::Array(Vec::new()),
        _ => {
            let mut out = Map::new();
            let props = schema.get("properties").and_then(Value::as_object);
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    let value = props
                        .and_then(|p| p.get(name))
                        .map_or(Value::Null, |s| minimal_depth(s, depth + 1));
                    out.insert(name.to_string(), value);
                }
            }
            Value::Object(out)
        }
    }
}

/// The body to answer for a response: its example when it is valid against the schema,
/// otherwise the smallest valid value.
pub(crate) fn example(media: &'static Value) -> Value {
    let schema = media.get("schema");
    let candidates = media
        .get("example")
        .into_iter()
        .chain(
            media
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values().filter_map(|e| resolve(e).get("value"))),
        )
        .chain(schema.map(resolve).and_then(|s| s.get("example")));
    for candidate in candidates {
        match schema {
            Some(s) if validate(candidate, s, "$").is_err() => continue,
            _ => return candidate.clone(),
        }
    }
    schema.map_or(Value::Null, minimal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `pattern` of the spec is one this validator reads (a pattern it could not read
    /// would refuse nothing).
    #[test]
    fn every_pattern_of_the_spec_compiles() {
        fn walk(v: &Value, found: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(p)) = map.get("pattern") {
                        found.push(p.clone());
                    }
                    map.values().for_each(|v| walk(v, found));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        walk(spec(), &mut found);
        assert_eq!(found.len(), 6, "patterns in the spec: {found:?}");
        for p in &found {
            assert!(regex::Regex::new(p).is_ok(), "{p} does not compile");
        }
        let schema_of = |pattern: &String| -> &'static Value {
            Box::leak(Box::new(
                serde_json::json!({"type": "string", "pattern": pattern}),
            ))
        };
        let version = found
            .iter()
            .find(|p| p.contains("{1,3}"))
            .expect("major.minor");
        assert!(validate(&serde_json::json!("7.4"), schema_of(version), "$").is_ok());
        assert!(validate(&serde_json::json!("7.4-12"), schema_of(version), "$").is_err());
        let args = found
            .iter()
            .find(|p| p.contains('&'))
            .expect("module arguments");
        assert!(validate(&serde_json::json!("MAXDOC 9"), schema_of(args), "$").is_ok());
        assert!(validate(&serde_json::json!("a<b"), schema_of(args), "$").is_err());
    }

    #[test]
    fn the_spec_parses_and_has_every_operation() {
        let paths = spec()["paths"].as_object().expect("paths");
        let count: usize = paths
            .values()
            .map(|item| {
                ["get", "put", "post", "delete", "patch"]
                    .iter()
                    .filter(|m| item.get(**m).is_some())
                    .count()
            })
            .sum();
        assert_eq!(count, redis_enterprise_api::operations::OPERATIONS.len());
    }

    // The classes live clusters send besides the documented type (`x-lenient`) are accepted,
    // within their bounds: `[]` for an unset string, never a list that holds something.
    #[test]
    fn what_clusters_send_is_accepted_within_its_bounds() {
        let ciphers = |v: serde_json::Value| {
            validate_named(
                &serde_json::json!({ "data_cipher_suites_tls_1_3": v }),
                "Cluster",
            )
        };
        ciphers(serde_json::json!("TLS_AES_128_GCM_SHA256")).expect("the documented string");
        ciphers(serde_json::json!([])).expect("[] for none");
        ciphers(serde_json::json!(["TLS_AES_128_GCM_SHA256"])).expect_err("a list of ciphers");
        validate_named(&serde_json::json!({ "owner": null }), "License").expect("nullable");
        validate_named(&serde_json::json!({ "backup_status": "" }), "Bdb").expect("\"\" unset");
    }

    #[test]
    fn validation_names_the_path() {
        let err = validate_named(&serde_json::json!({"memory_size": "big"}), "Bdb")
            .expect_err("a string is not an integer");
        assert!(err.contains("$.memory_size"), "{err}");
        let err = validate_named(&serde_json::json!({"eviction_policy": "sometimes"}), "Bdb")
            .expect_err("unknown enum value");
        assert!(err.contains("eviction_policy"), "{err}");
        validate_named(&serde_json::json!({"name": "a", "memory_size": 1}), "Bdb")
            .expect("a valid body");
    }

    #[test]
    fn minimal_values_are_valid() {
        let schemas = spec()["components"]["schemas"]
            .as_object()
            .expect("schemas");
        let mut checked = 0;
        for (name, schema) in schemas {
            let value = minimal(schema);
            validate(&value, schema, "$")
                .unwrap_or_else(|e| panic!("minimal {name} is invalid: {e}"));
            checked += 1;
        }
        assert!(checked > 100, "only {checked} schemas");
    }
}
