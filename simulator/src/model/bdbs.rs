//! Databases: validation of create and update bodies, uid and port assignment, the
//! `pending` → `active` transition through an action, the busy rule (409 `db_busy` while an
//! action runs), delete, `fields=` filtering, shards derived from the database object and
//! placed on nodes (by [`crate::state::Store::place`] when created or when an update changes
//! `shards_count`, `replication` or `avoid_nodes`; the placement is kept until something moves
//! the shards), and statistics and alerts read from the database's live redis-server (`INFO`).
//!
//! Passwords, export, import, recover, upgrade and the status resets are in
//! [`super::bdb_data`]; blueprints and rebalancing in [`super::placement`]. What it does not
//! model: replication, sharding or persistence in the data path (a database of several shards
//! is one redis-server), modules, Active-Active; those operations are
//! [`super::not_modelled`].

use std::collections::BTreeMap;
use std::sync::Arc;

use redis_enterprise_api::types;
use serde_json::{Map, Value};

use bytes::Bytes;

use super::{actions, decode, ModelError};
use crate::redis::RedisConfig;
use crate::state::{iso_now, BdbEntry, Store};
use crate::{schema, Shared, SimError};

const DEFAULT_POLICY: &str = "volatile-lru";
/// Share of `memory_size` above which a database raises its `bdb_size` alert.
const MEMORY_ALERT_PERCENT: f64 = 80.0;

/// Fields a client may not set (the cluster owns them).
const READ_ONLY: &[&str] = &[
    "uid",
    "status",
    "action_uid",
    "shard_list",
    "endpoints",
    "created_time",
    "last_changed_time",
    // Only stop_traffic and resume_traffic change it.
    "traffic_manually_disabled",
];

/// The redis-server configuration of a database whose default user has these password hashes.
pub(super) fn redis_config(bdb: &types::Bdb, password_hashes: Vec<String>) -> RedisConfig {
    RedisConfig {
        maxmemory: bdb.memory_size.unwrap_or(0).max(0),
        policy: bdb
            .eviction_policy
            .as_ref()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| DEFAULT_POLICY.into()),
        password_hashes,
        traffic: bdb.traffic_manually_disabled != Some(true),
    }
}

/// The password hashes `authentication_redis_pass` sets: the reference deprecates it in
/// favour of ACL users, but it is still how a database gets a password for its default user.
#[allow(deprecated)]
fn hashes_of_pass(bdb: &types::Bdb) -> Vec<String> {
    bdb.authentication_redis_pass
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| crate::password::sha256_hex(p))
        .collect()
}

pub(super) fn busy_error(uid: i64, action: &str) -> ModelError {
    ModelError::conflict(
        "db_busy",
        format!("database {uid} is busy with action {action}; retry when it completes"),
    )
}

/// Checks what the spec types cannot: required members and enum values.
fn validate_semantics(bdb: &types::Bdb, creating: bool) -> Result<(), ModelError> {
    if creating && bdb.name.as_deref().is_none_or(str::is_empty) {
        return Err(ModelError::refused(
            "missing_db_name",
            "name is a required property",
        ));
    }
    if creating && bdb.memory_size.is_none() {
        return Err(ModelError::refused(
            "missing_memory_size",
            "memory_size is a required property",
        ));
    }
    if bdb.memory_size.is_some_and(|m| m < 0) {
        return Err(ModelError::refused(
            "invalid_memory_size",
            "memory_size must not be negative",
        ));
    }
    if let Some(types::BdbEvictionPolicy::Unknown(p)) = &bdb.eviction_policy {
        return Err(ModelError::invalid(
            "invalid_schema",
            format!(
                "eviction_policy {p:?} is not one of {:?}",
                types::BdbEvictionPolicy::KNOWN
            ),
        ));
    }
    if let Some(types::BdbType::Unknown(t)) = &bdb.type_ {
        return Err(ModelError::invalid(
            "invalid_schema",
            format!("type {t:?} is not one of {:?}", types::BdbType::KNOWN),
        ));
    }
    if bdb.shards_count.is_some_and(|n| !(1..=512).contains(&n)) {
        return Err(ModelError::refused(
            "invalid_sharding",
            "shards_count must be 1-512",
        ));
    }
    if let Some(port) = bdb.port {
        if !(1024..=65535).contains(&port) {
            return Err(ModelError::refused(
                "port_unavailable",
                format!("port {port} is out of range"),
            ));
        }
    }
    Ok(())
}

fn endpoint(bdb: &types::Bdb, port: Option<u16>) -> types::BdbEndpoint {
    let uid = bdb.uid.unwrap_or_default();
    let mut value = types::BdbEndpoint::default();
    value.uid = Some(format!("{uid}:1"));
    value.addr = Some(vec!["127.0.0.1".into()]);
    value.addr_type = Some(types::BdbEndpointAddrType::Internal);
    value.dns_name = Some(format!("redis-{}.cluster.local", port.unwrap_or(0)));
    value.port = port.map(i64::from);
    value.proxy_policy = Some(
        bdb.proxy_policy
            .clone()
            .unwrap_or(types::BdbProxyPolicy::Single),
    );
    value.exclude_proxies = Some(Vec::new());
    value.include_proxies = Some(Vec::new());
    value.oss_cluster_api_preferred_endpoint_type =
        bdb.oss_cluster_api_preferred_endpoint_type.clone();
    value.oss_cluster_api_preferred_ip_type = bdb.oss_cluster_api_preferred_ip_type.clone();
    value
}

