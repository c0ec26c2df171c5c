//! What the words next to a capitalised word say about it: that it is a person who does, owns or
//! is asked about something ("Aisha wanted…", "Jamal's card", "can Jordan pick up…", "Jake, Priya
//! and I"), where a title or an author would not fit.

use super::lexicon::is_given;

/// Whether "im" or "its" (I'm, it's typed without the apostrophe) right before `s` follows a
/// greeting ("hi! im Tamsin", "hi its Priyanka"): elsewhere "im" is as often the German "im"
/// ("im Lesesaal").
pub(super) fn typed_im(text: &str, s: usize) -> bool {
    let prev = prev_word(text, s);
    if !(prev.eq_ignore_ascii_case("im") || prev.eq_ignore_ascii_case("its")) {
        return false;
    }
    let before = text[..s].trim_end();
    let greeting = before[..before.len() - prev.len()].split_whitespace().next_back().unwrap_or("");
    let greeting = greeting.trim_end_matches([',', '.', '!', '?']);
    ["hi", "hey", "hello", "hiya", "heya"].iter().any(|g| greeting.eq_ignore_ascii_case(g))
}

/// Whether "and" (or its kin) and a given name or "I" follow `end`, or a comma and a given name:
/// "Courtney and Marcus are…", "Tyler and I need…", "Jake, Priya and I…".
pub(super) fn and_a_name_next(text: &str, end: usize) -> bool {
    let rest = text[end..].strip_prefix(',').unwrap_or(&text[end..]);
    let listed = rest.len() < text.len() - end;
    let mut words = rest.split_whitespace();
    let and = words.next().unwrap_or("");
    let bare = |w: &str| w.trim_end_matches(|c: char| !c.is_alphabetic()).to_owned();
    // "Jake, Priya and I…": a list of given names.
    if listed && and.starts_with(char::is_uppercase) && is_given(&bare(and)) {
        return true;
    }
    let next = bare(words.next().unwrap_or(""));
    const AND: &[&str] = &["and", "&", "y", "et", "und", "en", "ve", "och"];
    // "Tyler and I", "Lea und ich": the patron names a companion.
    const I: &[&str] = &["I", "me", "yo", "moi", "ich", "ik", "ben", "jag"];
    AND.contains(&and) && (is_given(&next) || I.contains(&next.as_str()))
}

/// Whether what follows `end` is a thing a person has ("card", "phone", "account"): after a
/// possessive, its owner is a person, not an author.
pub(super) fn owns_next(text: &str, end: usize) -> bool {
    const THINGS: &[&str] = &[
        "card",
        "phone",
        "account",
        "email",
        "number",
        "login",
        "laptop",
        "password",
        "pin",
        "fines",
        "holds",
        "mum",
        "mom",
        "dad",
        "brother",
        "sister",
        "friend",
        "name",
        "library",
        "address",
        "id",
        "reservation",
        "request",
        "locker",
        "charger",
    ];
    let next = next_word(text, end).trim_end_matches(|c: char| !c.is_alphabetic());
    THINGS.iter().any(|t| next.eq_ignore_ascii_case(t))
}

