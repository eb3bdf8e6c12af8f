//! Shard failover and migration (`/v1/shards/actions/failover`, `/v1/shards/{uid}/actions/...`)
//! and the failover-only rebalance of a database (`only_failovers=true`).
//!
//! A database's shards are kept in shard order, each primary followed by its replica when the
//! database is replicated, with the node each one is on. A failover swaps a primary and its
//! replica, uids and nodes together: the replica's shard, on its node, becomes the primary, and
//! the former primary its replica. A migration moves one shard to another node, never onto the
//! node of its own primary or replica, nor onto a node in maintenance. Each runs as an action
//! that holds the databases it changes `active-change-pending` (409 `db_busy` meanwhile); the
//! change is made when the action completes. A dry run checks the request and changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use redis_enterprise_api::types;

use super::bdbs::{busy_error, is_replica_shard};
use super::{actions, ModelError};
use crate::state::{iso_now, Store};
use crate::Shared;

/// One change of where a database's shards are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Swap the primary at this index (in shard order) with its replica, the next shard.
    Failover(usize),
    /// Put the shard at this index on this node.
    Migrate(usize, i64),
}

/// The database and index (in shard order) of shard `uid`.
fn locate(s: &Store, uid: &str) -> Option<(i64, usize)> {
    let uid: i64 = uid.trim().parse().ok()?;
    s.bdbs.iter().find_map(|(bdb_uid, e)| {
        e.bdb
            .shard_list
            .as_ref()?
            .iter()
            .position(|u| *u == uid)
            .map(|i| (*bdb_uid, i))
    })
}

fn replicated(s: &Store, bdb: i64) -> bool {
    s.bdbs
        .get(&bdb)
        .is_some_and(|e| e.bdb.replication == Some(true))
}

/// The failover of primary shard `uid`: 404 `shard_not_exist`, 400 `shard_is_slave` for a
/// replica, 400 `shard_has_no_replica` for a primary of a database without replication, 400
/// `replica_on_dead_node` when its replica is on one of `dead_nodes`.
fn failover_of(s: &Store, uid: &str, dead_nodes: &[i64]) -> Result<(i64, Change), ModelError> {
    let (bdb, index) = locate(s, uid).ok_or_else(|| ModelError::not_found("shard", uid))?;
    let replication = replicated(s, bdb);
    if is_replica_shard(replication, index) {
        return Err(ModelError::invalid(
            "shard_is_slave",
            format!("shard {uid} is a replica; fail over its primary"),
        ));
    }
    if !replication {
        return Err(ModelError::invalid(
            "shard_has_no_replica",
            format!("shard {uid} has no replica to promote (database {bdb} is not replicated)"),
        ));
    }
    let nodes = s
        .bdbs
        .get(&bdb)
        .map(|e| s.shard_nodes(e))
        .unwrap_or_default();
    if let Some(node) = nodes.get(index + 1).filter(|n| dead_nodes.contains(n)) {
        return Err(ModelError::invalid(
            "replica_on_dead_node",
            format!("the replica of shard {uid} is on node {node}, named dead"),
        ));
    }
    Ok((bdb, Change::Failover(index)))
}

/// Failovers of primary shards `uids`, all of one database (400
/// `failover_shards_different_bdb` otherwise, 404 `shard_uids_required` for none).
pub(crate) fn failovers(
    shared: &Shared,
    uids: &[String],
    dead_nodes: &[i64],
) -> Result<(i64, Vec<Change>), ModelError> {
    if uids.is_empty() {
        return Err(ModelError::new(
            super::ErrorKind::NotFound,
            "shard_uids_required",
            "shard_uids names no shard",
        ));
    }
    shared.with_store(|s| {
        let mut bdb = None;
        let mut changes = Vec::new();
        for uid in uids {
            let (of, change) = failover_of(s, uid, dead_nodes)?;
            if bdb.is_some_and(|b| b != of) {
                return Err(ModelError::invalid(
                    "failover_shards_different_bdb",
                    "the shards to fail over belong to more than one database",
                ));
            }
            bdb = Some(of);
            if !changes.contains(&change) {
                changes.push(change);
            }
        }
        Ok((bdb.unwrap_or_default(), changes))
    })
}

/// Migrations of shards `uids` to node `target` (404 `shard_not_exist`, `node_not_exist`; 400
/// `node_not_accepting_shards` for a node in maintenance or not accepting shards, 400
/// `shards_on_same_node` for a shard whose primary or replica is on the target or goes there
/// too). A shard already there is left alone.
pub(crate) fn migrations(
    shared: &Shared,
    uids: &[String],
    target: Option<i64>,
) -> Result<BTreeMap<i64, Vec<Change>>, ModelError> {
    if uids.is_empty() {
        return Err(ModelError::new(
            super::ErrorKind::NotFound,
            "shard_uids_required",
            "shard_uids names no shard",
        ));
    }
    let Some(target) = target else {
        return Err(ModelError::new(
            super::ErrorKind::NotFound,
            "node_uid_required",
            "target_node_uid names no node",
        ));
    };
    shared.with_store(|s| {
        let node = s
            .nodes
            .get(&target)
            .ok_or_else(|| ModelError::not_found("node", target))?;
        if s.maintenance.contains_key(&target) || node["accept_servers"] == false {
            return Err(ModelError::invalid(
                "node_not_accepting_shards",
                format!(
                    "node {target} accepts no shards (maintenance mode or accept_servers false)"
                ),
            ));
        }
        let mut out: BTreeMap<i64, Vec<Change>> = BTreeMap::new();
        let mut moving: Vec<(i64, usize)> = Vec::new();
        for uid in uids {
            let (bdb, index) = locate(s, uid).ok_or_else(|| ModelError::not_found("shard", uid))?;
            if moving.contains(&(bdb, index)) {
                continue;
            }
            moving.push((bdb, index));
            let nodes = s
                .bdbs
                .get(&bdb)
                .map(|e| s.shard_nodes(e))
                .unwrap_or_default();
            if nodes.get(index) == Some(&target) {
                continue;
            }
            let partner = if !replicated(s, bdb) {
                None
            } else if is_replica_shard(true, index) {
                Some(index - 1)
            } else {
                Some(index + 1)
            };
            let partner_there = partner
                .is_some_and(|p| nodes.get(p) == Some(&target) || moving.contains(&(bdb, p)));
            if partner_there {
                return Err(ModelError::invalid(
                    "shards_on_same_node",
                    format!("node {target} holds the other copy of shard {uid}'s slots"),
                ));
            }
            out.entry(bdb)
                .or_default()
                .push(Change::Migrate(index, target));
        }
        Ok(out)
    })
}