/// Serialises a database, keeping only `fields` when given.
fn render(bdb: &types::Bdb, fields: Option<&String>) -> Value {
    let value = serde_json::to_value(bdb).unwrap_or(Value::Null);
    match (fields, value) {
        (Some(fields), Value::Object(map)) => {
            let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
            Value::Object(
                map.into_iter()
                    .filter(|(k, _)| wanted.contains(&k.as_str()))
                    .collect(),
            )
        }
        (_, value) => value,
    }
}

/// Every database, serialised once per change of the databases and the bytes reused until the
/// next change (listing is what clients poll most).
pub(crate) fn list_json(shared: &Shared) -> Bytes {
    shared.with_store(|s| {
        let mut cache = shared.list_cache.lock().unwrap_or_else(|e| e.into_inner());
        match &*cache {
            Some((generation, bytes)) if *generation == s.bdbs_generation => bytes.clone(),
            _ => {
                let all: Vec<&types::Bdb> = s.bdbs.values().map(|e| &e.bdb).collect();
                let bytes = Bytes::from(serde_json::to_vec(&all).unwrap_or_default());
                *cache = Some((s.bdbs_generation, bytes.clone()));
                bytes
            }
        }
    })
}

/// Every database, keeping only `fields` (comma-separated) when given.
pub(crate) fn list(shared: &Shared, fields: Option<&String>) -> Vec<Value> {
    shared.with_store(|s| s.bdbs.values().map(|e| render(&e.bdb, fields)).collect())
}

/// One database, keeping only `fields` (comma-separated) when given.
pub(crate) fn get(shared: &Shared, uid: i64, fields: Option<&String>) -> Result<Value, ModelError> {
    shared.with_store(|s| match s.bdbs.get(&uid) {
        Some(e) => Ok(render(&e.bdb, fields)),
        None => Err(ModelError::not_found("db", uid)),
    })
}

/// A database to create: the body as sent (valid against the `Bdb` schema) and the same body
/// decoded.
pub(crate) struct NewBdb {
    /// The body as sent.
    pub body: Value,
    /// The body decoded.
    pub bdb: types::Bdb,
    /// The `cluster-state-id` the request was made for: refused when the state changed since.
    pub expected_state: Option<u64>,
}

/// Creates a database: checks what the schema cannot, fills the reference's defaults, takes a
/// uid and starts the `SMCreateBDB` action that starts its redis-server; the database is
/// `pending` until the action ends. A dry run checks and answers the database it would create,
/// storing nothing.
pub(crate) async fn create(
    shared: &Arc<Shared>,
    new: NewBdb,
    dry_run: bool,
) -> Result<types::Bdb, ModelError> {
    let NewBdb {
        mut body,
        bdb,
        expected_state,
    } = new;
    validate_semantics(&bdb, true)?;
    // A blueprint places the new database's shards; it is an instruction, not a member.
    let blueprint = body
        .as_object_mut()
        .and_then(|m| m.remove("shards_blueprint"));
    // What the caller did not set takes the reference's default, as on a cluster.
    schema::add_defaults(&mut body, "Bdb");
    // Read-only members a cluster always returns for a new database.
    schema::add_members(&mut body, "Bdb", created_members());
    let mut bdb: types::Bdb = decode(body)?;
    let redis_version = crate::release::redis_version(&shared.config.release);
    let delay = shared.config.action_delay;
    let now = shared.clock.now_ms();
    let created = shared.with_store(|s| -> Result<Option<(types::Bdb, String)>, ModelError> {
        check_state(s, expected_state)?;
        if let Some(uid) = bdb.uid {
            if s.bdbs.contains_key(&uid) {
                return Err(ModelError::conflict(
                    "uid_exists",
                    format!("database uid {uid} is already in use"),
                ));
            }
            if uid < 1 {
                return Err(ModelError::refused("invalid_uid", "uid must be positive"));
            }
        }
        let name = bdb.name.clone().unwrap_or_default();
        if s.bdbs
            .values()
            .any(|e| e.bdb.name.as_deref() == Some(name.as_str()))
        {
            return Err(ModelError::conflict(
                "name_already_exists",
                format!("a database named {name:?} already exists"),
            ));
        }
        if let Some(port) = bdb.port {
            if s.bdbs.values().any(|e| e.bdb.port == Some(port)) {
                return Err(ModelError::refused(
                    "port_unavailable",
                    format!("port {port} is already in use"),
                ));
            }
        }
        if dry_run {
            // What the next uid would be, without taking it.
            let uid = bdb.uid.unwrap_or_else(|| s.peek_bdb_uid());
            fill_defaults(&mut bdb, uid, redis_version);
            if let Some(blueprint) = &blueprint {
                from_blueprint(s, blueprint, &bdb)?;
            }
            return Ok(None);
        }
        // The uid is taken once nothing more can refuse the create.
        let chosen = bdb.uid;
        let uid = chosen.unwrap_or_else(|| s.peek_bdb_uid());
        fill_defaults(&mut bdb, uid, redis_version);
        let count = bdb.shard_list.as_ref().map_or(0, Vec::len);
        let shard_nodes = match &blueprint {
            Some(blueprint) => from_blueprint(s, blueprint, &bdb)?,
            None => s.place(count, &avoided(&bdb)).unwrap_or_else(|| {
                (0..count)
                    .map(|i| Store::shard_node(&s.placement(), i))
                    .collect()
            }),
        };
        match chosen {
            Some(uid) => s.last_bdb_uid = s.last_bdb_uid.max(uid),
            None => {
                s.new_bdb_uid();
            }
        }
        let action = actions::start(s, "SMCreateBDB", Some(uid), now, delay);
        bdb.status = Some(types::BdbStatus::Pending);
        bdb.action_uid = Some(action.clone());
        // A new database takes traffic until stop_traffic (the member is the cluster's).
        bdb.traffic_manually_disabled = Some(false);
        s.bdbs_mut().insert(
            uid,
            BdbEntry {
                bdb: bdb.clone(),
                busy: Some(action.clone()),
                password_hashes: hashes_of_pass(&bdb),
                shard_nodes: Some(shard_nodes),
            },
        );
        Ok(Some((bdb.clone(), action)))
    })?;
    let Some((bdb, action)) = created else {
        return Ok(bdb);
    };
    shared.persist();
    let uid = bdb.uid.unwrap_or_default();
    let task_shared = shared.clone();
    let requested_port = bdb.port.and_then(|p| u16::try_from(p).ok()).unwrap_or(0);
    let config = redis_config(&bdb, hashes_of_pass(&bdb));
    tokio::spawn(async move {
        let shared = task_shared;
        let result = if shared.config.no_redis {
            Ok(None)
        } else {
            shared
                .processes
                .start(uid, requested_port, &config)
                .await
                .map(Some)
        };
        let deadline = now + shared.config.action_delay.as_millis() as i64;
        shared.clock.sleep_until(deadline).await;
        shared.with_store(|s| {
            let Some(entry) = s.bdbs_mut().get_mut(&uid) else {
                return;
            };
            entry.busy = None;
            match &result {
                Ok(port) => {
                    entry.bdb.status = Some(types::BdbStatus::Active);
                    if let Some(port) = port {
                        entry.bdb.port = Some(i64::from(*port));
                    }
                    entry.bdb.endpoints = Some(vec![endpoint(&entry.bdb, *port)]);
                    actions::finish(s, &action, None);
                }
                Err(e) => {
                    entry.bdb.status = Some(types::BdbStatus::CreationFailed);
                    actions::finish(s, &action, Some(("internal_error", e.to_string())));
                }
            }
        });
        shared.persist();
    });
    Ok(bdb)
}

