//! Credentials work as a cluster's: the start-up credentials create the admin user and nothing
//! more (a password change, a delete or a lock of that user applies to them), failed sign-ins
//! lock an account at the policy's threshold, the fuzzing opt-in is refused off loopback, and
//! the state file keeps only hashes, readable by its owner alone.

use crate::common;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;

use redis_enterprise_simulator::{SimError, Simulator};
use serde_json::{json, Value};

/// A simulator over plain HTTP (these tests look at credentials, not TLS).
async fn start(fuzz_admin: bool) -> Simulator {
    common::builder()
        .http(true)
        .fuzz_admin(fuzz_admin)
        .start()
        .await
        .expect("the simulator starts")
}

/// Sends a request with Basic credentials and returns the status and the JSON body (`null`
/// when there is none).
async fn call(
    sim: &Simulator,
    (user, password): (&str, &str),
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = common::raw_client(sim)
        .request(method, format!("{}{path}", sim.base_url()))
        .basic_auth(user, Some(password));
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.expect("the simulator answers");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("a body");
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

fn startup(sim: &Simulator) -> (&str, &str) {
    (sim.username(), sim.password())
}

#[tokio::test]
async fn a_password_change_applies_to_the_start_up_credentials() {
    let _process = crate::common::share_the_process().await;
    let sim = start(false).await;
    let get = reqwest::Method::GET;
    assert_eq!(
        call(&sim, startup(&sim), get.clone(), "/v1/cluster", None)
            .await
            .0,
        200
    );
    let (status, body) = call(
        &sim,
        startup(&sim),
        reqwest::Method::PUT,
        "/v1/users/1",
        Some(json!({ "password": "rotated-password" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(&sim, startup(&sim), get.clone(), "/v1/cluster", None).await;
    assert_eq!(status, 401, "the old password is refused: {body}");
    let rotated = (sim.username(), "rotated-password");
    assert_eq!(
        call(&sim, rotated, get.clone(), "/v1/cluster", None)
            .await
            .0,
        200
    );
    // A JWT for the old password is refused too.
    let (status, _) = call(
        &sim,
        rotated,
        reqwest::Method::POST,
        "/v1/users/authorize",
        Some(json!({ "username": sim.username(), "password": sim.password() })),
    )
    .await;
    assert_eq!(status, 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_deleted_admin_cannot_sign_in_with_the_start_up_credentials() {
    let _process = crate::common::share_the_process().await;
    let sim = start(false).await;
    let (status, body) = call(
        &sim,
        startup(&sim),
        reqwest::Method::POST,
        "/v1/users",
        Some(json!({ "email": "second@example.com", "password": "second-pw", "role": "admin" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let second = ("second@example.com", "second-pw");
    let (status, body) = call(&sim, second, reqwest::Method::DELETE, "/v1/users/1", None).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &sim,
        startup(&sim),
        reqwest::Method::GET,
        "/v1/cluster",
        None,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = call(&sim, second, reqwest::Method::GET, "/v1/users/1", None).await;
    assert_eq!(status, 404, "the admin user is gone");
    sim.shutdown().await;
}

#[tokio::test]
async fn failed_sign_ins_lock_the_admin_until_another_admin_resets_it() {
    let _process = crate::common::share_the_process().await;
    let sim = start(false).await;
    let put = reqwest::Method::PUT;
    let get = reqwest::Method::GET;
    let (status, body) = call(
        &sim,
        startup(&sim),
        put.clone(),
        "/v1/cluster/policy",
        Some(json!({ "login_lockout_threshold": 3, "login_lockout_duration": 0 })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = call(
        &sim,
        startup(&sim),
        reqwest::Method::POST,
        "/v1/users",
        Some(json!({ "email": "second@example.com", "password": "second-pw", "role": "admin" })),
    )
    .await;
    assert_eq!(status, 200);
    let mut refused = 0;
    for _ in 0..3 {
        let (status, _) = call(
            &sim,
            (sim.username(), "wrong"),
            get.clone(),
            "/v1/cluster",
            None,
        )
        .await;
        refused += usize::from(status == 401);
    }
    assert_eq!(refused, 3);
    let (status, body) = call(&sim, startup(&sim), get.clone(), "/v1/cluster", None).await;
    assert_eq!(
        status, 401,
        "the right password of a locked user is refused: {body}"
    );
    assert_eq!(body["error_code"], "user_locked");
    let second = ("second@example.com", "second-pw");
    let (status, user) = call(&sim, second, get.clone(), "/v1/users/1", None).await;
    assert_eq!(status, 200);
    assert_eq!(user["status"], "locked", "{user}");
    // An admin resetting the password releases the lock.
    let (status, _) = call(
        &sim,
        second,
        put,
        "/v1/users/1",
        Some(json!({ "password": "after-lock" })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &sim,
        (sim.username(), "after-lock"),
        get.clone(),
        "/v1/cluster",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, user) = call(&sim, second, get, "/v1/users/1", None).await;
    assert_eq!(user["status"], "active", "{user}");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_fuzzing_opt_in_survives_a_password_change_and_is_refused_off_loopback() {
    let _process = crate::common::share_the_process().await;
    let sim = start(true).await;
    let (status, _) = call(
        &sim,
        startup(&sim),
        reqwest::Method::PUT,
        "/v1/users/1",
        Some(json!({ "password": "rotated-password" })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &sim,
        startup(&sim),
        reqwest::Method::GET,
        "/v1/cluster",
        None,
    )
    .await;
    assert_eq!(status, 200, "the opt-in keeps the start-up credentials");
    sim.shutdown().await;

    let wide = SocketAddr::from(([0, 0, 0, 0], 0));
    let refused = Simulator::builder()
        .no_redis(true)
        .listen(wide)
        .fuzz_admin(true)
        .start()
        .await
        .expect_err("fuzz_admin off loopback is refused");
    assert!(
        matches!(refused, SimError::FuzzAdminNotLoopback { addr } if addr == wide),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_state_file_is_private_and_holds_no_password() {
    let _process = crate::common::share_the_process().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("state.json");
    let sim = common::builder()
        .http(true)
        .password("start-up-secret")
        .state_file(path.clone())
        .start()
        .await
        .expect("the simulator starts");
    let (status, _) = call(
        &sim,
        startup(&sim),
        reqwest::Method::POST,
        "/v1/users",
        Some(json!({ "email": "dev@example.com", "password": "dev-secret", "role": "db_viewer" })),
    )
    .await;
    assert_eq!(status, 200);
    sim.shutdown().await;
    let mode = std::fs::metadata(&path)
        .expect("the state file exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    let text = std::fs::read_to_string(&path).expect("readable by its owner");
    for secret in ["start-up-secret", "dev-secret"] {
        assert!(!text.contains(secret), "{secret} is stored in clear");
    }
    // The hashes still sign in after a restart.
    let sim = common::builder()
        .http(true)
        .state_file(path)
        .start()
        .await
        .expect("the simulator restarts");
    let (status, _) = call(
        &sim,
        ("dev@example.com", "dev-secret"),
        reqwest::Method::GET,
        "/v1/bdbs",
        None,
    )
    .await;
    assert_eq!(status, 200);
    sim.shutdown().await;
}
