//! Every leniency class of `runtime/src/lenient.rs`, one named test each, on real generated
//! types (`types::Bdb`, `types::Cluster`, `types::Node`): what the typed value holds, what is
//! written back, which normalisations the exact comparator of `tests/src/json.rs` names, and
//! that a value outside the class is still an error naming its JSON path.
//!
//! Also: the precision rules of the round trip (integers beyond 2^53, unknown enum values sent
//! as numbers or booleans), and the comparator itself rejecting what no normalisation explains.

use redis_enterprise_api::unfit::decode_isolating;
use std::collections::BTreeMap;

use redis_enterprise_api::decode_body;
use redis_enterprise_api::types;
use redis_enterprise_api_tests::json::{compare, Comparison, Normalisation};
use redis_enterprise_api_tests::spec::spec;
use serde_json::{json, Value};

/// The schema of a component.
fn component(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// Decodes `body` as `T` the way the client does, writes it back, and compares the two with the
/// schema of `component`. Panics (naming the path) if it does not decode.
fn round_trip<T>(component_name: &str, body: &str) -> (T, Value, Comparison)
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let value: T = decode_body(body.as_bytes())
        .unwrap_or_else(|(path, e)| panic!("{body} does not decode at `{path}`: {e}"));
    let written = serde_json::to_value(&value).expect("serialise");
    let sent: Value = serde_json::from_str(body).expect("test body is JSON");
    let c = compare(spec(), &component(component_name), &sent, &written);
    (value, written, c)
}

/// The path of the decode error of `body` as `T`.
fn error_path<T: serde::de::DeserializeOwned>(body: &str) -> String {
    match decode_body::<T>(body.as_bytes()) {
        Ok(_) => panic!("{body} decoded"),
        Err((path, _)) => path,
    }
}

fn counts(pairs: &[(Normalisation, usize)]) -> BTreeMap<Normalisation, usize> {
    pairs.iter().copied().collect()
}

