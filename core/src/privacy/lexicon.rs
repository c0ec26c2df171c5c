//! The words the name detectors consult: the lexicon of given names and surnames (from the locale
//! data of @faker-js/faker and of Python Faker, both MIT; see `core/data/NOTICE`, made by
//! `scripts/names-lexicon.mjs` and `scripts/names-lexicon-python.py`),
//! its lower-case form, and the words that look like names but are not (ordinary words the lexicon
//! holds, months, places, products).

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet as HashSet};

pub(super) static GIVEN: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    names(&[include_str!("../../data/given-names.txt"), include_str!("../../data/given-names-more.txt")])
});
pub(super) static SURNAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| names(&[include_str!("../../data/surnames.txt"), include_str!("../../data/surnames-more.txt")]));

fn names(lists: &[&'static str]) -> HashSet<&'static str> {
    lists.iter().flat_map(|list| list.lines()).filter(|l| !l.starts_with('#')).collect()
}
/// What the lexicon says of a word typed in small letters, in one lookup: [`LOWER_GIVEN`],
/// [`LOWER_SURNAME`], [`ANY_CASE_GIVEN`] (0 for a word it does not hold).
pub(super) fn lower_name(word: &str) -> u8 {
    LOWER_NAMES.get(word).copied().unwrap_or(0)
}

/// A given name typed without its capital ("ask tomasz", "my classmate jana"), and no ordinary
/// word in a language patrons write.
pub(super) const LOWER_GIVEN: u8 = 1;
/// A surname, the same way.
pub(super) const LOWER_SURNAME: u8 = 2;
/// A given name whose capitalised form the lexicon holds, ordinary word or not ("frank" for
/// "Frank"; not "mckenna", as the lexicon holds "McKenna" and no "Mckenna").
pub(super) const ANY_CASE_GIVEN: u8 = 4;

static LOWER_NAMES: LazyLock<FxHashMap<String, u8>> = LazyLock::new(|| {
    let mut flags: FxHashMap<String, u8> = FxHashMap::default();
    let mut add = |words: HashSet<String>, flag: u8| {
        for w in words {
            *flags.entry(w).or_default() |= flag;
        }
    };
    add(lower_names(&GIVEN), LOWER_GIVEN);
    add(lower_names(&SURNAMES), LOWER_SURNAME);
    let lower = GIVEN.iter().map(|g| g.chars().flat_map(char::to_lowercase).collect::<String>());
    add(
        lower.filter(|w| capitalised_in(w, &mut [0u8; 32]).is_some_and(|c| GIVEN.contains(c))).collect(),
        ANY_CASE_GIVEN,
    );
    flags
});

fn lower_names(names: &HashSet<&'static str>) -> HashSet<String> {
    let common_lower: HashSet<String> = COMMON_SET.iter().map(|c| c.to_lowercase()).collect();
    names
        .iter()
        .map(|n| n.to_lowercase())
        .filter(|n| n.chars().count() >= 3 && !ORDINARY_SET.contains(n.as_str()) && !not_a_name(n))
        .filter(|n| !common_lower.contains(n))
        .collect()
}

pub(super) static ORDINARY_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| FUNCTION_WORDS.iter().chain(ORDINARY).copied().collect());
/// The function words of [`ORDINARY_SET`]: never a name, whatever comes before.
pub(super) static FUNCTION_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| FUNCTION_WORDS.iter().copied().collect());

/// Everyday and function words the name lexicon holds, in the languages patrons write ("can",
/// "will", "said"): a name typed in lower case is never one of these.
const FUNCTION_WORDS: &[&str] = &[
    "an", "ben", "buddy", "can", "du", "el", "ella", "elle", "even", "fine", "floor", "ive", "loan", "mate", "my",
    "said", "sister", "una", "van", "vi", "will", "buch", "has", "hold", "just", "kan", "pour", "so", "the", "and",
    "for", "you", "are", "not", "but", "all", "any", "her", "was", "one", "our", "out", "day", "get", "him", "his",
    "how", "man", "new", "now", "old", "see", "two", "way", "who", "boy", "did", "its", "let", "put", "say", "she",
    "too", "use",
];

