//! Drift: compares generated output with the files on disk, and writes it.
//!
//! `cargo xtask codegen --check` and the drift test both call [`check`], so they report the same
//! thing: a capped unified diff per changed file, missing and stale files, and the fix command.

use std::fmt;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::{generate_repo, Error, Output, OUTPUT_DIR, REGENERATE_COMMAND};

/// Unified diff lines shown per file before the rest is summarised.
pub const DIFF_LINE_CAP: usize = 200;

/// What differs between the generator's output and the committed files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Files whose contents differ, with a capped unified diff (committed → regenerated).
    pub changed: Vec<(String, String)>,
    /// Files the generator produces that are not on disk.
    pub missing: Vec<String>,
    /// Files on disk in the generated folder that the generator no longer produces.
    pub stale: Vec<String>,
}

impl Report {
    /// Whether the committed files match the generator's output.
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.stale.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return writeln!(f, "generated code is up to date with {}", crate::SPEC_PATH);
        }
        writeln!(
            f,
            "error: generated code is out of date with {}",
            crate::SPEC_PATH
        )?;
        for (_, diff) in &self.changed {
            f.write_str(diff)?;
        }
        for m in &self.missing {
            writeln!(f, "missing: {m} (produced by the generator, not on disk)")?;
        }
        for s in &self.stale {
            writeln!(f, "stale: {s} (not produced by the generator)")?;
        }
        writeln!(f, "fix: {REGENERATE_COMMAND} && git add {OUTPUT_DIR}")
    }
}

/// A capped unified diff with 3 lines of context.
pub fn unified_diff(path: &str, committed: &str, regenerated: &str) -> String {
    let diff = TextDiff::from_lines(committed, regenerated);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{path}   (committed)"),
            &format!("{path}   (regenerated)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= DIFF_LINE_CAP {
        let mut out = text;
        if !out.ends_with('\n') {
            out.push('\n');
        }
        return out;
    }
    let changed_rest = lines[DIFF_LINE_CAP..]
        .iter()
        .filter(|l| l.starts_with('+') || l.starts_with('-'))
        .count();
    let mut out = lines[..DIFF_LINE_CAP].join("\n");
    out.push_str(&format!(
        "\n… {changed_rest} more changed lines in this file (diff capped at {DIFF_LINE_CAP} lines per file)\n"
    ));
    out
}

/// Files under `dir`, relative to `root`, `/`-separated, sorted.
fn files_under(root: &Path, dir: &Path) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(Error::Io { path: d, source }),
        };
        for entry in entries {
            let entry = entry.map_err(|source| Error::Io {
                path: d.clone(),
                source,
            })?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Compares `output` with the files under `root`.
pub fn compare(root: &Path, output: &Output) -> Result<Report, Error> {
    let mut report = Report::default();
    for (rel, contents) in &output.files {
        let path = root.join(rel);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let committed = String::from_utf8_lossy(&bytes);
                if committed != contents.as_str() {
                    report
                        .changed
                        .push((rel.clone(), unified_diff(rel, &committed, contents)));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => report.missing.push(rel.clone()),
            Err(source) => return Err(Error::Io { path, source }),
        }
    }
    for rel in files_under(root, &root.join(OUTPUT_DIR))? {
        if !output.files.contains_key(&rel) {
            report.stale.push(rel);
        }
    }
    Ok(report)
}

/// Regenerates in memory from the spec under `root` and compares with the files under `root`.
pub fn check(root: &Path) -> Result<Report, Error> {
    let output = generate_repo(root)?;
    compare(root, &output)
}

/// What [`write()`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Files written because they changed or were missing.
    pub written: Vec<String>,
    /// Stale files deleted.
    pub deleted: Vec<String>,
    /// Files already up to date.
    pub unchanged: usize,
}

/// Writes `output` under `root`, leaving identical files untouched and deleting stale ones.
pub fn write(root: &Path, output: &Output) -> Result<WriteSummary, Error> {
    let report = compare(root, output)?;
    let mut summary = WriteSummary::default();
    for rel in report
        .changed
        .iter()
        .map(|(r, _)| r)
        .chain(report.missing.iter())
    {
        let path: PathBuf = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, &output.files[rel]).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        summary.written.push(rel.clone());
    }
    for rel in &report.stale {
        let path = root.join(rel);
        std::fs::remove_file(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        summary.deleted.push(rel.clone());
    }
    summary.unchanged = output.files.len() - report.changed.len() - report.missing.len();
    Ok(summary)
}
