//! The desk's side of an input: a message stored before anything else sees it (once, whichever
//! road it came by), receipts, and chats another desk of the account takes.

use chrono::{DateTime, Utc};

use super::classify::{self, Incoming, Input, Outgoing};
use crate::api::{MessageStatus, MessageView};
use crate::desk::Event;
use crate::handoff::arbitration;
use crate::{privacy, store, xmpp, Desk, Result, ARCHIVE_KEY, HISTORY_AFTER_MINUTES};

/// What an input changed, for the window.
#[derive(Debug, Default, PartialEq)]
pub struct Received {
    /// A message that is new here or changed (stored, delivered).
    pub message: Option<MessageView>,
    /// The chat moved to another desk: the desk is to be shown again.
    pub desk_changed: bool,
}

impl Desk {
    /// Takes one classified input that came on `account`.
    pub fn handle(&mut self, account: &str, input: Input, now: DateTime<Utc>) -> Result<Received> {
        match input {
            Input::Message(m) => {
                Ok(Received { message: self.receive_incoming(account, &m, now)?, desk_changed: false })
            }
            Input::SentByAccount(m) => self.receive_sent_by_account(account, &m, now),
            Input::Receipt { peer, id } => {
                let row = self.store.mark_delivered(account, &peer, &id, now)?;
                Ok(Received { message: self.message(row)?, desk_changed: false })
            }
            Input::Claim { peer, desk } => {
                Ok(Received { message: None, desk_changed: self.receive_claim(&peer, &desk, now)? })
            }
            Input::Handoff(m) => Ok(Received { message: None, desk_changed: self.receive_handoff(account, &m, now)? }),
            // Placed before the inputs it came with (`place_visit`); alone it changes nothing more.
            Input::Visit { peer, visit, current, live } => {
                let mut one = vec![Input::Visit { peer, visit, current, live }];
                self.place_visit(account, &mut one, now)?;
                Ok(Received::default())
            }
            Input::Left { peer } => Ok(Received { message: None, desk_changed: self.patron_left(&peer, now)? }),
            Input::FollowUp { question, email } => {
                let at = sent_at(question.sent_at, now);
                let q = &question;
                let kept = self.store.add_followup(account, &q.peer, &q.stable_id, &q.body, email.as_deref(), at)?;
                if kept.is_some() {
                    tracing::info!(%account, "a question was left for a follow-up");
                }
                Ok(Received { message: None, desk_changed: kept.is_some() })
            }
            Input::Rated { peer, score, comment } => {
                self.rated_by_patron(account, &peer, score, &comment)?;
                Ok(Received::default())
            }
            // The window hears of typing from the pipeline; the desk keeps nothing of it.
            Input::Typing { .. } => Ok(Received::default()),
        }
    }

    /// A stanza that came on `account`, taken whole (what the pipeline does, less flood control
    /// and archive position): the message it stored or changed, if any.
    pub fn receive_message(
        &mut self,
        account: &str,
        m: &xmpp::ChatMessage,
        now: DateTime<Utc>,
    ) -> Result<Option<MessageView>> {
        let mut shown = None;
        let mut inputs = classify::classify(account, m).0;
        self.place_visit(account, &mut inputs, now)?;
        for input in inputs {
            shown = self.handle(account, input, now)?.message.or(shown);
        }
        Ok(shown)
    }

