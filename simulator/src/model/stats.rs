//! Statistics of shards, nodes and the cluster (`/v1/shards/stats…`, `/v1/nodes/stats…`,
//! `/v1/cluster/stats…`), computed on every read from what the simulator runs: each database's
//! redis-server (`INFO`), where the database's shards are placed, the nodes' memory, and this
//! host's CPU and disk (every simulated node runs on it). They used to be the spec's examples,
//! which describe another cluster in 2015.
//!
//! A database's shards are one redis-server here. A primary shard reports its share of the
//! process: what adds up (memory, keys, clients, requests, bytes) is split over the primaries,
//! the remainder to the first ones, so that the shards of a database add up to the process and
//! the nodes to the cluster. A replica holds a copy of its primary's data (memory and keys as
//! its primary) and serves no traffic (zero requests, clients and bytes), as on a cluster whose
//! replicas are not read. Without a process (`--no-redis`, or a database not yet started) the
//! process's figures are zero.
//!
//! Each series has one interval: the one that ends now, of the requested length (`interval`,
//! `1sec` by default). The simulator keeps no history, so a requested time range (`stime`,
//! `etime`) does not select older intervals.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{bdbs, node_status, ModelError};
use crate::Shared;

/// What a stats request asks for: the interval length and the metrics to keep (all when
/// `None`).
pub(crate) struct Query {
    pub interval: String,
    pub metrics: Option<Vec<String>>,
}

impl Query {
    /// From the request's `interval` and `metrics` query parameters.
    pub(crate) fn from_params(query: &BTreeMap<String, String>) -> Self {
        Query {
            interval: query
                .get("interval")
                .filter(|i| !i.is_empty())
                .cloned()
                .unwrap_or_else(|| "1sec".into()),
            metrics: query.get("metrics").filter(|m| !m.is_empty()).map(|m| {
                m.split(',')
                    .map(|name| name.trim().to_string())
                    .filter(|name| !name.is_empty())
                    .collect()
            }),
        }
    }

    /// The interval's length in seconds.
    fn seconds(&self) -> i64 {
        match self.interval.as_str() {
            "10sec" => 10,
            "5min" => 300,
            "15min" => 900,
            "1hour" => 3_600,
            "12hour" => 43_200,
            "1week" => 604_800,
            _ => 1,
        }
    }

    /// One interval: its bounds and `metrics`, less the metrics not asked for.
    fn interval(&self, metrics: Map<String, Value>) -> Value {
        let now = crate::state::now_secs();
        let mut out = Map::new();
        out.insert("interval".into(), Value::String(self.interval.clone()));
        out.insert(
            "stime".into(),
            Value::String(crate::state::iso_from_secs(now - self.seconds())),
        );
        out.insert(
            "etime".into(),
            Value::String(crate::state::iso_from_secs(now)),
        );
        for (name, value) in metrics {
            if self
                .metrics
                .as_ref()
                .is_none_or(|wanted| wanted.contains(&name))
            {
                out.insert(name, value);
            }
        }
        Value::Object(out)
    }
}

/// A database's process, as `INFO` reports it.
#[derive(Default)]
struct Process(BTreeMap<String, String>);

impl Process {
    fn num(&self, key: &str) -> f64 {
        self.0.get(key).and_then(|v| v.parse().ok()).unwrap_or(0.0)
    }

    /// A member of the `db0` line (`keys=3,expires=1,avg_ttl=0`).
    fn keyspace(&self, key: &str) -> f64 {
        self.0
            .get("db0")
            .into_iter()
            .flat_map(|line| line.split(','))
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0.0)
    }
}

/// Share `k` of `p` of `total`: the integral part split evenly, the remainder one each to the
/// first shares (so the shares add up to `total`); fractions stay with the first share.
fn share(total: f64, k: usize, p: usize) -> f64 {
    let p = p.max(1);
    let whole = total.trunc();
    let base = (whole / p as f64).floor();
    let remainder = whole - base * p as f64;
    let extra = if (k as f64) < remainder { 1.0 } else { 0.0 };
    let fraction = if k == 0 { total - whole } else { 0.0 };
    base + extra + fraction
}

/// One shard as placed: its uid, database, node, slots, and its primary's position.
struct Placed {
    uid: String,
    bdb: i64,
    node: i64,
    replica: bool,
    slots: String,
    /// The position of its slot range among the database's primaries, and their number.
    range: usize,
    ranges: usize,
}

