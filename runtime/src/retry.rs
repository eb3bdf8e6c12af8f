//! Retry policy: bounded retries with exponential backoff and full jitter, for idempotent
//! requests only, on connection failures and on 429, 502, 503 and 504, honouring `Retry-After`.
//!
//! Separately, and only when asked for ([`RetryPolicy::busy_retries`]), writes answered 409
//! because the database is busy with another change are retried: see [`is_busy`] for the rule.
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
    /// Retries of a request (of any method) that the server refused because the database or
    /// cluster is busy with another change. 0 (the default) turns this off.
    ///
    /// The exact rule ([`is_busy`]): the response is **409 Conflict** and its `error_code` is one
    /// of [`BUSY_ERROR_CODES`] (`db_busy`, `busy`, `cluster_busy`). The reference documents a
    /// 409 on database update, delete and actions as "busy with another change … a temporary
    /// condition, and the request should be reattempted later", and lists `busy` as the error
    /// code of that condition (requests/bdbs/_index.md); the simulator answers `db_busy`.
    /// Any other 409, including one without an `error_code`, is a real conflict and is
    /// **never** retried: `uid_exists`, a name already in use, a database that is not in a state
    /// that allows the change. The cluster did not act on a busy request, which is why a
    /// non-idempotent write may be sent again.
    ///
    /// The delay is the server's `Retry-After` when present, otherwise the exponential backoff
    /// starting at [`busy_backoff`](Self::busy_backoff), both capped by
    /// [`max_backoff`](Self::max_backoff). The last busy answer reaches the caller as
    /// [`crate::Error::Api`] ([`crate::Error::is_busy`] is true).
    pub busy_retries: u32,
    /// Delay before the first busy retry; doubled for each further one (default 1 s).
    pub busy_backoff: Duration,
    /// operationIds the busy retries apply to; empty (the default) means every operation.
    pub busy_operations: BTreeSet<String>,
}

/// `error_code` values that mean "busy with another change, try again later" on a 409.
pub const BUSY_ERROR_CODES: &[&str] = &["db_busy", "busy", "cluster_busy"];

/// Whether a response means "busy, try again later": 409 with an `error_code` in
/// [`BUSY_ERROR_CODES`]. A 409 with any other code, or none, is a real conflict.
pub fn is_busy(status: StatusCode, error_code: Option<&str>) -> bool {
    status == StatusCode::CONFLICT
        && error_code.is_some_and(|code| BUSY_ERROR_CODES.contains(&code))
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            idempotent_operations: BTreeSet::new(),
            busy_retries: 0,
            busy_backoff: Duration::from_secs(1),
            busy_operations: BTreeSet::new(),
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

    /// Retries requests refused as busy up to `retries` times (see
    /// [`busy_retries`](Self::busy_retries) for the exact rule).
    pub fn retry_busy(mut self, retries: u32) -> Self {
        self.busy_retries = retries;
        self
    }

    /// Limits busy retries to this operation (call once per operation; with none, every
    /// operation is retried when busy).
    pub fn retry_busy_operation(mut self, operation_id: impl Into<String>) -> Self {
        self.busy_operations.insert(operation_id.into());
        self
    }

    /// Whether busy answers to this operation are retried at all.
    pub fn retries_busy(&self, operation_id: &str) -> bool {
        self.busy_retries > 0
            && (self.busy_operations.is_empty() || self.busy_operations.contains(operation_id))
    }

    /// The delay before busy retry number `retry` (1-based): exponential with jitter, capped.
    pub fn busy_delay(&self, retry: u32) -> Duration {
        jittered(self.busy_backoff, self.max_backoff, retry)
    }

    /// Whether a request may be retried.
    pub fn is_idempotent(&self, method: &reqwest::Method, operation_id: &str) -> bool {
        matches!(*method, reqwest::Method::GET | reqwest::Method::HEAD)
            || self.idempotent_operations.contains(operation_id)
    }

    /// The delay before retry number `retry` (1-based): exponential with full jitter, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        jittered(self.initial_backoff, self.max_backoff, retry)
    }
}

/// `initial × 2^(retry-1)`, capped by `max`, with jitter over its upper half.
fn jittered(initial: Duration, max: Duration, retry: u32) -> Duration {
    let exp = initial.saturating_mul(
        1u32.checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX),
    );
    let cap = exp.min(max);
    // Full jitter: uniformly between half the cap and the cap, so that delays never collapse
    // to zero but clients do not retry in lockstep.
    let half = cap / 2;
    half + Duration::from_nanos(fastrand::u64(
        0..=(cap - half).as_nanos().min(u64::MAX as u128) as u64,
    ))
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
