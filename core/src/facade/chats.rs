//! The librarian's side of a chat: claiming, replying, closing, taking the next, holding, and what goes out.

use super::*;

impl Desk {
    /// This desk's librarian started answering `peer` (typing): the chat is this desk's claim. The
    /// other desks on the account see it as the typing notification's copy (XEP-0280). False, and
    /// no claim, when another desk already has the chat: its typing must not go out then, or the
    /// other desk, seeing a claim from a desk that has already let go, would let go too.
    #[must_use]
    pub fn claim(&mut self, peer: &str) -> bool {
        if self.engine.as_ref().is_some_and(|e| e.elsewhere().any(|c| c == peer)) {
            return false;
        }
        self.claimed.insert(peer.to_owned());
        true
    }

    /// Where the librarian's typing to `peer` on `account` goes, if it goes at all: typing claims
    /// the chat for this desk (the other desks see it), and a chat another desk has just taken is
    /// not claimed and hears nothing; a web chat is written to where its box is now.
    pub fn typing_target(&mut self, account: &str, peer: &str, typing: bool) -> Result<Option<String>> {
        if typing && !self.claim(peer) {
            return Ok(None);
        }
        Ok(Some(self.address_of(account, peer)?))
    }

    /// Where to write to `peer` now: a web chat's box may have signed in again as a new guest
    /// (a reload, another page of the site; see `Desk::place_visit`).
    pub fn address_of(&self, account: &str, peer: &str) -> Result<String> {
        Ok(self.store.address_of(account, peer)?)
    }

    /// The librarian's reply to `peer` on `account`: stored as pending (so it survives a crash or a
    /// lost link) and sent by the IM service. Answering a waiting patron takes their chat.
    pub fn reply(&mut self, account: &str, peer: &str, body: &str, now: DateTime<Utc>) -> Result<MessageView> {
        let body = clean_reply(body)?;
        let stable_id = xmpp::session::new_message_id();
        let chat = peer.to_owned();
        self.claimed.insert(chat.clone());
        self.answered.insert(chat.clone());
        let id = self.record(now, |s| {
            let id = s.insert_message(store::NewMessage {
                account,
                peer,
                incoming: false,
                stable_id: &stable_id,
                body: &body,
                at: now,
                auto_reply: false,
                status: MessageStatus::Pending,
                origin_id: Some(&stable_id),
            })?;
            let accept = Event::AcceptChat { chat: chat.clone(), staff: STAFF_ID.into() };
            Ok((vec![accept, Event::StaffMessage { chat }], id))
        })?;
        self.message(id)?.ok_or_else(|| Error::InvalidInput("the reply was not stored".into()))
    }

    /// The librarian closes the chat with `peer`: it leaves the desk's count, and whoever waits next is taken.
    /// The librarian closes a chat, rating it (READ level, tags) in the same step; its transcript
    /// is written with the rating. Without a level, the desk's default applies.
    pub fn close_chat(&mut self, peer: &str, rating: &api::Rating, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let (level, tags) = clean_rating(rating)?;
        let level = level.or(self.default_read_level);
        self.record(now, |s| {
            if let Some(account) = s.account_of(peer)? {
                s.rate_conversation(&account, peer, level, &tags)?;
            }
            Ok((vec![Event::CloseChat { chat: peer.to_owned() }], ()))
        })?;
        tracing::info!("chat closed by the librarian");
        self.snapshot(now)
    }

    /// The librarian takes the first chat waiting in line, whatever the cap. Returns the patron
    /// taken (none when no chat waits or the desk is not staffed here) with the new desk state.
    pub fn take_next(&mut self, now: DateTime<Utc>) -> Result<(Option<String>, DeskSnapshot)> {
        let before = self.outbox.len();
        self.record(now, |_| Ok((vec![Event::TakeNext { staff: STAFF_ID.into() }], ())))?;
        let taken = self.outbox[before..].iter().find_map(|a| match a {
            desk::Action::ChatAssigned { chat, .. } => Some(chat.clone()),
            _ => None,
        });
        if let Some(peer) = &taken {
            self.claimed.insert(peer.clone());
        }
        Ok((taken, self.snapshot(now)?))
    }

    /// The librarian puts the chat with `peer` on hold (the patron is told once), or takes it off hold.
    pub fn hold_chat(&mut self, peer: &str, hold: bool, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let chat = peer.to_owned();
        let event = if hold { Event::HoldChat { chat } } else { Event::ResumeChat { chat } };
        self.record(now, |_| Ok((vec![event], ())))?;
        self.snapshot(now)
    }

    /// Our messages on `account` not yet written to the server, oldest first.
    pub fn pending_messages(&self, account: &str) -> Result<Vec<store::StoredMessage>> {
        Ok(self.store.pending_messages(account)?)
    }

    /// Our message `stable_id` reached the server; the updated message if it was pending.
    pub fn mark_sent(&mut self, account: &str, stable_id: &str) -> Result<Option<MessageView>> {
        let id = self.store.mark_sent(account, stable_id)?;
        self.message(id)
    }
}

/// A rating fit to store; tags are redacted like transcripts, since a librarian may type a name.
pub(crate) fn clean_rating(rating: &api::Rating) -> Result<(Option<u8>, Vec<String>)> {
    let (level, tags) = stats::clean_rating(rating)?;
    let redactor = privacy::redact::Redactor::new();
    Ok((level, tags.iter().map(|t| redactor.redact(t)).collect()))
}

/// A librarian's reply as it will be sent: not blank, and no longer than a stored message.
pub(crate) fn clean_reply(body: &str) -> Result<String> {
    // Trailing newlines from Enter-to-send are not part of the answer; inner ones are.
    let body = body.trim_end();
    if body.trim().is_empty() {
        return Err(Error::InvalidInput("the reply is empty".into()));
    }
    let n = body.chars().count();
    if n > store::MAX_BODY_CHARS {
        return Err(Error::InvalidInput(format!(
            "the reply is {n} characters long; a message may have at most {}",
            store::MAX_BODY_CHARS
        )));
    }
    Ok(body.to_owned())
}