fn placed(shared: &Shared) -> Vec<Placed> {
    shared.with_store(|s| {
        let mut out = Vec::new();
        for (uid, entry) in &s.bdbs {
            let nodes = s.shard_nodes(entry);
            let replication = entry.bdb.replication == Some(true);
            let copies = if replication { 2 } else { 1 };
            let list = entry.bdb.shard_list.clone().unwrap_or_default();
            let ranges = (list.len() / copies).max(1);
            for (i, shard) in list.iter().enumerate() {
                let range = i / copies;
                out.push(Placed {
                    uid: shard.to_string(),
                    bdb: *uid,
                    node: nodes.get(i).copied().unwrap_or(1),
                    replica: bdbs::is_replica_shard(replication, i),
                    slots: bdbs::slots(range, ranges),
                    range,
                    ranges,
                });
            }
        }
        out
    })
}

/// `INFO` of every database that has shards in `shards` (one read per process).
async fn processes(shared: &Shared, shards: &[Placed]) -> BTreeMap<i64, Process> {
    let mut uids: Vec<i64> = shards.iter().map(|sh| sh.bdb).collect();
    uids.dedup();
    let mut out = BTreeMap::new();
    for uid in uids {
        let info = shared.processes.info(uid).await.unwrap_or_default();
        out.insert(uid, Process(info));
    }
    out
}

