//! Helpers shared by the integration tests: where the repository is, and a loopback HTTPS (or
//! plain HTTP) server with a certificate generated at start-up whose handler the test supplies.

pub mod bench;
pub mod json;
pub mod schema;
pub mod server;
pub mod setup;
pub mod spec;
pub mod tools;

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}
