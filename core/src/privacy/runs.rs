//! Runs of digits with the separators people type in card and phone numbers ("+1 (555) 123-4567",
//! "2123 4000 1234 56"), found by a byte scan: the number detectors start from them, on every line
//! with seven digits or more, and a pattern's search cost several times the scan there.
//!
//! A run is what the pattern `(?:\+|\b00)?\(?\b\d[\d \-.()/]{5,}\d\b` finds (word edges ASCII's),
//! match for match; the tests hold the scan to the pattern. The ISBN candidates are found the
//! same way ([`isbn_at`]), held to theirs.

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

/// The first ISBN candidate at or after `at` (the text before `at` still tells a word's edge), as
/// the pattern `(?i)\b(?:97[89][- ]?)?\d{1,5}[- ]?\d{1,7}[- ]?\d{1,7}[- ]?[\dX]\b` finds it
/// (ASCII word edges and digits): leftmost, then as the pattern's order prefers, each group as
/// long as it can be and a separator taken where one stands.
pub(super) fn isbn_at(text: &str, at: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    (at..b.len()).find_map(|p| {
        // Every candidate starts with a digit at a word's start.
        if !b[p].is_ascii_digit() || (p > 0 && is_word(b[p - 1])) {
            return None;
        }
        let prefixed = b[p..].starts_with(b"97") && matches!(b.get(p + 2), Some(b'8' | b'9'));
        let after_prefix = [
            (prefixed && matches!(b.get(p + 3), Some(b'-' | b' '))).then_some(p + 4),
            prefixed.then_some(p + 3),
            Some(p),
        ];
        after_prefix.into_iter().flatten().find_map(|q| isbn_groups(b, q, 0)).map(|end| (p, end))
    })
}

/// The longest digit group each of an ISBN candidate's three groups may have.
const ISBN_GROUPS: [usize; 3] = [5, 7, 7];

/// Where an ISBN candidate's groups from group `g` on, starting at `q`, end (the check character
/// and a word's end after them), trying the longest group and a separator first.
fn isbn_groups(b: &[u8], q: usize, g: usize) -> Option<usize> {
    let Some(&longest) = ISBN_GROUPS.get(g) else {
        let last = *b.get(q)?;
        let ends =
            (last.is_ascii_digit() || last == b'X' || last == b'x') && !b.get(q + 1).is_some_and(|&c| is_word(c));
        return ends.then_some(q + 1);
    };
    let run = b[q..].iter().take(longest).take_while(|c| c.is_ascii_digit()).count();
    (1..=run).rev().find_map(|n| {
        let after = q + n;
        let separated = matches!(b.get(after), Some(b'-' | b' '));
        separated.then(|| isbn_groups(b, after + 1, g + 1)).flatten().or_else(|| isbn_groups(b, after, g + 1))
    })
}

/// An ASCII word character, as `(?-u:\b)` tells a word's edge.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use regex::Regex;

    use super::{digit_runs, isbn_at};

    static PATTERN: LazyLock<Regex> =
        LazyLock::new(|| super::super::redact::re(r"(?:\+|\b00)?\(?\b\d[\d \-.()/]{5,}\d\b"));

    /// `check` on every corpus line and on `forms`: what it counted, in all.
    fn on_corpus_and(forms: &[&str], check: fn(&str) -> usize) -> usize {
        super::super::corpus_lines().iter().map(String::as_str).chain(forms.iter().copied()).map(check).sum()
    }

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
        let found = on_corpus_and(&forms, agrees);
        assert!(found > 100, "{found}");
    }

    proptest! {
        #[test]
        fn the_scan_agrees_with_the_pattern_on_any_text(s in "[0-9 +()./_xA-]{0,40}|[0-9 ]{0,12}|\\PC{0,30}") {
            agrees(&s);
        }
    }

    static ISBN: LazyLock<Regex> = LazyLock::new(|| {
        super::super::redact::re(r"(?i)\b(?:97[89][- ]?)?\d{1,5}[- ]?\d{1,7}[- ]?\d{1,7}[- ]?[\dX]\b")
    });

    /// The scan and the pattern find the same candidate from every offset of `text`.
    fn isbn_agrees(text: &str) -> usize {
        let mut found = 0;
        for at in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
            let expected = ISBN.find_at(text, at).map(|m| (m.start(), m.end()));
            assert_eq!(isbn_at(text, at), expected, "{text:?} from {at}");
            found += usize::from(expected.is_some_and(|(s, _)| s == at));
        }
        found
    }

    #[test]
    fn the_isbn_scan_finds_the_candidates_the_pattern_finds() {
        let forms = [
            "ISBN 0-306-40615-2 and 978-0-306-40615-7",
            "isbn-10: 030640615X, 978 0 306 40615 7x",
            "ISBN 13 9780306406157 979-10-90636-07-1",
            "9780306406157123 97 80 12-34-5 1-2-3-4-5",
            "a123456789 _123456789 123456789_ 12345-678-9-X",
            "97- 978-- 9789 1 1 1 1 1-1-1-1 1 2 3 X",
            "123 456 789 0 and 1234567890123456789012345",
        ];
        let found = on_corpus_and(&forms, isbn_agrees);
        assert!(found > 50, "{found}");
    }

    proptest! {
        #[test]
        fn the_isbn_scan_agrees_with_the_pattern_on_any_text(
            s in "[0-9 xX_a-]{0,30}|(97[89][- ]?)?[0-9]{1,6}([- ]?[0-9]{1,8}){0,4}[- ]?[0-9xXa]?|\\PC{0,20}"
        ) {
            isbn_agrees(&s);
        }
    }
}
