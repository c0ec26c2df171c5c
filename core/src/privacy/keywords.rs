//! The words the redactor's detectors start from, found in one pass over a lower-cased line:
//! each detector then runs its patterns only if its words are there (one multi-word scan is far
//! cheaper than a pattern that cannot start from a literal, or a substring test per word).

use std::sync::LazyLock;

use super::automaton::GroupScan;

/// A group of words; its detector's patterns need one of them in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Group {
    /// "at" written out in an email address.
    At,
    /// The words of a user name's patterns ("username", "login", "identifiant").
    Login,
    /// The words of a password's or a PIN's patterns.
    Password,
    /// Setting a password in words ("reset it to …").
    Reset,
    /// "Logged in as", "sign on as".
    LogSign,
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
    /// The words before or around a user name in a sentence ("goes by", "known as", "… on instagram").
    Handle,
    /// A catalogue's own numbers after their word ("LCCN", "OCLC", "record number", "Titelnummer").
    RefNumber,
    /// The words a message is signed off with ("thanks", "groetjes", "cordialement"…).
    SignOff,
    /// Words after which a name typed in lower case can come: naming oneself, a person mentioned,
    /// someone to ask or tell, a title.
    Person,
    /// The words before a number that say it is a phone's (or may: "number", "call").
    PhoneWord,
    /// "ISBN", before a number that is a book's whatever its check digit.
    Isbn,
}

const WORDS: &[(Group, &[&str])] = &[
    // The classifier's own lists: a word added there is looked for here.
    (Group::PhoneWord, super::redact::PHONE_WORDS),
    (Group::PhoneWord, super::redact::STRONG_PHONE_WORDS),
    (Group::Isbn, &["isbn"]),
    (Group::At, &[" at ", "arroba", "chez", "(at)", "[at]", "(@", "[@", "( at", "[ at", "{at}"]),
    // Each word (or a piece of it) that the pattern it guards cannot match without.
    (
        Group::Login,
        &[
            "user",
            "account",
            "login",
            "log-in",
            "inlog",
            "netid",
            "gebruik",
            "usuario",
            "identifiant",
            "utilisateur",
            "benutzer",
            "kennung",
            "anv",
            "kullan",
        ],
    ),
    (Group::Password, &["pass", "pw", "pin", "wacht", "contrase", "mdp", "kennw", "lösen", "losen", "ifre", "parola"]),
    (Group::Reset, &["set", "change"]),
    (Group::LogSign, &["log", "sign"]),
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
            "gatan",
            "vägen",
            "gränd",
            "torget",
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
        Group::Handle,
        &[
            "by",
            "known",
            "handle",
            "goodreads",
            "insta",
            "twitter",
            "tiktok",
            "discord",
            "reddit",
            "bsky",
            "bluesky",
            "mastodon",
            "snap",
            "threads",
            "steam",
            "github",
            "telegram",
            "skype",
            "teams",
            "facebook",
            "fb",
            "linkedin",
        ],
    ),
    (
        Group::RefNumber,
        &[
            "lccn",
            "control",
            "oclc",
            "ocn",
            "ppn",
            "record",
            "catalog",
            "bib",
            "titelnummer",
            "registro",
            "notice",
            "kay",
        ],
    ),
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
            "adına",
            "adina",
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
            "graphic",
            "comics",
            "roman",
            "şiir",
            "biyografi",
            "hakk",
            "eser",
            "üzerine",
            "checked out",
            "biograph",
            "memoir",
            "audio",
            "ebook",
            "e-book",
            "novels",
            "stories",
            "poems",
            "poetry",
            "plays",
            "series",
            "documentar",
            "latest",
            "newest",
            "new one",
            "new book",
            "write",
            "wrote",
            "written",
            "schreef",
            "schrijft",
            "geschreven",
            "escribi",
            "escrito",
            "crit",
            "schrieb",
            "yazd",
            "my fav",
            "kitab",
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
        &[
            "born",
            "birth",
            "dob",
            "d.ob",
            "do.b",
            "d.o.b",
            "geboren",
            "geboortedatum",
            "geb",
            "nacimiento",
            "naci",
            "nací",
            "cumplea",
            "naissance",
            "doğ",
            "dog",
            "född",
            "fodd",
            "födelse",
            "fodelse",
        ],
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
            "steuer",
            "idnr",
            "personalausweis",
            "ausweisnummer",
            "ssn",
            "social",
            "dni",
            "nie",
            "numero",
            "número",
        ],
    ),
    (
        Group::CardWord,
        &[
            "card",
            "barcode",
            "patron",
            "pas",
            "tarjeta",
            "carn",
            "nummer",
            "ausweis",
            "member",
            "socio",
            "adh",
            "üye",
            "uye",
            "lånekort",
            "lanekort",
            "library",
        ],
    ),
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
            "çalışma",
            "iyi gün",
            "iyi akşam",
            "görüşürüz",
            "hoşça",
            "hej då",
            "cya",
            "see ya",
            "see you",
            "ttyl",
            "tschüs",
            "ciao",
            "adiós",
            "hasta luego",
            "bientôt",
            "tot ziens",
            "doei",
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
            "kardeş",
            "annem",
            "babam",
            "ablam",
            "abim",
            "eşim",
            "oğlum",
            "kızım",
            "kuzenim",
            "teyzem",
            "amcam",
            "halam",
            "dayım",
            "sevgilim",
            "nişanlım",
            "my mum",
            "my mom",
            "my dad",
            "mother",
            "father",
            "my son",
            "daughter",
            "husband",
            "my wife",
            "fianc",
            "my grand",
            "cousin",
            "niece",
            "nephew",
            "my aunt",
            "uncle",
            "my kid",
            "moeder",
            "vader",
            "mama",
            "papa",
            "mamá",
            "papá",
            "zoon",
            "dochter",
            "mijn man",
            "mijn vrouw",
            "mijn oma",
            "meine oma",
            "mijn opa",
            "mein opa",
            "neef",
            "nicht",
            "tante",
            "oom",
            "madre",
            "padre",
            "mi hij",
            "espos",
            "marido",
            "mujer",
            "pareja",
            "abuel",
            "mi prim",
            "mi tí",
            "sobrin",
            "fils",
            "mon mari",
            "père",
            "oncle",
            "neveu",
            "compagn",
            "camarade",
            "fille",
            "femme",
            "mère",
            "nièce",
            "sohn",
            "tochter",
            "mann",
            "mutter",
            "onkel",
            "enkel",
            "mitbewohner",
            "betreuer",
            "min son",
            "dotter",
            "mamma",
            "pappa",
            "min man",
            "min fru",
            "sambo",
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
            "pregúnt",
            "neighbo",
            "carer",
            "caregiver",
            "nanny",
            "babysitter",
            "worker",
            "boss",
            "manager",
            "landlord",
            "landlady",
            "step",
            "in-law",
            "grandkid",
            "granny",
            "nan",
            "godson",
            "goddaughter",
            "buur",
            "zwager",
            "stief",
            "verzorg",
            "baas",
            "mentor",
            "hier",
            "vecin",
            "niet",
            "suegr",
            "cuñad",
            "jef",
            "cuidador",
            "tío",
            "tía",
            "voisin",
            "patron",
            "chef",
            "belle",
            "nachbar",
            "schwieger",
            "schwäger",
            "schwager",
            "pfleger",
            "komşum",
            "torunum",
            "yengem",
            "eniştem",
            "granne",
            "mormor",
            "farmor",
            "morfar",
            "farfar",
            "oma",
            "opa",
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

