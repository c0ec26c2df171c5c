//! Redaction of personal information in message text: typed placeholders for what identifies a
//! patron, while what reference work needs (call numbers, ISBNs, DOIs, dates, rooms) stays.
//!
//! Detectors run in priority order and a span once taken is not taken again, so an email inside a
//! URL is one finding, not two. Public references (catalogue URLs, ISBN, ISSN, DOI) are marked as
//! kept first, so no number-shaped detector cuts into them.

use std::sync::LazyLock;

use regex::Regex;

use super::checks::{is_isbn, is_issn, isbn_shaped, luhn_card, trim_url_end, url_is_private};
use super::keywords::{holds_bytes, Group, Mentions};
use super::labels::{item_barcode, labelled_reference, ITEM_WORDS};
use super::not_names::NOT_NAMES;
use super::runs::isbn_at;
use super::valued::Valued;

/// What a finding is; each becomes its placeholder in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Email,
    Phone,
    Name,
    Address,
    Card,
    Id,
    Dob,
    CreditCard,
    Ip,
    UrlPrivate,
    /// A user name, @handle or profile address.
    User,
    Password,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Email,
        Kind::Phone,
        Kind::Name,
        Kind::Address,
        Kind::Card,
        Kind::Id,
        Kind::Dob,
        Kind::CreditCard,
        Kind::Ip,
        Kind::UrlPrivate,
        Kind::User,
        Kind::Password,
    ];

    pub fn placeholder(self) -> &'static str {
        match self {
            Kind::Email => "[EMAIL]",
            Kind::Phone => "[PHONE]",
            Kind::Name => "[NAME]",
            Kind::Address => "[ADDRESS]",
            Kind::Card => "[CARD]",
            Kind::Id => "[ID]",
            Kind::Dob => "[DOB]",
            Kind::CreditCard => "[CREDITCARD]",
            Kind::Ip => "[IP]",
            Kind::UrlPrivate => "[URL-PRIVATE]",
            Kind::User => "[USER]",
            Kind::Password => "[PASSWORD]",
        }
    }

    /// The placeholder's name without brackets (`EMAIL`), as `--explain` prints it.
    pub fn label(self) -> &'static str {
        let p = self.placeholder();
        &p[1..p.len() - 1]
    }
}

/// One finding: `text[start..end]` is of `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

pub(super) fn re(pattern: &str) -> Regex {
    let pattern = ascii_edges(pattern);
    // The patterns are constants of this file, checked by the tests: a bad one is a programming error.
    Regex::new(&pattern).unwrap_or_else(|e| panic!("redaction pattern {pattern:?}: {e}"))
}

/// `pattern` as [`re`] compiles it, for the regex engine's own interface (an anchored search at
/// an offset, which the `regex` crate does not offer).
pub(super) fn meta_re(pattern: &str) -> regex_automata::meta::Regex {
    let pattern = ascii_edges(pattern);
    regex_automata::meta::Regex::new(&pattern).unwrap_or_else(|e| panic!("redaction pattern {pattern:?}: {e}"))
}

/// `pattern` with ASCII word boundaries and digits.
fn ascii_edges(pattern: &str) -> String {
    // Word boundaries are ASCII ones: Unicode-aware `\b` keeps the regex engine off its fast path
    // on any non-ASCII text, for no gain here (the words around the boundaries are ASCII).
    let pattern = pattern.replace(r"\b", r"(?-u:\b)");
    // Digits are ASCII ones, as `digit_counts` and the checksums count them: Unicode's `\d` (every
    // script's digits) made each counted repetition of it a large automaton, megabytes of memory
    // for the set of patterns and for each thread's search cache, with nothing more found.
    pattern.replace(r"\d", "[0-9]")
}

// Words of a person's name: capitalised (any script's capitals), with inner apostrophes and hyphens.
pub(super) const NAME_WORD: &str = r"\p{Lu}[\p{Ll}\p{Lu}'’-]*\p{Ll}[\p{Ll}'’-]*";
// Dutch, German, Spanish and other lower-case particles inside names ("Jan van der Berg", "María de la Cruz").
pub(super) const PARTICLE: &str = r"(?:van|der|den|de|het|ter|ten|von|la|las|los|del|y|da|di|le|du|bin|al)";

