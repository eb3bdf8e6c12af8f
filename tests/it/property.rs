//! Property test: for every operation's JSON request and success body, random JSON valid
//! against its schema, written with every leniency class the client accepts (numbers as strings,
//! integral floats, `1e3`, booleans as strings and 0/1, `null`/`{}`/`""` for unset, lists and
//! maps inside strings, nested objects as `null`/`""`, unknown members and enum values, also as
//! numbers and booleans, every `allOf` branch), decodes, and is written back exactly except for
//! the named normalisations of `tests/src/json.rs`.

use std::collections::BTreeMap;

use proptest::prelude::*;
use redis_enterprise_api::operations::{request_round_trip, response_round_trip};
use redis_enterprise_api_tests::json::{compare, Normalisation};
use redis_enterprise_api_tests::schema::{Generator, LENIENCY_CLASSES};
use redis_enterprise_api_tests::spec::{bodies, spec};

/// Proptest cases; each one generates a body for every JSON body of the spec.
const CASES: u32 = 64;

/// What one case saw: bodies checked, leniency classes written, normalisations counted.
struct CaseOutcome {
    bodies: usize,
    classes: BTreeMap<&'static str, usize>,
    normalised: BTreeMap<Normalisation, usize>,
}

/// One case: every body, generated from `seed`.
fn run_case(seed: u64) -> Result<CaseOutcome, TestCaseError> {
    let spec = spec();
    let mut generator = Generator::new(spec, seed, true);
    let mut normalised = BTreeMap::new();
    let bodies = bodies();
    for (id, is_request, schema) in &bodies {
        let value = generator.body(schema);
        let bytes = serde_json::to_vec(&value).expect("serialise");
        let result = if *is_request {
            request_round_trip(id, &bytes)
        } else {
            response_round_trip(id, &bytes)
        };
        let side = if *is_request { "request" } else { "response" };
        let output = match result {
            None => {
                return Err(TestCaseError::fail(format!(
                    "{id}: no codec for a JSON body"
                )))
            }
            Some(Err((path, e))) => {
                return Err(TestCaseError::fail(format!(
                    "{id} ({side}) rejected schema-valid JSON at `{path}`: {e}\n{value}"
                )))
            }
            Some(Ok(v)) => v,
        };
        let c = compare(spec, schema, &value, &output);
        prop_assert!(
            c.differences.is_empty(),
            "{id} ({side}): round trip changed\n{}\nsent {value}\nwritten back {output}",
            c.differences.join("\n")
        );
        for (n, k) in c.counts() {
            *normalised.entry(n).or_default() += k;
        }
    }
    Ok(CaseOutcome {
        bodies: bodies.len(),
        classes: generator.classes,
        normalised,
    })
}

#[test]
fn schema_valid_lenient_bodies_decode_and_round_trip() {
    let totals = std::sync::Mutex::new((0usize, 0usize, BTreeMap::new(), BTreeMap::new()));
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        // Fixed seed: the same cases on every run (and the asserted counts below hold).
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &[7; 32],
        ),
    );
    runner
        .run(&any::<u64>(), |seed| {
            let CaseOutcome {
                bodies,
                classes,
                normalised,
            } = run_case(seed)?;
            let mut t = totals.lock().expect("not poisoned");
            t.0 += 1;
            t.1 += bodies;
            for (k, n) in classes {
                *t.2.entry(k).or_insert(0usize) += n;
            }
            for (k, n) in normalised {
                *t.3.entry(k).or_insert(0usize) += n;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (cases, bodies, classes, normalised) = totals.into_inner().expect("not poisoned");
    println!("{cases} cases, {bodies} bodies decoded and written back");
    println!("leniency classes written: {classes:?}");
    println!("normalisations seen: {normalised:?}");
    assert_eq!(cases, CASES as usize, "proptest cases");
    assert_eq!(
        bodies,
        CASES as usize * redis_enterprise_api_tests::spec::bodies().len()
    );
    for class in LENIENCY_CLASSES {
        assert!(
            classes.get(class).is_some_and(|n| *n > 0),
            "the generator never wrote `{class}`: {classes:?}"
        );
    }
    // Exact counts: the seed is fixed, so every run writes the same bodies and the client must
    // normalise exactly these many values of each kind, no more (a normalisation where the type
    // does not produce it) and no fewer. A change to the spec or the generator changes them:
    // check the new figures against what changed, then update the table.
    use Normalisation as N;
    let expected = BTreeMap::from([
        (N::NumberFromString, 7534),
        (N::IntegralFloat, 2437),
        (N::FloatFromInteger, 3684),
        (N::BoolFromString, 2370),
        (N::BoolFromNumber, 2432),
        (N::StringFromNumber, 4355),
        (N::StringFromBool, 4368),
        (N::NullDropped, 15238),
        (N::EmptyObjectDropped, 14201),
        (N::EmptyStringDropped, 8188),
        (N::EmptyArrayDropped, 119),
        (N::UnsetWrittenAsEmpty, 131),
        (N::JsonInString, 2813),
    ]);
    assert_eq!(expected.len(), Normalisation::ALL.len());
    assert_eq!(normalised, expected, "normalisation counts");
}
