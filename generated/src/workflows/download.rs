//! Big bodies streamed: debug-info archives (and any other binary operation) written chunk by
//! chunk to any [`tokio::io::AsyncWrite`] or to a file, never held in memory whole, under a
//! timeout of their own instead of the client's request timeout (60 s by default, too short
//! for a cluster-wide archive).
//!
//! A body that ends before the `Content-Length` the server announced is
//! [`IntegrityError::Truncated`]: the bytes written so far are not an archive. Nothing here
//! retries a download.
//!
//! Downloads to a file never destroy the file already there: the body goes to a temporary file
//! beside the target (same directory, so the same file system), which is flushed to disk and
//! renamed over the target only when the whole download succeeded. A failed request (a 401, a
//! truncated body, a dropped future) leaves the last good file untouched and no temporary file
//! behind.

use std::path::{Path, PathBuf};
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

    /// [`Client::operation_download`] into the file at `path`: written to a temporary file
    /// beside it, synced and renamed over `path` only when the download succeeded, so a failure
    /// leaves whatever file was at `path` untouched (see the module documentation).
    pub async fn operation_download_to_file(
        &self,
        operation_id: &str,
        path_params: &[(&str, &str)],
        query: &[(&str, &str)],
        path: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        let target = path.as_ref();
        let mut part = PartFile::create(target).await?;
        let done = self
            .operation_download(operation_id, path_params, query, part.file(), options)
            .await?;
        part.commit(target)
            .await
            .map_err(|source| write_error(done.bytes, source))?;
        Ok(done)
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

    /// Streams a debug-info archive into the file at `path`, replacing it only when the whole
    /// archive arrived: a failed download leaves the file that was there (the last good
    /// archive) untouched, and no temporary file behind.
    pub async fn download_debuginfo_to_file(
        &self,
        which: DebugInfo,
        path: impl AsRef<Path>,
        options: DownloadOptions,
    ) -> Result<Downloaded, Error> {
        let (operation, param) = which.operation();
        let uid = param.map(|(_, uid)| uid.to_string());
        let params: Vec<(&str, &str)> = match (&param, &uid) {
            (Some((name, _)), Some(uid)) => vec![(*name, uid.as_str())],
            _ => Vec::new(),
        };
        self.operation_download_to_file(operation, &params, &[], path, options)
            .await
    }
}

fn truncated(received: u64, expected: u64) -> Error {
    Error::Integrity(Box::new(IntegrityError::Truncated { received, expected }))
}

fn write_error(written: u64, source: std::io::Error) -> Error {
    Error::Integrity(Box::new(IntegrityError::Write { written, source }))
}

/// A temporary file beside a download's target (`.<name>.<random>.part`), removed when dropped
/// unless [`PartFile::commit`] renamed it over the target.
struct PartFile {
    path: PathBuf,
    file: tokio::fs::File,
    committed: bool,
}

impl PartFile {
    async fn create(target: &Path) -> Result<Self, Error> {
        let name = target
            .file_name()
            .ok_or_else(|| Error::InvalidRequest(format!("not a file path: {}", target.display())))?
            .to_string_lossy()
            .into_owned();
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut attempts = 0;
        loop {
            let path = dir.join(format!(".{name}.{:016x}.part", fastrand::u64(..)));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file,
                        committed: false,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 8 => {
                    attempts += 1;
                }
                Err(source) => return Err(write_error(0, source)),
            }
        }
    }

    fn file(&mut self) -> &mut tokio::fs::File {
        &mut self.file
    }

    /// Syncs the data to disk, renames the file over `target`, and syncs the directory (where
    /// the platform allows), so that `target` is either the old file or the whole new one.
    async fn commit(mut self, target: &Path) -> std::io::Result<()> {
        self.file.sync_all().await?;
        tokio::fs::rename(&self.path, target).await?;
        self.committed = true;
        #[cfg(unix)]
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::File::open(dir).await?.sync_all().await?;
        }
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the download already failed with its own error.
            if let Err(e) = std::fs::remove_file(&self.path) {
                tracing::warn!(path = %self.path.display(), error = %e, "could not remove a partial download");
            }
        }
    }
}
