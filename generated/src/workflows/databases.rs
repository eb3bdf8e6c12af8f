//! Database changes that return when the cluster has finished them: create, update and delete a
//! database, wait for the action the request started, then for the database to be `active` (or
//! gone), and return the final object or a typed error naming the failed action and its
//! `error_code`.
//!
//! These calls do not retry anything themselves: busy answers are retried by the client when
//! its [`crate::RetryPolicy::busy_retries`] says so.

use std::time::Duration;

use super::actions::WaitError;
use redis_enterprise_api_runtime::wait::Deadline;

use super::wait::{UntilError, WaitOptions};
use crate::error::Error;
use crate::types::{ActionStatus, Bdb};
use crate::Client;

/// Why a create/update/delete-and-wait call did not end with the database in its final state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The request itself (or a poll) failed.
    #[error("{operation} failed: {source}")]
    Request {
        /// The operationId of the failed request.
        operation: &'static str,
        /// The request error.
        #[source]
        source: Error,
    },
    /// The action the request started ended as failed, aborted or cancelled.
    #[error("action {action_uid} ({operation}) ended as {status}{}: {message}", error_code.as_deref().map(|c| format!(" with error_code {c}")).unwrap_or_default())]
    ActionFailed {
        /// The operationId that started the action.
        operation: &'static str,
        /// The action.
        action_uid: String,
        /// Its terminal status.
        status: ActionStatus,
        /// The action's `error_code`, when it has one.
        error_code: Option<String>,
        /// The action's error message (or code, or status).
        message: String,
    },
    /// The database reached a state it will not leave by itself (`creation-failed`).
    #[error("database {uid} failed: {reason}")]
    DatabaseFailed {
        /// The database.
        uid: i64,
        /// Why.
        reason: String,
    },
    /// The create response carries no database uid to wait for.
    #[error("the bdb_create response carries no uid")]
    NoUid,
    /// The timeout passed before the cluster finished.
    #[error("{operation} not finished after {waited:?}")]
    Timeout {
        /// The operationId.
        operation: &'static str,
        /// Time spent waiting.
        waited: Duration,
    },
}

impl WorkflowError {
    fn from_action(operation: &'static str, error: WaitError) -> Self {
        match error {
            WaitError::Ended {
                action_uid,
                status,
                message,
                action,
            } => WorkflowError::ActionFailed {
                operation,
                action_uid,
                status,
                error_code: action.error_code.clone(),
                message,
            },
            WaitError::Api { source, .. } => WorkflowError::Request { operation, source },
            WaitError::Timeout { waited, .. } => WorkflowError::Timeout { operation, waited },
            // Only `wait_for_started` returns it, and it is not used here.
            WaitError::NoActionUid => WorkflowError::NoUid,
        }
    }

    fn from_until<T: std::fmt::Debug>(
        operation: &'static str,
        uid: i64,
        error: UntilError<T>,
    ) -> Self {
        match error {
            UntilError::Poll { source, .. } => WorkflowError::Request { operation, source },
            UntilError::Failed { reason, .. } => WorkflowError::DatabaseFailed { uid, reason },
            UntilError::Timeout { waited, .. } => WorkflowError::Timeout { operation, waited },
        }
    }
}

impl Client {
    /// Creates a database (`POST /v1/bdbs`) and returns it once the cluster reports it `active`:
    /// waits for the creation action when the response names one, then for the status. The
    /// timeout in `options` covers the whole wait; the progress callback sees the database on
    /// every poll of its status.
    pub async fn create_database_and_wait(
        &self,
        body: &Bdb,
        options: WaitOptions<Bdb>,
    ) -> Result<Bdb, WorkflowError> {
        const OPERATION: &str = "bdb_create";
        let clock = options.start_clock();
        let created = self
            .bdb_create(body)
            .send()
            .await
            .map_err(|source| WorkflowError::Request {
                operation: OPERATION,
                source,
            })?
            .into_inner();
        let uid = created.uid.ok_or(WorkflowError::NoUid)?;
        self.finish(
            OPERATION,
            uid,
            created.action_uid.as_deref(),
            &clock,
            options,
        )
        .await
    }

    /// Updates database `uid` (`PUT /v1/bdbs/{uid}`) and returns it once the change is done:
    /// waits for the action the response names, if any, then for the database to be `active`
    /// again.
    pub async fn update_database_and_wait(
        &self,
        uid: i64,
        body: &Bdb,
        options: WaitOptions<Bdb>,
    ) -> Result<Bdb, WorkflowError> {
        const OPERATION: &str = "bdb_update";
        let clock = options.start_clock();
        let updated = self
            .bdb_update(uid, body)
            .send()
            .await
            .map_err(|source| WorkflowError::Request {
                operation: OPERATION,
                source,
            })?
            .into_inner();
        self.finish(
            OPERATION,
            uid,
            updated.action_uid.as_deref(),
            &clock,
            options,
        )
        .await
    }

    /// Deletes database `uid` (`DELETE /v1/bdbs/{uid}`) and returns once it is gone.
    pub async fn delete_database_and_wait(
        &self,
        uid: i64,
        options: WaitOptions<Option<Bdb>>,
    ) -> Result<(), WorkflowError> {
        const OPERATION: &str = "bdb_delete";
        self.bdb_delete(uid)
            .send()
            .await
            .map_err(|source| WorkflowError::Request {
                operation: OPERATION,
                source,
            })?;
        self.wait_for_bdb_deleted(uid, options)
            .await
            .map_err(|e| WorkflowError::from_until(OPERATION, uid, e))
    }

    async fn finish(
        &self,
        operation: &'static str,
        uid: i64,
        action_uid: Option<&str>,
        clock: &Deadline,
        options: WaitOptions<Bdb>,
    ) -> Result<Bdb, WorkflowError> {
        let remaining = clock.remaining();
        if let Some(action_uid) = action_uid {
            self.wait_for_action(action_uid, options.timing().timeout(remaining))
                .await
                .map_err(|e| WorkflowError::from_action(operation, e))?;
        }
        let remaining = clock.remaining();
        self.wait_for_bdb_active(uid, options.timeout(remaining))
            .await
            .map_err(|e| WorkflowError::from_until(operation, uid, e))
    }
}
