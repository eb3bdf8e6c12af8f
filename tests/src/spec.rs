//! The spec as every test reads it (one loader): the parsed document, `$ref` resolution, the
//! JSON bodies by operation, and what the Prism exerciser needs of an operation (its request
//! example and a value for each parameter).

use serde_json::Value;

use crate::repo_root;

/// The spec, parsed once.
pub fn spec() -> &'static Value {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let bytes = std::fs::read(repo_root().join(codegen::SPEC_PATH)).expect("spec is readable");
        serde_yaml::from_slice(&bytes).expect("spec is YAML")
    })
}

/// `schema` with its `$ref`s followed, and a `oneOf` of one documented type and what clusters
/// send besides it (alternatives marked `x-lenient`, which codegen drops) taken as that type:
/// the type the generated code has.
pub fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..16 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = spec
                .pointer(r.trim_start_matches('#'))
                .expect("refs resolve");
            continue;
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            let mut documented = one.iter().filter(|a| a.get("x-lenient").is_none());
            if let (Some(only), None, true) = (
                documented.next(),
                documented.next(),
                one.iter().any(|a| a.get("x-lenient").is_some()),
            ) {
                s = only;
                continue;
            }
        }
        break;
    }
    s
}

/// (operationId, is_request, schema) for every JSON body of the spec's generated operations,
/// request bodies as codegen types them (refinements collapsed to the type they refine).
pub fn bodies() -> Vec<(String, bool, Value)> {
    let spec = spec();
    let mut out = Vec::new();
    for (_, item) in spec["paths"].as_object().expect("paths") {
        for (_, op) in item.as_object().expect("path item") {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if op.get("x-handwritten") == Some(&Value::Bool(true)) {
                continue;
            }
            if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
                // As codegen types it: a refinement (the members a create requires) is the
                // type it refines.
                let mut schema = schema.clone();
                codegen::prepare::collapse_refinements(&mut schema);
                out.push((id.to_string(), true, schema));
            }
            for (code, resp) in op["responses"].as_object().expect("responses") {
                if code.starts_with('2') {
                    if let Some(schema) = resp.pointer("/content/application~1json/schema") {
                        out.push((id.to_string(), false, schema.clone()));
                        break;
                    }
                }
            }
        }
    }
    out
}

/// The schema of an operation's JSON request body (`is_request`) or first JSON success body.
pub fn body_schema(operation: &str, is_request: bool) -> Option<Value> {
    bodies()
        .into_iter()
        .find(|(id, request, _)| id == operation && *request == is_request)
        .map(|(_, _, schema)| schema)
}

/// `schema` with `$ref`s and one-branch `allOf` wrappers (a `$ref` with its own description)
/// followed.
pub fn unwrap_all_of<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = resolve(spec, schema);
    for _ in 0..16 {
        match s.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 => s = resolve(spec, &all[0]),
            _ => break,
        }
    }
    s
}

/// The spec's operation `operation_id` with its path item.
fn located(operation_id: &str) -> Option<(&'static Value, &'static Value)> {
    spec()["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| {
            item.as_object()
                .into_iter()
                .flat_map(|methods| methods.values())
                .map(move |op| (item, op))
        })
        .find(|(_, op)| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
}

/// The spec's operation `operation_id`.
pub fn operation(operation_id: &str) -> Option<&'static Value> {
    located(operation_id).map(|(_, op)| op)
}

/// The request example of an operation's JSON body (`example`, or the first of `examples`), or
/// `None` when the spec has none.
pub fn request_example(operation_id: &str) -> Option<Value> {
    let spec = spec();
    let op = operation(operation_id)?;
    let media = resolve(spec, op.get("requestBody")?).pointer("/content/application~1json")?;
    if let Some(example) = media.get("example") {
        return Some(example.clone());
    }
    let first = media.get("examples")?.as_object()?.values().next()?;
    resolve(spec, first).get("value").cloned()
}

/// The parameters of an operation (those of its path item first), `$ref`s followed.
pub fn parameters(operation_id: &str) -> Vec<&'static Value> {
    let spec = spec();
    let Some((item, op)) = located(operation_id) else {
        return Vec::new();
    };
    [item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|p| resolve(spec, p))
        .collect()
}