static URL: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)\b(?:https?://|www\.)[^\s<>"'`]+"#));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"));
static EMAIL_SPACED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b[a-z0-9][a-z0-9._%+-]*\s*@\s+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
});
static ISSN: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b\d{4}-\d{3}[\dX]\b"));
static DOI: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)\b(?:doi:\s*)?10\.\d{4,9}/[^\s<>"']+"#));
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b"));
static IPV6: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}\b")
});
static SSN: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{3}-\d{2}-\d{4}\b"));
// Spanish DNI and NIE.
static DNI: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:\d{8}|[XYZ]\d{7})-?[A-HJ-NP-TV-Z]\b"));
static PASSPORT_CONTEXT: LazyLock<Valued> = LazyLock::new(|| {
    Valued::new(
        "(?i)",
        r"\b(?:passport|paspoort|pasaporte|student\s*(?:id|number|no\.?|nr\.?|#)|studentnummer|student-?id|staff\s*(?:id|number)|employee\s*(?:id|number)|personeelsnummer|id\s*(?:number|no\.?|#)|identity\s*card|id-?kaart|bsn|ssn|social\s+security(?:\s+number)?|dni|nie|n[uú]mero\s+de\s+(?:estudiante|identidad)|steuer-?id|steuer-?identifikationsnummer|idnr|personalausweis(?:nummer)?|ausweisnummer)\b(?:\s+(?:number|no\.?|nr\.?|nummer|n[uú]mero))?[\s:#.=-]*(?:is\s+|es\s+|nummer\s+)?",
        r"[A-Z0-9][A-Z0-9-]{3,19}",
        "",
    )
});
// The number ends where its digits end (`(?:\D|$)`): never five digits into the next number.
static CARD_CONTEXT: LazyLock<Valued> = LazyLock::new(|| {
    Valued::new(
        "(?i)",
        r"(?:(?:^|[^\p{L}\p{N}])[üu]ye\s+numara(?:m|s[ıi])|\b(?:library\s+(?:card|number|no\.?)|card|barcode|patron\s+(?:id|number)|pasnummer|bibliotheekpas|lenerspas|pas|tarjeta(?:\s+de\s+(?:la\s+)?biblioteca)?|carn[eé]t?|benutzernummer|lesernummer|ausweisnummer|bibliotheksausweis|lenersnummer|member(?:ship)?\s+(?:number|no\.?|#|id|card)|(?:n[uú]mero\s+de\s+)?socio|lidnummer|lidmaatschapsnummer|num[ée]ro\s+d'adh[ée]rent|adh[ée]rent|l[åa]nekort(?:snummer)?))(?:\s+(?:number|no\.?|nr\.?|#|nummer|n[uú]mero))?\s*(?:is|es|ist|:|#|=|-)?\s*",
        r"(?:[A-Z]{2,4}-)?[A-Z]?\d[\d -]{3,18}\d",
        r"(?:\D|$)",
    )
});
static DOB_CONTEXT: LazyLock<Valued> = LazyLock::new(|| {
    Valued::new(
        "(?i)",
        r"\b(?:born\s+(?:on\s+)?(?:the\s+)?|date\s+of\s+birth\s*(?:is\s*|:\s*)?|d\.?o\.?b\.?\s*:?\s*|birthday\s+(?:is\s+)?|birth\s+date\s*:?\s*|geboren\s+(?:op\s+)?|geboortedatum\s*:?\s*|fecha\s+de\s+nacimiento\s*:?\s*|nac[ií]\s+el\s+|nacido\s+el\s+|nacida\s+el\s+)",
        r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4})|(?:\d{4}-\d{2}-\d{2})|(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?\p{L}+\.?(?:\s+(?:de\s+)?\d{4})?)|(?:\p{L}+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})",
        "",
    )
});
pub(super) static STREET_EN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b\d{1,5}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:\p{Lu}[\p{L}'-]*\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Circle|Cir|Parkway|Pkwy|Highway|Hwy)\b\.?(?:,?\s+(?:Apt|Apartment|Unit|Suite|#)\.?\s*\w+)?",
    )
});
static STREET_NL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?:Van|De|Den|Der|Ter|Ten|Prins|Prinses|Koning|Koningin|Burgemeester|Sint|St\.)\s+){0,2}\p{Lu}[\p{Ll}-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|hof|steeg|pad)\s+\d{1,4}(?:\s?[a-zA-Z]\b|-\d+)?",
    )
});
// The street's name is in Latin script: forty repetitions of every script's letters made this one
// pattern 2 MB of automaton (0.18 MB as it is).
static STREET_ES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:calle|c/|avenida|avda\.?|av\.|plaza|pza\.?|paseo|camino|carrera|ronda)\s+(?:de\s+(?:la\s+|los\s+|las\s+)?)?\p{Lu}[\p{Latin}. ]{1,40}?,?\s*(?:n[ºo°]\.?\s*)?\d{1,4}(?:\s*,?\s*\d+[ºª°]?\s*[A-Z]?)?(?:\s*\d{1,2}\s?[ºª°])?",
    )
});
static POSTCODE_NL: LazyLock<Regex> = LazyLock::new(|| re(r"\b[1-9]\d{3}\s?[A-Z]{2}\b"));
static ZIP_US: LazyLock<Regex> = LazyLock::new(|| re(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"));
// A name signed at the end of a message: "- Maria" / "— Jan de Vries".
static DASH_SIGNATURE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(?:^|\s)[-–—~]\s*({NAME_WORD}(?:\s+(?:{PARTICLE}\s+)*{NAME_WORD}){{0,2}})\s*$")));

/// Finds and replaces personal information. `known_names` (a patron's roster nickname, say) are
/// redacted wherever they reappear.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    known_names: Vec<Regex>,
}

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Also redacts these names (whole words, any case) wherever they appear.
    pub fn with_names<S: AsRef<str>>(names: &[S]) -> Redactor {
        let known_names = names
            .iter()
            .map(|n| n.as_ref().trim())
            .filter(|n| n.chars().filter(|c| c.is_alphabetic()).count() >= 2)
            .filter_map(|n| Regex::new(&format!(r"(?i)\b{}\b", regex::escape(n))).ok())
            .collect();
        Redactor { known_names }
    }

    /// The findings in `text`, in order, never overlapping.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let mut found: Vec<Finding> = self
            .spans(text)
            .into_iter()
            .filter_map(|(start, end, kind)| kind.map(|kind| Finding { kind, start, end }))
            .collect();
        found.sort_by_key(|f| f.start);
        found
    }

    /// What the detectors took, in the order they took it: findings, and kept references (no kind).
    fn spans(&self, text: &str) -> Vec<(usize, usize, Option<Kind>)> {
        // Room for a few findings: most lines have none or one, and no line grows the list twice.
        let mut spans = Spans { taken: Vec::with_capacity(4), text };
        // Most chat lines have no digit, no @ and no link: the detectors that need one are skipped
        // (a byte scan is far cheaper than a dozen regex passes).
        // One keyword pass over the lower-cased line says which of the detectors below can match
        // at all: far cheaper than running a pattern that cannot start from a literal.
        let said = Mentions::in_text(text);
        let bytes = said.bytes();
        let has_digit = bytes.has_digit();
        let has_at = bytes.has(b'@');
        let has_link = [&b"://"[..], b"www.", b"WWW."].iter().any(|n| bytes.holds(text, n));
        if has_link {
            // Public references first, as kept: nothing is found inside them.
            for m in URL.find_iter(text) {
                let end = trim_url_end(text, m.start(), m.end());
                let url = &text[m.start()..end];
                let kind = if super::handles::is_profile(url) {
                    Some(Kind::User)
                } else if url_is_private(url) {
                    Some(Kind::UrlPrivate)
                } else {
                    None
                };
                spans.take(m.start(), end, kind);
            }
        }
        if has_at {
            for m in EMAIL.find_iter(text) {
                spans.take(m.start(), m.end(), Some(Kind::Email));
            }
            // "anna.k @ gmail.com": an address typed with spaces round its @.
            for m in EMAIL_SPACED.find_iter(text) {
                spans.take(m.start(), m.end(), Some(Kind::Email));
            }
        }
        // Before numbers: a password or user name may hold digits ("Hund!42x").
        super::handles::find(text, said, has_digit, &mut spans);
        if has_digit {
            let (digits, run) = digit_counts(text);
            // Numbers told by their check digits or words first, before a phone's looser shape.
            super::ids::keep_references(text, said, &mut spans, digits);
            super::dates::find(text, said, &mut spans, digits);
            super::ids::find(text, said, &mut spans, digits, run);
            self.find_numbers(text, said, &mut spans, digits, run);
            super::places::find(text, said, &mut spans, digits);
        }
        self.find_names(text, said, &mut spans);
        super::people::find(text, said, &mut spans);
        spans.taken
    }

    /// Everything that needs a digit: kept references, then numbers said or shaped to be personal.
    /// A regex pass per pattern and line is most of the cost, so passes that cannot match are
    /// skipped: each pattern needs so many digits (in all, or in a row), and the patterns led by
    /// context words run only where the line's keyword pass (`said`) saw one of their words.
    /// `digits` and `run` are the line's [`digit_counts`].
    fn find_numbers(&self, text: &str, said: Mentions, spans: &mut Spans<'_>, digits: usize, run: usize) {
        let dash = said.bytes().has(b'-');
        if said.bytes().holds(text, b"10.") {
            for m in DOI.find_iter(text) {
                spans.take(m.start(), trim_url_end(text, m.start(), m.end()), None);
            }
        }
        // (An ISBN-10 may end in X: nine digits.)
        if digits >= 9 && isbn_stretch(text) {
            for (start, end) in isbn_candidates(text) {
                let isbn = &text[start..end];
                // After the word, an ISBN's length is enough: a mistyped check digit is still no phone.
                let said_isbn = said.has(Group::Isbn) && preceded_by(text, start, &["isbn"]) && isbn_length(isbn);
                if said_isbn || (is_isbn(isbn) && isbn_shaped(isbn)) {
                    spans.take(start, end, None);
                }
            }
        }
        if digits >= 7 && dash && digits_around_dash(text, 4, 3) {
            for m in ISSN.find_iter(text) {
                if is_issn(m.as_str()) || preceded_by(text, m.start(), &["issn"]) {
                    spans.take(m.start(), m.end(), None);
                }
            }
        }
        if said.has(Group::Dob) {
            for (_, (gs, ge)) in DOB_CONTEXT.matches(text) {
                spans.take(gs, ge, Some(Kind::Dob));
            }
        }
        if said.has(Group::IdWord) {
            for (m, (gs, ge)) in PASSPORT_CONTEXT.matches(text) {
                // An "Ausweisnummer" of digits alone is a library card's (the card words take it);
                // with letters, an identity card's ("L01X00T47").
                let card = m.as_str().get(..7).is_some_and(|w| w.eq_ignore_ascii_case("ausweis"));
                let value = &text[gs..ge];
                let letters = value.bytes().any(|b| b.is_ascii_alphabetic());
                if value.bytes().any(|b| b.is_ascii_digit()) && (!card || letters) {
                    spans.take(gs, ge, Some(Kind::Id));
                }
            }
        }
        if digits >= 9 && dash && digits_around_dash(text, 3, 2) {
            for m in SSN.find_iter(text) {
                spans.take(m.start(), m.end(), Some(Kind::Id));
            }
        }
        if run >= 7 && digits_then_capital(text) {
            for m in DNI.find_iter(text) {
                spans.take(m.start(), m.end(), Some(Kind::Id));
            }
        }
        if digits >= 5 && said.has(Group::CardWord) {
            for (_, (gs, ge)) in CARD_CONTEXT.matches(text) {
                let value = &text[gs..ge];
                let digits = value.bytes().filter(u8::is_ascii_digit).count();
                let kind = if luhn_card(value) { Kind::CreditCard } else { Kind::Card };
                // A book's barcode is no patron's, where the line says it is the book's (after
                // a card word a 3 may start a patron's number in some libraries).
                let item = item_barcode(value) && preceded_by(text, gs, ITEM_WORDS);
                if item {
                    spans.take(gs, ge, None);
                } else if digits >= 5 {
                    spans.take(gs, ge, Some(kind));
                }
            }
        }
        // An IPv4 address has three dots.
        if digits >= 4 && memchr::memchr_iter(b'.', text.as_bytes()).nth(2).is_some() {
            for m in IPV4.find_iter(text) {
                // Four groups of a longer dotted run ("01.42.33.44.55", a French phone) are no address.
                let longer = text[..m.start()].ends_with('.')
                    || (text[m.end()..].starts_with('.')
                        && text[m.end() + 1..].starts_with(|c: char| c.is_ascii_digit()));
                if !longer && !is_version_like(text, m.start()) {
                    spans.take(m.start(), m.end(), Some(Kind::Ip));
                }
            }
        }
        // An IPv6 address has seven colons, or two in a row.
        if said.bytes().has(b':')
            && (said.bytes().holds(text, b"::") || memchr::memchr_iter(b':', text.as_bytes()).count() >= 7)
        {
            for m in IPV6.find_iter(text) {
                spans.take(m.start(), m.end(), Some(Kind::Ip));
            }
        }
        // Every number `classify_number` takes has seven digits or more.
        if digits >= 7 {
            // A run starts a word: the digits of a call number's cutter ("R87") never begin a phone number.
            for (start, end) in super::runs::digit_runs(text) {
                take_numbers(spans, text, said, start, end);
            }
        }
        for (group, street) in
            [(Group::StreetEn, &STREET_EN), (Group::StreetNl, &STREET_NL), (Group::StreetEs, &STREET_ES)]
        {
            let wanted = said.has(group) && (group != Group::StreetEn || super::places::number_then_capital(text));
            if wanted {
                for m in street.find_iter(text) {
                    spans.take_up_to_taken(m.start(), m.end(), Kind::Address);
                }
            }
        }
        // A postcode counts only near an address: none taken, no postcode to look for.
        let address = spans.has_address();
        for code in [&POSTCODE_NL, &ZIP_US] {
            if run >= 4 && address {
                for m in code.find_iter(text) {
                    if near_address(spans, m.start(), m.end()) {
                        spans.take(m.start(), m.end(), Some(Kind::Address));
                    }
                }
            }
        }
    }

    /// Names signed with a dash, and the names known to belong to the patron.
    fn find_names(&self, text: &str, said: Mentions, spans: &mut Spans<'_>) {
        // Introductions and sign-offs, in every language, are `people`'s.
        let mut candidates = Vec::new();
        if said.bytes().holds_any(text, &['-', '–', '—', '~']) {
            candidates.extend(DASH_SIGNATURE.captures_iter(text).filter_map(|c| c.get(1)));
        }
        for g in candidates {
            let (start, end) = name_words(text, g.start(), g.end());
            // A name runs up to whatever was found after it ("Maria" before "Kerkstraat 5").
            spans.take_up_to_taken(start, end, Kind::Name);
        }
        for r in &self.known_names {
            for m in r.find_iter(text) {
                spans.take(m.start(), m.end(), Some(Kind::Name));
            }
        }
    }

    /// `text` with each finding replaced by its placeholder. Idempotent; never longer than
    /// `text` plus the placeholders' length.
    pub fn redact(&self, text: &str) -> String {
        // Room for a placeholder longer than what it replaces ("Al" → "[NAME]").
        let mut out = String::with_capacity(text.len() + 16);
        let mut spans = self.spans(text);
        spans.sort_unstable_by_key(|&(start, _, _)| start);
        let mut at = 0;
        for (start, end, kind) in spans {
            let Some(kind) = kind else { continue };
            out.push_str(&text[at..start]);
            out.push_str(kind.placeholder());
            at = end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// Whether `text` holds `before` digits, a hyphen and `after` digits in a row ("1234-567" for an
/// ISSN, "123-45" for a Social Security number): asked before those patterns run.
fn digits_around_dash(text: &str, before: usize, after: usize) -> bool {
    let b = text.as_bytes();
    let digits = |s: Option<&[u8]>| s.is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    memchr::memchr_iter(b'-', b)
        .any(|i| digits(i.checked_sub(before).map(|s| &b[s..i])) && digits(b.get(i + 1..i + 1 + after)))
}

/// Whether a run of seven digits or more ends right before a capital, a hyphen between or not
/// ("12345678Z", "X1234567-L"): how a Spanish DNI or NIE ends, asked before its pattern runs.
fn digits_then_capital(text: &str) -> bool {
    let b = text.as_bytes();
    let mut run = 0;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            run += 1;
            continue;
        }
        let capital = c.is_ascii_uppercase() || c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_uppercase);
        if run >= 7 && capital {
            return true;
        }
        run = 0;
    }
    false
}

