//! Schemathesis (a third-party OpenAPI tester) against the running simulator with the spec,
//! with everything it has: every check (`--checks all`), positive and negative data (`--mode
//! all`), every phase (examples, coverage, fuzzing, stateful), 10 examples per operation, a
//! fixed seed, no operation excluded: each operation is tested against a simulator that
//! impersonates a release serving it (8.2 for most, 7.22 for those 8.2 no longer serves), with
//! the spec as that release serves it.
//!
//! Not every check passes yet. Each failure it still finds is listed, with its reason, in
//! `schemathesis_known.txt` beside this file (check code, method and path); the test fails on
//! any failure not listed there, and prints the listed ones that no longer occur so the list
//! only shrinks.
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

/// The failures this run may report: `(check code, "METHOD /path")`, each with its reason.
fn known_failures() -> Vec<(String, String)> {
    let text = include_str!("schemathesis_known.txt");
    let known: Vec<(String, String)> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (entry, reason) = l.split_once(" | ").expect("`CODE METHOD /path | reason`");
            assert!(!reason.trim().is_empty(), "no reason given: {l}");
            let (code, op) = entry.trim().split_once(' ').expect("`CODE METHOD /path`");
            (code.to_string(), op.trim().to_string())
        })
        .collect();
    assert!(
        !known.is_empty(),
        "the list of known failures is empty: delete it"
    );
    known
}

/// The operation template a request of a reproduction line names: `METHOD /path` of the most
/// specific operation (fewest parameters) whose path matches.
fn template_of(method: &str, url: &str) -> Option<String> {
    let path = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))?;
    let path = path
        .split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('\'');
    let segments: Vec<&str> = path.split('/').collect();
    OPERATIONS
        .iter()
        .filter(|op| op.method == method)
        .filter(|op| {
            let template: Vec<&str> = op.path.split('/').collect();
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
        })
        .min_by_key(|op| op.path.matches('{').count())
        .map(|op| format!("{method} {}", op.path))
}

/// The failures in Schemathesis' report: `(check code, "METHOD /path")`, once each. A failure
/// of the stateful phase is reported under "Stateful tests"; it is named by the last request of
/// its reproduction (the one that failed), as `"METHOD /path (stateful)"`.
fn reported_failures(stdout: &str) -> Vec<(String, String)> {
    let mut current = String::new();
    let mut pending: Vec<String> = Vec::new();
    let mut out: Vec<(String, String)> = Vec::new();
    let push = |entry: (String, String), out: &mut Vec<(String, String)>| {
        if !out.contains(&entry) {
            out.push(entry);
        }
    };
    let mut last_request: Option<String> = None;
    let flush =
        |pending: &mut Vec<String>, last: &mut Option<String>, out: &mut Vec<(String, String)>| {
            let op = last.take().map_or_else(
                || "Stateful tests".to_string(),
                |o| format!("{o} (stateful)"),
            );
            for code in pending.drain(..) {
                push((code, op.clone()), out);
            }
        };
    for line in stdout.lines() {
        let trimmed = line.trim_start();
        if line.starts_with("___") || trimmed.starts_with("st replay") || line.starts_with("====") {
            flush(&mut pending, &mut last_request, &mut out);
        }
        if line.starts_with("___") {
            current = line.trim_matches(|c| c == '_' || c == ' ').to_string();
        } else if let Some(rest) = trimmed.strip_prefix("- ST") {
            let code = format!("ST{}", rest.split_whitespace().next().unwrap_or_default());
            if current == "Stateful tests" {
                pending.push(code);
            } else {
                push((code, current.clone()), &mut out);
            }
        } else if let Some(rest) = trimmed.strip_prefix("curl -X ") {
            if current == "Stateful tests" {
                let method = rest.split_whitespace().next().unwrap_or_default();
                let url = rest.split_whitespace().last().unwrap_or_default();
                last_request = template_of(method, url.trim_matches('\''));
            }
        }
    }
    flush(&mut pending, &mut last_request, &mut out);
    out.sort();
    out
}

