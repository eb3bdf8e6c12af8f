//! Shard placement of a database: the blueprint the placement rule gives
//! ([`crate::state::Store::place`]: round-robin over the nodes neither in maintenance nor
//! avoided), for its current topology or another one (`optimize_shards_placement`, the dry runs
//! of `rebalance` and `revamp`), and `rebalance`, an action that moves the database's shards to
//! where the rule places them (for example onto a node that left maintenance after the
//! database was created). Each blueprint comes with the cluster state id it was computed for.
//! A topology change itself (`revamp`) is an update ([`super::bdbs::update`]).
//!
//! Not modelled: `only_failovers` (roles follow the shard order, a master and its replica
//! never swap), and node memory as a limit of placement (`memory_size` and
//! `bigstore_ram_size` are checked, not weighed); `dense` and `sparse` place alike.

use std::sync::Arc;

use redis_enterprise_api::types;
use serde_json::{json, Value};

use super::bdbs::{self, busy_error};
use super::{actions, shard_actions, ModelError};
use crate::state::{iso_now, Store};
use crate::Shared;

/// A topology to compute a blueprint for: what is `None` keeps the database's.
#[derive(Debug, Default, Clone)]
pub(crate) struct Topology {
    /// Primary shards.
    pub shards_count: Option<i64>,
    /// Whether each primary has a replica.
    pub replication: Option<bool>,
    /// Node uids to avoid.
    pub avoid_nodes: Option<Vec<String>>,
    /// Memory limit in bytes (checked: not negative).
    pub memory_size: Option<i64>,
}

/// A blueprint and the cluster state id it was computed for.
#[derive(Debug, Clone)]
pub(crate) struct Blueprint {
    /// `BdbShardsBlueprint`: per slot range, its shards' nodes and roles.
    pub entries: Value,
    /// The `cluster-state-id` of the state it was computed from.
    pub state_id: u64,
}

/// The blueprint of shards on `nodes` (each shard's node, in shard order).
fn blueprint(nodes: &[i64], replication: bool) -> Value {
    let copies = if replication { 2 } else { 1 };
    let masters = (nodes.len() / copies).max(1);
    let entries: Vec<Value> = nodes
        .chunks(copies)
        .enumerate()
        .map(|(m, chunk)| {
            let shards: Vec<Value> = chunk
                .iter()
                .enumerate()
                .map(|(k, node)| {
                    json!({
                        "node_uid": node.to_string(),
                        "role": if k == 0 { "master" } else { "slave" },
                    })
                })
                .collect();
            let start = 16_384 * m / masters;
            let end = 16_384 * (m + 1) / masters - 1;
            json!({ "nodes": shards, "slot_range": format!("{start}-{end}") })
        })
        .collect();
    Value::Array(entries)
}

/// The database with `topology` applied, for the rule (checked as an update checks it).
fn with_topology(bdb: &types::Bdb, topology: &Topology) -> Result<types::Bdb, ModelError> {
    let mut bdb = bdb.clone();
    if let Some(n) = topology.shards_count {
        if !(1..=512).contains(&n) {
            return Err(ModelError::refused(
                "invalid_sharding",
                "shards_count must be 1-512",
            ));
        }
        bdb.shards_count = Some(n);
    }
    if topology.memory_size.is_some_and(|m| m < 0) {
        return Err(ModelError::refused(
            "invalid_memory_size",
            "memory_size must not be negative",
        ));
    }
    if let Some(r) = topology.replication {
        bdb.replication = Some(r);
    }
    if let Some(avoid) = &topology.avoid_nodes {
        bdb.avoid_nodes = Some(avoid.clone());
    }
    Ok(bdb)
}

fn shard_count(bdb: &types::Bdb) -> usize {
    let copies = if bdb.replication == Some(true) { 2 } else { 1 };
    usize::try_from(bdb.shards_count.unwrap_or(1).max(1)).unwrap_or(1) * copies
}

/// Where the rule places the shards of database `uid` with `topology` (404 for an unknown
/// database, 406 for an invalid topology or no open node). Changes nothing.
pub(crate) fn optimize(
    shared: &Shared,
    uid: i64,
    topology: &Topology,
) -> Result<Blueprint, ModelError> {
    shared.with_store(|s| {
        let entry = s
            .bdbs
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        let bdb = with_topology(&entry.bdb, topology)?;
        let nodes = bdbs::placed(s, shard_count(&bdb), &bdb)?;
        Ok(Blueprint {
            entries: blueprint(&nodes, bdb.replication == Some(true)),
            state_id: s.cluster_state_id,
        })
    })
}

/// What a rebalance answers: the action, or (dry run) the balanced blueprint.
pub(crate) enum Rebalance {
    /// The action moving the shards.
    Started(String),
    /// The blueprint a rebalance would apply.
    DryRun(Blueprint),
}

