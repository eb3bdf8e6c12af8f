//! Malformed input has a checked outcome, never just "no panic" (the property test of what the
//! spec allows is `property.rs`, the leniency classes are `leniency.rs`, fault isolation is
//! `isolation.rs`).
//!
//! For every JSON body of the spec (a schema-valid random document of each), every truncation,
//! a wrong value at the top and at every top-level member (a 20-digit integer, a string, nested
//! arrays, a boolean, a 20-digit float) and 10,000 nested arrays are decoded with the strict
//! codec. Each input must either
//! - fail with a JSON path that exists in the document (truncations and syntax errors: the path,
//!   minus a member whose name was cut, exists in the full document; a value that does not fit:
//!   the path names the replaced member), or
//! - decode to exactly what the input means: what the client writes back equals the input up to
//!   the named normalisations of `json::compare`.

use redis_enterprise_api::operations::{
    request_round_trip, response_round_trip, response_round_trip_isolating,
};
use redis_enterprise_api_tests::json::compare;
use redis_enterprise_api_tests::schema::generate;
use redis_enterprise_api_tests::spec::{bodies, spec};
use serde_json::{json, Value};

/// The outcome classes the test counts.
#[derive(Default, Debug)]
struct Outcomes {
    truncation_errors: usize,
    truncation_decoded: usize,
    wrong_value_errors: usize,
    wrong_value_decoded: usize,
    deep_nesting_errors: usize,
    /// Response cases the default (isolating) decode took with at least one property isolated.
    isolated: usize,
    /// Response cases the isolating decode also refused (nothing to isolate).
    isolating_errors: usize,
}

/// Path segments of `a.b[2].c` (the codec's path syntax); `.` is the root.
fn segments(path: &str) -> Vec<String> {
    if path == "." {
        return Vec::new();
    }
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(name.to_string());
        }
        while let Some(close) = rest.find(']') {
            out.push(rest[1..close].to_string());
            rest = &rest[close + 1..];
        }
    }
    out
}

