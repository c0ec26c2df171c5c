//! The redaction corpus (tests/data/redaction_corpus.tsv): precision and recall per type, with floors.
//!
//! A placeholder of the right type where the corpus expects one is a hit; one too many is a false
//! alarm; one missing is a miss. Any other difference in a line (text cut that should stay) counts
//! as a false alarm of the type that replaced it.

use std::collections::BTreeMap;

use refdesk_core::privacy::quality::{parse, score, Report};
use refdesk_core::privacy::redact::{Kind, Redactor};

fn count(text: &str, kind: Kind) -> usize {
    text.matches(kind.placeholder()).count()
}

#[test]
fn the_corpus_is_redacted_above_the_floors() {
    let corpus = include_str!("data/redaction_corpus.tsv");
    let redactor = Redactor::new();
    let mut score: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new(); // hits, false alarms, misses
    let mut lines = 0;
    let mut wrong = Vec::new();
    for line in corpus.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let (input, expected) = line.split_once('\t').unwrap_or_else(|| panic!("no tab in {line:?}"));
        let expected = if expected == "=" { input } else { expected };
        lines += 1;
        let got = redactor.redact(input);
        for kind in Kind::ALL {
            let (want, have) = (count(expected, kind), count(&got, kind));
            let e = score.entry(kind.label()).or_default();
            e.0 += want.min(have);
            e.1 += have.saturating_sub(want);
            e.2 += want.saturating_sub(have);
        }
        if got != expected {
            wrong.push(format!("  {input:?}\n    want {expected:?}\n    got  {got:?}"));
        }
    }
    assert!(lines >= 150, "the corpus has {lines} lines");

    let mut report = String::new();
    let (mut hits, mut alarms, mut misses) = (0, 0, 0);
    for (label, (h, a, m)) in &score {
        if h + a + m == 0 {
            continue; // a kind this corpus has no case of
        }
        let p = *h as f64 / (*h + *a).max(1) as f64;
        let r = *h as f64 / (*h + *m).max(1) as f64;
        report.push_str(&format!("{label:12} precision {p:.2} recall {r:.2}  ({h} found, {a} false, {m} missed)\n"));
        (hits, alarms, misses) = (hits + h, alarms + a, misses + m);
        assert!(p >= 0.85 && r >= 0.80, "{label} under its floor:\n{report}\n{}", wrong.join("\n"));
    }
    let precision = hits as f64 / (hits + alarms) as f64;
    let recall = hits as f64 / (hits + misses) as f64;
    println!(
        "{lines} lines\n{report}overall precision {precision:.3} recall {recall:.3}\nlines that differ:\n{}",
        wrong.join("\n")
    );
    assert!(precision >= 0.95 && recall >= 0.92, "overall {precision:.3}/{recall:.3}\n{report}\n{}", wrong.join("\n"));
    assert!(wrong.len() * 100 <= lines * 5, "{} of {lines} lines differ:\n{}", wrong.len(), wrong.join("\n"));
}

/// A marked corpus's figures, held to its floors: recall and precision overall, names' recall and
/// precision, references and ordinary words kept.
fn assert_floors(text: &str, min_lines: usize, overall_floor: f64, names_floor: (f64, f64), kept_floor: f64) -> Report {
    let corpus = parse(text).unwrap();
    assert!(corpus.len() >= min_lines, "{} lines", corpus.len());
    let report = score(&Redactor::new(), &corpus);
    let overall = report.overall();
    let names = report.by_kind[&Kind::Name];
    let why = format!("{}\n{}", report.render(), report.misses.join("\n"));
    assert!(overall.recall() >= overall_floor && overall.precision() >= overall_floor, "{why}");
    assert!(names.recall() >= names_floor.0 && names.precision() >= names_floor.1, "{why}");
    assert!(report.kept() >= kept_floor && report.words_kept() >= 0.98, "{why}");
    report
}

/// The development corpus (core/tests/data/redaction/dev.txt), six languages: the floors the
/// redactor is held to. The held-out test corpus is only measured (the redact_quality bench).
#[test]
fn the_development_corpus_is_redacted_above_the_floors() {
    let report = assert_floors(include_str!("data/redaction/dev.txt"), 800, 0.97, (0.95, 0.95), 0.98);
    for (kind, c) in &report.by_kind {
        assert!(c.details == 0 || c.recall() >= 0.85, "{} recall {:.3}\n{}", kind.label(), c.recall(), report.render());
    }
}

/// The freehand development corpus (data/redaction/free-dev.txt): chat as typed, not from
/// templates (lower-case names, relatives, PINs, kisses after a sign-off). Its floors are lower
/// than the templated corpus's: its lines are harder (names with no context at all).
#[test]
fn the_freehand_development_corpus_is_redacted_above_the_floors() {
    assert_floors(include_str!("data/redaction/free-dev.txt"), 750, 0.97, (0.96, 0.96), 0.98);
}
