//! The clock actions run on: the wall clock, or a manual one that only moves when a test calls
//! `Simulator::advance`, so a test can hold an action in `running` (to see the busy rule) and
//! let it finish without sleeping. Timestamps stay Unix milliseconds either way: the manual clock
//! starts at the wall-clock time of start-up.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::now_millis;

/// Where "now" comes from.
pub(crate) enum Clock {
    /// The wall clock.
    Real,
    /// A clock that moves only when advanced; the value is Unix milliseconds.
    Manual(watch::Sender<i64>),
}

impl Clock {
    /// A wall clock, or a manual one starting now.
    pub fn new(manual: bool) -> Self {
        if manual {
            Clock::Manual(watch::Sender::new(now_millis()))
        } else {
            Clock::Real
        }
    }

    /// Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::Real => now_millis(),
            Clock::Manual(now) => *now.borrow(),
        }
    }

    /// Waits until the clock reads at least `deadline_ms`.
    pub async fn sleep_until(&self, deadline_ms: i64) {
        match self {
            Clock::Real => {
                let wait = (deadline_ms - now_millis()).max(0) as u64;
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            Clock::Manual(now) => {
                let mut rx = now.subscribe();
                // The sender lives as long as the simulator; if it is gone, stop waiting.
                if rx.wait_for(|t| *t >= deadline_ms).await.is_err() {
                    tracing::debug!("manual clock dropped while an action waited");
                }
            }
        }
    }

    /// Moves a manual clock forward (nothing for the wall clock).
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(now) = self {
            now.send_modify(|t| *t += by.as_millis() as i64);
        }
    }
}