/// How many ASCII digits `text` holds, and the most in a row.
fn digit_counts(text: &str) -> (usize, usize) {
    let (mut all, mut run, mut longest) = (0, 0, 0);
    for b in text.bytes() {
        if b.is_ascii_digit() {
            all += 1;
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    (all, longest)
}

/// Spans taken so far: findings (`Some`) and kept references (`None`).
pub(super) struct Spans<'a> {
    taken: Vec<(usize, usize, Option<Kind>)>,
    text: &'a str,
}

impl Spans<'_> {
    /// Takes `[start, end)`, or the part of it before the first thing already taken inside it
    /// ("Kerkstraat 5" of "Kerkstraat 5 a@b.org", whose "a" looked like a house letter).
    pub(super) fn take_up_to_taken(&mut self, start: usize, end: usize, kind: Kind) {
        let first = self.taken.iter().filter(|&&(s, e, _)| start < e && s < end).map(|&(s, _, _)| s).min();
        let end = match first {
            None => end,
            Some(s) if s > start => start + self.text[start..s].trim_end().len(),
            Some(_) => return,
        };
        self.take(start, end, Some(kind));
    }

    pub(super) fn is_free(&self, start: usize, end: usize) -> bool {
        !self.taken.iter().any(|&(s, e, _)| start < e && s < end)
    }

    /// Takes `[start, end)` unless it overlaps something taken before (earlier detectors win).
    pub(super) fn take(&mut self, start: usize, end: usize, kind: Option<Kind>) {
        if start >= end || !self.text.is_char_boundary(start) || !self.text.is_char_boundary(end) {
            return;
        }
        if self.taken.iter().any(|&(s, e, _)| start < e && s < end) {
            return;
        }
        self.taken.push((start, end, kind));
    }

    /// Whether an address ends just before `start` ("12 rue de la Paix, 75002": the postcode's street).
    /// Whether an address has been taken.
    pub(super) fn has_address(&self) -> bool {
        self.taken.iter().any(|&(_, _, k)| k == Some(Kind::Address))
    }

    pub(super) fn address_before(&self, start: usize) -> bool {
        self.taken.iter().any(|&(_, e, k)| {
            k == Some(Kind::Address) && e <= start && self.text[e..start].chars().all(|c| c == ',' || c.is_whitespace())
        })
    }
}

