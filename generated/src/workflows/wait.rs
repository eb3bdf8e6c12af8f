//! The named waiters: database `active` or deleted, bootstrap `completed`, node status, CRDB
//! task finished, database endpoint available. They are [`wait_until`] (from the runtime crate,
//! re-exported here with its options and outcomes) with a poll and a check each.

pub use redis_enterprise_api_runtime::wait::{
    wait_until, UntilError, Verdict, Waited, MIN_POLL_INTERVAL,
};

use crate::types::{
    Action, Bdb, BdbStatus, BootstrapInfo, BootstrapStatusState, CrdbTask, CrdbTaskStatus, Node,
    NodeStatus,
};
use crate::Client;

/// A progress callback, called with the polled value after every successful poll.
pub type ProgressCallback<T = Action> = redis_enterprise_api_runtime::wait::ProgressCallback<T>;

/// How long and how often to poll, and what to call after each poll.
///
/// `T` is what is polled (an [`Action`] for [`Client::wait_for_action`], a [`Bdb`] for
/// [`Client::wait_for_bdb_active`], …); it only matters for the progress callback.
pub type WaitOptions<T = Action> = redis_enterprise_api_runtime::wait::WaitOptions<T>;

impl Client {
    /// Waits until database `uid` is `active`. Fails early when it reaches `creation-failed`.
    pub async fn wait_for_bdb_active(
        &self,
        uid: i64,
        options: WaitOptions<Bdb>,
    ) -> Result<Bdb, UntilError<Bdb>> {
        wait_until(
            options,
            || async move { Ok(self.bdb_get(uid).send().await?.into_inner()) },
            |bdb| match &bdb.status {
                Some(BdbStatus::Active) => Verdict::Done,
                Some(BdbStatus::CreationFailed) => {
                    Verdict::Failed(format!("database {uid} is creation-failed"))
                }
                _ => Verdict::Pending,
            },
        )
        .await
        .map(|w| w.value)
    }

    /// Waits until database `uid` no longer exists (`GET /v1/bdbs/{uid}` answers 404). The
    /// progress callback sees the database while it still exists.
    pub async fn wait_for_bdb_deleted(
        &self,
        uid: i64,
        options: WaitOptions<Option<Bdb>>,
    ) -> Result<(), UntilError<Option<Bdb>>> {
        wait_until(
            options,
            || async move {
                match self.bdb_get(uid).send().await {
                    Ok(bdb) => Ok(Some(bdb.into_inner())),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            },
            |bdb| match bdb {
                None => Verdict::Done,
                Some(_) => Verdict::Pending,
            },
        )
        .await
        .map(|_| ())
    }

    /// Waits until the cluster's bootstrap is `completed` (`GET /v1/bootstrap`), failing when
    /// it reaches `error` (the reason names its `error_code`). Transient errors are tolerated:
    /// the API restarts while a node bootstraps.
    pub async fn wait_for_bootstrap_completed(
        &self,
        options: WaitOptions<BootstrapInfo>,
    ) -> Result<BootstrapInfo, UntilError<BootstrapInfo>> {
        wait_until(
            options.tolerate_transient_errors(true),
            || async move { Ok(self.bootstrap_get().send().await?.into_inner()) },
            |info| {
                let status = info.bootstrap_status.as_ref();
                match status.and_then(|s| s.state.as_ref()) {
                    Some(BootstrapStatusState::Completed) => Verdict::Done,
                    Some(BootstrapStatusState::Error) => Verdict::Failed(format!(
                        "bootstrap ended in error ({})",
                        status
                            .and_then(|s| s.error_code.as_deref())
                            .unwrap_or("no error_code")
                    )),
                    _ => Verdict::Pending,
                }
            },
        )
        .await
        .map(|w| w.value)
    }

    /// Waits until node `uid` reports `status` (such as [`NodeStatus::Active`]).
    pub async fn wait_for_node_status(
        &self,
        uid: i64,
        status: NodeStatus,
        options: WaitOptions<Node>,
    ) -> Result<Node, UntilError<Node>> {
        wait_until(
            options,
            || async move { Ok(self.node_get(uid).send().await?.into_inner()) },
            |node| {
                if node.status.as_ref() == Some(&status) {
                    Verdict::Done
                } else {
                    Verdict::Pending
                }
            },
        )
        .await
        .map(|w| w.value)
    }

    /// Waits until CRDB task `task_id` is `finished`, failing when it is `failed` (the reason
    /// names the errors' codes and descriptions).
    pub async fn wait_for_crdb_task(
        &self,
        task_id: &str,
        options: WaitOptions<CrdbTask>,
    ) -> Result<CrdbTask, UntilError<CrdbTask>> {
        wait_until(
            options,
            || async move { Ok(self.crdb_task_get(task_id).send().await?.into_inner()) },
            |task| match &task.status {
                Some(CrdbTaskStatus::Finished) => Verdict::Done,
                Some(CrdbTaskStatus::Failed) => {
                    let errors: Vec<String> = task
                        .errors
                        .iter()
                        .flatten()
                        .map(|e| {
                            format!(
                                "{}: {}",
                                e.error_code.as_deref().unwrap_or("no error_code"),
                                e.description.as_deref().unwrap_or("no description")
                            )
                        })
                        .collect();
                    Verdict::Failed(format!("task {task_id} failed: [{}]", errors.join("; ")))
                }
                _ => Verdict::Pending,
            },
        )
        .await
        .map(|w| w.value)
    }

    /// Waits until the endpoint of database `uid` on this node is available
    /// (`GET /v1/local/bdbs/{uid}/endpoint/availability` answers 200; while it answers 503 the
    /// wait goes on).
    pub async fn wait_for_bdb_endpoint_available(
        &self,
        uid: i64,
        options: WaitOptions<()>,
    ) -> Result<(), UntilError<()>> {
        wait_until(
            options.tolerate_transient_errors(true),
            || async move {
                self.bdb_endpoint_availability_get_local(uid)
                    .send()
                    .await
                    .map(|_| ())
            },
            |()| Verdict::Done,
        )
        .await
        .map(|_| ())
    }
}