/// The failovers that spread the primaries of database `bdb` over its nodes, at most `max`:
/// each pair, in shard order, keeps its primary on the node with fewer primaries so far (ties
/// keep it where it is).
pub(crate) fn balancing_failovers(s: &Store, bdb: i64, max: usize) -> Vec<Change> {
    let Some(entry) = s.bdbs.get(&bdb) else {
        return Vec::new();
    };
    if entry.bdb.replication != Some(true) {
        return Vec::new();
    }
    let nodes = s.shard_nodes(entry);
    let mut primaries: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (pair, chunk) in nodes.chunks(2).enumerate() {
        let [primary, replica] = chunk else { continue };
        let (p, r) = (
            primaries.get(primary).copied().unwrap_or(0),
            primaries.get(replica).copied().unwrap_or(0),
        );
        if r < p && out.len() < max {
            out.push(Change::Failover(pair * 2));
            *primaries.entry(*replica).or_default() += 1;
        } else {
            *primaries.entry(*primary).or_default() += 1;
        }
    }
    out
}

/// The node of each shard of database `bdb` after `changes`, in shard order, with the shard
/// list after them.
pub(crate) fn after(s: &Store, bdb: i64, changes: &[Change]) -> (Vec<i64>, Vec<i64>) {
    let Some(entry) = s.bdbs.get(&bdb) else {
        return (Vec::new(), Vec::new());
    };
    let mut nodes = s.shard_nodes(entry);
    let mut list = entry.bdb.shard_list.clone().unwrap_or_default();
    for change in changes {
        match *change {
            Change::Failover(i) if i + 1 < nodes.len() && i + 1 < list.len() => {
                nodes.swap(i, i + 1);
                list.swap(i, i + 1);
            }
            Change::Migrate(i, node) if i < nodes.len() => nodes[i] = node,
            _ => {}
        }
    }
    (nodes, list)
}

/// Runs `changes` (per database) as action `name`: 409 `db_busy` while one of the databases is
/// busy, `bdb_not_active` unless each is active; each is `active-change-pending` until the
/// action completes, and its shards change then. Answers the action's uid.
pub(crate) fn run(
    shared: &Arc<Shared>,
    name: &str,
    changes: BTreeMap<i64, Vec<Change>>,
) -> Result<String, ModelError> {
    let now = shared.clock.now_ms();
    let delay = shared.config.action_delay;
    let action = shared.with_store(|s| {
        for bdb in changes.keys() {
            let entry = s
                .bdbs
                .get(bdb)
                .ok_or_else(|| ModelError::not_found("db", bdb))?;
            if let Some(action) = &entry.busy {
                return Err(busy_error(*bdb, action));
            }
            if entry.bdb.status != Some(types::BdbStatus::Active) {
                return Err(ModelError::conflict(
                    "bdb_not_active",
                    format!("database {bdb} is not active"),
                ));
            }
        }
        let single = (changes.len() == 1)
            .then(|| changes.keys().next().copied())
            .flatten();
        let action = actions::start(s, name, single, now, delay);
        for bdb in changes.keys() {
            if let Some(entry) = s.bdbs_mut().get_mut(bdb) {
                entry.busy = Some(action.clone());
                entry.bdb.status = Some(types::BdbStatus::ActiveChangePending);
                entry.bdb.action_uid = Some(action.clone());
            }
        }
        Ok(action)
    })?;
    shared.persist();
    let task_shared = shared.clone();
    let task_action = action.clone();
    tokio::spawn(async move {
        let shared = task_shared;
        shared
            .clock
            .sleep_until(now + delay.as_millis() as i64)
            .await;
        shared.with_store(|s| {
            for (bdb, list) in &changes {
                let (nodes, shard_list) = after(s, *bdb, list);
                let Some(entry) = s.bdbs_mut().get_mut(bdb) else {
                    continue;
                };
                entry.busy = None;
                entry.bdb.status = Some(types::BdbStatus::Active);
                if !list.is_empty() {
                    entry.shard_nodes = Some(nodes);
                    entry.bdb.shard_list = Some(shard_list);
                    entry.bdb.last_changed_time = Some(iso_now());
                }
            }
            actions::finish(s, &task_action, None);
        });
        shared.persist();
    });
    Ok(action)
}
