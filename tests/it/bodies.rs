//! No body is ever dropped. Every operation the reference documents without a response body
//! returns `ResponseValue<UndocumentedBody>`; here each one (the generated calls of
//! `tests/build.rs`, the same ones the Prism exerciser makes) is sent to a loopback server that
//! answers with the operation's documented success status and a body the client was not told
//! about, and the client must hand that body back: a JSON `action_uid` to wait on, bytes that
//! are not JSON, and nothing at all.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use redis_enterprise_api::operations::OPERATIONS;
use redis_enterprise_api::Client;
use redis_enterprise_api_tests::server::{Reply, TestServer};
use redis_enterprise_api_tests::setup::trusted;
use redis_enterprise_api_tests::spec;
use serde_json::{json, Value};

use crate::prism::{undocumented_call, Values, UNDOCUMENTED_CALLS};

/// The spec's operations none of whose success responses has content, with their first
/// success status.
fn documented_without_body() -> Vec<(&'static str, u16)> {
    let mut out = Vec::new();
    for op in OPERATIONS.iter().filter(|op| !op.handwritten) {
        let responses = &spec::operation(op.id).expect("in the spec")["responses"];
        let successes: Vec<(&String, &Value)> = responses
            .as_object()
            .expect("responses")
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .collect();
        let resolved = |r: &'static Value| spec::resolve(spec::spec(), r);
        if !successes.is_empty()
            && successes
                .iter()
                .all(|(_, r)| resolved(r).get("content").is_none())
        {
            out.push((op.id, successes[0].0.parse().expect("a status")));
        }
    }
    out
}

/// What the server answers next: status and body.
type Next = Arc<Mutex<(u16, Vec<u8>)>>;

async fn server() -> (TestServer, Next) {
    let next: Next = Arc::new(Mutex::new((200, Vec::new())));
    let answer = next.clone();
    let server = TestServer::https(move |_| {
        let (status, body) = answer.lock().expect("lock").clone();
        Reply::raw(status, "application/json", body)
    })
    .await;
    (server, next)
}

#[tokio::test]
async fn every_operation_documented_without_a_body_keeps_the_body_sent() {
    let expected = documented_without_body();
    // The generated calls cover exactly the operations the spec documents without a body.
    let from_spec: BTreeSet<&str> = expected.iter().map(|(id, _)| *id).collect();
    let generated: BTreeSet<&str> = UNDOCUMENTED_CALLS.iter().copied().collect();
    assert_eq!(from_spec, generated, "spec operations vs client methods");
    assert_eq!(
        expected.len(),
        46,
        "operations documented without a response body"
    );

    let (server, next) = server().await;
    let client: Client = trusted(&server).build().expect("client");
    let mut kept = 0;
    for (id, status) in &expected {
        let values = Values::of(id);
        for (body, check) in [
            (
                serde_json::to_vec(&json!({"action_uid": id, "extra": [1, 2]})).expect("json"),
                "json",
            ),
            (b"<html>proxy says hello</html>".to_vec(), "text"),
            (Vec::new(), "empty"),
        ] {
            *next.lock().expect("lock") = (*status, body.clone());
            let before = server.requests().len();
            let response = undocumented_call(&client, id, &values)
                .expect("a generated call")
                .await
                .unwrap_or_else(|e| panic!("{id} ({check}): {}", e.explain()));
            assert_eq!(server.requests().len(), before + 1, "{id}: one request");
            assert_eq!(response.status().as_u16(), *status, "{id}");
            let kept_body = response.into_inner();
            assert_eq!(kept_body.bytes(), &body[..], "{id} ({check}): bytes");
            match check {
                "json" => {
                    assert_eq!(kept_body.action_uid(), Some(*id), "{id}");
                    assert_eq!(kept_body.json().expect("json")["extra"], json!([1, 2]));
                }
                "text" => assert!(kept_body.json().is_none() && !kept_body.is_empty(), "{id}"),
                _ => assert!(kept_body.is_empty() && kept_body.json().is_none(), "{id}"),
            }
            kept += 1;
        }
    }
    assert_eq!(kept, expected.len() * 3);
    println!(
        "{} operations documented without a body; every body sent was kept",
        expected.len()
    );
}

/// `Debug` does not print an undocumented body's content: the client cannot know which members
/// are secrets.
#[test]
fn undocumented_body_debug_shows_no_content() {
    let body = redis_enterprise_api::UndocumentedBody::from_bytes(
        serde_json::to_vec(&json!({"action_uid": "a-1", "password": "hunter2"}))
            .expect("json")
            .into(),
    );
    let shown = format!("{body:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("a-1"), "{shown}");
    assert_eq!(body.action_uid(), Some("a-1"));
    // What `wait_for_started` reads.
    assert_eq!(
        redis_enterprise_api::extras::StartsAction::action_uid(&body),
        Some("a-1")
    );
}