/// Members a cluster returns for every new database that neither the caller nor a documented
/// default sets: read-only state (`background_op`, `endpoint_ip`, ...), empty lists for the
/// features not in use (sources, tags, certificates, modules) and the values a fresh database
/// of a default cluster reports. Not returned: secrets (`authentication_*_pass`: a cluster
/// masks or omits them), write-only members (`dataset_import_sources`, `shards_blueprint`),
/// the state of processes that never ran (`backup_status`, `export_status`, `import_status`, their `_progress`,
/// `_failure_reason` and `last_*_time`: a cluster sends `""` or nothing until a first run) and
/// objects that only exist once configured (`backup_location`, `snapshot_policy`'s rules,
/// module settings). Each value is checked against the `Bdb` schema when it is added.
fn created_members() -> Value {
    serde_json::json!({
        "background_op": [],
        "endpoint_ip": ["127.0.0.1"],
        "endpoint_node": 1,
        "traffic_manually_disabled": false,
        "authentication_sasl_uname": "",
        "authentication_ssl_client_certs": [],
        "authentication_ssl_crdt_certs": [],
        "authorized_names": [],
        "authorized_subjects": [],
        "avoid_nodes": [],
        "use_nodes": [],
        "bigstore_ram_weights": [],
        "client_cert_subject_validation_type": "disabled",
        "crdt_config_version": 0,
        "crdt_featureset_version": 0,
        "crdt_ghost_replica_ids": "",
        "crdt_guid": "",
        "crdt_modules": "[]",
        "crdt_protocol_version": 0,
        "crdt_repl_backlog_size": "auto",
        "crdt_replica_id": 0,
        "crdt_replicas": "",
        "crdt_sources": [],
        "crdt_sync_dist": false,
        "data_internode_encryption": false,
        "db_conns_auditing": false,
        "generate_text_monitor": false,
        "gradual_src_mode": "disabled",
        "gradual_sync_mode": "auto",
        "hash_slots_policy": "16k",
        "max_aof_file_size": 322_122_547_200_i64,
        "metrics_export_all": false,
        "module_list": [],
        "mtls_allow_outdated_certs": false,
        "mtls_allow_weak_hashing": false,
        "multi_commands_opt": "auto",
        "repl_backlog_size": "auto",
        "replica_sources": [],
        "replica_sync_dist": false,
        "roles_permissions": [],
        "sched_policy": "cmp",
        "shards_placement": "dense",
        "skip_import_analyze": "disabled",
        "slave_buffer": "auto",
        "slave_ha": false,
        "snapshot_policy": [],
        "support_syncer_reconf": true,
        "sync_sources": [],
        "syncer_mode": "distributed",
        "tags": [],
        "tracking_table_max_keys": 1_000_000,
    })
}

