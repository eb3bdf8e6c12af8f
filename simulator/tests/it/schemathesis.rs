//! Schemathesis (a third-party OpenAPI tester) against the running simulator with
//! `spec/redis-enterprise.yaml`: every operation, positive data, a fixed number of examples per
//! operation and a fixed seed, with the status-code and response-schema conformance checks.
//! It must report 0 failures. No operation is excluded.
//!
//! Schemathesis is installed on first use, at a pinned version, into a virtualenv in the
//! repository's ignored `.tools/` folder (needs `python3` with `venv`, and PyPI).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use redis_enterprise_api::operations::OPERATIONS;

const PACKAGE: &str = "schemathesis==4.32.5";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the simulator is a workspace member")
        .to_path_buf()
}

/// The schemathesis executable, installing it first if needed. Concurrent test runs share one
/// install: the first takes a lock file, the others wait for it.
fn schemathesis() -> PathBuf {
    let venv = repo_root().join(".tools").join("schemathesis");
    let exe = venv.join("bin").join("schemathesis");
    let marker = venv.join(format!(".installed-{}", PACKAGE.replace("==", "-")));
    if marker.exists() && exe.exists() {
        return exe;
    }
    std::fs::create_dir_all(venv.parent().expect("parent")).expect("create .tools");
    let lock = venv.with_extension("lock");
    let started = Instant::now();
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => break,
            Err(_) if started.elapsed() < Duration::from_secs(300) => {
                std::thread::sleep(Duration::from_millis(200));
                if marker.exists() && exe.exists() {
                    return exe;
                }
            }
            Err(_) => {
                // A previous run died holding the lock.
                std::fs::remove_file(&lock).expect("remove a stale lock");
            }
        }
    }
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
        assert!(
            out.status.success(),
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    );
    run(
        Command::new(venv.join("bin").join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PACKAGE,
        ]),
        "pip install schemathesis",
    );
    std::fs::write(&marker, PACKAGE).expect("write the install marker");
    std::fs::remove_file(&lock).expect("release the install lock");
    exe
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure() {
    let _process = crate::common::share_the_process().await;
    let exe = tokio::task::spawn_blocking(schemathesis)
        .await
        .expect("install task");
    // Schemathesis changes and deletes users at random, the admin included: the fuzzing opt-in
    // keeps its credentials valid (this is the only test that uses it).
    let sim = common::builder()
        .http(true)
        .fuzz_admin(true)
        .action_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("the simulator starts");
    let spec = repo_root().join("spec").join("redis-enterprise.yaml");
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("run")
        .arg(&spec)
        .args(["--url", &sim.base_url()])
        .args(["--auth", &format!("{}:{}", sim.username(), sim.password())])
        .args([
            "--checks",
            "status_code_conformance,response_schema_conformance",
        ])
        .args(["--mode", "positive"])
        .args(["--max-examples", "5"])
        .args(["--seed", "1"])
        .args(["--workers", "2"])
        .arg("--no-shrink")
        // Schemathesis keeps a cache in its working directory: keep it in the ignored .tools/.
        .current_dir(repo_root().join(".tools").join("schemathesis"))
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(300), cmd.output())
        .await
        .expect("schemathesis finished within 5 minutes")
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("====") && l.contains(" in "))
        .unwrap_or("(no summary line)");
    println!("schemathesis: {summary}");
    let cases = stdout
        .lines()
        .find(|l| l.contains(" generated, "))
        .unwrap_or_default()
        .trim()
        .to_string();
    println!("schemathesis: {cases}");
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!summary.contains("failure"), "{summary}");
    let tested = format!("Tested: {}", OPERATIONS.len());
    assert!(
        stdout.contains(&tested),
        "not every operation was tested:\n{stdout}"
    );
    let numbers: Vec<u64> = cases
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 2, "{cases}");
    assert_eq!(
        numbers[0], numbers[1],
        "every generated case passed: {cases}"
    );
    assert!(numbers[0] > 1000, "too few cases ran: {cases}");
    sim.shutdown().await;
    assert_eq!(common::children_after_stop().await, Vec::<u32>::new());
}