/// Whether the capitalised word at `s..e` is asked about as someone who does a thing: an
/// auxiliary opens the sentence and a person's verb follows ("did Thandiwe return…", "can Yuki
/// pick up…"): "is Zotero working" stays, as products do not call, bring or pick up.
pub(super) fn asked_what_they_did(text: &str, s: usize, e: usize) -> bool {
    const AUX: &[&str] = &["did", "can", "could", "will", "would", "has", "does"];
    const DOES: &[&str] = &[
        "return", "bring", "pick", "call", "email", "text", "say", "tell", "leave", "drop", "come", "send", "know",
        "give", "get",
    ];
    let before = text[..s].trim_end();
    let aux = before.rsplit(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?')).next().unwrap_or("");
    let opens = before[..before.len() - aux.len()].trim_end();
    let next = next_word(text, e);
    AUX.iter().any(|a| aux.eq_ignore_ascii_case(a))
        && (opens.is_empty() || opens.ends_with([',', '.', '!', '?']))
        && DOES.contains(&next)
}

/// Whether the capitalised word at `s..e` is asked about as someone who may be at the desk today:
/// "is Marloes vandaag…", "is Gareth working", "ist Kerstin heute da" (a book is "in" or
/// "available", not "working" or "here today").
pub(super) fn asked_if_in(text: &str, s: usize, e: usize) -> bool {
    const IS: &[&str] = &["is", "ist", "está", "esta", "är", "zit", "werkt", "arbeitet", "trabaja", "travaille"];
    const IN: &[&str] = &[
        "working",
        "here",
        "around",
        "today",
        "vandaag",
        "heute",
        "hoy",
        "aujourd'hui",
        "idag",
        "bugün",
        "hier",
        "ici",
        "aquí",
        "aqui",
    ];
    let before = text[..s].trim_end();
    let is =
        before.rsplit(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?' | '¿')).next().unwrap_or("");
    let opens = before[..before.len() - is.len()].trim_end();
    (opens.is_empty() || opens.ends_with([',', '.', '!', '?', '¿']))
        && IS.iter().any(|w| is.eq_ignore_ascii_case(w))
        && IN.contains(&next_word(text, e).trim_end_matches(['?', '.', '!', ',']))
}

/// The end of a given name after `end`, past a comma: "Zhang, Wei".
pub(super) fn given_after_comma(text: &str, end: usize) -> Option<usize> {
    let rest = text[end..].strip_prefix(", ")?;
    // The word right after the comma and its one space (`split_whitespace` would skip more spaces,
    // and the name's end would be counted from the wrong place).
    let word = rest.split(char::is_whitespace).next()?.trim_end_matches(|c: char| !c.is_alphabetic());
    if !(word.starts_with(char::is_uppercase) && is_given(word)) {
        return None;
    }
    let ge = end + 2 + word.len();
    // A capitalised word after the given name makes it "Given Surname", not "Surname, Given".
    (!next_word(text, ge).starts_with(char::is_uppercase)).then_some(ge)
}

/// Whether the words after `end` say that someone told the patron something ("said", "zei",
/// "m'a dit"): only a person does, where "needs" or "lost" may follow a thing's name.
pub(super) fn spoke_next(text: &str, end: usize) -> bool {
    const SPOKE: &[&str] = &["said", "told", "zei", "vertelde", "dijo", "sagte", "meinte", "dedi", "söyledi", "sa"];
    let mut words = text[end..].split_whitespace();
    let lower = words.next().unwrap_or("").trim_end_matches([',', '.']).to_lowercase();
    SPOKE.contains(&lower.as_str())
        || (matches!(lower.as_str(), "m'a" | "me" | "hat" | "heeft") && {
            let then = words.next().unwrap_or("").to_lowercase();
            matches!(then.as_str(), "dit" | "dijo" | "gesagt" | "gezegd" | "verteld")
        })
}

/// Whether the word after `end` is one a person does ("Oksana said", "Willemijn zei", "Ximena y
/// yo"): a given name at the start of a sentence is then the subject, not a capitalised word.
pub(super) fn acts_next(text: &str, end: usize) -> bool {
    // What a person says, asks or does; not "is" or "has", which follow an author as often
    // ("Toni Morrison is…").
    const ACTS: &[&str] = &[
        "said",
        "says",
        "told",
        "asked",
        "wants",
        "needs",
        "mentioned",
        "suggested",
        "recommended",
        "thinks",
        "knows",
        "sent",
        "gave",
        "borrowed",
        "lost",
        "again",
        "found",
        "can't",
        "cannot",
        "zei",
        "zegt",
        "vroeg",
        "wil",
        "dijo",
        "dice",
        "quiere",
        "m'a",
        "m’a",
        "dit",
        "veut",
        "sagt",
        "sagte",
        "meinte",
        "dedi",
        "bana",
        "sa",
        "from",
        // What a patron tells of someone they know; not "came", "won" or "thought", which follow
        // an author or a title as often ("Harry Potter came out in 1997").
        "wanted",
        "needed",
        "brought",
        "dropped",
        "emailed",
        "texted",
        "called",
        "returned",
        "picked",
        "paid",
        "booked",
        "forgot",
        "helped",
        "left",
    ];
    // The patron with someone ("Mehmet and I", "Ximena y yo"), or a saying in two words.
    const PAIRS: &[(&str, &str)] = &[
        ("and", "i"),
        ("and", "me"),
        ("y", "yo"),
        ("et", "moi"),
        ("und", "ich"),
        ("en", "ik"),
        ("ve", "ben"),
        ("och", "jag"),
        ("hat", "gesagt"),
        ("hat", "gemeint"),
        ("heeft", "gezegd"),
        ("har", "sagt"),
        ("a", "dit"),
        ("a", "pris"),
        ("a", "rendu"),
        ("a", "emprunté"),
        ("a", "perdu"),
        // "again": a patron writing once more ("Henk nog een keer", "Pablo otra vez").
        ("nog", "een"),
        ("nogmaals", ""),
        ("otra", "vez"),
        ("de", "nuevo"),
        ("encore", ""),
        ("nochmal", ""),
        ("noch", "einmal"),
        ("igen", ""),
        ("tekrar", ""),
    ];
    let mut words =
        text[end..].split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?')).filter(|w| !w.is_empty());
    let (Some(first), second) = (words.next(), words.next()) else { return false };
    let first = first.to_lowercase();
    let second = second.map(str::to_lowercase);
    ACTS.contains(&first.as_str())
        || PAIRS.iter().any(|&(a, b)| a == first && (b.is_empty() || second.as_deref() == Some(b)))
}

/// The word before `start`, back to the space before it ("" at the start of the line).
pub(super) fn prev_word(text: &str, start: usize) -> &str {
    // A backward scan: `split_whitespace().next_back()` costs several times more on every
    // capitalised word of every line.
    let head = text[..start].trim_end();
    match head.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
        Some((i, c)) => &head[i + c.len_utf8()..],
        None => head,
    }
}

/// The word after `end`, as far as the next space ("" at the end of the line).
pub(super) fn next_word(text: &str, end: usize) -> &str {
    text[end..].split_whitespace().next().unwrap_or("")
}
