//! Field-level fault isolation (`redis_enterprise_api::unfit`): a property whose JSON does not
//! fit its generated type costs that property only, at every depth (a top-level member, a member
//! of a nested object, of a list item, of a map value, a nested-object member itself), is kept
//! and written back exactly as sent, is never written twice once the caller sets the field, is
//! reported (a warning naming the operation and the path, and `DecodeReport`), and is an
//! `Error::Decode` with the same path in strict mode.

use redis_enterprise_api::types::{Action, Bdb};
use redis_enterprise_api::unfit::{decode_isolating, unfit_value, unfit_values};
use redis_enterprise_api::{Client, DecodeReport};
use redis_enterprise_api_tests::server::{Reply, TestServer};
use redis_enterprise_api_tests::setup::Captured;
use serde_json::{json, Value};

/// One case: a body whose member at `path` cannot fit, and how to find the isolated value.
struct Case {
    what: &'static str,
    body: Value,
    path: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            what: "top-level scalar member",
            body: json!({"uid": 1, "name": "db", "memory_size": {"bytes": 5}}),
            path: "memory_size",
        },
        Case {
            what: "member of a nested object",
            body: json!({"uid": 1, "backup_location": {"type": "s3", "bucket_name": [1, 2]}}),
            path: "backup_location.bucket_name",
        },
        Case {
            what: "nested object given as a number",
            body: json!({"uid": 1, "backup_location": 17}),
            path: "backup_location",
        },
        Case {
            what: "member of a list item",
            body: json!({"uid": 1, "endpoints": [{"uid": "1:1"}, {"uid": "1:2", "port": {"p": 1}}]}),
            path: "endpoints[1].port",
        },
    ]
}

#[test]
fn every_depth_isolates_only_the_property_that_does_not_fit() {
    let cases = cases();
    for case in &cases {
        let text = serde_json::to_vec(&case.body).expect("encodes");
        // The plain, strict decode refuses the body at that path.
        let (strict_path, _) =
            redis_enterprise_api::decode_body::<Bdb>(&text).expect_err(case.what);
        assert_eq!(strict_path, case.path, "{}: strict path", case.what);
        // The isolating decode keeps everything else.
        let (bdb, unfit) = decode_isolating::<Bdb>(&text).expect(case.what);
        let paths: Vec<&str> = unfit.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(paths, vec![case.path], "{}: reported paths", case.what);
        assert_eq!(bdb.uid, Some(1), "{}: the rest decoded", case.what);
        // Written back exactly as sent (the isolated value included).
        let back = serde_json::to_value(&bdb).expect("encodes");
        assert_eq!(back, case.body, "{}: write-back", case.what);
    }
    assert_eq!(cases.len(), 4);
}

#[test]
fn a_map_value_that_does_not_fit_isolates_its_map_member() {
    // `pending_ops` is a map of objects keyed by shard: the bad member inside one value is
    // isolated inside that value.
    let body = json!({"action_uid": "a", "pending_ops": {
        "1": {"op_name": "x", "progress": 10},
        "2": {"op_name": "y", "progress": {"what": true}}
    }});
    let (action, unfit) = decode_isolating::<Action>(body.to_string().as_bytes()).expect("decodes");
    assert_eq!(unfit.len(), 1);
    assert_eq!(unfit[0].path, "pending_ops.2.progress");
    let ops = action.pending_ops.as_ref().expect("map kept");
    assert_eq!(ops.len(), 2);
    assert_eq!(ops["1"].progress, Some(10.0));
    assert_eq!(ops["2"].progress, None);
    assert_eq!(
        unfit_value(&ops["2"].extra, "progress"),
        Some(&json!({"what": true}))
    );
    assert_eq!(
        serde_json::to_value(&action).expect("encodes")["pending_ops"]["2"],
        body["pending_ops"]["2"]
    );
}