/// Whether one of `words` (lower case) ends within a few characters before `start`.
fn preceded_by(text: &str, start: usize, words: &[&str]) -> bool {
    let mut from = start.saturating_sub(24);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut buf = [0u8; 128];
    let Some(lower) = super::lexicon::lower_in(&text[from..start], &mut buf) else {
        return false;
    };
    // Our own placeholders are not context: "[PHONE] 1990-2000" does not make the years a phone.
    let mut kept = [0u8; 128];
    let mut len = 0;
    let mut rest = lower.as_bytes();
    while !rest.is_empty() {
        if rest.starts_with(b"[phone]") {
            rest = &rest[7..];
        } else {
            kept[len] = rest[0];
            len += 1;
            rest = &rest[1..];
        }
    }
    let before = &kept[..len];
    // A first-byte test before comparing: a window-by-window slice comparison calls memcmp for
    // each of the ~24 windows per word, which made this the dearest helper of the number checks.
    words.iter().any(|w| holds_bytes(before, w.as_bytes()))
}

/// The ISBN candidates ([`isbn_at`]), looked for again past the "10"/"13" of a label ("ISBN-10
/// 0306406152"), which the candidate would otherwise take as the number's first group.
fn isbn_candidates(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (start, end) = isbn_at(text, at)?;
        let before = text[..start].trim_end_matches([' ', '-']);
        let labelled =
            before.len() >= 4 && before.get(before.len() - 4..).is_some_and(|w| w.eq_ignore_ascii_case("isbn"));
        let label = ["10 ", "13 ", "10:", "13:"].iter().any(|l| text[start..end].starts_with(l));
        if labelled && label {
            at = start + 2;
            return isbn_at(text, at).inspect(|&(_, n)| at = n);
        }
        at = end;
        Some((start, end))
    })
}

/// Whether nine digits or more stand together with only spaces, hyphens and X between them, as
/// in every ISBN the candidates below can keep (nine digits and an X at the least): asked before
/// their pattern runs.
fn isbn_stretch(text: &str) -> bool {
    let mut digits = 0;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => digits += 1,
            b' ' | b'-' | b'X' | b'x' => {}
            _ => digits = 0,
        }
        if digits >= 9 {
            return true;
        }
    }
    false
}

/// Ten characters (the last may be X) or thirteen digits, leaving out spaces and hyphens.
fn isbn_length(s: &str) -> bool {
    let n = s.chars().filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x').count();
    n == 10 || n == 13
}

/// "version 1.2.3.4", "v10.0.0.1" and "build 1.2.3.4" are not addresses.
fn is_version_like(text: &str, start: usize) -> bool {
    preceded_by(text, start, &["version", "v.", "build", "release"]) || text[..start].ends_with(['v', 'V'])
}

/// Takes the personal numbers in a run of digits: the whole run if it is one ("+1 555 123 4567"),
/// else the longest pieces of it, left to right ("born 1/2/1990 555-123-4567" holds a date and a phone).
fn take_numbers(spans: &mut Spans<'_>, text: &str, said: Mentions, mut start: usize, end: usize) {
    // Digits glued to a word ("R87", "B12", "9:30") belong to it, not to a number after it.
    if text[..start].chars().next_back().is_some_and(|c| !c.is_whitespace() && c != '(') {
        match text[start..end].find(' ') {
            Some(gap) => start += gap + 1,
            None => return,
        }
    }
    let (s, e) = trim_run(text, start, end);
    // The library's or a shop's own number, said to be one ("order 10045 8812", "call number
    // 362.29…"), or a book's barcode: kept whole, so no piece of it is taken for a phone.
    if labelled_reference(text, s) || item_barcode(&text[s..e]) {
        if spans.is_free(s, e) {
            spans.take(s, e, None);
        }
        return;
    }
    if let Some(kind) = classify_number(text, said, s, e).filter(|_| spans.is_free(s, e)) {
        spans.take(s, e, Some(kind));
        return;
    }
    // Word starts and ends inside the run.
    let mut words = Vec::new();
    let mut at = s;
    for w in text[s..e].split(' ') {
        if !w.is_empty() {
            words.push((at, at + w.len()));
        }
        at += w.len() + 1;
    }
    // What each piece is, once (the passes below ask each piece for one kind after another).
    let n = words.len();
    let piece = |i: usize, j: usize| {
        let (ws, we) = trim_run(text, words[i].0, words[j - 1].1);
        (ws, we, classify_number(text, said, ws, we))
    };
    let pieces: Vec<(usize, usize, Option<Kind>)> =
        (0..n).flat_map(|i| (i + 1..=n).map(move |j| (i, j))).map(|(i, j)| piece(i, j)).collect();
    // Strongest evidence first, so a phone-shaped piece never takes digits of a payment card.
    for want in [Kind::CreditCard, Kind::Card, Kind::Phone] {
        let mut i = 0;
        while i < words.len() {
            let found = (i + 1..=words.len()).rev().find_map(|j| {
                // Row i of `pieces` starts after rows 0..i, of n, n - 1, … pieces.
                let (ws, we, kind) = pieces[i * n - i * i.saturating_sub(1) / 2 + (j - i - 1)];
                let kind = kind.filter(|k| *k == want && spans.is_free(ws, we))?;
                Some((j, ws, we, kind))
            });
            match found {
                Some((j, ws, we, kind)) => {
                    spans.take(ws, we, Some(kind));
                    i = j;
                }
                None => i += 1,
            }
        }
    }
}

