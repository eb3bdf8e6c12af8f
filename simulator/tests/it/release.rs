//! A simulator impersonating each release serves exactly that release's routes (404 for the
//! others, as its clusters answered), reports its version as the nodes' `software_version`, and
//! the client's `check_cluster_version` refuses what that release does not serve before
//! sending it.

use crate::common;

use redis_enterprise_api::operations::OPERATIONS;
use redis_enterprise_api::{Client, Credentials, Error, RetryPolicy};
use redis_enterprise_simulator::{route_in, SimError, Simulator, RELEASES};

/// The operation's path with every parameter set to `1`.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "1" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn each_release_routes_exactly_the_operations_it_serves() {
    for release in RELEASES {
        let mut served = 0;
        let mut not_served = 0;
        for op in OPERATIONS {
            let found = route_in(release.name, op.method, &concrete(op.path));
            if op.served_by(release.name) {
                assert_eq!(
                    found.map(|o| o.id),
                    Some(op.id),
                    "{} on {}",
                    op.id,
                    release.name
                );
                served += 1;
            } else {
                // A path another served operation also matches (`/v1/bdbs/{uid}` against a
                // literal segment) routes there; otherwise nothing serves it.
                assert_ne!(
                    found.map(|o| o.id),
                    Some(op.id),
                    "{} on {}",
                    op.id,
                    release.name
                );
                not_served += 1;
            }
        }
        println!(
            "release {}: {served} operations served, {not_served} not",
            release.name
        );
        assert_eq!(served + not_served, OPERATIONS.len());
        assert!(served > 150, "{} serves {served}", release.name);
        if release.name == "7.4" {
            assert!(not_served > 20, "7.4 lacks later operations: {not_served}");
        }
    }
}

/// Operations with no path parameter whose availability differs across releases, and the
/// call the client makes for each.
async fn call(client: &Client, id: &str) -> Result<(), Error> {
    match id {
        "cluster_get" => client.cluster_get().send().await.map(drop),
        "cm_settings_get" => client.cm_settings_get().send().await.map(drop),
        "usage_report_get" => client.usage_report_get().send().await.map(drop),
        "cluster_health_get" => client.cluster_health_get().send().await.map(drop),
        "user_permissions_list" => client.user_permissions_list().send().await.map(drop),
        other => panic!("no call for {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_release_reports_its_version_and_the_client_checks_it() {
    let _process = crate::common::share_the_process().await;
    let ids = [
        "cluster_get",
        "cm_settings_get",
        "usage_report_get",
        "cluster_health_get",
        "user_permissions_list",
    ];
    let mut checked = 0;
    let mut refused = 0;
    for release in RELEASES {
        let sim = common::builder()
            .no_redis(true)
            .release(release.name)
            .start()
            .await
            .expect("the simulator starts");
        assert_eq!(sim.release(), release.name);
        let credentials = || Credentials::basic(sim.username(), sim.password());
        let checking = Client::builder(sim.base_url())
            .credentials(credentials())
            .add_ca_certificate_pem(sim.ca_pem())
            .retry_policy(RetryPolicy::disabled())
            .check_cluster_version(true)
            .build()
            .expect("the client builds");
        let unchecked = common::client(&sim);
        let version = checking.cluster_version().await.expect("the version");
        assert_eq!(version, release.software_version);
        for id in ids {
            let op = OPERATIONS
                .iter()
                .find(|o| o.id == id)
                .expect("an operation");
            let served = op.served_by(release.name);
            match call(&checking, id).await {
                Ok(()) => assert!(served, "{id} on {}", release.name),
                Err(Error::NotServed(why)) => {
                    assert!(!served, "{id} on {}: {why:?}", release.name);
                    refused += 1;
                    // Sent anyway, the simulator answers as the release's clusters did.
                    let err = call(&unchecked, id).await.expect_err("not served");
                    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{id}");
                }
                Err(e) => panic!("{id} on {}: {e}", release.name),
            }
            checked += 1;
        }
        sim.shutdown().await;
    }
    println!("{checked} calls checked, {refused} refused before sending");
    assert_eq!(checked, RELEASES.len() * ids.len());
    // cm_settings (7.8), usage_report (7.22), cluster_health and user_permissions (8.0).
    assert!(refused >= 4, "{refused}");
}

#[tokio::test]
async fn an_unknown_release_is_refused() {
    let _process = crate::common::share_the_process().await;
    let err = Simulator::builder()
        .no_redis(true)
        .release("6.0")
        .start()
        .await
        .expect_err("6.0 is not impersonated");
    assert!(
        matches!(err, SimError::UnknownRelease { ref release } if release == "6.0"),
        "{err:?}"
    );
}
