//! Bad input gets a clear `ErrorBody` (never a panic), and the simulator stays up and
//! consistent: a failed create leaves no database and no process behind.

use crate::common;

use serde_json::Value;

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(
    raw: &reqwest::Client,
    sim: &redis_enterprise_simulator::Simulator,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Answer {
    let mut req = raw
        .request(method, format!("{}{path}", sim.base_url()))
        .header("authorization", common::admin_auth(sim))
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.expect("the simulator answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// The body is an `ErrorBody` with this code and a description.
fn assert_error(answer: &Answer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["error_code"], code, "{}", answer.body);
    let description = answer.body["description"].as_str().unwrap_or_default();
    assert!(!description.is_empty(), "no description: {}", answer.body);
    let typed: redis_enterprise_api::types::ErrorBody =
        serde_json::from_value(answer.body.clone()).expect("an ErrorBody");
    assert_eq!(typed.error_code.as_deref(), Some(code));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_error_bodies_and_change_nothing() {
    let _process = crate::common::own_the_process().await;
    let sim = common::start().await;
    let raw = common::raw_client(&sim);
    let json = Some("application/json");
    use reqwest::Method;

    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/bdbs",
        json,
        b"{\"name\": ".to_vec(),
    )
    .await;
    // bdb_create documents 406 for input it cannot use, and no 400.
    assert_error(&a, 406, "invalid_json");

    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/bdbs",
        Some("text/plain"),
        b"name=x".to_vec(),
    )
    .await;
    assert_error(&a, 415, "unsupported_media_type");

    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let a = send(&raw, &sim, Method::POST, "/v1/bdbs", json, big.into_bytes()).await;
    assert_error(&a, 413, "request_too_large");

    let a = send(
        &raw,
        &sim,
        Method::GET,
        "/v1/no/such/thing",
        None,
        Vec::new(),
    )
    .await;
    assert_error(&a, 404, "not_found");

    let a = send(&raw, &sim, Method::PATCH, "/v1/bdbs", json, b"{}".to_vec()).await;
    assert_error(&a, 405, "method_not_allowed");
    let allow = a
        .headers
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(allow, "GET, POST");

    // A uid that is not an integer names no object: the operation's documented refusal.
    let a = send(&raw, &sim, Method::GET, "/v1/bdbs/abc", None, Vec::new()).await;
    assert_error(&a, 404, "invalid_uid");
    let a = send(
        &raw,
        &sim,
        Method::DELETE,
        "/v1/users/1.5",
        None,
        Vec::new(),
    )
    .await;
    assert_error(&a, 406, "invalid_uid");
    let a = send(&raw, &sim, Method::PUT, "/v1/roles/x", json, b"{}".to_vec()).await;
    assert_error(&a, 404, "invalid_uid");
    // Ids below the documented minimum or beyond int64 name no object; a query parameter the
    // operation does not take, one outside its enum, one given twice are refused.
    let gets = [
        ("/v1/bdbs/0", 404, "invalid_uid"),
        ("/v1/nodes/9223372036854775808", 404, "invalid_uid"),
        ("/v1/bdbs?colour=red", 400, "unknown_parameter"),
        ("/v1/bdbs/stats?interval=2years", 400, "invalid_parameter"),
        ("/v1/bdbs?fields=uid&fields=name", 400, "invalid_parameter"),
    ];
    for (path, status, code) in gets {
        let a = send(&raw, &sim, Method::GET, path, None, Vec::new()).await;
        assert_error(&a, status, code);
    }
    // A declared header with a value outside its schema (x-result-ttl is an integer).
    let resp = raw
        .get(format!("{}/v1/crdb_tasks/crdb-task-1", sim.base_url()))
        .header("authorization", common::admin_auth(&sim))
        .header("x-result-ttl", "soon")
        .send()
        .await
        .expect("the simulator answers");
    let a = Answer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.json().await.expect("an error body"),
    };
    assert_error(&a, 400, "invalid_header");
    // A JSON body whose string breaks the spec's pattern (major.minor).
    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/bdbs/1/upgrade",
        json,
        br#"{"redis_version": "7.4-rc1"}"#.to_vec(),
    )
    .await;
    assert_error(&a, 400, "invalid_schema");
    // A method the most specific resource lacks is 405 with that resource's methods, not an
    // update of a database called "alerts".
    let a = send(
        &raw,
        &sim,
        Method::PUT,
        "/v1/bdbs/alerts",
        json,
        b"{}".to_vec(),
    )
    .await;
    assert_error(&a, 405, "method_not_allowed");
    let allow = a
        .headers
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(allow, "GET");
    // An integer body member beyond int64 is refused, not rounded into the store.
    let a = send(
        &raw,
        &sim,
        Method::PUT,
        "/v1/cluster",
        json,
        b"{\"cm_session_timeout_minutes\": -9223372036854775809}".to_vec(),
    )
    .await;
    assert_error(&a, 400, "invalid_schema");

    let wrong_type = br#"{"name": "db", "memory_size": "big"}"#.to_vec();
    // bdb_create documents 406 ("invalid configuration") and no 400 for a body it refuses.
    let a = send(&raw, &sim, Method::POST, "/v1/bdbs", json, wrong_type).await;
    assert_error(&a, 406, "invalid_schema");
    assert!(a.body["description"]
        .as_str()
        .unwrap_or_default()
        .contains("memory_size"));

    let bad_enum = br#"{"name": "db", "memory_size": 1024, "eviction_policy": "sometimes"}"#;
    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/bdbs",
        json,
        bad_enum.to_vec(),
    )
    .await;
    assert_error(&a, 406, "invalid_schema");
    // user_update documents 400: a wrong type there is a 400.
    let a = send(
        &raw,
        &sim,
        Method::PUT,
        "/v1/users/1",
        json,
        br#"{"email_alerts": "often"}"#.to_vec(),
    )
    .await;
    assert_error(&a, 400, "invalid_schema");

    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/bdbs",
        json,
        br#"{"memory_size": 1024}"#.to_vec(),
    )
    .await;
    assert_error(&a, 406, "missing_db_name");
    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/bdbs",
        json,
        br#"{"name": "db"}"#.to_vec(),
    )
    .await;
    assert_error(&a, 406, "missing_memory_size");
    // The spec requires both members of a create (a refinement of Bdb); the simulator refuses
    // a missing one with the reference's code, not a schema error, in v2 too.
    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v2/bdbs",
        json,
        br#"{"bdb": {"memory_size": 1024}}"#.to_vec(),
    )
    .await;
    assert_error(&a, 406, "missing_db_name");

    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/users",
        json,
        br#"{"email": "x@example.com"}"#.to_vec(),
    )
    .await;
    assert_error(&a, 400, "invalid_schema");

    let a = send(
        &raw,
        &sim,
        Method::POST,
        "/v1/users?dry_run=maybe",
        json,
        br#"{"email": "q@example.com", "password": "p"}"#.to_vec(),
    )
    .await;
    assert_error(&a, 400, "invalid_parameter");
    let a = send(&raw, &sim, Method::PUT, "/v1/cluster", json, Vec::new()).await;
    assert_error(&a, 400, "missing_body");

    let a = send(&raw, &sim, Method::GET, "/v1/bdbs/42", None, Vec::new()).await;
    assert_error(&a, 404, "db_not_exist");

    // Unauthenticated.
    let resp = raw
        .get(format!("{}/v1/bdbs", sim.base_url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 401);

    // Nothing was created, no process started, and the simulator still answers.
    let a = send(&raw, &sim, Method::GET, "/v1/bdbs", None, Vec::new()).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, Value::Array(Vec::new()));
    assert!(sim.redis_server_pids().is_empty());
    assert!(common::redis_children().is_empty());
    let a = send(&raw, &sim, Method::GET, "/v1/actions", None, Vec::new()).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["actions"], Value::Array(Vec::new()));
    sim.shutdown().await;
}

/// A role created with a uid no path can name (zero or negative) is refused, and nothing is
/// created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_uid_must_be_positive() {
    let _process = common::share_the_process().await;
    let sim = common::rules_only().await;
    let raw = common::raw_client(&sim);
    for uid in [0, -9069] {
        let body =
            serde_json::json!({ "name": format!("r{uid}"), "management": "none", "uid": uid });
        let answer = send(
            &raw,
            &sim,
            reqwest::Method::POST,
            "/v1/roles",
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await;
        assert_error(&answer, 400, "invalid_uid");
    }
    let answer = send(
        &raw,
        &sim,
        reqwest::Method::GET,
        "/v1/roles",
        None,
        Vec::new(),
    )
    .await;
    assert_eq!(answer.body, serde_json::json!([]));
    sim.shutdown().await;
}
