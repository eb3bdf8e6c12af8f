//! Version awareness: the cluster's Redis Software release, read once and cached
//! ([`cluster_version`], `Client::cluster_version`), and the opt-in check
//! ([`ClientBuilder::check_cluster_version`](crate::ClientBuilder::check_cluster_version)) that
//! refuses, before any request, an operation that release does not serve.
//!
//! The facts come from the spec through the operation table: `since` and `removed_in` (what the
//! reference documents) and `served_in` / `not_served_in` (what live clusters did, recorded in
//! the spec's `x-served-in` / `x-not-served-in` extensions). The decision is
//! [`Operation::served_by`]; this module only adds the reason and the cache.
//! It does not guess: a release that cannot be read as `major.minor` is allowed everything.

use std::sync::Arc;

use crate::error::{Error, IntegrityError, NotServed, NotServedReason};
use crate::operation::{release_number, Operation};
use crate::ApiClient;

/// The cached version and whether to check operations against it.
#[derive(Debug, Clone, Default)]
pub(crate) struct VersionState {
    pub(crate) check: bool,
    pub(crate) cached: Arc<tokio::sync::OnceCell<String>>,
}

impl VersionState {
    pub(crate) fn new(check: bool, preset: Option<String>) -> Self {
        let cached = match preset {
            Some(v) => tokio::sync::OnceCell::new_with(Some(v)),
            None => tokio::sync::OnceCell::new(),
        };
        Self {
            check,
            cached: Arc::new(cached),
        }
    }
}

/// Why `op` is not served by `release` (`None` when it is).
pub fn not_served_reason(op: &Operation, release: &str) -> Option<NotServedReason> {
    if op.served_by(release) {
        return None;
    }
    let r = release_number(release)?;
    let short = format!("{}.{}", r.0, r.1);
    if !op.served_in.is_empty()
        || op
            .not_served_in
            .iter()
            .any(|s| release_number(s) == Some(r))
    {
        return Some(NotServedReason::NotServedIn(short));
    }
    if let Some(since) = op
        .since
        .filter(|s| release_number(s).is_some_and(|s| r < s))
    {
        return Some(NotServedReason::Since(since));
    }
    if let Some(removed) = op.removed_in {
        return Some(NotServedReason::RemovedIn(removed));
    }
    Some(NotServedReason::NotServedIn(short))
}

/// The cluster's Redis Software version (such as `7.22.0-95`), read once and cached for the
/// life of the client (and its clones): the lowest `software_version` of `GET /v1/nodes` (a
/// cluster being upgraded serves what its oldest node serves), or, when no node reports
/// one, the `software_version` (or `version`) of `GET /v1/cluster`. Concurrent first calls
/// share one read.
pub async fn cluster_version<C: ApiClient>(client: &C) -> Result<String, Error> {
    client
        .inner()
        .version
        .cached
        .get_or_try_init(|| read_cluster_version(client))
        .await
        .cloned()
}

async fn read_cluster_version<C: ApiClient>(client: &C) -> Result<String, Error> {
    let nodes = get_json_unchecked(client, "/v1/nodes", "node_list").await?;
    let lowest = nodes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.get("software_version")?.as_str())
        .filter(|v| !v.is_empty())
        .min_by_key(|v| release_number(v).unwrap_or((u32::MAX, u32::MAX)));
    if let Some(version) = lowest {
        return Ok(version.to_string());
    }
    let cluster = get_json_unchecked(client, "/v1/cluster", "cluster_get").await?;
    ["software_version", "version"]
        .iter()
        .find_map(|key| cluster.get(*key)?.as_str().filter(|v| !v.is_empty()))
        .map(str::to_string)
        .ok_or_else(|| Error::Integrity(Box::new(IntegrityError::NoVersion)))
}

/// A GET that skips the version check (it is how the version is read).
async fn get_json_unchecked<C: ApiClient>(
    client: &C,
    path: &str,
    operation_id: &str,
) -> Result<serde_json::Value, Error> {
    let mut request = client
        .client()
        .get(format!("{}{}", client.baseurl(), path))
        .build()?;
    crate::hooks::authorize(client, &mut request).await?;
    let response = crate::hooks::execute_with_retries(client, request, operation_id).await?;
    let status = response.status();
    if !status.is_success() {
        return Err(crate::decode::error_response(response).await);
    }
    Ok(crate::decode::from_response::<serde_json::Value>(response)
        .await?
        .into_inner())
}

/// Refuses `operation_id` when the version check is on and the cluster's release does not
/// serve it. Operations outside the spec (raw paths) are not checked.
pub(crate) async fn check_served<C: ApiClient>(
    client: &C,
    operation_id: &str,
) -> Result<(), Error> {
    if !client.inner().version.check {
        return Ok(());
    }
    let Some(op) = C::operation(operation_id) else {
        return Ok(());
    };
    let version = cluster_version(client).await?;
    match not_served_reason(op, &version) {
        None => Ok(()),
        Some(reason) => Err(Error::NotServed(Box::new(NotServed {
            operation: op.id.to_string(),
            cluster_version: version,
            reason,
        }))),
    }
}