/// The ordinary words the lexicon holds that are names as often as words ("frank", "rose",
/// "deniz"), and the words that follow "my name is" without being one: a name typed in lower case
/// is one of these only right after a relative ("my dad frank").
const ORDINARY: &[&str] = &[
    "dad",
    "mom",
    "mum",
    "sir",
    "bro",
    "sis",
    "kid",
    "guy",
    "lad",
    "son",
    "god",
    "joy",
    "sky",
    "sun",
    "star",
    "ray",
    "rose",
    "pat",
    "jack",
    "bob",
    "sue",
    "dean",
    "chase",
    "rich",
    "grant",
    "hunter",
    "page",
    "bill",
    "mark",
    "frank",
    "august",
    "may",
    "june",
    "april",
    "summer",
    "winter",
    "autumn",
    "hope",
    "faith",
    "grace",
    "honey",
    "baby",
    "angel",
    "king",
    "prince",
    "major",
    "ace",
    "early",
    "young",
    "long",
    "love",
    "lucky",
    "sunny",
    "happy",
    "merry",
    "dot",
    "penny",
    "cash",
    "gay",
    "sage",
    "shelby",
    "storm",
    "river",
    "lake",
    "hill",
    "dale",
    "glen",
    "brook",
    "wood",
    "field",
    "ford",
    "bay",
    "park",
    "hall",
    "bell",
    "rock",
    "stone",
    "west",
    "north",
    "south",
    "east",
    "lane",
    "chance",
    "don",
    "ali",
    "sol",
    "mar",
    "luz",
    "paz",
    "cruz",
    "dia",
    "ora",
    "era",
    "nur",
    "ela",
    "eda",
    "ada",
    "ece",
    "cem",
    "ay",
    "su",
    "gül",
    "deniz",
    "umut",
    "barış",
    "sevgi",
    "ferah",
    "bahar",
    "yaz",
    "kış",
    "ilk",
    "tan",
    "nil",
    "nes",
    "hoi",
    "dag",
    "açık",
    "apa",
    // What follows "my name is" when it is not a name ("my name is misspelled on my card").
    "spelled",
    "spelt",
    "misspelled",
    "misspelt",
    "wrong",
    "missing",
    "already",
    "listed",
    "registered",
    "different",
    "incorrect",
    "correct",
    "changed",
    "showing",
    "shown",
    "printed",
    "written",
    "under",
    "fout",
    "verkeerd",
    "anders",
    "mal",
    "incorrecto",
    "erróneo",
    "faux",
    "falsch",
    "yanlış",
];

/// Capitalised words that are not names, though a context word may come before them (besides
/// `redact`'s own list, which is checked too).
const NOT_NAMES: &[&str] = &[
    "i",
    // The classification, far more often than the name, at a library's desk.
    "dewey",
    // Turkish forms of address after a name ("Ayşe Hanım"); "Hanim" is also a given name.
    "hanım",
    "hanim",
    "hi",
    "hello",
    "hey",
    "thanks",
    "please",
    "french",
    "german",
    "turkish",
    "british",
    "google",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "library",
    "bibliotheek",
    "biblioteca",
    "bibliothèque",
    "bibliothek",
    "kütüphane",
    "jstor",
    "ebsco",
    "scopus",
    "proquest",
    "pubmed",
    "zotero",
    "endnote",
    "citavi",
    "canvas",
    "blackboard",
    "moodle",
    "outlook",
    "gmail",
    "word",
    "excel",
    "wifi",
    "eduroam",
    "le",
    "les",
    "du",
    "des",
    "der",
    "die",
    "das",
    "ein",
    "eine",
    "bir",
    "bu",
    "ve",
    "en",
    "ett",
    "och",
    "hier",
    "aquí",
    "ici",
    "again",
    "today",
    "tomorrow",
    "morgen",
    "vandaag",
    "hoy",
    "mañana",
    "demain",
    "heute",
    "bugün",
    "yarın",
    "ben",
    "sen",
    "o",
    "biz",
    "siz",
    "name",
    "naam",
    "nombre",
    "nom",
];

