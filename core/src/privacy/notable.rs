//! The people and characters patrons ask about by name (writers, historical figures, artists,
//! composers, fiction's characters; `core/data/notable-names.txt`, written for Refdesk): a run of
//! capitalised words equal to one of them is a topic, not a person in the conversation; and the
//! titles that hold a given name ("Anne of Green Gables").

use std::sync::LazyLock;

use rustc_hash::FxHashSet as HashSet;

use super::cues::prev_word;
use super::lexicon::{is_given, is_surname};

static NOTABLE: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/notable-names.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
});
/// The most words an entry has ("Mary Queen of Scots", "Charlie and the Chocolate Factory").
static MOST_WORDS: LazyLock<usize> = LazyLock::new(|| NOTABLE.iter().map(|n| n.split(' ').count()).max().unwrap_or(1));
/// The entries' first words, one word and more, that more of the entry follows ("Martin",
/// "Martin Luther", "Martin Luther King"): where what has been read is none of them, no longer
/// entry can start there, and the words after it are not read.
static LEADS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| NOTABLE.iter().flat_map(|n| n.match_indices(' ').map(|(i, _)| &n[..i])).collect());

/// The notable names in `text`, each starting at one of its capitalised words (`caps`, as
/// `people` finds them): the longest entry wins ("Martin Luther King Jr" over "Martin Luther").
/// A one-word entry counts only where no capitalised word stands right before it ("Bach" is a
/// topic, "Anna Bach" and "Mr Bach" are people). A possessive or a Turkish case ending after the
/// name is not part of it ("Darwin's", "Atatürk'ün").
pub(super) fn find(text: &str, caps: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &(s, _) in caps {
        if out.last().is_some_and(|&(_, e)| s < e) {
            continue;
        }
        let mut best = None;
        let mut end = s;
        for _ in 0..*MOST_WORDS {
            let rest = &text[end..];
            let word_end = end + rest.find(' ').unwrap_or(rest.len());
            let word = trim_punctuation(&text[end..word_end]);
            // With an apostrophe's ending and without: "O'Keeffe" is whole, "Darwin's" is not.
            for e in [end + word.len(), end + without_ending(word).len()] {
                if e > s && NOTABLE.contains(&text[s..e]) {
                    best = best.max(Some(e));
                }
            }
            // The next word, after one space: an entry never holds two in a row.
            if word_end >= text.len() || !LEADS.contains(&text[s..word_end]) {
                break;
            }
            end = word_end + 1;
        }
        let Some(e) = best else { continue };
        if !part_of_a_longer_name(text, s, e) {
            out.push((s, e));
        }
    }
    out
}

/// `word` without the punctuation that may close it in running text.
fn trim_punctuation(word: &str) -> &str {
    word.trim_end_matches([',', '.', '!', '?', ';', ':', ')', '"', '”', '»'])
}

/// `word` without a possessive or a Turkish case ending after an apostrophe ("Darwin's",
/// "Atatürk'ün").
fn without_ending(word: &str) -> &str {
    match word.rfind(['\'', '’']) {
        Some(i) if i > 0 && word.len() - i <= 6 => &word[..i],
        _ => word,
    }
}

/// Whether the entry at `s..e` is only part of someone's name: after a known name or a title
/// ("Jürgen Victor Hugo", "heeft Bas Günter Grass", "Mr Bach"), a one-word entry after any
/// capitalised word ("Anna Bach"), or before a known name ("Marie Antoinette Arslan").
fn part_of_a_longer_name(text: &str, s: usize, e: usize) -> bool {
    let head = text[..s].trim_end();
    let prev = head.split_whitespace().next_back().unwrap_or("");
    let capitalised = prev.starts_with(char::is_uppercase) && !prev.ends_with(['.', '!', '?', ':', ',']);
    let named = |w: &str| is_given(w) || is_surname(w) || TITLES.contains(&w.trim_end_matches('.'));
    // A one-word entry after any capitalised word; a longer one only after a name or a title
    // (German capitalises nouns and "Sie": "haben Sie Max und Moritz").
    let one_word = !text[s..e].contains(' ');
    if capitalised && (named(prev) || one_word) {
        return true;
    }
    let next = text[e..].strip_prefix(' ').and_then(|r| r.split_whitespace().next()).unwrap_or("");
    let next = next.trim_end_matches([',', '.', '!', '?', ';', ':']);
    next.starts_with(char::is_uppercase) && (is_given(next) || is_surname(next))
}