/// A digit run without its unbalanced brackets and trailing separators.
fn trim_run(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    while end > start && text[..end].ends_with([' ', '-', '.', '/', ')']) {
        let opened = text[start..end].matches('(').count();
        let closed = text[start..end].matches(')').count();
        if text[..end].ends_with(')') && opened >= closed {
            break;
        }
        end -= 1;
    }
    if text[start..end].starts_with('(') && !text[start..end].contains(')') {
        start += 1;
    }
    // A dash or dot before the digits joins them to what came before ("1990 - 2000"); it is never
    // the start of a number.
    while start < end && text[start..end].starts_with([' ', '-', '.', '/']) {
        start += 1;
    }
    (start, end)
}

/// What a run of digits is, if it is personal: a payment card, a library card, or a phone number.
/// Dates, years and year ranges, times, prices, call numbers and ISBNs are left alone.
fn classify_number(text: &str, said: Mentions, start: usize, end: usize) -> Option<Kind> {
    let s = &text[start..end];
    let n = s.bytes().filter(u8::is_ascii_digit).count();
    // A payment card has 13 to 19 digits, a library card 14, a phone 7 to 15: anything shorter or
    // longer is none of them, whatever else it is (most runs are years, dates and times).
    if !(7..=19).contains(&n) {
        return None;
    }
    let first_digit = s.bytes().find(u8::is_ascii_digit);
    // A date, range or time holds at most eight digits; a payment card at least thirteen.
    if n <= 8 && looks_like_date_or_range(s) || is_isbn(s) && isbn_shaped(s) {
        return None;
    }
    if n >= 13 && luhn_card(s) {
        return Some(Kind::CreditCard);
    }
    // Library patron barcodes: 14 digits starting with 2 (Codabar patron cards).
    if n == 14 && first_digit == Some(b'2') && !s.contains(['(', '+']) {
        return Some(Kind::Card);
    }
    // Every phone has 7 to 15 digits; the context is read only where it decides.
    if !(7..=15).contains(&n) {
        return None;
    }
    // The words are looked for before the number only in a line that holds one of them.
    let phone_words = said.has(Group::PhoneWord);
    let phone_context = || phone_words && preceded_by(text, start, PHONE_WORDS);
    let separated = s.chars().filter(|c| matches!(c, ' ' | '-' | '.' | '(' | ')' | '/')).count() >= 1;
    let international = s.starts_with('+') || s.starts_with("00");
    let dotted_decimal = s.contains('.') && !s.contains([' ', '-', '(']);
    // Three digits, a dot and more digits is a Dewey class ("920.0092", "305.896073"), whatever
    // "number" stood before it; a phone's dots come in twos ("555.123.4567").
    let dewey = dotted_decimal && s.find('.') == Some(3) && s.matches('.').count() == 1;
    if dewey && !(phone_words && preceded_by(text, start, STRONG_PHONE_WORDS)) {
        return None;
    }
    if dotted_decimal && !phone_context() {
        // 025.04, 813.54: class numbers and prices, not phones (555.123.4567 has two dots).
        if s.matches('.').count() < 2 {
            return None;
        }
    }
    match n {
        7..=15 if international => Some(Kind::Phone),
        9..=12 if separated || phone_context() => Some(Kind::Phone),
        10 if matches!(first_digit, Some(b'0' | b'1')) || !s.contains(' ') => Some(Kind::Phone),
        7..=8 if separated && phone_context() => Some(Kind::Phone),
        _ => None,
    }
}

/// The words before a number that say it may be a phone.
pub(super) const PHONE_WORDS: &[&str] = &[
    "phone",
    "call",
    "cell",
    "mobile",
    "tel",
    "text me",
    "number",
    "nummer",
    "bel ",
    "mobiel",
    "teléfono",
    "telefono",
    "móvil",
    "llámame",
    "whatsapp",
];

/// The words before a number that say it is a phone, whatever its shape ("call" and "number" are
/// a call number's too).
pub(super) const STRONG_PHONE_WORDS: &[&str] = &[
    "phone",
    "cell",
    "mobile",
    "tel",
    "text me",
    "call me",
    "ring me",
    "whatsapp",
    "mobiel",
    "teléfono",
    "telefono",
    "móvil",
    "llámame",
];

/// 2024-03-05, 05/03/2024, 1990-2000, 9:30, 10.30 and the like.
fn looks_like_date_or_range(s: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}\s*[-–]\s*\d{2,4}|\d{1,2}[:.]\d{2}(?:\s*[-–]\s*\d{1,2}[:.]\d{2})?)$",
        )
    });
    DATE.is_match(s.trim())
}

/// A postcode counts as an address next to a street or after a comma with a place name.
fn near_address(spans: &Spans<'_>, start: usize, end: usize) -> bool {
    spans
        .taken
        .iter()
        .any(|&(s, e, k)| k == Some(Kind::Address) && (e <= start && start - e <= 40 || s >= end && s - end <= 40))
}

/// The name inside a captured phrase, without the words that only look like names.
fn name_words(text: &str, start: usize, end: usize) -> (usize, usize) {
    let phrase = &text[start..end];
    let first = phrase.split_whitespace().next().unwrap_or("");
    if NOT_NAMES.contains(&first.to_lowercase().trim_matches(|c: char| !c.is_alphabetic())) {
        return (start, start);
    }
    // Stop at the first word that is not part of a name ("Maria From biology" → "Maria").
    let mut cut = end;
    let mut offset = start;
    for (i, word) in phrase.split(' ').enumerate() {
        let w = word.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
        if i > 0 && NOT_NAMES.contains(&w.as_str()) && !is_particle(&w) {
            cut = offset - 1;
            break;
        }
        offset += word.len() + 1;
    }
    (start, cut.max(start))
}

