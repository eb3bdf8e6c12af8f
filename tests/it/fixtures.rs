//! Every JSON example of the reference's request and response sections (extracted, and repaired
//! where the reference printed invalid JSON, by `scripts/extract-fixtures.py`; listed with its
//! page and its repairs in `tests/fixtures/index.json`) decodes into the generated type of its
//! operation, exactly as the client decodes it, and is written back exactly, except for the
//! named normalisations of `tests/src/json.rs`, whose counts are asserted; a copy with unknown
//! members at every level keeps them all.
//!
//! No example is skipped without a recorded reason, and every object the reference gives an
//! example of has at least one fixture.

use std::collections::{BTreeMap, BTreeSet};

use redis_enterprise_api::operations::{request_round_trip, response_round_trip};
use redis_enterprise_api_tests::json::{compare, with_unknown_members, Comparison, Normalisation};
use redis_enterprise_api_tests::repo_root;
use redis_enterprise_api_tests::spec::{body_schema, spec};
use serde_json::Value;

#[derive(serde::Deserialize)]
struct Index {
    fixtures: Vec<Fixture>,
    skipped: Vec<Skipped>,
}

#[derive(serde::Deserialize)]
struct Fixture {
    file: String,
    operation: String,
    doc: String,
    #[serde(default)]
    repaired: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Skipped {
    doc: String,
    part: Option<String>,
    /// Why the example cannot be used (`SKIPS` in the script).
    reason: Option<String>,
    /// The parse error of an example nothing repaired: not a reason.
    error: Option<String>,
}

fn index() -> Index {
    let bytes = std::fs::read(repo_root().join("tests/fixtures/index.json")).expect("index");
    serde_json::from_slice(&bytes).expect("index is JSON")
}

/// What the round trips are expected to normalise, over all fixtures: a change of behaviour
/// (one more or one fewer) fails the test. The copies with unknown members add their own.
///
/// - `FloatFromInteger`: statistics and sizes the reference prints as integers in `number`
///   members (`"ingress_bytes": 0`, `"ephemeral_storage_size": 20639797248`), written back as
///   `0.0`, `20639797248.0` (and the `progress` of `action_list`'s `state-machines`);
/// - `NumberFromString`: `"progress": "100"` of `action_list`;
/// - `BoolFromString`: `"state": "off"` of the cluster alerts;
/// - `StringFromNumber`: `"uid": 2` of the second shard of `bdb_shards_list`.
const EXPECTED: &[(Normalisation, usize)] = &[
    (Normalisation::NumberFromString, 3),
    (Normalisation::FloatFromInteger, 84),
    (Normalisation::BoolFromString, 2),
    (Normalisation::StringFromNumber, 1),
];
/// The copies add a member to maps of numbers and of alerts (a copy of a sibling value).
const EXPECTED_WITH_UNKNOWN_MEMBERS: &[(Normalisation, usize)] = &[
    (Normalisation::NumberFromString, 3),
    (Normalisation::FloatFromInteger, 85),
    (Normalisation::BoolFromString, 3),
    (Normalisation::StringFromNumber, 1),
];

/// Objects whose reference examples could all not be used (see `skipped` in the index):
/// `JwtAuthorize`, whose only example is `{"ttl": <time_in_seconds>}`.
const OBJECTS_WITHOUT_USABLE_EXAMPLE: &[&str] = &["JwtAuthorize"];

fn round_trip(fixture: &Fixture, body: &[u8]) -> Result<Value, String> {
    let result = if fixture.file.starts_with("requests/") {
        request_round_trip(&fixture.operation, body)
    } else {
        response_round_trip(&fixture.operation, body)
    };
    match result {
        None => Err(format!(
            "{} has no generated JSON body for {}",
            fixture.operation, fixture.file
        )),
        Some(Err((path, e))) => Err(format!(
            "{} ({}): does not decode at `{path}`: {e}",
            fixture.file, fixture.doc
        )),
        Some(Ok(v)) => Ok(v),
    }
}

/// The component a body is made of: `Bdb` for `Bdb`, a list of `Bdb` or a map of them.
fn object_of(schema: &Value) -> Option<String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().map(str::to_string);
    }
    schema
        .get("items")
        .or_else(|| schema.get("additionalProperties"))
        .and_then(object_of)
}

fn is_request(file: &str) -> bool {
    file.starts_with("requests/")
}

fn expected(table: &[(Normalisation, usize)]) -> BTreeMap<Normalisation, usize> {
    table.iter().copied().collect()
}

#[test]
fn no_example_is_skipped_without_a_reason() {
    let index = index();
    let unexplained: Vec<String> = index
        .skipped
        .iter()
        .filter(|s| s.reason.as_deref().is_none_or(str::is_empty))
        .map(|s| {
            format!(
                "{} ({}): {}",
                s.doc,
                s.part.as_deref().unwrap_or("-"),
                s.error.as_deref().unwrap_or("no reason")
            )
        })
        .collect();
    let repaired = index
        .fixtures
        .iter()
        .filter(|f| !f.repaired.is_empty())
        .count();
    let mut by_repair: BTreeMap<&str, usize> = BTreeMap::new();
    for label in index.fixtures.iter().flat_map(|f| &f.repaired) {
        *by_repair.entry(label).or_default() += 1;
    }
    // The repairs `scripts/extract-fixtures.py` knows (mechanical rules; its FIXES table is
    // empty for 8.2): one more kind of repair must be named here.
    let known = [
        "comment removed",
        "duplicate member removed (the last one kept)",
        "ellipsis member removed",
        "placeholder member removed",
        "trailing comma removed",
    ];
    let unknown: Vec<&&str> = by_repair.keys().filter(|l| !known.contains(l)).collect();
    assert!(unknown.is_empty(), "unlisted repairs: {unknown:?}");
    println!(
        "{} fixtures, {repaired} of them repaired ({by_repair:?}); {} examples skipped with a reason:",
        index.fixtures.len(),
        index.skipped.len()
    );
    for s in &index.skipped {
        println!(
            "  {} ({}): {:?}",
            s.doc,
            s.part.as_deref().unwrap_or("-"),
            s.reason
        );
    }
    assert!(
        unexplained.is_empty(),
        "examples skipped without a recorded reason (repair them in scripts/extract-fixtures.py, \
         or give the reason in its SKIPS table):\n{}",
        unexplained.join("\n")
    );
    assert_eq!(index.fixtures.len(), 188);
    assert_eq!(repaired, 59);
    assert_eq!(
        by_repair.values().copied().collect::<Vec<_>>(),
        vec![11, 7, 14, 30, 50],
        "fixtures per repair, in the order of `known`"
    );
    assert_eq!(index.skipped.len(), 2);
}

