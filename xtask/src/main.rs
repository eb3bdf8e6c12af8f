//! `cargo xtask codegen [--check]`: a thin command line over the `codegen` library.
//!
//! `codegen` regenerates `generated/src/generated/` from `spec/redis-enterprise.yaml`;
//! `codegen --check` writes nothing, prints the drift report and exits 1 when anything differs.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn repo_root() -> PathBuf {
    // xtask lives one folder below the repository root.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent folder")
        .to_path_buf()
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
    let root = repo_root();
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
