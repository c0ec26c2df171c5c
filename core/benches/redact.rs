//! Benchmark: redaction throughput on one core, over the corpus lines repeated to a few megabytes.
//!
//! Run: `cargo bench -p refdesk-core --bench redact`. Prints figures only; no pass/fail on time.
//! `REDACT_BENCH_MB=0.5 REDACT_BENCH_RUNS=1` makes a run short enough for `valgrind --tool=callgrind`,
//! whose instruction counts do not move with a busy machine as times do
//! (`--toggle-collect='*timed_run*'` leaves out the patterns' compiling).

use std::time::Instant;

use refdesk_core::privacy::redact::Redactor;

fn main() {
    // REDACT_BENCH_FILE: other lines to measure on (one message a line), to see what a kind of
    // line costs.
    let own = std::env::var("REDACT_BENCH_FILE").ok().map(|f| std::fs::read_to_string(f).expect("REDACT_BENCH_FILE"));
    let corpus = include_str!("../tests/data/redaction_corpus.tsv");
    let lines: Vec<&str> = match &own {
        Some(text) => text.lines().collect(),
        None => corpus
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t').map(|(input, _)| input))
            .collect(),
    };
    // REDACT_BENCH_MB and REDACT_BENCH_RUNS make a short run (under valgrind, say).
    let setting = |name: &str, default: f64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let megabytes = setting("REDACT_BENCH_MB", 8.0);
    let runs = setting("REDACT_BENCH_RUNS", 5.0) as usize;
    let mut text = Vec::new();
    let mut bytes = 0usize;
    while (bytes as f64) < megabytes * 1024.0 * 1024.0 {
        for l in &lines {
            bytes += l.len() + 1;
            text.push(*l);
        }
    }
    let redactor = Redactor::new();
    // Patterns compile on first use: one untimed pass, so each run measures redaction alone (a
    // desk's redactor lives as long as the desk).
    for l in &lines {
        redactor.redact(l);
    }
    println!(
        "redaction, {} messages ({:.1} MB of chat lines, the corpus mix), {runs} runs:",
        text.len(),
        bytes as f64 / 1e6
    );
    for run in 1..=runs {
        let t = Instant::now();
        let out = timed_run(&redactor, &text);
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  run {run}: {:6.1} MB/s  ({:.0} messages/s, {out} bytes out)",
            bytes as f64 / 1e6 / secs,
            text.len() as f64 / secs
        );
    }
}

/// One timed pass, kept out of line so that `valgrind --tool=callgrind
/// --toggle-collect='*timed_run*'` counts redaction alone, without the patterns' compiling.
#[inline(never)]
fn timed_run(redactor: &Redactor, text: &[&str]) -> usize {
    text.iter().map(|l| redactor.redact(l).len()).sum()
}
