//! Waiters (issue 14) against the loopback HTTPS server, on tokio's paused clock so that no test
//! sleeps: `wait_until` (interval, backoff with its cap, progress, timeout with the last value,
//! failure, cancellation by dropping), the named waiters (database active and deleted,
//! bootstrap completed across transient errors, node status, CRDB task, endpoint availability)
//! and create-and-wait ending in a failed action; waiting for an action (progress, failure,
//! timeout, the v1 fall-back); a poll interval below the floor raised to it, and timeouts of
//! `Duration::MAX` that cannot overflow.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_enterprise_api::extras::{
    wait_until, UntilError, Verdict, WaitError, WaitOptions, WorkflowError, MIN_POLL_INTERVAL,
};
use redis_enterprise_api::types::{self, ActionStatus, BdbStatus, NodeStatus};
use redis_enterprise_api::{Client, RetryPolicy};
use redis_enterprise_api_tests::server::{Recorded, Reply, TestServer};
use redis_enterprise_api_tests::setup::{sequence, trusted};
use serde_json::json;
use tokio::time::Instant;

/// A server answering each path from its own list of replies, in order (the last repeats).
async fn scripted(routes: Vec<(&'static str, Vec<Reply>)>) -> (TestServer, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let positions = Arc::new(Mutex::new(vec![0usize; routes.len()]));
    let server = TestServer::https(move |req: &Recorded| {
        seen.fetch_add(1, Ordering::SeqCst);
        let path = req.path.split('?').next().unwrap_or_default().to_string();
        let Some(i) = routes.iter().position(|(p, _)| *p == path) else {
            return Reply::json(404, json!({"error_code": "not_found", "path": path}));
        };
        let mut positions = positions.lock().expect("lock");
        let replies = &routes[i].1;
        let reply = replies[positions[i].min(replies.len() - 1)].clone();
        positions[i] += 1;
        reply
    })
    .await;
    (server, count)
}

fn client(server: &TestServer) -> Client {
    Client::builder(&server.url)
        .basic_auth("admin@example.com", "pw")
        .add_ca_certificate_pem(server.ca_pem.clone())
        .retry_policy(RetryPolicy::disabled())
        .no_timeouts()
        .build()
        .expect("client builds")
}

fn bdb(status: &str) -> Reply {
    Reply::json(200, json!({"uid": 1, "name": "db", "status": status}))
}

#[tokio::test(start_paused = true)]
async fn wait_until_polls_at_the_interval_with_capped_backoff_and_reports_progress() {
    let (server, count) = scripted(vec![(
        "/v1/bdbs/1",
        vec![
            bdb("pending"),
            bdb("pending"),
            bdb("pending"),
            bdb("pending"),
            bdb("active"),
        ],
    )])
    .await;
    let client = client(&server);
    let started = Instant::now();
    let times = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let log = times.clone();
    let waited = wait_until(
        WaitOptions::default()
            .poll_interval(Duration::from_secs(1))
            .backoff(2.0)
            .max_poll_interval(Duration::from_secs(3))
            .on_progress(move |_: &types::Bdb| log.lock().expect("lock").push(started.elapsed())),
        || async { Ok(client.bdb_get(1).send().await?.into_inner()) },
        |b| {
            if b.status == Some(BdbStatus::Active) {
                Verdict::Done
            } else {
                Verdict::Pending
            }
        },
    )
    .await
    .expect("becomes active");
    assert_eq!(waited.polls, 5);
    assert_eq!(waited.value.status, Some(BdbStatus::Active));
    let secs: Vec<u64> = times
        .lock()
        .expect("lock")
        .iter()
        .map(Duration::as_secs)
        .collect();
    // Intervals 1, 2, then capped at 3.
    assert_eq!(secs, [0, 1, 3, 6, 9]);
    assert_eq!(waited.waited, Duration::from_secs(9));
    assert_eq!(count.load(Ordering::SeqCst), 5);
}

#[tokio::test(start_paused = true)]
async fn wait_until_times_out_with_the_last_value() {
    let (server, count) = scripted(vec![("/v1/bdbs/1", vec![bdb("pending")])]).await;
    let client = client(&server);
    let err = client
        .wait_for_bdb_active(
            1,
            WaitOptions::default()
                .poll_interval(Duration::from_secs(2))
                .timeout(Duration::from_secs(5)),
        )
        .await
        .expect_err("never active");
    match err {
        UntilError::Timeout {
            waited,
            polls,
            last,
        } => {
            assert_eq!(waited, Duration::from_secs(5));
            assert_eq!(polls, 4, "at 0, 2, 4 and at the deadline");
            assert_eq!(last.and_then(|b| b.status), Some(BdbStatus::Pending));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

#[tokio::test(start_paused = true)]
async fn wait_for_bdb_active_fails_early_on_creation_failed() {
    let (server, _) = scripted(vec![(
        "/v1/bdbs/1",
        vec![bdb("pending"), bdb("creation-failed")],
    )])
    .await;
    let err = client(&server)
        .wait_for_bdb_active(1, WaitOptions::default())
        .await
        .expect_err("creation failed");
    match err {
        UntilError::Failed { reason, polls, .. } => {
            assert_eq!(polls, 2);
            assert!(reason.contains("creation-failed"), "{reason}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_a_wait_cancels_it() {
    // The wait is dropped from its own progress callback's signal, not by a timer: on the paused
    // clock a pending timer would fire while a poll waits for the server.
    let (server, count) = scripted(vec![("/v1/bdbs/1", vec![bdb("pending")])]).await;
    let client = client(&server);
    let third_poll = Arc::new(tokio::sync::Notify::new());
    let signal = third_poll.clone();
    let mut seen = 0u32;
    let wait = client.wait_for_bdb_active(
        1,
        WaitOptions::default()
            .poll_interval(Duration::from_secs(10))
            .on_progress(move |_: &types::Bdb| {
                seen += 1;
                if seen == 3 {
                    signal.notify_one();
                }
            }),
    );
    let started = Instant::now();
    tokio::select! {
        result = wait => panic!("the wait ended by itself: {result:?}"),
        () = third_poll.notified() => {}
    }
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(20),
        "polls at 0, 10 and 20 s"
    );
    let polls = count.load(Ordering::SeqCst);
    assert_eq!(polls, 3);
    tokio::time::sleep(Duration::from_secs(100)).await;
    assert_eq!(
        count.load(Ordering::SeqCst),
        polls,
        "no poll after the drop"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_for_bdb_deleted_ends_on_404() {
    let (server, count) = scripted(vec![(
        "/v1/bdbs/1",
        vec![
            bdb("delete-pending"),
            Reply::json(404, json!({"error_code": "db_not_exist"})),
        ],
    )])
    .await;
    client(&server)
        .wait_for_bdb_deleted(1, WaitOptions::default())
        .await
        .expect("deleted");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn wait_for_bootstrap_completed_goes_through_transient_errors_and_names_a_failure() {
    let state = |s: &str| Reply::json(200, json!({"bootstrap_status": {"state": s}}));
    let (server, count) = scripted(vec![(
        "/v1/bootstrap",
        vec![
            state("creating_cluster"),
            Reply::json(503, json!({"error_code": "not_ready"})),
            state("creating_cluster"),
            state("completed"),
        ],
    )])
    .await;
    let info = client(&server)
        .wait_for_bootstrap_completed(WaitOptions::default())
        .await
        .expect("completed");
    assert_eq!(
        info.bootstrap_status
            .and_then(|s| s.state)
            .map(|s| s.to_string())
            .as_deref(),
        Some("completed")
    );
    assert_eq!(count.load(Ordering::SeqCst), 4);

    let (server, _) = scripted(vec![(
        "/v1/bootstrap",
        vec![Reply::json(
            200,
            json!({"bootstrap_status": {"state": "error", "error_code": "bad_license"}}),
        )],
    )])
    .await;
    let err = client(&server)
        .wait_for_bootstrap_completed(WaitOptions::default())
        .await
        .expect_err("bootstrap error");
    assert!(
        matches!(&err, UntilError::Failed { reason, .. } if reason.contains("bad_license")),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_for_node_status_and_crdb_task() {
    let node = |s: &str| Reply::json(200, json!({"uid": 2, "status": s}));
    let task = |s: &str| Reply::json(200, json!({"id": "t-1", "status": s}));
    let (server, _) = scripted(vec![
        ("/v1/nodes/2", vec![node("provisioning"), node("active")]),
        ("/v1/crdb_tasks/t-1", vec![task("queued"), task("started"), task("finished")]),
        (
            "/v1/crdb_tasks/t-2",
            vec![Reply::json(
                200,
                json!({"id": "t-2", "status": "failed", "errors": [
                    {"cluster_name": "east", "error_code": "unreachable", "description": "east is down"}
                ]}),
            )],
        ),
    ])
    .await;
    let client = client(&server);
    let n = client
        .wait_for_node_status(2, NodeStatus::Active, WaitOptions::default())
        .await
        .expect("node active");
    assert_eq!(n.status, Some(NodeStatus::Active));
    let t = client
        .wait_for_crdb_task("t-1", WaitOptions::default())
        .await
        .expect("task finished");
    assert_eq!(t.status, Some(types::CrdbTaskStatus::Finished));
    let err = client
        .wait_for_crdb_task("t-2", WaitOptions::default())
        .await
        .expect_err("task failed");
    assert!(
        matches!(&err, UntilError::Failed { reason, .. } if reason.contains("unreachable: east is down")),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_for_endpoint_available_waits_through_503() {
    let (server, count) = scripted(vec![(
        "/v1/local/bdbs/1/endpoint/availability",
        vec![
            Reply::json(503, json!({"error_code": "no_quorum"})),
            Reply::json(503, json!({"error_code": "no_quorum"})),
            Reply::raw(200, "text/html", ""),
        ],
    )])
    .await;
    client(&server)
        .wait_for_bdb_endpoint_available(1, WaitOptions::default())
        .await
        .expect("available");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn create_and_wait_names_the_failed_action_and_its_error_code() {
    let action = |status: &str| {
        Reply::json(
            200,
            json!({"action_uid": "a-7", "name": "SMCreateBDB", "status": status,
                   "error_code": "insufficient_resources", "error_message": "not enough memory"}),
        )
    };
    let (server, _) = scripted(vec![
        (
            "/v1/bdbs",
            vec![Reply::json(
                200,
                json!({"uid": 1, "name": "db", "action_uid": "a-7"}),
            )],
        ),
        ("/v2/actions/a-7", vec![action("running"), action("failed")]),
    ])
    .await;
    let err = client(&server)
        .create_database_and_wait(&Default::default(), WaitOptions::default())
        .await
        .expect_err("the action fails");
    match &err {
        WorkflowError::ActionFailed {
            operation,
            action_uid,
            status,
            error_code,
            message,
        } => {
            assert_eq!(*operation, "bdb_create");
            assert_eq!(action_uid, "a-7");
            assert_eq!(*status, ActionStatus::Failed);
            assert_eq!(error_code.as_deref(), Some("insufficient_resources"));
            assert_eq!(message, "not enough memory");
        }
        other => panic!("expected ActionFailed, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("a-7") && text.contains("insufficient_resources"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn poll_interval_below_the_floor_is_raised() {
    let (server, count) = scripted(vec![(
        "/v1/bdbs/1",
        vec![bdb("pending"), bdb("pending"), bdb("active")],
    )])
    .await;
    let started = Instant::now();
    client(&server)
        .wait_for_bdb_active(
            1,
            WaitOptions::default().poll_interval(Duration::from_nanos(1)),
        )
        .await
        .expect("active");
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert_eq!(started.elapsed(), 2 * MIN_POLL_INTERVAL);
}

#[tokio::test(start_paused = true)]
async fn waits_with_duration_max_timeout_and_huge_backoff_do_not_panic() {
    let (server, count) = scripted(vec![(
        "/v1/bdbs/1",
        vec![bdb("pending"), bdb("pending"), bdb("active")],
    )])
    .await;
    client(&server)
        .wait_for_bdb_active(
            1,
            WaitOptions::default()
                .timeout(Duration::MAX)
                .poll_interval(Duration::MAX)
                .backoff(f64::MAX)
                .max_poll_interval(Duration::from_secs(60)),
        )
        .await
        .expect("active");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

fn action(status: &str, progress: f64) -> serde_json::Value {
    json!({"action_uid": "a-1", "name": "SMCreateBDB", "status": status, "progress": progress})
}

async fn sequence_server(replies: Vec<Reply>) -> (TestServer, Arc<AtomicUsize>) {
    let (count, handler) = sequence(replies);
    (TestServer::https(handler).await, count)
}

#[tokio::test(start_paused = true)]
async fn wait_for_action_reports_progress_until_completed() {
    let (server, _) = sequence_server(vec![
        Reply::json(200, action("queued", 0.0)),
        Reply::json(200, action("running", 40.0)),
        Reply::json(200, action("completed", 100.0)),
    ])
    .await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let outcome = client
        .wait_for_action(
            "a-1",
            WaitOptions::default()
                .poll_interval(Duration::from_secs(2))
                .on_progress(move |a: &redis_enterprise_api::types::Action| {
                    log.lock().expect("lock").push(a.progress)
                }),
        )
        .await
        .expect("completes");
    assert_eq!(outcome.polls, 3);
    assert_eq!(outcome.action.status, Some(ActionStatus::Completed));
    assert_eq!(
        *seen.lock().expect("lock"),
        vec![Some(0.0), Some(40.0), Some(100.0)]
    );
    assert!(outcome.waited >= Duration::from_secs(4));
    assert!(server
        .requests()
        .iter()
        .all(|r| r.path == "/v2/actions/a-1"));
}

#[tokio::test(start_paused = true)]
async fn wait_for_action_reports_failure() {
    let mut failed = action("failed", 30.0);
    failed["error_message"] = json!("not enough memory");
    let (server, _) = sequence_server(vec![
        Reply::json(200, action("running", 10.0)),
        Reply::json(200, failed),
    ])
    .await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let err = client
        .wait_for_action("a-1", WaitOptions::default())
        .await
        .expect_err("fails");
    match err {
        WaitError::Ended {
            status, message, ..
        } => {
            assert_eq!(status, ActionStatus::Failed);
            assert_eq!(message, "not enough memory");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn wait_for_action_times_out() {
    let (server, count) = sequence_server(vec![Reply::json(200, action("running", 50.0))]).await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let err = client
        .wait_for_action(
            "a-1",
            WaitOptions::default()
                .timeout(Duration::from_secs(30))
                .poll_interval(Duration::from_secs(5)),
        )
        .await
        .expect_err("never completes");
    match err {
        WaitError::Timeout { waited, last, .. } => {
            assert!(waited >= Duration::from_secs(30));
            assert_eq!(last.and_then(|a| a.progress), Some(50.0));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(count.load(Ordering::SeqCst), 7, "polls at 0, 5, …, 30 s");
}

#[tokio::test(start_paused = true)]
async fn wait_for_action_falls_back_to_v1() {
    let server = TestServer::https(|req| {
        if req.path.starts_with("/v2/") {
            Reply::json(404, json!({"error_code": "not_found"}))
        } else {
            Reply::json(200, action("completed", 100.0))
        }
    })
    .await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    client
        .wait_for_action("a-1", WaitOptions::default())
        .await
        .expect("v1 completes");
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v2/actions/a-1", "/v1/actions/a-1"]);
}

#[tokio::test(start_paused = true)]
async fn wait_timeouts_of_duration_max_are_safe() {
    let (count, handler) = sequence(vec![
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "completed"})),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let outcome = client
        .wait_for_action("a-1", WaitOptions::default().timeout(Duration::MAX))
        .await
        .expect("completes");
    assert_eq!(outcome.polls, 2);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn zero_poll_interval_is_raised_to_the_floor() {
    let (count, handler) = sequence(vec![
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "running"})),
        Reply::json(200, json!({"action_uid": "a-1", "status": "completed"})),
    ]);
    let server = TestServer::https(handler).await;
    let client = trusted(&server)
        .no_timeouts()
        .build()
        .expect("client builds");
    let started = tokio::time::Instant::now();
    let outcome = client
        .wait_for_action("a-1", WaitOptions::default().poll_interval(Duration::ZERO))
        .await
        .expect("completes");
    assert_eq!(outcome.polls, 4);
    assert_eq!(count.load(Ordering::SeqCst), 4);
    assert_eq!(
        started.elapsed(),
        3 * redis_enterprise_api::extras::MIN_POLL_INTERVAL,
        "three sleeps of the floor, not a tight loop"
    );
}
