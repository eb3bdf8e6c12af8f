//! `cargo xtask codegen [--check]`: a thin command line over the `codegen` library.
//!
//! `codegen` regenerates `generated/src/generated/` from `spec/redis-enterprise.yaml`;
//! `codegen --check` writes nothing, prints the drift report and exits 1 when anything differs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The repository to work on, found at run time (never the path this binary was compiled
/// from: a binary built from another worktree into a shared `target/` must still check the
/// tree it is run in). `cargo run` (the `cargo xtask` alias) sets `CARGO_MANIFEST_DIR` to the
/// `xtask/` folder of the workspace it ran in; without it, the nearest folder at or above the
/// current one that holds the spec.
fn repo_root() -> Result<PathBuf, String> {
    let holds_spec = |dir: &Path| dir.join(codegen::SPEC_PATH).is_file();
    if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        if let Some(root) = Path::new(&manifest_dir).parent() {
            if holds_spec(root) {
                return Ok(root.to_path_buf());
            }
        }
    }
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    cwd.ancestors()
        .find(|dir| holds_spec(dir))
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "no folder at or above {} holds {}: run cargo xtask inside the repository",
                cwd.display(),
                codegen::SPEC_PATH
            )
        })
}

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask codegen [--check]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => run(false),
        ["codegen", "--check"] => run(true),
        _ => usage(),
    }
}

fn run(check_only: bool) -> ExitCode {
    let root = match repo_root() {
        Ok(root) => root,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    if check_only {
        match codegen::check::check(&root) {
            Ok(report) if report.is_clean() => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Ok(report) => {
                eprint!("{report}");
                ExitCode::from(1)
            }
            Err(e) => fail(e),
        }
    } else {
        let output = match codegen::generate_repo(&root) {
            Ok(o) => o,
            Err(e) => return fail(e),
        };
        let generated_in = start.elapsed();
        match codegen::check::write(&root, &output) {
            Ok(summary) => {
                for f in &summary.written {
                    println!("wrote {f}");
                }
                for f in &summary.deleted {
                    println!("deleted {f}");
                }
                println!(
                    "{} file(s) written, {} deleted, {} unchanged; generated in {:.0?}",
                    summary.written.len(),
                    summary.deleted.len(),
                    summary.unchanged,
                    generated_in
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        }
    }
}

fn fail(e: codegen::Error) -> ExitCode {
    eprintln!("error: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        eprintln!("  caused by: {s}");
        source = s.source();
    }
    ExitCode::from(1)
}
