//! Street addresses and postcodes in the forms French, German, British and Turkish patrons write
//! them (the English, Dutch and Spanish street forms are in `redact`): a postcode counts only next
//! to an address or before a town's name, so a five-digit number alone stays.

use std::sync::LazyLock;

use regex::Regex;

use super::keywords::{Group, Mentions};
use super::redact::{re, Kind, Spans};

// "12 rue de la Paix", "27 bis boulevard Voltaire", "5, place du Marché".
static STREET_FR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b\d{1,4}(?:\s?(?:bis|ter|[a-d]))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|pl\.|all[ée]e|chemin|impasse|quai|cours|route|square|passage|rond-point|faubourg)\s+(?:(?:de\s+la|de\s+l'|du|des|de|d')\s*)?\p{Lu}[\p{L}'’.-]*(?:\s+(?:(?:de\s+la|de\s+l'|du|des|de|d'|et|la|le|les)\s*)?\p{Lu}[\p{L}'’.-]*){0,3}",
    )
});
// "Hauptstraße 5", "Goethestr. 41", "Lindenallee 12a", "Am Markt 3", "An der Alster 7"; and the
// Swedish "Storgatan 1", "Kungsvägen 12", which have the same shape.
static STREET_DE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:\p{Lu}[\p{Ll}äöüß-]*(?:stra(?:ß|ss)e|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad|markt|gatan|vägen|gränd|torget)|(?:Am|An\s+der|An\s+den|Im|In\s+der|Auf\s+dem|Zum|Zur|Unter\s+den)\s+\p{Lu}[\p{Ll}äöüß-]+)\s+\d{1,4}\s?[a-z]?\b",
    )
});
// "221B Baker Street" (a letter after the number), "Flat 2, 37 Victoria Avenue".
static STREET_UK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?:Flat|Apartment|Apt|Unit)\s+\d{1,4}[A-Za-z]?,?\s+)?\d{1,5}[A-Za-z]?\s+(?:\p{Lu}[\p{L}'’-]*\s+){1,3}(?:Street|St|Road|Rd|Lane|Avenue|Ave|Close|Crescent|Gardens|Grove|Mews|Row|Square|Terrace|Walk|Way|Hill|Park|Place|Drive|Court)\b\.?",
    )
});
// "Atatürk Cad. No: 15", "Bağdat Caddesi No 210 D:4", "İnönü Sokak 7".
static STREET_TR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[^\p{L}\p{N}])(\p{Lu}[\p{L}]*(?:\s+\p{Lu}[\p{L}]*)?\s+(?:Cad\.|Caddesi|Cd\.|Sok\.|Sokak|Sokağı|Sk\.|Bulvarı|Blv\.|Mah\.|Mahallesi)\s*(?:No\s*:?\s*\d{1,4}|\d{1,4})?(?:\s*[/,]?\s*(?:D|Daire|Kat)\s*:?\s*\d{1,3}){0,2})",
    )
});
// UK postcodes: "NW1 6XE", "EH3 9AB", "SW1A 2AA".
static POSTCODE_UK: LazyLock<Regex> = LazyLock::new(|| re(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"));
// Five-digit postcodes (France, Germany, Spain, Turkey…) before a town's name.
// Five digits before a town, or three and two (Sweden's "111 22 Stockholm").
static POSTCODE_TOWN: LazyLock<Regex> = LazyLock::new(|| re(r"\b(\d{5}|\d{3} \d{2})\s+\p{Lu}[\p{L}-]+"));
static POSTCODE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:post\s?code|postcode|postal\s+code|zip(?:\s*code)?|code\s+postal|c[óo]digo\s+postal|postleitzahl|plz|posta\s+kodu)\b\s*(?:is|es|est|ist)?\s*:?\s*([A-Z0-9]{3,4}\s?[A-Z0-9]{2,3})",
    )
});

/// Whether a number, perhaps with a letter after it, stands before a space and a capital
/// somewhere in `text` ("221B Baker", "12 N Main"): what an English or British street address
/// starts with. A byte scan, asked before those patterns run: their words ("St", "Way", "Park")
/// are in many lines, a house number before a capitalised name in few. Any byte beyond ASCII
/// after the number counts (it may be a space or a capital of another script).
pub(super) fn number_then_capital(text: &str) -> bool {
    let bytes = text.as_bytes();
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    (0..bytes.len()).filter(|&i| bytes[i].is_ascii_digit()).any(|i| {
        let mut j = i + 1;
        if bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
            j += 1;
        }
        let spaces = j;
        while bytes.get(j).is_some_and(space) {
            j += 1;
        }
        bytes.get(j).is_some_and(|&b| b >= 0x80 || b.is_ascii_uppercase() && j > spaces)
    })
}