/// Titles before a surname, in the languages patrons write.
const TITLES: &[&str] = &[
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Dr",
    "Prof",
    "Professor",
    "Sir",
    "Dame",
    "Meneer",
    "Mevrouw",
    "Mevr",
    "Dhr",
    "Herr",
    "Frau",
    "Señor",
    "Señora",
    "Sr",
    "Sra",
    "Don",
    "Doña",
    "Monsieur",
    "Madame",
    "Mme",
    "Mlle",
    "M",
    "Bay",
    "Bayan",
    "Fru",
];

/// Whether the given name at `s..e` is a word of a title or an epithet rather than a person:
/// "Anne of Green Gables", "Harriet the Spy", "Le Petit Prince", "Jane Austen's Emma". Told by
/// what stands next to it: "of" or "the" and a capital after it; before it, a possessive, or a
/// run of capitalised words opened by an article. (A capitalised word before it is not enough:
/// German capitalises every noun, "Kollegin Svenja".)
pub(super) fn in_a_title(text: &str, s: usize, e: usize) -> bool {
    const ARTICLES: &[&str] = &["The", "Le", "Les", "El", "Los", "Las", "Het", "Der", "Die", "Das"];
    let rest = text[e..].trim_start();
    let epithet =
        ["of ", "the "].iter().any(|w| rest.strip_prefix(w).is_some_and(|r| r.starts_with(char::is_uppercase)));
    if epithet {
        return true;
    }
    let prev = prev_word(text, s);
    let capitalised = prev.starts_with(char::is_uppercase) && prev.chars().any(char::is_lowercase);
    if !capitalised {
        return false;
    }
    if prev.ends_with("'s") || prev.ends_with("’s") {
        return true;
    }
    if !prev.chars().all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-')) {
        return false;
    }
    // Back over the capitalised run: a title opened by an article ("Le Petit Prince").
    let mut at = s;
    let mut first = prev;
    loop {
        let w = prev_word(text, at);
        if !(w.starts_with(char::is_uppercase) && w.chars().all(char::is_alphabetic)) {
            break;
        }
        first = w;
        at = w.as_ptr() as usize - text.as_ptr() as usize;
    }
    ARTICLES.contains(&first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let caps: Vec<(usize, usize)> = text
            .match_indices(|c: char| c.is_uppercase())
            .filter(|&(i, _)| i == 0 || text[..i].ends_with(' '))
            .map(|(i, _)| (i, i + 1))
            .collect();
        find(text, &caps).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn a_notable_name_is_found_whole_and_a_surname_after_a_given_name_is_not() {
        assert_eq!(names("looking for Toni Morrison beloved"), ["Toni Morrison"]);
        assert_eq!(names("pictures of Martin Luther King Jr, please"), ["Martin Luther King Jr"]);
        assert_eq!(names("Noten von Bach für Cello"), ["Bach"]);
        assert_eq!(names("is Darwin's origin of species in"), ["Darwin"]);
        assert_eq!(names("Atatürk'ün hayatı"), ["Atatürk"]);
        assert!(names("ask Anna Bach at the desk").is_empty());
        assert!(names("Mr Bach called").is_empty());
        assert!(names("my friend Anna").is_empty());
        assert!(names("Cordialement, Jürgen Victor Hugo, 33000 Bordeaux").is_empty());
        assert!(names("Marie Antoinette Arslan, ich suche Quellen").is_empty());
        assert_eq!(names("Any Harry Potter left?"), ["Harry Potter"]);
        assert_eq!(names("haben Sie Max und Moritz"), ["Max und Moritz"]);
        // Words beyond an entry do not stop it from being found.
        assert_eq!(names("need Romeo and Juliet with notes"), ["Romeo and Juliet"]);
    }

    #[test]
    fn every_entry_is_found_in_a_sentence() {
        for entry in NOTABLE.iter() {
            let text = format!("any books on {entry} please");
            let caps: Vec<(usize, usize)> = text
                .match_indices(|c: char| c.is_uppercase())
                .filter(|&(i, _)| text[..i].ends_with(' '))
                .map(|(i, _)| (i, i + 1))
                .collect();
            let found: Vec<&str> = find(&text, &caps).into_iter().map(|(s, e)| &text[s..e]).collect();
            let starts_small = entry.starts_with(|c: char| !c.is_uppercase());
            assert!(starts_small || found == [*entry], "{entry:?}: {found:?}");
        }
    }
}
