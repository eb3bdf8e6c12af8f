//! Every operation of the spec, through the generated (or hand-written) client method, against
//! Prism: an independent OpenAPI mock server that validates each request against
//! `spec/redis-enterprise.yaml` (less the `x-lenient` classes, see `Prism::start`) and answers
//! from the spec. Prism runs in static mode (the spec's
//! examples) and in dynamic mode with several seeds (random schema-valid data), so this checks
//! that what the client sends satisfies the spec and that whatever the spec allows decodes.
//! Prism runs with `--errors`, so an answer that does not match its own response schema (a spec
//! example that contradicts its schema) is a 500 and fails too.
//!
//! The client decodes strictly (`strict_decoding(true)`), and a success must have needed no
//! leniency: no property isolated (`unfit_properties()` empty), no empty body, no wrapped list.
//!
//! The calls are not hand-written: `tests/build.rs` writes one per generated `Client` method from
//! the method's signature (every required argument and every optional setter), and the values
//! come from the spec at run time (each parameter's example, enum or type, or a listed
//! [`SAMPLES`] value; the body is the spec's request example, or an empty object, decoded into
//! the generated body type). The operation list comes from `OPERATIONS`: the number of operations
//! exercised must be the table's count minus [`NOT_EXERCISED`], so a new operation cannot slip in
//! untested.

// Every operation is called on purpose, the deprecated ones (v1 statistics) included.
#![allow(deprecated)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use redis_enterprise_api::operations::{Operation, OPERATIONS};
use redis_enterprise_api::{ByteStream, Client, DecodeReport, Error, ResponseValue, RetryPolicy};
use redis_enterprise_api_tests::{spec, tools};
use serde_json::{json, Value};

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
        // The spec as the generated client has it: without what clusters send besides the
        // documented types (`x-lenient` alternatives, `""` in enums), which the spec describes
        // for validators (tests/it/observed.rs) and which a mock should not answer with: the
        // strict client refuses a wrapped list by design.
        let mut spec = spec::spec().clone();
        codegen::prepare::drop_lenient_classes(&mut spec);
        let spec_file = dir.path().join("spec.json");
        std::fs::write(&spec_file, serde_json::to_vec(&spec).expect("spec as JSON"))
            .expect("write the spec for Prism");
        let mut command = Command::new(exe);
        command
            .arg("mock")
            .arg(&spec_file)
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
// Arguments from the spec
// ---------------------------------------------------------------------------------------------

/// Values for string parameters whose schema says little (no enum or example in the spec):
/// `(operationId prefix, parameter, value)`, the first match wins; an empty prefix matches every
/// operation. Prism accepts any string there; these are what a cluster would take.
const SAMPLES: &[(&str, &str, &str)] = &[
    ("bdb_update_with_action", "action", "flush"),
    ("cluster_action_", "action", "change_master"),
    ("node_action_", "action", "maintenance_on"),
    (
        "cluster_alert_",
        "alert",
        "cluster_too_few_nodes_for_replication",
    ),
    ("node_alert_", "alert", "node_cpu_utilization"),
    ("bdb_alert", "alert", "bdb_size"),
    ("action_get", "uid", "21ad01d5-55aa-4ec6-b5c0-44dc95176486"),
    ("module_", "uid", "1952fcf9a5109fb59e61b1ad4d7e2d88"),
    ("", "crdb_guid", "552bbccb-99f3-4142-bd17-93d245f0bc79"),
    ("", "task_id", "e39c8e87-75f9-4891-8d0b-9d2f5b5d1b8a"),
    ("", "x_task_id", "e39c8e87-75f9-4891-8d0b-9d2f5b5d1b8a"),
    ("", "module_name", "TestModule"),
    ("", "certificate_name", "syncer"),
    ("", "snapshot_name", "nightly"),
    ("", "role", "db_viewer"),
    ("", "name", "cluster.fqdn"),
    ("", "stime", "2015-05-27T12:00:00Z"),
    ("", "etime", "2015-05-28T12:00:00Z"),
    ("", "expires_before", "2026-12-31T00:00:00Z"),
    ("", "metrics", "avg_latency"),
    ("", "extra_info_keys", "used_memory_rss"),
    ("", "extend_check", "lag"),
    ("", "fields", "uid,name"),
    ("", "object", "bdb"),
];

/// A parameter's name as the generated code spells its argument or setter.
fn rust_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A value of `param` of operation `id`: a listed sample, or the spec's example, first enum
/// value or default, or a value of the schema's type.
fn sample(id: &str, param: &Value) -> Value {
    let name = rust_name(param["name"].as_str().unwrap_or_default());
    let schema = spec::resolve(spec::spec(), &param["schema"]);
    let string = schema.get("type").and_then(Value::as_str) == Some("string");
    if let Some((_, _, value)) = SAMPLES
        .iter()
        .find(|(prefix, p, _)| string && id.starts_with(prefix) && *p == name)
    {
        return Value::String((*value).to_string());
    }
    let given = [
        param.get("example"),
        schema.get("example"),
        schema.pointer("/enum/0"),
        schema.get("default"),
    ];
    if let Some(value) = given.into_iter().flatten().next() {
        return value.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer" | "number") => json!(1),
        Some("boolean") => json!(true),
        _ => json!("1"),
    }
}

