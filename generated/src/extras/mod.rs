//! Hand-written conveniences built only on generated operations: waiting
//! ([`wait_until`] and the named waiters), database changes that wait for the cluster, look-ups
//! by name, streamed downloads, the usage report and database endpoints.

pub mod actions;
pub mod download;
pub mod endpoint;
pub mod find;
mod modules;
pub mod usage_report;
pub mod wait;
pub mod workflows;

pub use actions::{ActionOutcome, StartsAction, WaitError};
pub use download::DownloadOptions;
pub use endpoint::{DatabaseEndpoint, DatabaseEndpoints, JwtAuthorizeFor};
pub use find::FindError;
pub use modules::ModuleUpload;
pub use usage_report::UsageReport;
pub use wait::{wait_until, UntilError, Verdict, WaitOptions, Waited, MIN_POLL_INTERVAL};
pub use workflows::WorkflowError;
