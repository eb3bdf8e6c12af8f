//! Decoding never panics on what the spec does not allow (the property test of what it allows is
//! `property.rs`, the leniency classes are `leniency.rs`).
//!
//! - Malformed corpus: every truncation of a large body, a wrong type at every position,
//!   20-digit numbers and deeply nested arrays give errors with a JSON path, never a panic.

use redis_enterprise_api::operations::{request_round_trip, response_round_trip};
use redis_enterprise_api_tests::schema::{bodies, generate, spec};
use serde_json::{json, Value};

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