/// A small word inside a name ("van", "de la", "bin"): one list for every detector of names.
pub(super) fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "van"
            | "der"
            | "den"
            | "de"
            | "het"
            | "ter"
            | "ten"
            | "von"
            | "la"
            | "las"
            | "los"
            | "del"
            | "y"
            | "da"
            | "di"
            | "le"
            | "du"
            | "bin"
            | "al"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context patterns' values found by their parts are the groups the patterns capture, on
    /// every corpus line as written, in lower and upper case, and with values of each kind after
    /// their words.
    #[test]
    fn context_values_found_without_captures_are_the_captured_ones() {
        let patterns: [(&str, &Valued); 6] = [
            ("card", &CARD_CONTEXT),
            ("passport", &PASSPORT_CONTEXT),
            ("dob", &DOB_CONTEXT),
            ("dob words", &super::super::dates::DOB),
            ("dob after", &super::super::dates::DOB_BEFORE),
            ("student", &super::super::ids::STUDENT_CONTEXT),
        ];
        let extra = [
            "card 21234000123456 and pin 1234",
            "library card number is LIB-0045821, card: 2123 4000 1234 56789 0123",
            "passport-X1234567 and passport no. is AB-12345",
            "born on the 3rd of March 1990, d.o.b. 03/03/90, birthday is May 4th, 2001",
            "am 7. Juli 1999 geboren, 12.03.1990'da doğdum, 1990-03-03 född",
            "student id s1234567/2020 and student number is 20231234",
        ];
        let mut found = [0; 6];
        for line in super::super::corpus_lines().into_iter().chain(extra.iter().map(|l| l.to_string())) {
            for text in [line.clone(), line.to_lowercase(), line.to_uppercase()] {
                for (i, (name, p)) in patterns.iter().enumerate() {
                    let captured = p.captured(&text);
                    found[i] += captured.len();
                    assert_eq!(p.found(&text), captured, "{name}: {text:?}");
                }
            }
        }
        assert!(found.iter().all(|&n| n >= 10), "{found:?}");
    }

    /// Every line of the corpora that a pattern led by context words matches holds one of the
    /// words its keyword group gates it by: a word added to a pattern and not to its group fails here.
    #[test]
    fn each_pattern_led_by_words_is_gated_by_a_group_that_holds_them() {
        let gated = [
            (Group::Dob, DOB_CONTEXT.whole()),
            (Group::IdWord, PASSPORT_CONTEXT.whole()),
            (Group::CardWord, CARD_CONTEXT.whole()),
            (Group::StreetEn, &STREET_EN),
            (Group::StreetNl, &STREET_NL),
            (Group::StreetEs, &STREET_ES),
            (Group::Handle, &super::super::handles::GOES_BY),
            (Group::RefNumber, &super::super::ids::REFERENCE_NUMBER),
        ];
        let mut matched = [0; 8];
        let mut births = 0;
        for line in super::super::corpus_lines() {
            let line = line.as_str();
            let said = Mentions::of(&line.to_lowercase());
            for (i, (group, pattern)) in gated.iter().enumerate() {
                if pattern.is_match(line) {
                    matched[i] += 1;
                    assert!(said.has(*group), "{group:?} does not gate {line:?}");
                }
            }
            // A birth date after its word: the scan's words, or "né le" looked for apart.
            if super::super::dates::DOB.whole().is_match(line) {
                births += 1;
                assert!(said.has(Group::Dob) || super::super::dates::born_le(line), "{line:?}");
            }
        }
        // Each pattern is exercised, so the check above is not vacuous.
        assert!(matched.iter().all(|&n| n > 0) && births > 0, "{matched:?} {births}");
    }

    /// Wherever the ISSN, Social Security, DNI and IPv4 patterns match, the byte tests that guard
    /// them say they may: on every corpus line, the tests' forms and any text.
    fn guarded(text: &str) -> bool {
        let mut matched = false;
        for (pattern, guard) in [
            (&*ISSN, digits_around_dash(text, 4, 3)),
            (&*SSN, digits_around_dash(text, 3, 2)),
            (&*DNI, digits_then_capital(text)),
            (&*IPV4, memchr::memchr_iter(b'.', text.as_bytes()).nth(2).is_some()),
        ] {
            let m = pattern.is_match(text);
            assert!(!m || guard, "{pattern:?} in {text:?}");
            matched |= m;
        }
        matched
    }

    #[test]
    fn number_patterns_run_only_where_their_shape_is() {
        let extra =
            ["ISSN 0317-8471", "SSN 123-45-6789", "DNI 12345678-Z", "NIE X1234567L", "ip 10.0.0.1", "0028-0836"];
        let lines = super::super::corpus_lines();
        let matched = lines.iter().map(String::as_str).chain(extra).filter(|l| guarded(l)).count();
        assert!(matched > 20, "{matched}");
        assert!(
            !digits_around_dash("12-3456", 4, 3)
                && !digits_then_capital("123456 Z")
                && digits_then_capital("1234567-Z")
        );
    }

    proptest::proptest! {
        #[test]
        fn number_guards_hold_on_any_text(s in "([0-9XYZ]{1,9}[-. ]?[0-9A-Z]{0,4}[-. ]?){1,4}|\\PC{0,30}") {
            guarded(&s);
        }
    }

    /// Every ISBN candidate kept on a corpus line (or in the tests' forms) lies where the stretch
    /// guard says nine digits stand together.
    #[test]
    fn isbn_candidates_are_kept_only_where_the_stretch_guard_says() {
        let forms = ["ISBN 0-306-40615-2", "isbn-10: 030640615X", "978 0 306 40615 7", "ISBN 13 9780306406157"];
        let mut kept = 0;
        for line in super::super::corpus_lines().iter().map(String::as_str).chain(forms) {
            let keeps = isbn_candidates(line).any(|(start, end)| {
                let said = preceded_by(line, start, &["isbn"]) && isbn_length(&line[start..end]);
                said || (is_isbn(&line[start..end]) && isbn_shaped(&line[start..end]))
            });
            if keeps {
                kept += 1;
                assert!(isbn_stretch(line), "{line:?}");
            }
        }
        assert!(kept > 10, "{kept}");
    }

    proptest::proptest! {
        #[test]
        fn the_isbn_stretch_guard_holds_on_any_text(s in "(isbn:? )?[0-9Xx -]{0,20}[a-z/.]?[0-9Xx -]{0,12}|\\PC{0,30}") {
            let keeps = isbn_candidates(&s).any(|(start, end)| {
                let isbn = &s[start..end];
                preceded_by(&s, start, &["isbn"]) && isbn_length(isbn) || (is_isbn(isbn) && isbn_shaped(isbn))
            });
            proptest::prop_assert!(!keeps || isbn_stretch(&s), "{:?}", s);
        }
    }

    /// The words that decide a number's kind are in the keyword groups that guard looking for them.
    #[test]
    fn the_words_before_a_number_are_in_their_keyword_groups() {
        for w in PHONE_WORDS.iter().chain(STRONG_PHONE_WORDS) {
            assert!(Mentions::in_text(w).has(Group::PhoneWord), "{w}");
            assert!(Mentions::in_text(&w.to_uppercase()).has(Group::PhoneWord), "{w}");
        }
        assert!(Mentions::in_text("ISBN").has(Group::Isbn));
    }

    fn r(text: &str) -> String {
        Redactor::new().redact(text)
    }

    fn kept(text: &str) {
        assert_eq!(r(text), text, "must be left as it is");
    }

    #[test]
    fn emails_are_caught_and_at_signs_elsewhere_left() {
        assert_eq!(r("mail me at maria.g+lib@student.uni-x.edu please"), "mail me at [EMAIL] please");
        assert_eq!(r("J.DOE@EXAMPLE.ORG"), "[EMAIL]");
        kept("meet @ the desk at 3");
        kept("the book costs 5 @ each");
    }

    #[test]
    fn phones_in_the_forms_people_type_them() {
        for (text, want) in [
            ("call me at (555) 123-4567", "call me at [PHONE]"),
            ("my cell is 555-123-4567.", "my cell is [PHONE]."),
            ("555.123.4567", "[PHONE]"),
            ("+1 555 123 4567", "[PHONE]"),
            ("bel me op 06-12345678", "bel me op [PHONE]"),
            ("mijn nummer is 020 123 4567", "mijn nummer is [PHONE]"),
            ("+31 6 12345678", "[PHONE]"),
            ("mi teléfono es 612 345 678", "mi teléfono es [PHONE]"),
            ("0034 612 34 56 78", "[PHONE]"),
            ("5551234567", "[PHONE]"),
        ] {
            assert_eq!(r(text), want, "{text}");
        }
        for text in [
            "the 1990-2000 census",
            "open 9:30-17:00",
            "call number 025.04 B34",
            "QA76.73 .R87 2019",
            "QA76.73 .R87 - 1990-2000",
            "[PHONE] 1990-2000 - 1990-2000",
            "Dewey 813.54",
            "it costs $12.50",
            "page 123-145",
            "between 1850 and 1900",
            "the 2024-03-05 lecture",
            "room 204",
        ] {
            kept(text);
        }
    }

    #[test]
    fn isbn_issn_and_doi_are_kept() {
        kept("the ISBN 0-19-953556-4 copy please");
        kept("the 2019 edition, ISBN-10 0306406152 or isbn13: 9780306406157");
        kept("het boek met barcode 32105009876543 is kapot");
        assert_eq!(r("mijn pas met barcode 22105009876543"), "mijn pas met barcode [CARD]");
        kept("ISBN 978-0-316-76948-0");
        kept("do you have 9780316769480?");
        kept("isbn 0316769487");
        kept("ISSN 0028-0836");
        kept("doi:10.1038/nature12373");
        kept("https://doi.org/10.1000/182");
    }

    #[test]
    fn payment_cards_need_a_valid_check_digit_and_library_cards_are_cards() {
        assert_eq!(r("my visa 4111 1111 1111 1111"), "my visa [CREDITCARD]");
        assert_eq!(r("5500-0000-0000-0004"), "[CREDITCARD]");
        assert_eq!(r("library card 21234000123456"), "library card [CARD]");
        assert_eq!(r("21234000123456"), "[CARD]");
        // Two numbers in a row: each is a number, none is cut in two.
        assert_eq!(r("card 21234000123456 21234000123456"), "card [CARD] [CARD]");
        assert_eq!(r("my card number is 1234567"), "my card number is [CARD]");
        assert_eq!(r("mijn pasnummer: 2900012345"), "mijn pasnummer: [CARD]");
        assert!(!r("4111 1111 1111 1112 is a made-up number").contains("CREDITCARD"));
    }

    #[test]
    fn ids_by_their_context_or_their_shape() {
        assert_eq!(r("student id 20231234"), "student id [ID]");
        assert_eq!(r("my student number is S1234567"), "my student number is [ID]");
        assert_eq!(r("passport: NX1234567"), "passport: [ID]");
        assert_eq!(r("SSN 123-45-6789"), "SSN [ID]");
        assert_eq!(r("mi DNI es 12345678Z"), "mi DNI es [ID]");
        assert_eq!(r("NIE X1234567L"), "NIE [ID]");
        kept("the student center is open");
        kept("HIST 2301 and BIO-101 readings");
    }

    #[test]
    fn birth_dates_only_with_their_context() {
        assert_eq!(r("I was born on 12/03/1998"), "I was born on [DOB]");
        assert_eq!(r("DOB: 1998-03-12"), "DOB: [DOB]");
        assert_eq!(r("date of birth March 12, 1998"), "date of birth [DOB]");
        assert_eq!(r("geboren op 12-03-1998"), "geboren op [DOB]");
        assert_eq!(r("fecha de nacimiento: 12/03/1998"), "fecha de nacimiento: [DOB]");
        kept("the exhibit opens 12/03/2026");
        kept("due March 12, 2026");
    }

    #[test]
    fn addresses_in_three_languages() {
        assert_eq!(r("I live at 42 Elm Street, Apt 3"), "I live at [ADDRESS]");
        assert_eq!(r("send it to 1600 W Main St."), "send it to [ADDRESS]");
        assert_eq!(r("Kerkstraat 12a, 1017 GB Amsterdam"), "[ADDRESS], [ADDRESS] Amsterdam");
        assert_eq!(r("vivo en Calle Mayor 5"), "vivo en [ADDRESS]");
        // Any Latin-script street name, accents and all.
        assert_eq!(r("en la Calle Núñez de Balboa 12"), "en la [ADDRESS]");
        assert_eq!(r("Plaza Antonín Dvořák 3, 2º B"), "[ADDRESS]");
        kept("room 204 on the second floor");
        kept("The Main Street Journal");
        kept("Baker Street Irregulars by Doyle");
    }

    #[test]
    fn names_where_people_introduce_or_sign_themselves() {
        assert_eq!(r("Hi, my name is Maria Gonzalez"), "Hi, my name is [NAME]");
        assert_eq!(r("this is Jan van der Berg from biology"), "this is [NAME] from biology");
        assert_eq!(r("I'm Siobhan, a grad student"), "I'm [NAME], a grad student");
        assert_eq!(r("thanks, Priya"), "thanks, [NAME]");
        assert_eq!(r("Thank you so much! - Tom"), "Thank you so much! - [NAME]");
        assert_eq!(r("ik ben Sanne de Vries"), "ik ben [NAME]");
        assert_eq!(r("mijn naam is Pieter"), "mijn naam is [NAME]");
        assert_eq!(r("me llamo José Luis"), "me llamo [NAME]");
        assert_eq!(r("gracias, Lucía"), "gracias, [NAME]");
        kept("I'm looking for Beloved by Toni Morrison");
        kept("I'm not sure which edition");
        kept("this is the right book?");
        kept("thanks!");
        kept("do you have anything by Gabriel García Márquez?");
        kept("I am a student at the college");
    }

    #[test]
    fn known_names_are_found_wherever_they_reappear() {
        let red = Redactor::with_names(&["Kayla"]);
        assert_eq!(red.redact("kayla here again, KAYLA needs help"), "[NAME] here again, [NAME] needs help");
        assert_eq!(red.redact("Kaylan"), "Kaylan", "whole words only");
        assert_eq!(Redactor::with_names(&["", " ", "x"]).redact("x marks"), "x marks", "no one-letter names");
    }

    #[test]
    fn ips_and_private_urls_but_not_catalogue_links() {
        assert_eq!(r("my ip is 192.168.1.23"), "my ip is [IP]");
        assert_eq!(r("from 2001:db8:85a3::8a2e:370:7334"), "from [IP]");
        kept("version 10.0.0.1 of the app");
        assert_eq!(r("https://lib.example/reset?token=abc123"), "[URL-PRIVATE]");
        assert_eq!(r("see https://user:pw@host.example/x"), "see [URL-PRIVATE]");
        assert_eq!(
            r("https://mail.example/view/AbCdEf0123456789GhIjKlMnOp."),
            "[URL-PRIVATE].",
            "a long opaque token in the path"
        );
        kept("https://catalog.library.example/record/5551234567");
        kept("https://www.example.org/search?q=census+1910&page=2");
        kept("www.library.example/hours.");
    }

    #[test]
    fn redaction_is_idempotent_and_bounded() {
        let text = "I'm Maria, 555-123-4567, maria@x.org, card 21234000123456, born on 1/2/1990";
        let once = r(text);
        assert_eq!(r(&once), once);
        assert!(once.len() <= text.len() + 60, "{once}");
        assert_eq!(once, "I'm [NAME], [PHONE], [EMAIL], card [CARD], born on [DOB]");
    }

    const FRAGMENTS: &[&str] = &[
        "my name is Maria",
        "I'm Jan",
        "thanks, Ana",
        "555-123-4567",
        "+31 6 12345678",
        "a@b.org",
        "4111 1111 1111 1111",
        "21234000123456",
        "born on 1/2/1990",
        "student id 123456",
        "42 Elm Street",
        "Kerkstraat 5",
        "10.0.0.1",
        "https://x.example/?token=abc",
        "https://catalog.example/rec/1",
        "ISBN 978-0-306-40615-7",
        "QA76.73 .R87",
        "1990-2000",
        "9:30",
        "room 204",
        "é",
        "🗺",
        "\u{202E}",
        "[NAME]",
        "[PHONE]",
        "card",
        "is",
        ",",
        " ",
        "-",
        "(",
        ")",
    ];

    proptest::proptest! {
        #[test]
        fn any_text_is_redacted_idempotently_within_bounds(s in "\\PC{0,120}") {
            let red = Redactor::new();
            let once = red.redact(&s);
            proptest::prop_assert_eq!(red.redact(&once), once.clone());
            proptest::prop_assert!(once.len() <= s.len() + "[URL-PRIVATE]".len() * red.find(&s).len());
        }

        #[test]
        fn mixtures_of_personal_and_reference_text_are_redacted_idempotently(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..12),
        ) {
            let s = parts.join(" ");
            let red = Redactor::new();
            let once = red.redact(&s);
            proptest::prop_assert_eq!(red.redact(&once), once.clone(), "input {:?}", s);
            for f in red.find(&s) {
                proptest::prop_assert!(f.start < f.end && f.end <= s.len());
            }
        }
    }

    #[test]
    fn cards_ids_and_passwords_in_the_words_patrons_use() {
        assert_eq!(r("member number 88412035, can you check my fines"), "member number [CARD], can you check my fines");
        assert_eq!(r("mi número de socio es 55120447"), "mi número de socio es [CARD]");
        assert_eq!(r("üye numaram 44712035"), "üye numaram [CARD]");
        // A library's 13-digit barcode starting with 2 passing the Luhn check is no Mastercard.
        assert_eq!(r("lenersnummer 2300101234567"), "lenersnummer [CARD]");
        assert_eq!(r("matric no 2019/4471"), "matric no [ID]");
        assert_eq!(r("meine iban ist de89370400440532013000"), "meine iban ist [ID]");
        assert_eq!(r("IBAN ES9121000418450200051332 online"), "IBAN [ID] online");
        assert_eq!(r("the password i set is blue-Horse-88"), "the password i set is [PASSWORD]");
        assert_eq!(r("mot de passe Soleil-44 refusé"), "mot de passe [PASSWORD] refusé");
    }

    #[test]
    fn numbers_labelled_as_references_are_no_phones() {
        for line in [
            "the call number is 362.2930941 HAR",
            "order 10045 8812 from the bookshop link",
            "the book barcode reads 3 9015 08821 4470",
            "ticket 2024-118-4471 about the scanner",
            "receipt no. 00241-7781-3 shows I paid",
            "inventory no. 4471-22-118 is missing",
            "dossier 2019-04471-NL in het archief",
            "expediente 2018-114-2267 del archivo",
            "PO# 4500012345 for the new books",
            "the ISSN 00280836",
            "the number on the spine is 920.0092 SMI",
            "cote 843.914 DUR",
        ] {
            kept(line);
        }
        assert_eq!(r("call 617 555 0142 please"), "call [PHONE] please");
        // A Dewey-shaped number after a word that says phone is one.
        assert_eq!(r("my phone is 020.7412733"), "my phone is [PHONE]");
        assert_eq!(r("text me 555.4471203"), "text me [PHONE]");
    }

    #[test]
    fn freehand_forms_of_streets_cards_and_ids() {
        assert_eq!(r("nieuw adres Van Goghlaan 44, Delft"), "nieuw adres [ADDRESS], Delft");
        assert_eq!(r("ik woon aan de Herengracht 450"), "ik woon aan de [ADDRESS]");
        assert_eq!(r("adres: Bağdat Caddesi No: 210 Daire: 5 Kadıköy"), "adres: [ADDRESS] Kadıköy");
        assert_eq!(r("Steuer-ID 12345678901"), "Steuer-ID [ID]");
        assert_eq!(r("library card: LIB-0045821"), "library card: [CARD]");
        assert_eq!(r("Benutzernummer 40012345"), "Benutzernummer [CARD]");
        assert_eq!(r("email me at anna.k @ gmail.com"), "email me at [EMAIL]");
        assert_eq!(r("find me on insta @deniz.kitap"), "find me on insta [USER]");
    }

    #[test]
    fn findings_have_types_and_positions() {
        let text = "email a@b.org or 555-123-4567";
        let f = Redactor::new().find(text);
        assert_eq!(
            f.iter().map(|f| (f.kind, &text[f.start..f.end])).collect::<Vec<_>>(),
            [(Kind::Email, "a@b.org"), (Kind::Phone, "555-123-4567")]
        );
        assert_eq!(Kind::UrlPrivate.label(), "URL-PRIVATE");
    }
}
