//! Third-party tools the tests use, installed on first use at pinned versions into the
//! repository's ignored `.tools/` folder, never globally: npm tools (Prism, Redocly CLI) and
//! Python packages (openapi-schema-validator, each in its own venv). Concurrent tests share one
//! install: the first takes a lock file, the others wait for it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::repo_root;

/// Prism, the OpenAPI mock server and request validator.
pub const PRISM: (&str, &str, &str) = ("prism", "@stoplight/prism-cli@5.16.0", "prism");
/// Redocly CLI, the OpenAPI linter.
pub const REDOCLY: (&str, &str, &str) = ("redocly", "@redocly/cli@2.77.0", "redocly");
/// openapi-schema-validator, a JSON Schema validator for OpenAPI 3.0 schemas (`nullable`,
/// `readOnly`, draft 4 keywords): `(folder, pip requirement)`.
pub const SCHEMA_VALIDATOR: (&str, &str) = ("schema-validator", "openapi-schema-validator==0.9.0");

/// Path of an npm tool's executable, installing it first if needed. Panics with npm's output
/// when the install fails (the test cannot run without it).
pub fn npm_tool((folder, package, bin): (&str, &str, &str)) -> PathBuf {
    let prefix = repo_root().join(".tools").join(folder);
    let exe = prefix.join("node_modules").join(".bin").join(bin);
    install_once(&prefix, package, &exe, || {
        run(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&prefix)
                .arg(package),
            &format!("npm install {package}"),
        )
    });
    exe
}

/// Path of the Python interpreter of a venv holding `requirement`, creating it first if needed.
pub fn python_tool((folder, requirement): (&str, &str)) -> PathBuf {
    let venv = repo_root().join(".tools").join(folder);
    let python = venv.join("bin").join("python");
    install_once(&venv, requirement, &python, || {
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv (Debian: apt-get install python3-venv)",
        );
        run(
            Command::new(venv.join("bin").join("pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ]),
            &format!("pip install {requirement}"),
        );
    });
    python
}

/// Runs `install` unless `exe` and the marker of `what` exist in `folder`, one test at a time.
fn install_once(folder: &Path, what: &str, exe: &Path, install: impl FnOnce()) {
    let marker = folder.join(format!(".installed-{}", what.replace(['/', '@', '='], "_")));
    if marker.exists() && exe.exists() {
        return;
    }
    std::fs::create_dir_all(folder).expect("create .tools folder");
    let lock = folder.with_extension("lock");
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
                    return;
                }
            }
            Err(_) => {
                // A previous run died holding the lock.
                std::fs::remove_file(&lock).ok();
            }
        }
    }
    let installed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(install));
    std::fs::remove_file(&lock).ok();
    if let Err(panic) = installed {
        std::panic::resume_unwind(panic);
    }
    std::fs::write(&marker, what).expect("write install marker");
}

/// Runs a command, panicking with its output unless it succeeds.
fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