fn check_idle(s: &Store, uid: i64) -> Result<(), ModelError> {
    let entry = s
        .bdbs
        .get(&uid)
        .ok_or_else(|| ModelError::not_found("db", uid))?;
    if let Some(action) = &entry.busy {
        return Err(busy_error(uid, action));
    }
    if entry.bdb.status != Some(types::BdbStatus::Active) {
        return Err(ModelError::conflict(
            "bdb_not_active",
            format!("database {uid} is not active"),
        ));
    }
    Ok(())
}

/// Refuses (409) a change of topology of database `uid` unless it is active and idle (404 for
/// an unknown one).
pub(crate) fn require_active(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    shared.with_store(|s| check_idle(s, uid))
}

/// Rebalances database `uid`: an `SMRebalanceBDB` action holds it `active-change-pending`
/// (409 `db_busy` meanwhile) and, when it ends, its shards are where the rule places them now.
/// A dry run answers that blueprint and changes nothing. 404 unknown, 409 busy or not active,
/// 406 no open node. With `only_failovers` (`Some(max_operations)`) no shard moves: at most
/// that many primaries swap roles with their replicas so that the primaries are spread over
/// the nodes the shards are on ([`shard_actions::balancing_failovers`]).
pub(crate) fn rebalance(
    shared: &Arc<Shared>,
    uid: i64,
    dry_run: bool,
    only_failovers: Option<usize>,
) -> Result<Rebalance, ModelError> {
    if let Some(max) = only_failovers {
        let (changes, blueprint) = shared.with_store(|s| {
            check_idle(s, uid)?;
            let changes = shard_actions::balancing_failovers(s, uid, max);
            let (nodes, _) = shard_actions::after(s, uid, &changes);
            let replication = s
                .bdbs
                .get(&uid)
                .is_some_and(|e| e.bdb.replication == Some(true));
            Ok::<_, ModelError>((
                changes,
                Blueprint {
                    entries: blueprint(&nodes, replication),
                    state_id: s.cluster_state_id,
                },
            ))
        })?;
        if dry_run {
            return Ok(Rebalance::DryRun(blueprint));
        }
        let action = shard_actions::run(
            shared,
            "SMRebalanceBDB",
            std::collections::BTreeMap::from([(uid, changes)]),
        )?;
        return Ok(Rebalance::Started(action));
    }
    let delay = shared.config.action_delay;
    let now = shared.clock.now_ms();
    let answer = shared.with_store(|s| -> Result<Rebalance, ModelError> {
        check_idle(s, uid)?;
        let bdb = s.bdbs.get(&uid).map(|e| e.bdb.clone()).unwrap_or_default();
        let count = bdb.shard_list.as_ref().map_or(0, Vec::len);
        let nodes = bdbs::placed(s, count, &bdb)?;
        if dry_run {
            return Ok(Rebalance::DryRun(Blueprint {
                entries: blueprint(&nodes, bdb.replication == Some(true)),
                state_id: s.cluster_state_id,
            }));
        }
        let action = actions::start(s, "SMRebalanceBDB", Some(uid), now, delay);
        if let Some(entry) = s.bdbs_mut().get_mut(&uid) {
            entry.busy = Some(action.clone());
            entry.bdb.status = Some(types::BdbStatus::ActiveChangePending);
            entry.bdb.action_uid = Some(action.clone());
        }
        Ok(Rebalance::Started(action))
    })?;
    let Rebalance::Started(action) = &answer else {
        return Ok(answer);
    };
    shared.persist();
    let task_shared = shared.clone();
    let action = action.clone();
    tokio::spawn(async move {
        let shared = task_shared;
        shared
            .clock
            .sleep_until(now + delay.as_millis() as i64)
            .await;
        shared.with_store(|s| {
            // Placed by the rule as the cluster is when the action ends.
            let outcome = s.bdbs.get(&uid).map(|e| {
                let count = e.bdb.shard_list.as_ref().map_or(0, Vec::len);
                bdbs::placed(s, count, &e.bdb)
            });
            let Some(entry) = s.bdbs_mut().get_mut(&uid) else {
                return;
            };
            entry.busy = None;
            entry.bdb.status = Some(types::BdbStatus::Active);
            match outcome {
                Some(Ok(nodes)) => {
                    entry.shard_nodes = Some(nodes);
                    entry.bdb.last_changed_time = Some(iso_now());
                    actions::finish(s, &action, None);
                }
                Some(Err(e)) => actions::finish(s, &action, Some((&e.code, e.description))),
                None => actions::finish(s, &action, None),
            }
        });
        shared.persist();
    });
    Ok(answer)
}