/// Given names that are also ordinary capitalised words or places: never a name on the lexicon's word alone.
const COMMON: &[&str] = &[
    "May",
    "June",
    "April",
    "August",
    "Will",
    "Mark",
    "Bill",
    "Grace",
    "Hope",
    "Faith",
    "Joy",
    "Rose",
    "Summer",
    "Winter",
    "Autumn",
    "Art",
    "Sun",
    "Paris",
    "London",
    "Florence",
    "Victoria",
    "Georgia",
    "Jordan",
    "Chelsea",
    "Austin",
    "Dallas",
    "Lincoln",
    "Washington",
    "Jackson",
    "Sydney",
    "Holland",
    "China",
    "India",
    "America",
    "Europe",
    "Berlin",
    "Madrid",
    "Roma",
    "Rome",
    "Amsterdam",
    "Ohio",
    "Virginia",
    "Carolina",
    "Indiana",
    "Nevada",
    "Dakota",
    "Christian",
    "Muslim",
    "Jewish",
    "Bible",
    "Harry",
    "Potter",
    "Apple",
    "Amazon",
    "Eden",
    "Dawn",
    "Eve",
    "Star",
    "Bay",
    "Park",
    "Hall",
    "Page",
    "Long",
    "Young",
    "Brown",
    "White",
    "Black",
    "Green",
    "Gray",
    "Grey",
    "Bell",
    "King",
    "Queen",
    "Major",
    "General",
    "Wing",
    "Law",
    "Ray",
    "Lane",
    "Dean",
    "Chase",
    "Rich",
    "Gay",
    "Ivory",
    "Amber",
    "Ruby",
    "Pearl",
    "Jade",
    "Crystal",
    "Olive",
    "Iris",
    "Lily",
    "Daisy",
    "Holly",
    "Ivy",
    "Heather",
    "Violet",
    "Angel",
    "Sky",
    "Storm",
    "River",
    "Forest",
    "Dale",
    "Glen",
    "Cliff",
    "Brook",
    "Hunter",
    "Archer",
    "Mason",
    "Taylor",
    "Cooper",
    "Baker",
    "Carter",
    "Turner",
    "Miller",
    "Porter",
    "Walker",
    "Fisher",
    "Wolf",
    "Fox",
    "Hart",
    "Mai",
    "Juni",
    "Juli",
    "Mayo",
    "Enero",
    "Abril",
    "Avril",
    "Mars",
    "Nur",
    "Deniz",
    "Can",
    "Su",
    "Ay",
    "Gül",
    "Bahar",
    "Ekim",
    "Eylül",
    "Kasım",
    "Aralık",
    "Ocak",
    "Şubat",
    "Mart",
    "Nisan",
    "Mayıs",
    "Haziran",
    "Temmuz",
    "Ağustos",
    "Pazartesi",
    "Salı",
    "Çarşamba",
    "Perşembe",
    "Cuma",
    "Cumartesi",
    "Pazar",
    "Europa",
    "Afrika",
    "Asia",
    "Asya",
    "Maria",
    "Santa",
    "San",
    "Saint",
    "Sint",
    "Sankt",
    "Karl",
    "Marx",
    "Adam",
    "Smith",
    "Guy",
    "Don",
    "Max",
    "Luther",
];

