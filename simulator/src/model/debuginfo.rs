//! Debug-info packages of databases (`/v1/bdbs/debuginfo`, `/v1/bdbs/{uid}/debuginfo`): a
//! gzip-compressed tar archive holding, per database, what the simulator knows of it at the
//! time of the request: `bdb-<uid>/bdb.json` (the database object), `shards.json` (its shards
//! and their nodes), `actions.json` (its actions, as `GET /v1/actions/bdb/{uid}` lists them)
//! and, when its redis-server runs, `redis-info.txt` (the process's `INFO all`).

use std::io::Write;

use serde_json::Value;

use super::{actions, bdbs, ModelError};
use crate::state::now_secs;
use crate::Shared;

/// A file of the archive.
struct Entry {
    path: String,
    data: Vec<u8>,
}

/// Writes `value` into `field` as zero-padded octal, NUL-terminated.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let text = format!("{value:0width$o}");
    let bytes = text.as_bytes();
    // A value wider than the field keeps its low digits (never for the sizes written here).
    let start = bytes.len().saturating_sub(width);
    field[..width].copy_from_slice(&bytes[start..]);
    field[width] = 0;
}

/// A POSIX ustar archive of `entries` (regular files, mode 0644, modified at `mtime`).
fn tar(entries: &[Entry], mtime: u64) -> Result<Vec<u8>, ModelError> {
    let mut out = Vec::new();
    for entry in entries {
        let name = entry.path.as_bytes();
        if name.len() > 100 {
            return Err(ModelError::internal(format!(
                "archive path {} is longer than 100 bytes",
                entry.path
            )));
        }
        let mut header = [0u8; 512];
        header[..name.len()].copy_from_slice(name);
        octal(&mut header[100..108], 0o644);
        octal(&mut header[108..116], 0);
        octal(&mut header[116..124], 0);
        octal(&mut header[124..136], entry.data.len() as u64);
        octal(&mut header[136..148], mtime);
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[265..269].copy_from_slice(b"root");
        header[297..301].copy_from_slice(b"root");
        // The checksum is computed with its own field as spaces.
        header[148..156].copy_from_slice(b"        ");
        let sum: u64 = header.iter().map(|b| u64::from(*b)).sum();
        let text = format!("{sum:06o}\0 ");
        header[148..156].copy_from_slice(text.as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&entry.data);
        let pad = (512 - entry.data.len() % 512) % 512;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    out.extend(std::iter::repeat_n(0u8, 1024));
    Ok(out)
}

fn gzip(data: &[u8]) -> Result<Vec<u8>, ModelError> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| ModelError::internal(format!("compressing the debug info: {e}")))
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
    gzip(&tar(&entries, now_secs().max(0) as u64)?)
}

/// The debug-info archive (`.tar.gz`) of every database (an empty archive without any).
pub(crate) async fn of_all(shared: &Shared) -> Result<Vec<u8>, ModelError> {
    let uids: Vec<i64> = shared.with_store(|s| s.bdbs.keys().copied().collect());
    let mut entries = Vec::new();
    for uid in uids {
        // A database deleted meanwhile is left out.
        entries.extend(entries_of(shared, uid).await.unwrap_or_default());
    }
    gzip(&tar(&entries, now_secs().max(0) as u64)?)
}
