//! Response bodies that live clusters sent (`tests/fixtures/observed/`, see its README), against
//! the spec and the generated types: a third-party JSON Schema validator accepts every one
//! against its operation's response schema (so the spec describes what clusters send, not only
//! what the reference says), and every one decodes into the generated type.

use std::process::Command;

use redis_enterprise_api::operations::response_round_trip;
use redis_enterprise_api_tests::repo_root;
use redis_enterprise_api_tests::spec::spec;
use redis_enterprise_api_tests::tools::{python_tool, SCHEMA_VALIDATOR};
use serde_json::{json, Value};

/// Each recorded body: file, the `GET` path it answers, its operationId.
const OBSERVED: [(&str, &str, &str); 20] = [
    ("actions_list", "/v1/actions", "action_list"),
    ("bdb_single", "/v1/bdbs/{uid}", "bdb_get"),
    ("bdbs_list", "/v1/bdbs", "bdb_list"),
    ("bdbs_stats", "/v1/bdbs/stats", "bdb_stats_list"),
    ("bootstrap_status", "/v1/bootstrap", "bootstrap_get"),
    ("cluster", "/v1/cluster", "cluster_get"),
    (
        "cluster_alerts",
        "/v1/cluster/alerts",
        "cluster_alerts_list",
    ),
    ("cluster_stats", "/v1/cluster/stats", "cluster_stats_get"),
    ("crdbs_list", "/v1/crdbs", "crdb_list"),
    ("license", "/v1/license", "license_get"),
    ("modules_list", "/v1/modules", "module_list"),
    ("node_single", "/v1/nodes/{uid}", "node_get"),
    ("nodes", "/v1/nodes", "node_list"),
    ("nodes_list", "/v1/nodes", "node_list"),
    ("nodes_stats", "/v1/nodes/stats", "node_stats_list"),
    ("ocsp", "/v1/ocsp", "ocsp_get"),
    ("proxies_list", "/v1/proxies", "proxy_list"),
    ("shards_list", "/v1/shards", "shard_list"),
    ("user_single", "/v1/users/{uid}", "user_get"),
    ("users_list", "/v1/users", "user_list"),
];

fn body(file: &str) -> Value {
    let path = repo_root().join(format!("tests/fixtures/observed/{file}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// Runs the validator over `cases` (`[name, path, body]`) and returns each case's errors.
fn validate(cases: &[Value]) -> Vec<(String, Vec<String>)> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let spec_file = dir.path().join("spec.json");
    let cases_file = dir.path().join("cases.json");
    std::fs::write(
        &spec_file,
        serde_json::to_vec(spec()).expect("spec as JSON"),
    )
    .expect("write");
    std::fs::write(
        &cases_file,
        serde_json::to_vec(cases).expect("cases as JSON"),
    )
    .expect("write");
    let out = Command::new(python_tool(SCHEMA_VALIDATOR))
        .arg(repo_root().join("tests/fixtures/observed/validate.py"))
        .arg(&spec_file)
        .arg(&cases_file)
        .output()
        .expect("the validator runs");
    assert!(
        out.status.success(),
        "validate.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<(String, Vec<String>)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("a JSON line per case");
            let errors = v["errors"].as_array().expect("errors").iter();
            (
                v["name"].as_str().expect("name").to_string(),
                errors
                    .map(|e| e.as_str().expect("text").to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(results.len(), cases.len(), "one result per case");
    results
}

#[test]
fn a_json_schema_validator_accepts_what_clusters_sent() {
    let cases: Vec<Value> = OBSERVED
        .iter()
        .map(|(file, path, _)| json!([file, path, body(file)]))
        .collect();
    // Controls: one altered copy per class the spec describes, each a value no cluster sends
    // and the spec refuses (so the validator is seen to refuse each).
    let mut controls = Vec::new();
    let mut bdb = body("bdb_single");
    bdb["backup_status"] = json!("pending-forever");
    controls.push(json!(["bdb: an enum value", "/v1/bdbs/{uid}", bdb]));
    let mut actions = body("actions_list");
    actions["actions"][0]["progress"] = json!("a hundred");
    controls.push(json!(["action: a number as text", "/v1/actions", actions]));
    let mut license = body("license");
    license["shards_limit"] = Value::Null;
    controls.push(json!([
        "license: null where not nullable",
        "/v1/license",
        license
    ]));
    let mut cluster = body("cluster");
    cluster["data_cipher_suites_tls_1_3"] = json!(["TLS_AES_128_GCM_SHA256"]);
    controls.push(json!([
        "cluster: a non-empty list for a string",
        "/v1/cluster",
        cluster
    ]));
    controls.push(json!(["crdbs: another wrapper", "/v1/crdbs", {"items": []}]));
    let all: Vec<Value> = cases.iter().chain(&controls).cloned().collect();
    let results = validate(&all);
    let (observed, altered) = results.split_at(cases.len());
    for (name, errors) in observed {
        println!("{name}: {} errors", errors.len());
    }
    let failing: Vec<_> = observed.iter().filter(|(_, e)| !e.is_empty()).collect();
    assert!(
        failing.is_empty(),
        "the spec refuses what clusters sent: {failing:#?}"
    );
    assert_eq!(observed.len(), 20, "every recorded body validated");
    for (name, errors) in altered {
        println!("control {name}: {errors:?}");
        assert!(!errors.is_empty(), "control {name} was accepted");
    }
    assert_eq!(altered.len(), 5, "one control per class");
}

#[test]
fn the_generated_types_decode_what_clusters_sent() {
    let mut decoded = 0;
    for (file, _, operation) in OBSERVED {
        let text = serde_json::to_vec(&body(file)).expect("bytes");
        let result = response_round_trip(operation, &text)
            .unwrap_or_else(|| panic!("{operation} has a JSON success body"));
        match (file, result) {
            // Strict decoding refuses shape leniency: the wrapped list is taken by the client's
            // default (lenient) decoding only, which tests/it/shapes.rs covers.
            ("crdbs_list", Err(_)) => {}
            (_, Ok(_)) => decoded += 1,
            (_, Err((path, e))) => panic!("{file} ({operation}): {path}: {e}"),
        }
    }
    println!(
        "{decoded} of {} recorded bodies decoded strictly",
        OBSERVED.len()
    );
    assert_eq!(decoded, OBSERVED.len() - 1);
}