/// Why a call failed: the client's error, or what the test found wrong with a success.
#[derive(Debug)]
pub(crate) enum CallError {
    Client(Error),
    Test(String),
}

impl From<Error> for CallError {
    fn from(error: Error) -> Self {
        CallError::Client(error)
    }
}

impl CallError {
    pub(crate) fn explain(&self) -> String {
        match self {
            CallError::Client(error) => explain(error),
            CallError::Test(text) => text.clone(),
        }
    }
}

/// One operation's call, boxed: each operation's future is its own allocation, so no stack
/// frame holds all of them.
type Call<'a> = Pin<Box<dyn Future<Output = Result<String, CallError>> + Send + 'a>>;

/// The call of an operation documented without a response body, returning the response.
pub(crate) type BodyCall<'a> = Pin<
    Box<
        dyn Future<
                Output = Result<ResponseValue<redis_enterprise_api::UndocumentedBody>, CallError>,
            > + Send
            + 'a,
    >,
>;

/// The arguments of one operation, from the spec: a value per parameter (by its Rust name) and
/// the request body (the spec's request example, or an empty object).
pub(crate) struct Values {
    id: &'static str,
    params: BTreeMap<String, Value>,
    body: Value,
}

impl Values {
    pub(crate) fn of(id: &'static str) -> Self {
        let params = spec::parameters(id)
            .into_iter()
            .map(|p| {
                (
                    rust_name(p["name"].as_str().unwrap_or_default()),
                    sample(id, p),
                )
            })
            .collect();
        let body = spec::request_example(id).unwrap_or_else(|| json!({}));
        Values { id, params, body }
    }

    /// Parameter `name` as the type the method or setter takes (a `&str` borrows the spec).
    fn arg<'v, T: serde::Deserialize<'v>>(&'v self, name: &str) -> Result<T, CallError> {
        let value = self.params.get(name).ok_or_else(|| {
            CallError::Test(format!(
                "the client takes `{name}`, which is not a parameter of {} in the spec",
                self.id
            ))
        })?;
        T::deserialize(value).map_err(|e| {
            CallError::Test(format!(
                "the value {value} of parameter {name} of {} does not fit the argument: {e}",
                self.id
            ))
        })
    }

    /// The request example as the generated body type.
    fn body<T: serde::de::DeserializeOwned>(&self) -> Result<T, CallError> {
        serde_json::from_value(self.body.clone()).map_err(|e| {
            CallError::Test(format!(
                "the spec's request example of {} does not decode into the body type: {e}",
                self.id
            ))
        })
    }
}

// The generated calls: `GENERATED_CALLS` and `generated_call` (see tests/build.rs).
include!(concat!(env!("OUT_DIR"), "/prism_calls.rs"));

/// The operations implemented by hand in the client (multipart uploads): their methods are
/// hand-written, so are their calls.
const HANDWRITTEN_CALLS: &[&str] = &[
    "module_create",
    "module_create_v2",
    "module_user_defined_artifact_upload",
];

/// Operations the exerciser does not call, with why. Empty: every operation is called.
const NOT_EXERCISED: &[(&str, &str)] = &[];

