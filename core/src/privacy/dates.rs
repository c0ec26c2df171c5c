//! Dates of birth: a date after the words that say it is one, in the languages patrons write
//! ("born", "geboren", "né le", "nací el", "doğum tarihim", "född"), in the forms they write it.
//! Other dates stay: opening hours and due dates are reference content.

use std::sync::LazyLock;

use super::keywords::{Group, Mentions};
use super::redact::{Kind, Spans};
use super::valued::Valued;

const CONTEXT: &str = concat!(
    r"born(?:\s+on)?|date\s+of\s+birth|birth\s*date|birthday|d\.?o\.?b\.?|",
    r"geboren(?:\s+op|\s+am)?|geboortedatum|geb\.|geburtsdatum|geburtstag|",
    r"nac[ií]\s+el|nacid[oa]\s+el|fecha\s+de\s+nacimiento|cumpleaños|",
    r"n[ée]e?\s+le|date\s+de\s+naissance|",
    r"do[ğg]um\s+tarih(?:im|i)?|do[ğg]um\s+g[üu]n[üu]m|do[ğg]dum|do[ğg]um|",
    r"f[öo]dd(?:\s+den)?|f[öo]delsedag|f[öo]delsedatum"
);
const MONTH: &str = concat!(
    r"jan(?:uary|uari|uar|vier|\.)?|feb(?:ruary|ruari|ruar|\.)?|f[ée]vrier|m[äa]r(?:ch|z|t|s)?|maart|apr(?:il|\.)?|avril|",
    r"ma(?:y|i|j)|mei|juni?e?|juin|jul(?:y|i)?|juillet|aug(?:ust|ustus)?|ao[ûu]t|sep(?:tember|tembre|\.)?|",
    r"o[ck]t(?:ober|obre|\.)?|nov(?:ember|embre|\.)?|de[cz](?:ember|embre|\.)?|d[ée]cembre|",
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|",
    r"ocak|[şs]ubat|mart|nisan|may[ıi]s|haziran|temmuz|a[ğg]ustos|eyl[üu]l|ekim|kas[ıi]m|aral[ıi]k|",
    r"januari|februari|mars|augusti|oktober|december"
);

// A date as patrons write one: numbers, ISO, a day and a month's name (and a year), or a month's
// name, a day and a year.
fn date() -> String {
    format!(
        r"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}})|(?:\d{{4}}-\d{{2}}-\d{{2}})|(?:\d{{1,2}}(?:st|nd|rd|th|er|e|\.)?\s+(?:de\s+)?(?:{MONTH})\b\.?(?:,?\s+(?:de\s+)?\d{{4}})?)|(?:(?:{MONTH})\b\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    )
}

pub(super) static DOB: LazyLock<Valued> = LazyLock::new(|| {
    Valued::new(
        "(?i)",
        &format!(r"\b(?:{CONTEXT})\s*(?:is|was|es|est|ist|:|=|-)?\s*(?:on|op|am|le|el|the|den)?\s*"),
        &date(),
        "",
    )
});

// German, Dutch, Turkish and Swedish may put the word after the date: "am 7. Juli 1999 geboren".
pub(super) static DOB_BEFORE: LazyLock<Valued> = LazyLock::new(|| {
    Valued::new(
        "(?i)",
        "",
        &format!(r"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}})|(?:\d{{1,2}}\.?\s+(?:{MONTH})\b\.?\s+\d{{4}})"),
        r"(?:['’](?:de|da|te|ta))?\s+(?:geboren|do[ğg]dum|f[öo]dd)\b",
    )
});

/// Takes the dates of birth in `text`.
pub(super) fn find(text: &str, said: Mentions, spans: &mut Spans<'_>, digits: usize) {
    if digits == 0 {
        return;
    }
    // The words the pattern starts from: all in the keyword scan but "né(e) le", which is looked
    // for here (the scan's "ne" would let most lines through).
    let before = said.has(Group::Dob) || born_le(text);
    let after = said.has(Group::BornAfter);
    for (pattern, wanted) in [(&DOB, before), (&DOB_BEFORE, after)] {
        if wanted {
            for (_, (gs, ge)) in pattern.matches(text) {
                spans.take(gs, ge, Some(Kind::Dob));
            }
        }
    }
}

/// Whether `text` holds "né le", "née le", "ne le" or "nee le" (any case, any spaces between):
/// the French words before a birth date that the keyword scan does not hold.
pub(super) fn born_le(text: &str) -> bool {
    let b = text.as_bytes();
    // From each "l" (a vector search: this runs on every line with a digit).
    memchr::memchr2_iter(b'l', b'L', b).any(|l| {
        b.get(l + 1).is_some_and(|e| e.eq_ignore_ascii_case(&b'e')) && {
            // Byte l is ASCII, so a character starts there.
            let before = &text[..l];
            let word = before.trim_end();
            word.len() < before.len()
                && ["ne", "nee", "né", "née"].iter().any(|w| {
                    let cut = word.len().saturating_sub(w.len());
                    word.is_char_boundary(cut) && word[cut..].to_lowercase() == *w
                })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::redact::Redactor;

    fn r(s: &str) -> String {
        Redactor::new().redact(s)
    }

    #[test]
    fn birth_dates_in_the_forms_and_languages_patrons_write() {
        assert_eq!(r("I was born March 3rd, 1998"), "I was born [DOB]");
        assert_eq!(r("ich bin am 7. Juli 1999 geboren"), "ich bin am [DOB] geboren");
        assert_eq!(r("5 Eylül 2002'de doğdum"), "[DOB]'de doğdum");
        assert_eq!(r("geboren am 07.07.1999"), "geboren am [DOB]");
        assert_eq!(r("née le 12 mai 2001"), "née le [DOB]");
        assert_eq!(r("nací el 23 de noviembre de 1997"), "nací el [DOB]");
        assert_eq!(r("doğum tarihim 5 Eylül 2002"), "doğum tarihim [DOB]");
        assert_eq!(r("the class is on 12 May 2025"), "the class is on 12 May 2025");
    }
}
