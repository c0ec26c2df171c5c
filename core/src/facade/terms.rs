//! The desk's own glossary terms, kept in its database and edited from the Settings view.

use crate::glossary::{check_term, normalise, GlossaryPolicy, OwnTerms, SlangTerm, BUILT_IN, MAX_OWN_TERMS};
use crate::{Desk, Error, Result};

const OWN_TERMS_KEY: &str = "glossary_own_terms";

impl Desk {
    /// The library's glossary settings (language, its terms) from the policy file.
    pub fn set_glossary_policy(&mut self, policy: GlossaryPolicy) {
        self.glossary = policy;
    }

    /// The terms the window explains: built-in, this desk's own, the library's.
    pub fn glossary(&self) -> Result<Vec<SlangTerm>> {
        Ok(self.glossary.terms_with(&self.own_terms()?))
    }

    /// Gives `term` this desk's `meaning` (empty: hide a built-in term), or with `None` drops the
    /// desk's own meaning (a built-in term is back as it was). The library's terms are its own.
    pub fn set_glossary_term(&mut self, term: &str, meaning: Option<&str>) -> Result<Vec<SlangTerm>> {
        let meaning = meaning.map(str::trim);
        check_term(term, meaning.unwrap_or("")).map_err(Error::InvalidInput)?;
        let term = normalise(term);
        if self.glossary.decides(&term) {
            return Err(Error::InvalidInput(format!("“{term}” is set by your library; it cannot be changed here")));
        }
        let built_in = BUILT_IN.iter().any(|(t, ..)| *t == term);
        let mut own = self.own_terms()?;
        match meaning {
            Some(m) if !m.is_empty() || built_in => {
                if !own.contains_key(&term) && own.len() >= MAX_OWN_TERMS {
                    return Err(Error::InvalidInput(format!(
                        "this desk already has {MAX_OWN_TERMS} terms of its own; remove one first"
                    )));
                }
                own.insert(term, m.to_owned());
            }
            _ => {
                own.remove(&term);
            }
        }
        let json = serde_json::to_string(&own).map_err(|e| Error::InvalidInput(format!("glossary: {e}")))?;
        self.store.set_setting(OWN_TERMS_KEY, &json)?;
        Ok(self.glossary.terms_with(&own))
    }

    fn own_terms(&self) -> Result<OwnTerms> {
        let Some(json) = self.store.setting(OWN_TERMS_KEY)? else { return Ok(OwnTerms::new()) };
        // Written only by this module; a damaged value loses the desk's terms, not the desk.
        Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::warn!("the desk's own glossary terms could not be read, none used: {e}");
            OwnTerms::new()
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::glossary::*;
    use crate::glossary::{Language, TermSource};
    use crate::tests::desk;
    use crate::Desk;

    fn find(terms: &[SlangTerm], term: &str) -> Option<(String, TermSource)> {
        terms.iter().find(|t| t.term == term).map(|t| (t.meaning.clone(), t.source))
    }

    #[test]
    fn the_desks_own_terms_are_kept_across_a_restart() {
        let (dir, mut desk) = desk();
        desk.set_glossary_term(" OPAC ", Some("the online catalogue")).unwrap();
        desk.set_glossary_term("np", Some("no problem :)")).unwrap();
        let terms = desk.set_glossary_term("lol", Some("")).unwrap();
        assert_eq!(find(&terms, "opac"), Some(("the online catalogue".into(), TermSource::Desk)));
        assert_eq!(find(&terms, "lol"), Some((String::new(), TermSource::Desk)), "a built-in term hidden");
        drop(desk);
        let mut desk = Desk::open(&dir.path().join("refdesk.db")).unwrap();
        desk.set_glossary_policy(GlossaryPolicy { language: Language::Nl, ..Default::default() });
        let terms = desk.glossary().unwrap();
        assert_eq!(find(&terms, "np"), Some(("no problem :)".into(), TermSource::Desk)));
        assert_eq!(find(&terms, "lol"), Some((String::new(), TermSource::Desk)));
        assert_eq!(find(&terms, "brb"), Some(("ben zo terug".into(), TermSource::BuiltIn)));
        // Dropping the desk's meaning brings the built-in one back; an own term goes.
        let terms = desk.set_glossary_term("np", None).unwrap();
        assert_eq!(find(&terms, "np"), Some(("geen probleem".into(), TermSource::BuiltIn)));
        let terms = desk.set_glossary_term("lol", None).unwrap();
        assert_eq!(find(&terms, "lol").map(|t| t.1), Some(TermSource::BuiltIn));
        let terms = desk.set_glossary_term("opac", Some("")).unwrap();
        assert_eq!(find(&terms, "opac"), None);
    }

    #[test]
    fn the_librarys_terms_and_bad_ones_are_refused_with_the_reason() {
        let (_dir, mut desk) = desk();
        let terms = [("ILL".to_owned(), "interlibrary loan".to_owned())].into_iter().collect();
        desk.set_glossary_policy(GlossaryPolicy { terms, ..Default::default() });
        let e = desk.set_glossary_term("ill", Some("sick")).unwrap_err().to_string();
        assert!(e.contains("set by your library"), "{e}");
        let e = desk.set_glossary_term("two words", Some("x")).unwrap_err().to_string();
        assert!(e.contains("one word"), "{e}");
        let e = desk.set_glossary_term("ok", Some(&"m".repeat(201))).unwrap_err().to_string();
        assert!(e.contains("longer than 200"), "{e}");
        let terms = desk.glossary().unwrap();
        assert_eq!(find(&terms, "ill"), Some(("interlibrary loan".into(), TermSource::Library)));
        assert!(terms.iter().all(|t| t.term != "two words" && t.term != "ok"), "nothing kept of a refusal");
        // A desk's list is bounded like a library's.
        for i in 0..MAX_OWN_TERMS {
            desk.set_glossary_term(&format!("t{i}"), Some("m")).unwrap();
        }
        let e = desk.set_glossary_term("onemore", Some("m")).unwrap_err().to_string();
        assert!(e.contains("remove one first"), "{e}");
        desk.set_glossary_term("t0", Some("changed")).unwrap();
    }
}
