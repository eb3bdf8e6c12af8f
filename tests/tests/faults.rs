//! Failing well (issue 14), against the loopback test servers: typed authentication failures
//! (also inside generated operations), one JWT re-authorisation on a 401, single-flight token
//! requests, transport errors that name their cause (TLS unknown CA, name mismatch, expired;
//! refused port; timeout), truncated and stalled downloads, the usage report's checksum, busy
//! 409 retries, the version check, look-ups by name, and the small defects (`Duration::MAX`
//! timeouts, poll floor, `send_raw` paths). Waiting runs on tokio's paused clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use md5::{Digest, Md5};
use redis_enterprise_api::error::IntegrityError;
use redis_enterprise_api::extras::download::DebugInfo;
use redis_enterprise_api::extras::{DownloadOptions, FindError, WaitOptions};
use redis_enterprise_api::{
    Client, Credentials, Error, NotServedReason, RetryPolicy, TransportKind,
};
use redis_enterprise_api_tests::server::{
    refused_port_url, Certificate, RawBehaviour, RawServer, Recorded, Reply, TestServer,
};
use serde_json::json;

const USER: &str = "admin@example.com";
const PASSWORD: &str = "s3cr3t-Passw0rd";

fn trusted(server: &TestServer) -> redis_enterprise_api::ClientBuilder {
    Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .add_ca_certificate_pem(server.ca_pem.clone())
}

fn jwt_client(server: &TestServer) -> Client {
    Client::builder(&server.url)
        .credentials(Credentials::jwt(USER, PASSWORD, None))
        .add_ca_certificate_pem(server.ca_pem.clone())
        .retry_policy(RetryPolicy::disabled())
        .no_timeouts()
        .build()
        .expect("client builds")
}

fn fake_jwt(n: usize, iat: i64, exp: i64) -> String {
    let enc = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.sig{n}",
        enc(json!({"alg": "HS256"})),
        enc(json!({"iat": iat, "exp": exp, "n": n}))
    )
}

fn roles() -> serde_json::Value {
    json!([{"uid": 1, "name": "admin", "management": "admin"}])
}

fn paths(server: &TestServer) -> Vec<String> {
    server.requests().iter().map(|r| r.path.clone()).collect()
}

/// A JWT server: `/v1/users/authorize` issues token n; `accept(n)` says whether other requests
/// carrying token n are answered (200 with roles) or refused (401).
fn jwt_server(
    accept: impl Fn(usize) -> bool + Send + Sync + 'static,
) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    let issued = Arc::new(Mutex::new(Vec::<String>::new()));
    move |req: &Recorded| {
        let mut tokens = issued.lock().expect("lock");
        if req.path == "/v1/users/authorize" {
            let token = fake_jwt(tokens.len(), 1000, 1300);
            tokens.push(token.clone());
            return Reply::json(200, json!({"access_token": token}));
        }
        let sent = req.header("authorization").unwrap_or_default();
        match tokens.iter().position(|t| sent == format!("JWT {t}")) {
            Some(n) if accept(n) => Reply::json(200, roles()),
            _ => Reply::json(
                401,
                json!({"error_code": "token_revoked", "description": "the token was revoked"}),
            ),
        }
    }
}

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn revoked_jwt_is_replaced_after_one_401() {
    // Token 0 is revoked on the server long before its claims expire; token 1 works.
    let server = TestServer::https(jwt_server(|n| n >= 1)).await;
    let client = jwt_client(&server);
    let roles = client
        .role_list()
        .send()
        .await
        .expect("the client re-authorises and succeeds")
        .into_inner();
    assert_eq!(roles.len(), 1);
    assert_eq!(
        paths(&server),
        [
            "/v1/users/authorize",
            "/v1/roles",
            "/v1/users/authorize",
            "/v1/roles"
        ]
    );
    client
        .role_list()
        .send()
        .await
        .expect("the new token is kept");
    assert_eq!(server.requests().len(), 5, "no third authorisation");
}

