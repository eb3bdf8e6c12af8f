//! Waiting for the cluster: [`wait_until`] polls any operation until a check says it is done.
//! The client crate's named waiters (`extras::wait`: database `active` or deleted, bootstrap
//! `completed`, node status, CRDB task finished, database endpoint available, actions) are built
//! on it.
//!
//! Every wait has a timeout (any `Duration`, `Duration::MAX` included, means at most that long),
//! a poll interval that is never shorter than [`MIN_POLL_INTERVAL`], optional backoff of that
//! interval and a progress callback. Dropping the future cancels the wait; nothing here cancels
//! anything on the cluster.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;

/// The shortest time between two polls: a shorter (or zero) interval is raised to it, so a
/// waiter never polls in a tight loop.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// A progress callback, called with the polled value after every successful poll. Shared, so
/// that [`WaitOptions`] is `Clone`: clones of one options value call the same callback.
pub type ProgressCallback<T> = std::sync::Arc<std::sync::Mutex<dyn FnMut(&T) + Send>>;

/// How long and how often to poll, and what to call after each poll.
///
/// `T` is what is polled (an `Action` for `Client::wait_for_action`, a `Bdb` for
/// `Client::wait_for_bdb_active`, …); it only matters for the progress callback. The client
/// crate's `extras::WaitOptions` defaults `T` to `Action`.
pub struct WaitOptions<T> {
    timeout: Duration,
    poll_interval: Duration,
    max_poll_interval: Duration,
    backoff: f64,
    tolerate_transient_errors: bool,
    progress: Option<ProgressCallback<T>>,
}

impl<T> Clone for WaitOptions<T> {
    fn clone(&self) -> Self {
        Self {
            timeout: self.timeout,
            poll_interval: self.poll_interval,
            max_poll_interval: self.max_poll_interval,
            backoff: self.backoff,
            tolerate_transient_errors: self.tolerate_transient_errors,
            progress: self.progress.clone(),
        }
    }
}

impl<T> Default for WaitOptions<T> {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(1),
            max_poll_interval: Duration::from_secs(30),
            backoff: 1.0,
            tolerate_transient_errors: false,
            progress: None,
        }
    }
}

impl<T> std::fmt::Debug for WaitOptions<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitOptions")
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .field("max_poll_interval", &self.max_poll_interval)
            .field("backoff", &self.backoff)
            .field("tolerate_transient_errors", &self.tolerate_transient_errors)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<T> WaitOptions<T> {
    /// Gives up waiting after this long (default 10 minutes). Any value is safe, `Duration::MAX`
    /// included (it waits for ever).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time between polls (default 1 s); raised to [`MIN_POLL_INTERVAL`] when shorter.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Multiplies the poll interval by `factor` after every poll (default 1: constant), up to
    /// [`max_poll_interval`](Self::max_poll_interval). Values below 1 (and NaN) mean 1.
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = factor;
        self
    }

    /// Upper bound of the poll interval when backing off (default 30 s).
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.max_poll_interval = interval;
        self
    }

    /// Counts a failed poll whose error [`Error::is_retryable`] (connection failures, 429, 502,
    /// 503, 504) as "not yet" instead of failing the wait: for waits across a restart, such as a
    /// cluster bootstrap or an endpoint coming up. Default off.
    pub fn tolerate_transient_errors(mut self, tolerate: bool) -> Self {
        self.tolerate_transient_errors = tolerate;
        self
    }

    /// Called with the polled value after every successful poll (clones of these options share
    /// the callback).
    pub fn on_progress(mut self, callback: impl FnMut(&T) + Send + 'static) -> Self {
        self.progress = Some(std::sync::Arc::new(std::sync::Mutex::new(callback)));
        self
    }

    /// Starts the clock of one wait under this timeout (for a hand-written wait loop).
    pub fn start_clock(&self) -> Deadline {
        Deadline::new(self.timeout)
    }

    /// Calls the progress callback, if any, with a polled value (for a hand-written wait
    /// loop). A callback that panicked before still runs.
    pub fn report(&self, value: &T) {
        if let Some(callback) = &self.progress {
            let mut callback = callback
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (*callback)(value);
        }
    }

    /// The same timing, with no progress callback, for polling another type.
    pub fn timing<U>(&self) -> WaitOptions<U> {
        WaitOptions {
            timeout: self.timeout,
            poll_interval: self.poll_interval,
            max_poll_interval: self.max_poll_interval,
            backoff: self.backoff,
            tolerate_transient_errors: self.tolerate_transient_errors,
            progress: None,
        }
    }

    /// The first interval, floored.
    pub fn first_interval(&self) -> Duration {
        self.poll_interval.max(MIN_POLL_INTERVAL)
    }

    /// The interval after `current`, with backoff, floored and capped; never panics.
    pub fn next_interval(&self, current: Duration) -> Duration {
        let cap = self.max_poll_interval.max(MIN_POLL_INTERVAL);
        let factor = if self.backoff.is_finite() && self.backoff > 1.0 {
            self.backoff
        } else {
            return current.max(MIN_POLL_INTERVAL);
        };
        Duration::try_from_secs_f64(current.as_secs_f64() * factor)
            .unwrap_or(cap)
            .min(cap.max(current))
            .max(MIN_POLL_INTERVAL)
    }
}

