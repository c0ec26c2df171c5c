//! Benchmark: redaction throughput on one core, over the corpus lines repeated to a few megabytes.
//!
//! Run: `cargo bench -p refdesk-core --bench redact`. Prints figures only; no pass/fail on time.

use std::time::Instant;

use refdesk_core::privacy::redact::Redactor;

fn main() {
    let corpus = include_str!("../tests/data/redaction_corpus.tsv");
    let lines: Vec<&str> = corpus
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t').map(|(input, _)| input))
        .collect();
    let mut text = Vec::new();
    let mut bytes = 0usize;
    while bytes < 8 * 1024 * 1024 {
        for l in &lines {
            bytes += l.len() + 1;
            text.push(*l);
        }
    }
    let redactor = Redactor::new();
    println!(
        "redaction, {} messages ({:.1} MB of chat lines, the corpus mix), 5 runs:",
        text.len(),
        bytes as f64 / 1e6
    );
    for run in 1..=5 {
        let t = Instant::now();
        let mut out = 0usize;
        for l in &text {
            out += redactor.redact(l).len();
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  run {run}: {:6.1} MB/s  ({:.0} messages/s, {out} bytes out)",
            bytes as f64 / 1e6 / secs,
            text.len() as f64 / secs
        );
    }
}
