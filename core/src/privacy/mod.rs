//! Patron privacy: stable pseudonyms for patron addresses, and redaction of personal information in text.

pub mod redact;

use ring::hmac;

use crate::desk::{Action, Event};

/// A stable, keyed pseudonym for a patron address: repeat visits can be counted without knowing who.
pub fn pseudonym(key: &[u8], jid: &str) -> String {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), jid.to_lowercase().as_bytes());
    let hex: String = tag.as_ref().iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("patron-{hex}")
}

fn chat_mut(e: &mut Event) -> Option<&mut String> {
    match e {
        Event::PatronMessage { chat }
        | Event::StaffMessage { chat }
        | Event::AcceptChat { chat, .. }
        | Event::CloseChat { chat }
        | Event::PatronLeft { chat } => Some(chat),
        _ => None,
    }
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
    fn events_and_actions_lose_the_address_but_keep_the_rest() {
        let key = b"k";
        let e = pseudonymize_event(&Event::PatronMessage { chat: "p@x.org".into() }, key);
        assert_eq!(e, Event::PatronMessage { chat: pseudonym(key, "p@x.org") });
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