/// The spec as the release impersonated serves it: only the operations of `ids`.
fn spec_with(ids: &[&str], dir: &Path, release: &str) -> PathBuf {
    let mut spec: serde_json::Value =
        serde_json::from_str(redis_enterprise_api::openapi::JSON).expect("the spec parses");
    let paths = spec["paths"].as_object_mut().expect("paths");
    for item in paths.values_mut() {
        let item = item.as_object_mut().expect("a path item");
        item.retain(|_, op| {
            op.get("operationId")
                .and_then(serde_json::Value::as_str)
                .is_none_or(|id| ids.contains(&id))
        });
    }
    paths.retain(|_, item| {
        item.as_object()
            .is_some_and(|i| i.values().any(|op| op.get("operationId").is_some()))
    });
    let file = dir.join(format!("spec-{release}.json"));
    std::fs::write(&file, spec.to_string()).expect("write the spec");
    file
}

/// One Schemathesis run against a simulator impersonating `release`, on the operations `ids`
/// (which that release serves): its report, its failures, and whether it exited with success.
async fn run(
    exe: &Path,
    release: &str,
    ids: &[&str],
    dir: &Path,
) -> (String, Vec<(String, String)>) {
    let sim = common::builder()
        .http(true)
        .fuzz_admin(true)
        .release(release)
        .action_delay(Duration::from_millis(50))
        .start()
        .await
        .expect("the simulator starts");
    let spec = spec_with(ids, dir, release);
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("run")
        .arg(&spec)
        .args(["--url", &sim.base_url()])
        .args(["--auth", &format!("{}:{}", sim.username(), sim.password())])
        .args(["--checks", "all"])
        .args(["--mode", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", "10"])
        .args(["--seed", "1"])
        .args(["--workers", "1"])
        .arg("--no-shrink")
        .current_dir(repo_root().join(".tools").join("schemathesis"))
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(600), cmd.output())
        .await
        .expect("schemathesis finished within 10 minutes")
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("====") && l.contains(" in "))
        .unwrap_or("(no summary line)");
    println!("schemathesis {release}: {summary}");
    let cases = stdout
        .lines()
        .find(|l| l.contains(" generated, "))
        .unwrap_or_default()
        .trim()
        .to_string();
    println!("schemathesis {release}: {cases}");
    for line in stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("❌ ST"))
    {
        println!("schemathesis {release}: {}", line.trim());
    }
    let tested = format!("Tested: {}", ids.len());
    assert!(
        stdout.contains(&tested),
        "{release}: not every operation was tested ({tested}):\n{stdout}"
    );
    for phase in ["Examples", "Coverage", "Fuzzing", "Stateful"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(['✅', '❌']) && l.trim_end().ends_with(phase)),
            "{release}: phase {phase} did not run:\n{stdout}"
        );
    }
    let generated: u64 = cases
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // Some twenty cases per operation at least (about a hundred on the full run).
    assert!(
        generated > 20 * ids.len() as u64,
        "{release}: too few cases ran: {cases}"
    );
    let found = reported_failures(&stdout);
    // A run that failed must have reported its failures in a form this test reads.
    assert_eq!(
        out.status.success(),
        found.is_empty(),
        "{release}: exit status {:?} and {} parsed failures disagree:\n{stdout}",
        out.status,
        found.len()
    );
    sim.shutdown().await;
    (stdout, found)
}

