//! The integration tests of the client, as one test binary (one link of the generated crate
//! instead of one per file), one module per subject. Set-up shared between modules lives in the
//! library of this crate (`redis_enterprise_api_tests::setup`, `server`, `schema`).
//!
//! Filter by subject as usual: `cargo test -p redis-enterprise-api-tests --test it auth::`.

// Client behaviour, against loopback servers.
mod auth;
mod bodies;
mod client;
mod conveniences;
mod download_safety;
mod downloads;
mod forgery;
mod isolation;
mod lookups;
mod retries;
mod secrets;
mod shapes;
mod transport;
mod transport_kinds;
mod version;
mod waiters;
mod workflows;
mod xtask;

// Decoding: leniency classes, malformed input, the reference's examples, random bodies.
mod debug_text;
mod decoding;
mod fixtures;
mod leniency;
mod observed;
mod property;

// The spec and the generated code: drift, lint, typed mocks, Prism.
mod drift;
mod lint;
mod mock;
mod prism;
