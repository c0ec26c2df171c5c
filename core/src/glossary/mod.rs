//! The IM slang glossary the window uses to explain "brb" or "zsm" to a librarian: built-in terms
//! with meanings in English and Dutch, the desk's own (edited in the window), and the library's
//! from the policy file (pure; `facade` keeps the desk's own).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a library may add; more would be a dictionary, not a desk aid.
const MAX_TERMS: usize = 500;
const MAX_TERM_CHARS: usize = 24;
const MAX_MEANING_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    #[default]
    En,
    Nl,
}

/// `[glossary]` in the policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct GlossaryPolicy {
    /// The language of the built-in meanings.
    pub language: Language,
    /// The library's terms: added, or replacing a built-in meaning; an empty meaning removes a term.
    pub terms: BTreeMap<String, String>,
}

pub use crate::api::{SlangTerm, TermSource};

/// The desk's own terms, as kept: a meaning, or empty for a built-in term the desk hid.
pub type OwnTerms = BTreeMap<String, String>;

/// At most this many terms of the desk's own.
pub const MAX_OWN_TERMS: usize = MAX_TERMS;

/// A term as matched and kept: trimmed, lower case.
pub fn normalise(term: &str) -> String {
    term.trim().to_lowercase()
}

/// Checks one term and its meaning (the library's or the desk's); `Err` says what to change.
pub fn check_term(term: &str, meaning: &str) -> Result<(), String> {
    let t = term.trim();
    let word = !t.is_empty()
        && t.chars().count() <= MAX_TERM_CHARS
        && t.chars().all(|c| c.is_alphanumeric() || matches!(c, '\'' | '-' | '/'));
    if !word {
        return Err(format!("a term is one word of up to {MAX_TERM_CHARS} letters or digits (- ' / allowed)"));
    }
    if meaning.chars().count() > MAX_MEANING_CHARS {
        return Err(format!("the meaning is longer than {MAX_MEANING_CHARS} characters"));
    }
    Ok(())
}

/// (term, English, Dutch). Shorthand patrons use at a reference desk, in both languages' chats.
pub(crate) const BUILT_IN: &[(&str, &str, &str)] = &[
    ("afaik", "as far as I know", "voor zover ik weet"),
    ("asap", "as soon as possible", "zo snel mogelijk"),
    ("atm", "at the moment", "op dit moment"),
    ("bbl", "be back later", "ben later terug"),
    ("bc", "because", "omdat"),
    ("brb", "be right back", "ben zo terug"),
    ("btw", "by the way", "trouwens"),
    ("ff", "just a moment / quickly (Dutch: even)", "even"),
    ("fyi", "for your information", "ter informatie"),
    ("g2g", "got to go", "moet gaan"),
    ("gtg", "got to go", "moet gaan"),
    ("gwn", "just (Dutch: gewoon)", "gewoon"),
    ("idd", "indeed (Dutch: inderdaad)", "inderdaad"),
    ("idk", "I don't know", "ik weet het niet"),
    ("ikr", "I know, right?", "zeg dat wel"),
    ("imo", "in my opinion", "naar mijn mening"),
    ("imho", "in my humble opinion", "naar mijn bescheiden mening"),
    ("irl", "in real life", "in het echt"),
    ("jk", "just kidding", "grapje"),
    ("lol", "laughing out loud (that's funny)", "hardop lachen (grappig)"),
    ("mss", "maybe (Dutch: misschien)", "misschien"),
    ("np", "no problem", "geen probleem"),
    ("nvm", "never mind", "laat maar"),
    ("omg", "oh my god (surprise)", "o mijn god (verbazing)"),
    ("pls", "please", "alsjeblieft"),
    ("plz", "please", "alsjeblieft"),
    ("smh", "shaking my head (disbelief)", "ongeloof"),
    ("sry", "sorry", "sorry"),
    ("thx", "thanks", "bedankt"),
    ("tmrw", "tomorrow", "morgen"),
    ("tnx", "thanks", "bedankt"),
    ("ttyl", "talk to you later", "spreek je later"),
    ("ty", "thank you", "dank je"),
    ("w8", "wait", "wacht"),
    ("wrm", "why (Dutch: waarom)", "waarom"),
    ("yw", "you're welcome", "graag gedaan"),
    ("zsm", "as soon as possible (Dutch: zo snel mogelijk)", "zo snel mogelijk"),
];

impl GlossaryPolicy {
    /// The terms the window uses without any of the desk's own, sorted.
    pub fn terms(&self) -> Vec<SlangTerm> {
        self.terms_with(&OwnTerms::new())
    }