#[test]
fn an_isolated_value_is_written_back_byte_for_byte_and_never_twice() {
    let text = br#"{"uid":1,"memory_size":{"b":[1,2.50,"x"]}}"#;
    let (mut bdb, unfit) = decode_isolating::<Bdb>(text).expect("decodes");
    assert_eq!(unfit.len(), 1);
    let kept: Vec<(&str, &Value)> = unfit_values(&bdb.extra).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0, "memory_size");
    let written = serde_json::to_string(&bdb).expect("encodes");
    assert!(
        written.contains(r#""memory_size":{"b":[1,2.5,"x"]}"#),
        "written back as sent (as a JSON value): {written}"
    );
    // The caller sets the field: the new value goes out, once.
    bdb.memory_size = Some(1024);
    let written = serde_json::to_string(&bdb).expect("encodes");
    assert_eq!(written.matches("\"memory_size\"").count(), 1, "{written}");
    assert!(written.contains(r#""memory_size":1024"#), "{written}");
}

#[test]
fn what_cannot_be_isolated_stays_an_error_with_its_path() {
    // A body of the wrong shape, a list item that is not an object, and text that is not JSON:
    // there is no enclosing object property to isolate.
    let cases: [(&[u8], &str); 3] = [
        (br#""just a string""#, "."),
        (br#"[{"uid": 1}, 7]"#, "[1]"),
        (br#"{"uid": 1,"#, "."),
    ];
    for (body, path) in cases {
        match decode_isolating::<Vec<Bdb>>(body) {
            Ok((decoded, unfit)) => panic!(
                "{}: decoded {} items with {} isolated",
                String::from_utf8_lossy(body),
                decoded.len(),
                unfit.len()
            ),
            Err((got, _)) => assert_eq!(got, path, "{}", String::from_utf8_lossy(body)),
        }
    }
}

#[tokio::test]
async fn the_client_warns_reports_and_in_strict_mode_refuses() {
    let (captured, _guard) = Captured::install(tracing::Level::WARN);

    let body = json!([
        {"uid": 1, "name": "a"},
        {"uid": 2, "name": "b", "backup_location": {"bucket_name": {"x": 1}}}
    ]);
    let reply = Reply::json(200, body.clone());
    let server = TestServer::https(move |_| reply.clone()).await;
    let builder = Client::builder(&server.url)
        .basic_auth("admin@example.com", "pw")
        .add_ca_certificate_pem(server.ca_pem.clone());

    let client = builder.clone().build().expect("client builds");
    let response = client
        .bdb_list()
        .send()
        .await
        .expect("isolated, not failed");
    assert_eq!(
        response.unfit_properties(),
        vec!["[1].backup_location.bucket_name".to_string()]
    );
    let bdbs = response.into_inner();
    assert_eq!(bdbs.len(), 2);
    assert_eq!(serde_json::to_value(&bdbs).expect("encodes"), body);
    let logs = captured.text();
    assert!(logs.contains("WARN"), "{logs}");
    assert!(logs.contains("operation=\"bdb_list\""), "{logs}");
    assert!(logs.contains("[1].backup_location.bucket_name"), "{logs}");
    println!("warning printed: {}", logs.trim());

    let strict = builder
        .strict_decoding(true)
        .build()
        .expect("client builds");
    let err = strict.bdb_list().send().await.expect_err("strict");
    assert_eq!(
        err.decode().expect("a decode error").path,
        "[1].backup_location.bucket_name"
    );
}

#[test]
fn a_body_that_is_not_utf8_is_refused_with_the_place_named() {
    // The plain decode reads text (the body's UTF-8 checked once); a body that is not UTF-8 goes
    // to the path-tracking decode over bytes, which names the string that holds the bad byte,
    // in the isolating and the strict decode alike.
    let list = b"[{\"uid\": 1, \"name\": \"ok\"}, {\"uid\": 2, \"name\": \"bad \xff byte\"}]";
    let (path, error) = decode_isolating::<Vec<Bdb>>(list).expect_err("not UTF-8");
    assert_eq!(path, "[1].name");
    assert!(error.to_string().contains("invalid unicode"), "{error}");
    let (path, _) = redis_enterprise_api::decode_body::<Vec<Bdb>>(list).expect_err("not UTF-8");
    assert_eq!(path, "[1].name");
    // UTF-8 beyond ASCII, raw and escaped, decodes as sent.
    let text =
        r#"[{"uid": 1, "name": "d\u00e9j\u00e0 \ud83d\ude00"}, {"uid": 2, "name": "déjà 😀"}]"#;
    let (bdbs, unfit) = decode_isolating::<Vec<Bdb>>(text.as_bytes()).expect("UTF-8");
    assert!(unfit.is_empty());
    let names: Vec<&str> = bdbs.iter().filter_map(|b| b.name.as_deref()).collect();
    assert_eq!(names, ["déjà 😀", "déjà 😀"]);
}
