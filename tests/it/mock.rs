//! The typed httpmock stubs, used as a downstream crate would use them (public API only): code
//! under test talks to a mock server through the real client, and the test asserts on the calls.

use httpmock::MockServer;
use redis_enterprise_api::mock::MockServerExt;
use redis_enterprise_api::types::{Action, Bdb};
use redis_enterprise_api::{Client, Credentials};

/// "Downstream" code: creates a database unless one with that name exists.
async fn ensure_database(
    client: &Client,
    name: &str,
    memory: i64,
) -> Result<i64, redis_enterprise_api::Error> {
    let existing = client.bdb_list().send().await?.into_inner();
    if let Some(bdb) = existing.iter().find(|b| b.name.as_deref() == Some(name)) {
        return Ok(bdb.uid.unwrap_or_default());
    }
    let request = {
        let mut value = Bdb::default();
        value.name = Some(name.to_string());
        value.memory_size = Some(memory);
        value
    };
    let created = client.bdb_create(&request).send().await?.into_inner();
    Ok(created.uid.unwrap_or_default())
}

fn client(server: &MockServer) -> Client {
    Client::builder(server.base_url())
        .credentials(Credentials::basic("admin@example.com", "pw"))
        .allow_insecure_http(true)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn creates_the_database_when_missing() {
    let server = MockServer::start_async().await;
    let list = server.bdb_list(|when, then| {
        when.into_inner().header_exists("authorization");
        then.ok(&vec![{
            let mut value = Bdb::default();
            value.uid = Some(1);
            value.name = Some("other".into());
            value
        }]);
    });
    let create = server.bdb_create(|when, then| {
        let expected = {
            let mut value = Bdb::default();
            value.name = Some("cache".into());
            value.memory_size = Some(1 << 30);
            value
        };
        when.body(&expected);
        then.ok(&{
            let mut value = Bdb::default();
            value.uid = Some(7);
            value.name = Some("cache".into());
            value
        });
    });
    let uid = ensure_database(&client(&server), "cache", 1 << 30)
        .await
        .expect("created");
    assert_eq!(uid, 7);
    list.assert_calls(1);
    create.assert_calls(1);
}

#[tokio::test]
async fn reuses_an_existing_database() {
    let server = MockServer::start_async().await;
    let list = server.bdb_list(|_, then| {
        then.ok(&vec![{
            let mut value = Bdb::default();
            value.uid = Some(3);
            value.name = Some("cache".into());
            value
        }]);
    });
    let create = server.bdb_create(|_, then| {
        then.ok(&Bdb::default());
    });
    let uid = ensure_database(&client(&server), "cache", 1 << 30)
        .await
        .expect("found");
    assert_eq!(uid, 3);
    list.assert_calls(1);
    create.assert_calls(0);
}

#[test]
fn mocks_cover_every_generated_operation() {
    // One `MockServerExt` method per generated operation: the generated mock module is compared
    // with the operation table, so a new operation cannot miss its mock.
    // The trait and its impl are in `mock/mod.rs`; the wrappers are split by resource.
    let mock_source = std::fs::read_to_string(
        redis_enterprise_api_tests::repo_root().join("generated/src/generated/mock/mod.rs"),
    )
    .expect("mock/mod.rs");
    let generated: Vec<&str> = redis_enterprise_api::operations::OPERATIONS
        .iter()
        .filter(|op| !op.handwritten)
        .map(|op| op.id)
        .collect();
    let missing: Vec<&&str> = generated
        .iter()
        .filter(|id| mock_source.matches(&format!("fn {id}<F>(")).count() != 2)
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a mock (a trait method and its impl): {missing:?}"
    );
    assert_eq!(
        mock_source.matches("<F>(").count(),
        2 * generated.len(),
        "no mock for an operation the spec lacks"
    );
    println!(
        "{} generated operations, {} mocks",
        generated.len(),
        mock_source.matches("<F>(").count() / 2
    );
}

#[tokio::test]
async fn path_values_are_matched_literally_and_never_panic() {
    // A regex metacharacter in a path value matches only itself: the stub for `a.b` must not
    // answer `axb`, and a value that is not a valid regex on its own (`a(b`) builds a stub.
    let server = MockServer::start_async().await;
    let literal = server.cluster_action_get(|when, then| {
        when.action("a.b");
        then.ok(&{
            let mut value = Action::default();
            value.name = Some("a.b".into());
            value
        });
    });
    let unbalanced = server.cluster_action_get(|when, then| {
        when.action("a(b");
        then.ok(&{
            let mut value = Action::default();
            value.name = Some("a(b".into());
            value
        });
    });
    let client = client(&server);
    let found = client
        .cluster_action_get("a.b")
        .send()
        .await
        .expect("stubbed");
    assert_eq!(found.into_inner().name.as_deref(), Some("a.b"));
    let other = client.cluster_action_get("axb").send().await;
    assert_eq!(
        other
            .expect_err("no stub for axb")
            .status()
            .map(|s| s.as_u16()),
        Some(404),
        "the `.` of `a.b` matched another character"
    );
    literal.assert_calls(1);
    unbalanced.assert_calls(0);
}
