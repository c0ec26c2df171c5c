//! The words the redactor's detectors start from, found in one pass over a lower-cased line:
//! each detector then runs its patterns only if its words are there (one multi-word scan is far
//! cheaper than a pattern that cannot start from a literal, or a substring test per word).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// A group of words; its detector's patterns need one of them in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Group {
    /// "at" written out in an email address.
    At,
    /// User names and passwords.
    Login,
    /// Social sites' profile links.
    Profile,
    /// A birth date before its word ("am 7. Juli 1999 geboren").
    BornAfter,
    Student,
    StreetFr,
    StreetDe,
    StreetUk,
    StreetTr,
    Postcode,
    /// Words after a name ("Megan here", "Demir Hanım").
    AfterName,
    /// Words after a name that is the topic ("… checked out", "… kitapları").
    TopicAfter,
    /// A date of birth after its word ("born on", "geboortedatum", "fecha de nacimiento").
    Dob,
    /// Identity numbers after their word (passport, student, staff, BSN, DNI…).
    IdWord,
    /// A library card's number after its word.
    CardWord,
    /// The kinds of street of an English address ("Street", "Rd", "Pkwy"…).
    StreetEn,
    /// The endings of a Dutch street's name ("-straat", "-laan", "-gracht"…).
    StreetNl,
    /// The words of a Spanish address ("calle", "avda.", "plaza"…).
    StreetEs,
    /// The words a message is signed off with ("thanks", "groetjes", "cordialement"…).
    SignOff,
    /// Words after which a name typed in lower case can come: naming oneself, a person mentioned,
    /// someone to ask or tell, a title.
    Person,
}

