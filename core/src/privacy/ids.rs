//! Account and identity numbers told by their own form and check digits, with or without a word
//! before them: IBANs (mod 97), the UK National Insurance number, the Dutch BSN (eleven-test), the
//! French INSEE number (its key), the Turkish identity number and student numbers. (A library
//! card's 14-digit barcode is told by `redact`'s number classes.)

use std::cell::LazyCell;
use std::sync::LazyLock;

use regex::Regex;

use super::keywords::{Group, Mentions};
use super::redact::{re, Kind, Spans};
use super::valued::Valued;

// Typed in capitals or not ("de59 4082 …"): the check digits tell it either way.
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b"));
static NINO: LazyLock<Regex> = LazyLock::new(|| {
    // The prefix letters HMRC uses, and QQ, the number its forms print as the example.
    re(r"\b[A-CEGHJ-TW-Z][A-CEGHJ-NP-TW-Z][ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D]\b")
});
// Thirteen digits and a two-digit key, as printed (spaced) or run together; Corsica's 2A and 2B.
static INSEE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b[12][ ]?\d{2}[ ]?(?:0[1-9]|1[0-2]|[2-9]\d)[ ]?(?:\d{2}|2A|2B)[ ]?\d{3}[ ]?\d{3}[ ]?\d{2}\b")
});
static NINE_TO_ELEVEN: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{9}(?:\d{2})?\b"));
// Student numbers as universities form them: a letter and seven digits ("s1234567").
static STUDENT_SHAPE: LazyLock<Regex> = LazyLock::new(|| re(r"\b[sSuUpP]\d{7}\b"));
pub(super) static STUDENT_CONTEXT: LazyLock<Valued> = LazyLock::new(|| {
    Valued::new(
        "(?i)",
        r"(?:^|[^\p{L}\p{N}])(?:student\s*(?:id|number|no\.?|nr\.?|#|num)|studentnummer|studentnr\.?|studentennummer|matrikel(?:nummer|nr\.?)?|matr\.?\s*nr\.?|matric(?:ulation)?(?:\s*(?:no\.?|number|#))?|n(?:°|º|o)?\.?\s*(?:d'?)?[ée]tudiant|num[ée]ro\s+(?:d'?)?[ée]tudiant|n[uú]mero\s+de\s+(?:estudiante|alumno|matr[ií]cula)|[öo][ğg]renci\s+(?:numaras[ıi]|numaram|no)|studentnummer|student)[\s:#.=-]*(?:is\s+|es\s+|est\s+|ist\s+|lautet\s+)?",
        r"[A-Za-z]?\d{4,10}(?:/\d{3,6})?",
        "",
    )
});
static BSN_CONTEXT: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b(?:bsn|burgerservicenummer|sofi-?nummer)\b"));

// A catalogue's own numbers, kept: an LCCN ("2001012345", "sn 85-012345"), an OCLC or record number.
pub(super) static REFERENCE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:lccn|lc\s+control\s+(?:number|no\.?)|control\s+(?:number|no\.?)|oclc(?:\s+(?:number|no\.?|#))?|ocn|ppn|(?:bib(?:liographic)?|catalog(?:ue)?)\s+(?:record|number|no\.?)|record\s+(?:number|no\.?|#)|record|recordnummer|titelnummer|n[uú]mero\s+de\s+registro|num[ée]ro\s+de\s+notice|kayıt\s+no)\s*(?:is|es|est|ist)?\s*[:#]?\s*((?:[a-z]{1,3}\s?)?\d{2,4}-?\d{6}|\d{6,12})\b",
    )
});

/// Marks a catalogue's own numbers as kept, before anything takes them for a phone or an id.
pub(super) fn keep_references(text: &str, said: Mentions, spans: &mut Spans<'_>, digits: usize) {
    if digits < 6 || !said.has(Group::RefNumber) {
        return;
    }
    for c in REFERENCE_NUMBER.captures_iter(text) {
        if let Some(g) = c.get(1) {
            spans.take(g.start(), g.end(), None);
        }
    }
}

