//! Hand-written workflows built only on generated operations and the runtime: waiting
//! ([`wait_until`] and the named waiters), database changes that wait for the cluster, look-ups
//! by name, streamed downloads, module uploads, the usage report and database endpoints. (The
//! source folder is `src/workflows/`; the public module keeps its name, `extras`.)

pub mod actions;
pub mod databases;
pub mod download;
pub mod endpoint;
pub mod find;
mod modules;
pub mod usage_report;
pub mod wait;
/// The old name of [`databases`], kept so that paths written against it still resolve.
#[doc(hidden)]
pub use databases as workflows;

pub use actions::{ActionOutcome, StartsAction, WaitError};
pub use databases::WorkflowError;
pub use download::DownloadOptions;
pub use endpoint::{DatabaseEndpoint, DatabaseEndpoints, JwtAuthorizeFor};
pub use find::FindError;
pub use modules::ModuleUpload;
pub use usage_report::UsageReport;
pub use wait::{wait_until, UntilError, Verdict, WaitOptions, Waited, MIN_POLL_INTERVAL};
