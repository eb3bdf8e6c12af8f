//! Waiting for long-running actions.
//!
//! Many requests (database create, update, import, export, upgrade; shard migration; node
//! actions) return an `action_uid` and go on in the background. [`Client::wait_for_action`]
//! polls `GET /v2/actions/{uid}` (falling back to `GET /v1/actions/{uid}` on clusters without
//! v2) until the action reaches a terminal state, calling an optional progress callback on
//! every poll. It never cancels the action: a timeout only stops waiting. Timing follows
//! [`WaitOptions`] (poll-interval floor, backoff, any timeout up to `Duration::MAX`).

use std::time::Duration;

pub use super::wait::{ProgressCallback, WaitOptions};
use crate::error::Error;
use crate::types::{Action, ActionStatus};
use crate::Client;

/// A response that started an action and carries its `action_uid`. codegen implements it for
/// every generated type with an `action_uid` field.
pub trait StartsAction {
    /// The action's uid, if the server sent one.
    fn action_uid(&self) -> Option<&str>;
}

/// A body the reference does not document may still name an action (some releases answer the
/// deletion of a user or a role with one): `client.wait_for_started(response.as_ref(), …)`.
impl StartsAction for crate::UndocumentedBody {
    fn action_uid(&self) -> Option<&str> {
        crate::UndocumentedBody::action_uid(self)
    }
}

/// How an action ended successfully.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionOutcome {
    /// The action as last reported (status `completed`).
    pub action: Action,
    /// Number of polls made.
    pub polls: u32,
    /// Time spent waiting.
    pub waited: Duration,
}

/// Why waiting for an action did not end in `completed`.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The response that should have started an action has no `action_uid`.
    #[error("the response carries no action_uid")]
    NoActionUid,
    /// Polling failed.
    #[error("request for action {action_uid} failed")]
    Api {
        /// The action.
        action_uid: String,
        /// The request error.
        #[source]
        source: Error,
    },
    /// The action ended in a state other than `completed`.
    #[error("action {action_uid} ended as {status}: {message}")]
    Ended {
        /// The action.
        action_uid: String,
        /// The terminal status (`failed`, `aborted`, `cancelled`).
        status: ActionStatus,
        /// The server's error message or code, or the status when it sent neither.
        message: String,
        /// The action as last reported.
        action: Box<Action>,
    },
    /// The action was still running when the timeout passed.
    #[error("action {action_uid} still running after {waited:?}")]
    Timeout {
        /// The action.
        action_uid: String,
        /// Time spent waiting.
        waited: Duration,
        /// The action as last reported, if any poll succeeded.
        last: Option<Box<Action>>,
    },
}

/// Whether a status ends an action, and how.
fn terminal(status: &ActionStatus) -> Option<bool> {
    match status {
        ActionStatus::Completed => Some(true),
        ActionStatus::Failed | ActionStatus::Aborted | ActionStatus::Cancelled => Some(false),
        // Unknown values from newer clusters: treat the obvious ones as terminal.
        ActionStatus::Unknown(s) => match s.as_str() {
            "done" | "succeeded" | "success" | "finished" => Some(true),
            "error" | "canceled" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

impl Client {
    /// Polls the action until it completes (`Ok`), ends otherwise ([`WaitError::Ended`]) or the
    /// timeout passes ([`WaitError::Timeout`]).
    pub async fn wait_for_action(
        &self,
        action_uid: &str,
        options: WaitOptions,
    ) -> Result<ActionOutcome, WaitError> {
        let clock = options.start_clock();
        let mut interval = options.first_interval();
        let mut use_v1 = false;
        let mut polls = 0u32;
        loop {
            let polled = if use_v1 {
                self.action_get(action_uid).send().await
            } else {
                self.action_get_v2(action_uid).send().await
            };
            let action = match polled {
                Ok(value) => value.into_inner(),
                // A cluster without the v2 endpoint answers 404 for every uid: try v1 once.
                Err(e) if !use_v1 && e.is_not_found() => {
                    use_v1 = true;
                    continue;
                }
                Err(source) => {
                    return Err(WaitError::Api {
                        action_uid: action_uid.to_string(),
                        source,
                    })
                }
            };
            polls += 1;
            options.report(&action);
            if let Some(status) = action.status.clone() {
                match terminal(&status) {
                    Some(true) => {
                        return Ok(ActionOutcome {
                            action,
                            polls,
                            waited: clock.elapsed(),
                        })
                    }
                    Some(false) => {
                        let message = action
                            .error_message
                            .clone()
                            .or_else(|| action.error_code.clone())
                            .unwrap_or_else(|| status.to_string());
                        return Err(WaitError::Ended {
                            action_uid: action_uid.to_string(),
                            status,
                            message,
                            action: Box::new(action),
                        });
                    }
                    None => {}
                }
            }
            if clock.passed() {
                return Err(WaitError::Timeout {
                    action_uid: action_uid.to_string(),
                    waited: clock.elapsed(),
                    last: Some(Box::new(action)),
                });
            }
            clock.sleep(interval).await;
            interval = options.next_interval(interval);
        }
    }

    /// Waits for the action a response started (see [`StartsAction`]).
    pub async fn wait_for_started(
        &self,
        started: &impl StartsAction,
        options: WaitOptions,
    ) -> Result<ActionOutcome, WaitError> {
        let uid = started.action_uid().ok_or(WaitError::NoActionUid)?;
        self.wait_for_action(uid, options).await
    }
}
