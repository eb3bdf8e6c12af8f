//! Every operation of the spec, through the generated (or hand-written) client method, against
//! Prism: an independent OpenAPI mock server that validates each request against
//! `spec/redis-enterprise.yaml` and answers from the spec. Prism runs in static mode (the spec's
//! examples) and in dynamic mode with several seeds (random schema-valid data), so this checks
//! that what the client sends satisfies the spec and that whatever the spec allows decodes.
//! Prism runs with `--errors`, so an answer that does not match its own response schema (a spec
//! example that contradicts its schema) is a 500 and fails too.
//!
//! The operation list comes from `OPERATIONS`: an operation without an arm in [`call`] fails the
//! test, so a new operation cannot slip in untested. Request bodies are the spec's own request
//! examples, decoded into the generated body type and sent by the client (an empty object, i.e.
//! `Default::default()`, where the spec has no example).

// Every operation is called on purpose, the deprecated ones (v1 statistics) included.
#![allow(deprecated)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use redis_enterprise_api::operations::{Operation, OPERATIONS};
use redis_enterprise_api::types::{self, StatsInterval};
use redis_enterprise_api::{ByteStream, Client, Error, ResponseValue, RetryPolicy};
use redis_enterprise_api_tests::{repo_root, tools};
use serde_json::Value;

/// Operations Prism itself cannot serve, whatever the spec says: (operationId, why). The test
/// fails when one of them passes in every mode, so the list only shrinks.
const PRISM_CANNOT_SERVE: &[(&str, &str)] = &[];

/// Failures caused by the spec or the client, reported to the spec owner and listed here only so
/// that the test stays green until they are fixed: (operationId, what fails). The test fails when
/// one of them passes in every mode (remove it then).
const KNOWN_SPEC_BUGS: &[(&str, &str)] = &[];

/// Seeds of the dynamic runs.
const SEEDS: &[u64] = &[1, 2];

/// How long one request may take before it counts as a failure.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

const CRDB_GUID: &str = "552bbccb-99f3-4142-bd17-93d245f0bc79";
const TASK_ID: &str = "e39c8e87-75f9-4891-8d0b-9d2f5b5d1b8a";
const ACTION_UID: &str = "21ad01d5-55aa-4ec6-b5c0-44dc95176486";
const MODULE_UID: &str = "1952fcf9a5109fb59e61b1ad4d7e2d88";

/// An empty `.zip` archive (just the end-of-central-directory record): the module uploads only
/// need a file part.
fn empty_zip() -> Vec<u8> {
    let mut zip = b"PK\x05\x06".to_vec();
    zip.resize(22, 0);
    zip
}

// ---------------------------------------------------------------------------------------------
// Prism
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Static,
    Dynamic(u64),
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Static => write!(f, "static"),
            Mode::Dynamic(seed) => write!(f, "dynamic, seed {seed}"),
        }
    }
}

/// A running `prism mock`; dropping it kills the process (also when the test panics).
struct Prism {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prism {
    fn start(exe: &Path, mode: Mode) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder for Prism's log");
        let log = dir.path().join("prism.log");
        let out = std::fs::File::create(&log).expect("create Prism's log");
        let err = out.try_clone().expect("clone Prism's log handle");
        // Free now; Prism binds it a moment later (readiness also checks Prism's own banner).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let mut command = Command::new(exe);
        command
            .arg("mock")
            .arg(repo_root().join(codegen::SPEC_PATH))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            // Also validate every answer Prism builds (the spec's examples, or generated data)
            // against the response schema, and answer 500 when it does not conform.
            .arg("--errors");
        if let Mode::Dynamic(seed) = mode {
            command.args(["--dynamic", "--seed", &seed.to_string()]);
        }
        let child = command
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("prism starts");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until Prism accepts connections and has said it listens on its port.
    async fn wait_ready(&mut self, mode: Mode) {
        let started = Instant::now();
        let address = self.url.trim_start_matches("http://").to_string();
        let banner = format!("Prism is listening on {}", self.url);
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("Prism ({mode}) exited with {status}:\n{}", self.log());
            }
            if tokio::net::TcpStream::connect(&address).await.is_ok()
                && self.log().contains(&banner)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "Prism ({mode}) did not become ready on {} within 60 s:\n{}",
            self.url,
            self.log()
        );
    }
}

fn prism_version(exe: &Path) -> String {
    let output = Command::new(exe)
        .arg("--version")
        .output()
        .expect("prism --version runs");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Prism's log cut into one block per request, in order: (method, path, lines).
fn request_blocks(log: &str) -> Vec<(String, String, String)> {
    let mut blocks: Vec<(String, String, String)> = Vec::new();
    for line in log.lines() {
        if let Some(rest) = line.split("[HTTP SERVER] ").nth(1) {
            if line.contains("Request received") {
                let mut words = rest.split_whitespace();
                let method = words.next().unwrap_or_default().to_uppercase();
                let path = words.next().unwrap_or_default().to_string();
                blocks.push((method, path, String::new()));
            }
        }
        if let Some(block) = blocks.last_mut() {
            block.2.push_str(line);
            block.2.push('\n');
        }
    }
    blocks
}

/// Whether a request path (no query) is an instance of the operation's path template.
fn path_matches(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

// ---------------------------------------------------------------------------------------------
// Request bodies and response descriptions
// ---------------------------------------------------------------------------------------------

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let bytes = std::fs::read(repo_root().join(codegen::SPEC_PATH)).expect("spec is readable");
        serde_yaml::from_slice(&bytes).expect("spec is YAML")
    })
}

