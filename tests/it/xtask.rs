//! `cargo xtask` checks the tree it runs in (issue 20, item 7): the xtask binary in the shared
//! `target/` checks the worktree it is run in, not the tree it was compiled from (xtask finds the
//! repository at run time).
//!
//! The test builds xtask from the checkout only. It never builds another tree's sources into the
//! shared `target/`: cargo hashes a path package by its path relative to the workspace, so two
//! worktrees share one artifact, and the newer build wins by file times. A second tree built
//! there would leave the checkout's `cargo xtask` running the other tree's code (its codegen,
//! without the checkout's uncommitted changes) until a source file changes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use redis_enterprise_api_tests::repo_root;

/// A `git worktree` removed when dropped.
struct Worktree {
    repo: PathBuf,
    path: PathBuf,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let removed = Command::new("git")
            .arg("-C")
            .arg(&self.repo)
            .args(["worktree", "remove", "--force"])
            .arg(&self.path)
            .status();
        if !removed.is_ok_and(|s| s.success()) {
            eprintln!("could not remove the worktree {}", self.path.display());
        }
    }
}

fn xtask_check(tree: &Path, target: &Path) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .current_dir(tree)
        .args(["xtask", "codegen", "--check"])
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("cargo runs")
}

#[test]
fn xtask_checks_its_own_tree_with_a_shared_target_dir() {
    let root = repo_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    let tmp = tempfile::tempdir().expect("temp dir");
    let second = tmp.path().join("second");
    let added = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["worktree", "add", "--detach", "--quiet"])
        .arg(&second)
        .arg("HEAD")
        .status()
        .expect("git runs");
    assert!(added.success(), "git worktree add");
    let _worktree = Worktree {
        repo: root.clone(),
        path: second.clone(),
    };
    // The second tree's spec changes (a comment: the generated files record the spec's hash),
    // so its generated code no longer matches: its check must fail, naming its own files.
    let spec = second.join("spec/redis-enterprise.yaml");
    let mut text = std::fs::read_to_string(&spec).expect("spec");
    text.push_str("\n# a change only the second worktree has\n");
    std::fs::write(&spec, text).expect("write spec");

    // The checkout's xtask, built into the shared target folder, run in the second tree.
    let built = xtask_check(&root, &target);
    assert!(
        built.status.code().is_some_and(|c| c == 0 || c == 1),
        "building and running xtask in the checkout: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    let exe = target.join("debug").join("xtask");
    let there = Command::new(&exe)
        .current_dir(&second)
        .args(["codegen", "--check"])
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("the built xtask runs");
    let there_err = String::from_utf8_lossy(&there.stderr);
    assert_eq!(there.status.code(), Some(1), "second tree: {there_err}");
    assert!(there_err.contains("generated"), "{there_err}");

    // Then the checkout, with the same target folder: it checks itself, and it is clean.
    let here = xtask_check(&root, &target);
    let here_err = String::from_utf8_lossy(&here.stderr);
    assert_eq!(here.status.code(), Some(0), "checkout: {here_err}");
    assert!(
        !here_err.contains(&*second.to_string_lossy()),
        "the checkout looked at the second tree: {here_err}"
    );
}
