//! Every operation of the spec is routed (from the generated operation table) and answers one
//! of its documented statuses, with an `ErrorBody` when it is an error; an operation the
//! impersonated release does not serve answers 404.

use crate::common;

use redis_enterprise_api::operations::OPERATIONS;
use serde_json::Value;

/// The operation's path with every parameter set to `value`.
fn concrete(path: &str, value: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { value } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_operation_has_a_route() {
    let mut routed = 0;
    let mut missing = Vec::new();
    for op in OPERATIONS {
        let path = concrete(op.path, "1");
        match redis_enterprise_simulator::route(op.method, &path) {
            Some(found) if found.id == op.id => routed += 1,
            other => missing.push(format!(
                "{} {} {path} -> {:?}",
                op.id,
                op.method,
                other.map(|o| o.id)
            )),
        }
    }
    assert!(
        missing.is_empty(),
        "operations without their route:\n{}",
        missing.join("\n")
    );
    assert_eq!(routed, OPERATIONS.len());
    assert!(routed >= 216, "the table has {routed} operations");
}

fn spec() -> Value {
    serde_json::from_str(redis_enterprise_api::openapi::JSON).expect("the spec parses")
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(r.trim_start_matches('#')).unwrap_or(v),
        None => v,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_a_documented_status() {
    let _process = crate::common::share_the_process().await;
    let sim = common::rules_only().await;
    let raw = common::raw_client(&sim);
    let spec = spec();
    let mut problems = Vec::new();
    let mut called = 0;
    let mut not_served = 0;
    for op in OPERATIONS {
        let served = op.served_by(sim.release());
        let item = &spec["paths"][op.path][op.method.to_ascii_lowercase()];
        let statuses: Vec<u16> = item["responses"]
            .as_object()
            .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_default();
        let request_body = item.get("requestBody").map(|b| resolve(&spec, b));
        let required = request_body.is_some_and(|b| b["required"] == Value::Bool(true));
        let body = request_body
            .and_then(|b| b.pointer("/content/application~1json/example"))
            .cloned()
            .or_else(|| required.then(|| serde_json::json!({})));
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("a method");
        let mut req = raw
            .request(
                method,
                format!("{}{}", sim.base_url(), concrete(op.path, "1")),
            )
            .header("authorization", common::admin_auth(&sim));
        if let Some(body) = &body {
            req = req.json(body);
        }
        let resp = req.send().await.expect("the simulator answers");
        called += 1;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("body");
        if !served {
            // The release the simulator impersonates does not serve it: 404 as its clusters
            // answered.
            if status != 404 {
                problems.push(format!(
                    "{} is not served by {} but answered {status}",
                    op.id,
                    sim.release()
                ));
            }
            not_served += 1;
        } else if !statuses.contains(&status) {
            problems.push(format!(
                "{} {} {}: {status} not in {statuses:?}: {}",
                op.id,
                op.method,
                op.path,
                String::from_utf8_lossy(&bytes)
            ));
        } else if status >= 400 {
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if body["error_code"].as_str().is_none() {
                problems.push(format!("{}: {status} without an ErrorBody", op.id));
            }
        }
    }
    assert_eq!(called, OPERATIONS.len());
    println!(
        "{called} operations called, {not_served} not served by {}",
        sim.release()
    );
    assert!(
        not_served >= 2,
        "module_create and module_delete left 8.2: {not_served}"
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    sim.shutdown().await;
}
