//! The drift test: the committed generated code must be exactly what the spec produces. It calls
//! the same `codegen::check::check` as `cargo xtask codegen --check` and fails with the same
//! report (diff, missing and stale files, and the fix command).

use std::path::Path;

use redis_enterprise_api_tests::repo_root;

#[test]
fn generated_code_matches_the_spec() {
    let report = codegen::check::check(&repo_root()).expect("the spec generates");
    assert!(report.is_clean(), "\n{report}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Proves the drift test bites: a hand edit, a deleted file and a stray file are all reported.
#[test]
fn drift_check_reports_edits_missing_and_stale_files() {
    let root = repo_root();
    let tmp = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir_all(tmp.path().join("spec")).expect("spec folder");
    std::fs::copy(
        root.join(codegen::SPEC_PATH),
        tmp.path().join(codegen::SPEC_PATH),
    )
    .expect("copy spec");
    copy_dir(
        &root.join(codegen::OUTPUT_DIR),
        &tmp.path().join(codegen::OUTPUT_DIR),
    );

    let clean = codegen::check::check(tmp.path()).expect("the copy generates");
    assert!(
        clean.is_clean(),
        "the untouched copy should be clean:\n{clean}"
    );

    let out = tmp.path().join(codegen::OUTPUT_DIR);
    let types = out.join("types/bdbs.rs");
    let edited = std::fs::read_to_string(&types)
        .expect("read types/bdbs.rs")
        .replacen("pub struct ", "pub struct HandEdited", 1);
    std::fs::write(&types, edited).expect("edit types/bdbs.rs");
    std::fs::remove_file(out.join("operations.rs")).expect("remove operations.rs");
    std::fs::write(out.join("stray.rs"), "// not generated\n").expect("add stray.rs");
    // A file of a resource the spec no longer has, inside a split folder.
    std::fs::write(out.join("mock/operations/gone.rs"), "// not generated\n")
        .expect("add mock/operations/gone.rs");

    let report = codegen::check::check(tmp.path()).expect("the copy generates");
    let text = report.to_string();
    assert!(!report.is_clean());
    assert_eq!(report.changed.len(), 1, "{text}");
    assert_eq!(report.changed[0].0, "generated/src/generated/types/bdbs.rs");
    assert!(
        text.contains("--- generated/src/generated/types/bdbs.rs   (committed)"),
        "{text}"
    );
    assert!(
        text.contains("+++ generated/src/generated/types/bdbs.rs   (regenerated)"),
        "{text}"
    );
    assert!(text.contains("-pub struct HandEdited"), "{text}");
    assert_eq!(
        report.missing,
        vec!["generated/src/generated/operations.rs".to_string()],
        "{text}"
    );
    assert_eq!(
        report.stale,
        vec![
            "generated/src/generated/mock/operations/gone.rs".to_string(),
            "generated/src/generated/stray.rs".to_string()
        ],
        "{text}"
    );
    assert!(
        text.contains("missing: generated/src/generated/operations.rs"),
        "{text}"
    );
    assert!(
        text.contains("stale: generated/src/generated/stray.rs"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("fix: cargo xtask codegen && git add generated/src/generated"),
        "{text}"
    );

    // Writing repairs all three.
    let output = codegen::generate_repo(tmp.path()).expect("the copy generates");
    let summary = codegen::check::write(tmp.path(), &output).expect("write");
    assert_eq!(
        summary.deleted,
        vec![
            "generated/src/generated/mock/operations/gone.rs".to_string(),
            "generated/src/generated/stray.rs".to_string()
        ]
    );
    assert_eq!(summary.written.len(), 2);
    assert!(codegen::check::check(tmp.path())
        .expect("generates")
        .is_clean());
}

#[test]
fn large_diffs_are_capped() {
    let committed: String = (0..1000).map(|i| format!("line {i}\n")).collect();
    let regenerated: String = (0..1000).map(|i| format!("changed {i}\n")).collect();
    let diff = codegen::check::unified_diff("x.rs", &committed, &regenerated);
    assert!(
        diff.lines().count() <= codegen::check::DIFF_LINE_CAP + 1,
        "{} lines",
        diff.lines().count()
    );
    assert!(diff.contains("more changed lines in this file (diff capped at 200 lines per file)"));
}

/// The generated code is split by resource. Operation files (`builder/`, `mock/operations/`) stay
/// reviewable: none over 5,000 lines, each tag's operations in `builder/<tag>.rs` (its stats and
/// alerts in `builder/<tag>_monitoring.rs` when it has both kinds). Type files are laid out by
/// owner, never by size (issue 17: size chunks made one spec change touch unrelated files), so
/// they have no line cap; instead the owner rule is checked on the types users meet first.
#[test]
fn generated_files_are_split_by_resource_and_small() {
    let root = repo_root().join(codegen::OUTPUT_DIR);
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut largest = (0, String::new());
    let mut operation_files = 0;
    for file in &files {
        let name = file
            .strip_prefix(&root)
            .expect("under the output folder")
            .display()
            .to_string();
        if !(name.starts_with("builder/") || name.starts_with("mock/operations/")) {
            continue;
        }
        operation_files += 1;
        let lines = std::fs::read_to_string(file).expect("read").lines().count();
        assert!(lines <= 5_000, "{name} has {lines} lines");
        if lines > largest.0 {
            largest = (lines, name);
        }
    }
    let tags: std::collections::BTreeSet<&str> = redis_enterprise_api::operations::OPERATIONS
        .iter()
        .filter(|op| !op.handwritten)
        .map(|op| op.tag)
        .collect();
    for tag in &tags {
        assert!(
            root.join("builder").join(format!("{tag}.rs")).is_file(),
            "no builder/{tag}.rs"
        );
        assert!(
            root.join("mock/operations")
                .join(format!("{tag}.rs"))
                .is_file(),
            "no mock/operations/{tag}.rs"
        );
    }
    // Two files per tag, plus the monitoring files of bdbs, cluster, nodes and shards.
    assert_eq!(operation_files, tags.len() * 2 + 8, "operation files");
    for tag in ["bdbs", "cluster", "nodes", "shards"] {
        let monitoring = std::fs::read_to_string(root.join(format!("builder/{tag}_monitoring.rs")))
            .expect("a monitoring file");
        assert!(
            monitoring.contains("/stats"),
            "{tag}_monitoring.rs has no stats"
        );
        let main = std::fs::read_to_string(root.join(format!("builder/{tag}.rs"))).expect("read");
        assert!(!main.contains("/stats"), "builder/{tag}.rs still has stats");
    }
    // Types live with the resource that owns them, each with its impls.
    for (file, ty) in [
        ("types/bdbs.rs", "Bdb"),
        ("types/cluster.rs", "Cluster"),
        ("types/nodes.rs", "Node"),
        ("types/users.rs", "User"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).expect("a type file");
        assert!(
            text.contains(&format!("pub struct {ty} {{")),
            "{ty} not in {file}"
        );
        assert!(
            text.contains(&format!("for {ty} {{")),
            "no impl of {ty} in {file}"
        );
    }
    println!(
        "{} generated files, {operation_files} of operations for {} tags; largest operation file {} ({} lines)",
        files.len(),
        tags.len(),
        largest.1,
        largest.0
    );
}
