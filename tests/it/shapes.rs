//! Shapes accepted on purpose (issue 20, items 1 and 3): a wrapped list only from the wrapper
//! shapes clusters use, strict decoding refusing every leniency with a named error, and
//! isolation that reports each unfit property once, with a valid path, in a bounded number of
//! passes however many there are.

use std::collections::BTreeMap;

use redis_enterprise_api::types::{Action, Bdb};
use redis_enterprise_api::unfit::{decode_isolating, unfit_value};
use redis_enterprise_api::{Client, DecodeReport, Error, Leniency};
use redis_enterprise_api_tests::server::{Reply, TestServer};
use serde_json::{json, Value};

async fn serve(reply: Reply) -> TestServer {
    TestServer::https(move |_| reply.clone()).await
}

fn client(server: &TestServer, strict: bool) -> Client {
    Client::builder(&server.url)
        .basic_auth("admin@example.com", "pw")
        .add_ca_certificate_pem(server.ca_pem.clone())
        .strict_decoding(strict)
        .build()
        .expect("client builds")
}

fn strict_leniency(err: &Error) -> &Leniency {
    match err {
        Error::Strict(e) => &e.leniency,
        other => panic!("expected Error::Strict, got {other:?}"),
    }
}

#[tokio::test]
async fn an_error_object_on_a_list_operation_is_not_an_empty_list() {
    let server = serve(Reply::json(200, json!({"error": "x", "details": []}))).await;
    for strict in [false, true] {
        let err = client(&server, strict)
            .role_list()
            .send()
            .await
            .expect_err("an object with other members is not a wrapped list");
        let decode = err.decode().expect("a decode error");
        assert_eq!(decode.path, ".", "strict {strict}");
        let body: Value = serde_json::from_slice(&decode.body).expect("JSON kept");
        assert_eq!(body, json!({"error": "x", "details": []}));
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_wrapper_with_another_member_or_another_name_is_refused() {
    for body in [
        json!({"roles": [{"uid": 1}], "total": 1}),
        json!({"items": [{"uid": 1}]}),
        json!({"roles": {"uid": 1}}),
    ] {
        let server = serve(Reply::json(200, body.clone())).await;
        let err = client(&server, false)
            .role_list()
            .send()
            .await
            .expect_err("not a wrapper clusters use");
        assert!(err.decode().is_some(), "{body}: {err:?}");
    }
}

#[tokio::test]
async fn a_wrapper_named_after_the_resource_is_taken_and_refused_when_strict() {
    let server = serve(Reply::json(
        200,
        json!({"roles": [{"uid": 4, "name": "r"}]}),
    ))
    .await;
    let roles = client(&server, false)
        .role_list()
        .send()
        .await
        .expect("the cluster's wrapper");
    assert_eq!(roles.unwrapped_from().as_deref(), Some("roles"));
    assert_eq!(roles.into_inner().len(), 1);
    let err = client(&server, true)
        .role_list()
        .send()
        .await
        .expect_err("strict refuses the wrapper");
    assert_eq!(
        strict_leniency(&err),
        &Leniency::WrappedList {
            member: "roles".into()
        }
    );
    assert!(err.to_string().contains("wrapped"), "{err}");
    assert_eq!(err.body().map(|b| b.len()), Some(32));
}

#[tokio::test]
async fn strict_refuses_an_empty_body() {
    let server = serve(Reply::raw(200, "application/json", "  ")).await;
    let roles = client(&server, false)
        .role_list()
        .send()
        .await
        .expect("lenient");
    assert!(roles.body_was_empty());
    let err = client(&server, true)
        .role_list()
        .send()
        .await
        .expect_err("strict");
    assert_eq!(strict_leniency(&err), &Leniency::EmptyBody);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn strict_refuses_a_duplicate_key() {
    // A member the spec does not describe, twice (a described one twice is already a decode
    // error: serde refuses a duplicate field).
    let body = br#"[{"uid": 1, "name": "a"}, {"uid": 2, "x_note": "b", "x_note": "c"}]"#;
    let server = serve(Reply::raw(200, "application/json", &body[..])).await;
    let roles = client(&server, false)
        .role_list()
        .send()
        .await
        .expect("lenient: the last value wins");
    assert_eq!(roles.into_inner()[1].extra.get("x_note"), Some(&json!("c")));
    let err = client(&server, true)
        .role_list()
        .send()
        .await
        .expect_err("strict");
    assert_eq!(
        strict_leniency(&err),
        &Leniency::DuplicateKey {
            path: "[1].x_note".into()
        }
    );
}

#[test]
fn a_map_value_of_the_wrong_kind_is_reported_once_as_the_map_member() {
    let body = json!({"action_uid": "a", "pending_ops": {"1": {"op_name": "x"}, "2": 7}});
    let (action, unfit) =
        decode_isolating::<Action>(body.to_string().as_bytes()).expect("isolated");
    let paths: Vec<&str> = unfit.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, ["pending_ops"]);
    assert_eq!(action.pending_ops, None);
    assert_eq!(
        unfit_value(&action.extra, "pending_ops"),
        Some(&body["pending_ops"])
    );
    // Kept exactly as sent, the map's own keys included.
    assert_eq!(serde_json::to_value(&action).expect("encodes"), body);
}

#[test]
fn a_top_level_map_reports_real_paths() {
    // A value of the wrong kind at the top of a map cannot be isolated: an error at its key.
    let (path, _) = decode_isolating::<BTreeMap<String, Bdb>>(br#"{"a": {"uid": 1}, "b": 7}"#)
        .expect_err("no enclosing object");
    assert_eq!(path, "b");
    // A member inside a map value is isolated under the map's key.
    let (map, unfit) = decode_isolating::<BTreeMap<String, Bdb>>(
        br#"{"a": {"uid": 1, "memory_size": {"x": 1}}, "b": {"uid": 2, "port": [1]}}"#,
    )
    .expect("isolated");
    let paths: Vec<&str> = unfit.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, ["a.memory_size", "b.port"]);
    assert_eq!(map["b"].uid, Some(2));
}

#[test]
fn many_unfit_properties_each_reported_once() {
    // 300 databases, two unfit members each, one of them in a list inside the list item.
    let n = 300;
    let list: Vec<Value> = (0..n)
        .map(|i| {
            json!({"uid": i, "memory_size": {"v": i}, "name": format!("db{i}"),
                   "endpoints": [{"uid": "e"}, {"uid": "f", "port": [i]}]})
        })
        .collect();
    let body = serde_json::to_vec(&list).expect("encodes");
    let (bdbs, unfit) = decode_isolating::<Vec<Bdb>>(&body).expect("isolated");
    assert_eq!(bdbs.len(), n);
    assert_eq!(unfit.len(), 2 * n);
    assert!(unfit.iter().all(|u| !u.reason.is_empty()));
    // Each once (in the order found: a pass over the list isolates one property per item).
    let mut paths: Vec<String> = unfit.into_iter().map(|u| u.path).collect();
    paths.sort();
    let mut expected: Vec<String> = (0..n)
        .flat_map(|i| {
            [
                format!("[{i}].memory_size"),
                format!("[{i}].endpoints[1].port"),
            ]
        })
        .collect();
    expected.sort();
    assert_eq!(paths, expected);
    for (i, bdb) in bdbs.iter().enumerate() {
        assert_eq!(bdb.name.as_deref(), Some(format!("db{i}").as_str()));
    }
    // Written back exactly as sent.
    assert_eq!(
        serde_json::to_value(&bdbs).expect("encodes"),
        Value::Array(list)
    );
}

#[test]
fn a_list_item_of_the_wrong_kind_is_an_error_at_its_index() {
    let (path, _) =
        decode_isolating::<Vec<Bdb>>(br#"[{"uid": 1}, {"uid": 2, "port": {"p": 1}}, 7]"#)
            .expect_err("an item that is not an object");
    assert_eq!(path, "[2]");
}

#[test]
fn map_values_of_the_wrong_kind_in_every_list_item_are_reported_once_each() {
    let list: Vec<Value> = (0..5)
        .map(|i| json!({"action_uid": format!("a{i}"), "pending_ops": {"1": {"op_name": "x"}, "2": i}}))
        .collect();
    let body = serde_json::to_vec(&list).expect("encodes");
    let (actions, unfit) = decode_isolating::<Vec<Action>>(&body).expect("isolated");
    let paths: Vec<&str> = unfit.iter().map(|u| u.path.as_str()).collect();
    let expected: Vec<String> = (0..5).map(|i| format!("[{i}].pending_ops")).collect();
    assert_eq!(paths, expected);
    assert!(actions.iter().all(|a| a.pending_ops.is_none()));
    assert_eq!(
        serde_json::to_value(&actions).expect("encodes"),
        Value::Array(list)
    );
}