fn fill_defaults(bdb: &mut types::Bdb, uid: i64, redis_version: &str) {
    bdb.uid = Some(uid);
    bdb.type_.get_or_insert(types::BdbType::Redis);
    bdb.replication.get_or_insert(false);
    bdb.sharding.get_or_insert(false);
    bdb.shards_count.get_or_insert(1);
    bdb.eviction_policy
        .get_or_insert(types::BdbEvictionPolicy::VolatileLru);
    bdb.version.get_or_insert_with(|| redis_version.into());
    bdb.redis_version
        .get_or_insert_with(|| redis_version.into());
    // The endpoints' policy follows sharding unless the caller chose one.
    let policy = if bdb.sharding == Some(true) {
        types::BdbProxyPolicy::AllMasterShards
    } else {
        types::BdbProxyPolicy::Single
    };
    bdb.proxy_policy.get_or_insert(policy);
    bdb.created_time.get_or_insert_with(iso_now);
    bdb.last_changed_time = Some(iso_now());
    bdb.endpoints = Some(vec![endpoint(bdb, None)]);
    bdb.shard_list = Some(shard_list(uid, bdb));
}

/// The shard uids of database `uid` for its `shards_count` and `replication`: its block of a
/// thousand (a uid too large for that, which a client may choose, numbers them from 1).
fn shard_list(uid: i64, bdb: &types::Bdb) -> Vec<i64> {
    let copies = if bdb.replication == Some(true) { 2 } else { 1 };
    let shards = bdb.shards_count.unwrap_or(1).max(1);
    let base = uid.checked_sub(1).and_then(|u| u.checked_mul(1000));
    (1..=shards * copies)
        .map(|n| base.and_then(|b| b.checked_add(n)).unwrap_or(n))
        .collect()
}

/// The nodes database `bdb` avoids (`avoid_nodes`; members that are not node uids name no
/// node).
pub(super) fn avoided(bdb: &types::Bdb) -> Vec<i64> {
    bdb.avoid_nodes
        .iter()
        .flatten()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// Merges an update body into a database: members of the body replace the database's.
fn merge(bdb: &types::Bdb, changes: &Map<String, Value>) -> Result<types::Bdb, ModelError> {
    let mut value = serde_json::to_value(bdb).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        for (k, v) in changes {
            if READ_ONLY.contains(&k.as_str()) || k == "port" {
                continue;
            }
            map.insert(k.clone(), v.clone());
        }
    }
    decode(value)
}

/// Changes to a database: the body as sent (an object valid against the `Bdb` schema) and the
/// same body decoded.
pub(crate) struct BdbChanges {
    /// The members sent.
    pub changes: Map<String, Value>,
    /// The body decoded.
    pub parsed: types::Bdb,
    /// Place the shards by the rule again even when the topology stays (a revamp re-optimizes
    /// the placement); a change of `shards_count`, `replication` or `avoid_nodes` always does.
    pub re_place: bool,
    /// The `cluster-state-id` the request was made for: refused when the state changed since.
    pub expected_state: Option<u64>,
}

/// Updates a database: its members are merged (but for those the cluster owns and `port`), an
/// `SMUpdateBDB` action holds it busy, and when the action ends its redis-server is configured
/// (and flushed with `flush`). A dry run checks and answers the merged database, storing
/// nothing.
pub(crate) async fn update(
    shared: &Arc<Shared>,
    uid: i64,
    changes: BdbChanges,
    flush: bool,
    dry_run: bool,
) -> Result<types::Bdb, ModelError> {
    let BdbChanges {
        mut changes,
        parsed,
        re_place,
        expected_state,
    } = changes;
    // An instruction, not a member: where to put the shards.
    let blueprint = changes.remove("shards_blueprint");
    let changes = &changes;
    validate_semantics(&parsed, false)?;
    let delay = shared.config.action_delay;
    let now = shared.clock.now_ms();
    let sets_password = changes.contains_key("authentication_redis_pass");
    let (bdb, hashes, action) = shared.with_store(
        |s| -> Result<(types::Bdb, Vec<String>, Option<String>), ModelError> {
            let entry = s
                .bdbs
                .get(&uid)
                .ok_or_else(|| ModelError::not_found("db", uid))?;
            if let Some(action) = &entry.busy {
                return Err(busy_error(uid, action));
            }
            check_state(s, expected_state)?;
            let mut merged = merge(&entry.bdb, changes)?;
            if let Some(name) = &parsed.name {
                if s.bdbs
                    .iter()
                    .any(|(u, e)| *u != uid && e.bdb.name.as_deref() == Some(name))
                {
                    return Err(ModelError::conflict(
                        "name_already_exists",
                        format!("a database named {name:?} already exists"),
                    ));
                }
            }
            let hashes = if sets_password {
                hashes_of_pass(&merged)
            } else {
                entry.password_hashes.clone()
            };
            // A change of topology re-numbers the shards and places them by the rule.
            let topology = re_place
                || merged.shards_count != entry.bdb.shards_count
                || merged.replication != entry.bdb.replication
                || merged.avoid_nodes != entry.bdb.avoid_nodes;
            let mut shard_nodes = None;
            if topology {
                let list = shard_list(uid, &merged);
                shard_nodes = Some(placed(s, list.len(), &merged)?);
                merged.shard_list = Some(list);
            }
            if let Some(blueprint) = &blueprint {
                shard_nodes = Some(from_blueprint(s, blueprint, &merged)?);
            }
            if dry_run {
                return Ok((merged, hashes, None));
            }
            let action = actions::start(s, "SMUpdateBDB", Some(uid), now, delay);
            merged.status = Some(types::BdbStatus::ActiveChangePending);
            merged.action_uid = Some(action.clone());
            merged.last_changed_time = Some(iso_now());
            if let Some(entry) = s.bdbs_mut().get_mut(&uid) {
                entry.bdb = merged.clone();
                entry.busy = Some(action.clone());
                entry.password_hashes = hashes.clone();
                if shard_nodes.is_some() {
                    entry.shard_nodes = shard_nodes;
                }
            }
            Ok((merged, hashes, Some(action)))
        },
    )?;
    let Some(action) = action else {
        return Ok(bdb);
    };
    shared.persist();
    let task_shared = shared.clone();
    let config = redis_config(&bdb, hashes);
    tokio::spawn(async move {
        let shared = task_shared;
        let deadline = now + shared.config.action_delay.as_millis() as i64;
        shared.clock.sleep_until(deadline).await;
        let mut result = shared.processes.configure(uid, &config).await;
        if flush && result.is_ok() {
            result = shared.processes.run(uid, &["FLUSHALL"]).await.map(drop);
        }
        shared.with_store(|s| {
            if let Some(entry) = s.bdbs_mut().get_mut(&uid) {
                entry.busy = None;
                entry.bdb.status = Some(types::BdbStatus::Active);
            }
            match &result {
                Ok(()) => actions::finish(s, &action, None),
                Err(e) => actions::finish(s, &action, Some(("internal_error", e.to_string()))),
            }
        });
        shared.persist();
    });
    Ok(bdb)
}

