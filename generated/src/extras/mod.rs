//! Hand-written conveniences built only on generated operations.

pub mod actions;

pub use actions::{ActionOutcome, StartsAction, WaitError, WaitOptions};