    /// The terms the window uses, sorted: the built-in ones, changed, hidden or added to by the
    /// desk's `own`, and the library's over both. The library's empty meaning removes a term; the
    /// desk's hides it: listed with an empty meaning (so Settings can show it again), explaining
    /// nothing.
    pub fn terms_with(&self, own: &OwnTerms) -> Vec<SlangTerm> {
        let mut all: BTreeMap<String, (String, TermSource)> = BUILT_IN
            .iter()
            .map(|(t, en, nl)| {
                let meaning = if self.language == Language::Nl { nl } else { en };
                (t.to_string(), (meaning.to_string(), TermSource::BuiltIn))
            })
            .collect();
        let layers = [(own, TermSource::Desk), (&self.terms, TermSource::Library)];
        for (terms, source) in layers {
            for (term, meaning) in terms {
                let term = normalise(term);
                match (meaning.trim(), source) {
                    ("", TermSource::Desk) => {
                        if let Some(hidden) = all.get_mut(&term) {
                            *hidden = (String::new(), source);
                        }
                    }
                    ("", _) => {
                        all.remove(&term);
                    }
                    (m, _) => {
                        all.insert(term, (m.to_owned(), source));
                    }
                }
            }
        }
        all.into_iter().map(|(term, (meaning, source))| SlangTerm { term, meaning, source }).collect()
    }

    /// Whether the library's policy decides `term` (gives or removes its meaning).
    pub fn decides(&self, term: &str) -> bool {
        let term = normalise(term);
        self.terms.keys().any(|t| normalise(t) == term)
    }

    /// Checks the library's terms; `Err((term, message))` names the one to change.
    pub fn check(&self) -> Result<(), (String, String)> {
        if self.terms.len() > MAX_TERMS {
            return Err((String::new(), format!("{} terms; a glossary holds at most {MAX_TERMS}", self.terms.len())));
        }
        for (term, meaning) in &self.terms {
            check_term(term, meaning).map_err(|message| (term.clone(), message))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meaning(g: &[SlangTerm], term: &str) -> Option<String> {
        g.iter().find(|t| t.term == term).map(|t| t.meaning.clone())
    }

    #[test]
    fn built_in_terms_come_in_the_chosen_language() {
        let en = GlossaryPolicy::default().terms();
        assert_eq!(meaning(&en, "brb").as_deref(), Some("be right back"));
        let nl = GlossaryPolicy { language: Language::Nl, ..Default::default() }.terms();
        assert_eq!(meaning(&nl, "brb").as_deref(), Some("ben zo terug"));
        assert_eq!(meaning(&nl, "zsm").as_deref(), Some("zo snel mogelijk"));
        assert!(en.windows(2).all(|w| w[0].term < w[1].term), "sorted, each once");
    }

    #[test]
    fn the_library_adds_replaces_and_removes_terms() {
        let g = GlossaryPolicy {
            language: Language::En,
            terms: [("ILL", "interlibrary loan"), ("lol", ""), ("np", "no problem at all")]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect(),
        };
        assert!(g.check().is_ok());
        let terms = g.terms();
        assert_eq!(meaning(&terms, "ill").as_deref(), Some("interlibrary loan"));
        assert_eq!(meaning(&terms, "lol"), None);
        assert_eq!(meaning(&terms, "np").as_deref(), Some("no problem at all"));
    }

    #[test]
    fn the_desk_changes_hides_and_adds_terms_under_the_librarys() {
        let library = GlossaryPolicy {
            terms: [("ILL", "interlibrary loan")].into_iter().map(|(a, b)| (a.to_owned(), b.to_owned())).collect(),
            ..Default::default()
        };
        let own: OwnTerms = [("np", "no problem!"), ("lol", ""), ("ill", "sick"), ("opac", "the online catalogue")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let terms = library.terms_with(&own);
        let get = |t: &str| terms.iter().find(|x| x.term == t).map(|x| (x.meaning.as_str(), x.source));
        assert_eq!(get("np"), Some(("no problem!", TermSource::Desk)));
        assert_eq!(get("lol"), Some(("", TermSource::Desk)), "hidden at this desk");
        assert_eq!(get("opac"), Some(("the online catalogue", TermSource::Desk)));
        assert_eq!(get("ill"), Some(("interlibrary loan", TermSource::Library)), "the library's meaning wins");
        assert_eq!(get("brb"), Some(("be right back", TermSource::BuiltIn)));
        assert!(library.decides(" Ill ") && !library.decides("np"));
    }

    #[test]
    fn terms_that_are_not_one_short_word_are_refused_by_name() {
        for bad in ["two words", "", "<b>", &"x".repeat(30)] {
            let g = GlossaryPolicy {
                terms: [(bad.to_owned(), "m".to_owned())].into_iter().collect(),
                ..Default::default()
            };
            let (term, message) = g.check().unwrap_err();
            assert_eq!(term, bad);
            assert!(message.contains("one word"), "{message}");
        }
        let long =
            GlossaryPolicy { terms: [("ok".to_owned(), "m".repeat(300))].into_iter().collect(), ..Default::default() };
        assert!(long.check().unwrap_err().1.contains("longer than"));
    }
}
