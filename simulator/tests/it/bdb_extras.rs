//! Per-database state beyond the database object: proxy certificates (set, get, list with
//! filters and paging, delete, gone with their database) and debug-info archives (real
//! `.tar.gz` files holding the database object, its shards, its actions and its redis-server's
//! `INFO`).

use std::time::Duration;

use crate::common;

use redis_enterprise_simulator::Simulator;
use serde_json::{json, Value};

/// Sends a request as the admin; the status, the headers and the body bytes.
async fn send(
    sim: &Simulator,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut req = common::raw_client(sim)
        .request(method, format!("{}{path}", sim.base_url()))
        .header("authorization", common::admin_auth(sim));
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.expect("the simulator answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("a body").to_vec();
    (status, headers, bytes)
}

/// Sends a request as the admin; the status and the JSON body (`null` for none).
pub(crate) async fn call(
    sim: &Simulator,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, bytes) = send(sim, method, path, body).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Creates a database and waits (bounded) until it is active; its uid.
pub(crate) async fn active_database(sim: &Simulator, body: Value) -> i64 {
    let (status, db) = call(sim, "POST", "/v1/bdbs", Some(body)).await;
    assert_eq!(status, 200, "{db}");
    let uid = db["uid"].as_i64().expect("a uid");
    for _ in 0..400 {
        let (_, got) = call(sim, "GET", &format!("/v1/bdbs/{uid}"), None).await;
        if got["status"] == "active" {
            return uid;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("database {uid} never became active");
}

/// A self-signed certificate valid from 2025-01-01 to 2026-01-01 and its PKCS #8 key, PEM.
fn certificate(name: &str) -> (String, String) {
    let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).expect("params");
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2026, 1, 1);
    let key = rcgen::KeyPair::generate().expect("a key");
    let cert = params.self_signed(&key).expect("a certificate");
    (cert.pem(), key.serialize_pem())
}

fn count(list: &Value) -> usize {
    list.as_array().map_or(usize::MAX, Vec::len)
}

/// A certificate set for a database is what get and list show (validity read from it); a dry
/// run, a certificate that is not PEM, a key that is not the certificate's and an unknown
/// database change nothing; the list filters by expiry and TLS mode and pages; delete removes
/// it (then 404), and deleting the database removes its certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_certificates_are_kept_per_database() {
    let _process = common::share_the_process().await;
    let sim = common::rules_only().await;
    let uid = active_database(&sim, json!({ "name": "tls", "memory_size": 1 << 26 })).await;
    let path = format!("/v1/bdbs/{uid}/certificates");
    let (status, list) = call(&sim, "GET", "/v1/bdbs/certificates", None).await;
    assert_eq!((status, count(&list)), (200, 0), "{list}");
    let (status, got) = call(&sim, "GET", &path, None).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (404, Some("certificate_not_exist"))
    );

    let (cert, key) = certificate("db.example");
    let body = json!({ "cert": cert, "private_key": key });
    let (status, dry) = call(
        &sim,
        "POST",
        &format!("{path}?dry_run=true"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        (status, dry["cert"].as_str()),
        (200, Some(cert.as_str())),
        "{dry}"
    );
    let (_, list) = call(&sim, "GET", "/v1/bdbs/certificates", None).await;
    assert_eq!(count(&list), 0, "a dry run keeps nothing");

    let (status, set) = call(&sim, "POST", &path, Some(body)).await;
    assert_eq!(status, 200, "{set}");
    let expected = json!({
        "bdb_uid": uid.to_string(),
        "cert": cert,
        "not_before": "2025-01-01T00:00:00Z",
        "not_after": "2026-01-01T00:00:00Z",
    });
    assert_eq!(set, expected);
    assert!(set.get("private_key").is_none());
    let (status, got) = call(&sim, "GET", &path, None).await;
    assert_eq!((status, &got), (200, &expected));

    // Refusals keep the certificate that was set.
    let (other_cert, other_key) = certificate("other.example");
    let refusals = [
        (
            json!({ "cert": cert, "private_key": other_key }),
            406,
            "certificate_key_mismatch",
        ),
        (
            json!({ "cert": "not a certificate", "private_key": other_key }),
            400,
            "invalid_certificate",
        ),
        (
            json!({ "cert": other_cert, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }),
            400,
            "invalid_private_key",
        ),
        (json!({ "cert": other_cert }), 400, "invalid_schema"),
    ];
    for (body, want_status, code) in refusals {
        let (status, got) = call(&sim, "POST", &path, Some(body)).await;
        assert_eq!(
            (status, got["error_code"].as_str()),
            (want_status, Some(code)),
            "{got}"
        );
    }
    let (status, got) = call(
        &sim,
        "POST",
        "/v1/bdbs/99/certificates",
        Some(json!({ "cert": other_cert, "private_key": other_key })),
    )
    .await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (404, Some("db_not_exist"))
    );
    let (_, got) = call(&sim, "GET", &path, None).await;
    assert_eq!(got, expected);

    // A second database with a certificate; the list filters and pages.
    let second = active_database(
        &sim,
        json!({ "name": "tls2", "memory_size": 1 << 26, "tls_mode": "enabled" }),
    )
    .await;
    let (status, _) = call(
        &sim,
        "POST",
        &format!("/v1/bdbs/{second}/certificates"),
        Some(json!({ "cert": other_cert, "private_key": other_key })),
    )
    .await;
    assert_eq!(status, 200);
    let listed = |query: &'static str| {
        let sim = &sim;
        async move {
            let (status, list) =
                call(sim, "GET", &format!("/v1/bdbs/certificates{query}"), None).await;
            assert_eq!(status, 200, "{query}: {list}");
            list.as_array()
                .expect("a list")
                .iter()
                .map(|c| c["bdb_uid"].as_str().expect("a uid").to_string())
                .collect::<Vec<_>>()
        }
    };
    let (a, b) = (uid.to_string(), second.to_string());
    assert_eq!(listed("").await, [a.clone(), b.clone()]);
    assert_eq!(listed("?tls_mode=enabled").await, [b.as_str()]);
    assert_eq!(listed("?tls_mode=disabled").await, [a.as_str()]);
    assert_eq!(
        listed("?expires_before=2025-06-01T00:00:00Z").await,
        Vec::<String>::new()
    );
    assert_eq!(
        listed("?expires_before=2027-01-01").await,
        [a.clone(), b.clone()]
    );
    assert_eq!(listed("?page=2&page_size=1").await, [b.as_str()]);
    assert_eq!(listed("?page=3&page_size=1").await, Vec::<String>::new());
    let (status, _) = call(
        &sim,
        "GET",
        "/v1/bdbs/certificates?expires_before=soon",
        None,
    )
    .await;
    assert_eq!(status, 400);

    let (status, _) = call(&sim, "DELETE", &path, None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&sim, "GET", &path, None).await;
    assert_eq!(status, 404);
    let (status, _) = call(&sim, "DELETE", &path, None).await;
    assert_eq!(status, 404);
    assert_eq!(listed("").await, [b.as_str()]);

    // Deleting the database removes its certificate.
    let (status, _) = call(&sim, "DELETE", &format!("/v1/bdbs/{second}"), None).await;
    assert_eq!(status, 200);
    for _ in 0..400 {
        if listed("").await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(listed("").await, Vec::<String>::new());
    sim.shutdown().await;
}

