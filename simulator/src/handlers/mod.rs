//! Thin handlers, one module per resource: each parses the request into its model's typed
//! input, calls the model ([`crate::model`]) and turns the answer into a reply (a model error
//! becomes an `ErrorBody` through [`crate::api::ApiError`]'s `From`). Each module lists the
//! operations it serves in its `register()`; [`registered`] collects those lists.

pub(crate) mod actions;
pub(crate) mod bdb_certs;
pub(crate) mod bdb_data;
pub(crate) mod bdb_sources;
pub(crate) mod bdbs;
pub(crate) mod cluster;
pub(crate) mod cluster_actions;
pub(crate) mod crdbs;
pub(crate) mod debuginfo;
pub(crate) mod fallback;
pub(crate) mod modules;
pub(crate) mod placement;
pub(crate) mod proxies;
pub(crate) mod roles;
pub(crate) mod settings;
pub(crate) mod shard_actions;
pub(crate) mod stats;
pub(crate) mod users;

use crate::api::Handler;

/// Every operation a resource registers, with its handler.
pub(crate) fn registered() -> Vec<(&'static str, Handler)> {
    [
        bdbs::register(),
        bdb_sources::register(),
        bdb_certs::register(),
        actions::register(),
        users::register(),
        roles::register(),
        cluster::register(),
        cluster_actions::register(),
        crdbs::register(),
        debuginfo::register(),
        modules::register(),
        placement::register(),
        proxies::register(),
        shard_actions::register(),
        stats::register(),
    ]
    .concat()
}