#[test]
fn every_object_with_an_example_has_a_fixture() {
    let index = index();
    let mut by_object: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_operation: BTreeMap<&str, usize> = BTreeMap::new();
    for fixture in &index.fixtures {
        let schema = body_schema(&fixture.operation, is_request(&fixture.file))
            .unwrap_or_else(|| panic!("{}: no JSON body in the spec", fixture.file));
        let object =
            object_of(&schema).unwrap_or_else(|| format!("(inline {})", fixture.operation));
        *by_object.entry(object).or_default() += 1;
        *by_operation.entry(&fixture.operation).or_default() += 1;
    }
    // The objects of the examples that could not be used.
    let mut skipped_objects = BTreeSet::new();
    for s in &index.skipped {
        let op = spec()["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("path item").values())
            .find(|op| op.get("x-doc").and_then(Value::as_str) == Some(s.doc.as_str()));
        let id = op
            .and_then(|op| op.get("operationId"))
            .and_then(Value::as_str);
        let schema = id.and_then(|id| body_schema(id, s.part.as_deref() == Some("requests")));
        if let Some(object) = schema.as_ref().and_then(object_of) {
            skipped_objects.insert(object);
        }
    }
    println!("fixtures by object ({}):", by_object.len());
    for (object, n) in &by_object {
        println!("  {object}: {n}");
    }
    println!("fixtures by operation ({}):", by_operation.len());
    for (op, n) in &by_operation {
        println!("  {op}: {n}");
    }
    for object in [
        "Bdb", "Cluster", "Node", "Shard", "Alert", "Action", "User", "Role",
    ] {
        assert!(
            by_object.get(object).is_some_and(|n| *n > 0),
            "{object} has no reference fixture"
        );
    }
    let without: Vec<&String> = skipped_objects
        .iter()
        .filter(|o| !by_object.contains_key(*o))
        .collect();
    assert_eq!(
        without, OBJECTS_WITHOUT_USABLE_EXAMPLE,
        "objects whose only examples are skipped"
    );
    assert_eq!(by_object.len(), 90, "objects with a fixture");
    assert_eq!(by_operation.len(), 153, "operations with a fixture");
}

#[test]
fn every_reference_example_decodes_and_round_trips() {
    let index = index();
    let spec = spec();
    let dir = repo_root().join("tests/fixtures");
    let mut failures = Vec::new();
    let mut totals: BTreeMap<Normalisation, usize> = BTreeMap::new();
    let mut totals_unknown: BTreeMap<Normalisation, usize> = BTreeMap::new();
    let mut exact = 0;
    for fixture in &index.fixtures {
        let schema = body_schema(&fixture.operation, is_request(&fixture.file))
            .unwrap_or_else(|| panic!("{}: no JSON body in the spec", fixture.file));
        let bytes = std::fs::read(dir.join(&fixture.file)).expect("fixture is readable");
        let input: Value = serde_json::from_slice(&bytes).expect("fixture is JSON");
        let mut check =
            |input: &Value, bytes: &[u8], totals: &mut BTreeMap<_, usize>, what: &str| {
                match round_trip(fixture, bytes) {
                    Err(e) => {
                        failures.push(format!("{e}{what}"));
                        None
                    }
                    Ok(output) => {
                        let c: Comparison = compare(spec, &schema, input, &output);
                        for d in &c.differences {
                            failures
                                .push(format!("{}{what}: round trip changed {d}", fixture.file));
                        }
                        for (n, k) in c.counts() {
                            *totals.entry(n).or_default() += k;
                        }
                        Some(c)
                    }
                }
            };
        if let Some(c) = check(&input, &bytes, &mut totals, "") {
            if c.is_exact() {
                exact += 1;
            } else if c.differences.is_empty() {
                let first = c.normalised.first().map(|(_, p)| p.as_str()).unwrap_or("");
                println!("{}: {:?} (first at {first})", fixture.file, c.counts());
            }
        }
        let with_unknowns = with_unknown_members(&input);
        let bytes = serde_json::to_vec(&with_unknowns).expect("serialise");
        check(
            &with_unknowns,
            &bytes,
            &mut totals_unknown,
            " with unknown members",
        );
    }
    println!(
        "{} fixtures: {exact} exact round trips; normalisations {totals:?}; \
         with unknown members {totals_unknown:?}",
        index.fixtures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures over {} fixtures:\n{}",
        failures.len(),
        index.fixtures.len(),
        failures.join("\n")
    );
    assert_eq!(
        totals,
        expected(EXPECTED),
        "normalisations over all fixtures"
    );
    assert_eq!(
        totals_unknown,
        expected(EXPECTED_WITH_UNKNOWN_MEMBERS),
        "normalisations over the copies with unknown members"
    );
    assert_eq!(exact, 173, "fixtures written back exactly");
}
