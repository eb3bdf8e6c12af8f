//! Debug-info packages of databases (`/v1/bdbs/debuginfo`, `/v1/bdbs/{uid}/debuginfo`): a
//! gzip-compressed tar archive holding, per database, what the simulator knows of it at the
//! time of the request: `bdb-<uid>/bdb.json` (the database object), `shards.json` (its shards
//! and their nodes), `actions.json` (its actions, as `GET /v1/actions/bdb/{uid}` lists them)
//! and, when its redis-server runs, `redis-info.txt` (the process's `INFO all`).

use serde_json::Value;

use super::{actions, bdbs, ModelError};
use crate::state::now_secs;
use crate::Shared;

/// A file of the archive.
struct Entry {
    path: String,
    data: Vec<u8>,
}

/// The `.tar.gz` of `entries` (regular files, mode 0644, modified at `mtime`).
fn archive(entries: &[Entry], mtime: u64) -> Result<Vec<u8>, ModelError> {
    let fail = |e: std::io::Error| ModelError::internal(format!("writing the debug info: {e}"));
    let gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gzip);
    for entry in entries {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(entry.data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        builder
            .append_data(&mut header, &entry.path, entry.data.as_slice())
            .map_err(fail)?;
    }
    builder
        .into_inner()
        .and_then(|gzip| gzip.finish())
        .map_err(fail)
}

fn pretty(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

/// The files of database `uid`, or `None` when it does not exist.
async fn entries_of(shared: &Shared, uid: i64) -> Option<Vec<Entry>> {
    let bdb = bdbs::get(shared, uid, None).ok()?;
    let shards = bdbs::shards_of(shared, uid).unwrap_or_default();
    let machines = actions::state_machines_of(shared, uid);
    let dir = format!("bdb-{uid}");
    let mut out = vec![
        Entry {
            path: format!("{dir}/bdb.json"),
            data: pretty(&bdb),
        },
        Entry {
            path: format!("{dir}/shards.json"),
            data: pretty(&Value::Array(shards)),
        },
        Entry {
            path: format!("{dir}/actions.json"),
            data: pretty(&Value::Array(machines)),
        },
    ];
    if let Ok(Some(info)) = shared.processes.run(uid, &["INFO", "all"]).await {
        out.push(Entry {
            path: format!("{dir}/redis-info.txt"),
            data: info.into_bytes(),
        });
    }
    Some(out)
}

/// The debug-info archive (`.tar.gz`) of database `uid` (404 when it does not exist).
pub(crate) async fn of_bdb(shared: &Shared, uid: i64) -> Result<Vec<u8>, ModelError> {
    let entries = entries_of(shared, uid)
        .await
        .ok_or_else(|| ModelError::not_found("db", uid))?;
    archive(&entries, now_secs().max(0) as u64)
}

/// The debug-info archive (`.tar.gz`) of every database (an empty archive without any).
pub(crate) async fn of_all(shared: &Shared) -> Result<Vec<u8>, ModelError> {
    let uids: Vec<i64> = shared.with_store(|s| s.bdbs.keys().copied().collect());
    let mut entries = Vec::new();
    for uid in uids {
        // A database deleted meanwhile is left out.
        entries.extend(entries_of(shared, uid).await.unwrap_or_default());
    }
    archive(&entries, now_secs().max(0) as u64)
}
