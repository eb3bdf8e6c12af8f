//! Running one command: read its flags into the request (path, query and header parameters,
//! a body from a file or stdin with member flags on top), confirm a destructive operation, send
//! it through the client (JSON, a streamed download, or a module upload), wait when asked, and
//! print the result. Waits and downloads show a progress bar on a terminal and plain lines
//! otherwise, always on standard error, so standard output holds only the result.

use std::io::{BufRead, IsTerminal, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use clap::ArgMatches;
use indicatif::{ProgressBar, ProgressStyle};
use redis_enterprise_api::describe::ParamLocation;
use redis_enterprise_api::extras::{wait_until, DownloadOptions, Verdict, WaitOptions};
use redis_enterprise_api::operations::{Safety, OPERATIONS};
use redis_enterprise_api::Client;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::exit::Failure;
use crate::model::{OpCommand, WaitKind};
use crate::{cli, connect, model, output};

/// What `--wait` waits for, for help texts.
pub fn wait_label(kind: WaitKind) -> &'static str {
    match kind {
        WaitKind::Action { bdb: true } => "the action it starts, then the database to be active",
        WaitKind::Action { bdb: false } => "the action it starts",
        WaitKind::CrdbTask => "the CRDB task it starts",
        WaitKind::Gone { .. } => "the object to be gone",
        WaitKind::Bootstrap => "the bootstrap to complete",
    }
}

/// Runs the parsed command line.
pub async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let (name, sub) = matches
        .subcommand()
        .ok_or_else(|| Failure::usage("no command"))?;
    match name {
        "completions" => {
            let shell = *sub
                .get_one::<clap_complete::Shell>("shell")
                .ok_or_else(|| Failure::usage("no shell"))?;
            clap_complete::generate(shell, &mut cli::command(), cli::BIN, &mut std::io::stdout());
            Ok(())
        }
        "operations" => {
            let list: Vec<Value> = model::commands()
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id(),
                        "command": format!("{} {}", c.group, c.verb),
                        "method": c.spec.operation.method,
                        "path": c.spec.operation.path,
                        "safety": c.spec.operation.safety.as_str(),
                    })
                })
                .collect();
            print_result(Value::Array(list), sub)
        }
        "call" => {
            let (id, leaf) = sub
                .subcommand()
                .ok_or_else(|| Failure::usage("no operation"))?;
            let command =
                model::by_id(id).ok_or_else(|| Failure::usage(format!("no operation {id}")))?;
            execute(command, leaf).await
        }
        group => {
            let (verb, leaf) = sub.subcommand().ok_or_else(|| Failure::usage("no verb"))?;
            let command = model::by_group_verb(group, verb)
                .ok_or_else(|| Failure::usage(format!("no command {group} {verb}")))?;
            execute(command, leaf).await
        }
    }
}

/// The request a command's flags describe.
struct Request {
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
}

impl Request {
    fn pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
        list.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

async fn execute(command: &OpCommand, m: &ArgMatches) -> Result<(), Failure> {
    let request = read_request(command, m)?;
    let op = command.spec.operation;
    let dry_run = request
        .query
        .iter()
        .any(|(k, v)| k == "dry_run" && v == "true");
    if op.safety == Safety::Destructive && !dry_run && !m.get_flag("yes") {
        confirm(command, &request)?;
    }
    let client = connect::client(m)?;
    let path = Request::pairs(&request.path);
    let query = Request::pairs(&request.query);
    let value = if command.is_download() {
        download(&client, command, m, &path, &query).await?
    } else if command.is_upload() {
        upload(&client, command, m).await?
    } else {
        let headers = Request::pairs(&request.headers);
        let raw = client
            .operation_raw_with_headers(op.id, &path, &query, &headers, request.body.as_ref())
            .await?;
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            raw.value()?
        }
    };
    let wait = command.wait.filter(|_| m.get_flag("wait"));
    let result = match wait {
        Some(kind) => {
            let timeout =
                Duration::from_secs(m.get_one::<u64>("wait-timeout").copied().unwrap_or(600));
            wait_for(&client, kind, &value, &path, timeout).await?
        }
        None => value,
    };
    if command.is_download() && result.is_null() {
        return Ok(());
    }
    print_result(result, m)
}

