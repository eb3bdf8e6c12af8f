//! In-process generation time for the whole spec: load, validate, progenitor (client and
//! mocks), syn passes and prettyplease. Results: BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion};

fn codegen(c: &mut Criterion) {
    let root = redis_enterprise_api_tests::repo_root();
    let bytes = std::fs::read(root.join(codegen::SPEC_PATH)).expect("spec");
    let mut group = c.benchmark_group("codegen");
    group.sample_size(10);
    group.bench_function("generate_whole_spec", |b| {
        b.iter(|| {
            codegen::generate_from_bytes(codegen::SPEC_PATH, std::hint::black_box(&bytes))
                .expect("generates")
        })
    });
    group.bench_function("load_and_validate_only", |b| {
        b.iter(|| {
            let loaded = codegen::load::load_spec(codegen::SPEC_PATH, std::hint::black_box(&bytes))
                .expect("loads");
            codegen::validate::validate(&loaded.raw)
        })
    });
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
