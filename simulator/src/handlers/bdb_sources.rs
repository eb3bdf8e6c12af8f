//! `/v1/bdbs/{replica,crdt}_sources/alerts...`, `/v1/bdbs/{uid}/sync_source_stats...`,
//! `/v1/bdbs/{uid}/syncer_state...` and `/v1/bdbs/{uid}/peer_stats...` over
//! [`crate::model::bdb_sources`].

use std::sync::Arc;

use crate::api::{ApiError, Handler, Reply, Req};
use crate::model::bdb_sources::{self, Kind};
use crate::Shared;

fn kind(req: &Req) -> Kind {
    if req.op.id.starts_with("bdb_crdt_source") {
        Kind::Crdt
    } else {
        Kind::Replica
    }
}

/// The name of the source id parameter of `kind`'s routes.
fn source_param(kind: Kind) -> &'static str {
    match kind {
        Kind::Replica => "replica_src_id",
        Kind::Crdt => "crdt_src_id",
    }
}

fn alerts_all(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    Ok(Reply::ok(bdb_sources::alerts_all(shared, kind(req))?))
}

fn alerts_of(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    Ok(Reply::ok(bdb_sources::alerts_of(shared, uid, kind(req))?))
}

/// One source's alerts, or one alert of it: the source must exist first.
fn source_alerts(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    let kind = kind(req);
    let source = req.param(source_param(kind));
    Err(bdb_sources::source(shared, uid, kind, source).into())
}

fn sync_source_stats(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("bdb_uid")?;
    Ok(Reply::ok(bdb_sources::sync_source_stats(shared, uid)?))
}

fn sync_source_stats_get(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("bdb_uid")?;
    Err(bdb_sources::no_syncer(shared, uid, "sync_source").into())
}

fn syncer_state(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("uid")?;
    Err(bdb_sources::no_syncer(shared, uid, "syncer_state").into())
}

fn peer_stats(shared: &Arc<Shared>, req: &Req) -> Result<Reply, ApiError> {
    let uid = req.int_param("bdb_uid")?;
    Err(bdb_sources::peers(shared, uid).into())
}

/// The operations this resource serves.
pub(crate) fn register() -> Vec<(&'static str, Handler)> {
    vec![
        (
            "bdb_replica_source_alerts_list_all",
            Handler::Sync(alerts_all),
        ),
        ("bdb_crdt_source_alerts_list_all", Handler::Sync(alerts_all)),
        ("bdb_replica_source_alerts_list", Handler::Sync(alerts_of)),
        ("bdb_crdt_source_alerts_list", Handler::Sync(alerts_of)),
        (
            "bdb_replica_source_alerts_get",
            Handler::Sync(source_alerts),
        ),
        ("bdb_crdt_source_alerts_get", Handler::Sync(source_alerts)),
        ("bdb_replica_source_alert_get", Handler::Sync(source_alerts)),
        ("bdb_crdt_source_alert_get", Handler::Sync(source_alerts)),
        (
            "bdb_sync_source_stats_list",
            Handler::Sync(sync_source_stats),
        ),
        (
            "bdb_sync_source_stats_get",
            Handler::Sync(sync_source_stats_get),
        ),
        ("bdb_syncer_state_get", Handler::Sync(syncer_state)),
        ("bdb_syncer_state_crdt_get", Handler::Sync(syncer_state)),
        ("bdb_syncer_state_replica_get", Handler::Sync(syncer_state)),
        ("bdb_peer_stats_list", Handler::Sync(peer_stats)),
        ("bdb_peer_stats_get", Handler::Sync(peer_stats)),
    ]
}
