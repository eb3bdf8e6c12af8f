//! Client overhead: requests per second of the generated client (`bdb_get`, with hooks, tracing
//! span, retry bookkeeping and path-aware decoding) against raw reqwest doing the same request
//! and decoding into the same type, over the same loopback server and connection reuse;
//! sequential and 32 concurrent. Results: BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures_util::future::join_all;
use redis_enterprise_api::types::Bdb;
use redis_enterprise_api::{Client, RetryPolicy};
use redis_enterprise_api_tests::server::{Reply, TestServer};

/// The raw side of the comparison: one GET with reqwest, decoded into the same type.
async fn raw_get(raw: &reqwest::Client, url: &str) -> Bdb {
    let bytes = raw
        .get(url)
        .header("authorization", "Basic YmVuY2hAZXhhbXBsZS5jb206cHc=")
        .send()
        .await
        .expect("ok")
        .bytes()
        .await
        .expect("body");
    serde_json::from_slice::<Bdb>(&bytes).expect("decodes")
}

fn client(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let body: serde_json::Value = serde_json::from_slice(
        &std::fs::read(redis_enterprise_api_tests::repo_root().join("tests/benches/data/bdb.json"))
            .expect("bench data"),
    )
    .expect("JSON");
    let server = rt.block_on(TestServer::http(move |_| Reply::json(200, body.clone())));
    let generated = Client::builder(&server.url)
        .basic_auth("bench@example.com", "pw")
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy::default())
        .build()
        .expect("client");
    // Plain reqwest with the same features as the client needs a process-level rustls provider;
    // building the generated client above installed rustls's default (from its crate features).
    assert!(
        tokio_rustls::rustls::crypto::CryptoProvider::get_default().is_some(),
        "the generated client installed the process crypto provider"
    );
    // Same timeouts as the generated client's defaults, so that the comparison isolates the
    // generated and hand-written layers rather than reqwest's timer.
    let raw = reqwest::Client::builder()
        .connect_timeout(redis_enterprise_api::config::DEFAULT_CONNECT_TIMEOUT)
        .timeout(redis_enterprise_api::config::DEFAULT_TIMEOUT)
        .build()
        .expect("raw client");
    let url = format!("{}/v1/bdbs/1", server.url);

    // The same client without retries: the retry loop keeps a clone of each request.
    let no_retry = Client::builder(&server.url)
        .basic_auth("bench@example.com", "pw")
        .allow_insecure_http(true)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client");
    let mut group = c.benchmark_group("client_bdb_get");
    group.throughput(Throughput::Elements(1));
    group.bench_function("generated_sequential", |b| {
        b.to_async(&rt)
            .iter(|| async { generated.bdb_get(1).send().await.expect("ok").into_inner() })
    });
    group.bench_function("raw_reqwest_sequential", |b| {
        b.to_async(&rt).iter(|| raw_get(&raw, &url))
    });
    group.throughput(Throughput::Elements(32));
    group.bench_function("generated_32_concurrent", |b| {
        b.to_async(&rt)
            .iter(|| async { join_all((0..32).map(|_| generated.bdb_get(1).send())).await })
    });
    group.bench_function("generated_no_retries_32_concurrent", |b| {
        b.to_async(&rt)
            .iter(|| async { join_all((0..32).map(|_| no_retry.bdb_get(1).send())).await })
    });
    group.bench_function("raw_reqwest_32_concurrent", |b| {
        b.to_async(&rt)
            .iter(|| async { join_all((0..32).map(|_| raw_get(&raw, &url))).await })
    });
    group.finish();
}

criterion_group!(benches, client);
criterion_main!(benches);