/// Whether `text` has a capital before a digit and a digit before two capitals ("NW1 6XE"), as
/// a British postcode does: asked before its pattern runs.
fn uk_postcode_shape(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(2).any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_digit())
        && b.windows(3).any(|w| w[0].is_ascii_digit() && w[1].is_ascii_uppercase() && w[2].is_ascii_uppercase())
}

/// Takes the streets and postcodes in `text` (`said`: which words it holds).
pub(super) fn find(text: &str, said: Mentions, spans: &mut Spans<'_>, digits: usize) {
    if digits == 0 {
        return;
    }
    for (street, group) in [(&STREET_FR, Group::StreetFr), (&STREET_DE, Group::StreetDe), (&STREET_UK, Group::StreetUk)]
    {
        let wanted = said.has(group) && (group != Group::StreetUk || number_then_capital(text));
        if wanted {
            for m in street.find_iter(text) {
                spans.take_up_to_taken(m.start(), m.end(), Kind::Address);
            }
        }
    }
    if said.has(Group::StreetTr) {
        for c in STREET_TR.captures_iter(text) {
            if let Some(g) = c.get(1) {
                spans.take_up_to_taken(g.start(), g.end(), Kind::Address);
            }
        }
    }
    let postcode_word = said.has(Group::Postcode);
    if postcode_word {
        for c in POSTCODE_WORD.captures_iter(text) {
            if let Some(g) = c.get(1).filter(|g| g.as_str().chars().any(|c| c.is_ascii_digit())) {
                spans.take(g.start(), g.end(), Some(Kind::Address));
            }
        }
    }
    let uk_shape = said.bytes().has_capital() && uk_postcode_shape(text);
    if uk_shape {
        for m in POSTCODE_UK.find_iter(text) {
            spans.take(m.start(), m.end(), Some(Kind::Address));
        }
    }
    // A postcode before a town counts only after an address: none taken, none to look for.
    if spans.has_address() {
        for c in POSTCODE_TOWN.captures_iter(text) {
            let Some(g) = c.get(1) else { continue };
            // Near an address (a town after it), not a year or an amount.
            if spans.address_before(g.start()) {
                spans.take(g.start(), g.end(), Some(Kind::Address));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::redact::{Redactor, STREET_EN};
    use super::{number_then_capital, uk_postcode_shape, POSTCODE_UK, STREET_UK};

    /// Wherever an English or British street pattern matches, the byte scan that guards them says
    /// it may: on every corpus line, in the forms of the tests, and on any text.
    fn guarded(text: &str) -> bool {
        let matched = STREET_EN.is_match(text) || STREET_UK.is_match(text);
        assert!(!matched || number_then_capital(text), "{text:?}");
        assert!(!POSTCODE_UK.is_match(text) || uk_postcode_shape(text), "{text:?}");
        matched || POSTCODE_UK.is_match(text)
    }

    #[test]
    fn the_street_patterns_run_only_where_a_number_comes_before_a_capital() {
        let extra = [
            "221B Baker Street",
            "12 N. Main St",
            "7\u{a0}Élysée Way",
            "5\tHigh St",
            "Flat 2, 37 Victoria Avenue",
            "EH3 9AB",
            "SW1A 2AA",
        ];
        let lines = super::super::corpus_lines();
        let matched = lines.iter().map(String::as_str).chain(extra).filter(|l| guarded(l)).count();
        assert!(matched > 20, "{matched}");
        assert!(!number_then_capital("12 main st, 3rd Floor, flat 2b") && number_then_capital("x 9 Ö"));
    }

    proptest! {
        #[test]
        fn the_street_guard_holds_on_any_text(s in "([0-9]{1,3}[A-Za-z]?[ \t\u{a0}\u{2003}]{0,2}(N\\. )?[A-ZÖa-z][a-z]{0,6} (Street|St|Way|Park|Road|x) ?){1,3}|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}|\\PC{0,30}") {
            guarded(&s);
        }
    }

    fn r(s: &str) -> String {
        Redactor::new().redact(s)
    }

    #[test]
    fn streets_and_postcodes_in_each_country_s_form() {
        assert_eq!(r("j'habite 12 rue de la Paix, 75002 Paris"), "j'habite [ADDRESS], [ADDRESS] Paris");
        assert_eq!(r("Hauptstraße 5, 10115 Berlin"), "[ADDRESS], [ADDRESS] Berlin");
        assert_eq!(r("wohne Am Markt 3"), "wohne [ADDRESS]");
        assert_eq!(r("I live at 221B Baker Street, London NW1 6XE"), "I live at [ADDRESS], London [ADDRESS]");
        assert_eq!(r("adresim Atatürk Cad. No: 15"), "adresim [ADDRESS]");
        assert_eq!(r("jag bor på Storgatan 1, 111 22 Stockholm"), "jag bor på [ADDRESS], [ADDRESS] Stockholm");
        // A five-digit number with no address before it stays.
        assert_eq!(r("we had 12000 visitors in Paris"), "we had 12000 visitors in Paris");
    }
}
