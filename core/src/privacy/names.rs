//! The names patrons are known by at this desk (the roster name the library gave them, the
//! nickname their client sends), kept in memory only, for redacting them from transcripts.

use std::collections::HashMap;

use crate::xmpp::RosterItem;

/// The most nicknames remembered (roster names are bounded by the roster itself): a patron
/// sending a new nickname with every message cannot grow this without end.
const MAX_NICKS: usize = 10_000;
/// The longest nickname kept, in characters.
const MAX_NICK: usize = 64;
/// The most names kept per contact on the roster (renamed while signed in).
const MAX_ROSTER_NAMES: usize = 5;

/// Names by account, then by the patron's bare address.
#[derive(Debug, Default)]
pub struct KnownNames {
    /// Every name the contact has had since the roster was fetched: a chat under way may mention
    /// the old one too.
    roster: HashMap<String, HashMap<String, Vec<String>>>,
    nicks: HashMap<(String, String), String>,
}

impl KnownNames {
    /// The account's whole roster, as the server just gave it: names not on it are forgotten.
    pub fn set_roster(&mut self, account: &str, items: &[RosterItem]) {
        let names = items.iter().filter_map(|i| Some((i.jid.clone(), vec![i.name.clone()?]))).collect();
        self.roster.insert(account.to_owned(), names);
    }

    /// One contact changed (a roster push).
    pub fn roster_changed(&mut self, account: &str, item: &RosterItem) {
        let names = self.roster.entry(account.to_owned()).or_default();
        match item.name.as_ref().filter(|_| !item.removed()) {
            Some(name) => {
                let had = names.entry(item.jid.clone()).or_default();
                had.retain(|n| n != name);
                had.insert(0, name.clone());
                had.truncate(MAX_ROSTER_NAMES);
            }
            None => {
                names.remove(&item.jid);
            }
        }
    }

    /// A patron's client says what they call themselves (XEP-0172).
    pub fn nickname(&mut self, account: &str, peer: &str, nick: &str) {
        let nick: String = nick.trim().chars().filter(|c| !c.is_control()).take(MAX_NICK).collect();
        let key = (account.to_owned(), peer.to_owned());
        if nick.is_empty() || (self.nicks.len() >= MAX_NICKS && !self.nicks.contains_key(&key)) {
            return;
        }
        self.nicks.insert(key, nick);
    }

    /// The name the library gave `peer` on the roster of any of the desk's accounts (the newest,
    /// if it was renamed).
    pub fn roster_name(&self, peer: &str) -> Option<&str> {
        self.roster.values().find_map(|r| r.get(peer)?.first()).map(String::as_str)
    }

    /// What to redact in a chat with `peer`: each name whole, then each of its parts that looks
    /// like a name on its own (capitalised, three letters or more: "Jansen" of "Maria Jansen",
    /// not "van" of "Joost van Dijk"), since a patron often repeats only one of them.
    pub fn for_chat(&self, account: &str, peer: &str) -> Vec<String> {
        let roster = self.roster.get(account).and_then(|r| r.get(peer)).into_iter().flatten();
        let nick = self.nicks.get(&(account.to_owned(), peer.to_owned()));
        let mut out: Vec<String> = Vec::new();
        for name in roster.chain(nick) {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        let parts: Vec<String> = out
            .iter()
            .flat_map(|n| n.split_whitespace())
            .filter(|p| {
                p.chars().next().is_some_and(char::is_uppercase) && p.chars().filter(|c| c.is_alphabetic()).count() >= 3
            })
            .map(str::to_owned)
            .collect();
        for p in parts {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::redact::Redactor;

    fn item(jid: &str, name: Option<&str>, subscription: &str) -> RosterItem {
        RosterItem {
            jid: jid.into(),
            name: name.map(Into::into),
            subscription: subscription.into(),
            groups: vec![],
            pending: false,
        }
    }

    #[test]
    fn a_roster_name_and_its_parts_are_redacted_wherever_they_reappear() {
        let mut names = KnownNames::default();
        names.set_roster("ask@lib", &[item("p@x", Some("Joost van Dijk"), "both"), item("q@x", None, "both")]);
        let found = names.for_chat("ask@lib", "p@x");
        assert_eq!(found, ["Joost van Dijk", "Joost", "Dijk"]);
        let r = Redactor::with_names(&found);
        assert_eq!(r.redact("joost van dijk again; Dijk is my surname"), "[NAME] again; [NAME] is my surname");
        assert_eq!(r.redact("a van full of books"), "a van full of books", "not every part is a name");
        assert!(names.for_chat("ask@lib", "q@x").is_empty());
        assert_eq!(names.roster_name("p@x"), Some("Joost van Dijk"));
        assert_eq!(names.roster_name("q@x"), None);
        assert!(names.for_chat("other@lib", "p@x").is_empty(), "names are per account");
    }

    #[test]
    fn pushes_rename_and_remove_and_a_new_roster_replaces_the_old() {
        let mut names = KnownNames::default();
        names.set_roster("a", &[item("p@x", Some("Maria"), "both")]);
        names.roster_changed("a", &item("p@x", Some("Maria Jansen"), "both"));
        assert_eq!(names.for_chat("a", "p@x"), ["Maria Jansen", "Maria", "Jansen"], "the old name is kept too");
        for i in 0..10 {
            names.roster_changed("a", &item("p@x", Some(&format!("Name{i}")), "both"));
        }
        assert_eq!(names.for_chat("a", "p@x").len(), MAX_ROSTER_NAMES);
        assert_eq!(names.for_chat("a", "p@x")[0], "Name9");
        names.roster_changed("a", &item("p@x", Some("Maria Jansen"), "remove"));
        assert!(names.for_chat("a", "p@x").is_empty());
        names.roster_changed("a", &item("r@x", Some("Ravi"), "to"));
        names.set_roster("a", &[]);
        assert!(names.for_chat("a", "r@x").is_empty());
    }

    #[test]
    fn nicknames_join_roster_names_and_are_bounded() {
        let mut names = KnownNames::default();
        names.set_roster("a", &[item("p@x", Some("Maria Jansen"), "both")]);
        names.nickname("a", "p@x", "  Mimi\u{7} ");
        names.nickname("a", "p@x", "   ");
        assert_eq!(names.for_chat("a", "p@x"), ["Maria Jansen", "Mimi", "Maria", "Jansen"]);
        for i in 0..MAX_NICKS + 5 {
            names.nickname("a", &format!("n{i}@x"), "Nick");
        }
        assert_eq!(names.nicks.len(), MAX_NICKS);
        names.nickname("a", "p@x", &"Z".repeat(500));
        assert_eq!(names.for_chat("a", "p@x")[1].chars().count(), MAX_NICK, "a known patron may still rename");
    }
}