/// Places a Turkish sentence puts a case ending on as it would on a name ("İzmir'e").
const PLACES: &[&str] = &[
    "İstanbul",
    "Istanbul",
    "Ankara",
    "İzmir",
    "Izmir",
    "Bursa",
    "Antalya",
    "Adana",
    "Konya",
    "Trabzon",
    "Eskişehir",
    "Türkiye",
    "Turkiye",
    "Almanya",
    "Hollanda",
    "Fransa",
    "İspanya",
    "İngiltere",
    "Amerika",
    "Avrupa",
    "Londra",
    "Paris",
    "Berlin",
    "Amsterdam",
    "Madrid",
    "Brüksel",
    "Kadıköy",
    "Beşiktaş",
    "Üsküdar",
    "Boğaziçi",
    "Anadolu",
    "Google",
    "Instagram",
    "Twitter",
    "Excel",
    "Word",
    "Zoom",
    "Teams",
    "Moodle",
];

pub(super) static NOT_NAME_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| NOT_NAMES.iter().chain(super::not_names::NOT_NAMES).copied().collect());
pub(super) static COMMON_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COMMON.iter().chain(PLACES).copied().collect());

/// The words that make the name before them a place's or a body's ("Royal Society", "Hackney
/// Archives", "Mansfield Park"), in lower case.
const PLACE_HEADS: &[&str] = &[
    "society",
    "library",
    "libraries",
    "museum",
    "archive",
    "archives",
    "college",
    "university",
    "school",
    "academy",
    "institute",
    "centre",
    "center",
    "foundation",
    "trust",
    "club",
    "press",
    "park",
    "street",
    "road",
    "avenue",
    "square",
    "gardens",
    "bridge",
    "station",
    "airport",
    "hospital",
    "church",
    "cathedral",
    "abbey",
    "castle",
    "palace",
    "theatre",
    "theater",
    "prize",
    "award",
    "lecture",
    "collection",
    "review",
    "journal",
    "gazette",
    "times",
    "herald",
    "tribune",
    "company",
    "council",
    "bay",
    "lake",
    "river",
    "island",
    "county",
    "bibliotheek",
    "universiteit",
    "stichting",
    "bibliothek",
    "universität",
    "stiftung",
    "gymnasium",
    "schule",
    "straße",
    "strasse",
    "platz",
];

/// Whether `word` (capitalised) is a given name of the lexicon, typed with or without the
/// accents the list spells it with ("Álvaro" where the list has "Alvaro").
pub(super) fn is_given(word: &str) -> bool {
    holds(&GIVEN, word)
}

/// Whether `word` (capitalised) is a surname of the lexicon, with or without its accents.
pub(super) fn is_surname(word: &str) -> bool {
    holds(&SURNAMES, word)
}

fn holds(names: &HashSet<&'static str>, word: &str) -> bool {
    names.contains(word) || (!word.is_ascii() && unaccented_in(word, &mut [0u8; 64]).is_some_and(|w| names.contains(w)))
}

/// `word` without the accents of the Latin letters patrons type ("Álvaro" → "Alvaro", "Şahin" →
/// "Sahin"), written into `buf`; None if nothing changed or it does not fit.
fn unaccented_in<'b>(word: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let mut changed = false;
    let letters = word.chars().map(|c| {
        let plain = unaccented(c);
        changed |= plain != c;
        plain
    });
    let out = write_in(letters, buf)?;
    changed.then_some(out)
}

fn unaccented(c: char) -> char {
    match c {
        'À'..='Å' => 'A',
        'à'..='å' => 'a',
        'Ç' | 'Ć' | 'Č' => 'C',
        'ç' | 'ć' | 'č' => 'c',
        'È'..='Ë' | 'Ě' | 'Ę' => 'E',
        'è'..='ë' | 'ě' | 'ę' => 'e',
        'Ì'..='Ï' | 'İ' => 'I',
        'ì'..='ï' | 'ı' => 'i',
        'Ñ' | 'Ń' | 'Ň' => 'N',
        'ñ' | 'ń' | 'ň' => 'n',
        'Ò'..='Ö' | 'Ø' | 'Ő' => 'O',
        'ò'..='ö' | 'ø' | 'ő' => 'o',
        'Ù'..='Ü' | 'Ů' | 'Ű' => 'U',
        'ù'..='ü' | 'ů' | 'ű' => 'u',
        'Ý' | 'Ÿ' => 'Y',
        'ý' | 'ÿ' => 'y',
        'Ş' | 'Ś' | 'Š' => 'S',
        'ş' | 'ś' | 'š' => 's',
        'Ğ' => 'G',
        'ğ' => 'g',
        'Ž' | 'Ź' | 'Ż' => 'Z',
        'ž' | 'ź' | 'ż' => 'z',
        'Ł' => 'L',
        'ł' => 'l',
        'Ř' => 'R',
        'ř' => 'r',
        'Ť' => 'T',
        'ť' => 't',
        'Ď' => 'D',
        'ď' => 'd',
        other => other,
    }
}