    /// Takes a web chat box's visit out of `inputs` and puts the rest in the visit's chat: after a
    /// reload or on another page of the site the box is a new guest, and its words still belong
    /// to the chat it started. When it came back asking for what it missed, the desk's messages
    /// after the last it has go again (to where it is now; see `Store::address_of`).
    pub fn place_visit(&mut self, account: &str, inputs: &mut Vec<Input>, now: DateTime<Utc>) -> Result<()> {
        let Some(at) = inputs.iter().position(|i| matches!(i, Input::Visit { .. })) else { return Ok(()) };
        let Input::Visit { peer: from, visit, current, live } = inputs.remove(at) else { return Ok(()) };
        let place = self.store.web_visit(account, &visit.token, &from, current, now)?;
        if live && (place.moved || visit.resume) {
            let again = self.store.resend_after(account, &place.peer, visit.last.as_deref())?;
            if again > 0 {
                tracing::info!(%account, again, "a web chat came back after a reload: its missed answers go again");
            }
        }
        if place.peer != from {
            for input in inputs.iter_mut() {
                match input {
                    Input::Message(m) | Input::FollowUp { question: m, .. } if m.peer == from => {
                        m.peer.clone_from(&place.peer)
                    }
                    Input::Typing { peer, .. }
                    | Input::Receipt { peer, .. }
                    | Input::Left { peer }
                    | Input::Rated { peer, .. }
                        if *peer == from =>
                    {
                        peer.clone_from(&place.peer)
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The patrons of `account` waiting in line now: (patron, place, expected wait in seconds).
    pub fn places(&self, account: &str) -> Result<Vec<(String, usize, i64)>> {
        let Some(engine) = &self.engine else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for (peer, place, wait) in engine.places() {
            if self.store.account_of(&peer)?.as_deref() == Some(account) {
                out.push((peer, place, wait.num_seconds().max(0)));
            }
        }
        Ok(out)
    }

    /// Whether this patron's message is already stored (a second copy: from the archive, a carbon).
    pub fn has_received(&self, account: &str, m: &Incoming) -> Result<bool> {
        Ok(self.store.has_incoming(account, &m.peer, &m.stable_id, m.origin_id.as_deref())?)
    }

    /// Someone's words to the account: stored first (once, whatever copy this is), then the desk
    /// engine sees them. `None` for a message already stored.
    fn receive_incoming(&mut self, account: &str, m: &Incoming, now: DateTime<Utc>) -> Result<Option<MessageView>> {
        let peer = m.peer.as_str();
        if let Some(nick) = &m.nick {
            self.names.nickname(account, peer, nick);
        }
        let at = sent_at(m.sent_at, now);
        // Something said long ago (fetched from the archive after a restart) is history to keep,
        // not a patron at the desk now: the desk rules do not act on it.
        let current = now - at < chrono::Duration::minutes(HISTORY_AFTER_MINUTES);
        // A librarian of the account's directory writing to it is a colleague, not a patron: kept
        // and shown, never queued, auto-answered, transcribed or counted.
        let librarian = self.is_librarian(account, peer);
        let position = m.archive_position.as_ref().map(|id| (format!("{ARCHIVE_KEY}:{account}"), id));
        let id = self.record(now, |s| {
            let id = s.insert_message(store::NewMessage {
                account,
                peer,
                incoming: true,
                stable_id: &m.stable_id,
                body: &m.body,
                at,
                auto_reply: false,
                status: MessageStatus::Received,
                origin_id: m.origin_id.as_deref(),
            })?;
            // One disk sync per message, not two.
            if let Some((key, id)) = &position {
                s.set_setting(key, id)?;
            }
            if librarian {
                s.skip_transcript(peer)?;
            }
            // A duplicate is not news for the engine either: it sees a Tick instead.
            let patron = id.is_some() && current && !librarian;
            let event =
                if patron { Event::PatronMessage { chat: peer.to_owned(), lang: m.lang.clone() } } else { Event::Tick };
            Ok((vec![event], id))
        })?;
        if id.is_some() {
            self.left.remove(peer);
        }
        self.message(id)
    }

    /// A message another desk on the account sent (its copy), or this desk's own back from the
    /// archive: part of the conversation here too, stored under the sender's own id.
    fn receive_sent_by_account(&mut self, account: &str, m: &Outgoing, now: DateTime<Utc>) -> Result<Received> {
        let peer = m.peer.clone();
        let ours = self.resource()?;
        let stays =
            arbitration::keeps_chat_on_answer(&ours, m.desk.as_deref(), m.auto_reply, self.answered.contains(&peer));
        let id = self.record(now, |s| {
            let id = s.insert_message(store::NewMessage {
                account,
                peer: &peer,
                incoming: false,
                stable_id: &m.stable_id,
                body: &m.body,
                at: sent_at(m.sent_at, now),
                auto_reply: m.auto_reply,
                status: MessageStatus::Sent,
                origin_id: m.origin_id.as_deref(),
            })?;
            // (Another desk's rules speaking is not another librarian taking the chat either.)
            let events = if stays { vec![] } else { vec![Event::TakenElsewhere { chat: peer.clone() }] };
            Ok((events, id))
        })?;
        if let (false, Some(desk)) = (stays, m.desk.as_deref()) {
            self.claimed.remove(&peer);
            self.answered.remove(&peer);
            self.note_elsewhere(&peer, desk);
        }
        let message = self.message(id)?;
        let desk_changed = message.is_some() && !m.auto_reply;
        Ok(Received { message, desk_changed })
    }

    /// The patron ended their chat (the website's chat box): it closes as theirs to end, its
    /// transcript written, and whoever waits behind them moves up. True if the desk changed.
    fn patron_left(&mut self, peer: &str, now: DateTime<Utc>) -> Result<bool> {
        let here = self.engine.as_ref().is_some_and(|e| e.chat_state(peer).is_some());
        if !here {
            return Ok(false);
        }
        self.record(now, |_| Ok((vec![Event::PatronLeft { chat: peer.to_owned() }], ())))?;
        self.left.insert(peer.to_owned());
        tracing::info!("a web patron ended their chat");
        Ok(true)
    }

    /// The patron's own rating of their chat, its comment redacted (with the names they are known
    /// by) before it is written, like every line of the transcript it joins.
    fn rated_by_patron(&mut self, account: &str, peer: &str, score: u8, comment: &str) -> Result<()> {
        let open = self.engine.as_ref().is_some_and(|e| e.chat_state(peer).is_some());
        let redactor = privacy::redact::Redactor::with_names(&self.names.for_chat(account, peer));
        let comment = redactor.redact(comment);
        if !self.store.rate_by_patron(account, peer, score, &comment, open)? {
            tracing::info!(%account, "a patron's rating came for no chat kept here; it is dropped");
        }
        Ok(())
    }

    /// Another desk on the account (`other`, its resource) started answering `peer`. This desk lets
    /// the chat go unless the arbitration rule keeps it here. True if the chat left this desk.
    fn receive_claim(&mut self, peer: &str, other: &str, now: DateTime<Utc>) -> Result<bool> {
        let ours = self.resource()?;
        let under_way_here = self.engine.as_ref().is_some_and(|e| e.chat_state(peer).is_some());
        let keeps = arbitration::keeps_chat_on_claim(
            &ours,
            other,
            under_way_here,
            self.answered.contains(peer),
            self.claimed.contains(peer),
        );
        if keeps {
            return Ok(false);
        }
        self.claimed.remove(peer);
        self.record(now, |_| Ok((vec![Event::TakenElsewhere { chat: peer.to_owned() }], ())))?;
        self.note_elsewhere(peer, other);
        tracing::info!("another desk on the account is answering a patron; this desk lets the chat go");
        Ok(true)
    }
}

/// When a message was sent: its delay stamp if it came late (never in the future), else now.
fn sent_at(stamp: Option<DateTime<Utc>>, now: DateTime<Utc>) -> DateTime<Utc> {
    stamp.map_or(now, |t| t.min(now))
}