/// A clock for one wait: the deadline is `None` when `started + timeout` is not representable
/// (`Duration::MAX`), which means "no deadline".
#[derive(Debug)]
pub struct Deadline {
    started: Instant,
    deadline: Option<Instant>,
}

impl Deadline {
    /// Starts the clock now.
    pub fn new(timeout: Duration) -> Self {
        let started = Instant::now();
        Self {
            started,
            deadline: started.checked_add(timeout),
        }
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Time left (`Duration::MAX` without a deadline).
    pub fn remaining(&self) -> Duration {
        match self.deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            None => Duration::MAX,
        }
    }

    /// Whether the deadline has passed (never, without one).
    pub fn passed(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Sleeps for `interval`, or until the deadline when that comes first.
    pub async fn sleep(&self, interval: Duration) {
        let wake = match self.deadline {
            Some(d) => d.saturating_duration_since(Instant::now()).min(interval),
            None => interval,
        };
        tokio::time::sleep(wake).await;
    }
}

/// What a check says about one polled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The condition holds: stop and return the value.
    Done,
    /// Not yet: poll again.
    Pending,
    /// It will never hold (the object reached a failed state): stop with this reason.
    Failed(String),
}

/// How a successful wait ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Waited<T> {
    /// The last polled value, for which the check said [`Verdict::Done`].
    pub value: T,
    /// Polls made (successful or tolerated).
    pub polls: u32,
    /// Time spent waiting.
    pub waited: Duration,
}

/// Why [`wait_until`] (or a named waiter) did not end in [`Verdict::Done`].
#[derive(Debug, thiserror::Error)]
pub enum UntilError<T: std::fmt::Debug> {
    /// A poll failed (and was not a tolerated transient error).
    #[error("polling failed after {polls} polls")]
    Poll {
        /// Successful polls before the failure.
        polls: u32,
        /// The request error.
        #[source]
        source: Error,
    },
    /// The check said the condition will never hold.
    #[error("wait failed after {polls} polls: {reason}")]
    Failed {
        /// Why, from the check.
        reason: String,
        /// Polls made.
        polls: u32,
        /// The value that failed the check.
        last: Box<T>,
    },
    /// The timeout passed first.
    #[error("condition still not met after {waited:?} ({polls} polls)")]
    Timeout {
        /// Time spent waiting.
        waited: Duration,
        /// Polls made.
        polls: u32,
        /// The last polled value, if any poll succeeded.
        last: Option<Box<T>>,
    },
}

impl<T: std::fmt::Debug> UntilError<T> {
    /// The request error, when a poll failed.
    pub fn request_error(&self) -> Option<&Error> {
        match self {
            UntilError::Poll { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Polls `poll` until `check` says [`Verdict::Done`] (returning the value), says
/// [`Verdict::Failed`], a poll fails or the timeout passes. The first poll is immediate; then
/// polls are `poll_interval` apart (at least [`MIN_POLL_INTERVAL`], growing with `backoff`).
/// The progress callback sees every polled value. Cancel by dropping the future.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use redis_enterprise_api_runtime::wait::{wait_until, Verdict, WaitOptions};
/// let mut polls = 0;
/// let waited = wait_until(
///     WaitOptions::default(),
///     || {
///         polls += 1;
///         let seen = polls; // with a client: `client.bdb_list().send().await?.into_inner()`
///         async move { Ok(seen) }
///     },
///     |seen| if *seen >= 2 { Verdict::Done } else { Verdict::Pending },
/// )
/// .await?;
/// assert_eq!((waited.value, waited.polls), (2, 2));
/// # Ok(()) }
/// ```
pub async fn wait_until<T, F, Fut, C>(
    options: WaitOptions<T>,
    mut poll: F,
    mut check: C,
) -> Result<Waited<T>, UntilError<T>>
where
    T: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
    C: FnMut(&T) -> Verdict,
{
    let clock = Deadline::new(options.timeout);
    let mut interval = options.first_interval();
    let mut polls = 0u32;
    let mut last: Option<T> = None;
    loop {
        match poll().await {
            Ok(value) => {
                polls = polls.saturating_add(1);
                options.report(&value);
                match check(&value) {
                    Verdict::Done => {
                        return Ok(Waited {
                            value,
                            polls,
                            waited: clock.elapsed(),
                        })
                    }
                    Verdict::Failed(reason) => {
                        return Err(UntilError::Failed {
                            reason,
                            polls,
                            last: Box::new(value),
                        })
                    }
                    Verdict::Pending => last = Some(value),
                }
            }
            Err(e) if options.tolerate_transient_errors && e.is_retryable() => {
                polls = polls.saturating_add(1);
                tracing::debug!(error = %e, "transient error while waiting; polling again");
            }
            Err(source) => return Err(UntilError::Poll { polls, source }),
        }
        if clock.passed() {
            return Err(UntilError::Timeout {
                waited: clock.elapsed(),
                polls,
                last: last.map(Box::new),
            });
        }
        clock.sleep(interval).await;
        interval = options.next_interval(interval);
    }
}
