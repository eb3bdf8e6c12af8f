//! The MCP server driven by a real MCP client (rmcp's, over the server's stdio) against the
//! simulator: the tools listed under each policy are exactly those the operation table allows,
//! a read tool and a write tool work, a failed call is a tool error with status and
//! `error_code`, and a destructive tool is neither listed nor callable without
//! `--allow-destructive`.

use std::path::Path;
use std::time::Duration;

use redis_enterprise_api::operations::{Safety, OPERATIONS};
use redis_enterprise_simulator::Simulator;
use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_redis-enterprise-mcp");
/// The workflow tools (create and update are `write`, delete is `destructive`).
const WORKFLOW_WRITES: usize = 2;
const WORKFLOW_DESTRUCTIVE: usize = 1;

async fn connect(sim: &Simulator, ca: &Path, flags: &[&str]) -> RunningService<RoleClient, ()> {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(flags)
        .env_clear()
        .env("REDIS_ENTERPRISE_URL", sim.base_url())
        .env("REDIS_ENTERPRISE_USER", sim.username())
        .env("REDIS_ENTERPRISE_PASSWORD", sim.password())
        .env("REDIS_ENTERPRISE_CA_CERT", ca);
    let transport = TokioChildProcess::new(cmd).expect("the server starts");
    ().serve(transport)
        .await
        .expect("the MCP handshake succeeds")
}

fn count(safety: Safety) -> usize {
    OPERATIONS
        .iter()
        .filter(|o| o.safety == safety && !o.handwritten)
        .count()
}

fn text(result: &CallToolResult) -> Value {
    let ContentBlock::Text(t) = result.content.first().expect("one content block") else {
        panic!("not text: {result:?}");
    };
    serde_json::from_str(&t.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", t.text))
}

async fn call(
    client: &RunningService<RoleClient, ()>,
    name: &'static str,
    args: Value,
) -> Result<CallToolResult, rmcp::ServiceError> {
    let Value::Object(args) = args else {
        panic!("arguments are an object");
    };
    client
        .call_tool(CallToolRequestParams::new(name).with_arguments(args))
        .await
}

async fn names(client: &RunningService<RoleClient, ()>) -> Vec<String> {
    client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_server_against_the_simulator() {
    let sim = Simulator::builder()
        .no_redis(true)
        .action_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("simulator starts");
    let dir = std::env::temp_dir().join(format!("redis-enterprise-mcp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, sim.ca_pem()).expect("CA written");

    // Read-only by default: every read operation, nothing else.
    let client = connect(&sim, &ca, &[]).await;
    let listed = names(&client).await;
    assert_eq!(listed.len(), count(Safety::Read));
    assert!(listed.contains(&"bdb_list".to_string()));
    assert!(!listed.contains(&"bdb_create".to_string()));
    let tools = client.list_all_tools().await.expect("tools/list");
    let bdb_get = tools.iter().find(|t| t.name == "bdb_get").expect("bdb_get");
    let hints = bdb_get.annotations.as_ref().expect("annotations");
    assert_eq!(hints.read_only_hint, Some(true));
    assert!(bdb_get.input_schema["required"]
        .as_array()
        .is_some_and(|r| r.contains(&json!("uid"))));
    let listed_dbs = call(&client, "bdb_list", json!({}))
        .await
        .expect("bdb_list");
    assert_eq!(listed_dbs.is_error, Some(false));
    assert_eq!(text(&listed_dbs), json!([]));
    let refused = call(
        &client,
        "bdb_create",
        json!({"body": {"name": "x", "memory_size": 1}}),
    )
    .await;
    assert!(
        refused.is_err(),
        "a write tool is callable read-only: {refused:?}"
    );
    let missing = call(&client, "bdb_get", json!({"uid": 999}))
        .await
        .expect("bdb_get");
    assert_eq!(missing.is_error, Some(true));
    assert_eq!(text(&missing)["status"], 404);
    client.cancel().await.expect("client stops");

    // Writes: reads, writes and the two write workflows; still no destructive tool.
    let client = connect(&sim, &ca, &["--allow-writes"]).await;
    let listed = names(&client).await;
    assert_eq!(
        listed.len(),
        count(Safety::Read) + count(Safety::Write) + WORKFLOW_WRITES
    );
    assert!(!listed.contains(&"bdb_delete".to_string()));
    let created = call(
        &client,
        "create_database_and_wait",
        json!({"body": {"name": "mcp-db", "memory_size": 104857600}}),
    )
    .await
    .expect("create_database_and_wait");
    assert_eq!(created.is_error, Some(false), "{created:?}");
    let bdb = text(&created);
    assert_eq!(bdb["status"], "active");
    let uid = bdb["uid"].as_i64().expect("uid");
    let raw = call(
        &client,
        "bdb_create",
        json!({"body": {"name": "mcp-db-2", "memory_size": 104857600}}),
    )
    .await
    .expect("bdb_create");
    assert_eq!(raw.is_error, Some(false), "{raw:?}");
    let uid2 = text(&raw)["uid"].as_i64().expect("uid");
    let taken = call(
        &client,
        "bdb_create",
        json!({"body": {"uid": uid, "name": "again", "memory_size": 104857600}}),
    )
    .await
    .expect("bdb_create");
    assert_eq!(taken.is_error, Some(true));
    assert_eq!(text(&taken)["status"], 409, "{taken:?}");
    assert!(text(&taken)["error_code"].is_string(), "{taken:?}");
    let refused = call(&client, "bdb_delete", json!({"uid": uid})).await;
    assert!(
        refused.is_err(),
        "a destructive tool is callable: {refused:?}"
    );
    client.cancel().await.expect("client stops");

    // Destructive too: every operation with a JSON interface and every workflow.
    let client = connect(&sim, &ca, &["--allow-writes", "--allow-destructive"]).await;
    let listed = names(&client).await;
    assert_eq!(
        listed.len(),
        count(Safety::Read)
            + count(Safety::Write)
            + count(Safety::Destructive)
            + WORKFLOW_WRITES
            + WORKFLOW_DESTRUCTIVE
    );
    let deleted = call(&client, "delete_database_and_wait", json!({"uid": uid}))
        .await
        .expect("delete_database_and_wait");
    assert_eq!(deleted.is_error, Some(false), "{deleted:?}");
    // The second database's create action must end before it can be deleted (not busy).
    let mut active = false;
    for _ in 0..100 {
        let got = call(&client, "bdb_get", json!({"uid": uid2}))
            .await
            .expect("bdb_get");
        if text(&got)["status"] == "active" {
            active = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(active, "database {uid2} never became active");
    let deleted = call(&client, "bdb_delete", json!({"uid": uid2}))
        .await
        .expect("bdb_delete");
    assert_eq!(deleted.is_error, Some(false), "{deleted:?}");
    client.cancel().await.expect("client stops");

    // Allow and deny lists by tag and operationId.
    let client = connect(&sim, &ca, &["--allow", "users,roles", "--deny", "user_get"]).await;
    let listed = names(&client).await;
    let expected = OPERATIONS
        .iter()
        .filter(|o| {
            (o.tag == "users" || o.tag == "roles") && o.id != "user_get" && o.safety == Safety::Read
        })
        .count();
    assert_eq!(listed.len(), expected);
    assert!(call(&client, "user_get", json!({"uid": 1})).await.is_err());
    client.cancel().await.expect("client stops");

    sim.shutdown().await;
    std::fs::remove_dir_all(&dir).expect("temp dir removed");
}
