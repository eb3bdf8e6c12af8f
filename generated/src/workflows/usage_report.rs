//! The usage report (`GET /v1/usage_report`) read as a stream of typed records with its
//! checksum verified.
//!
//! The body is newline-delimited JSON: one [`UsageReportEntry`] per line, then a last line
//! holding "the MD5 hash of the entire response" (requests/usage_report/_index.md). The
//! reference does not say whether the newline that ends the last record is hashed, so both
//! readings are accepted: the MD5 of every byte before the hash line, with or without that
//! final newline. Anything else is [`IntegrityError::ChecksumMismatch`], reported by
//! [`UsageReport::next`] after the last record, so a consumer that acts on records must not
//! treat the report as complete before `next` has returned `None`.
//!
//! The body is read chunk by chunk; only the current line is held in memory. gzip
//! (`Accept-Encoding: gzip`) is not asked for.

use md5::{Digest, Md5};

use crate::error::{Error, IntegrityError};
use crate::raw::RawStream;
use crate::types::UsageReportEntry;
use crate::Client;

/// A usage report being read. Call [`UsageReport::next`] until it returns `None`.
#[derive(Debug)]
pub struct UsageReport {
    stream: RawStream,
    buffer: Vec<u8>,
    /// The last complete line, held back: it is a record unless it is the last line.
    held: Option<Vec<u8>>,
    /// MD5 of every line before `held`, each with its newline.
    hasher: Md5,
    /// MD5 of the same bytes, without the newline of the last hashed line.
    hasher_without_last_newline: Md5,
    line: usize,
    ended: bool,
    finished: bool,
}

impl UsageReport {
    fn new(stream: RawStream) -> Self {
        Self {
            stream,
            buffer: Vec::new(),
            held: None,
            hasher: Md5::new(),
            hasher_without_last_newline: Md5::new(),
            line: 0,
            ended: false,
            finished: false,
        }
    }

    /// The next record; after the last one, `None` when the checksum matched, or one
    /// [`Error::Integrity`] when it did not (then `None`).
    pub async fn next(&mut self) -> Option<Result<UsageReportEntry, Error>> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(line) = self.take_line() {
                if let Some(record) = self.held.replace(line) {
                    match self.record(record) {
                        Some(result) => return Some(result),
                        None => continue,
                    }
                }
                continue;
            }
            if self.ended {
                // The last line may lack its newline.
                if !self.buffer.is_empty() {
                    let last = std::mem::take(&mut self.buffer);
                    if let Some(record) = self.held.replace(last) {
                        if let Some(result) = self.record(record) {
                            return Some(result);
                        }
                    }
                }
                self.finished = true;
                return self.verify().err().map(Err);
            }
            match self.stream.chunk().await {
                Ok(Some(chunk)) => self.buffer.extend_from_slice(&chunk),
                Ok(None) => self.ended = true,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(e));
                }
            }
        }
    }

    /// The records as a [`futures_util::Stream`], ending with the checksum error when it does
    /// not match.
    pub fn into_stream(
        self,
    ) -> impl futures_util::Stream<Item = Result<UsageReportEntry, Error>> + Send + 'static {
        futures_util::stream::unfold(self, |mut report| async move {
            report.next().await.map(|item| (item, report))
        })
    }

    /// Reads every record (and verifies the checksum) into a vector.
    pub async fn collect(mut self) -> Result<Vec<UsageReportEntry>, Error> {
        let mut records = Vec::new();
        while let Some(record) = self.next().await {
            records.push(record?);
        }
        Ok(records)
    }

    /// A complete line from the buffer (newline included), if there is one.
    fn take_line(&mut self) -> Option<Vec<u8>> {
        let end = self.buffer.iter().position(|b| *b == b'\n')?;
        let rest = self.buffer.split_off(end + 1);
        Some(std::mem::replace(&mut self.buffer, rest))
    }

    /// Hashes a line that is known not to be the last one and decodes it (blank lines are
    /// hashed and skipped).
    // `#[inline]`: compiled where the report is read. Without it this one function compiled the
    // whole JSON decoder for `UsageReportEntry` into every build of the crate, about half of the
    // crate's machine code (BENCHMARKS.md §4).
    #[inline]
    fn record(&mut self, raw: Vec<u8>) -> Option<Result<UsageReportEntry, Error>> {
        self.line += 1;
        let content = raw.strip_suffix(b"\n").unwrap_or(&raw);
        self.hasher_without_last_newline = self.hasher.clone();
        self.hasher_without_last_newline.update(content);
        self.hasher.update(&raw);
        let text = content.strip_suffix(b"\r").unwrap_or(content);
        if text.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(
            crate::decode::decode_body::<UsageReportEntry>(text).map_err(|(path, source)| {
                Error::Integrity(Box::new(IntegrityError::Record {
                    line: self.line,
                    path,
                    source,
                }))
            }),
        )
    }

    fn verify(&mut self) -> Result<(), Error> {
        let Some(last) = self.held.take() else {
            return Err(Error::Integrity(Box::new(IntegrityError::MissingChecksum)));
        };
        let expected = String::from_utf8_lossy(&last).trim().to_ascii_lowercase();
        let with_newline = hex(&self.hasher.clone().finalize());
        let without_newline = hex(&self.hasher_without_last_newline.clone().finalize());
        if expected == with_newline || (self.line > 0 && expected == without_newline) {
            Ok(())
        } else {
            Err(Error::Integrity(Box::new(
                IntegrityError::ChecksumMismatch {
                    expected,
                    actual: with_newline,
                },
            )))
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Client {
    /// Starts reading the usage report (`GET /v1/usage_report`, since Redis Software 7.22).
    ///
    /// ```no_run
    /// # async fn f(client: &redis_enterprise_api::Client) -> Result<(), redis_enterprise_api::Error> {
    /// let mut report = client.usage_report().await?;
    /// while let Some(entry) = report.next().await {
    ///     let entry = entry?;
    ///     println!("{:?} uses {:?} bytes", entry.bdb_uid, entry.used_memory);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn usage_report(&self) -> Result<UsageReport, Error> {
        let stream = self
            .operation_stream("usage_report_get", &[], &[], None)
            .await?;
        Ok(UsageReport::new(stream))
    }
}