/// The metrics of one shard (`ShardStatsInterval`, without the bounds).
fn shard_metrics(shard: &Placed, p: &Process) -> Map<String, Value> {
    let (k, n) = (shard.range, shard.ranges);
    // Data: a replica holds what its primary holds.
    let data = |v: f64| json!(share(v, k, n));
    // Traffic: a replica serves none.
    let traffic = |v: f64| json!(if shard.replica { 0.0 } else { share(v, k, n) });
    let same = |v: f64| json!(v);
    let pairs = [
        ("used_memory", data(p.num("used_memory"))),
        ("used_memory_peak", data(p.num("used_memory_peak"))),
        ("used_memory_rss", data(p.num("used_memory_rss"))),
        ("mem_size_lua", data(p.num("used_memory_lua"))),
        ("no_of_keys", data(p.keyspace("keys"))),
        ("no_of_expires", data(p.keyspace("expires"))),
        ("avg_ttl", same(p.keyspace("avg_ttl"))),
        ("mem_frag_ratio", same(p.num("mem_fragmentation_ratio"))),
        ("connected_clients", traffic(p.num("connected_clients"))),
        ("blocked_clients", traffic(p.num("blocked_clients"))),
        ("total_req", traffic(p.num("instantaneous_ops_per_sec"))),
        ("read_hits", traffic(p.num("keyspace_hits"))),
        ("read_misses", traffic(p.num("keyspace_misses"))),
        ("evicted_objects", traffic(p.num("evicted_keys"))),
        ("expired_objects", traffic(p.num("expired_keys"))),
        ("pubsub_channels", traffic(p.num("pubsub_channels"))),
        ("pubsub_patterns", traffic(p.num("pubsub_patterns"))),
        ("shard_cpu_system", traffic(p.num("used_cpu_sys"))),
        ("shard_cpu_user", traffic(p.num("used_cpu_user"))),
        (
            "main_thread_cpu_system",
            traffic(p.num("used_cpu_sys_main_thread")),
        ),
        (
            "main_thread_cpu_user",
            traffic(p.num("used_cpu_user_main_thread")),
        ),
        (
            "rdb_changes_since_last_save",
            data(p.num("rdb_changes_since_last_save")),
        ),
        ("last_save_time", same(p.num("rdb_last_save_time"))),
        ("aof_rewrite_inprog", same(p.num("aof_rewrite_in_progress"))),
        ("sync_full", traffic(p.num("sync_full"))),
        ("sync_partial_ok", traffic(p.num("sync_partial_ok"))),
        ("sync_partial_err", traffic(p.num("sync_partial_err"))),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The bytes a shard's clients sent and received (traffic: none for a replica).
fn shard_bytes(shard: &Placed, p: &Process) -> (f64, f64) {
    if shard.replica {
        return (0.0, 0.0);
    }
    let (k, n) = (shard.range, shard.ranges);
    (
        share(p.num("total_net_input_bytes"), k, n),
        share(p.num("total_net_output_bytes"), k, n),
    )
}

/// The series of every shard (of database `parent` when given), in shard order.
pub(crate) async fn shards(
    shared: &Shared,
    parent: Option<i64>,
    query: &Query,
) -> Result<Vec<Value>, ModelError> {
    if let Some(uid) = parent {
        if !shared.with_store(|s| s.bdbs.contains_key(&uid)) {
            return Err(ModelError::not_found("db", uid));
        }
    }
    let mut all = placed(shared);
    all.retain(|sh| parent.is_none_or(|uid| sh.bdb == uid));
    let procs = processes(shared, &all).await;
    Ok(all
        .iter()
        .map(|sh| shard_series(sh, &procs[&sh.bdb], query))
        .collect())
}

/// One shard's series (`ShardStats`).
fn shard_series(sh: &Placed, p: &Process, query: &Query) -> Value {
    json!({
        "uid": sh.uid,
        "node_uid": sh.node.to_string(),
        "assigned_slots": sh.slots,
        "status": "active",
        "intervals": [query.interval(shard_metrics(sh, p))],
    })
}

/// The latest interval of every shard, keyed by shard uid.
pub(crate) async fn shards_last(shared: &Shared, query: &Query) -> Value {
    let all = placed(shared);
    let procs = processes(shared, &all).await;
    Value::Object(
        all.iter()
            .map(|sh| {
                let interval = query.interval(shard_metrics(sh, &procs[&sh.bdb]));
                (sh.uid.clone(), interval)
            })
            .collect(),
    )
}

/// One shard's series (404 when there is no such shard).
pub(crate) async fn shard(shared: &Shared, uid: &str, query: &Query) -> Result<Value, ModelError> {
    let all = placed(shared);
    let sh = all
        .iter()
        .find(|sh| sh.uid == uid)
        .ok_or_else(|| ModelError::not_found("shard", uid))?;
    let procs = processes(shared, std::slice::from_ref(sh)).await;
    Ok(shard_series(sh, &procs[&sh.bdb], query))
}

/// One shard's latest interval, keyed by its uid.
pub(crate) async fn shard_last(
    shared: &Shared,
    uid: &str,
    query: &Query,
) -> Result<Value, ModelError> {
    let series = shard(shared, uid, query).await?;
    let mut out = Map::new();
    out.insert(uid.to_string(), series["intervals"][0].clone());
    Ok(Value::Object(out))
}

/// This host's CPU time since boot, as shares of the total (`/proc/stat`): idle, system, user.
/// Every simulated node runs on this host, so every node reports it. `None` where there is no
/// `/proc/stat`.
fn host_cpu() -> Option<(f64, f64, f64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let total: f64 = ticks.iter().sum();
    if ticks.len() < 4 || total <= 0.0 {
        return None;
    }
    let user = ticks[0] + ticks[1];
    let system = ticks[2] + ticks.get(5).unwrap_or(&0.0) + ticks.get(6).unwrap_or(&0.0);
    let idle = ticks[3] + ticks.get(4).unwrap_or(&0.0);
    Some((idle / total, system / total, user / total))
}

/// The disk the simulator writes to (the state file's folder, else the temporary folder):
/// bytes available to it and bytes free.
fn host_disk(shared: &Shared) -> Option<(f64, f64)> {
    let dir = shared
        .config
        .state_file
        .as_ref()
        .and_then(|f| f.parent())
        .filter(|d| !d.as_os_str().is_empty())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    let path = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok()?;
    let mut out = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is a valid NUL-terminated string and `out` a writable statvfs.
    if unsafe { libc::statvfs(path.as_ptr(), out.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `out`.
    let st = unsafe { out.assume_init() };
    let block = st.f_frsize as f64;
    Some((st.f_bavail as f64 * block, st.f_bfree as f64 * block))
}

/// The metrics of node `uid` (`NodeStatsInterval`, without the bounds), from the shards placed
/// on it and what `node_status` computes of its memory.
fn node_metrics(
    shared: &Shared,
    uid: i64,
    shards: &[Placed],
    procs: &BTreeMap<i64, Process>,
    cpu: Option<(f64, f64, f64)>,
    disk: Option<(f64, f64)>,
) -> Map<String, Value> {
    let (mut conns, mut req, mut ingress, mut egress, mut aof) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for sh in shards.iter().filter(|sh| sh.node == uid) {
        let p = &procs[&sh.bdb];
        let m = shard_metrics(sh, p);
        conns += m["connected_clients"].as_f64().unwrap_or(0.0);
        req += m["total_req"].as_f64().unwrap_or(0.0);
        aof += m["aof_rewrite_inprog"].as_f64().unwrap_or(0.0);
        let (i, e) = shard_bytes(sh, p);
        ingress += i;
        egress += e;
    }
    let status = node_status::get(shared, uid).unwrap_or(Value::Null);
    let free = status["free_ram"].as_f64().unwrap_or(0.0);
    let provisional = status["free_provisional_ram"].as_f64().unwrap_or(0.0);
    let mut out = Map::new();
    let mut put = |k: &str, v: f64| {
        out.insert(k.to_string(), json!(v));
    };
    put("conns", conns);
    put("total_req", req);
    put("ingress_bytes", ingress);
    put("egress_bytes", egress);
    put("cur_aof_rewrites", aof);
    put("free_memory", free);
    put("available_memory", provisional);
    put("provisional_memory", provisional);
    if let Some((idle, system, user)) = cpu {
        put("cpu_idle", idle);
        put("cpu_system", system);
        put("cpu_user", user);
    }
    if let Some((avail, free)) = disk {
        put("ephemeral_storage_avail", avail);
        put("ephemeral_storage_free", free);
        put("persistent_storage_avail", avail);
        put("persistent_storage_free", free);
    }
    out
}

/// The metrics of every node, by uid.
async fn all_nodes(shared: &Shared) -> BTreeMap<i64, Map<String, Value>> {
    let shards = placed(shared);
    let procs = processes(shared, &shards).await;
    let (cpu, disk) = (host_cpu(), host_disk(shared));
    let nodes: Vec<i64> = shared.with_store(|s| s.nodes.keys().copied().collect());
    nodes
        .into_iter()
        .map(|uid| {
            let metrics = node_metrics(shared, uid, &shards, &procs, cpu, disk);
            (uid, metrics)
        })
        .collect()
}

/// The series of every node.
pub(crate) async fn nodes(shared: &Shared, query: &Query) -> Vec<Value> {
    all_nodes(shared)
        .await
        .into_iter()
        .map(|(uid, m)| json!({ "uid": uid.to_string(), "intervals": [query.interval(m)] }))
        .collect()
}

/// The latest interval of every node, keyed by node uid.
pub(crate) async fn nodes_last(shared: &Shared, query: &Query) -> Value {
    Value::Object(
        all_nodes(shared)
            .await
            .into_iter()
            .map(|(uid, m)| (uid.to_string(), query.interval(m)))
            .collect(),
    )
}

/// One node's series (404 when there is no such node).
pub(crate) async fn node(shared: &Shared, uid: i64, query: &Query) -> Result<Value, ModelError> {
    let mut all = all_nodes(shared).await;
    let m = all
        .remove(&uid)
        .ok_or_else(|| ModelError::not_found("node", uid))?;
    Ok(json!({ "uid": uid.to_string(), "intervals": [query.interval(m)] }))
}

/// One node's latest interval, keyed by its uid.
pub(crate) async fn node_last(
    shared: &Shared,
    uid: i64,
    query: &Query,
) -> Result<Value, ModelError> {
    let series = node(shared, uid, query).await?;
    let mut out = Map::new();
    out.insert(uid.to_string(), series["intervals"][0].clone());
    Ok(Value::Object(out))
}

/// The cluster's metrics: the nodes' added up, CPU shares averaged.
async fn cluster_metrics(shared: &Shared) -> Map<String, Value> {
    let nodes = all_nodes(shared).await;
    let mut out: Map<String, Value> = Map::new();
    for m in nodes.values() {
        for (name, value) in m {
            if name == "cur_aof_rewrites" {
                continue; // not a cluster metric
            }
            let v = value.as_f64().unwrap_or(0.0);
            let sum = out.get(name).and_then(Value::as_f64).unwrap_or(0.0) + v;
            out.insert(name.clone(), json!(sum));
        }
    }
    let n = nodes.len().max(1) as f64;
    for cpu in ["cpu_idle", "cpu_system", "cpu_user"] {
        if let Some(v) = out.get(cpu).and_then(Value::as_f64) {
            out.insert(cpu.into(), json!(v / n));
        }
    }
    out
}

/// The cluster's series.
pub(crate) async fn cluster(shared: &Shared, query: &Query) -> Value {
    json!({ "intervals": [query.interval(cluster_metrics(shared).await)] })
}

/// The cluster's latest interval.
pub(crate) async fn cluster_last(shared: &Shared, query: &Query) -> Value {
    query.interval(cluster_metrics(shared).await)
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_add_up_to_the_total_and_differ_by_at_most_one() {
        let mut checked = 0;
        for total in [0.0, 1.0, 7.0, 16_384.0, 1_000_003.0, 2.5] {
            for p in 1..=5 {
                let parts: Vec<f64> = (0..p).map(|k| share(total, k, p)).collect();
                let sum: f64 = parts.iter().sum();
                assert!((sum - total).abs() < 1e-9, "{total} over {p}: {parts:?}");
                let whole: Vec<f64> = parts.iter().map(|v| v.trunc()).collect();
                let (lo, hi) = whole
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
                assert!(hi - lo <= 1.0, "{total} over {p}: {parts:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 30);
    }
}