/// Every operation, each against a simulator impersonating a release that serves it: the
/// default release (8.2) for the operations it serves, 7.22 for the few it no longer serves
/// (with the other methods of their paths). Served by 8.2, such a route answers 404, as live
/// 8.2 clusters did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_beyond_the_known_ones() {
    let _process = crate::common::share_the_process().await;
    let exe = tokio::task::spawn_blocking(schemathesis)
        .await
        .expect("install task");
    let known = known_failures();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let newest = redis_enterprise_simulator::DEFAULT_RELEASE;
    let served: Vec<&str> = OPERATIONS
        .iter()
        .filter(|o| o.served_by(newest))
        .map(|o| o.id)
        .collect();
    let gone: Vec<&str> = OPERATIONS
        .iter()
        .filter(|o| !o.served_by(newest) && o.served_by("7.22"))
        .map(|o| o.id)
        .collect();
    assert_eq!(
        served.len() + gone.len(),
        OPERATIONS.len(),
        "an operation no run tests"
    );
    assert!(!gone.is_empty());
    // With the operations 8.2 no longer serves, the 7.22 run takes the other methods of their
    // paths, so that what it checks of a path (`Allow`, 405) sees the whole path as 7.22 does.
    let gone_paths: Vec<&str> = OPERATIONS
        .iter()
        .filter(|o| gone.contains(&o.id))
        .map(|o| o.path)
        .collect();
    let older: Vec<&str> = OPERATIONS
        .iter()
        .filter(|o| o.served_by("7.22") && gone_paths.contains(&o.path))
        .map(|o| o.id)
        .collect();
    println!(
        "schemathesis: {} operations against {newest}; against 7.22 the {} it no longer serves, \
         with the other methods of their paths ({} in all)",
        served.len(),
        gone.len(),
        older.len()
    );
    let mut reports = String::new();
    let mut found = Vec::new();
    for (release, ids) in [(newest, &served), ("7.22", &older)] {
        let (stdout, failures) = run(&exe, release, ids, dir.path()).await;
        reports.push_str(&stdout);
        found.extend(failures);
    }
    found.sort();
    found.dedup();
    println!(
        "schemathesis: {} distinct (check, operation) failures",
        found.len()
    );
    let new: Vec<_> = found.iter().filter(|f| !is_known(&known, f)).collect();
    let gone: Vec<_> = known
        .iter()
        .filter(|k| !found.iter().any(|f| is_known(std::slice::from_ref(k), f)))
        .collect();
    for (code, op) in &gone {
        println!(
            "schemathesis: no longer fails, remove it from schemathesis_known.txt: {code} {op}"
        );
    }
    assert!(
        new.is_empty(),
        "schemathesis found failures that are not known: {new:?}\n{reports}"
    );
    assert_eq!(common::children_after_stop().await, Vec::<u32>::new());
}

/// Whether `failure` is listed: exactly, or, for a failure of the stateful phase, by an entry
/// `CODE * (stateful)` that lists that check for every stateful request.
fn is_known(known: &[(String, String)], failure: &(String, String)) -> bool {
    known.iter().any(|(code, op)| {
        code == &failure.0
            && (op == &failure.1 || (op == "* (stateful)" && failure.1.ends_with(" (stateful)")))
    })
}

/// The report parser names plain failures by their section and stateful ones by the request
/// that failed (a parser that read nothing would let every failure through).
#[test]
fn the_report_parser_names_each_failure() {
    let report = "\
_________________ DELETE /v1/users/{uid} _________________
1. Test Case ID: a

- ST202 Schema-valid request rejected

Reproduce with:

    curl -X DELETE -H 'Authorization: [Filtered]' http://127.0.0.1:1/v1/users/9

    st replay a

_____________________ Stateful tests _____________________
1. Test Case ID: b

- ST302 Created resource not found

Reproduce with:

    curl -X POST -H 'Authorization: [Filtered]' -d '{}' 'http://127.0.0.1:1/v1/roles?dry_run=true'
    curl -X GET -H 'Authorization: [Filtered]' http://127.0.0.1:1/v1/roles/1

    st replay b

2. Test Case ID: c

- ST202 Schema-valid request rejected
- ST101 Server error

Reproduce with:

    curl -X GET -H 'x-task-id;' 'http://127.0.0.1:1/v1/crdbs/abc?instance_id=x'

    st replay c

=========== 4 failures in 1.00s ===========
";
    let found = reported_failures(report);
    let expected: Vec<(String, String)> = [
        ("ST101", "GET /v1/crdbs/{crdb_guid} (stateful)"),
        ("ST202", "DELETE /v1/users/{uid}"),
        ("ST202", "GET /v1/crdbs/{crdb_guid} (stateful)"),
        ("ST302", "GET /v1/roles/{uid} (stateful)"),
    ]
    .iter()
    .map(|(c, o)| (c.to_string(), o.to_string()))
    .collect();
    assert_eq!(found, expected);
    let known = [("ST202".to_string(), "* (stateful)".to_string())];
    assert!(is_known(&known, &expected[2]));
    assert!(
        !is_known(&known, &expected[1]),
        "a wildcard for stateful failures only"
    );
    assert!(
        !is_known(&known, &expected[3]),
        "a wildcard for its check only"
    );
}
