//! Decoding never fails on what the spec allows and never panics on anything else.
//!
//! - Property test: for every operation's JSON success body and request body, random JSON valid
//!   against its schema (plus random unknown members and unknown enum values) decodes and round
//!   trips to an equivalent document.
//! - Malformed corpus: every truncation of a large body, a wrong type at every position,
//!   20-digit numbers and deeply nested arrays give errors with a JSON path, never a panic.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use redis_enterprise_api::operations::{request_round_trip, response_round_trip};
use redis_enterprise_api_tests::json::difference;
use redis_enterprise_api_tests::repo_root;
use serde_json::{json, Map, Value};

fn spec() -> &'static Value {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        let bytes = std::fs::read(repo_root().join(codegen::SPEC_PATH)).expect("spec is readable");
        serde_yaml::from_slice(&bytes).expect("spec is YAML")
    })
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..16 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                s = spec
                    .pointer(r.trim_start_matches('#'))
                    .expect("refs resolve")
            }
            None => break,
        }
    }
    s
}

/// Random JSON valid against `schema`, with unknown members and enum values sprinkled in.
fn generate(spec: &Value, schema: &Value, rng: &mut fastrand::Rng, depth: u32) -> Value {
    let schema = resolve(spec, schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        return generate(spec, &all[0], rng, depth);
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        return generate(spec, &one[rng.usize(..one.len())], rng, depth);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return if rng.u8(..10) == 0 {
            json!(format!("value_from_a_newer_cluster_{}", rng.u16(..)))
        } else {
            values[rng.usize(..values.len())].clone()
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!((0..rng.usize(..12))
            .map(|_| rng.alphanumeric())
            .collect::<String>()),
        Some("integer") => match rng.u8(..6) {
            0 => json!(-1),
            1 => json!(rng.i64(1 << 33..1 << 50)),
            2 => json!(rng.i64(..).to_string()),
            _ => json!(rng.i64(0..100_000)),
        },
        Some("number") => match rng.u8(..4) {
            0 => json!(rng.i64(-1000..1000) as f64 / 4.0),
            1 => json!(format!("{}", rng.u32(..100_000))),
            _ => json!(rng.u32(..1_000_000)),
        },
        Some("boolean") => json!(rng.bool()),
        Some("array") => {
            let n = if depth > 3 { 0 } else { rng.usize(..3) };
            Value::Array(
                (0..n)
                    .map(|_| generate(spec, &schema["items"], rng, depth + 1))
                    .collect(),
            )
        }
        _ => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    let required = schema
                        .get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|r| r.iter().any(|x| x == name));
                    if required || (depth < 4 && rng.bool()) {
                        out.insert(name.clone(), generate(spec, prop, rng, depth + 1));
                    }
                }
            }
            match schema.get("additionalProperties") {
                Some(ap) if ap.is_object() && depth < 4 => {
                    for _ in 0..rng.usize(..3) {
                        out.insert(
                            format!("k{}", rng.u16(..)),
                            generate(spec, ap, rng, depth + 1),
                        );
                    }
                }
                _ => {
                    if rng.u8(..3) == 0 {
                        out.insert(
                            format!("x_unknown_{}", rng.u16(..)),
                            json!({"any": [rng.u8(..), "thing"]}),
                        );
                    }
                }
            }
            Value::Object(out)
        }
    }
}

/// (operationId, is_request, schema) for every JSON body of the spec.
fn bodies() -> Vec<(String, bool, Value)> {
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
                out.push((id.to_string(), true, schema.clone()));
            }
            for (code, resp) in op["responses"].as_object().expect("responses") {
                if code.starts_with('2') {
                    if let Some(schema) = resp.pointer("/content/application~1json/schema") {
                        out.push((id.to_string(), false, schema.clone()));
                    }
                }
            }
        }
    }
    out
}

static CASES: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn schema_valid_bodies_decode_and_round_trip(seed in any::<u64>()) {
        let spec = spec();
        let mut rng = fastrand::Rng::with_seed(seed);
        for (id, is_request, schema) in bodies() {
            let value = generate(spec, &schema, &mut rng, 0);
            let bytes = serde_json::to_vec(&value).expect("serialise");
            let result = if is_request { request_round_trip(&id, &bytes) } else { response_round_trip(&id, &bytes) };
            let output = match result {
                None => panic!("{id}: no generated codec for a JSON body"),
                Some(Err((path, e))) => panic!("{id} ({}) rejected schema-valid JSON at `{path}`: {e}\n{value}", if is_request { "request" } else { "response" }),
                Some(Ok(v)) => v,
            };
            if let Some(d) = difference(&value, &output) {
                panic!("{id}: round trip changed {d}\n{value}\n{output}");
            }
            CASES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[test]
fn malformed_input_is_an_error_never_a_panic() {
    let mut rng = fastrand::Rng::with_seed(7);
    let bodies = bodies();
    let spec = spec();
    let mut errors = 0;
    for (id, is_request, schema) in &bodies {
        let decode = |bytes: &[u8]| {
            if *is_request {
                request_round_trip(id, bytes)
            } else {
                response_round_trip(id, bytes)
            }
        };
        let value = generate(spec, schema, &mut rng, 0);
        let text = serde_json::to_string(&value).expect("serialise");
        // Every truncation.
        for cut in 0..text.len() {
            if let Some(Err(_)) = decode(&text.as_bytes()[..cut]) {
                errors += 1;
            }
        }
        // Wrong types, 20-digit numbers and deep nesting at the top and inside.
        for bad in [
            json!(12345678901234567890u64),
            json!("x"),
            json!([[[[[]]]]]),
            json!(true),
            json!(99999999999999999999.0),
        ] {
            let _ = decode(serde_json::to_vec(&bad).expect("serialise").as_slice());
            if let Value::Object(m) = &value {
                for key in m.keys() {
                    let mut broken = m.clone();
                    broken.insert(key.clone(), bad.clone());
                    let _ = decode(&serde_json::to_vec(&broken).expect("serialise"));
                }
            }
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        match decode(deep.as_bytes()) {
            Some(Err(_)) => errors += 1,
            Some(Ok(v)) => panic!("{id}: 10,000 nested arrays decoded as {v}"),
            None => {}
        }
    }
    assert!(errors > 0);
    println!(
        "{} bodies, {errors} malformed inputs rejected without a panic",
        bodies.len()
    );
}

#[test]
fn decode_errors_name_the_json_path() {
    let body =
        br#"[{"uid": 1, "name": "admin"}, {"uid": 2, "management": ["not", "a", "string"]}]"#;
    let Some(Err((path, _))) = response_round_trip("role_list", body) else {
        panic!("expected a decode error")
    };
    assert_eq!(path, "[1].management");
}

#[test]
fn lenient_classes_decode() {
    // Numbers as strings, integral floats, null and {} for unset values, a list inside a string.
    let body = br#"[{"uid": "7", "name": null, "management": {}}, {"uid": 8.0}]"#;
    let out = response_round_trip("role_list", body)
        .expect("codec")
        .expect("decodes");
    assert_eq!(out, json!([{"uid": 7}, {"uid": 8}]));
}