/// Short month names that are also given names ("Jan", "Mai"), in lower case: a date's when a
/// day's number is next to them ("14 Jan", "Mai 3").
const MONTH_NAMES: &[&str] = &[
    "jan", "mar", "mei", "mai", "jun", "juni", "jul", "juli", "aug", "sep", "sept", "oct", "okt", "nov", "dec", "dez",
    "ene", "abr", "ago", "dic", "avr", "août",
];

pub(super) fn is_month_name(word: &str) -> bool {
    let mut buf = [0u8; 16];
    lower_in(word, &mut buf).is_some_and(|w| MONTH_NAMES.contains(&w))
}

pub(super) fn heads_a_place(word: &str) -> bool {
    let mut buf = [0u8; 64];
    lower_in(word, &mut buf).is_some_and(|w| PLACE_HEADS.contains(&w))
}

pub(super) fn not_a_name(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphabetic());
    if w.chars().all(|c| c.is_lowercase()) {
        return NOT_NAME_SET.contains(w);
    }
    let mut buf = [0u8; 64];
    match lower_in(w, &mut buf) {
        Some(lower) => NOT_NAME_SET.contains(lower),
        None => NOT_NAME_SET.contains(w.to_lowercase().as_str()),
    }
}

/// `word` in lower case, written into `buf` (no allocation); `None` if it does not fit.
pub(super) fn lower_in<'b>(word: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    // Most words are ASCII: lower-cased a byte at a time, no character decoding.
    if word.is_ascii() {
        let out = buf.get_mut(..word.len())?;
        out.copy_from_slice(word.as_bytes());
        out.make_ascii_lowercase();
        return std::str::from_utf8(out).ok();
    }
    // Elsewhere the ASCII letters still take the byte path: only the others need Unicode's tables.
    let mut len = 0;
    for c in word.chars() {
        if c.is_ascii() {
            *buf.get_mut(len)? = (c as u8).to_ascii_lowercase();
            len += 1;
        } else {
            for l in c.to_lowercase() {
                len += l.encode_utf8(buf.get_mut(len..len + l.len_utf8())?).len();
            }
        }
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// `word` with its first letter in upper case ("frank" → "Frank"), written into `buf`.
pub(super) fn capitalised_in<'b>(word: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let mut chars = word.chars();
    let first = chars.next()?;
    write_in(first.to_uppercase().chain(chars), buf)
}

fn write_in(chars: impl Iterator<Item = char>, buf: &mut [u8]) -> Option<&str> {
    let mut len = 0;
    for c in chars {
        if len + c.len_utf8() > buf.len() {
            return None;
        }
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// A given name that is also an ordinary word or a place ("May", "Paris", "İzmir").
pub(super) fn common(word: &str) -> bool {
    COMMON_SET.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_case_without_allocating_is_unicode_s_lower_case() {
        let mut buf = [0u8; 1024];
        let extra = ["ÇAĞLA İLHAN", "ŞİFRE", "Straße GROẞ", "ÅSA ØSTERGÅRD", "Ἀθῆναι", "ǅemal"];
        for line in super::super::corpus_lines().iter().map(String::as_str).chain(extra) {
            let unicode: String = line.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(lower_in(line, &mut buf), Some(unicode.as_str()), "{line:?}");
            assert_eq!(lower_in(line, &mut [0u8; 4]).is_some(), unicode.len() <= 4, "{line:?}");
        }
    }
}
