//! What a database syncs from: Replica Of sources (`replica_sources`), Active-Active sources
//! (`crdt_sources`) and Active-Active peers. The simulator runs no syncer, so it models the
//! answers of a database that has none, as live clusters gave them
//! (`reference/observed/routes.json`, a database without sources or peers): the source alerts
//! are empty maps, the sync-source statistics an empty list, a named source or alert does not
//! exist (404), there is no syncer state (404), and peer statistics are refused because the
//! database is not Active-Active (406). A database that does name sources, or is an
//! Active-Active member, would need a syncer to answer: that is `not_modelled`.

use crate::model::ModelError;
use crate::Shared;

/// What one database syncs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sources {
    /// Replica Of sources it names.
    pub replica: usize,
    /// Active-Active sources it names.
    pub crdt: usize,
    /// Whether it is an Active-Active member (has peers).
    pub active_active: bool,
}

impl Sources {
    fn of(bdb: &redis_enterprise_api::types::Bdb) -> Self {
        Self {
            replica: bdb.replica_sources.as_ref().map_or(0, Vec::len),
            crdt: bdb.crdt_sources.as_ref().map_or(0, Vec::len),
            active_active: bdb.crdt == Some(true),
        }
    }

    /// Whether a syncer would run for this database.
    fn syncs(self) -> bool {
        self.replica > 0 || self.crdt > 0 || self.active_active
    }
}

/// Which kind of source an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Replica Of.
    Replica,
    /// Active-Active.
    Crdt,
}

impl Kind {
    fn count(self, s: Sources) -> usize {
        match self {
            Kind::Replica => s.replica,
            Kind::Crdt => s.crdt,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Replica => "Replica Of sources and their syncer",
            Kind::Crdt => "Active-Active sources and their syncer",
        }
    }
}

/// The sources of database `uid` (404 when it does not exist).
pub(crate) fn sources(shared: &Shared, uid: i64) -> Result<Sources, ModelError> {
    shared.with_store(|s| {
        s.bdbs
            .get(&uid)
            .map(|e| Sources::of(&e.bdb))
            .ok_or_else(|| ModelError::not_found("db", uid))
    })
}

/// The source alerts of every database: a database without sources of `kind` has none. Any
/// database with such sources would need a syncer's alerts: not modelled.
pub(crate) fn alerts_all(shared: &Shared, kind: Kind) -> Result<serde_json::Value, ModelError> {
    let all: Vec<Sources> =
        shared.with_store(|s| s.bdbs.values().map(|e| Sources::of(&e.bdb)).collect());
    if all.iter().any(|s| kind.count(*s) > 0) {
        return Err(ModelError::not_modelled(kind.name()));
    }
    Ok(serde_json::json!({}))
}

/// The source alerts of database `uid`: none when it has no sources of `kind`.
pub(crate) fn alerts_of(
    shared: &Shared,
    uid: i64,
    kind: Kind,
) -> Result<serde_json::Value, ModelError> {
    let s = sources(shared, uid)?;
    if kind.count(s) > 0 {
        return Err(ModelError::not_modelled(kind.name()));
    }
    Ok(serde_json::json!({}))
}

/// Source `source` of database `uid`, for its alerts: a database without sources of `kind`
/// has no source of that id.
pub(crate) fn source(shared: &Shared, uid: i64, kind: Kind, source: &str) -> ModelError {
    match sources(shared, uid) {
        Err(e) => e,
        Ok(s) if kind.count(s) > 0 => ModelError::not_modelled(kind.name()),
        Ok(_) => ModelError::not_found("source", format!("{source} of database {uid}")),
    }
}

/// The sync-source statistics of database `uid`: an empty list without sources.
pub(crate) fn sync_source_stats(
    shared: &Shared,
    uid: i64,
) -> Result<serde_json::Value, ModelError> {
    let s = sources(shared, uid)?;
    if s.syncs() {
        return Err(ModelError::not_modelled(
            "Replica Of and Active-Active sync sources",
        ));
    }
    Ok(serde_json::json!({ "sync_source_stats": [] }))
}

/// Why database `uid` has no sync source `source` (its statistics) or no syncer state: it syncs
/// from nothing (404), or it does and the simulator runs no syncer (501).
pub(crate) fn no_syncer(shared: &Shared, uid: i64, what: &str) -> ModelError {
    match sources(shared, uid) {
        Err(e) => e,
        Ok(s) if s.syncs() => {
            ModelError::not_modelled("the syncer of Replica Of and Active-Active")
        }
        Ok(_) => ModelError::not_found(what, format!("of database {uid}")),
    }
}

/// Peer statistics of database `uid`: refused for a database that is not Active-Active, as a
/// cluster does (406); an Active-Active member's peers are not modelled.
pub(crate) fn peers(shared: &Shared, uid: i64) -> ModelError {
    match sources(shared, uid) {
        Err(e) => e,
        Ok(s) if s.active_active => ModelError::not_modelled("Active-Active peers"),
        Ok(_) => ModelError::refused(
            "not_crdb",
            format!("database {uid} is not an Active-Active database"),
        ),
    }
}