static SCAN: LazyLock<GroupScan> =
    LazyLock::new(|| GroupScan::new(WORDS.iter().flat_map(|(g, words)| words.iter().map(move |w| (*g as u8, *w)))));

/// Which groups' words a line holds, and which bytes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Mentions {
    groups: u32,
    bytes: ByteSet,
}

impl Mentions {
    /// Which groups' words `text` holds, in any case: ASCII letters are matched in either case by
    /// the scan itself; a line with any other letter is lower-cased first.
    pub(super) fn in_text(text: &str) -> Mentions {
        let (ascii_groups, set) = SCAN.scan_with_bytes(text.as_bytes());
        let bytes = ByteSet(set);
        // No byte beyond ASCII: the scan, matching ASCII letters in either case, has its answer.
        let groups = if !bytes.beyond_ascii() {
            ascii_groups
        } else {
            // Lower-cased on the stack where it fits: most messages are short.
            let mut buf = [0u8; 512];
            match super::lexicon::lower_in(text, &mut buf) {
                Some(lower) => Mentions::scan(lower),
                None => Mentions::scan(&text.to_lowercase()),
            }
        };
        Mentions { groups, bytes }
    }

    /// What a line already in lower case holds.
    #[cfg(test)]
    pub(super) fn of(lower: &str) -> Mentions {
        Mentions { groups: Mentions::scan(lower), bytes: ByteSet::of(lower) }
    }

    fn scan(lower: &str) -> u32 {
        SCAN.scan(lower.as_bytes())
    }

    pub(super) fn has(self, g: Group) -> bool {
        self.groups & (1 << g as u8) != 0
    }

    /// Which bytes the line holds.
    pub(super) fn bytes(self) -> ByteSet {
        self.bytes
    }
}

/// Which bytes a line holds: one pass over it, then each "does it hold …" is a bit test, and a
/// search runs only where the first byte of what is looked for is there at all.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ByteSet([u64; 4]);

impl ByteSet {
    /// The set of `text`'s bytes (the line's own comes from the keyword scan's pass).
    #[cfg(test)]
    pub(super) fn of(text: &str) -> ByteSet {
        let mut set = [0u64; 4];
        for b in text.bytes() {
            set[usize::from(b >> 6)] |= 1 << (b & 63);
        }
        ByteSet(set)
    }