/// Takes the identity and account numbers in `text`; `digits` is how many digits it has, `run`
/// the most in a row.
pub(super) fn find(text: &str, said: Mentions, spans: &mut Spans<'_>, digits: usize, run: usize) {
    if digits < 4 {
        return;
    }
    let student = said.has(Group::Student);
    if student {
        for (_, (gs, ge)) in STUDENT_CONTEXT.matches(text) {
            spans.take(gs, ge, Some(Kind::Id));
        }
    }
    let b = text.as_bytes();
    // Cheap scans of the bytes decide whether the shape patterns can match at all.
    let letter_then_digits = |n: usize, letter: fn(u8) -> bool| {
        b.windows(n + 1).any(|w| letter(w[0]) && w[1..].iter().all(u8::is_ascii_digit))
    };
    if run >= 7 && letter_then_digits(7, |c| matches!(c, b's' | b'S' | b'u' | b'U' | b'p' | b'P')) {
        for m in STUDENT_SHAPE.find_iter(text) {
            spans.take(m.start(), m.end(), Some(Kind::Id));
        }
    }
    if digits >= 6
        && said.bytes().has_capital()
        && b.windows(3)
            .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase() && (w[2] == b' ' || w[2].is_ascii_digit()))
    {
        for m in NINO.find_iter(text) {
            spans.take(m.start(), m.end(), Some(Kind::Id));
        }
    }
    if digits >= 10 && iban_shape(text) {
        for m in IBAN.find_iter(text) {
            if let Some(len) = valid_iban_len(m.as_str()) {
                spans.take(m.start(), m.start() + len, Some(Kind::Id));
            }
        }
    }
    if digits >= 15 {
        for m in INSEE.find_iter(text) {
            if insee_valid(m.as_str()) {
                spans.take(m.start(), m.end(), Some(Kind::Id));
            }
        }
    }
    if run >= 9 && digit_run_of(text, 9, 11) {
        // Asked only when a nine-digit number is there to tell.
        let bsn_said = LazyCell::new(|| BSN_CONTEXT.is_match(text));
        for m in NINE_TO_ELEVEN.find_iter(text) {
            let n = m.as_str();
            let id = (n.len() == 9 && (*bsn_said || eleven_test(n))) || (n.len() == 11 && tc_kimlik_valid(n));
            // A bare nine-digit number passing the eleven-test by chance (one in eleven: a Spanish
            // mobile written without spaces, say) is redacted as an id rather than a phone.
            if id {
                spans.take(m.start(), m.end(), Some(Kind::Id));
            }
        }
    }
}

/// Whether two letters stand before two digits somewhere in `text` ("DE89", "nl91"), as an IBAN
/// starts: asked before its pattern runs. A byte beyond ASCII may be a letter the pattern's case
/// folding takes for one ("K", the Kelvin sign).
fn iban_shape(text: &str) -> bool {
    let letter = |b: u8| b.is_ascii_alphabetic() || b >= 0x80;
    text.as_bytes().windows(4).any(|w| letter(w[0]) && letter(w[1]) && w[2].is_ascii_digit() && w[3].is_ascii_digit())
}

/// Whether `text` holds a run of exactly `a` or `b` ASCII digits (no digit on either side).
fn digit_run_of(text: &str, a: usize, b: usize) -> bool {
    let mut run = 0;
    for c in text.bytes().chain([b' ']) {
        if c.is_ascii_digit() {
            run += 1;
        } else {
            if run == a || run == b {
                return true;
            }
            run = 0;
        }
    }
    false
}

/// How much of `s` (an IBAN's shape) is a valid IBAN: all of it, or all but the groups after
/// its last spaces, which may be a word that only looks like a group ("… 4940 online").
fn valid_iban_len(s: &str) -> Option<usize> {
    let mut len = s.len();
    loop {
        if iban_valid(&s[..len]) {
            return Some(len);
        }
        len = s[..len].rfind(' ').filter(|&i| i >= 8)?;
    }
}

/// An IBAN's check: the country and check digits moved to the end, read as a number, mod 97 is 1.
pub(super) fn iban_valid(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let Some(v) = c.to_digit(36) else { return false };
        rem = if v < 10 { (rem * 10 + v) % 97 } else { (rem * 100 + v) % 97 };
    }
    rem == 1
}

/// The Dutch eleven-test of a BSN: 9·d1 + 8·d2 + … + 2·d8 − d9 divisible by 11.
pub(super) fn eleven_test(s: &str) -> bool {
    let d: Vec<i64> = s.chars().filter_map(|c| c.to_digit(10)).map(i64::from).collect();
    if d.len() != 9 || d.iter().all(|x| *x == 0) {
        return false;
    }
    let sum: i64 = d[..8].iter().zip((2..=9).rev()).map(|(x, w)| x * w).sum::<i64>() - d[8];
    sum % 11 == 0
}