/// Deletes a database: the process stops at once (its port closes before the reply), the
/// database is `delete-pending` until its action completes, then it is gone.
pub(crate) async fn delete(shared: &Arc<Shared>, uid: i64) -> Result<(), ModelError> {
    let delay = shared.config.action_delay;
    let now = shared.clock.now_ms();
    let action = shared.with_store(|s| -> Result<String, ModelError> {
        let entry = s
            .bdbs
            .get(&uid)
            .ok_or_else(|| ModelError::not_found("db", uid))?;
        if let Some(action) = &entry.busy {
            return Err(busy_error(uid, action));
        }
        let action = actions::start(s, "SMDeleteBDB", Some(uid), now, delay);
        if let Some(entry) = s.bdbs_mut().get_mut(&uid) {
            entry.busy = Some(action.clone());
            entry.bdb.status = Some(types::BdbStatus::DeletePending);
            entry.bdb.action_uid = Some(action.clone());
        }
        Ok(action)
    })?;
    shared.processes.stop(uid).await;
    shared.persist();
    let task_shared = shared.clone();
    tokio::spawn(async move {
        let shared = task_shared;
        let deadline = now + shared.config.action_delay.as_millis() as i64;
        shared.clock.sleep_until(deadline).await;
        shared.with_store(|s| {
            s.bdbs_mut().remove(&uid);
            s.bdb_alerts.remove(&uid);
            s.bdb_alert_settings.remove(&uid);
            s.bdb_certificates.remove(&uid);
            actions::finish(s, &action, None);
        });
        shared.persist();
    });
    Ok(())
}