const WORDS: &[(Group, &[&str])] = &[
    (Group::At, &[" at ", "arroba", "chez", "(at)", "[at]", "(@", "[@", "( at", "[ at", "{at}"]),
    (
        Group::Login,
        &[
            "pass",
            "pw",
            "pin",
            "login",
            "log-in",
            "user",
            "netid",
            "wacht",
            "gebruik",
            "inlog",
            "usuario",
            "contrase",
            "identifiant",
            "utilisateur",
            "mdp",
            "benutzer",
            "kennung",
            "kennw",
            "ifre",
            "parola",
            "kullan",
            "anv",
            "lösen",
            "losen",
        ],
    ),
    (Group::Profile, &[".com/", ".net/", ".app/", ".social/"]),
    (Group::BornAfter, &["geboren", "doğdum", "dogdum", "född", "fodd"]),
    (Group::Student, &["stud", "matr", "tudiant", "renci", "alumno"]),
    (
        Group::StreetFr,
        &[
            "rue ",
            "avenue",
            "av.",
            "boulevard",
            "bd ",
            "place",
            "pl.",
            "allée",
            "allee",
            "chemin",
            "impasse",
            "quai",
            "cours ",
            "route",
            "square",
            "passage",
            "rond-point",
            "faubourg",
        ],
    ),
    (
        Group::StreetDe,
        &[
            "straße",
            "strasse",
            "str.",
            "weg ",
            "allee",
            "platz",
            "gasse",
            "ring ",
            "damm",
            "ufer",
            "chaussee",
            "steig",
            "pfad",
            "markt",
            "am ",
            "an der",
            "an den",
            "im ",
            "in der",
            "auf dem",
            "zum ",
            "zur ",
            "unter den",
        ],
    ),
    (
        Group::StreetUk,
        &[
            "street", "st ", "st.", "road", "rd", "lane", "avenue", "ave", "close", "crescent", "gardens", "grove",
            "mews", "row", "square", "terrace", "walk", "way", "hill", "park", "place", "drive", "court",
        ],
    ),
    (Group::StreetTr, &["cad", "sok", "sk.", "bulvar", "blv", "mah"]),
    (Group::Postcode, &["post", "zip", "code", "plz", "kodu"]),
    (
        Group::AfterName,
        &[
            " here",
            " hier",
            " aquí",
            " ici",
            " ben",
            "hanım",
            "hanim",
            " bey",
            " hoca",
            "laten weten",
            " vragen",
            " fragen",
            "bescheid",
        ],
    ),
    (
        Group::TopicAfter,
        &[
            "kitap",
            "roman",
            "şiir",
            "biyografi",
            "hakk",
            "eser",
            "üzerine",
            "checked out",
            "on loan",
            "shelf",
            "stock",
            "available",
            "uitgeleend",
            "beschikbaar",
            "prestado",
            "disponible",
            "emprunt",
            "ausgeliehen",
            "entliehen",
            "verfügbar",
            "ödünç",
        ],
    ),
    (
        Group::Dob,
        &["born", "birth", "dob", "d.ob", "do.b", "d.o.b", "geboren", "geboortedatum", "nacimiento", "naci", "nací"],
    ),
    (
        Group::IdWord,
        &[
            "pas",
            "student",
            "staff",
            "employee",
            "personeel",
            "id",
            "bsn",
            "ssn",
            "social",
            "dni",
            "nie",
            "numero",
            "número",
        ],
    ),
    (Group::CardWord, &["card", "barcode", "patron", "pas", "tarjeta", "carn"]),
    (
        Group::StreetEn,
        &[
            "st",
            "ave",
            "road",
            "rd",
            "boulevard",
            "blvd",
            "lane",
            "ln",
            "dr",
            "court",
            "ct",
            "way",
            "pl",
            "terrace",
            "cir",
            "parkway",
            "pkwy",
            "highway",
            "hwy",
        ],
    ),
    (
        Group::StreetNl,
        &["straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk", "dreef", "hof", "steeg", "pad"],
    ),
    (
        Group::StreetEs,
        &["calle", "c/", "avenida", "avda", "av.", "plaza", "pza", "paseo", "camino", "carrera", "ronda"],
    ),
    (
        Group::SignOff,
        &[
            "thank",
            "thx",
            "ty",
            "cheers",
            "regards",
            "best",
            "sincerely",
            "bye",
            "love",
            "take",
            "groet",
            "gr",
            "mvg",
            "bedankt",
            "dank",
            "saludo",
            "atentamente",
            "gracias",
            "cordialement",
            "bien",
            "merci",
            "bonne",
            "amiti",
            "bises",
            "grüße",
            "vg",
            "lg",
            "mfg",
            "danke",
            "teşekkür",
            "sağ",
            "sag",
            "sayg",
            "hälsningar",
            "mvh",
            "tack",
        ],
    ),
    (
        Group::Person,
        &[
            "name",
            "llamo",
            "nombre",
            "appelle",
            "heiße",
            "heisse",
            "heet",
            "naam",
            "adım",
            "adim",
            "heter",
            "namn",
            "i'm",
            "i’m",
            "im ",
            "its ",
            "it's",
            "it’s",
            "this is",
            "i am",
            "ik ben",
            "soy",
            "ich bin",
            "friend",
            "mate",
            "colleague",
            "sister",
            "brother",
            "tutor",
            "supervisor",
            "teacher",
            "partner",
            "boyfriend",
            "girlfriend",
            "vriend",
            "collega",
            "zus",
            "broer",
            "genoot",
            "begeleider",
            "docent",
            "amig",
            "compañer",
            "herman",
            "novi",
            "profesor",
            "ami",
            "copain",
            "collègue",
            "frère",
            "copine",
            "sœur",
            "soeur",
            "freund",
            "kommiliton",
            "kolleg",
            "schwester",
            "bruder",
            "arkadaş",
            "vän",
            "kompis",
            "syster",
            "bror",
            "ask",
            "tell",
            "vraag",
            "vragen",
            "zeg",
            "pregunt",
            "dile",
            "demander",
            "dites",
            "mr",
            "ms",
            "miss",
            "mx",
            "dr",
            "prof",
            "meneer",
            "mevrouw",
            "dhr",
            "mevr",
            "señor",
            "sr",
            "monsieur",
            "madame",
            "mme",
            "herr",
            "frau",
        ],
    ),
];

static SCAN: LazyLock<(AhoCorasick, Vec<Group>)> = LazyLock::new(|| {
    let (groups, words): (Vec<Group>, Vec<&str>) =
        WORDS.iter().flat_map(|(g, words)| words.iter().map(move |w| (*g, *w))).unzip();
    // A DFA: a few kilobytes more than the default, and the fastest scan (every line takes it).
    let ac = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .build(words)
        .unwrap_or_else(|e| panic!("the redactor's keywords: {e}"));
    (ac, groups)
});

/// Which groups' words a lower-cased line holds.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Mentions(u32);

impl Mentions {
    pub(super) fn of(lower: &str) -> Mentions {
        let (ac, groups) = &*SCAN;
        let mut bits = 0u32;
        for m in ac.find_overlapping_iter(lower) {
            bits |= 1 << groups[m.pattern().as_usize()] as u8;
        }
        Mentions(bits)
    }

    pub(super) fn has(self, g: Group) -> bool {
        self.0 & (1 << g as u8) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_says_which_groups_of_words_a_line_holds() {
        let m = Mentions::of("my password is x, i live at 12 rue de la paix");
        assert!(m.has(Group::Login) && m.has(Group::At) && m.has(Group::StreetFr));
        assert!(!m.has(Group::StreetTr) && !m.has(Group::BornAfter));
        assert!(!Mentions::of("").has(Group::At));
        // A word in two groups counts for both ("pas": a passport's and a library pass's).
        let m = Mentions::of("mijn pas");
        assert!(m.has(Group::IdWord) && m.has(Group::CardWord));
    }
}
