//! The Redis Software release the simulator impersonates (`--release`, default 8.2): which
//! routes it serves (the operation table's `since`/`removed_in`/`served_in`/`not_served_in`,
//! through [`Operation::served_by`]), the `software_version` its nodes report and the newest
//! Redis version its databases can run. Versions are those of the live clusters the observed
//! route facts were probed on.

use redis_enterprise_api::operations::Operation;

/// A release the simulator can impersonate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// `major.minor`, as `--release` takes it.
    pub name: &'static str,
    /// What its nodes report as `software_version`.
    pub software_version: &'static str,
    /// The newest Redis version it ships (a database's `version` after `bdb_upgrade`).
    pub redis_version: &'static str,
}

/// Every release the simulator impersonates, oldest first.
pub const RELEASES: &[Release] = &[
    Release {
        name: "7.4",
        software_version: "7.4.6-272",
        redis_version: "7.2",
    },
    Release {
        name: "7.8",
        software_version: "7.8.6-286",
        redis_version: "7.4",
    },
    Release {
        name: "7.22",
        software_version: "7.22.2-170",
        redis_version: "7.4",
    },
    Release {
        name: "8.0",
        software_version: "8.0.20-68",
        redis_version: "8.0",
    },
    Release {
        name: "8.2",
        software_version: "8.2.0-25",
        redis_version: "8.2",
    },
];

/// The default release.
pub const DEFAULT_RELEASE: &str = "8.2";

/// The release named `name` (`"8.2"`), if the simulator knows it.
pub fn find(name: &str) -> Option<&'static Release> {
    RELEASES.iter().find(|r| r.name == name)
}

/// The newest Redis version release `name` ships (the default release's when unknown).
pub(crate) fn redis_version(name: &str) -> &'static str {
    find(name)
        .or_else(|| find(DEFAULT_RELEASE))
        .map_or("8.2", |r| r.redis_version)
}

/// Whether the release serves `op` (a route it does not serve answers 404, as it did).
pub(crate) fn serves(release: &str, op: &Operation) -> bool {
    op.served_by(release)
}
