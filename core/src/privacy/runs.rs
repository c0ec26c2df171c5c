//! Runs of digits with the separators people type in card and phone numbers ("+1 (555) 123-4567",
//! "2123 4000 1234 56"), found by a byte scan: the number detectors start from them, on every line
//! with seven digits or more, and a pattern's search cost several times the scan there.
//!
//! A run is what the pattern `(?:\+|\b00)?\(?\b\d[\d \-.()/]{5,}\d\b` finds (word edges ASCII's),
//! match for match; the tests hold the scan to the pattern.

/// The runs in `text`, left to right, as byte ranges.
pub(super) fn digit_runs(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    let separator = |c: u8| c.is_ascii_digit() || matches!(c, b' ' | b'-' | b'.' | b'(' | b')' | b'/');
    let mut out = Vec::new();
    let mut p = 0;
    while p < b.len() {
        // Where a run starting at `p` has its first digit: after a plus (and a bracket), after a
        // bracket, or at a digit that starts a word. A "00" before a country code needs nothing
        // of its own: a run starting at its first zero is the same run.
        let first = match b[p] {
            b'+' if b.get(p + 1) == Some(&b'(') && digit(p + 2) => Some(p + 2),
            b'+' | b'(' if digit(p + 1) => Some(p + 1),
            c if c.is_ascii_digit() && (p == 0 || !word(p - 1)) => Some(p),
            _ => None,
        };
        // The run ends at its last digit with no word character after it, at least six bytes on
        // from the first digit (the pattern's five separators or digits between).
        let end = first.and_then(|q| {
            let mut r = q + 1;
            while r < b.len() && separator(b[r]) {
                r += 1;
            }
            (q + 6..r).rev().find(|&e| digit(e) && !word(e + 1)).map(|e| e + 1)
        });
        match end {
            Some(e) => {
                out.push((p, e));
                p = e;
            }
            None => p += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use regex::Regex;

    use super::digit_runs;

    static PATTERN: LazyLock<Regex> =
        LazyLock::new(|| super::super::redact::re(r"(?:\+|\b00)?\(?\b\d[\d \-.()/]{5,}\d\b"));

    fn agrees(text: &str) -> usize {
        let expected: Vec<(usize, usize)> = PATTERN.find_iter(text).map(|m| (m.start(), m.end())).collect();
        assert_eq!(digit_runs(text), expected, "{text:?}");
        expected.len()
    }

    #[test]
    fn the_scan_finds_the_runs_the_pattern_finds() {
        let forms = [
            "+1 (555) 123-4567",
            "+(44) 20 7946 0958",
            "0044 20 7946 0958 and 00(44)207946",
            "call 555-0142 or 555 123 4567.",
            "R87 1234567 x12345678y 1234567_",
            "2123 4000 1234 56, 1990-2000, 12/03/1990 10:30",
            "(555)1234567) ((((1234567",
            "12 34 56 78 9a 1234567-",
            "+ 1234567 ++1234567 +x1234567 _1234567",
        ];
        let mut found = 0;
        for line in super::super::corpus_lines().iter().map(String::as_str).chain(forms) {
            found += agrees(line);
        }
        assert!(found > 100, "{found}");
    }

    proptest! {
        #[test]
        fn the_scan_agrees_with_the_pattern_on_any_text(s in "[0-9 +()./_xA-]{0,40}|[0-9 ]{0,12}|\\PC{0,30}") {
            agrees(&s);
        }
    }
}
