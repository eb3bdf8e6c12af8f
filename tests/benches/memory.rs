//! Peak heap memory of decoding 10,000 databases (~40 MB of JSON): the generated types against
//! `serde_json::Value`, measured with a counting global allocator (peak bytes allocated during
//! the decode, input excluded). Run: `cargo bench -p redis-enterprise-api-tests --bench memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use redis_enterprise_api::types::Bdb;
use redis_enterprise_api_tests::bench::bdb_list_body;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn peak_during<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (PEAK.load(Ordering::Relaxed) - base, out)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing special. Either way run once.
    let body = bdb_list_body(10_000);
    let (typed_peak, typed) =
        peak_during(|| redis_enterprise_api::decode_body::<Vec<Bdb>>(&body).expect("decodes"));
    let typed_retained = CURRENT.load(Ordering::Relaxed);
    drop(typed);
    let (value_peak, value) =
        peak_during(|| serde_json::from_slice::<serde_json::Value>(&body).expect("decodes"));
    drop(value);
    let mb = |b: usize| b as f64 / 1_048_576.0;
    println!("input: {:.1} MB of JSON, 10,000 databases", mb(body.len()));
    println!("typed Vec<Bdb>: peak {:.1} MB", mb(typed_peak));
    println!("serde_json::Value: peak {:.1} MB", mb(value_peak));
    println!(
        "typed / Value peak ratio: {:.2}",
        typed_peak as f64 / value_peak as f64
    );
    let _ = typed_retained;
}
