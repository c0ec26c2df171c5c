//! Benchmark: a generated busy day (~10,000 engine events) through the desk engine; prints time and allocations.
//!
//! Run: `cargo bench -p refdesk-core --bench engine_day`. Prints figures only; no pass/fail on time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use chrono::{DateTime, Utc};
use refdesk_core::desk::sim::{simulate, Traffic};
use refdesk_core::desk::{DeskPolicy, QueueOrder};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size as u64, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z").unwrap().into();
    println!("desk engine, one generated busy day (30x a public library's traffic, 15 librarians), 5 runs:");
    println!("{:<26} {:>8} {:>10} {:>12} {:>12} {:>10}", "policy", "events", "ms", "µs/event", "allocs", "KiB alloc");
    for order in [QueueOrder::FirstComeFirstServed, QueueOrder::InPersonFirst] {
        let policy = DeskPolicy { order, max_chats_per_librarian: 3, ..DeskPolicy::default() }.compile().unwrap();
        let traffic = Traffic { staff: 15, ..Traffic::busy_library(2026, start, 1).scaled(30.0) };
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..5 {
            let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
            let t = Instant::now();
            let report = simulate(policy.clone(), &traffic);
            times.push(t.elapsed());
            last = Some((report.events, ALLOCS.load(Relaxed) - a0, BYTES.load(Relaxed) - b0));
        }
        times.sort();
        let median = times[times.len() / 2];
        let (events, allocs, bytes) = last.unwrap();
        println!(
            "{:<26} {:>8} {:>10.2} {:>12.2} {:>12} {:>10}",
            format!("{order:?}"),
            events,
            median.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e6 / events as f64,
            allocs,
            bytes / 1024
        );
    }
    println!("(time and allocations include the traffic generator and the simulated librarians)");
}
