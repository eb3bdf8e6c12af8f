//! Every valid JSON example of the reference's request and response sections (extracted by
//! `scripts/extract-fixtures.py`, listed with its page in `tests/fixtures/index.json`) decodes into
//! the generated type of its operation, exactly as the client decodes it, and encodes back to an
//! equivalent document; a copy with unknown members at every level keeps them all.

use redis_enterprise_api::operations::{request_round_trip, response_round_trip};
use redis_enterprise_api_tests::json::{difference, exactly_equal, with_unknown_members};
use redis_enterprise_api_tests::repo_root;
use serde_json::Value;

#[derive(serde::Deserialize)]
struct Index {
    fixtures: Vec<Fixture>,
}

#[derive(serde::Deserialize)]
struct Fixture {
    file: String,
    operation: String,
    doc: String,
}

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

#[test]
fn every_reference_example_decodes_and_round_trips() {
    let dir = repo_root().join("tests/fixtures");
    let index: Index =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).expect("index"))
            .expect("index is JSON");
    assert!(!index.fixtures.is_empty());
    let mut failures = Vec::new();
    let (mut exact, mut normalised) = (0, 0);
    for fixture in &index.fixtures {
        let bytes = std::fs::read(dir.join(&fixture.file)).expect("fixture is readable");
        let input: Value = serde_json::from_slice(&bytes).expect("fixture is JSON");
        match round_trip(fixture, &bytes) {
            Err(e) => failures.push(e),
            Ok(output) => match difference(&input, &output) {
                Some(d) => failures.push(format!(
                    "{} ({}): round trip changed {d}",
                    fixture.file, fixture.doc
                )),
                None if exactly_equal(&input, &output) => exact += 1,
                None => normalised += 1,
            },
        }
        let with_unknowns = with_unknown_members(&input);
        let bytes = serde_json::to_vec(&with_unknowns).expect("serialise");
        match round_trip(fixture, &bytes) {
            Err(e) => failures.push(format!("with unknown members: {e}")),
            Ok(output) => {
                if let Some(d) = difference(&with_unknowns, &output) {
                    failures.push(format!("{} with unknown members: {d}", fixture.file));
                }
            }
        }
    }
    println!(
        "{} fixtures: {exact} exact round trips, {normalised} equal after documented normalisation",
        index.fixtures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        index.fixtures.len(),
        failures.join("\n")
    );
}