#[test]
fn numbers_as_strings() {
    let (bdb, written, c) = round_trip::<types::Bdb>(
        "Bdb",
        r#"{"memory_size": "1073741824", "uid": " 7 ", "backup_progress": "12.5"}"#,
    );
    assert_eq!(bdb.memory_size, Some(1073741824));
    assert_eq!(bdb.uid, Some(7));
    assert_eq!(bdb.backup_progress, Some(12.5));
    assert_eq!(
        written,
        json!({"memory_size": 1073741824, "uid": 7, "backup_progress": 12.5})
    );
    assert!(c.differences.is_empty(), "{:?}", c.differences);
    assert_eq!(c.counts(), counts(&[(Normalisation::NumberFromString, 3)]));
    assert_eq!(
        error_path::<types::Bdb>(r#"{"memory_size": "1 GB"}"#),
        "memory_size"
    );
    // What JSON cannot hold is not a number (it would be written back as `null`).
    for text in ["NaN", "inf", "-infinity", "1e400"] {
        let body = format!(r#"{{"backup_progress": "{text}"}}"#);
        assert_eq!(error_path::<types::Bdb>(&body), "backup_progress", "{text}");
    }
}

#[test]
fn integral_floats() {
    let (bdb, written, c) =
        round_trip::<types::Bdb>("Bdb", r#"{"memory_size": 8.0, "port": 12000.0}"#);
    assert_eq!((bdb.memory_size, bdb.port), (Some(8), Some(12000)));
    assert_eq!(written, json!({"memory_size": 8, "port": 12000}));
    assert!(
        written["memory_size"].is_i64(),
        "written back as an integer"
    );
    assert_eq!(c.counts(), counts(&[(Normalisation::IntegralFloat, 2)]));
    assert_eq!(error_path::<types::Bdb>(r#"{"port": 12000.5}"#), "port");
}

#[test]
fn exponent_notation() {
    let (bdb, written, c) = round_trip::<types::Bdb>(
        "Bdb",
        r#"{"memory_size": 1e3, "shards_count": "1e3", "port": "2E4"}"#,
    );
    assert_eq!(
        (bdb.memory_size, bdb.shards_count, bdb.port),
        (Some(1000), Some(1000), Some(20000))
    );
    assert_eq!(
        written,
        json!({"memory_size": 1000, "shards_count": 1000, "port": 20000})
    );
    assert_eq!(
        c.counts(),
        counts(&[
            (Normalisation::IntegralFloat, 1),
            (Normalisation::NumberFromString, 2)
        ])
    );
    assert_eq!(error_path::<types::Bdb>(r#"{"port": "1e-3"}"#), "port");
}

#[test]
fn booleans_as_strings() {
    let words = [
        ("true", true),
        ("TRUE", true),
        ("yes", true),
        ("enabled", true),
        ("on", true),
        ("false", false),
        ("no", false),
        ("disabled", false),
        ("off", false),
    ];
    for (word, expected) in words {
        let body = format!(r#"{{"replication": "{word}", "rack_aware": "{word}"}}"#);
        let (bdb, written, c) = round_trip::<types::Bdb>("Bdb", &body);
        assert_eq!(bdb.replication, Some(expected), "{word}");
        assert_eq!(
            written,
            json!({"replication": expected, "rack_aware": expected})
        );
        assert_eq!(c.counts(), counts(&[(Normalisation::BoolFromString, 2)]));
    }
    assert_eq!(words.len(), 9);
    assert_eq!(
        error_path::<types::Bdb>(r#"{"replication": "maybe"}"#),
        "replication"
    );
}

#[test]
fn booleans_as_0_and_1() {
    let (bdb, written, c) =
        round_trip::<types::Bdb>("Bdb", r#"{"replication": 1, "rack_aware": 0}"#);
    assert_eq!((bdb.replication, bdb.rack_aware), (Some(true), Some(false)));
    assert_eq!(written, json!({"replication": true, "rack_aware": false}));
    assert_eq!(c.counts(), counts(&[(Normalisation::BoolFromNumber, 2)]));
    assert_eq!(
        error_path::<types::Bdb>(r#"{"replication": 2}"#),
        "replication"
    );
}

#[test]
fn strings_as_numbers_and_booleans() {
    let (bdb, written, c) =
        round_trip::<types::Bdb>("Bdb", r#"{"name": 42, "redis_version": true}"#);
    assert_eq!(bdb.name.as_deref(), Some("42"));
    assert_eq!(bdb.redis_version.as_deref(), Some("true"));
    assert_eq!(written, json!({"name": "42", "redis_version": "true"}));
    assert_eq!(
        c.counts(),
        counts(&[
            (Normalisation::StringFromNumber, 1),
            (Normalisation::StringFromBool, 1)
        ])
    );
}

// An 8.0 cluster sent `data_cipher_suites_tls_1_3: []` (tests/fixtures/observed/cluster.json).
#[test]
fn an_empty_list_for_a_scalar_is_unset() {
    let (cluster, written, c) = round_trip::<types::Cluster>(
        "Cluster",
        r#"{"data_cipher_suites_tls_1_3": [], "name": "c1", "rack_aware": []}"#,
    );
    assert_eq!(cluster.data_cipher_suites_tls_1_3, None);
    assert_eq!(cluster.rack_aware, None);
    assert_eq!(written, json!({"name": "c1"}));
    assert!(c.differences.is_empty(), "{:?}", c.differences);
    assert_eq!(c.counts(), counts(&[(Normalisation::EmptyArrayDropped, 2)]));
    // A list that holds something is not an unset scalar.
    assert_eq!(
        error_path::<types::Cluster>(
            r#"{"data_cipher_suites_tls_1_3": ["TLS_AES_128_GCM_SHA256"]}"#
        ),
        "data_cipher_suites_tls_1_3"
    );
}

#[test]
fn null_empty_object_and_empty_string_for_unset() {
    // Integer, number, boolean, enum, string, list: each unset in every form it accepts.
    let (bdb, written, c) = round_trip::<types::Bdb>(
        "Bdb",
        r#"{"memory_size": null, "port": {}, "shards_count": "",
            "backup_progress": null, "replication": {}, "rack_aware": "",
            "eviction_policy": null, "data_persistence": {},
            "name": null, "redis_version": {},
            "avoid_nodes": null, "use_nodes": {}, "endpoints": ""}"#,
    );
    assert_eq!(
        (bdb.memory_size, bdb.port, bdb.shards_count),
        (None, None, None)
    );
    assert_eq!(
        (bdb.backup_progress, bdb.replication, bdb.rack_aware),
        (None, None, None)
    );
    assert!(bdb.eviction_policy.is_none() && bdb.data_persistence.is_none());
    assert!(bdb.name.is_none() && bdb.redis_version.is_none());
    assert!(bdb.avoid_nodes.is_none() && bdb.use_nodes.is_none() && bdb.endpoints.is_none());
    assert_eq!(written, json!({}));
    assert_eq!(
        c.counts(),
        counts(&[
            (Normalisation::NullDropped, 5),
            (Normalisation::EmptyObjectDropped, 5),
            (Normalisation::EmptyStringDropped, 3),
        ])
    );
    // `""` is a value of a string, not "unset"; `[]` stays an empty list.
    let (bdb, written, c) = round_trip::<types::Bdb>("Bdb", r#"{"name": "", "avoid_nodes": []}"#);
    assert_eq!(bdb.name.as_deref(), Some(""));
    assert_eq!(written, json!({"name": "", "avoid_nodes": []}));
    assert!(c.is_exact());
    // A map: `{}` stays an empty map, `null`, `""` and `[]` are unset.
    let (cluster, written, c) = round_trip::<types::Cluster>(
        "Cluster",
        r#"{"crdt_supported_featureset_version_map": {},
            "crdt_supported_protocol_versions_map": [],
            "crdt_supported_module_featureset_version_map": ""}"#,
    );
    assert_eq!(
        cluster.crdt_supported_featureset_version_map,
        Some(serde_json::Map::new())
    );
    assert_eq!(
        written,
        json!({"crdt_supported_featureset_version_map": {}})
    );
    assert_eq!(
        c.counts(),
        counts(&[
            (Normalisation::EmptyArrayDropped, 1),
            (Normalisation::EmptyStringDropped, 1)
        ])
    );
    // Not unset: a non-empty object where a number is documented.
    assert_eq!(
        error_path::<types::Bdb>(r#"{"memory_size": {"value": 1}}"#),
        "memory_size"
    );
}

#[test]
fn required_lists_given_as_unset_are_written_back_empty() {
    for unset in ["null", "{}", "\"\""] {
        let (request, written, c) = round_trip::<types::CrdbPurgeRequest>(
            "CrdbPurgeRequest",
            &format!(r#"{{"instances": {unset}}}"#),
        );
        assert!(request.instances.is_empty(), "{unset}");
        assert_eq!(written, json!({"instances": []}));
        assert_eq!(
            c.counts(),
            counts(&[(Normalisation::UnsetWrittenAsEmpty, 1)])
        );
    }
    // A required list must still be there.
    assert_eq!(error_path::<types::CrdbPurgeRequest>("{}"), ".");
}

#[test]
fn json_documents_inside_strings() {
    let (bdb, written, c) = round_trip::<types::Bdb>(
        "Bdb",
        r#"{"avoid_nodes": "[\"1\", \"2\"]", "use_nodes": "[]"}"#,
    );
    assert_eq!(
        bdb.avoid_nodes,
        Some(vec!["1".to_string(), "2".to_string()])
    );
    assert_eq!(bdb.use_nodes, Some(vec![]));
    assert_eq!(written, json!({"avoid_nodes": ["1", "2"], "use_nodes": []}));
    assert_eq!(c.counts(), counts(&[(Normalisation::JsonInString, 2)]));
    let (cluster, written, c) = round_trip::<types::Cluster>(
        "Cluster",
        r#"{"crdt_supported_featureset_version_map": "{\"7.2\": 1}"}"#,
    );
    assert_eq!(
        cluster
            .crdt_supported_featureset_version_map
            .as_ref()
            .and_then(|m| m.get("7.2")),
        Some(&json!(1))
    );
    assert_eq!(
        written,
        json!({"crdt_supported_featureset_version_map": {"7.2": 1}})
    );
    assert_eq!(c.counts(), counts(&[(Normalisation::JsonInString, 1)]));
    assert_eq!(
        error_path::<types::Bdb>(r#"{"avoid_nodes": "[1, "}"#),
        "avoid_nodes"
    );
}

#[test]
fn lists_of_scalars_element_wise() {
    let (node, written, c) =
        round_trip::<types::Node>("Node", r#"{"shard_list": ["1", 2.0, 3, "4e0"]}"#);
    assert_eq!(node.shard_list, Some(vec![1, 2, 3, 4]));
    assert_eq!(written, json!({"shard_list": [1, 2, 3, 4]}));
    assert_eq!(
        c.counts(),
        counts(&[
            (Normalisation::NumberFromString, 2),
            (Normalisation::IntegralFloat, 1)
        ])
    );
    let (bdb, written, c) = round_trip::<types::Bdb>("Bdb", r#"{"avoid_nodes": [1, "2", true]}"#);
    assert_eq!(
        bdb.avoid_nodes,
        Some(vec!["1".to_string(), "2".to_string(), "true".to_string()])
    );
    assert_eq!(written, json!({"avoid_nodes": ["1", "2", "true"]}));
    assert_eq!(
        c.counts(),
        counts(&[
            (Normalisation::StringFromNumber, 1),
            (Normalisation::StringFromBool, 1)
        ])
    );
    assert_eq!(
        error_path::<types::Node>(r#"{"shard_list": [1, "x"]}"#),
        "shard_list[1]"
    );
}

#[test]
fn nested_object_as_null_is_unset() {
    let (bdb, written, c) = round_trip::<types::Bdb>("Bdb", r#"{"backup_location": null}"#);
    assert!(bdb.backup_location.is_none());
    assert_eq!(written, json!({}));
    assert_eq!(c.counts(), counts(&[(Normalisation::NullDropped, 1)]));
}

#[test]
fn nested_object_as_empty_object_is_kept() {
    let (bdb, written, c) = round_trip::<types::Bdb>("Bdb", r#"{"backup_location": {}}"#);
    assert!(bdb.backup_location.is_some());
    assert_eq!(written, json!({"backup_location": {}}));
    assert!(c.is_exact());
}

#[test]
fn nested_object_as_empty_string_is_unset() {
    let bdb: types::Bdb = decode_body(br#"{"backup_location": ""}"#)
        .unwrap_or_else(|(path, e)| panic!("does not decode at `{path}`: {e}"));
    assert!(bdb.backup_location.is_none());
    let written = serde_json::to_value(&bdb).expect("serialise");
    assert_eq!(written, json!({}));
}

#[test]
fn integers_beyond_2_pow_53_come_back_unaltered() {
    let big = [
        9_007_199_254_740_993_i64,
        -9_007_199_254_740_993,
        i64::MAX,
        i64::MIN,
    ];
    for n in big {
        let (bdb, written, c) =
            round_trip::<types::Bdb>("Bdb", &format!(r#"{{"memory_size": {n}}}"#));
        assert_eq!(bdb.memory_size, Some(n));
        assert_eq!(written, json!({"memory_size": n}));
        assert!(c.is_exact());
        // The same integer inside a string, and as an integral decimal inside a string.
        for text in [format!("{n}"), format!("{n}.0"), format!("{n}.000")] {
            let (bdb, written, c) =
                round_trip::<types::Bdb>("Bdb", &format!(r#"{{"memory_size": "{text}"}}"#));
            assert_eq!(bdb.memory_size, Some(n), "{text}");
            assert_eq!(written, json!({"memory_size": n}));
            assert_eq!(c.counts(), counts(&[(Normalisation::NumberFromString, 1)]));
        }
    }
    // 2^63 does not fit: an error, not i64::MAX.
    assert_eq!(
        error_path::<types::Bdb>(r#"{"memory_size": 9223372036854775808.0}"#),
        "memory_size"
    );
    assert_eq!(
        error_path::<types::Bdb>(r#"{"memory_size": "9223372036854775808.0"}"#),
        "memory_size"
    );
    assert_eq!(big.len(), 4);
}

#[test]
fn integers_up_to_u64_max_come_back_unaltered() {
    // An i64 member cannot hold it: the client isolates the member (`unfit`) and writes it back
    // exactly as sent instead of changing it.
    let (bdb, unfit) = decode_isolating::<types::Bdb>(br#"{"memory_size": 18446744073709551615}"#)
        .unwrap_or_else(|(path, e)| panic!("does not decode at `{path}`: {e}"));
    assert_eq!(bdb.memory_size, None);
    let paths: Vec<&str> = unfit.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, vec!["memory_size"]);
    let written = serde_json::to_value(&bdb).expect("serialise");
    assert_eq!(written, json!({"memory_size": u64::MAX}));
}

#[test]
fn integers_beyond_2_pow_53_in_number_members_come_back_unaltered() {
    // An f64 would round it: the member is isolated and written back unaltered; up to 2^53 it
    // decodes as a number.
    let (bdb, unfit) = decode_isolating::<types::Bdb>(br#"{"backup_progress": 9007199254740993}"#)
        .unwrap_or_else(|(path, e)| panic!("does not decode at `{path}`: {e}"));
    assert_eq!(bdb.backup_progress, None);
    assert_eq!(unfit.len(), 1);
    let written = serde_json::to_value(&bdb).expect("serialise");
    assert_eq!(
        written,
        json!({"backup_progress": 9_007_199_254_740_993_u64})
    );
    let (bdb, unfit) = decode_isolating::<types::Bdb>(br#"{"backup_progress": 9007199254740992}"#)
        .unwrap_or_else(|(path, e)| panic!("does not decode at `{path}`: {e}"));
    assert!(unfit.is_empty());
    assert_eq!(bdb.backup_progress, Some(9_007_199_254_740_992.0));
}

#[test]
fn unknown_enum_string_comes_back_unaltered() {
    let (bdb, written, c) =
        round_trip::<types::Bdb>("Bdb", r#"{"data_persistence": "from_the_future"}"#);
    assert_eq!(
        bdb.data_persistence,
        Some(types::BdbDataPersistence::Unknown(
            "from_the_future".to_string()
        ))
    );
    assert_eq!(written, json!({"data_persistence": "from_the_future"}));
    assert!(c.is_exact());
}

#[test]
fn unknown_enum_value_sent_as_number_or_boolean_comes_back_as_sent() {
    let (_, written, c) =
        round_trip::<types::Bdb>("Bdb", r#"{"data_persistence": 5, "eviction_policy": true}"#);
    assert_eq!(
        written,
        json!({"data_persistence": 5, "eviction_policy": true})
    );
    assert!(c.is_exact(), "{:?}", c.differences);
}

#[test]
fn comparator_rejects_what_no_normalisation_explains() {
    let spec = spec();
    let bdb = component("Bdb");
    let cases = [
        // A member lost, one added, a number changed, a string retyped where a string is
        // documented, a string→number change where the number is not the string's.
        (json!({"memory_size": 1}), json!({}), "$.memory_size: lost"),
        (json!({}), json!({"memory_size": 1}), "$.memory_size: added"),
        (
            json!({"memory_size": 1}),
            json!({"memory_size": 2}),
            "$.memory_size: 1 became 2",
        ),
        (json!({"name": "42"}), json!({"name": 42}), "$.name"),
        (
            json!({"memory_size": "90"}),
            json!({"memory_size": 91}),
            "$.memory_size",
        ),
        // A float where an integer is documented, written back as another integer.
        (
            json!({"memory_size": 8.0}),
            json!({"memory_size": 9}),
            "$.memory_size",
        ),
        // `null` for a member the type does not make optional would be lost: here an unknown one.
        (json!({"x_unknown": null}), json!({}), "$.x_unknown: lost"),
        // An unknown member retyped.
        (
            json!({"x_unknown": 1}),
            json!({"x_unknown": "1"}),
            "$.x_unknown",
        ),
        // A non-empty object where a scalar is documented, dropped.
        (json!({"port": {"a": 1}}), json!({}), "$.port: lost"),
        // A string that is not a boolean word.
        (
            json!({"replication": "maybe"}),
            json!({"replication": true}),
            "$.replication",
        ),
        // An unknown enum value retyped.
        (
            json!({"data_persistence": 5}),
            json!({"data_persistence": "5"}),
            "$.data_persistence",
        ),
        // A list item changed.
        (
            json!({"avoid_nodes": ["1"]}),
            json!({"avoid_nodes": ["2"]}),
            "$.avoid_nodes[0]",
        ),
    ];
    for (sent, returned, expected) in &cases {
        let c = compare(spec, &bdb, sent, returned);
        assert!(
            c.differences.iter().any(|d| d.starts_with(expected)),
            "{sent} -> {returned}: expected a difference at {expected}, got {:?}",
            c.differences
        );
    }
    assert_eq!(cases.len(), 12);
}

/// The fields of every generated struct: (struct, JSON name) -> Rust type, compacted. Read from
/// the text of the `types/` files (prettyplease output: one `pub` field per item, at four spaces).
fn generated_fields() -> BTreeMap<(String, String), String> {
    let dir = redis_enterprise_api_tests::repo_root().join("generated/src/generated/types");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("types/ is readable")
        .map(|e| e.expect("folder entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    assert!(files.len() > 10, "types are split by resource: {files:?}");
    let text: String = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("a types file is readable"))
        .collect::<Vec<_>>()
        .join("\n");
    // The Rust fields of each struct, with their types.
    let mut types: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut field: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("pub struct ") {
            current = rest.split([' ', '{', '(', '<']).next().map(str::to_string);
            continue;
        }
        if line == "}" {
            current = None;
            continue;
        }
        let Some(name) = &current else { continue };
        if let Some((rust, ty)) = &mut field {
            ty.push_str(line.trim());
            if ty.matches('<').count() == ty.matches('>').count() && ty.ends_with(',') {
                types.insert((name.clone(), rust.clone()), ty.clone());
                field = None;
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("    pub ") {
            let (rust, ty) = rest.split_once(": ").expect("a field has a type");
            let ty = ty.to_string();
            if ty.matches('<').count() == ty.matches('>').count() && ty.ends_with(',') {
                types.insert((name.clone(), rust.to_string()), ty);
            } else {
                field = Some((rust.to_string(), ty));
            }
        }
    }
    // The JSON name each field is decoded from, as the struct's `Deserialize` (emitted by
    // codegen) matches it: `"json" => crate::object::put::<…>(&mut map, &mut out.rust, …,
    // "json")?` for an object decoded in place, or `"json" => crate::object::set::<…>(&mut map,
    // &mut fN, "json")?` and, in the struct it builds, `rust: fN…` or
    // `rust: crate::object::required(fN, …)`.
    let squashed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = BTreeMap::new();
    let marker = "impl<'de> ::serde::Deserialize<'de> for ";
    for block in squashed.split(marker).skip(1) {
        let name = block
            .split([' ', '{'])
            .next()
            .expect("a type name")
            .to_string();
        let body = block.split(marker).next().unwrap_or(block);
        let mut slots = BTreeMap::new();
        for part in body.split("&mut map, &mut ").skip(1) {
            if part.starts_with("extra,") || part.starts_with("out.extra,") {
                continue; // `crate::object::keep(&mut map, &mut extra, key)`
            }
            // Decoded in place: `"json" => crate::object::put::<…>(&mut map, &mut out.rust,
            // &mut seen, N, "json")?`.
            if let Some(rest) = part.strip_prefix("out.") {
                let (rust, rest) = rest.split_once(',').expect("a field and its JSON name");
                let json = rest
                    .split_once(", \"")
                    .and_then(|(_, r)| r.split('"').next())
                    .expect("a JSON name");
                if let Some(ty) = types.get(&(name.clone(), rust.to_string())) {
                    out.insert((name.clone(), json.to_string()), ty.clone());
                }
                continue;
            }
            let (slot, rest) = part.split_once(", \"").expect("a slot and its JSON name");
            let json = rest.split('"').next().expect("a JSON name");
            slots.insert(slot.to_string(), json.to_string());
        }
        let Some(built) = body
            .split(&format!("::std::result::Result::Ok({name} {{"))
            .nth(1)
        else {
            continue;
        };
        for init in built.split(',') {
            let Some((rust, value)) = init.trim().split_once(": ") else {
                continue;
            };
            let value = value.trim_start_matches("crate::object::required(");
            let slot = value.split(['.', ',', ')', ' ']).next().unwrap_or_default();
            if let (Some(json), Some(ty)) = (
                slots.get(slot),
                types.get(&(name.clone(), rust.to_string())),
            ) {
                out.insert((name.clone(), json.clone()), ty.clone());
            }
        }
    }
    out
}

#[test]
fn comparator_reads_the_spec_as_codegen_types_it() {
    // The comparator takes each member's type from the spec; this checks that reading against
    // the generated structs, for every member of every component with properties.
    let spec = spec();
    let fields = generated_fields();
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let (mut checked, mut unmapped) = (0, 0);
    let mut mismatches = Vec::new();
    for (component, schema) in schemas {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (name, prop) in props {
            let kind = redis_enterprise_api_tests::json::kind(spec, prop);
            let Some(ty) = fields.get(&(component.clone(), name.clone())) else {
                // Reported by `every_member_has_its_generated_field`.
                unmapped += 1;
                continue;
            };
            // The innermost type once `Option<…>` is taken off.
            let inner = ty
                .trim_end_matches(',')
                .strip_prefix("::std::option::Option<")
                .and_then(|t| t.strip_suffix('>'))
                .unwrap_or(ty.trim_end_matches(','));
            let fits = match kind {
                "integer" => inner == "i64",
                "number" => inner == "f64",
                "boolean" => inner == "bool",
                "string" => inner == "::std::string::String",
                "list" => inner.starts_with("::std::vec::Vec<"),
                "map" => inner.starts_with("::std::collections::BTreeMap<"),
                "object" => inner.starts_with("::serde_json::Map<"),
                // A named type: an open enum, a struct, or an untagged enum of alternatives.
                "enum" | "struct" | "oneOf" => !inner.starts_with("::"),
                _ => inner.starts_with("::serde_json::Value"),
            };
            if !fits {
                mismatches.push(format!("{component}.{name}: {kind} but {inner}"));
            }
            checked += 1;
        }
    }
    println!(
        "{checked} members of components checked against the generated structs \
         ({unmapped} without a field of their JSON name)"
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(checked > 1000, "only {checked} members checked");
}

// Codegen once dropped `rename` when it wrapped an optional list in `Option`, so `OU` and
// `state-machines` were read into `extra`, never into their fields.
#[test]
fn every_member_has_its_generated_field() {
    let spec = spec();
    let fields = generated_fields();
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let mut checked = 0;
    let mut missing = Vec::new();
    for (component, schema) in schemas {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for name in props.keys() {
            if !fields.contains_key(&(component.clone(), name.clone())) {
                missing.push(format!("{component}.{name}"));
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} members checked");
    assert!(
        missing.is_empty(),
        "members without a generated field of their JSON name: {missing:?}"
    );
    // What that means for a caller: the typed field stays empty.
    let response: types::ActionListResponse =
        decode_body(br#"{"actions": [], "state-machines": []}"#).expect("decodes");
    assert_eq!(response.state_machines, Some(vec![]));
}