/// The call of operation `id`; `None` when there is none.
fn call<'a>(client: &'a Client, id: &str, v: &'a Values) -> Option<Call<'a>> {
    Some(match id {
        "module_create" => Box::pin(async move {
            fits(client.module_create("module.zip", empty_zip()).send().await).await
        }),
        "module_create_v2" => Box::pin(async move {
            fits(
                client
                    .module_create_v2("module.zip", empty_zip())
                    .send()
                    .await,
            )
            .await
        }),
        "module_user_defined_artifact_upload" => Box::pin(async move {
            fits(
                client
                    .module_user_defined_artifact_upload("module.zip", empty_zip())
                    .send()
                    .await,
            )
            .await
        }),
        _ => return generated_call(client, id, v),
    })
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

/// A decoded success, checked: the strict client decoded it with no leniency at all (nothing
/// isolated, not an empty body, not a wrapped list); a one-line summary of it.
async fn fits<T: std::fmt::Debug>(
    response: Result<ResponseValue<T>, Error>,
) -> Result<String, CallError> {
    let response = response?;
    let unfit = response.unfit_properties();
    if !unfit.is_empty() {
        return Err(CallError::Test(format!(
            "properties that do not fit their types: {unfit:?}"
        )));
    }
    if response.body_was_empty() {
        return Err(CallError::Test(
            "an empty body where the spec documents one".to_string(),
        ));
    }
    if let Some(member) = response.unwrapped_from() {
        return Err(CallError::Test(format!(
            "the documented list came wrapped in member {member:?}"
        )));
    }
    Ok(format!(
        "{} {}",
        response.status(),
        truncate(&format!("{:?}", response.into_inner()), 160)
    ))
}

/// Reads a byte-stream response to its end.
async fn drained(response: Result<ResponseValue<ByteStream>, Error>) -> Result<String, CallError> {
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
        write!(text, ": {s}").expect("write to a String");
        source = s.source();
    }
    if let Some(body) = error.body().filter(|b| !b.is_empty()) {
        write!(
            text,
            "\n      body: {}",
            truncate(&String::from_utf8_lossy(body), 2000)
        )
        .expect("write to a String");
    }
    text
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

/// One call of operation `id` with its time limit; `None` when there is no call for it.
async fn attempt(
    client: &Client,
    id: &str,
    values: &Values,
) -> Option<Result<Result<String, CallError>, tokio::time::error::Elapsed>> {
    let call = call(client, id, values)?;
    Some(tokio::time::timeout(CALL_TIMEOUT, call).await)
}

async fn run(mut prism: Prism, mode: Mode) -> Report {
    prism.wait_ready(mode).await;
    let client = Client::builder(&prism.url)
        .basic_auth("admin@example.com", "pw")
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy::disabled())
        .strict_decoding(true)
        .build()
        .expect("client builds");
    let mut outcomes: Vec<(&'static Operation, Result<String, String>)> = Vec::new();
    let mut missing = Vec::new();
    let mut notes = Vec::new();
    for op in OPERATIONS {
        let values = Values::of(op.id);
        let mut outcome = attempt(&client, op.id, &values).await;
        // A request that got no HTTP answer at all (for example a pooled keep-alive connection
        // that Prism closed just then) says nothing about the spec: send it once more, and say so.
        if let Some(Ok(Err(error @ CallError::Client(Error::Transport(_))))) = &outcome {
            notes.push(format!(
                "{}: retried once after: {}",
                op.id,
                error.explain()
            ));
            tokio::time::sleep(Duration::from_millis(200)).await;
            outcome = attempt(&client, op.id, &values).await;
        }
        match outcome {
            None => missing.push(op.id),
            Some(Ok(result)) => outcomes.push((op, result.map_err(|e| e.explain()))),
            Some(Err(_)) => outcomes.push((op, Err(format!("no answer within {CALL_TIMEOUT:?}")))),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_operation_against_prism() {
    let exe = tools::npm_tool(tools::PRISM);
    println!("Prism {}", prism_version(&exe));
    let modes: Vec<Mode> = std::iter::once(Mode::Static)
        .chain(SEEDS.iter().map(|&seed| Mode::Dynamic(seed)))
        .collect();
    // Parse the spec (for the arguments) before the runs share the machine.
    spec::spec();
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
        let unlisted: Vec<_> = report
            .missing
            .iter()
            .filter(|id| !listed(NOT_EXERCISED, id))
            .collect();
        if !unlisted.is_empty() {
            problems.push(format!(
                "[{}] operations without a call (no generated method, not hand-written): {unlisted:?}",
                report.mode
            ));
        }
        if report.exercised != OPERATIONS.len() - NOT_EXERCISED.len() {
            problems.push(format!(
                "[{}] exercised {} operations, expected {} ({} in the table, {} not exercised)",
                report.mode,
                report.exercised,
                OPERATIONS.len() - NOT_EXERCISED.len(),
                OPERATIONS.len(),
                NOT_EXERCISED.len()
            ));
        }
    }
    // Every call is one operation of the table: the generated ones are its generated operations,
    // the hand-written ones those it marks hand-written.
    for id in GENERATED_CALLS {
        if !OPERATIONS.iter().any(|op| op.id == *id && !op.handwritten) {
            problems.push(format!(
                "generated method {id} is not a generated operation of the table"
            ));
        }
    }
    for id in HANDWRITTEN_CALLS {
        if !OPERATIONS.iter().any(|op| op.id == *id && op.handwritten) {
            problems.push(format!("{id} is not a hand-written operation of the table"));
        }
    }
    if GENERATED_CALLS.len() + HANDWRITTEN_CALLS.len() != OPERATIONS.len() - NOT_EXERCISED.len() {
        problems.push(format!(
            "{} generated and {} hand-written calls for {} operations ({} not exercised)",
            GENERATED_CALLS.len(),
            HANDWRITTEN_CALLS.len(),
            OPERATIONS.len(),
            NOT_EXERCISED.len()
        ));
    }
    for (list_name, list) in [
        ("PRISM_CANNOT_SERVE", PRISM_CANNOT_SERVE),
        ("KNOWN_SPEC_BUGS", KNOWN_SPEC_BUGS),
        ("NOT_EXERCISED", NOT_EXERCISED),
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