/// The files of a `.tar.gz` archive, extracted by the system's `tar`: path → contents.
fn extract(archive: &[u8]) -> std::collections::BTreeMap<String, String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("debuginfo.tar.gz");
    std::fs::write(&file, archive).expect("the archive is written");
    let out = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(&file)
        .arg("-C")
        .arg(dir.path())
        .output()
        .expect("tar runs");
    assert!(
        out.status.success(),
        "tar: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = std::process::Command::new("tar")
        .arg("-tzf")
        .arg(&file)
        .output()
        .expect("tar runs");
    String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|name| {
            let text = std::fs::read_to_string(dir.path().join(name)).expect("an extracted file");
            (name.to_string(), text)
        })
        .collect()
}

/// A database's debug info is a gzip'd tar (`application/x-gzip`, an attachment) holding its
/// object, shards, actions and its redis-server's `INFO` (which counts the key written); the
/// archive of all databases holds each database present, and no longer one deleted; an unknown
/// database is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_info_archives_hold_what_the_databases_are() {
    let _process = common::share_the_process().await;
    let sim = common::start().await;
    let first = active_database(
        &sim,
        json!({ "name": "debugged", "memory_size": 1 << 26, "shards_count": 2 }),
    )
    .await;
    let second = active_database(&sim, json!({ "name": "other", "memory_size": 1 << 26 })).await;
    let (_, db) = call(&sim, "GET", &format!("/v1/bdbs/{first}"), None).await;
    let port = u16::try_from(db["port"].as_i64().expect("a port")).expect("a port");
    let mut conn = common::redis_connection(port, None);
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query(&mut conn)
        .expect("SET");

    let (status, headers, bytes) =
        send(&sim, "GET", &format!("/v1/bdbs/{first}/debuginfo"), None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/x-gzip");
    let disposition = headers["content-disposition"].to_str().expect("ASCII");
    assert!(
        disposition.starts_with("attachment; filename="),
        "{disposition}"
    );
    assert!(disposition.ends_with(".tar.gz"), "{disposition}");
    let files = extract(&bytes);
    let dir = format!("bdb-{first}");
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            format!("{dir}/actions.json"),
            format!("{dir}/bdb.json"),
            format!("{dir}/redis-info.txt"),
            format!("{dir}/shards.json"),
        ]
    );
    let bdb: Value = serde_json::from_str(&files[&format!("{dir}/bdb.json")]).expect("JSON");
    assert_eq!(
        (bdb["uid"].as_i64(), bdb["name"].as_str()),
        (Some(first), Some("debugged"))
    );
    let shards: Value = serde_json::from_str(&files[&format!("{dir}/shards.json")]).expect("JSON");
    assert_eq!(count(&shards), 2);
    let actions: Value =
        serde_json::from_str(&files[&format!("{dir}/actions.json")]).expect("JSON");
    assert_eq!(actions[0]["name"], "SMCreateBDB");
    let info = &files[&format!("{dir}/redis-info.txt")];
    assert!(info.contains("redis_version:"), "{info}");
    assert!(info.contains("db0:keys=1,"), "{info}");

    let (status, headers, bytes) = send(&sim, "GET", "/v1/bdbs/debuginfo", None).await;
    assert_eq!(
        (status, &headers["content-type"]),
        (
            200,
            &"application/x-gzip"
                .parse::<reqwest::header::HeaderValue>()
                .expect("a value")
        )
    );
    let files = extract(&bytes);
    assert_eq!(files.len(), 8, "{:?}", files.keys());
    assert!(files.contains_key(&format!("bdb-{second}/bdb.json")));

    let (status, _) = call(&sim, "DELETE", &format!("/v1/bdbs/{second}"), None).await;
    assert_eq!(status, 200);
    for _ in 0..400 {
        let (status, _) = call(&sim, "GET", &format!("/v1/bdbs/{second}"), None).await;
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (_, _, bytes) = send(&sim, "GET", "/v1/bdbs/debuginfo", None).await;
    let files = extract(&bytes);
    assert_eq!(files.len(), 4, "{:?}", files.keys());
    assert!(files.keys().all(|k| k.starts_with(&format!("{dir}/"))));

    let (status, got) = call(&sim, "GET", "/v1/bdbs/99/debuginfo", None).await;
    assert_eq!(
        (status, got["error_code"].as_str()),
        (400, Some("db_not_exist"))
    );
    sim.shutdown().await;
}
