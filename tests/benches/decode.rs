//! Decoding 1,000 databases (~4 MB, a real-sized `GET /v1/bdbs` answer): the generated types as
//! the client decodes them (`unfit::decode_isolating`: a plain decode, with the isolating second
//! pass only on failure), the same through `decode_body` (path-aware errors), a bare
//! `serde_json::from_slice`, `serde_json::Value`, and `IgnoredAny` as the floor.
//! Results: BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redis_enterprise_api::types::Bdb;
use redis_enterprise_api_tests::bench::bdb_list_body;

fn decode(c: &mut Criterion) {
    let body = bdb_list_body(1000);
    // The body must decode, or the benchmark measures an early error.
    let typed: Vec<Bdb> = redis_enterprise_api::decode_body(&body).expect("bench body decodes");
    assert_eq!(typed.len(), 1000);
    let mut group = c.benchmark_group("decode_1000_bdbs");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::new("typed_as_client", body.len()), |b| {
        b.iter(|| {
            redis_enterprise_api::unfit::decode_isolating::<Vec<Bdb>>(std::hint::black_box(&body))
                .expect("decodes")
        })
    });
    group.bench_function(BenchmarkId::new("typed_path_aware", body.len()), |b| {
        b.iter(|| {
            redis_enterprise_api::decode_body::<Vec<Bdb>>(std::hint::black_box(&body))
                .expect("decodes")
        })
    });
    group.bench_function(BenchmarkId::new("typed_plain", body.len()), |b| {
        b.iter(|| serde_json::from_slice::<Vec<Bdb>>(std::hint::black_box(&body)).expect("decodes"))
    });
    group.bench_function(BenchmarkId::new("value", body.len()), |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&body))
                .expect("decodes")
        })
    });
    group.bench_function(BenchmarkId::new("ignored_any", body.len()), |b| {
        b.iter(|| {
            serde_json::from_slice::<serde::de::IgnoredAny>(std::hint::black_box(&body))
                .expect("decodes")
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
