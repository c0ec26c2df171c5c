//! Referring a patron to a librarian of the directory on their own account (a subject specialist,
//! another branch): the colleague gets a message from the shared account naming the patron and
//! their question, the patron is told who will write to them and from which address, and the chat
//! ends here. Works with any XMPP client on the colleague's side: nothing to accept.

use chrono::{DateTime, Utc};

use crate::api::{DeskSnapshot, MessageStatus};
use crate::desk::Event;
use crate::handoff::{clip, note_for_colleague};
use crate::{store, xmpp, Desk, Error, Result};

/// How much of the patron's question the colleague is given.
const QUESTION_CHARS: usize = 300;

impl Desk {
    /// Refers the chat with `peer` to the directory's librarian `jid`, who must be signed in.
    pub fn refer_chat(&mut self, peer: &str, jid: &str, note: &str, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let account = self.chat_to_pass_on(peer, now)?;
        if self.store.is_web_chat(&account, peer)? {
            // The chat box shows only what the library's account writes, and its guest address
            // ends with the page: a colleague writing from their own account would never be seen.
            return Err(Error::InvalidInput(
                "this patron writes from the library's website, which shows only this account's messages: \
                 offer the chat to a colleague's desk instead"
                    .into(),
            ));
        }
        let colleague = self
            .directory
            .get(&account)
            .and_then(|d| d.iter().find(|e| e.jid == jid))
            .cloned()
            .ok_or_else(|| Error::InvalidInput(format!("{jid} is not one of this account's librarians")))?;
        if !colleague.online {
            return Err(Error::InvalidInput(format!(
                "{} is not signed in just now; choose someone who is online",
                colleague.name
            )));
        }
        let note = note_for_colleague(note).map_err(Error::InvalidInput)?;
        let question = self
            .store
            .untranscribed(&account, peer)?
            .into_iter()
            .rev()
            .find(|m| m.incoming)
            .map(|m| clip(m.body.split_whitespace().collect::<Vec<_>>().join(" ").as_str(), QUESTION_CHARS))
            .unwrap_or_default();
        let from = match self.desk_card()?.name {
            name if name.is_empty() => account.clone(),
            name => format!("{name} ({account})"),
        };
        let mut to_colleague = format!("{from} refers a patron to you: xmpp:{peer}");
        if !question.is_empty() {
            to_colleague.push_str(&format!("\nTheir question: “{question}”"));
        }
        if !note.is_empty() {
            to_colleague.push_str(&format!("\nNote: {note}"));
        }
        to_colleague.push_str("\nPlease message them there: they have been told you will.");
        let to_patron = self
            .templates_for_patron(peer)
            .referral
            .replace("{colleague}", &colleague.name)
            .replace("{address}", &colleague.jid)
            .replace("{library}", &self.policy.library_name);

        // The patron hears it in the chat (and its transcript) before it ends.
        self.reply(&account, peer, &to_patron, now)?;
        self.record(now, |s| {
            let id = xmpp::session::new_message_id();
            s.insert_message(store::NewMessage {
                account: &account,
                peer: &colleague.jid,
                incoming: false,
                stable_id: &id,
                body: &to_colleague,
                at: now,
                auto_reply: false,
                status: MessageStatus::Pending,
                origin_id: Some(&id),
            })?;
            // Between colleagues: kept as long as live conversations are, never transcribed.
            s.skip_transcript(&colleague.jid)?;
            Ok((vec![Event::Referred { chat: peer.to_owned() }], ()))
        })?;
        tracing::info!("chat referred to a librarian on their own account");
        self.snapshot(now)
    }

