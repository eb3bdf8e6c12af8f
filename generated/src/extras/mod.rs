//! Hand-written conveniences built only on generated operations.

pub mod actions;
mod modules;

pub use actions::{ActionOutcome, StartsAction, WaitError, WaitOptions};