/// At start-up from a state file: ends the actions that were running, and starts every
/// database's redis-server again on its port.
pub(crate) async fn restore(shared: &Arc<Shared>) -> Result<(), SimError> {
    let bdbs: Vec<(i64, types::Bdb, Vec<String>)> = shared.with_store(|s| {
        actions::finish_all_running(s);
        let mut gone = Vec::new();
        for (uid, entry) in s.bdbs_mut().iter_mut() {
            if entry.bdb.status == Some(types::BdbStatus::DeletePending) {
                gone.push(*uid);
                continue;
            }
            entry.busy = None;
            if entry.bdb.status != Some(types::BdbStatus::CreationFailed) {
                entry.bdb.status = Some(types::BdbStatus::Active);
            }
        }
        for uid in gone {
            s.bdbs_mut().remove(&uid);
        }
        s.bdbs
            .iter()
            .filter(|(_, e)| e.bdb.status == Some(types::BdbStatus::Active))
            .map(|(uid, e)| (*uid, e.bdb.clone(), e.password_hashes.clone()))
            .collect()
    });
    if shared.config.no_redis {
        return Ok(());
    }
    for (uid, bdb, hashes) in bdbs {
        let port = bdb.port.and_then(|p| u16::try_from(p).ok()).unwrap_or(0);
        let port = shared
            .processes
            .start(uid, port, &redis_config(&bdb, hashes))
            .await
            .map_err(|source| SimError::Restart { uid, source })?;
        shared.with_store(|s| {
            if let Some(e) = s.bdbs_mut().get_mut(&uid) {
                e.bdb.port = Some(i64::from(port));
                e.bdb.endpoints = Some(vec![endpoint(&e.bdb, Some(port))]);
            }
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Statistics, shards and alerts, from the live process

fn num(info: &BTreeMap<String, String>, key: &str) -> Option<f64> {
    info.get(key).and_then(|v| v.parse().ok())
}

/// One stats interval of a database, from `INFO` (zeros without a process).
async fn interval(shared: &Shared, uid: i64) -> Value {
    let info = shared.processes.info(uid).await.unwrap_or_default();
    let keys: f64 = info
        .get("db0")
        .and_then(|v| v.split(',').next())
        .and_then(|kv| kv.strip_prefix("keys="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0.0);
    let now = iso_now();
    serde_json::json!({
        "interval": "1sec",
        "stime": now,
        "etime": now,
        "used_memory": num(&info, "used_memory").unwrap_or(0.0),
        "instantaneous_ops_per_sec": num(&info, "instantaneous_ops_per_sec").unwrap_or(0.0),
        "conns": num(&info, "connected_clients").unwrap_or(0.0),
        "total_connections_received": num(&info, "total_connections_received").unwrap_or(0.0),
        "no_of_keys": keys,
        "evicted_objects": num(&info, "evicted_keys").unwrap_or(0.0),
        "expired_objects": num(&info, "expired_keys").unwrap_or(0.0),
        "read_hits": num(&info, "keyspace_hits").unwrap_or(0.0),
        "read_misses": num(&info, "keyspace_misses").unwrap_or(0.0),
        "ingress_bytes": num(&info, "total_net_input_bytes").unwrap_or(0.0),
        "egress_bytes": num(&info, "total_net_output_bytes").unwrap_or(0.0),
        "mem_frag_ratio": num(&info, "mem_fragmentation_ratio").unwrap_or(1.0),
    })
}

fn uids(shared: &Shared) -> Vec<i64> {
    shared.with_store(|s| s.bdbs.keys().copied().collect())
}

fn require(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    if shared.with_store(|s| s.bdbs.contains_key(&uid)) {
        Ok(())
    } else {
        Err(ModelError::not_found("db", uid))
    }
}

/// The uid and one stats interval of every database.
pub(crate) async fn stats_all(shared: &Shared) -> Vec<(i64, Value)> {
    let mut out = Vec::new();
    for uid in uids(shared) {
        out.push((uid, interval(shared, uid).await));
    }
    out
}

/// One stats interval of a database.
pub(crate) async fn stats(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    require(shared, uid)?;
    Ok(interval(shared, uid).await)
}

/// Refuses (406 `wrong_cluster_state_id`) a request made for another cluster state.
fn check_state(s: &Store, expected: Option<u64>) -> Result<(), ModelError> {
    match expected {
        Some(id) if id != s.cluster_state_id => Err(ModelError::refused(
            "wrong_cluster_state_id",
            format!(
                "cluster-state-id {id} is not the cluster's state ({}): it changed since",
                s.cluster_state_id
            ),
        )),
        _ => Ok(()),
    }
}

/// The node of each shard of `bdb` as `blueprint` (a `BdbShardsBlueprint`) places them: one
/// entry per slot range of its primaries (in any order), each with the primary first and, with
/// replication, its replica, on distinct nodes that exist, are not in maintenance and are not
/// avoided. Anything else is 406 `bad_shards_blueprint`.
fn from_blueprint(s: &Store, blueprint: &Value, bdb: &types::Bdb) -> Result<Vec<i64>, ModelError> {
    let bad = |why: String| ModelError::refused("bad_shards_blueprint", why);
    let entries = blueprint
        .as_array()
        .ok_or_else(|| bad("shards_blueprint must be a list of slot ranges".into()))?;
    let copies = if bdb.replication == Some(true) { 2 } else { 1 };
    let masters = bdb.shard_list.as_ref().map_or(0, Vec::len) / copies;
    if entries.len() != masters {
        return Err(bad(format!(
            "the database has {masters} primary shards, the blueprint {} slot ranges",
            entries.len()
        )));
    }
    let open = s.open_nodes(&avoided(bdb));
    let mut nodes: Vec<Option<Vec<i64>>> = vec![None; masters];
    for entry in entries {
        let range = entry["slot_range"].as_str().unwrap_or_default();
        let index = (0..masters)
            .find(|m| slots(*m, masters) == range)
            .ok_or_else(|| bad(format!("{range:?} is not a slot range of the database")))?;
        let shards = entry["nodes"].as_array().cloned().unwrap_or_default();
        if shards.len() != copies {
            return Err(bad(format!(
                "slot range {range} needs {copies} shards, the blueprint gives {}",
                shards.len()
            )));
        }
        let mut placed = Vec::new();
        for (k, shard) in shards.iter().enumerate() {
            let role = if k == 0 { "master" } else { "slave" };
            if shard["role"] != role {
                return Err(bad(format!(
                    "shard {k} of slot range {range} must be the {role}"
                )));
            }
            let node = shard["node_uid"]
                .as_str()
                .and_then(|n| n.parse::<i64>().ok())
                .or_else(|| shard["node_uid"].as_i64())
                .filter(|n| open.contains(n))
                .ok_or_else(|| {
                    bad(format!(
                        "node {} cannot take shards (unknown, in maintenance or avoided)",
                        shard["node_uid"]
                    ))
                })?;
            if placed.contains(&node) {
                return Err(bad(format!(
                    "the primary and replica of slot range {range} must be on different nodes"
                )));
            }
            placed.push(node);
        }
        if nodes[index].replace(placed).is_some() {
            return Err(bad(format!("slot range {range} is given twice")));
        }
    }
    Ok(nodes.into_iter().flatten().flatten().collect())
}

/// The nodes of `count` shards of `bdb` by the placement rule, avoiding its `avoid_nodes`:
/// `insufficient_resources` (406) when no node is open to them.
pub(super) fn placed(s: &Store, count: usize, bdb: &types::Bdb) -> Result<Vec<i64>, ModelError> {
    s.place(count, &avoided(bdb)).ok_or_else(|| {
        ModelError::refused(
            "insufficient_resources",
            "no node outside maintenance and the database's avoid_nodes can take its shards",
        )
    })
}

/// The hash slots of master `index` of `masters`, as a cluster numbers them (`16k` policy:
/// 0-16383 split in equal ranges; a replica serves its master's).
pub(crate) fn slots(index: usize, masters: usize) -> String {
    let masters = masters.max(1);
    let start = 16_384 * index / masters;
    let end = 16_384 * (index + 1) / masters - 1;
    format!("{start}-{end}")
}

/// Whether shard `i` (in shard order) of a database is a replica: with replication, each
/// primary is followed by its replica.
pub(crate) fn is_replica_shard(replication: bool, i: usize) -> bool {
    replication && i % 2 == 1
}

fn shards(uid: i64, bdb: &types::Bdb, nodes: &[i64]) -> Vec<Value> {
    // `nodes`: the node of each shard, in order.
    let replication = bdb.replication == Some(true);
    let copies = if replication { 2 } else { 1 };
    let masters = bdb.shard_list.as_ref().map_or(1, |l| l.len() / copies);
    bdb.shard_list
        .clone()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, shard)| {
            let role = if is_replica_shard(replication, i) {
                "slave"
            } else {
                "master"
            };
            serde_json::json!({
                "uid": shard.to_string(),
                "bdb_uid": uid,
                "node_uid": nodes.get(i).copied().unwrap_or(1).to_string(),
                "role": role,
                "status": "active",
                "detailed_status": "ok",
                "loading": { "status": "idle" },
                "sync": { "status": "idle" },
                "assigned_slots": slots(i / copies, masters),
                "report_timestamp": crate::state::iso_now(),
            })
        })
        .collect()
}

/// The shards of one database.
pub(crate) fn shards_of(shared: &Shared, uid: i64) -> Result<Vec<Value>, ModelError> {
    shared.with_store(|s| match s.bdbs.get(&uid) {
        Some(e) => Ok(shards(uid, &e.bdb, &s.shard_nodes(e))),
        None => Err(ModelError::not_found("db", uid)),
    })
}

/// Every shard.
pub(crate) fn all_shards(shared: &Shared) -> Vec<Value> {
    shared.with_store(|s| {
        s.bdbs
            .iter()
            .flat_map(|(uid, e)| shards(*uid, &e.bdb, &s.shard_nodes(e)))
            .collect()
    })
}

/// One shard, by its uid.
pub(crate) fn shard(shared: &Shared, wanted: &str) -> Result<Value, ModelError> {
    shared.with_store(|s| {
        s.bdbs
            .iter()
            .flat_map(|(uid, e)| shards(*uid, &e.bdb, &s.shard_nodes(e)))
            .find(|sh| sh["uid"] == Value::String(wanted.to_string()))
            .ok_or_else(|| ModelError::not_found("shard", wanted))
    })
}

/// Raises or clears the `bdb_size` alert of each database from its process's used memory.
pub(crate) async fn refresh_alerts(shared: &Shared) {
    let bdbs: Vec<(i64, i64)> = shared.with_store(|s| {
        s.bdbs
            .iter()
            .map(|(u, e)| (*u, e.bdb.memory_size.unwrap_or(0)))
            .collect()
    });
    for (uid, size) in bdbs {
        let used = shared
            .processes
            .info(uid)
            .await
            .and_then(|i| num(&i, "used_memory"))
            .unwrap_or(0.0);
        shared.with_store(|s| {
            let (enabled, threshold) = size_alert_setting(s, uid);
            let percent = if size > 0 {
                used / size as f64 * 100.0
            } else {
                0.0
            };
            let over = enabled && size > 0 && percent >= threshold;
            let alerts = s.bdb_alerts.entry(uid).or_default();
            if over {
                alerts.entry("bdb_size".into()).or_insert_with(|| {
                    serde_json::json!({
                        "enabled": true,
                        "state": true,
                        "severity": "WARNING",
                        "threshold": threshold.to_string(),
                        "change_time": iso_now(),
                        "change_value": { "memory_util": percent.round() },
                    })
                });
            } else {
                alerts.remove("bdb_size");
            }
        });
    }
}

/// Whether the `bdb_size` alert of database `uid` is enabled, and its threshold (percent of
/// `memory_size`): as set through `bdb_alerts_update`, else on at 80 %.
fn size_alert_setting(s: &crate::state::Store, uid: i64) -> (bool, f64) {
    let setting = s
        .bdb_alert_settings
        .get(&uid)
        .and_then(|a| a.get("bdb_size"));
    let enabled = setting
        .and_then(|a| a.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let threshold = setting
        .and_then(|a| a.get("threshold"))
        .and_then(Value::as_str)
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap_or(MEMORY_ALERT_PERCENT);
    (enabled, threshold)
}

/// Changes the alert settings of database `uid` (`bdb_alerts_update`): each named alert must be
/// a database alert (`DbAlertsSettings`) and its threshold, when not empty, a number ≥ 0 (else
/// 406, as the reference says of invalid configuration); `enabled` and `threshold` are kept,
/// what the body leaves out stays. With `dry_run` nothing is kept. Answers the alerts named, as
/// their settings and whether each is raised.
pub(crate) async fn update_alert_settings(
    shared: &Shared,
    uid: i64,
    changes: Map<String, Value>,
    dry_run: bool,
) -> Result<Value, ModelError> {
    require(shared, uid)?;
    let known = schema::named("DbAlertsSettings")
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    for (name, alert) in &changes {
        if !known.is_some_and(|k| k.contains_key(name)) {
            return Err(ModelError::refused(
                "invalid_alert",
                format!("{name:?} is not a database alert"),
            ));
        }
        let threshold = alert.get("threshold").and_then(Value::as_str);
        let number = threshold.is_none_or(|t| {
            t.is_empty() || t.parse::<f64>().is_ok_and(|n| n.is_finite() && n >= 0.0)
        });
        if !number {
            return Err(ModelError::refused(
                "invalid_threshold",
                format!("the threshold of {name} must be a number, not {threshold:?}"),
            ));
        }
    }
    let merged = shared.with_store(|s| {
        let mut settings = s.bdb_alert_settings.get(&uid).cloned().unwrap_or_default();
        for (name, alert) in &changes {
            let current = settings
                .entry(name.clone())
                .or_insert_with(|| serde_json::json!({ "enabled": false, "threshold": "" }));
            for member in ["enabled", "threshold"] {
                if let Some(v) = alert.get(member) {
                    current[member] = v.clone();
                }
            }
        }
        if !dry_run {
            s.bdb_alert_settings.insert(uid, settings.clone());
        }
        settings
    });
    if !dry_run {
        shared.persist();
    }
    // Whether each alert is raised, under the settings now in force.
    refresh_alerts(shared).await;
    let reply = shared.with_store(|s| {
        let raised = s.bdb_alerts.get(&uid);
        changes
            .keys()
            .filter_map(|name| {
                let mut answer = merged.get(name)?.clone();
                answer["state"] = Value::Bool(raised.is_some_and(|a| a.contains_key(name)));
                Some((name.clone(), answer))
            })
            .collect::<Map<String, Value>>()
    });
    Ok(Value::Object(reply))
}

/// The alerts of every database, by uid.
pub(crate) async fn all_alerts(shared: &Shared) -> Map<String, Value> {
    refresh_alerts(shared).await;
    shared.with_store(|s| {
        s.bdb_alerts
            .iter()
            .filter(|(u, _)| s.bdbs.contains_key(u))
            .map(|(u, a)| {
                (
                    u.to_string(),
                    serde_json::to_value(a).unwrap_or(Value::Null),
                )
            })
            .collect()
    })
}

/// The alerts of one database.
pub(crate) async fn alerts_of(shared: &Shared, uid: i64) -> Result<Value, ModelError> {
    require(shared, uid)?;
    refresh_alerts(shared).await;
    shared.with_store(|s| {
        let a = s.bdb_alerts.get(&uid).cloned().unwrap_or_default();
        Ok(serde_json::to_value(a).unwrap_or(Value::Null))
    })
}

/// One alert of a database, or a disabled one when it is not raised.
pub(crate) async fn alert(shared: &Shared, uid: i64, name: &str) -> Result<Value, ModelError> {
    require(shared, uid)?;
    refresh_alerts(shared).await;
    shared.with_store(|s| {
        Ok(s.bdb_alerts
            .get(&uid)
            .and_then(|a| a.get(name))
            .cloned()
            .unwrap_or_else(|| serde_json::json!({ "enabled": false, "state": false })))
    })
}

/// Whether a database can serve: unknown is `db_not_exist`; `bdb_unavailable` unless it is
/// `active` and its redis-server answers PING.
pub(crate) async fn check_available(shared: &Shared, uid: i64) -> Result<(), ModelError> {
    let status = shared.with_store(|s| s.bdbs.get(&uid).map(|e| e.bdb.status.clone()));
    let Some(status) = status else {
        return Err(ModelError::not_found("db", uid));
    };
    let unavailable =
        |why: String| ModelError::new(super::ErrorKind::Unavailable, "bdb_unavailable", why);
    if status != Some(types::BdbStatus::Active) {
        let shown = status.map_or_else(|| "unknown".to_string(), |s| s.to_string());
        return Err(unavailable(format!("database {uid} is {shown}")));
    }
    if !shared.config.no_redis {
        let alive = tokio::time::timeout(
            std::time::Duration::from_millis(500),
            shared.processes.run(uid, &["PING"]),
        )
        .await
        .is_ok_and(|r| matches!(r, Ok(Some(_))));
        if !alive {
            return Err(unavailable(format!("database {uid} does not answer PING")));
        }
    }
    Ok(())
}