fn print_result(value: Value, m: &ArgMatches) -> Result<(), Failure> {
    let text = match m.try_get_one::<String>("chart").ok().flatten() {
        Some(metric) => output::chart(&value, metric, 40)?,
        None => {
            let value = output::query(value, m.get_one::<String>("query").map(String::as_str))?;
            let format = m
                .get_one::<String>("output")
                .map(String::as_str)
                .unwrap_or("json");
            output::render(&value, format)?
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::local(format!("cannot write the result: {e}")))
}

fn read_request(command: &OpCommand, m: &ArgMatches) -> Result<Request, Failure> {
    let mut request = Request {
        path: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        body: None,
    };
    for p in &command.spec.params {
        let Some(value) = m.get_one::<String>(&format!("p:{}", p.name)) else {
            if p.required {
                return Err(Failure::usage(format!(
                    "{} needs --{}",
                    command.id(),
                    p.name
                )));
            }
            continue;
        };
        let pair = (p.name.clone(), value.clone());
        match p.location {
            ParamLocation::Path => request.path.push(pair),
            ParamLocation::Query => request.query.push(pair),
            ParamLocation::Header => request.headers.push(pair),
        }
    }
    if command.has_json_body() {
        let mut body = match m.get_one::<String>("body") {
            Some(source) => Some(read_body(source)?),
            None => None,
        };
        for f in &command.body_flags {
            if let Some(text) = m.get_one::<String>(&format!("b:{}", f.member)) {
                let value = f
                    .scalar
                    .parse(text)
                    .map_err(|e| Failure::usage(format!("--{}: {e}", f.long)))?;
                match body.get_or_insert_with(|| Value::Object(Map::new())) {
                    Value::Object(map) => {
                        map.insert(f.member.clone(), value);
                    }
                    _ => {
                        return Err(Failure::usage(format!(
                            "--{} sets a member, but the body is not a JSON object",
                            f.long
                        )))
                    }
                }
            }
        }
        if body.is_none() && command.spec.body_required {
            return Err(Failure::usage(format!(
                "{} needs a body: --body FILE (or - for stdin) or member flags",
                command.id()
            )));
        }
        request.body = body;
    }
    Ok(request)
}

/// A body from a file or stdin (`-`), JSON or YAML.
fn read_body(source: &str) -> Result<Value, Failure> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::local(format!("cannot read the body from stdin: {e}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| Failure::usage(format!("cannot read body file {source}: {e}")))?
    };
    serde_yaml::from_str(&text)
        .map_err(|e| Failure::usage(format!("body {source} is neither JSON nor YAML: {e}")))
}

/// Asks on the terminal; refuses without one.
fn confirm(command: &OpCommand, request: &Request) -> Result<(), Failure> {
    let op = command.spec.operation;
    let target: Vec<String> = request
        .path
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let what = format!("{} ({} {}) {}", op.id, op.method, op.path, target.join(" "));
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Failure::usage(format!(
            "{} is destructive: add --yes to run it without a terminal",
            what.trim_end()
        )));
    }
    eprint!("{} is destructive. Run it? [y/N] ", what.trim_end());
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::local(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::usage("not confirmed; nothing was sent"))
    }
}

/// A progress display: a bar on a terminal, a line per change otherwise.
struct Reporter {
    bar: Option<ProgressBar>,
    what: String,
    last: String,
}

impl Reporter {
    fn new(what: String) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(100);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}% {elapsed}")
            {
                bar.set_style(style);
            }
            bar.set_message(what.clone());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Reporter {
            bar,
            what,
            last: String::new(),
        }
    }

    /// Shows the polled value's `status` and `progress`.
    fn update(&mut self, polled: &impl Serialize) {
        let value = serde_json::to_value(polled).unwrap_or(Value::Null);
        let status = value
            .get("status")
            .map(|s| s.as_str().map(str::to_string).unwrap_or(s.to_string()))
            .unwrap_or_else(|| "pending".into());
        let progress = value.get("progress").and_then(|p| {
            p.as_f64()
                .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
        });
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!("{}: {status}", self.what));
                if let Some(p) = progress {
                    bar.set_position(p.clamp(0.0, 100.0) as u64);
                }
            }
            None => {
                let line = match progress {
                    Some(p) => format!("{}: {status} {p}%", self.what),
                    None => format!("{}: {status}", self.what),
                };
                if line != self.last {
                    eprintln!("{line}");
                    self.last = line;
                }
            }
        }
    }

    fn finish(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(format!("{}: {message}", self.what)),
            None => eprintln!("{}: {message}", self.what),
        }
    }
}

fn options<T: Serialize + 'static>(timeout: Duration, what: String) -> WaitOptions<T> {
    let mut reporter = Reporter::new(what);
    WaitOptions::default()
        .timeout(timeout)
        .poll_interval(Duration::from_millis(250))
        .on_progress(move |polled: &T| reporter.update(polled))
}

