//! Inputs shared by the benchmarks.

use serde_json::Value;

use crate::repo_root;

/// `n` databases shaped like a real `GET /v1/bdbs` answer (~4 KB each, distinct uid and name),
/// built from `tests/benches/data/bdb.json` (see `scripts/make-bench-bdb.py`).
pub fn bdb_list_body(n: usize) -> Vec<u8> {
    let one: Value = serde_json::from_slice(
        &std::fs::read(repo_root().join("tests/benches/data/bdb.json")).expect("bench data"),
    )
    .expect("bench data is JSON");
    let list: Vec<Value> = (0..n)
        .map(|i| {
            let mut bdb = one.clone();
            bdb["uid"] = Value::from(i as i64 + 1);
            bdb["name"] = Value::from(format!("database-{i:05}"));
            bdb
        })
        .collect();
    serde_json::to_vec(&list).expect("serialise")
}
