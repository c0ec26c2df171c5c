//! Patron privacy: stable pseudonyms for patron addresses, and redaction of personal information in text.

mod automaton;
mod checks;
mod cues;
mod dates;
mod handles;
mod ids;
mod keywords;
mod labels;
mod lexicon;
pub mod names;
mod not_names;
mod notable;
mod people;
mod places;
pub mod quality;
pub mod redact;
mod runs;
mod valued;
mod words;

use ring::hmac;

use crate::desk::{Action, Event};

/// A fresh random secret for pseudonyms (32 bytes).
pub fn new_secret() -> Result<Vec<u8>, crate::Error> {
    let mut key = vec![0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut key)
        .map_err(|_| crate::Error::InvalidInput("no random source for the pseudonym secret".into()))?;
    Ok(key)
}

/// The pseudonym key of the period holding `day` (days since 1970), derived from the desk's secret:
/// a patron's pseudonym is stable within a period of `period_days` (the retention period) and
/// unrelated from one period to the next, so pseudonyms cannot link a patron's visits over years.
/// Without a period (`0`), the secret itself.
pub fn period_key(secret: &[u8], period_days: u32, day: i64) -> Vec<u8> {
    if period_days == 0 {
        return secret.to_vec();
    }
    let period = day.div_euclid(i64::from(period_days));
    let tag =
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), format!("refdesk pseudonym period {period}").as_bytes());
    tag.as_ref().to_vec()
}

/// A stable, keyed pseudonym for a patron address: repeat visits can be counted without knowing who.
pub fn pseudonym(key: &[u8], jid: &str) -> String {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), jid.to_lowercase().as_bytes());
    let hex: String = tag.as_ref().iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("patron-{hex}")
}

fn chat_mut(e: &mut Event) -> Option<&mut String> {
    match e {
        Event::PatronMessage { chat, .. }
        | Event::StaffMessage { chat }
        | Event::AcceptChat { chat, .. }
        | Event::CloseChat { chat }
        | Event::HoldChat { chat }
        | Event::ResumeChat { chat }
        | Event::PatronLeft { chat }
        | Event::TakenElsewhere { chat }
        | Event::HandedOver { chat }
        | Event::HandedIn { chat, .. }
        | Event::ReleasedElsewhere { chat } => Some(chat),
        _ => None,
    }
}

/// The chat (patron address) an event is about, if any.
pub fn event_chat(e: &Event) -> Option<String> {
    chat_mut(&mut e.clone()).map(|c| c.clone())
}

/// The event with any patron address replaced by its pseudonym, for the desk log.
pub fn pseudonymize_event(e: &Event, key: &[u8]) -> Event {
    let mut e = e.clone();
    if let Some(chat) = chat_mut(&mut e) {
        *chat = pseudonym(key, chat);
    }
    e
}

/// The actions with patron addresses replaced by pseudonyms (auto-reply texts hold no patron data).
pub fn pseudonymize_actions(actions: &[Action], key: &[u8]) -> Vec<Action> {
    actions
        .iter()
        .cloned()
        .map(|mut a| {
            match &mut a {
                Action::AutoReply { chat, .. }
                | Action::ChatAssigned { chat, .. }
                | Action::ChatStateChanged { chat, .. }
                | Action::ChatClosed { chat, .. }
                | Action::WaitAlert { chat, .. } => *chat = pseudonym(key, chat),
                Action::QueueChanged { queue } => {
                    for q in queue {
                        if let crate::desk::Item::Chat(c) = &mut q.item {
                            *c = pseudonym(key, c);
                        }
                    }
                }
                Action::SetPresence { .. } | Action::WalkupAssigned { .. } => {}
            }
            a
        })
        .collect()
}

/// The lines of every redaction corpus as a patron wrote them, without the ⟦KIND|text⟧ marks
/// (for tests that check a detector's guard against each line its pattern matches).
#[cfg(test)]
pub(crate) fn corpus_lines() -> Vec<String> {
    let corpora = [
        include_str!("../../tests/data/redaction_corpus.tsv"),
        include_str!("../../tests/data/redaction/dev.txt"),
        include_str!("../../tests/data/redaction/test.txt"),
        include_str!("../../tests/data/redaction/free-dev.txt"),
    ];
    let unmark = |marked: &str| -> String {
        let parts = marked.split(['⟦', '⟧']).enumerate();
        parts.map(|(i, part)| if i % 2 == 1 { part.split_once('|').map_or(part, |(_, t)| t) } else { part }).collect()
    };
    // The freehand corpora open each line with its language and a tab, and hold comments.
    let text = |l: &'static str| match l.split_once('\t') {
        Some((lang, rest)) if lang.len() == 2 => rest,
        _ => l,
    };
    corpora.iter().flat_map(|c| c.lines()).filter(|l| !l.starts_with('#')).map(text).map(unmark).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_reveal_nothing() {
        let k1 = b"key one, 32 bytes long, for test";
        let k2 = b"key two, 32 bytes long, for test";
        let a = pseudonym(k1, "maria.lopez@student.example");
        assert_eq!(a, pseudonym(k1, "Maria.Lopez@student.example"), "the same patron, however written");
        assert_ne!(a, pseudonym(k2, "maria.lopez@student.example"), "another key, another pseudonym");
        assert_ne!(a, pseudonym(k1, "joe@student.example"));
        assert!(!a.contains("maria") && a.starts_with("patron-") && a.len() == "patron-".len() + 16);
    }

    #[test]
    fn a_pseudonym_holds_for_its_period_and_changes_with_the_next() {
        let secret = b"desk secret";
        let at = |day| pseudonym(&period_key(secret, 365, day), "maria@student.example");
        assert_eq!(at(20_440), at(20_440 + 4), "the same period (days 20440..20805)");
        assert_ne!(at(20_440), at(20_805), "the next period");
        assert_eq!(period_key(secret, 0, 20_440), secret.to_vec(), "no period: the secret itself");
        assert_ne!(period_key(secret, 30, -1), period_key(secret, 30, 0), "before 1970 is its own period");
    }

    #[test]
    fn events_and_actions_lose_the_address_but_keep_the_rest() {
        let key = b"k";
        let e = pseudonymize_event(&Event::PatronMessage { chat: "p@x.org".into(), lang: Some("nl".into()) }, key);
        assert_eq!(e, Event::PatronMessage { chat: pseudonym(key, "p@x.org"), lang: Some("nl".into()) });
        let acts = pseudonymize_actions(
            &[Action::AutoReply {
                chat: "p@x.org".into(),
                kind: crate::desk::ReplyKind::Queued,
                text: "number 1".into(),
            }],
            key,
        );
        let json = serde_json::to_string(&acts).unwrap();
        assert!(!json.contains("p@x.org") && json.contains("number 1"), "{json}");
    }
}
