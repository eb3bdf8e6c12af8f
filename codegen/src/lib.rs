//! Turns `spec/redis-enterprise.yaml` into the generated part of the `redis-enterprise-api` crate
//! (`generated/src/generated/`). This is the one description of the pipeline; the README and
//! other documents point here.
//!
//! The pipeline, one module per step, in the order [`generate_from_bytes`] calls them:
//!
//! 1. [`load`]: bytes → YAML (merge keys applied) → JSON value → `openapiv3::OpenAPI`; YAML errors
//!    name `file:line:column`.
//! 2. [`validate`]: every problem the generator would choke on, all at once, each with its
//!    location. Nothing reaches progenitor unless this step passes, so progenitor never panics.
//! 3. [`prepare`]: the generator's view of the spec: hand-written operations (multipart uploads)
//!    removed, enum components collected, doc extensions (`x-since`, deprecation) folded into
//!    descriptions.
//! 4. [`generate`]: progenitor (client and httpmock mocks) with the house settings.
//! 5. [`passes`]: the named `syn` passes of [`passes::PIPELINE`] over the types, the client and
//!    the mocks (unknown-property maps, lenient scalars, path-aware decoding, open enums from
//!    [`enums`]), house choices apart from upstream workarounds; code is recognised by its
//!    shape ([`syntax`]).
//! 6. [`operations`]: the operation table and body codecs, from the spec and the client.
//! 7. [`builders`]: each operation's `Client` method and its request builder (named
//!    parameters).
//! 8. [`split`]: which file each item lands in (by resource; a type beside its impls), plus the
//!    spec-independent [`glue`] files that tie `Client` to the hand-written runtime crate
//!    (`config.rs`, `glue.rs`).
//! 9. [`emit`]: `prettyplease` rendering and the do-not-edit header.
//!
//! [`check`] compares the output with the committed files and writes or reports the difference.
//! It does not touch the hand-written code (the `runtime/` crate, `generated/src/lib.rs` and
//! `generated/src/workflows/`) and never reads the clock, the environment or absolute paths, so
//! the same spec always gives the same bytes.

pub mod builders;
pub mod check;
pub mod emit;
pub mod enums;
pub mod generate;
pub mod glue;
pub mod load;
pub mod operations;
pub mod passes;
pub mod prepare;
pub mod split;
pub mod syntax;
pub mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The spec, relative to the repository root.
pub const SPEC_PATH: &str = "spec/redis-enterprise.yaml";
/// The folder codegen owns, relative to the repository root.
pub const OUTPUT_DIR: &str = "generated/src/generated";
/// The command that regenerates everything; printed by every drift report.
pub const REGENERATE_COMMAND: &str = "cargo xtask codegen";

/// One problem found in the spec, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// `file:line:column` for YAML errors, a JSON-pointer-like path (`paths./v1/bdbs.get`) otherwise.
    pub location: String,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Everything that can stop generation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("cannot access {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The spec is malformed or uses something the generator cannot handle.
    #[error("{file} has {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The spec file name as given.
        file: String,
        /// Every problem, sorted by location.
        problems: Vec<Problem>,
    },
    /// progenitor refused the (already validated) spec.
    #[error("progenitor failed: {message}")]
    Generator {
        /// progenitor's message.
        message: String,
    },
    /// A post-processing pass could not do its job (progenitor's output changed shape).
    #[error("post-processing pass `{pass}` failed: {message}")]
    Pass {
        /// The pass.
        pass: &'static str,
        /// What it could not find or parse.
        message: String,
    },
}

/// Generated files: path relative to the repository root → contents. Sorted, so iteration and
/// reports are deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The files.
    pub files: BTreeMap<String, String>,
}

/// Generates every file from spec bytes. `spec_name` is the repository-relative name written into
/// headers and error messages.
pub fn generate_from_bytes(spec_name: &str, bytes: &[u8]) -> Result<Output, Error> {
    let loaded = load::load_spec(spec_name, bytes)?;
    let problems = validate::validate(&loaded.raw);
    if !problems.is_empty() {
        return Err(Error::Invalid {
            file: spec_name.to_string(),
            problems,
        });
    }
    let prepared = prepare::prepare(&loaded.raw).map_err(|problems| Error::Invalid {
        file: spec_name.to_string(),
        problems,
    })?;
    let tokens = generate::generate(&prepared)?;
    let mut trees = passes::Trees::parse(tokens)?;
    passes::run(&mut trees, &prepared)?;
    let table = operations::generate(&prepared, &trees.client)?;
    let operations = builders::build(&mut trees.client)?;
    let layout = split::layout(trees, operations, table, &prepared)?;
    emit::emit(spec_name, bytes, &loaded.raw, layout)
}

/// Generates every file from the spec of the repository at `root`.
pub fn generate_repo(root: &Path) -> Result<Output, Error> {
    let path = root.join(SPEC_PATH);
    let bytes = std::fs::read(&path).map_err(|source| Error::Io { path, source })?;
    generate_from_bytes(SPEC_PATH, &bytes)
}
