//! Retry policy: bounded retries with exponential backoff and full jitter, for idempotent
//! requests only, on connection failures and on 429, 502, 503 and 504, honouring `Retry-After`.
//!
//! The retry loop itself runs in the client hook (`hooks.rs`), around each attempt, so that every
//! generated operation gets it. It does not retry non-idempotent requests (POST, PATCH, and PUT or
//! DELETE unless the caller marks the operation), because the cluster may have acted on them.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;

/// When and how often to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 turns retrying off).
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Upper bound for one delay, including one asked for by `Retry-After`.
    pub max_backoff: Duration,
    /// operationIds retried although their method is not GET or HEAD (for example
    /// `"bdb_update"` when the caller knows a repeated PUT is harmless).
    pub idempotent_operations: BTreeSet<String>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            idempotent_operations: BTreeSet::new(),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Marks an operation (by operationId) as safe to retry.
    pub fn retry_operation(mut self, operation_id: impl Into<String>) -> Self {
        self.idempotent_operations.insert(operation_id.into());
        self
    }

    /// Whether a request may be retried.
    pub fn is_idempotent(&self, method: &reqwest::Method, operation_id: &str) -> bool {
        matches!(*method, reqwest::Method::GET | reqwest::Method::HEAD)
            || self.idempotent_operations.contains(operation_id)
    }

    /// The delay before retry number `retry` (1-based): exponential with full jitter, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let cap = exp.min(self.max_backoff);
        // Full jitter: uniformly between half the cap and the cap, so that delays never collapse
        // to zero but clients do not retry in lockstep.
        let half = cap / 2;
        half + Duration::from_nanos(fastrand::u64(
            0..=(cap - half).as_nanos().min(u64::MAX as u128) as u64,
        ))
    }
}

/// Statuses worth retrying: rate limiting and temporarily unavailable upstreams.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Parses `Retry-After`: delay seconds or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}
