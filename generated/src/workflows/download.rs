//! Big bodies streamed: debug-info archives (and any other binary operation) written chunk by
//! chunk to any [`tokio::io::AsyncWrite`] or to a file, never held in memory whole, under a
//! timeout of their own instead of the client's request timeout (60 s by default, too short
//! for a cluster-wide archive).
//!
//! A body that ends before the `Content-Length` the server announced is
//! [`IntegrityError::Truncated`]: the bytes written so far are not an archive. Nothing here
//! retries a download.

use std::path::Path;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::{Error, IntegrityError};
use crate::Client;

/// How long a download may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadOptions {
    timeout: Duration,
}

impl Default for DownloadOptions {
    /// One hour for the whole download (connection, headers and body).
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(3600),
        }
    }
}

impl DownloadOptions {
    /// Time allowed for the whole download, replacing the client's request timeout for it.
    /// Any value is safe; `Duration::MAX` means no limit in practice.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Which debug-info archive to download (the 8.2 routes; the older `/v1/debuginfo/…` routes are
/// reachable by operationId through [`Client::operation_download`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DebugInfo {
    /// The whole cluster (`GET /v1/cluster/debuginfo`).
    Cluster,
    /// Every node (`GET /v1/nodes/debuginfo`).
    AllNodes,
    /// One node (`GET /v1/nodes/{node_uid}/debuginfo`).
    Node(i64),
    /// Every database (`GET /v1/bdbs/debuginfo`).
    AllDatabases,
    /// One database (`GET /v1/bdbs/{bdb_uid}/debuginfo`).
    Database(i64),
}

impl DebugInfo {
    fn operation(self) -> (&'static str, Option<(&'static str, i64)>) {
        match self {
            DebugInfo::Cluster => ("cluster_debuginfo_get", None),
            DebugInfo::AllNodes => ("node_debuginfo_get_all", None),
            DebugInfo::Node(uid) => ("node_debuginfo_get", Some(("node_uid", uid))),
            DebugInfo::AllDatabases => ("bdb_debuginfo_get_all", None),
            DebugInfo::Database(uid) => ("bdb_debuginfo_get", Some(("bdb_uid", uid))),
        }
    }
}

/// A finished download.
#[derive(Debug, Clone)]
pub struct Downloaded {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers (`Content-Disposition` names the archive).
    pub headers: HeaderMap,
    /// Bytes written.
    pub bytes: u64,
}

impl Client {
    /// Streams the body of `operation_id` (a binary operation such as `debuginfo_all_get`) into
    /// `writer`, flushing it at the end. Error statuses are [`Error::Api`]; a body shorter than
    /// announced is [`IntegrityError::Truncated`]; a failing writer is
    /// [`IntegrityError::Write`].
    pub async fn operation_download<W>(
        &self,
        operation_id: &str,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        writer: &mut W,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut stream = self
            .operation_stream(operation_id, path_params, query, Some(options.timeout))
            .await?;
        let expected = stream.content_length;
        let mut written: u64 = 0;
        loop {
            let chunk = match stream.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    return Err(match expected {
                        Some(expected) if written < expected && !e.is_timeout() => {
                            truncated(written, expected)
                        }
                        _ => e,
                    })
                }
            };
            writer
                .write_all(&chunk)
                .await
                .map_err(|source| write_error(written, source))?;
            written = written.saturating_add(chunk.len() as u64);
        }
        writer
            .flush()
            .await
            .map_err(|source| write_error(written, source))?;
        if let Some(expected) = expected.filter(|e| written < *e) {
            return Err(truncated(written, expected));
        }
        Ok(Downloaded {
            status: stream.status,
            headers: stream.headers,
            bytes: written,
        })
    }

    /// [`Client::operation_download`] into the file at `path` (created or truncated; left as
    /// written when the download fails).
    pub async fn operation_download_to_file(
        &self,
        operation_id: &str,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        path: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        let mut file = tokio::fs::File::create(path.as_ref())
            .await
            .map_err(|source| write_error(0, source))?;
        self.operation_download(operation_id, path_params, query, &mut file, options)
            .await
    }

    /// Streams a debug-info archive (`.tar.gz`) into `writer`.
    pub async fn download_debuginfo<W>(
        &self,
        which: DebugInfo,
        writer: &mut W,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let (operation, param) = which.operation();
        let uid = param.map(|(_, uid)| uid.to_string());
        let params: Vec<(&str, &str)> = match (&param, &uid) {
            (Some((name, _)), Some(uid)) => vec![(*name, uid.as_str())],
            _ => Vec::new(),
        };
        self.operation_download(operation, &params, &[], writer, options)
            .await
    }

    /// Streams a debug-info archive into the file at `path` (created or truncated). The file is
    /// left as written when the download fails, so the caller can inspect or delete it.
    pub async fn download_debuginfo_to_file(
        &self,
        which: DebugInfo,
        path: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        let mut file = tokio::fs::File::create(path.as_ref())
            .await
            .map_err(|source| write_error(0, source))?;
        self.download_debuginfo(which, &mut file, options).await
    }
}

fn truncated(received: u64, expected: u64) -> Error {
    Error::Integrity(Box::new(IntegrityError::Truncated { received, expected }))
}

fn write_error(written: u64, source: std::io::Error) -> Error {
    Error::Integrity(Box::new(IntegrityError::Write { written, source }))
}
