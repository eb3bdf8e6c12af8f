//! Downloads to a file keep the last good file (issue 20, item 6): the body goes to a temporary
//! file beside the target, renamed over it only when the download succeeded; a 401, an error
//! status or a truncated body leave the old file untouched and no temporary file behind.

use std::path::Path;

use redis_enterprise_api::extras::download::DebugInfo;
use redis_enterprise_api::extras::DownloadOptions;
use redis_enterprise_api::{Client, RetryPolicy};
use redis_enterprise_api_tests::server::{RawBehaviour, RawServer, Reply, TestServer};

fn client(url: &str, ca_pem: &str) -> Client {
    let mut builder = Client::builder(url)
        .basic_auth("admin@example.com", "pw")
        .retry_policy(RetryPolicy::disabled())
        .allow_insecure_http(true);
    if !ca_pem.is_empty() {
        builder = builder.add_ca_certificate_pem(ca_pem.to_string());
    }
    builder.build().expect("client builds")
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_failed_download_keeps_the_last_good_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("debuginfo.tar.gz");
    let good = b"the last good archive".to_vec();
    std::fs::write(&path, &good).expect("seed the last good file");

    let unauthorized =
        TestServer::https(|_| Reply::raw(401, "application/json", r#"{"error_code":"unauth"}"#))
            .await;
    let err = client(&unauthorized.url, &unauthorized.ca_pem)
        .download_debuginfo_to_file(DebugInfo::Cluster, &path, DownloadOptions::default())
        .await
        .expect_err("401");
    assert!(err.is_auth_failure(), "{err:?}");
    assert_eq!(std::fs::read(&path).expect("still there"), good);
    assert_eq!(listing(dir.path()), ["debuginfo.tar.gz"]);

    // A body that stops at 400 of the 1,000 bytes announced.
    let mut raw = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-gzip\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n".to_vec();
    raw.extend_from_slice(&[7u8; 400]);
    let truncated = RawServer::start(RawBehaviour::Respond(raw)).await;
    let err = client(&truncated.url, "")
        .operation_download_to_file(
            "debuginfo_all_get",
            &[],
            &[],
            &path,
            DownloadOptions::default(),
        )
        .await
        .expect_err("truncated");
    assert!(
        matches!(err, redis_enterprise_api::Error::Integrity(_)),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).expect("still there"), good);
    assert_eq!(listing(dir.path()), ["debuginfo.tar.gz"]);

    // A good download replaces the file, and leaves nothing else.
    let archive: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    let body = archive.clone();
    let ok = TestServer::https(move |_| Reply::raw(200, "application/x-gzip", body.clone())).await;
    let done = client(&ok.url, &ok.ca_pem)
        .download_debuginfo_to_file(DebugInfo::Database(3), &path, DownloadOptions::default())
        .await
        .expect("download");
    assert_eq!(done.bytes, archive.len() as u64);
    assert_eq!(std::fs::read(&path).expect("replaced"), archive);
    assert_eq!(listing(dir.path()), ["debuginfo.tar.gz"]);
    assert_eq!(ok.requests()[0].path, "/v1/bdbs/3/debuginfo");
}

#[tokio::test]
async fn a_download_into_a_missing_folder_fails_without_a_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("missing").join("debuginfo.tar.gz");
    let server = TestServer::https(|_| Reply::raw(200, "application/x-gzip", "x")).await;
    let err = client(&server.url, &server.ca_pem)
        .download_debuginfo_to_file(DebugInfo::Cluster, &path, DownloadOptions::default())
        .await
        .expect_err("no such folder");
    assert!(
        matches!(err, redis_enterprise_api::Error::Integrity(_)),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
    assert!(!path.exists());
}
