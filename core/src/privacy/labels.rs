//! The words and shapes that say a number is a reference and not a patron's: a label right
//! before it ("order", "call number", "PO", "Aktenzeichen"), and a book's own barcode.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

/// What a patron calls the copy a barcode is on ("the book's barcode", "boek met barcode").
pub(super) const ITEM_WORDS: &[&str] = &[
    "book",
    "item",
    "copy",
    "boek",
    "exemplaar",
    "libro",
    "ejemplar",
    "livre",
    "exemplaire",
    "buch",
    "medien",
    "kitab",
    "bok",
];

/// The words that label a reference number, in small letters.
const LABELS: &[&str] = &[
    "order",
    "ticket",
    "receipt",
    "invoice",
    "ref",
    "reference",
    "request",
    "booking",
    "confirmation",
    "case",
    "transaction",
    "tracking",
    "accession",
    "reel",
    "catalog",
    "catalogue",
    "shelfmark",
    "bestelling",
    "bestelnummer",
    "pedido",
    "commande",
    "bestellung",
    "bestellnummer",
    "sipariş",
    "factuur",
    "factura",
    "facture",
    "rechnung",
    "aanvraag",
    "aanvraagnummer",
    "solicitud",
    // An archive's, a court's or an office's own numbers.
    "inventory",
    "inventaris",
    "inventario",
    "inventaire",
    "inventar",
    "report",
    "dossier",
    "file",
    "kenmerk",
    "zaaknummer",
    "expediente",
    "référence",
    "referencia",
    "referentie",
    "referenz",
    "aktenzeichen",
    // A purchase order, a serial's or a record's own number, and the words for a shelf's.
    "po",
    "issn",
    "lccn",
    "oclc",
    "spine",
    "shelf",
    "signatur",
    "signatuur",
    "signatura",
    "cote",
    "plaatsnummer",
];

/// The labels, for one lookup of a word in small letters where 62 comparisons were made.
static LABEL_SET: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| LABELS.iter().copied().collect());

/// Whether `word` is one of the labels, ASCII letters in either case.
fn is_label(word: &str) -> bool {
    // No label is longer than 16 bytes; only ASCII letters fold, as `eq_ignore_ascii_case` folds them.
    let mut buf = [0u8; 16];
    let Some(lower) = buf.get_mut(..word.len()) else { return false };
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower).is_ok_and(|l| LABEL_SET.contains(l))
}

/// Whether the words right before `start` label what follows as a reference number: "order",
/// "ticket", "receipt", "call number", "catalog #"… (with "no.", "number", "#", "is" between).
pub(super) fn labelled_reference(text: &str, start: usize) -> bool {
    // The words for "number", and what else may stand between a label and its number.
    const NUMBER: &[&str] = &["no", "no.", "nr", "nr.", "number", "num"];
    const ALSO_BETWEEN: &[&str] = &["#", "is", "was", "reads", "id"];
    let one_of = |w: &str, list: &[&str]| list.iter().any(|l| w.eq_ignore_ascii_case(l));
    let mut closer = "";
    for word in text[..start].split_whitespace().rev().take(3) {
        let w = word.trim_end_matches([':', ',', '#']);
        // "call number 362.29…" is a shelf's; "call 555 0142" is a phone.
        let call_number = w.eq_ignore_ascii_case("call") && one_of(closer, NUMBER);
        if call_number || is_label(w) {
            return true;
        }
        if !(w.is_empty() || one_of(w, NUMBER) || one_of(w, ALSO_BETWEEN)) {
            return false;
        }
        closer = w;
    }
    false
}

/// Whether `run` is a 14-digit barcode starting with 3: an item's in the scheme libraries print
/// (a patron's starts with 2), never a phone.
pub(super) fn item_barcode(run: &str) -> bool {
    let digits = run.bytes().filter(u8::is_ascii_digit).count();
    digits == 14 && run.starts_with('3') && run.bytes().all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The set answers as comparing with each label did: on every word of the corpora, in three cases.
    #[test]
    fn a_label_is_found_in_any_case_as_one_by_one_comparison_found_it() {
        assert!(LABELS.iter().all(|l| l.len() <= 16 && l.to_ascii_lowercase() == *l), "labels fit and are small");
        let mut labels = 0;
        let corpus = super::super::corpus_lines();
        let words = corpus.iter().flat_map(|l| l.split_whitespace()).chain(LABELS.iter().copied());
        for word in words.chain(["ORDER", "Référence", "RéFéRENCE", "RÉFÉRENCE", "aktenzeichen-", ""]) {
            for w in [word.to_string(), word.to_uppercase(), word.to_lowercase()] {
                let expected = LABELS.iter().any(|l| w.eq_ignore_ascii_case(l));
                assert_eq!(is_label(&w), expected, "{w:?}");
                labels += usize::from(expected);
            }
        }
        assert!(labels > LABELS.len(), "{labels}");
    }
}
