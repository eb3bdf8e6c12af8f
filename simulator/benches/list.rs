//! `GET /v1/bdbs` with 1,000 databases in state (`no_redis`, plain HTTP): the simulator (auth,
//! routing from the operation table, permissions, serialising the store) against a static hyper
//! server answering the same bytes, over the same kind of connection; and the memory one
//! database takes in state (resident set size before and after creating them). Results:
//! BENCHMARKS.md.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use redis_enterprise_simulator::Simulator;

const DATABASES: usize = 1000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// A server that answers every request with `body`.
async fn static_server(body: Bytes) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        let mut resp = hyper::Response::new(Full::new(body));
                        resp.headers_mut().insert(
                            "content-type",
                            hyper::header::HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, Infallible>(resp)
                    }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                {
                    eprintln!("static server connection: {e}");
                }
            });
        }
    });
    format!("http://{addr}")
}

async fn get(client: &reqwest::Client, url: &str, auth: &str) -> usize {
    client
        .get(url)
        .header("authorization", auth)
        .send()
        .await
        .expect("answer")
        .bytes()
        .await
        .expect("body")
        .len()
}

fn requests_per_second(
    rt: &tokio::runtime::Runtime,
    client: &reqwest::Client,
    url: &str,
    auth: &str,
) -> f64 {
    let n = 200;
    let started = Instant::now();
    rt.block_on(async {
        for _ in 0..n {
            get(client, url, auth).await;
        }
    });
    f64::from(n) / started.elapsed().as_secs_f64()
}

fn list(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let before = rss_kib();
    let (sim, auth) = rt.block_on(async {
        let sim = Simulator::builder()
            .http(true)
            .no_redis(true)
            .action_delay(Duration::ZERO)
            .start()
            .await
            .expect("simulator");
        let client = redis_enterprise_api::Client::builder(sim.base_url())
            .basic_auth(sim.username(), sim.password())
            .allow_insecure_http(true)
            .build()
            .expect("client");
        for i in 0..DATABASES {
            let db = {
                let mut value = redis_enterprise_api::types::Bdb::default();
                value.name = Some(format!("db-{i}"));
                value.memory_size = Some(1 << 30);
                value
            };
            client.bdb_create(&db).send().await.expect("create");
        }
        use base64::Engine;
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                sim.username(),
                sim.password()
            ))
        );
        (sim, auth)
    });
    let after = rss_kib();
    let url = format!("{}/v1/bdbs", sim.base_url());
    // reqwest is built without a default crypto provider in this workspace; HTTP needs none,
    // but the builder insists on one: the simulator's TLS set-up above installed rustls's
    // process default (from its crate features).
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_some(),
        "the simulator installed the process crypto provider"
    );
    let client = reqwest::Client::new();
    let body = rt.block_on(async {
        client
            .get(&url)
            .header("authorization", &auth)
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("body")
    });
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&body).expect("a JSON list");
    assert_eq!(listed.len(), DATABASES);
    let static_url = rt.block_on(static_server(body.clone()));

    let sim_rps = requests_per_second(&rt, &client, &url, &auth);
    let static_rps = requests_per_second(&rt, &client, &static_url, &auth);
    eprintln!(
        "list {DATABASES} databases ({} KiB body): simulator {sim_rps:.0} req/s, static hyper {static_rps:.0} req/s, ratio {:.2}",
        body.len() / 1024,
        sim_rps / static_rps
    );
    eprintln!(
        "memory: {} KiB resident for {DATABASES} databases, {:.1} KiB per database",
        after.saturating_sub(before),
        after.saturating_sub(before) as f64 / DATABASES as f64
    );

    let mut group = c.benchmark_group("list_1000_bdbs");
    group.throughput(Throughput::Elements(1));
    group.bench_function("simulator", |b| {
        b.to_async(&rt).iter(|| get(&client, &url, &auth))
    });
    group.bench_function("static_hyper", |b| {
        b.to_async(&rt).iter(|| get(&client, &static_url, &auth))
    });
    group.finish();
    drop(sim);
}

criterion_group!(benches, list);
criterion_main!(benches);