/// The French social security number's key: 97 minus the 13-digit number mod 97 (Corsica's 2A
/// and 2B read as 19 and 18).
pub(super) fn insee_valid(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != 15 {
        return false;
    }
    let (body, key) = compact.split_at(13);
    let body = body.replace("2A", "19").replace("2B", "18");
    match (body.parse::<u64>(), key.parse::<u64>()) {
        (Ok(n), Ok(k)) => 97 - n % 97 == k,
        _ => false,
    }
}

/// The Turkish identity number's two check digits.
pub(super) fn tc_kimlik_valid(s: &str) -> bool {
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    let odd = d[0] + d[2] + d[4] + d[6] + d[8];
    let even = d[1] + d[3] + d[5] + d[7];
    let tenth = (odd * 7 + 10 * 9 - even) % 10;
    tenth == d[9] && (d[..10].iter().sum::<u32>()) % 10 == d[10]
}

#[cfg(test)]
mod tests {
    use super::super::redact::Redactor;
    use super::*;

    /// Wherever the IBAN and nine-or-eleven-digit patterns match, the byte tests guarding them
    /// say they may: on every corpus line, the tests' forms and any text.
    fn guarded(text: &str) -> bool {
        let iban = IBAN.is_match(text);
        let nine = NINE_TO_ELEVEN.is_match(text);
        assert!(!iban || iban_shape(text), "IBAN in {text:?}");
        assert!(!nine || digit_run_of(text, 9, 11), "nine or eleven digits in {text:?}");
        iban || nine
    }

    #[test]
    fn the_iban_and_digit_run_patterns_run_only_where_their_shape_is() {
        let extra = [
            "NL91 ABNA 0417 1643 00",
            "de89370400440532013000",
            "\u{212a}E12 3456 7890 12",
            "123456789",
            "12345678901",
        ];
        let lines = crate::privacy::corpus_lines();
        let matched = lines.iter().map(String::as_str).chain(extra).filter(|l| guarded(l)).count();
        assert!(matched > 20, "{matched}");
        assert!(!digit_run_of("1234567890", 9, 11) && digit_run_of("x123456789", 9, 11));
    }

    proptest::proptest! {
        #[test]
        fn the_id_guards_hold_on_any_text(s in "([A-Za-z]{0,2}[0-9]{1,12} ?[A-Z0-9]{0,4} ?){1,4}|\\PC{0,30}") {
            guarded(&s);
        }
    }

    #[test]
    fn check_digits_are_checked() {
        assert!(iban_valid("NL91 ABNA 0417 1643 00"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("DE89370400440532013001"));
        assert!(eleven_test("111222333") && eleven_test("123456782"));
        assert!(!eleven_test("123456789"));
        assert!(insee_valid("1 85 05 78 006 084 91"), "key 97 - (1850578006084 mod 97)");
        assert!(!insee_valid("1 85 05 78 006 084 36"));
        assert!(tc_kimlik_valid("10000000146"));
        assert!(!tc_kimlik_valid("10000000147"));
    }

    #[test]
    fn identity_numbers_with_or_without_a_word_before_them() {
        let r = |s: &str| Redactor::new().redact(s);
        assert_eq!(r("refund to NL91 ABNA 0417 1643 00 please"), "refund to [ID] please");
        assert_eq!(r("my NI number is QQ 12 34 56 C"), "my NI number is [ID]");
        assert_eq!(r("BSN 123456782"), "BSN [ID]");
        assert_eq!(r("numéro 1 85 05 78 006 084 91"), "numéro [ID]");
        assert_eq!(r("kimlik 10000000146"), "kimlik [ID]");
        assert_eq!(r("Matrikelnummer 4567123"), "Matrikelnummer [ID]");
        assert_eq!(r("s2345678 here"), "[ID] here");
        assert_eq!(r("21234000567890 is my card"), "[CARD] is my card");
        // What stays: an ISBN, an OCLC number with no word for a person before it.
        assert_eq!(r("ISBN 9780306406157"), "ISBN 9780306406157");
    }
}
