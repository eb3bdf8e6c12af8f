//! The simulator's integration tests, as one test binary (one link instead of one per file):
//! one module per subject, shared set-up in [`common`]. Run one subject with
//! `cargo test -p redis-enterprise-simulator --test it <module>::`.

mod common;

mod bad_input;
mod bdb_extras;
mod binary;
mod concurrency;
mod credentials;
mod data;
mod downstream;
mod modules;
mod objects;
mod placement;
mod release;
mod restart;
mod routes;
mod schemathesis;
mod workflow;
