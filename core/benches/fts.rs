//! Benchmark: transcript search (FTS5) over a million generated transcript lines: query latency
//! p50/p95 for common, rare, two-word, filtered and missing words, as the History view and
//! `refdeskctl search` run them. Target (issue #6): p95 ≤ 50 ms.
//!
//! Run: `cargo bench -p refdesk-core --bench fts` (set FTS_LINES for another size). Prints figures
//! only; no pass/fail on time. The database is built once in a temporary directory (about a minute).

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use refdesk_core::store::{NewTranscript, Speaker, Store, TranscriptFilter};

/// Words of reference chats, most common first: picked with a Zipf-like skew, as real chat is.
const WORDS: &[&str] = &[
    "the",
    "a",
    "i",
    "you",
    "to",
    "is",
    "for",
    "book",
    "can",
    "library",
    "do",
    "have",
    "my",
    "it",
    "on",
    "in",
    "open",
    "how",
    "find",
    "renew",
    "thanks",
    "article",
    "card",
    "help",
    "today",
    "loan",
    "where",
    "catalogue",
    "hours",
    "print",
    "room",
    "study",
    "journal",
    "database",
    "access",
    "login",
    "password",
    "citation",
    "apa",
    "mla",
    "reserve",
    "course",
    "hold",
    "due",
    "fine",
    "interlibrary",
    "scan",
    "wifi",
    "laptop",
    "thesis",
    "archive",
    "newspaper",
    "map",
    "census",
    "genealogy",
    "microfiche",
    "patent",
    "standard",
    "dissertation",
    "manuscript",
    "periodical",
    "atlas",
];

/// A small, fast, reproducible generator (xorshift): the same database every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// An index below `n`, small ones much more often (roughly 1/rank).
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        (((n as f64 + 1.0).powf(u) - 1.0) as usize).min(n - 1)
    }
}

fn main() {
    let lines_wanted: usize = std::env::var("FTS_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("refdesk.db");
    let store = Store::open(&path).expect("a store");
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let t0 = Utc.with_ymd_and_hms(2025, 1, 6, 9, 0, 0).unwrap();
    let tags = ["", "citation", "catalogue", "ill", "printing", "access"];
    let librarians = ["Anna", "Maria", "Joost", "Sam"];

    let built = Instant::now();
    let mut lines = 0usize;
    let mut chat = 0i64;
    while lines < lines_wanted {
        store
            .atomically(|s| {
                for _ in 0..500 {
                    chat += 1;
                    let start = t0 + chrono::Duration::minutes(chat * 7);
                    let n = 4 + rng.skewed(20);
                    let mut body = Vec::with_capacity(n);
                    for i in 0..n {
                        let words = 3 + (rng.next() % 14) as usize;
                        let text: Vec<&str> = (0..words).map(|_| WORDS[rng.skewed(WORDS.len())]).collect();
                        let speaker = if i % 2 == 0 { Speaker::Patron } else { Speaker::Librarian };
                        body.push((start + chrono::Duration::seconds(i as i64 * 40), speaker, text.join(" ")));
                    }
                    lines += n;
                    // A walk-up for every third chat, with a short topic.
                    if chat % 3 == 0 {
                        let topic: Vec<&str> = (0..3).map(|_| WORDS[rng.skewed(WORDS.len())]).collect();
                        let w = s.start_walkup(Some(&topic.join(" ")), librarians[(chat % 4) as usize], start)?;
                        s.end_walkup(start + chrono::Duration::minutes(4))?;
                        s.rate_walkup(w.id, Some(2), &[])?;
                    }
                    let patron = format!("patron-{:04}", rng.next() % 5000);
                    let peer = format!("p{chat}@x");
                    let tag = tags[rng.skewed(tags.len())];
                    let tag: Vec<String> = (!tag.is_empty()).then(|| tag.to_owned()).into_iter().collect();
                    s.rate_conversation("ask@library.example", &peer, Some(1 + (rng.next() % 6) as u8), &tag)?;
                    s.write_transcript(&NewTranscript {
                        account: "ask@library.example",
                        peer: &peer,
                        patron: &patron,
                        reason: "closed",
                        // Kim answers one chat in 200: a narrow filter, just past what is searched one by one.
                        librarian: if rng.next().is_multiple_of(200) {
                            "Kim"
                        } else {
                            librarians[(rng.next() % 4) as usize]
                        },
                        lines: body,
                        upto: chat,
                        closed_at: start + chrono::Duration::minutes(10),
                    })?;
                }
                Ok(())
            })
            .expect("writing transcripts");
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "transcript search over {lines} lines in {chat} transcripts and {} walk-ups (database {:.0} MB, built in {:.0} s)",
        chat / 3,
        size as f64 / 1e6,
        built.elapsed().as_secs_f64()
    );
    println!("{:<44} {:>8} {:>8} {:>8}", "query (newest 100 hits)", "hits", "p50 ms", "p95 ms");

    let year = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
    let cases: Vec<(&str, &str, TranscriptFilter)> = vec![
        ("a very common word", "book", TranscriptFilter::default()),
        ("a middling word", "citation", TranscriptFilter::default()),
        ("a rare word", "atlas", TranscriptFilter::default()),
        ("two words", "interlibrary loan", TranscriptFilter::default()),
        ("two rare words", "manuscript atlas", TranscriptFilter::default()),
        (
            "common word, one librarian, one year",
            "renew",
            TranscriptFilter {
                librarian: Some("anna".into()),
                ended_from: Some(year(2026)),
                ended_before: Some(year(2027)),
                ..Default::default()
            },
        ),
        (
            "common word, one topic tag",
            "book",
            TranscriptFilter { tag: Some("catalogue".into()), ..Default::default() },
        ),
        (
            "common word, a librarian with few chats",
            "book",
            TranscriptFilter { librarian: Some("kim".into()), ..Default::default() },
        ),
        (
            "rare word, a librarian with few chats",
            "atlas",
            TranscriptFilter { librarian: Some("kim".into()), ..Default::default() },
        ),
        (
            "common word, walk-ups only",
            "book",
            TranscriptFilter { medium: Some(refdesk_core::api::Medium::Walkup), ..Default::default() },
        ),
        ("a word nobody wrote", "zeppelin", TranscriptFilter::default()),
        // The worst case: every match is looked at and none passes the filter.
        (
            "common word, a librarian with no chats",
            "book",
            TranscriptFilter { librarian: Some("nobody".into()), ..Default::default() },
        ),
    ];
    for (what, query, filter) in cases {
        let mut times: Vec<Duration> = Vec::new();
        let mut hits = 0;
        for _ in 0..41 {
            let t = Instant::now();
            hits = store.search_transcripts(query, &filter, 100).expect("a search").len();
            times.push(t.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{:<44} {:>8} {:>8.1} {:>8.1}",
            format!("{what}: {query:?}"),
            hits,
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100])
        );
    }
}
