//! Internal notes on a conversation: kept at this desk and sent to the other desks of the
//! account, never to the patron.

use chrono::{DateTime, Utc};

use crate::api::NoteView;
use crate::handoff::{note_text, Signal, MAX_NOTE_TEXT_CHARS};
use crate::store::NewNote;
use crate::{xmpp, Desk, Error, Result};

impl Desk {
    /// The librarian writes a note on the conversation with `peer` on `account`: kept here and
    /// sent to every other desk signed in to the account.
    pub fn add_note(&mut self, account: &str, peer: &str, text: &str, now: DateTime<Utc>) -> Result<NoteView> {
        let text = note_text(text);
        if text.is_empty() {
            return Err(Error::InvalidInput("the note is empty".into()));
        }
        let n = text.chars().count();
        if n > MAX_NOTE_TEXT_CHARS {
            return Err(Error::InvalidInput(format!(
                "the note is {n} characters long; keep it to {MAX_NOTE_TEXT_CHARS}"
            )));
        }
        if self.store.account_of(peer)?.as_deref() != Some(account) {
            return Err(Error::InvalidInput("there is no conversation with that patron on this account".into()));
        }
        let id = xmpp::session::new_message_id();
        let author = self.desk_card()?.name;
        let note = NewNote { account, peer, stable_id: &id, author: &author, body: &text, at: now };
        let view = self.store.insert_note(&note)?.ok_or_else(|| Error::InvalidInput("the note was not kept".into()))?;
        for c in self.colleagues.get(account).into_iter().flatten() {
            let signal =
                Signal::Note { id: id.clone(), patron: peer.to_owned(), from_name: author.clone(), text: text.clone() };
            self.handoff_out.push((account.to_owned(), c.resource.clone(), signal));
        }
        Ok(view)
    }

    pub fn notes(&self, account: &str, peer: &str) -> Result<Vec<NoteView>> {
        Ok(self.store.notes(account, peer)?)
    }

    /// A note another desk sent: kept (once) and queued for the window.
    pub(crate) fn keep_colleagues_note(
        &mut self,
        account: &str,
        peer: &str,
        id: &str,
        author: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let note = NewNote { account, peer, stable_id: id, author, body: text, at: now };
        if let Some(view) = self.store.insert_note(&note)? {
            self.notes_out.push(view);
        }
        Ok(())
    }

    /// Notes from other desks not yet shown.
    pub fn take_new_notes(&mut self) -> Vec<NoteView> {
        std::mem::take(&mut self.notes_out)
    }
}