async fn wait_for(
    client: &Client,
    kind: WaitKind,
    response: &Value,
    path: &[(&str, &str)],
    timeout: Duration,
) -> Result<Value, Failure> {
    let started = Instant::now();
    match kind {
        WaitKind::Action { bdb } => {
            let action_uid = response
                .get("action_uid")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Failure::wait("the response carries no action_uid to wait for", None)
                })?;
            let what = format!("action {action_uid}");
            let outcome = client
                .wait_for_action(action_uid, options(timeout, what.clone()))
                .await?;
            Reporter::new(what).finish("completed");
            let uid = response.get("uid").and_then(Value::as_i64);
            match (bdb, uid) {
                (true, Some(uid)) => {
                    let what = format!("database {uid}");
                    let remaining = timeout.saturating_sub(started.elapsed());
                    let bdb = client
                        .wait_for_bdb_active(uid, options(remaining, what.clone()))
                        .await?;
                    Reporter::new(what).finish("active");
                    Ok(to_value(&bdb))
                }
                _ => Ok(to_value(&outcome.action)),
            }
        }
        WaitKind::CrdbTask => {
            let id = response.get("id").and_then(Value::as_str).ok_or_else(|| {
                Failure::wait("the response carries no task id to wait for", None)
            })?;
            let what = format!("task {id}");
            let task = client
                .wait_for_crdb_task(id, options(timeout, what.clone()))
                .await?;
            Reporter::new(what).finish("finished");
            Ok(to_value(&task))
        }
        WaitKind::Bootstrap => {
            let what = "bootstrap".to_string();
            let info = client
                .wait_for_bootstrap_completed(options(timeout, what.clone()))
                .await?;
            Reporter::new(what).finish("completed");
            Ok(to_value(&info))
        }
        WaitKind::Gone { get } => {
            let what = format!(
                "{} {}",
                OPERATIONS
                    .iter()
                    .find(|o| o.id == get)
                    .map(|o| o.tag)
                    .unwrap_or("object"),
                path.iter().map(|(_, v)| *v).collect::<Vec<_>>().join("/")
            );
            wait_until(
                options::<Option<Value>>(timeout, what.clone()),
                || async move {
                    match client.operation_raw(get, path, &[], None).await {
                        Ok(raw) => Ok(Some(raw.value().unwrap_or(Value::Null))),
                        Err(e) if e.is_not_found() => Ok(None),
                        Err(e) => Err(e),
                    }
                },
                |still| {
                    if still.is_none() {
                        Verdict::Done
                    } else {
                        Verdict::Pending
                    }
                },
            )
            .await?;
            Reporter::new(what).finish("gone");
            Ok(response.clone())
        }
    }
}

/// A waited-for value as JSON.
fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A file that moves a progress bar as it is written.
struct ProgressFile {
    file: tokio::fs::File,
    bar: Option<ProgressBar>,
}

impl tokio::io::AsyncWrite for ProgressFile {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.file).poll_write(cx, buf);
        if let (Poll::Ready(Ok(n)), Some(bar)) = (&polled, &self.bar) {
            bar.inc(*n as u64);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.file).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.file).poll_shutdown(cx)
    }
}

/// Streams a binary (or NDJSON) response into `--out`.
async fn download(
    client: &Client,
    command: &OpCommand,
    m: &ArgMatches,
    path: &[(&str, &str)],
    query: &[(&str, &str)],
) -> Result<Value, Failure> {
    let out = m
        .get_one::<String>("out")
        .ok_or_else(|| Failure::usage("a download needs --out FILE"))?;
    let file = tokio::fs::File::create(out)
        .await
        .map_err(|e| Failure::local(format!("cannot create {out}: {e}")))?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::no_length();
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {msg} {bytes} {bytes_per_sec} {elapsed}")
        {
            bar.set_style(style);
        }
        bar.set_message(format!("{} → {out}", command.id()));
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let mut writer = ProgressFile {
        file,
        bar: bar.clone(),
    };
    let done = client
        .operation_download(
            command.id(),
            path,
            query,
            &mut writer,
            DownloadOptions::default(),
        )
        .await?;
    match bar {
        Some(bar) => bar.finish_with_message(format!("{} → {out}", command.id())),
        None => eprintln!("{}: wrote {} bytes to {out}", command.id(), done.bytes),
    }
    Ok(Value::Null)
}

/// A multipart module upload (`--package FILE`), through the client's upload builders.
async fn upload(client: &Client, command: &OpCommand, m: &ArgMatches) -> Result<Value, Failure> {
    let file = m
        .get_one::<String>("package")
        .ok_or_else(|| Failure::usage("an upload needs --package FILE"))?;
    let bytes =
        std::fs::read(file).map_err(|e| Failure::usage(format!("cannot read {file}: {e}")))?;
    let name = std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "module.zip".into());
    match command.id() {
        "module_create" => {
            client.module_create(&name, bytes).send().await?;
            Ok(Value::Null)
        }
        "module_user_defined_artifact_upload" => {
            client
                .module_user_defined_artifact_upload(&name, bytes)
                .send()
                .await?;
            Ok(Value::Null)
        }
        "module_create_v2" => {
            let started = client.module_create_v2(&name, bytes).send().await?;
            Ok(serde_json::to_value(started.into_inner()).unwrap_or(Value::Null))
        }
        other => Err(Failure::usage(format!(
            "{other} has a multipart body this command line cannot send"
        ))),
    }
}
