//! Fuzzes decoding of the largest types (database, cluster, node, and their lists) exactly as the
//! client decodes responses. Any input must give a value or an error, never a panic; a value must
//! encode and decode again to the same JSON (what a read-modify-write relies on).
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_enterprise_api::operations::response_round_trip;

const OPERATIONS: [&str; 5] = ["bdb_get", "bdb_list", "cluster_get", "node_get", "node_list"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let operation = OPERATIONS[selector as usize % OPERATIONS.len()];
    if let Some(Ok(encoded)) = response_round_trip(operation, body) {
        let bytes = serde_json::to_vec(&encoded).expect("a decoded value encodes");
        match response_round_trip(operation, &bytes) {
            Some(Ok(again)) => assert_eq!(encoded, again, "{operation}: encode/decode is not stable"),
            other => panic!("{operation}: re-decoding our own encoding failed: {other:?}"),
        }
    }
});
