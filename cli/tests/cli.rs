//! The command line end to end against the simulator (started here, stopped at the end): a
//! database created with `--wait`, listed and read as JSON and as a table, updated, hit while
//! busy, deleted with `--yes`; a wrong password and an untrusted certificate; profiles; and the
//! help of every generated command.
//!
//! The simulator runs on a manual clock: a command that waits is run while the test moves the
//! clock, so nothing sleeps for an action and the busy case cannot race.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use redis_enterprise_api::operations::OPERATIONS;
use redis_enterprise_simulator::Simulator;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_redis-enterprise");

/// What a run printed and how it ended.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

struct Env {
    sim: Simulator,
    dir: PathBuf,
    ca: PathBuf,
}

impl Env {
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("HOME", &self.dir)
            .env("REDIS_ENTERPRISE_URL", self.sim.base_url())
            .env("REDIS_ENTERPRISE_USER", self.sim.username())
            .env("REDIS_ENTERPRISE_PASSWORD", self.sim.password())
            .env("REDIS_ENTERPRISE_CA_CERT", &self.ca)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    /// Runs the CLI to the end, moving the simulator's clock meanwhile.
    async fn run_cmd(&self, mut cmd: tokio::process::Command) -> Outcome {
        let child = cmd.spawn().expect("the CLI starts");
        let output = child.wait_with_output();
        tokio::pin!(output);
        let output = loop {
            tokio::select! {
                out = &mut output => break out.expect("the CLI ends"),
                _ = tokio::time::sleep(Duration::from_millis(20)) => self.sim.advance(Duration::from_millis(200)),
            }
        };
        Outcome {
            code: output.status.code().expect("the CLI exits with a code"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    async fn run(&self, args: &[&str]) -> Outcome {
        self.run_cmd(self.command(args)).await
    }

    /// Runs without moving the clock: an action started stays running.
    async fn run_frozen(&self, args: &[&str]) -> Outcome {
        let output = self.command(args).output().await.expect("the CLI runs");
        Outcome {
            code: output.status.code().expect("the CLI exits with a code"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "redis-enterprise-cli-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn assert_code(out: &Outcome, code: i32, what: &str) {
    assert_eq!(
        out.code, code,
        "{what}: exit {} (stdout {:?}, stderr {:?})",
        out.code, out.stdout, out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_against_the_simulator() {
    let sim = Simulator::builder()
        .no_redis(true)
        .manual_clock(true)
        .start()
        .await
        .expect("simulator starts");
    let dir = temp_dir("e2e");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, sim.ca_pem()).expect("CA written");
    let env = Env { sim, dir, ca };
    database_lifecycle(&env).await;
    failures(&env).await;
    profiles(&env).await;
    let Env { sim, dir, .. } = env;
    sim.shutdown().await;
    std::fs::remove_dir_all(&dir).expect("temp dir removed");
}

async fn database_lifecycle(env: &Env) {
    // Create and wait: the command returns the database once it is active.
    let created = env
        .run(&[
            "bdbs",
            "create",
            "--name",
            "cli-db",
            "--memory_size",
            "104857600",
            "--wait",
        ])
        .await;
    assert_code(&created, 0, "create --wait");
    let bdb = created.json();
    assert_eq!(bdb["status"], "active", "{bdb}");
    assert_eq!(bdb["name"], "cli-db");
    let uid = bdb["uid"].as_i64().expect("uid").to_string();
    assert!(created.stderr.contains("completed"), "{}", created.stderr);

    // List as JSON and as a table; get by uid through `call`.
    let listed = env.run(&["bdbs", "list"]).await;
    assert_code(&listed, 0, "list");
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
    let table = env.run(&["bdbs", "list", "-o", "table"]).await;
    assert_code(&table, 0, "list -o table");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", table.stdout);
    assert!(
        lines[0].starts_with("UID") && lines[0].contains("NAME"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("cli-db"), "{}", lines[1]);
    let got = env
        .run(&[
            "call", "bdb_get", "--uid", &uid, "--query", "name", "-o", "yaml",
        ])
        .await;
    assert_code(&got, 0, "call bdb_get");
    assert_eq!(got.stdout.trim(), "cli-db");

    // Update from a YAML body file and a member flag, and wait.
    let body = env.dir.join("update.yaml");
    std::fs::write(&body, "memory_size: 209715200\n").expect("body written");
    let updated = env
        .run(&[
            "bdbs",
            "update",
            "--uid",
            &uid,
            "--body",
            body.to_str().expect("utf-8"),
            "--name",
            "cli-db-2",
            "--wait",
        ])
        .await;
    assert_code(&updated, 0, "update --wait");
    let bdb = updated.json();
    assert_eq!(bdb["memory_size"], 209715200, "{bdb}");
    assert_eq!(bdb["name"], "cli-db-2");

    // A database busy with an action: the clock does not move, so its create stays running.
    let second = env
        .run_frozen(&[
            "bdbs",
            "create",
            "--name",
            "busy-db",
            "--memory_size",
            "104857600",
        ])
        .await;
    assert_code(&second, 0, "second create");
    let busy_uid = second.json()["uid"].as_i64().expect("uid").to_string();
    let busy = env
        .run_frozen(&["bdbs", "update", "--uid", &busy_uid, "--name", "renamed"])
        .await;
    assert_code(&busy, 5, "update of a busy database");
    assert!(
        busy.stderr.contains("error_code: db_busy"),
        "{}",
        busy.stderr
    );

    // Destructive: refused without a terminal or --yes, then deleted and waited for.
    let refused = env.run(&["bdbs", "delete", "--uid", &uid]).await;
    assert_code(&refused, 2, "delete without --yes");
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    let deleted = env
        .run(&["bdbs", "delete", "--uid", &uid, "--yes", "--wait"])
        .await;
    assert_code(&deleted, 0, "delete --yes --wait");
    let gone = env.run(&["bdbs", "get", "--uid", &uid]).await;
    assert_code(&gone, 4, "get of a deleted database");
    assert!(gone.stderr.contains("404"), "{}", gone.stderr);
    let deleted = env
        .run(&["bdbs", "delete", "--uid", &busy_uid, "-y", "--wait"])
        .await;
    assert_code(&deleted, 0, "delete of the second database");
}

async fn failures(env: &Env) {
    let mut wrong = env.command(&["bdbs", "list"]);
    wrong.env("REDIS_ENTERPRISE_PASSWORD", "not-the-password");
    let wrong = env.run_cmd(wrong).await;
    assert_code(&wrong, 3, "wrong password");
    assert!(wrong.stderr.contains("401"), "{}", wrong.stderr);
    assert!(
        !wrong.stderr.contains("not-the-password"),
        "{}",
        wrong.stderr
    );

    let mut untrusted = env.command(&["bdbs", "list"]);
    untrusted.env_remove("REDIS_ENTERPRISE_CA_CERT");
    let untrusted = env.run_cmd(untrusted).await;
    assert_code(&untrusted, 7, "untrusted certificate");
    assert!(
        untrusted.stderr.to_lowercase().contains("certificate"),
        "{}",
        untrusted.stderr
    );
    let insecure = env
        .run(&["cluster", "get", "--insecure", "-q", "name"])
        .await;
    assert_code(&insecure, 0, "--insecure");

    let usage = env.run(&["bdbs", "get"]).await;
    assert_code(&usage, 2, "missing --uid");
}

async fn profiles(env: &Env) {
    let config = env.dir.join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "default_profile: sim\nprofiles:\n  sim:\n    url: {}\n    user: {}\n    password_env: SIM_PASSWORD\n    ca_cert: {}\n",
            env.sim.base_url(),
            env.sim.username(),
            env.ca.display()
        ),
    )
    .expect("config written");
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args([
        "--config",
        config.to_str().expect("utf-8"),
        "cluster",
        "get",
        "-q",
        "name",
    ])
    .env_clear()
    .env("SIM_PASSWORD", env.sim.password())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let out = env.run_cmd(cmd).await;
    assert_code(&out, 0, "profile");
    assert!(out.json().is_string(), "{}", out.stdout);
    let missing = env
        .run(&[
            "--profile",
            "nope",
            "--config",
            config.to_str().expect("utf-8"),
            "cluster",
            "get",
        ])
        .await;
    assert_code(&missing, 2, "unknown profile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_generated_command_renders_its_help() {
    let listed = tokio::process::Command::new(BIN)
        .args(["operations"])
        .output()
        .await
        .expect("operations runs");
    let ops: Vec<Value> = serde_json::from_slice(&listed.stdout).expect("JSON list");
    assert_eq!(ops.len(), OPERATIONS.len());
    let mut rendered = 0;
    for op in &ops {
        let id = op["id"].as_str().expect("id");
        let command = op["command"].as_str().expect("command");
        let mut args: Vec<&str> = command.split(' ').collect();
        args.push("--help");
        for args in [args, vec!["call", id, "--help"]] {
            let out = tokio::process::Command::new(BIN)
                .args(&args)
                .output()
                .await
                .expect("help runs");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                text.contains(&format!("operationId: {id}")),
                "{args:?}: {text}"
            );
            rendered += 1;
        }
    }
    assert_eq!(rendered, 2 * OPERATIONS.len());
    let completions = tokio::process::Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .await
        .expect("completions run");
    assert!(String::from_utf8_lossy(&completions.stdout).contains("bdbs"));
}