    pub(super) fn has(self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    /// Whether the line holds an ASCII digit.
    pub(super) fn has_digit(self) -> bool {
        self.0[0] & (0x3ff << 48) != 0
    }

    /// Whether the line holds an ASCII capital.
    pub(super) fn has_capital(self) -> bool {
        self.0[1] & (0x3ff_ffff << 1) != 0
    }

    /// Whether the line holds a byte beyond ASCII.
    pub(super) fn beyond_ascii(self) -> bool {
        self.0[2] | self.0[3] != 0
    }

    /// Whether `text` (the line this set was made of) holds `needle`.
    pub(super) fn holds(self, text: &str, needle: &[u8]) -> bool {
        match needle {
            [] => true,
            [b] => self.has(*b),
            // Every byte of the needle in the line first: bit tests, where the search reads the line.
            _ => needle.iter().all(|&b| self.has(b)) && holds_bytes(text.as_bytes(), needle),
        }
    }

    /// Whether `text` (the line this set was made of) holds any of `chars`.
    pub(super) fn holds_any(self, text: &str, chars: &[char]) -> bool {
        chars.iter().any(|&c| self.holds(text, c.encode_utf8(&mut [0; 4]).as_bytes()))
    }
}

/// Whether `hay` holds `needle`. On a chat line's few dozen bytes, `str::contains`'s searcher
/// set-up (two-way, for a needle of two bytes or more) costs more than the search: a search for
/// the first byte, then a comparison, is several times cheaper here.
pub(super) fn holds_bytes(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    memchr::memchr_iter(first, hay).any(|i| hay[i + 1..].starts_with(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_s_bytes_answer_what_it_holds() {
        let text = "see www.x.org – 10.1000/182";
        let set = ByteSet::of(text);
        assert!(set.has_digit() && set.has(b'w') && !set.has(b'@'));
        assert!(set.holds(text, b"www.") && set.holds(text, b"10.") && !set.holds(text, b"://"));
        assert!(set.holds_any(text, &['~', '–']) && !set.holds_any(text, &['—', '’']));
        assert!(!ByteSet::of("no digits").has_digit());
        assert!(
            ByteSet::of("a Z").has_capital() && ByteSet::of("A").has_capital() && !ByteSet::of("az@[`{").has_capital()
        );
        assert!(ByteSet::of("é").beyond_ascii() && !ByteSet::of("az~\x7f").beyond_ascii());
        assert!(holds_bytes(b"a:/://", b"://") && !holds_bytes(b"a:/", b"://") && holds_bytes(b"", b""));
    }

    proptest::proptest! {
        /// A line holds what `windows` finds.
        #[test]
        fn a_line_holds_a_needle_where_a_window_of_it_is_the_needle(
            hay in "[ab:/.w]{0,200}", needle in "[ab:/.w]{1,4}"
        ) {
            let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
            let windows = hay.windows(needle.len()).any(|w| w == needle);
            proptest::prop_assert_eq!(holds_bytes(hay, needle), windows);
            let text = std::str::from_utf8(hay).unwrap();
            proptest::prop_assert_eq!(ByteSet::of(text).holds(text, needle), windows);
        }
    }

    /// The table scan finds the groups that a general Aho–Corasick search, match by match, finds:
    /// on every corpus line as written, in lower and in upper case.
    #[test]
    fn the_keyword_automaton_finds_what_a_general_searcher_finds() {
        let (groups, words): (Vec<Group>, Vec<&str>) =
            WORDS.iter().flat_map(|(g, words)| words.iter().map(move |w| (*g, *w))).unzip();
        let ac = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(&words).unwrap();
        let mut seen = 0u32;
        for line in super::super::corpus_lines() {
            for text in [line.clone(), line.to_lowercase(), line.to_uppercase()] {
                let expected =
                    ac.find_overlapping_iter(&text).fold(0u32, |acc, m| acc | 1 << groups[m.pattern()] as u8);
                assert_eq!(Mentions::scan(&text), expected, "{text:?}");
                seen |= expected;
            }
        }
        let groups = WORDS.iter().fold(0u32, |acc, (g, _)| acc | 1 << *g as u8);
        assert_eq!(seen, groups, "every group occurs in the corpora");
    }

    #[test]
    fn one_pass_says_which_groups_of_words_a_line_holds() {
        let m = Mentions::of("my password is x, i live at 12 rue de la paix");
        assert!(m.has(Group::Password) && m.has(Group::At) && m.has(Group::StreetFr));
        assert!(!m.has(Group::StreetTr) && !m.has(Group::BornAfter));
        assert!(!Mentions::of("").has(Group::At));
        // A word in two groups counts for both ("pas": a passport's and a library pass's).
        let m = Mentions::of("mijn pas");
        assert!(m.has(Group::IdWord) && m.has(Group::CardWord));
    }
}
