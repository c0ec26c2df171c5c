//! Benchmark: how well redaction does on the marked corpora (core/tests/data/redaction/):
//! recall and precision per kind, references and ordinary words kept, recall per language.
//! The development corpora (templated and freehand) are what the redactor is tuned on; the test
//! corpora are held out.
//!
//! Run: `cargo bench -p refdesk-core --bench redact_quality` (add `-- --misses` for the
//! development corpora's misses, line by line). Prints figures only.

use refdesk_core::privacy::quality::{parse, score};
use refdesk_core::privacy::redact::Redactor;

fn main() {
    let show_misses = std::env::args().any(|a| a == "--misses");
    let redactor = Redactor::new();
    for (name, text) in [
        ("development corpus (tuned on)", include_str!("../tests/data/redaction/dev.txt")),
        ("test corpus (held out: never tuned on)", include_str!("../tests/data/redaction/test.txt")),
        ("freehand development corpus (tuned on)", include_str!("../tests/data/redaction/free-dev.txt")),
        ("freehand test corpus (held out: never tuned on)", include_str!("../tests/data/redaction/free-test.txt")),
        (
            "second freehand test corpus (held out: never tuned on)",
            include_str!("../tests/data/redaction/free-test-2.txt"),
        ),
        (
            "third freehand test corpus (held out: never tuned on)",
            include_str!("../tests/data/redaction/free-test-3.txt"),
        ),
    ] {
        let corpus = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = score(&redactor, &corpus);
        println!("{name}:\n{}", report.render());
        if show_misses && !name.contains("held out") {
            for m in &report.misses {
                println!("  {m}");
            }
        }
    }
}
