//! Helpers shared by the integration tests (`it/`, one binary): where the repository is, the
//! spec as every test reads it ([`spec`]), a schema-following JSON generator ([`schema`]), the
//! exact JSON comparator ([`json`]), a loopback HTTPS (or plain HTTP) server with a certificate
//! generated at start-up whose handler the test supplies ([`server`]), the set-up several test
//! modules share ([`setup`]), and the npm tools the tests install ([`tools`]).

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