fn resolve(mut value: &Value) -> &Value {
    while let Some(r) = value.get("$ref").and_then(Value::as_str) {
        value = spec()
            .pointer(r.trim_start_matches('#'))
            .expect("refs resolve");
    }
    value
}

/// The request example of an operation's JSON body, or `{}` when the spec has none.
fn request_example(id: &str) -> Value {
    let paths = spec()["paths"].as_object().expect("paths");
    let operation = paths
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(id))
        .unwrap_or_else(|| panic!("{id} is in the spec"));
    let media = resolve(&operation["requestBody"])["content"]["application/json"].clone();
    if let Some(example) = media.get("example") {
        return example.clone();
    }
    if let Some(examples) = media.get("examples").and_then(Value::as_object) {
        if let Some(first) = examples.values().next() {
            return resolve(first)["value"].clone();
        }
    }
    Value::Object(Default::default())
}

/// The operation's request example as its generated body type.
fn example<T: serde::de::DeserializeOwned>(id: &str) -> Result<T, Error> {
    serde_json::from_value(request_example(id)).map_err(|e| {
        Error::InvalidRequest(format!(
            "the spec's request example of {id} does not decode into the body type: {e}"
        ))
    })
}

/// `let body = example!(id);`: the request example, or the failure of this operation.
macro_rules! example {
    ($id:expr) => {
        match example($id) {
            Ok(body) => body,
            Err(e) => return Some(Err(e)),
        }
    };
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// A one-line summary of a decoded success.
fn describe<T: std::fmt::Debug>(response: ResponseValue<T>) -> String {
    format!(
        "{} {}",
        response.status(),
        truncate(&format!("{:?}", response.into_inner()), 160)
    )
}

/// Reads a byte-stream response to its end.
async fn drained(response: Result<ResponseValue<ByteStream>, Error>) -> Result<String, Error> {
    let response = response?;
    let status = response.status();
    let mut stream = response.into_inner().into_inner();
    let mut bytes = 0usize;
    while let Some(chunk) = stream.next().await {
        bytes += chunk.map_err(Error::Transport)?.len();
    }
    Ok(format!("{status} {bytes} bytes"))
}

/// The error with its sources (the decode path and serde's message) and the response body.
fn explain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        let _ = write!(text, ": {s}");
        source = s.source();
    }
    if let Some(body) = error.body().filter(|b| !b.is_empty()) {
        let _ = write!(
            text,
            "\n      body: {}",
            truncate(&String::from_utf8_lossy(body), 2000)
        );
    }
    text
}

// ---------------------------------------------------------------------------------------------
// One call per operation
// ---------------------------------------------------------------------------------------------