/// The node `path` names in `value`.
fn node_at<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut node = value;
    for segment in path {
        node = match node {
            Value::Object(m) => m.get(segment)?,
            Value::Array(a) => a.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Whether `path` names a node of `value`.
fn resolves(value: &Value, path: &[String]) -> bool {
    let mut node = value;
    for segment in path {
        node = match node {
            Value::Object(m) => match m.get(segment) {
                Some(v) => v,
                None => return false,
            },
            Value::Array(a) => match segment.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    true
}

#[test]
fn malformed_input_fails_with_a_path_or_decodes_to_what_it_means() {
    let mut rng = fastrand::Rng::with_seed(7);
    let bodies = bodies();
    let spec = spec();
    let mut seen = Outcomes::default();
    let isolated_cases = std::cell::Cell::new(0usize);
    let isolating_errors = std::cell::Cell::new(0usize);
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
        // Checks one input that is valid JSON: an error names a path inside `expected_in`
        // (starting with `member` when given), a success writes back what was sent.
        // The default (isolating) decode of a response, checked against the strict outcome:
        // what decodes strictly decodes the same with nothing isolated; what fails strictly
        // either decodes with the failing member (or one enclosing it) isolated and is written
        // back exactly as sent, or fails at that path too.
        let check_isolating = |bytes: &[u8],
                               input: Option<&Value>,
                               strict: &Result<Value, (String, serde_json::Error)>,
                               what: &str|
         -> Option<bool> {
            if *is_request {
                return None;
            }
            let isolating = response_round_trip_isolating(id, bytes).expect("a response codec");
            match (strict, isolating) {
                (Ok(v), Ok((w, unfit))) => {
                    assert_eq!(&w, v, "{id} {what}: isolating decode differs");
                    assert!(unfit.is_empty(), "{id} {what}: isolated {unfit:?}");
                    None
                }
                (Ok(_), Err((path, e))) => {
                    panic!("{id} {what}: only the isolating decode failed at `{path}`: {e}")
                }
                (Err((path, _)), Ok((w, unfit))) => {
                    let input =
                        input.unwrap_or_else(|| panic!("{id} {what}: non-JSON input decoded"));
                    assert!(
                        !unfit.is_empty(),
                        "{id} {what}: strict failed at `{path}` but nothing was isolated"
                    );
                    for u in &unfit {
                        assert!(
                            resolves(input, &segments(&u.path)),
                            "{id} {what}: isolated path `{}` is not in the input",
                            u.path
                        );
                    }
                    let first = segments(&unfit[0].path);
                    assert!(
                        segments(path).starts_with(&first),
                        "{id} {what}: strict `{path}`, first isolated `{}`",
                        unfit[0].path
                    );
                    // Isolated members come back exactly as sent (the comparator, reading them as
                    // their documented type, would call them changed); the rest as usual.
                    let mut cmp = compare(spec, schema, input, &w);
                    cmp.differences.retain(|d| {
                        !unfit.iter().any(|u| {
                            let at = if u.path.starts_with('[') {
                                format!("${}", u.path)
                            } else {
                                format!("$.{}", u.path)
                            };
                            let segs = segments(&u.path);
                            d.starts_with(&format!("{at}:"))
                                && node_at(input, &segs).is_some()
                                && node_at(input, &segs) == node_at(&w, &segs)
                        })
                    });
                    assert!(
                        cmp.differences.is_empty(),
                        "{id} {what}: isolated round trip changed: {:?}",
                        cmp.differences
                    );
                    Some(true)
                }
                (Err((path, _)), Err((ipath, _))) => {
                    assert_eq!(&ipath, path, "{id} {what}: isolating error path");
                    Some(false)
                }
            }
        };
        let check_json = |input: &Value, member: Option<&str>, what: &str| -> Option<bool> {
            let bytes = serde_json::to_vec(input).expect("serialise");
            let strict = decode(&bytes)?;
            if let Some(isolated) = check_isolating(&bytes, Some(input), &strict, what) {
                if isolated {
                    isolated_cases.set(isolated_cases.get() + 1);
                } else {
                    isolating_errors.set(isolating_errors.get() + 1);
                }
            }
            match strict {
                Ok(returned) => {
                    let cmp = compare(spec, schema, input, &returned);
                    assert!(
                        cmp.differences.is_empty(),
                        "{id} {what}: decoded to something else: {:?}",
                        cmp.differences
                    );
                    Some(false)
                }
                Err((path, e)) => {
                    assert!(e.is_data(), "{id} {what}: {e} is not a data error");
                    let segs = segments(&path);
                    assert!(
                        resolves(input, &segs),
                        "{id} {what}: error path `{path}` is not in the input"
                    );
                    if let Some(m) = member {
                        assert_eq!(
                            segs.first().map(String::as_str),
                            Some(m),
                            "{id} {what}: error path `{path}` is not under the replaced member"
                        );
                    }
                    Some(true)
                }
            }
        };
        // Every truncation.
        for cut in 0..text.len() {
            let prefix = &text.as_bytes()[..cut];
            match serde_json::from_slice::<Value>(prefix) {
                // A prefix that is itself a document (`12` of `123`) must mean itself.
                Ok(doc) => {
                    if let Some(errored) = check_json(&doc, None, "valid prefix") {
                        if errored {
                            seen.truncation_errors += 1;
                        } else {
                            seen.truncation_decoded += 1;
                        }
                    }
                }
                Err(_) => match decode(prefix) {
                    Some(strict)
                        if check_isolating(prefix, None, &strict, "truncated") == Some(true) =>
                    {
                        unreachable!("{id}: a truncated body was isolated: {strict:?}")
                    }
                    None => {}
                    Some(Ok(v)) => panic!(
                        "{id}: truncated body `{}` decoded as {v}",
                        String::from_utf8_lossy(prefix)
                    ),
                    Some(Err((path, e))) => {
                        assert!(
                            e.is_eof() || e.is_syntax(),
                            "{id}: truncation at {cut}: {e} is not an end-of-input error"
                        );
                        let segs = segments(&path);
                        // The member being written when the input ended may be cut short.
                        let parent = &segs[..segs.len().saturating_sub(1)];
                        assert!(
                            resolves(&value, &segs) || resolves(&value, parent),
                            "{id}: truncation at {cut}: path `{path}` is not in the document"
                        );
                        seen.truncation_errors += 1;
                    }
                },
            }
        }
        // Wrong values at the top and at every top-level member.
        for bad in [
            json!(12345678901234567890u64),
            json!("x"),
            json!([[[[[]]]]]),
            json!(true),
            json!(99999999999999999999.0),
        ] {
            let mut record = |outcome: Option<bool>| match outcome {
                Some(true) => seen.wrong_value_errors += 1,
                Some(false) => seen.wrong_value_decoded += 1,
                None => {}
            };
            record(check_json(&bad, None, &format!("body replaced by {bad}")));
            if let Value::Object(m) = &value {
                for key in m.keys() {
                    let mut broken = m.clone();
                    broken.insert(key.clone(), bad.clone());
                    record(check_json(
                        &Value::Object(broken),
                        Some(key),
                        &format!("{key} replaced by {bad}"),
                    ));
                }
            }
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        match decode(deep.as_bytes()) {
            Some(Err((_, e))) => {
                assert!(e.is_syntax() || e.is_data(), "{id}: deep nesting: {e}");
                seen.deep_nesting_errors += 1;
            }
            Some(Ok(v)) => panic!("{id}: 10,000 nested arrays decoded as {v}"),
            None => {}
        }
    }
    seen.isolated = isolated_cases.get();
    seen.isolating_errors = isolating_errors.get();
    println!("{} bodies: {seen:?}", bodies.len());
    // Wrong values the strict decode refused inside a member were isolated by the default one;
    // only wrong top-level shapes (and members holding them) stay errors.
    assert!(seen.isolated > 500, "{seen:?}");
    assert!(seen.isolating_errors > 100, "{seen:?}");
    assert!(bodies.len() >= 200, "{} bodies", bodies.len());
    assert!(seen.truncation_errors > 10_000, "{seen:?}");
    // Every JSON body of the spec is an object or an array, so no truncation is a document of
    // its own; the class is checked (above) should a scalar body appear.
    assert_eq!(seen.truncation_decoded, 0, "{seen:?}");
    assert!(seen.wrong_value_errors > 1_000, "{seen:?}");
    assert!(seen.wrong_value_decoded > 100, "{seen:?}");
    assert_eq!(seen.deep_nesting_errors, bodies.len(), "{seen:?}");
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