    /// Whether `peer` is one of `account`'s librarians (its directory): their messages to the
    /// account are colleagues talking, not patrons asking.
    pub(crate) fn is_librarian(&self, account: &str, peer: &str) -> bool {
        self.directory.get(account).is_some_and(|d| d.iter().any(|e| e.jid == peer))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::api::DirectoryEntry;
    use crate::{xmpp, Desk};

    const ASK: &str = "ask@library.test";

    fn librarian(jid: &str, name: &str, online: bool) -> DirectoryEntry {
        DirectoryEntry {
            account: ASK.into(),
            jid: jid.into(),
            name: name.into(),
            subjects: "business".into(),
            online,
            open: online,
            status: String::new(),
        }
    }

    fn from(who: &str, id: &str, body: &str) -> xmpp::ChatMessage {
        xmpp::ChatMessage {
            from: format!("{who}/phone"),
            to: Some(ASK.into()),
            id: Some(id.into()),
            kind: "chat".into(),
            body: Some(body.into()),
            ..Default::default()
        }
    }

    fn pending_to(desk: &Desk, peer: &str) -> Vec<String> {
        desk.pending_messages(ASK).unwrap().into_iter().filter(|m| m.peer == peer).map(|m| m.body).collect()
    }

    #[test]
    fn a_referral_tells_the_colleague_and_the_patron_and_ends_the_chat_here() {
        let (_dir, mut desk) = crate::tests::desk();
        let t0 = Utc::now() - Duration::minutes(10);
        desk.set_directory(
            ASK,
            vec![librarian("maria@library.test", "Maria", true), librarian("joost@library.test", "Joost", false)],
        );
        desk.set_desk_card("Anna", "", t0).unwrap();
        desk.receive_message(ASK, &from("pat@x.org", "q1", "who knows about\npatents?"), t0).unwrap();
        let e = desk.refer_chat("pat@x.org", "joost@library.test", "", t0).unwrap_err().to_string();
        assert!(e.contains("Joost is not signed in"), "{e}");
        let e = desk.refer_chat("pat@x.org", "eve@evil.example", "", t0).unwrap_err().to_string();
        assert!(e.contains("not one of this account's librarians"), "{e}");
        let e = desk.refer_chat("pat@x.org", "maria@library.test", &"n".repeat(301), t0).unwrap_err().to_string();
        assert!(e.contains("keep it to 300"), "{e}");

        let s = desk.refer_chat("pat@x.org", "maria@library.test", "since 1990", t0 + Duration::minutes(1)).unwrap();
        assert!(s.chats.iter().all(|c| c.peer != "pat@x.org") && s.queue.is_empty(), "the chat ended here");
        assert_eq!(
            pending_to(&desk, "pat@x.org"),
            ["I'm passing your question to Maria, who will message you from maria@library.test in a moment."]
        );
        assert_eq!(
            pending_to(&desk, "maria@library.test"),
            ["Anna (ask@library.test) refers a patron to you: xmpp:pat@x.org\nTheir question: “who knows about patents?”\n\
              Note: since 1990\nPlease message them there: they have been told you will."]
        );
        let t = desk.store().transcripts_between(t0 - Duration::hours(1), t0 + Duration::hours(1)).unwrap();
        assert_eq!(t.len(), 1, "the patron's chat only; the colleague's is never transcribed");
        assert_eq!(t[0].reason, "referred");
        assert_eq!(t[0].lines.len(), 2);

        // Maria answers the shared account: a colleague talking, not a patron to queue or answer.
        desk.receive_message(ASK, &from("maria@library.test", "m1", "On it, thanks!"), t0 + Duration::minutes(2))
            .unwrap();
        let s = desk.snapshot(t0 + Duration::minutes(2)).unwrap();
        assert!(s.queue.is_empty() && s.chats.is_empty(), "{s:?}");
        assert!(pending_to(&desk, "maria@library.test").len() == 1, "no automatic reply to a colleague");
        let shown = desk.messages(ASK, "maria@library.test", None, 10).unwrap();
        assert_eq!(shown.last().map(|m| m.body.as_str()), Some("On it, thanks!"));
        // The colleague's conversation goes with the live layer's retention, like any other.
        desk.purge(
            &crate::policy::RetentionPolicy { live_hours: 0, transcript_days: 365, ..Default::default() },
            Utc::now(),
        )
        .unwrap();
        let left: Vec<_> =
            desk.messages(ASK, "maria@library.test", None, 10).unwrap().into_iter().map(|m| m.incoming).collect();
        assert_eq!(left, [false], "only the referral, not sent yet, stays");
    }

    #[test]
    fn a_patron_of_the_website_s_chat_box_cannot_be_referred_to_a_librarian_s_own_account() {
        let (_dir, mut desk) = crate::tests::desk();
        let t0 = Utc::now() - Duration::minutes(10);
        desk.set_directory(ASK, vec![librarian("maria@library.test", "Maria", true)]);
        let mut m = from("g1@guest.library.test", "q1", "who knows about patents?");
        m.web = xmpp::web::Visit::parse(|k| (k == "visit").then_some("0123456789abcdef0123456789abcdef")).map(Box::new);
        desk.receive_message(ASK, &m, t0).unwrap();
        let e = desk.refer_chat("g1@guest.library.test", "maria@library.test", "", t0).unwrap_err().to_string();
        assert!(e.contains("offer the chat to a colleague's desk instead"), "{e}");
        let s = desk.snapshot(t0).unwrap();
        assert_eq!(s.queue.len() + s.chats.len(), 1, "the chat stays here");
        assert!(pending_to(&desk, "maria@library.test").is_empty(), "Maria was told nothing");
    }
}
