//! npm tools the tests use (Prism, Redocly CLI), installed on first use at pinned versions into
//! the repository's ignored `.tools/` folder, never globally. Concurrent tests share one install:
//! the first takes a lock file, the others wait for it.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::repo_root;

/// Prism, the OpenAPI mock server and request validator.
pub const PRISM: (&str, &str, &str) = ("prism", "@stoplight/prism-cli@5.16.0", "prism");
/// Redocly CLI, the OpenAPI linter.
pub const REDOCLY: (&str, &str, &str) = ("redocly", "@redocly/cli@2.77.0", "redocly");

/// Path of the tool's executable, installing it first if needed. Panics with npm's output when
/// the install fails (the test cannot run without it).
pub fn npm_tool((folder, package, bin): (&str, &str, &str)) -> PathBuf {
    let prefix = repo_root().join(".tools").join(folder);
    let exe = prefix.join("node_modules").join(".bin").join(bin);
    let marker = prefix.join(format!(".installed-{}", package.replace(['/', '@'], "_")));
    if marker.exists() && exe.exists() {
        return exe;
    }
    std::fs::create_dir_all(&prefix).expect("create .tools folder");
    let lock = prefix.join(".lock");
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
                let _ = std::fs::remove_file(&lock);
            }
        }
    }
    let output = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(package)
        .output()
        .expect("npm is installed (Node 20)");
    let _ = std::fs::remove_file(&lock);
    assert!(
        output.status.success(),
        "npm install {package} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::write(&marker, package).expect("write install marker");
    exe
}