#[tokio::test]
async fn second_401_after_reauthorising_is_a_typed_auth_error() {
    let server = TestServer::https(jwt_server(|_| false)).await;
    let client = jwt_client(&server);
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("every token refused");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("token_revoked"));
    assert_eq!(err.message(), Some("the token was revoked"));
    assert!(err.is_auth_failure());
    assert_eq!(
        paths(&server),
        [
            "/v1/users/authorize",
            "/v1/roles",
            "/v1/users/authorize",
            "/v1/roles"
        ],
        "exactly one re-authorisation"
    );
    assert!(!format!("{err} {err:?}").contains(PASSWORD));
}

#[tokio::test]
async fn basic_401_in_a_generated_operation_is_a_typed_auth_error() {
    let server = TestServer::https(|_| {
        Reply::json(
            401,
            json!({"error_code": "unauthorized", "description": "bad credentials"}),
        )
    })
    .await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let err = client.bdb_get(1).send().await.expect_err("401");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("unauthorized"));
    assert_eq!(err.message(), Some("bad credentials"));
    assert!(err.api().is_some(), "the server's answer is kept");
    assert_eq!(server.requests().len(), 1, "basic auth is not retried");
}

#[tokio::test]
async fn failed_token_request_inside_a_generated_operation_is_typed_not_a_hook_string() {
    let server = TestServer::https(|_| {
        Reply::json(
            401,
            json!({"error_code": "invalid_credentials", "description": "wrong password"}),
        )
    })
    .await;
    let client = jwt_client(&server);
    let err = client.bdb_list().send().await.expect_err("authorize fails");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.error_code(), Some("invalid_credentials"));
    assert_eq!(err.message(), Some("wrong password"));
    assert!(err.is_auth_failure());
    assert_eq!(
        paths(&server),
        ["/v1/users/authorize"],
        "nothing else is sent"
    );
}

#[tokio::test]
async fn concurrent_requests_share_one_token_request() {
    let server = TestServer::https(jwt_server(|_| true)).await;
    let client = jwt_client(&server);
    let calls: Vec<_> = (0..8).map(|_| client.role_list().send()).collect();
    let results = futures_util::future::join_all(calls).await;
    assert_eq!(results.len(), 8);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 8);
    let authorizations = paths(&server)
        .iter()
        .filter(|p| *p == "/v1/users/authorize")
        .count();
    assert_eq!(authorizations, 1, "single flight: {:?}", paths(&server));
    assert_eq!(server.requests().len(), 9);
}

#[tokio::test]
async fn concurrent_callers_of_a_failed_token_request_all_get_its_typed_error() {
    let server = TestServer::https(|_| {
        Reply::json(
            401,
            json!({"error_code": "invalid_credentials", "description": "wrong password"}),
        )
    })
    .await;
    let client = jwt_client(&server);
    let calls: Vec<_> = (0..4).map(|_| client.role_list().send()).collect();
    let results = futures_util::future::join_all(calls).await;
    assert_eq!(results.len(), 4);
    for result in results {
        let err = result.expect_err("authorize fails");
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert_eq!(err.error_code(), Some("invalid_credentials"));
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    }
    assert_eq!(
        paths(&server),
        ["/v1/users/authorize"],
        "one token request for all four"
    );
}

#[tokio::test]
async fn token_request_to_a_refused_port_keeps_its_transport_kind() {
    let url = refused_port_url().await;
    let client = Client::builder(&url)
        .credentials(Credentials::jwt(USER, PASSWORD, None))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.transport_kind(), Some(TransportKind::ConnectionRefused));
    assert!(err.is_connection_refused());
    let text = format!(
        "{err}: {}",
        std::error::Error::source(&err)
            .map(|s| s.to_string())
            .unwrap_or_default()
    );
    assert!(text.contains("connection refused"), "{text}");
    assert!(!format!("{err:?}").contains(PASSWORD));
}

#[tokio::test]
async fn token_claims_at_the_limits_of_i64_do_not_panic() {
    for (iat, exp) in [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN), (0, 0), (5, -5)] {
        let server = TestServer::https(move |req: &Recorded| {
            if req.path == "/v1/users/authorize" {
                Reply::json(200, json!({"access_token": fake_jwt(0, iat, exp)}))
            } else {
                Reply::json(200, roles())
            }
        })
        .await;
        let client = jwt_client(&server);
        client
            .role_list()
            .send()
            .await
            .unwrap_or_else(|e| panic!("claims iat={iat} exp={exp}: {e:?}"));
        client.role_list().send().await.expect("second call");
        assert!(client.jwt_token().await.is_some());
    }
}

