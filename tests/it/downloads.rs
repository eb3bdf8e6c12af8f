//! Downloads: debug-info archives streamed into a writer and a file, truncated and stalled
//! transfers (an integrity error, a download timeout of its own, `Duration::MAX` safe), and the
//! usage report (typed records, its checksum verified, a record that does not decode named by
//! its line).

use std::time::Duration;

use md5::{Digest, Md5};
use redis_enterprise_api::error::IntegrityError;
use redis_enterprise_api::extras::download::DebugInfo;
use redis_enterprise_api::extras::DownloadOptions;
use redis_enterprise_api::{Client, Error, RetryPolicy};
use redis_enterprise_api_tests::server::{RawBehaviour, RawServer, Recorded, Reply, TestServer};
use redis_enterprise_api_tests::setup::{paths, trusted};
use serde_json::json;

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