/// Calls operation `id` with valid arguments; `None` when there is no arm for it.
async fn call(client: &Client, id: &str) -> Option<Result<String, Error>> {
    match id {
        "bdb_list" => Some(
            client
                .bdb_list()
                .extended(true)
                .fields("uid,name")
                .send()
                .await
                .map(describe),
        ),
        "bdb_create" => {
            let body = example!(id);
            Some(
                client
                    .bdb_create(&body)
                    .dry_run(true)
                    .cluster_state_id(42)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_create_v2" => {
            let body = example!(id);
            Some(
                client
                    .bdb_create_v2(&body)
                    .dry_run(true)
                    .cluster_state_id(42)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_get" => Some(
            client
                .bdb_get(1)
                .extended(true)
                .fields("uid,name")
                .send()
                .await
                .map(describe),
        ),
        "bdb_update" => {
            let body = example!(id);
            Some(
                client
                    .bdb_update(1, &body)
                    .dry_run(true)
                    .cluster_state_id(42)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_delete" => Some(client.bdb_delete(1).send().await.map(describe)),
        "bdb_update_with_action" => {
            let body = example!(id);
            Some(
                client
                    .bdb_update_with_action(1, "flush", &body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_action_backup_reset_status" => Some(
            client
                .bdb_action_backup_reset_status(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_action_export_reset_status" => Some(
            client
                .bdb_action_export_reset_status(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_action_export" => {
            let body = example!(id);
            Some(
                client
                    .bdb_action_export(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_action_import_reset_status" => Some(
            client
                .bdb_action_import_reset_status(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_action_import" => {
            let body = example!(id);
            Some(
                client
                    .bdb_action_import(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_action_optimize_shards_placement" => Some(
            client
                .bdb_action_optimize_shards_placement(1)
                .avoid_nodes("2,3")
                .bigstore_ram_size(1 << 30)
                .memory_size(1 << 30)
                .replication(types::BdbActionOptimizeShardsPlacementReplication::Enabled)
                .shards_count(2)
                .shards_placement(types::BdbShardsPlacement::Sparse)
                .send()
                .await
                .map(describe),
        ),
        "bdb_action_rebalance" => Some(
            client
                .bdb_action_rebalance(1)
                .dry_run(true)
                .max_operations(4)
                .only_failovers(true)
                .send()
                .await
                .map(describe),
        ),
        "bdb_action_recover_plan_get" => Some(
            client
                .bdb_action_recover_plan_get(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_action_recover" => {
            let body = example!(id);
            Some(
                client
                    .bdb_action_recover(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_action_resume_traffic" => Some(
            client
                .bdb_action_resume_traffic(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_action_stop_traffic" => {
            Some(client.bdb_action_stop_traffic(1).send().await.map(describe))
        }
        "bdb_action_revamp" => {
            let body = example!(id);
            Some(
                client
                    .bdb_action_revamp(1, &body)
                    .dry_run(true)
                    .pause_persistence(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_alerts_list_all" => Some(client.bdb_alerts_list_all().send().await.map(describe)),
        "bdb_alerts_list" => Some(client.bdb_alerts_list(1).send().await.map(describe)),
        "bdb_alerts_update" => {
            let body = example!(id);
            Some(
                client
                    .bdb_alerts_update(1, &body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_alert_get" => Some(
            client
                .bdb_alert_get(1, "bdb_size")
                .send()
                .await
                .map(describe),
        ),
        "bdb_crdt_source_alerts_list_all" => Some(
            client
                .bdb_crdt_source_alerts_list_all()
                .send()
                .await
                .map(describe),
        ),
        "bdb_crdt_source_alerts_list" => Some(
            client
                .bdb_crdt_source_alerts_list(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_crdt_source_alerts_get" => Some(
            client
                .bdb_crdt_source_alerts_get(1, 1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_crdt_source_alert_get" => Some(
            client
                .bdb_crdt_source_alert_get(1, 1, "bdb_size")
                .send()
                .await
                .map(describe),
        ),
        "bdb_replica_source_alerts_list_all" => Some(
            client
                .bdb_replica_source_alerts_list_all()
                .send()
                .await
                .map(describe),
        ),
        "bdb_replica_source_alerts_list" => Some(
            client
                .bdb_replica_source_alerts_list(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_replica_source_alerts_get" => Some(
            client
                .bdb_replica_source_alerts_get(1, 1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_replica_source_alert_get" => Some(
            client
                .bdb_replica_source_alert_get(1, 1, "bdb_size")
                .send()
                .await
                .map(describe),
        ),
        "bdb_availability_get" => Some(
            client
                .bdb_availability_get(1)
                .availability_lag_tolerance_ms(100)
                .extend_check("lag")
                .send()
                .await
                .map(describe),
        ),
        "bdb_endpoint_availability_get_local" => Some(
            client
                .bdb_endpoint_availability_get_local(1)
                .availability_lag_tolerance_ms(100)
                .extend_check("lag")
                .send()
                .await
                .map(describe),
        ),
        "bdb_debuginfo_get_all" => Some(drained(client.bdb_debuginfo_get_all().send().await).await),
        "bdb_debuginfo_get" => Some(drained(client.bdb_debuginfo_get(1).send().await).await),
        "bdb_modules_config" => {
            let body = example!(id);
            Some(
                client
                    .bdb_modules_config(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_modules_upgrade" => {
            let body = example!(id);
            Some(
                client
                    .bdb_modules_upgrade(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_password_update" => {
            let body = example!(id);
            Some(
                client
                    .bdb_password_update(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_password_add" => {
            let body = example!(id);
            Some(client.bdb_password_add(1, &body).send().await.map(describe))
        }
        "bdb_password_delete" => {
            let body = example!(id);
            Some(
                client
                    .bdb_password_delete(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_peer_stats_list" => Some(
            client
                .bdb_peer_stats_list(1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "bdb_peer_stats_get" => Some(
            client
                .bdb_peer_stats_get(1, 1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "bdb_shards_list" => Some(
            client
                .bdb_shards_list(1)
                .extra_info_keys("used_memory_rss")
                .send()
                .await
                .map(describe),
        ),
        "bdb_stats_list" => Some(
            client
                .bdb_stats_list()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "bdb_stats_get" => Some(
            client
                .bdb_stats_get(1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "bdb_stats_last_list" => Some(
            client
                .bdb_stats_last_list()
                .metrics("avg_latency")
                .send()
                .await
                .map(describe),
        ),
        "bdb_stats_last_get" => Some(
            client
                .bdb_stats_last_get(1)
                .metrics("avg_latency")
                .send()
                .await
                .map(describe),
        ),
        "bdb_sync_source_stats_list" => Some(
            client
                .bdb_sync_source_stats_list(1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "bdb_sync_source_stats_get" => Some(
            client
                .bdb_sync_source_stats_get(1, 1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "bdb_syncer_state_get" => Some(client.bdb_syncer_state_get(1).send().await.map(describe)),
        "bdb_syncer_state_crdt_get" => Some(
            client
                .bdb_syncer_state_crdt_get(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_syncer_state_replica_get" => Some(
            client
                .bdb_syncer_state_replica_get(1)
                .send()
                .await
                .map(describe),
        ),
        "bdb_upgrade" => {
            let body = example!(id);
            Some(client.bdb_upgrade(1, &body).send().await.map(describe))
        }
        "bdb_certificate_list" => Some(
            client
                .bdb_certificate_list()
                .expires_before("2026-12-31T00:00:00Z")
                .page(1)
                .page_size(50)
                .tls_mode(types::BdbCertificateListTlsMode::Enabled)
                .send()
                .await
                .map(describe),
        ),
        "bdb_certificate_get" => Some(client.bdb_certificate_get(1).send().await.map(describe)),
        "bdb_certificate_set" => {
            let body = example!(id);
            Some(
                client
                    .bdb_certificate_set(1, &body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bdb_certificate_delete" => {
            Some(client.bdb_certificate_delete(1).send().await.map(describe))
        }
        "bdb_health_get" => Some(
            client
                .bdb_health_get("1")
                .issues_only(true)
                .send()
                .await
                .map(describe),
        ),
        "cluster_get" => Some(client.cluster_get().send().await.map(describe)),
        "cluster_update" => {
            let body = example!(id);
            Some(
                client
                    .cluster_update(&body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_action_list" => Some(client.cluster_action_list().send().await.map(describe)),
        "cluster_action_get" => Some(
            client
                .cluster_action_get("change_master")
                .send()
                .await
                .map(describe),
        ),
        "cluster_action_start" => {
            let body = example!(id);
            Some(
                client
                    .cluster_action_start("change_master", &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_action_cancel" => Some(
            client
                .cluster_action_cancel("change_master")
                .send()
                .await
                .map(describe),
        ),
        "cluster_alerts_list" => Some(
            client
                .cluster_alerts_list()
                .ignore_settings(true)
                .send()
                .await
                .map(describe),
        ),
        "cluster_alert_get" => Some(
            client
                .cluster_alert_get("cluster_too_few_nodes_for_replication")
                .ignore_settings(true)
                .send()
                .await
                .map(describe),
        ),
        "cluster_auditing_db_conns_get" => Some(
            client
                .cluster_auditing_db_conns_get()
                .send()
                .await
                .map(describe),
        ),
        "cluster_auditing_db_conns_update" => {
            let body = example!(id);
            Some(
                client
                    .cluster_auditing_db_conns_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_auditing_db_conns_delete" => Some(
            client
                .cluster_auditing_db_conns_delete()
                .send()
                .await
                .map(describe),
        ),
        "cluster_certificates_get" => {
            Some(client.cluster_certificates_get().send().await.map(describe))
        }
        "cluster_certificates_update" => {
            let body = example!(id);
            Some(
                client
                    .cluster_certificates_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_certificate_update" => {
            let body = example!(id);
            Some(
                client
                    .cluster_certificate_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_certificate_delete" => Some(
            client
                .cluster_certificate_delete("syncer")
                .send()
                .await
                .map(describe),
        ),
        "cluster_certificates_rotate" => {
            let body = example!(id);
            Some(
                client
                    .cluster_certificates_rotate(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_password_hashing_algorithm_update" => {
            let body = example!(id);
            Some(
                client
                    .cluster_password_hashing_algorithm_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_check_get" => Some(client.cluster_check_get().send().await.map(describe)),
        "cluster_debuginfo_get" => Some(drained(client.cluster_debuginfo_get().send().await).await),
        "cluster_ldap_get" => Some(client.cluster_ldap_get().send().await.map(describe)),
        "cluster_ldap_update" => {
            let body = example!(id);
            Some(client.cluster_ldap_update(&body).send().await.map(describe))
        }
        "cluster_ldap_delete" => Some(client.cluster_ldap_delete().send().await.map(describe)),
        "cluster_module_capabilities_get" => Some(
            client
                .cluster_module_capabilities_get()
                .send()
                .await
                .map(describe),
        ),
        "cluster_policy_get" => Some(client.cluster_policy_get().send().await.map(describe)),
        "cluster_policy_update" => {
            let body = example!(id);
            Some(
                client
                    .cluster_policy_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_services_configuration_get" => Some(
            client
                .cluster_services_configuration_get()
                .send()
                .await
                .map(describe),
        ),
        "cluster_services_configuration_update" => {
            let body = example!(id);
            Some(
                client
                    .cluster_services_configuration_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_sso_get" => Some(client.cluster_sso_get().send().await.map(describe)),
        "cluster_sso_update" => {
            let body = example!(id);
            Some(client.cluster_sso_update(&body).send().await.map(describe))
        }
        "cluster_sso_delete" => Some(client.cluster_sso_delete().send().await.map(describe)),
        "cluster_sso_saml_metadata_sp_get" => {
            Some(drained(client.cluster_sso_saml_metadata_sp_get().send().await).await)
        }
        "cluster_sso_saml_metadata_idp_upload" => {
            let body = example!(id);
            Some(
                client
                    .cluster_sso_saml_metadata_idp_upload(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cluster_health_get" => Some(
            client
                .cluster_health_get()
                .issues_only(true)
                .send()
                .await
                .map(describe),
        ),
        "node_list" => Some(client.node_list().send().await.map(describe)),
        "node_get" => Some(client.node_get(1).send().await.map(describe)),
        "node_update" => {
            let body = example!(id);
            Some(client.node_update(1, &body).send().await.map(describe))
        }
        "node_action_list_all" => Some(client.node_action_list_all().send().await.map(describe)),
        "node_action_list" => Some(client.node_action_list(1).send().await.map(describe)),
        "node_action_get" => Some(
            client
                .node_action_get(1, "maintenance_on")
                .send()
                .await
                .map(describe),
        ),
        "node_action_start" => {
            let body = example!(id);
            Some(
                client
                    .node_action_start(1, "maintenance_on", &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "node_action_cancel" => Some(
            client
                .node_action_cancel(1, "maintenance_on")
                .send()
                .await
                .map(describe),
        ),
        "node_alerts_list_all" => Some(
            client
                .node_alerts_list_all()
                .ignore_settings(true)
                .send()
                .await
                .map(describe),
        ),
        "node_alerts_list" => Some(
            client
                .node_alerts_list(1)
                .ignore_settings(true)
                .send()
                .await
                .map(describe),
        ),
        "node_alert_get" => Some(
            client
                .node_alert_get(1, "node_cpu_utilization")
                .ignore_settings(true)
                .send()
                .await
                .map(describe),
        ),
        "node_check_get" => Some(client.node_check_get(1).send().await.map(describe)),
        "node_debuginfo_get_all" => {
            Some(drained(client.node_debuginfo_get_all().send().await).await)
        }
        "node_debuginfo_get" => Some(drained(client.node_debuginfo_get(1).send().await).await),
        "node_snapshot_list" => Some(client.node_snapshot_list(1).send().await.map(describe)),
        "node_snapshot_delete" => Some(
            client
                .node_snapshot_delete(1, "nightly")
                .send()
                .await
                .map(describe),
        ),
        "node_stats_list" => Some(
            client
                .node_stats_list()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "node_stats_get" => Some(
            client
                .node_stats_get(1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "node_stats_last_list" => Some(
            client
                .node_stats_last_list()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "node_stats_last_get" => Some(
            client
                .node_stats_last_get(1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "node_status_list" => Some(client.node_status_list().send().await.map(describe)),
        "node_status_get" => Some(client.node_status_get(1).send().await.map(describe)),
        "node_master_healthcheck_get" => Some(
            client
                .node_master_healthcheck_get()
                .send()
                .await
                .map(describe),
        ),
        "shard_list" => Some(
            client
                .shard_list()
                .extra_info_keys("used_memory_rss")
                .send()
                .await
                .map(describe),
        ),
        "shard_get" => Some(
            client
                .shard_get(1)
                .extra_info_keys("used_memory_rss")
                .send()
                .await
                .map(describe),
        ),
        "shard_action_migrate_many" => {
            let body = example!(id);
            Some(
                client
                    .shard_action_migrate_many(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "shard_action_migrate" => {
            let body = example!(id);
            Some(
                client
                    .shard_action_migrate(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "shard_action_failover_many" => {
            let body = example!(id);
            Some(
                client
                    .shard_action_failover_many(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "shard_action_failover" => {
            let body = example!(id);
            Some(
                client
                    .shard_action_failover(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "shard_stats_list" => Some(
            client
                .shard_stats_list()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .metrics("avg_latency")
                .parent_uid(1)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "shard_stats_get" => Some(
            client
                .shard_stats_get(1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "shard_stats_last_list" => Some(
            client
                .shard_stats_last_list()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "shard_stats_last_get" => Some(
            client
                .shard_stats_last_get(1)
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "cluster_stats_get" => Some(
            client
                .cluster_stats_get()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "cluster_stats_last_get" => Some(
            client
                .cluster_stats_last_get()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "endpoint_stats_list" => Some(
            client
                .endpoint_stats_list()
                .etime("2015-05-28T12:00:00Z")
                .interval(StatsInterval::V1hour)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "proxy_list" => Some(client.proxy_list().send().await.map(describe)),
        "proxy_update_all" => {
            let body = example!(id);
            Some(client.proxy_update_all(&body).send().await.map(describe))
        }
        "proxy_get" => Some(client.proxy_get(1).send().await.map(describe)),
        "proxy_update" => {
            let body = example!(id);
            Some(client.proxy_update(1, &body).send().await.map(describe))
        }
        "debuginfo_all_get" => Some(drained(client.debuginfo_all_get().send().await).await),
        "debuginfo_all_bdb_get" => {
            Some(drained(client.debuginfo_all_bdb_get(1).send().await).await)
        }
        "debuginfo_node_get" => Some(drained(client.debuginfo_node_get().send().await).await),
        "debuginfo_node_bdb_get" => {
            Some(drained(client.debuginfo_node_bdb_get(1).send().await).await)
        }
        "bootstrap_get" => Some(client.bootstrap_get().send().await.map(describe)),
        "bootstrap_start" => {
            let body = example!(id);
            Some(
                client
                    .bootstrap_start("create_cluster", &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "bootstrap_validate" => {
            let body = example!(id);
            Some(
                client
                    .bootstrap_validate("create_cluster", &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "suffix_get" => Some(client.suffix_get("cluster.fqdn").send().await.map(describe)),
        "suffix_list" => Some(client.suffix_list().send().await.map(describe)),
        "usage_report_get" => Some(drained(client.usage_report_get().send().await).await),
        "migration_get" => Some(client.migration_get(1).send().await.map(describe)),
        "jsonschema_get" => Some(
            client
                .jsonschema_get()
                .object("bdb")
                .send()
                .await
                .map(describe),
        ),
        "diagnostics_get" => Some(client.diagnostics_get().send().await.map(describe)),
        "diagnostics_update" => {
            let body = example!(id);
            Some(client.diagnostics_update(&body).send().await.map(describe))
        }
        "logs_list" => Some(
            client
                .logs_list()
                .etime("2015-05-28T12:00:00Z")
                .limit(100)
                .offset(0)
                .order(types::LogsOrder::Desc)
                .stime("2015-05-27T12:00:00Z")
                .send()
                .await
                .map(describe),
        ),
        "crdb_task_list" => Some(client.crdb_task_list().send().await.map(describe)),
        "crdb_task_get" => Some(
            client
                .crdb_task_get(TASK_ID)
                .verbose(true)
                .x_result_ttl(60)
                .send()
                .await
                .map(describe),
        ),
        "crdb_task_action_cancel" => Some(
            client
                .crdb_task_action_cancel(TASK_ID)
                .force(true)
                .send()
                .await
                .map(describe),
        ),
        "crdb_list" => Some(
            client
                .crdb_list()
                .x_result_ttl(60)
                .x_task_id(TASK_ID)
                .send()
                .await
                .map(describe),
        ),
        "crdb_create" => {
            let body = example!(id);
            Some(
                client
                    .crdb_create(&body)
                    .dry_run(true)
                    .x_result_ttl(60)
                    .x_task_id(TASK_ID)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "crdb_get" => Some(
            client
                .crdb_get(CRDB_GUID)
                .instance_id(1)
                .x_result_ttl(60)
                .x_task_id(TASK_ID)
                .send()
                .await
                .map(describe),
        ),
        "crdb_delete" => Some(
            client
                .crdb_delete(CRDB_GUID)
                .x_result_ttl(60)
                .x_task_id(TASK_ID)
                .send()
                .await
                .map(describe),
        ),
        "crdb_update" => {
            let body = example!(id);
            Some(
                client
                    .crdb_update(CRDB_GUID, &body)
                    .x_result_ttl(60)
                    .x_task_id(TASK_ID)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "crdb_flush" => Some(
            client
                .crdb_flush(CRDB_GUID)
                .async_flush(true)
                .x_result_ttl(60)
                .x_task_id(TASK_ID)
                .send()
                .await
                .map(describe),
        ),
        "crdb_health_report_get" => Some(
            client
                .crdb_health_report_get(CRDB_GUID)
                .instance_id(1)
                .send()
                .await
                .map(describe),
        ),
        "crdb_purge" => {
            let body = example!(id);
            Some(
                client
                    .crdb_purge(CRDB_GUID, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "crdb_modify" => {
            let body = example!(id);
            Some(
                client
                    .crdb_modify(CRDB_GUID, &body)
                    .dry_run(true)
                    .x_result_ttl(60)
                    .x_task_id(TASK_ID)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "crdb_upgrade" => {
            let body = example!(id);
            Some(
                client
                    .crdb_upgrade(CRDB_GUID, &body)
                    .x_result_ttl(60)
                    .x_task_id(TASK_ID)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "module_list" => Some(client.module_list().send().await.map(describe)),
        "module_get" => Some(client.module_get(MODULE_UID).send().await.map(describe)),
        "module_delete" => Some(client.module_delete(MODULE_UID).send().await.map(describe)),
        "module_config_bdb_update" => {
            let body = example!(id);
            Some(
                client
                    .module_config_bdb_update(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "module_upgrade_bdb" => {
            let body = example!(id);
            Some(
                client
                    .module_upgrade_bdb(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "module_delete_v2" => Some(
            client
                .module_delete_v2(MODULE_UID)
                .send()
                .await
                .map(describe),
        ),
        "module_user_defined_create" => {
            let body = example!(id);
            Some(
                client
                    .module_user_defined_create(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "module_user_defined_delete" => Some(
            client
                .module_user_defined_delete(MODULE_UID)
                .send()
                .await
                .map(describe),
        ),
        "module_user_defined_artifact_list" => Some(
            client
                .module_user_defined_artifact_list()
                .send()
                .await
                .map(describe),
        ),
        "module_user_defined_artifact_delete" => Some(
            client
                .module_user_defined_artifact_delete("TestModule", 1)
                .send()
                .await
                .map(describe),
        ),
        "ocsp_get" => Some(client.ocsp_get().send().await.map(describe)),
        "ocsp_update" => {
            let body = example!(id);
            Some(client.ocsp_update(&body).send().await.map(describe))
        }
        "ocsp_status_get" => Some(client.ocsp_status_get().send().await.map(describe)),
        "ocsp_test" => Some(client.ocsp_test().send().await.map(describe)),
        "job_scheduler_get" => Some(client.job_scheduler_get().send().await.map(describe)),
        "job_scheduler_update" => {
            let body = example!(id);
            Some(
                client
                    .job_scheduler_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "cm_settings_get" => Some(client.cm_settings_get().send().await.map(describe)),
        "cm_settings_update" => {
            let body = example!(id);
            Some(client.cm_settings_update(&body).send().await.map(describe))
        }
        "metrics_config_get" => Some(client.metrics_config_get().send().await.map(describe)),
        "metrics_config_update" => {
            let body = example!(id);
            Some(
                client
                    .metrics_config_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "services_local_list" => Some(client.services_local_list().send().await.map(describe)),
        "services_local_control" => {
            let body = example!(id);
            Some(
                client
                    .services_local_control(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "services_control" => {
            let body = example!(id);
            Some(client.services_control(&body).send().await.map(describe))
        }
        "license_get" => Some(client.license_get().send().await.map(describe)),
        "license_update" => {
            let body = example!(id);
            Some(client.license_update(&body).send().await.map(describe))
        }
        "action_list" => Some(client.action_list().send().await.map(describe)),
        "action_list_v2" => Some(client.action_list_v2().send().await.map(describe)),
        "action_get" => Some(client.action_get(ACTION_UID).send().await.map(describe)),
        "action_get_v2" => Some(client.action_get_v2(ACTION_UID).send().await.map(describe)),
        "action_bdb_list" => Some(client.action_bdb_list("1").send().await.map(describe)),
        "ldap_mapping_list" => Some(client.ldap_mapping_list().send().await.map(describe)),
        "ldap_mapping_create" => {
            let body = example!(id);
            Some(client.ldap_mapping_create(&body).send().await.map(describe))
        }
        "ldap_mapping_get" => Some(client.ldap_mapping_get(1).send().await.map(describe)),
        "ldap_mapping_update" => {
            let body = example!(id);
            Some(
                client
                    .ldap_mapping_update(1, &body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "ldap_mapping_delete" => Some(client.ldap_mapping_delete(1).send().await.map(describe)),
        "redis_acl_list" => Some(client.redis_acl_list().send().await.map(describe)),
        "redis_acl_create" => {
            let body = example!(id);
            Some(
                client
                    .redis_acl_create(&body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "redis_acl_validate" => {
            let body = example!(id);
            Some(client.redis_acl_validate(&body).send().await.map(describe))
        }
        "redis_acl_get" => Some(client.redis_acl_get(1).send().await.map(describe)),
        "redis_acl_update" => {
            let body = example!(id);
            Some(
                client
                    .redis_acl_update(1, &body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "redis_acl_delete" => Some(client.redis_acl_delete(1).send().await.map(describe)),
        "role_list" => Some(client.role_list().send().await.map(describe)),
        "role_create" => {
            let body = example!(id);
            Some(
                client
                    .role_create(&body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "role_get" => Some(client.role_get(1).send().await.map(describe)),
        "role_update" => {
            let body = example!(id);
            Some(
                client
                    .role_update(1, &body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "role_delete" => Some(client.role_delete(1).send().await.map(describe)),
        "user_list" => Some(client.user_list().send().await.map(describe)),
        "user_create" => {
            let body = example!(id);
            Some(
                client
                    .user_create(&body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "user_get" => Some(client.user_get(1).send().await.map(describe)),
        "user_update" => {
            let body = example!(id);
            Some(
                client
                    .user_update(1, &body)
                    .dry_run(true)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "user_delete" => Some(client.user_delete(1).send().await.map(describe)),
        "user_authorize" => {
            let body = example!(id);
            Some(client.user_authorize(&body).send().await.map(describe))
        }
        "user_refresh_jwt" => {
            let body = example!(id);
            Some(client.user_refresh_jwt(&body).send().await.map(describe))
        }
        "user_password_update" => {
            let body = example!(id);
            Some(
                client
                    .user_password_update(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "user_password_add" => {
            let body = example!(id);
            Some(client.user_password_add(&body).send().await.map(describe))
        }
        "user_password_delete" => {
            let body = example!(id);
            Some(
                client
                    .user_password_delete(&body)
                    .send()
                    .await
                    .map(describe),
            )
        }
        "user_permissions_list" => Some(client.user_permissions_list().send().await.map(describe)),
        "user_permissions_get" => Some(
            client
                .user_permissions_get("db_viewer")
                .send()
                .await
                .map(describe),
        ),
        "user_role_get" => Some(client.user_role_get().send().await.map(describe)),
        // Hand-written (multipart uploads, generated/src/extras/modules.rs).
        "module_create" => Some(
            client
                .module_create("module.zip", empty_zip())
                .send()
                .await
                .map(describe),
        ),
        "module_create_v2" => Some(
            client
                .module_create_v2("module.zip", empty_zip())
                .send()
                .await
                .map(describe),
        ),
        "module_user_defined_artifact_upload" => Some(
            client
                .module_user_defined_artifact_upload("module.zip", empty_zip())
                .send()
                .await
                .map(describe),
        ),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------------------------

struct Failure {
    id: &'static str,
    error: String,
    log: String,
}

struct Report {
    mode: Mode,
    exercised: usize,
    /// Operations that succeeded, with what they returned.
    passed: Vec<(&'static str, String)>,
    failures: Vec<Failure>,
    missing: Vec<&'static str>,
    notes: Vec<String>,
}

async fn run(mut prism: Prism, mode: Mode) -> Report {
    prism.wait_ready(mode).await;
    let client = Client::builder(&prism.url)
        .basic_auth("admin@example.com", "pw")
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    let mut outcomes: Vec<(&'static Operation, Result<String, String>)> = Vec::new();
    let mut missing = Vec::new();
    let mut notes = Vec::new();
    for op in OPERATIONS {
        let mut attempt = tokio::time::timeout(CALL_TIMEOUT, call(&client, op.id)).await;
        // A request that got no HTTP answer at all (for example a pooled keep-alive connection
        // that Prism closed just then) says nothing about the spec: send it once more, and say so.
        if let Ok(Some(Err(error @ Error::Transport(_)))) = &attempt {
            notes.push(format!("{}: retried once after: {}", op.id, explain(error)));
            tokio::time::sleep(Duration::from_millis(200)).await;
            attempt = tokio::time::timeout(CALL_TIMEOUT, call(&client, op.id)).await;
        }
        match attempt {
            Ok(None) => missing.push(op.id),
            Ok(Some(result)) => outcomes.push((op, result.map_err(|e| explain(&e)))),
            Err(_) => outcomes.push((op, Err(format!("no answer within {CALL_TIMEOUT:?}")))),
        }
    }
    // Let Prism finish writing the log of the last requests.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let blocks = request_blocks(&prism.log());
    let mut next_block = 0;
    let mut report = Report {
        mode,
        exercised: outcomes.len(),
        passed: Vec::new(),
        failures: Vec::new(),
        missing,
        notes,
    };
    for (op, result) in outcomes {
        // Requests are sequential, so the operation's request is the next matching block.
        let block = blocks[next_block.min(blocks.len())..]
            .iter()
            .position(|(method, path, _)| *method == op.method && path_matches(op.path, path))
            .map(|i| next_block + i);
        let log = block.map(|i| {
            next_block = i + 1;
            blocks[i].2.clone()
        });
        // A success must also have gone through Prism without any violation (with `--errors`,
        // error-level ones already turn into a 500; warnings only show in the log).
        let result = result.and_then(|ok| match &log {
            None => Err("the client succeeded but Prism logged no request for it".to_string()),
            Some(log) if log.contains("Violation: ") => {
                Err("Prism reported a violation (see its log)".to_string())
            }
            Some(_) => Ok(ok),
        });
        let log = log.unwrap_or_else(|| "(Prism logged no request for it)\n".to_string());
        match result {
            Ok(summary) => report.passed.push((op.id, summary)),
            Err(error) => report.failures.push(Failure {
                id: op.id,
                error,
                log,
            }),
        }
    }
    report
}

#[test]
fn every_operation_against_prism() {
    // `call` dispatches all 221 operations in one `match`; in a debug build its poll frame holds
    // every arm's temporaries at once (no slot reuse), more than tokio's default 2 MiB worker
    // stack. Release builds and callers of single operations are not affected.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(every_operation_against_prism_async());
}

async fn every_operation_against_prism_async() {
    let exe = tools::npm_tool(tools::PRISM);
    println!("Prism {}", prism_version(&exe));
    let modes: Vec<Mode> = std::iter::once(Mode::Static)
        .chain(SEEDS.iter().map(|&seed| Mode::Dynamic(seed)))
        .collect();
    // Parse the spec (for the request examples) before the runs share the machine.
    spec();
    // One Prism per mode, started together (each takes a few seconds to load the spec), and one
    // task per mode so that the modes never wait on each other.
    let tasks: Vec<_> = modes
        .iter()
        .map(|&mode| tokio::spawn(run(Prism::start(&exe, mode), mode)))
        .collect();
    let mut reports = Vec::new();
    for task in tasks {
        match task.await {
            Ok(report) => reports.push(report),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    let listed = |list: &[(&str, &str)], id: &str| list.iter().any(|(l, _)| *l == id);
    let mut problems: Vec<String> = Vec::new();
    for report in &reports {
        println!(
            "\n[{}] exercised {} / {} operations: {} passed, {} failed",
            report.mode,
            report.exercised,
            OPERATIONS.len(),
            report.passed.len(),
            report.failures.len()
        );
        if std::env::var_os("PRISM_TEST_VERBOSE").is_some() {
            for (id, summary) in &report.passed {
                println!("  ok {id}: {summary}");
            }
        }
        for failure in &report.failures {
            let tag = if listed(PRISM_CANNOT_SERVE, failure.id) {
                "expected (PRISM_CANNOT_SERVE)"
            } else if listed(KNOWN_SPEC_BUGS, failure.id) {
                "expected (KNOWN_SPEC_BUGS)"
            } else {
                problems.push(format!("[{}] {} failed", report.mode, failure.id));
                "FAILED"
            };
            println!("  {tag} {}: {}", failure.id, failure.error);
            for line in failure.log.lines() {
                println!("      | {line}");
            }
        }
        for note in &report.notes {
            println!("  note {note}");
        }
        if !report.missing.is_empty() {
            problems.push(format!(
                "[{}] operations without an arm in `call`: {:?}",
                report.mode, report.missing
            ));
        }
    }
    for (list_name, list) in [
        ("PRISM_CANNOT_SERVE", PRISM_CANNOT_SERVE),
        ("KNOWN_SPEC_BUGS", KNOWN_SPEC_BUGS),
    ] {
        for (id, reason) in list {
            if !OPERATIONS.iter().any(|op| op.id == *id) {
                problems.push(format!(
                    "{list_name} names {id}, which the spec does not have"
                ));
            } else if reports
                .iter()
                .all(|r| r.passed.iter().any(|(p, _)| p == id))
            {
                problems.push(format!(
                    "{id} passes in every mode now: remove it from {list_name} ({reason})"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