// ---------------------------------------------------------------- transport errors

fn assert_transport(err: &Error, kind: TransportKind, url: &str, words: &str) {
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(err.transport_kind(), Some(kind), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(url), "message names the URL: {text}");
    assert!(text.contains(words), "message names the cause: {text}");
    assert!(!text.contains(PASSWORD), "{text}");
}

#[tokio::test]
async fn tls_unknown_ca_is_named() {
    let server = TestServer::https(|_| Reply::json(200, roles())).await;
    let client = Client::builder(&server.url)
        .basic_auth(USER, PASSWORD)
        .build()
        .expect("client builds");
    let err = client.role_list().send().await.expect_err("unknown CA");
    assert_transport(
        &err,
        TransportKind::TlsUnknownIssuer,
        &server.url,
        "unknown certificate authority",
    );
    assert!(err.is_tls_failure() && !err.is_connection_refused() && !err.is_timeout());
    assert!(!err.is_retryable());
    assert!(server.requests().is_empty());
    assert_eq!(
        server.connections(),
        1,
        "a failed certificate check is not retried (the default policy retries 3 times)"
    );
}

#[tokio::test]
async fn tls_name_mismatch_is_named() {
    let server =
        TestServer::https_with(Certificate::OtherName, |_| Reply::json(200, roles())).await;
    let err = trusted(&server)
        .build()
        .expect("client builds")
        .role_list()
        .send()
        .await
        .expect_err("certificate for another name");
    assert_transport(
        &err,
        TransportKind::TlsNameMismatch,
        &server.url,
        "not valid for this host name",
    );
    assert!(err.is_tls_failure());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn tls_expired_certificate_is_named() {
    let server = TestServer::https_with(Certificate::Expired, |_| Reply::json(200, roles())).await;
    let err = trusted(&server)
        .build()
        .expect("client builds")
        .role_list()
        .send()
        .await
        .expect_err("expired certificate");
    assert_transport(&err, TransportKind::TlsExpired, &server.url, "expired");
    assert!(err.is_tls_failure());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn refused_port_is_named_and_differs_from_tls() {
    let url = refused_port_url().await;
    let client = Client::builder(&url)
        .basic_auth(USER, PASSWORD)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("nothing listens");
    assert_transport(
        &err,
        TransportKind::ConnectionRefused,
        &url,
        "connection refused",
    );
    assert!(err.is_connection_refused() && !err.is_tls_failure() && !err.is_timeout());
    assert!(err.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn hanging_server_is_a_named_timeout() {
    let server = RawServer::start(RawBehaviour::Hang).await;
    // The connect timeout is longer than the request timeout: on the paused clock, the one
    // timer that fires is the request timeout, whatever phase the request is in.
    let client = Client::builder(&server.url)
        .connect_timeout(Duration::from_secs(3600))
        .timeout(Duration::from_secs(30))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let started = tokio::time::Instant::now();
    let err = client
        .role_list()
        .send()
        .await
        .expect_err("the server never answers");
    assert_transport(&err, TransportKind::Timeout, &server.url, "timed out");
    assert!(err.is_timeout() && !err.is_tls_failure() && !err.is_connection_refused());
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(30),
        "the request timeout, on the paused clock"
    );
}

// ---------------------------------------------------------------- downloads

fn http_response(content_length: usize, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/x-gzip\r\ncontent-length: {content_length}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[tokio::test]
async fn debuginfo_streams_into_a_writer_and_a_file() {
    let archive: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let body = archive.clone();
    let server = TestServer::https(move |req: &Recorded| {
        assert_eq!(req.path, "/v1/nodes/3/debuginfo");
        Reply::raw(200, "application/x-gzip", body.clone()).header(
            "content-disposition",
            "attachment; filename=debuginfo.tar.gz",
        )
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    let mut sink: Vec<u8> = Vec::new();
    let done = client
        .download_debuginfo(DebugInfo::Node(3), &mut sink, DownloadOptions::default())
        .await
        .expect("download");
    assert_eq!(done.bytes, archive.len() as u64);
    assert_eq!(sink, archive);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("debuginfo.tar.gz");
    let done = client
        .download_debuginfo_to_file(DebugInfo::Node(3), &path, DownloadOptions::default())
        .await
        .expect("download to file");
    assert_eq!(done.bytes, archive.len() as u64);
    assert_eq!(std::fs::read(&path).expect("file written"), archive);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn truncated_download_is_an_integrity_error() {
    let server = RawServer::start(RawBehaviour::Respond(http_response(1000, &[7u8; 400]))).await;
    let client = Client::builder(&server.url)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let mut sink: Vec<u8> = Vec::new();
    let err = client
        .operation_download(
            "debuginfo_all_get",
            &[],
            &[],
            &mut sink,
            DownloadOptions::default(),
        )
        .await
        .expect_err("the body stops at 400 of 1000 bytes");
    match &err {
        Error::Integrity(e) => match e.as_ref() {
            IntegrityError::Truncated { received, expected } => {
                assert_eq!((*received, *expected), (400, 1000));
            }
            other => panic!("expected Truncated, got {other:?}"),
        },
        other => panic!("expected an integrity error, got {other:?}"),
    }
    assert_eq!(sink.len(), 400, "what arrived was written");
    assert_eq!(server.connections(), 1);
}

#[tokio::test(start_paused = true)]
async fn download_has_its_own_timeout_instead_of_the_request_timeout() {
    let server = RawServer::start(RawBehaviour::RespondThenStall(http_response(
        1000, &[1u8; 10],
    )))
    .await;
    let client = Client::builder(&server.url)
        .connect_timeout(Duration::from_secs(3600))
        .timeout(Duration::from_secs(60))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let started = tokio::time::Instant::now();
    let mut sink: Vec<u8> = Vec::new();
    let err = client
        .operation_download(
            "cluster_debuginfo_get",
            &[],
            &[],
            &mut sink,
            DownloadOptions::default().timeout(Duration::from_secs(600)),
        )
        .await
        .expect_err("the body stalls");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(600),
        "the download's timeout, not 60 s"
    );
    assert!(
        sink.len() <= 10,
        "at most what the server sent before stalling"
    );
}

#[tokio::test]
async fn download_timeout_of_duration_max_is_safe() {
    let server = TestServer::https(|_| Reply::raw(200, "application/x-gzip", vec![9u8; 10])).await;
    let client = trusted(&server).build().expect("client builds");
    let mut sink: Vec<u8> = Vec::new();
    let done = client
        .download_debuginfo(
            DebugInfo::Cluster,
            &mut sink,
            DownloadOptions::default().timeout(Duration::MAX),
        )
        .await
        .expect("download");
    assert_eq!(done.bytes, 10);
    assert_eq!(paths(&server), ["/v1/cluster/debuginfo"]);
}

// ---------------------------------------------------------------- usage report

fn usage_line(bdb: &str, used: u64) -> String {
    json!({"cluster_name": "c1", "bdb_uid": bdb, "type": "core", "used_memory": used,
           "license": {"shards_limit": 4}, "ops_sec": 0})
    .to_string()
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn usage_server(body: String) -> TestServer {
    TestServer::https(move |req: &Recorded| {
        assert_eq!(req.path, "/v1/usage_report");
        Reply::raw(200, "application/x-ndjson", body.clone())
    })
    .await
}

#[tokio::test]
async fn usage_report_streams_typed_records_and_verifies_the_checksum() {
    let records = format!("{}\n{}\n", usage_line("1", 100), usage_line("2", 200));
    // Both readings of "the MD5 of the entire response" are accepted.
    for hashed in [records.clone(), records.trim_end_matches('\n').to_string()] {
        let body = format!("{records}{}\n", md5_hex(hashed.as_bytes()));
        let server = usage_server(body).await;
        let client = trusted(&server).build().expect("client builds");
        let mut report = client.usage_report().await.expect("report starts");
        let mut uids = Vec::new();
        while let Some(entry) = report.next().await {
            let entry = entry.expect("record decodes and the checksum matches");
            uids.push(entry.bdb_uid.clone().expect("bdb_uid"));
        }
        assert_eq!(uids, ["1", "2"]);
        assert!(report.next().await.is_none(), "finished stays finished");
    }
}

#[tokio::test]
async fn usage_report_as_a_stream_ends_with_the_checksum_error() {
    use futures_util::StreamExt;
    let records = format!("{}\n{}\n", usage_line("1", 100), usage_line("2", 200));
    let body = format!("{records}{}\n", md5_hex(b"tampered"));
    let server = usage_server(body).await;
    let client = trusted(&server).build().expect("client builds");
    let items: Vec<_> = client
        .usage_report()
        .await
        .expect("report starts")
        .into_stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3, "two records, then the checksum error");
    assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 2);
    assert!(
        matches!(&items[2], Err(Error::Integrity(e)) if matches!(e.as_ref(), IntegrityError::ChecksumMismatch { .. })),
        "{:?}",
        items[2]
    );
}

#[tokio::test]
async fn usage_report_record_that_does_not_decode_names_its_line() {
    let records = format!("{}\n{{\"used_memory\": [1]}}\n", usage_line("1", 100));
    let body = format!("{records}{}\n", md5_hex(records.as_bytes()));
    let server = usage_server(body).await;
    let client = trusted(&server).build().expect("client builds");
    let mut report = client.usage_report().await.expect("report starts");
    report.next().await.expect("first").expect("first decodes");
    let err = report
        .next()
        .await
        .expect("second")
        .expect_err("second does not decode");
    assert!(
        matches!(&err, Error::Integrity(e) if matches!(e.as_ref(), IntegrityError::Record { line: 2, .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn usage_report_with_a_wrong_checksum_is_an_error() {
    let records = format!("{}\n{}\n", usage_line("1", 100), usage_line("2", 200));
    let body = format!("{records}{}\n", md5_hex(b"something else"));
    let server = usage_server(body).await;
    let client = trusted(&server).build().expect("client builds");
    let err = client
        .usage_report()
        .await
        .expect("report starts")
        .collect()
        .await
        .expect_err("checksum mismatch");
    match &err {
        Error::Integrity(e) => assert!(
            matches!(e.as_ref(), IntegrityError::ChecksumMismatch { expected, .. } if *expected == md5_hex(b"something else")),
            "{e:?}"
        ),
        other => panic!("expected an integrity error, got {other:?}"),
    }
}

#[tokio::test]
async fn usage_report_without_a_checksum_line_is_an_error() {
    let server = usage_server(String::new()).await;
    let client = trusted(&server).build().expect("client builds");
    let err = client
        .usage_report()
        .await
        .expect("report starts")
        .collect()
        .await
        .expect_err("no checksum");
    assert!(
        matches!(&err, Error::Integrity(e) if matches!(e.as_ref(), IntegrityError::MissingChecksum)),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- busy 409

fn sequence(replies: Vec<Reply>) -> (Arc<AtomicUsize>, impl Fn(&Recorded) -> Reply + Send + Sync) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let handler = move |_: &Recorded| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        replies[n.min(replies.len() - 1)].clone()
    };
    (count, handler)
}

fn busy() -> Reply {
    Reply::json(
        409,
        json!({"error_code": "db_busy", "description": "database is busy with another action"}),
    )
}

fn bdb(uid: i64, name: &str, status: &str) -> serde_json::Value {
    json!({"uid": uid, "name": name, "status": status})
}

#[tokio::test(start_paused = true)]
async fn busy_409_is_retried_when_opted_in() {
    let (count, handler) = sequence(vec![
        busy(),
        Reply::json(409, json!({"error_code": "busy"})),
        Reply::json(200, bdb(1, "db", "active")),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::default().retry_busy(3))
        .no_timeouts()
        .build()
        .expect("client builds");
    let updated = client
        .bdb_update(1, &Default::default())
        .send()
        .await
        .expect("succeeds after two busy answers")
        .into_inner();
    assert_eq!(updated.uid, Some(1));
    assert_eq!(count.load(Ordering::SeqCst), 3);
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(
        methods,
        ["PUT", "PUT", "PUT"],
        "a PUT is resent only because it was busy"
    );
}

#[tokio::test(start_paused = true)]
async fn busy_409_honours_retry_after() {
    let (count, handler) = sequence(vec![
        busy().header("retry-after", "7"),
        Reply::json(200, bdb(1, "db", "active")),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::default().retry_busy(1))
        .no_timeouts()
        .build()
        .expect("client builds");
    let started = tokio::time::Instant::now();
    client
        .bdb_update(1, &Default::default())
        .send()
        .await
        .expect("succeeds");
    assert_eq!(started.elapsed(), Duration::from_secs(7));
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn busy_retries_are_bounded_and_end_in_a_busy_error() {
    let (count, handler) = sequence(vec![busy()]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .retry_policy(RetryPolicy::default().retry_busy(2))
        .no_timeouts()
        .build()
        .expect("client builds");
    let err = client.bdb_delete(1).send().await.expect_err("always busy");
    assert!(err.is_busy(), "{err:?}");
    assert_eq!(err.error_code(), Some("db_busy"));
    assert_eq!(err.message(), Some("database is busy with another action"));
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "one attempt and two retries"
    );
}

#[tokio::test(start_paused = true)]
async fn uid_exists_409_is_never_retried() {
    for body in [
        json!({"error_code": "uid_exists", "description": "database uid 1 already exists"}),
        json!({"error_code": "name_in_use"}),
        json!({"description": "conflict without a code"}),
    ] {
        let (count, handler) = sequence(vec![Reply::json(409, body.clone())]);
        let server = TestServer::https(handler).await;
        let client = trusted(&server)
            .retry_policy(RetryPolicy::default().retry_busy(5))
            .no_timeouts()
            .build()
            .expect("client builds");
        let err = client
            .bdb_create(&Default::default())
            .send()
            .await
            .expect_err("a real conflict");
        assert!(!err.is_busy(), "{err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
        assert_eq!(err.error_code(), body["error_code"].as_str());
        assert_eq!(count.load(Ordering::SeqCst), 1, "{body}: never retried");
    }
}

#[tokio::test(start_paused = true)]
async fn busy_409_is_not_retried_by_default_or_for_unlisted_operations() {
    let (count, handler) = sequence(vec![busy()]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let err = client.bdb_delete(1).send().await.expect_err("busy");
    assert!(err.is_busy());
    assert_eq!(count.load(Ordering::SeqCst), 1, "off by default");

    let only_update = client.with_retry_policy(
        RetryPolicy::default()
            .retry_busy(3)
            .retry_busy_operation("bdb_update"),
    );
    only_update.bdb_delete(1).send().await.expect_err("busy");
    assert_eq!(count.load(Ordering::SeqCst), 2, "bdb_delete is not listed");
    only_update
        .bdb_update(1, &Default::default())
        .send()
        .await
        .expect_err("still busy");
    assert_eq!(count.load(Ordering::SeqCst), 6, "bdb_update: 1 + 3 retries");
}

// ---------------------------------------------------------------- version check

fn cluster_of(version: &'static str) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |req: &Recorded| match req.path.as_str() {
        "/v1/nodes" => Reply::json(
            200,
            json!([{"uid": 1, "software_version": "8.2.1-10"}, {"uid": 2, "software_version": version}]),
        ),
        "/v1/bdbs" => Reply::json(200, json!([])),
        _ => Reply::raw(200, "application/json", "{}"),
    }
}

#[tokio::test]
async fn cluster_version_is_read_once_and_is_the_oldest_node() {
    let server = TestServer::https(cluster_of("7.4.2-54")).await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(client.cluster_version().await.expect("version"), "7.4.2-54");
    assert_eq!(
        client.clone().cluster_version().await.expect("cached"),
        "7.4.2-54"
    );
    assert_eq!(paths(&server), ["/v1/nodes"], "read once");
}

#[tokio::test]
async fn version_check_refuses_before_any_request() {
    let server = TestServer::https(cluster_of("7.4.2-54")).await;
    let client = trusted(&server)
        .check_cluster_version(true)
        .build()
        .expect("client builds");
    let Err(err) = client.usage_report_get().send().await else {
        panic!("a 7.22 operation on 7.4 must be refused");
    };
    match &err {
        Error::NotServed(refused) => {
            assert_eq!(refused.operation, "usage_report_get");
            assert_eq!(refused.cluster_version, "7.4.2-54");
            assert_eq!(refused.reason, NotServedReason::Since("7.22"));
        }
        other => panic!("expected NotServed, got {other:?}"),
    }
    assert_eq!(paths(&server), ["/v1/nodes"], "only the version was read");
    client
        .bdb_list()
        .send()
        .await
        .expect("a 7.4 operation is sent");
    assert_eq!(paths(&server), ["/v1/nodes", "/v1/bdbs"]);
}

#[tokio::test]
async fn version_check_knows_removed_and_observed_operations() {
    let server = TestServer::https(cluster_of("8.0.2-17")).await;
    let client = trusted(&server)
        .check_cluster_version(true)
        .build()
        .expect("client builds");
    let err = client
        .operation_raw("module_delete", &[("uid", "m1")], &[], None)
        .await
        .expect_err("removed in 8.0");
    assert!(
        matches!(&err, Error::NotServed(r) if r.reason == NotServedReason::RemovedIn("8.0")),
        "{err:?}"
    );
    // The 8.2 reference documents metrics_config_get; live 8.0 clusters served it.
    client
        .operation_raw("metrics_config_get", &[], &[], None)
        .await
        .expect("served in 8.0 as observed");

    let old = trusted(&server)
        .check_cluster_version(true)
        .cluster_version("7.22.0-95")
        .build()
        .expect("client builds");
    let err = old
        .operation_raw("metrics_config_get", &[], &[], None)
        .await
        .expect_err("not served in 7.22");
    assert!(
        matches!(&err, Error::NotServed(r) if r.reason == NotServedReason::NotServedIn("7.22".into())),
        "{err:?}"
    );
    assert_eq!(paths(&server), ["/v1/nodes", "/v1/metrics_config"]);

    // Hand-written operations are checked too: module uploads through /v1/modules ended in 8.0.
    let err = client
        .module_create("m.zip", b"PK".to_vec())
        .send()
        .await
        .expect_err("removed in 8.0");
    assert!(
        matches!(&err, Error::NotServed(r) if r.operation == "module_create"),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 2, "nothing more was sent");
}

#[tokio::test]
async fn version_check_is_off_by_default() {
    let server = TestServer::https(cluster_of("7.4.2-54")).await;
    let client = trusted(&server).build().expect("client builds");
    client
        .operation_raw("usage_report_get", &[], &[], None)
        .await
        .expect("sent without a check");
    assert_eq!(paths(&server), ["/v1/usage_report"]);
}

// ---------------------------------------------------------------- look-ups

#[tokio::test]
async fn find_database_by_name_found_missing_and_ambiguous() {
    let server = TestServer::https(|_| {
        Reply::json(
            200,
            json!([
                bdb(1, "cache", "active"),
                bdb(2, "twin", "active"),
                bdb(3, "twin", "active")
            ]),
        )
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(
        client.find_bdb_by_name("cache").await.expect("found").uid,
        Some(1)
    );
    let missing = client
        .find_bdb_by_name("Cache")
        .await
        .expect_err("case matters");
    assert!(missing.is_not_found(), "{missing:?}");
    match client
        .find_bdb_by_name("twin")
        .await
        .expect_err("two match")
    {
        FindError::Ambiguous { uids, .. } => assert_eq!(uids, ["2", "3"]),
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn find_module_by_name_and_version() {
    let server = TestServer::https(|_| {
        Reply::json(
            200,
            json!([
                {"uid": "m1", "module_name": "search", "semantic_version": "2.8.4", "version": 20804},
                {"uid": "m2", "module_name": "search", "semantic_version": "2.10.1", "version": 21001},
                {"uid": "m3", "module_name": "ReJSON", "display_name": "JSON", "semantic_version": "2.6.0"}
            ]),
        )
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(
        client
            .find_module_uid("search", Some("2.10.1"))
            .await
            .expect("found"),
        "m2"
    );
    assert_eq!(
        client
            .find_module_uid("search", Some("20804"))
            .await
            .expect("numeric"),
        "m1"
    );
    assert_eq!(
        client
            .find_module_uid("JSON", None)
            .await
            .expect("display name"),
        "m3"
    );
    match client
        .find_module("search", None)
        .await
        .expect_err("two versions")
    {
        FindError::Ambiguous { uids, .. } => assert_eq!(uids, ["m1", "m2"]),
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert!(client
        .find_module("search", Some("9.9.9"))
        .await
        .expect_err("no such version")
        .is_not_found());
}

#[tokio::test]
async fn find_user_by_email_and_role_by_name() {
    let server = TestServer::https(|req: &Recorded| match req.path.as_str() {
        "/v1/users" => Reply::json(
            200,
            json!([{"uid": 1, "email": "Ops@Example.com"}, {"uid": 2, "email": "dev@example.com"}]),
        ),
        _ => Reply::json(
            200,
            json!([{"uid": 4, "name": "db_viewer"}, {"uid": 5, "name": "admin"}]),
        ),
    })
    .await;
    let client = trusted(&server).build().expect("client builds");
    assert_eq!(
        client
            .find_user_by_email("ops@example.com")
            .await
            .expect("found")
            .uid,
        Some(1)
    );
    assert!(client
        .find_user_by_email("nobody@example.com")
        .await
        .expect_err("missing")
        .is_not_found());
    assert_eq!(
        client.find_role_by_name("admin").await.expect("found").uid,
        Some(5)
    );
    let err = client.find_role_by_name("root").await.expect_err("missing");
    assert_eq!(err.to_string(), "no role matches name \"root\"");
}

#[tokio::test]
async fn find_reports_the_list_request_failure() {
    let server = TestServer::https(|_| Reply::json(403, json!({"error_code": "forbidden"}))).await;
    let client = trusted(&server).build().expect("client builds");
    match client.find_role_by_name("admin").await.expect_err("403") {
        FindError::Request { kind, source } => {
            assert_eq!(kind, "role");
            assert_eq!(source.status().map(|s| s.as_u16()), Some(403));
        }
        other => panic!("expected Request, got {other:?}"),
    }
}

// ---------------------------------------------------------------- small defects

#[tokio::test]
async fn send_raw_rejects_a_path_without_a_leading_slash() {
    let server = TestServer::https(|_| Reply::json(200, roles())).await;
    let client = trusted(&server).build().expect("client builds");
    for path in ["v1/roles", "@evil.example/v1/roles", ""] {
        let err = client
            .send_raw(reqwest::Method::GET, path, None)
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidRequest(_)), "{path}: {err:?}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
    client
        .send_raw(reqwest::Method::GET, "/v1/roles", None)
        .await
        .expect("a proper path works");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn wait_timeouts_of_duration_max_are_safe() {
    let (count, handler) = sequence(vec![
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "completed"})),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let outcome = client
        .wait_for_action("a-1", WaitOptions::default().timeout(Duration::MAX))
        .await
        .expect("completes");
    assert_eq!(outcome.polls, 2);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn client_and_token_timeouts_of_duration_max_are_safe() {
    let server = TestServer::https(jwt_server(|_| true)).await;
    let client = Client::builder(&server.url)
        .credentials(Credentials::jwt(USER, PASSWORD, Some(Duration::MAX)))
        .add_ca_certificate_pem(server.ca_pem.clone())
        .connect_timeout(Duration::MAX)
        .timeout(Duration::MAX)
        .retry_policy(RetryPolicy {
            max_backoff: Duration::MAX,
            initial_backoff: Duration::MAX,
            ..RetryPolicy::default()
        })
        .build()
        .expect("client builds");
    client.role_list().send().await.expect("first call");
    client.role_list().send().await.expect("second call");
    assert_eq!(
        paths(&server),
        ["/v1/users/authorize", "/v1/roles", "/v1/roles"]
    );
}

#[tokio::test(start_paused = true)]
async fn zero_poll_interval_is_raised_to_the_floor() {
    let (count, handler) = sequence(vec![
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "completed"})),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let started = tokio::time::Instant::now();
    let outcome = client
        .wait_for_action("a-1", WaitOptions::default().poll_interval(Duration::ZERO))
        .await
        .expect("completes");
    assert_eq!(outcome.polls, 4);
    assert_eq!(count.load(Ordering::SeqCst), 4);
    assert_eq!(
        started.elapsed(),
        3 * redis_enterprise_api::extras::MIN_POLL_INTERVAL,
        "three sleeps of the floor, not a tight loop"
    );
}
