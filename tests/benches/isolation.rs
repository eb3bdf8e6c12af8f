//! Isolation cost against the number of unfit properties: `GET /v1/bdbs` bodies of 100, 400 and
//! 1,600 databases where every database has one drifted field (`memory_size` sent as an object,
//! as a release that changed its type would), decoded as the client decodes responses
//! (`unfit::decode_isolating`), against the documented body of the same size in the same run.
//! The ratio must not grow with N (linear isolation). Results: BENCHMARKS.md, "Isolation".

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redis_enterprise_api::types::Bdb;
use redis_enterprise_api::unfit::decode_isolating;
use redis_enterprise_api_tests::bench::bdb_list_body;
use serde_json::{json, Value};

/// The documented body, and the same with one drifted field in every database.
fn bodies(n: usize) -> (Vec<u8>, Vec<u8>) {
    let documented = bdb_list_body(n);
    let mut list: Vec<Value> = serde_json::from_slice(&documented).expect("bench body is JSON");
    for (i, bdb) in list.iter_mut().enumerate() {
        bdb["memory_size"] = json!({"bytes": i});
    }
    let drifted = serde_json::to_vec(&list).expect("serialise");
    (documented, drifted)
}

fn isolation(c: &mut Criterion) {
    let mut group = c.benchmark_group("isolation");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for n in [100usize, 400, 1600] {
        let (documented, drifted) = bodies(n);
        // Both must decode, and the drifted one must report exactly one property per database,
        // or the benchmark measures something else.
        let (plain, unfit) = decode_isolating::<Vec<Bdb>>(&documented).expect("documented");
        assert_eq!((plain.len(), unfit.len()), (n, 0));
        let (list, unfit) = decode_isolating::<Vec<Bdb>>(&drifted).expect("drifted");
        assert_eq!((list.len(), unfit.len()), (n, n));
        assert_eq!(unfit[n - 1].path, format!("[{}].memory_size", n - 1));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new("documented", n), |b| {
            b.iter(|| decode_isolating::<Vec<Bdb>>(std::hint::black_box(&documented)))
        });
        group.bench_function(BenchmarkId::new("one_drifted_field_each", n), |b| {
            b.iter(|| decode_isolating::<Vec<Bdb>>(std::hint::black_box(&drifted)))
        });
    }
    group.finish();
}

criterion_group!(benches, isolation);
criterion_main!(benches);
