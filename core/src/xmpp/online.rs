//! What a signed-in account does with each thing the server sends and each command of the desk,
//! without I/O: it queues stanzas on the [`Stream`] and collects the events for the desk; the
//! account runner (`account::run`) writes the one and sends the other. Its state lasts across
//! reconnects (the presence to show, the other desks, the roster, the directory).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::account::{AccountCommand, AccountEvent, MAX_CATCH_UP_PAGES};
use super::connect::AccountConfig;
use super::roster::{in_group, RosterItem};
use super::session::{bare, Incoming, SessionError, Show, Stream};
use crate::api::{AccountState, AccountStatus};

/// Waiting requests to see the desk's presence kept until the roster comes, at most.
const MAX_WAITING_REQUESTS: usize = 1_000;

/// Whether the stream goes on after an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The server ended the stream itself (`reason`: its condition): nothing to resume.
    Ended {
        reason: Option<String>,
    },
}

pub struct Online {
    cfg: AccountConfig,
    /// The presence to show; a reconnect restores the latest one, not the first.
    presence: (Show, String),
    client_active: bool,
    card: Option<(crate::handoff::DeskCard, bool)>,
    /// The other desks signed in to the account (full JIDs): each is told this desk's card once.
    desks: BTreeSet<String>,
    /// The roster's members of the colleague directory group, by bare address. Only the presence
    /// of the directory (these and the policy's list) goes on to the desk: anyone may send
    /// presence, and most of it is nothing to us.
    directory: BTreeMap<String, RosterItem>,
    /// Everyone on the roster (for the buddy-list rule).
    listed: HashSet<String>,
    /// Until this connection's roster has come: requests to see the account's presence waiting
    /// to be answered by it.
    buddy_requests: Option<Vec<String>>,
    /// The archive query under way and how many pages it has fetched.
    catch_up: Option<(String, u32)>,
}

impl Online {
    pub fn new(cfg: AccountConfig, status_text: String) -> Online {
        Online {
            cfg,
            presence: (Show::Available, status_text),
            client_active: true,
            card: None,
            desks: BTreeSet::new(),
            directory: BTreeMap::new(),
            listed: HashSet::new(),
            buddy_requests: None,
            catch_up: None,
        }
    }

    /// The account's state as the desk hears it.
    pub fn status(&self, state: AccountState, message: Option<String>) -> AccountEvent {
        AccountEvent::Status(AccountStatus::new(&self.cfg.jid, state, message))
    }

    /// A connection is up: a fresh stream is set up (roster, presence, carbons, client state); a
    /// resumed one kept all that on the server. The account is online once this is written.
    pub fn signed_in(
        &mut self,
        stream: &mut Stream,
        resumed: bool,
        out: &mut Vec<AccountEvent>,
    ) -> Result<(), SessionError> {
        self.catch_up = None;
        if resumed {
            out.push(AccountEvent::Resumed);
        } else {
            // They tell their presence again after a fresh sign-in, and get the card then.
            self.desks.clear();
            // The roster before presence, so contacts' presence finds it (RFC 6121 2.2).
            stream.request_roster()?;
            self.buddy_requests = Some(Vec::new());
            stream.send_presence(self.presence.0, Some(&self.presence.1))?;
            // Copies of what the account's other desks receive and send (a server without carbons
            // answers with an error, which changes nothing here).
            stream.enable_carbons()?;
            if !self.client_active {
                stream.set_client_active(false)?;
            }
        }
        Ok(())
    }

    fn in_directory(&self, from: &str) -> bool {
        let bare = bare(from).to_lowercase();
        self.directory.contains_key(&bare) || self.cfg.directory.iter().any(|m| m.jid.eq_ignore_ascii_case(&bare))
    }

    fn members(&self) -> AccountEvent {
        let roster: Vec<RosterItem> = self.directory.values().cloned().collect();
        AccountEvent::Directory {
            members: super::roster::members(&self.cfg.directory, &roster, &self.cfg.directory_group),
        }
    }

    /// What the server sent, made sense of by the stream.
    pub fn incoming(
        &mut self,
        stream: &mut Stream,
        ev: Incoming,
        out: &mut Vec<AccountEvent>,
    ) -> Result<Flow, SessionError> {
        match ev {
            Incoming::Message(m) => out.push(AccountEvent::Message(m)),
            Incoming::ArchivePage { query, complete, last } => {
                let Some((_, pages)) = self.catch_up.take().filter(|(q, _)| *q == query) else {
                    return Ok(Flow::Continue);
                };
                if let Some(last) = &last {
                    out.push(AccountEvent::ArchivedUpTo { last: last.clone() });
                }
                match last.filter(|_| !complete && pages < MAX_CATCH_UP_PAGES) {
                    Some(after) => self.catch_up = Some((stream.query_archive(Some(&after), None)?, pages + 1)),
                    None => {
                        if !complete {
                            tracing::warn!(account = %self.cfg.jid, "archive catch-up stopped at its page limit");
                        }
                        out.push(AccountEvent::CaughtUp);
                    }
                }
            }
            Incoming::Presence(p) => {
                // Only our own account's other resources: the other desks.
                let other_desk = bare(&p.from) == stream.bare_jid() && p.from != stream.jid();
                // Signed in and not away or busy: open for questions.
                let open = p.available && matches!(p.show.as_deref(), None | Some("chat"));
                if let (true, Some((_, resource))) = (other_desk, p.from.split_once('/')) {
                    // A desk that just came learns who staffs this one (directed, not broadcast).
                    if p.available && self.desks.insert(p.from.clone()) {
                        if let Some((c, on_duty)) = &self.card {
                            stream.send_card(&p.from, self.presence.0, Some(&self.presence.1), c, *on_duty)?;
                        }
                    } else if !p.available {
                        self.desks.remove(&p.from);
                    }
                    out.push(AccountEvent::DeskPresence {
                        resource: resource.to_owned(),
                        available: open,
                        online: p.available,
                        card: p.card,
                        on_duty: p.on_duty,
                    });
                } else if self.in_directory(&p.from) {
                    out.push(AccountEvent::ColleaguePresence {
                        from: p.from,
                        online: p.available,
                        open,
                        status: p.status,
                    });
                }
            }
            Incoming::Roster { items } => {
                self.listed = items.iter().map(|i| i.jid.to_lowercase()).collect();
                for from in self.buddy_requests.take().unwrap_or_default() {
                    match self.cfg.buddies.answer(self.listed.contains(&from)) {
                        Some(allow) => stream.answer_subscription(&from, allow)?,
                        None => out.push(AccountEvent::BuddyRequest { from }),
                    }
                }
                self.directory = items
                    .iter()
                    .filter(|i| in_group(i, &self.cfg.directory_group))
                    .map(|i| (i.jid.clone(), i.clone()))
                    .collect();
                out.push(AccountEvent::Roster { items });
                out.push(self.members());
            }
            Incoming::RosterPush { item } => {
                if item.removed() {
                    self.listed.remove(&item.jid.to_lowercase());
                } else {
                    self.listed.insert(item.jid.to_lowercase());
                }
                let touched = if in_group(&item, &self.cfg.directory_group) {
                    self.directory.insert(item.jid.clone(), item.clone()).as_ref() != Some(&item)
                } else {
                    self.directory.remove(&item.jid).is_some()
                };
                out.push(AccountEvent::RosterChanged { item });
                if touched {
                    out.push(self.members());
                }
            }
            Incoming::Acked { ids } => out.extend(ids.into_iter().map(|id| AccountEvent::Sent { id })),
            Incoming::SubscriptionRequest { from } => {
                let from = from.to_lowercase();
                match &mut self.buddy_requests {
                    // The roster is not here yet: answered when it is (a bounded wait).
                    Some(waiting) if waiting.len() < MAX_WAITING_REQUESTS => waiting.push(from),
                    Some(_) => {}
                    None => match self.cfg.buddies.answer(self.listed.contains(&from)) {
                        Some(allow) => {
                            // No address in the log: it is a patron's.
                            tracing::info!(account = %self.cfg.jid, allow, "answered a request to see the desk's presence");
                            stream.answer_subscription(&from, allow)?;
                        }
                        // The librarian answers (`AccountCommand::AnswerBuddy`).
                        None => out.push(AccountEvent::BuddyRequest { from }),
                    },
                }
            }
            Incoming::Closed { reason } => return Ok(Flow::Ended { reason }),
            Incoming::IqResponse { .. } => {}
        }
        Ok(Flow::Continue)
    }

    /// A command of the desk. A message sent on a stream without acknowledgements counts as sent
    /// once written: its `Sent` is in `out` (the runner takes it back if the write fails).
    pub fn command(
        &mut self,
        stream: &mut Stream,
        cmd: AccountCommand,
        out: &mut Vec<AccountEvent>,
    ) -> Result<(), SessionError> {
        match cmd {
            AccountCommand::Send { to, id, body, auto } => {
                if let Err(e) = stream.send_message_with_id(&to, &body, &id, auto) {
                    // Refused before writing: the desk keeps it pending and resends it.
                    out.push(AccountEvent::SendFailed { id });
                    return Err(e);
                }
                // With stream management it is sent once the server acknowledges it.
                if !stream.acknowledges() {
                    out.push(AccountEvent::Sent { id });
                }
            }
            AccountCommand::Typing { to, typing } => stream.send_typing(&to, typing)?,
            AccountCommand::CatchUp { after, since } => {
                self.catch_up = Some((stream.query_archive(after.as_deref(), since)?, 1));
            }
            AccountCommand::ClientActive(active) => {
                self.client_active = active;
                stream.set_client_active(active)?;
            }
            AccountCommand::Stored(seq) => stream.stored(seq)?,
            AccountCommand::Receipt { to, id } => stream.send_receipt(&to, &id)?,
            AccountCommand::AnswerBuddy { to, allow } => stream.answer_subscription(&to, allow)?,
            AccountCommand::Hours { timezone, openings } => {
                stream.send_element(&super::web::hours_iq(&super::session::new_message_id(), &timezone, &openings))?;
            }
            AccountCommand::Place { to, place, wait_secs } => stream.send_place(&to, place, wait_secs)?,
            AccountCommand::Handoff { to, signal } => stream.send_handoff(&to, &signal)?,
            AccountCommand::Card { card, on_duty } => {
                let sent = self
                    .desks
                    .iter()
                    .try_for_each(|to| stream.send_card(to, self.presence.0, Some(&self.presence.1), &card, on_duty));
                self.card = Some((card, on_duty));
                sent?;
            }
            AccountCommand::Presence { show, status } => {
                self.presence = (show, status);
                stream.send_presence(self.presence.0, Some(&self.presence.1))?;
            }
        }
        Ok(())
    }
}

/// The account's logic on its own: stanzas in, stanzas and desk events out, no server.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::roster::Buddies;
    use crate::xmpp::sm::StreamMgmt;
    use crate::xmpp::xml::{read_stanza, StreamItem};
    use std::time::Instant;

    const ME: &str = "ask@library.test/desk-1";

    fn account(buddies: Buddies) -> Online {
        let mut cfg = AccountConfig::new("ask@library.test");
        cfg.buddies = buddies;
        Online::new(cfg, "Ask a librarian".into())
    }

    fn written(s: &mut Stream) -> Vec<String> {
        std::iter::from_fn(|| s.poll_write()).collect()
    }

    /// What the account makes of one stanza from the server.
    fn feed(o: &mut Online, s: &mut Stream, xml: &str) -> (Flow, Vec<AccountEvent>) {
        let mut out = Vec::new();
        let ev = s.handle(Some(Ok(StreamItem::Stanza(read_stanza(xml)))), Instant::now()).unwrap();
        let flow = ev.map_or(Ok(Flow::Continue), |ev| o.incoming(s, ev, &mut out)).unwrap();
        (flow, out)
    }

    fn id_of(stanza: &str) -> String {
        let at = stanza.find("id='").expect("an id") + 4;
        stanza[at..].split('\'').next().unwrap().to_owned()
    }

    #[test]
    fn a_fresh_sign_in_asks_the_roster_before_showing_presence_and_a_resumed_one_says_nothing() {
        let (mut o, mut s, mut out) = (account(Buddies::Everyone), Stream::new(ME.into()), Vec::new());
        o.command(&mut s, AccountCommand::Presence { show: Show::Away, status: "back soon".into() }, &mut out).unwrap();
        written(&mut s);
        o.signed_in(&mut s, false, &mut out).unwrap();
        let w = written(&mut s);
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w[0].contains("jabber:iq:roster"), "{w:?}");
        // The latest presence, not the first.
        assert!(
            w[1].starts_with("<presence>") && w[1].contains("<show>away</show><status>back soon</status>"),
            "{w:?}"
        );
        assert!(w[2].contains("urn:xmpp:carbons:2"), "{w:?}");
        assert!(out.is_empty());
        o.signed_in(&mut s, true, &mut out).unwrap();
        assert!(written(&mut s).is_empty());
        assert_eq!(out, [AccountEvent::Resumed]);
    }

    #[test]
    fn requests_to_see_the_desk_wait_for_the_roster_and_are_answered_by_the_policy() {
        let (mut o, mut s, mut out) = (account(Buddies::Ask), Stream::new(ME.into()), Vec::new());
        o.signed_in(&mut s, false, &mut out).unwrap();
        let roster_id = id_of(&written(&mut s)[0]);
        // Two requests before the roster: one from a listed contact, one from a stranger.
        for from in ["Regular@Patrons.test", "stranger@elsewhere.test"] {
            let (_, ev) = feed(&mut o, &mut s, &format!("<presence type='subscribe' from='{from}'/>"));
            assert!(ev.is_empty() && written(&mut s).is_empty(), "answered before the roster came");
        }
        let roster = format!(
            "<iq type='result' id='{roster_id}'><query xmlns='jabber:iq:roster'>\
             <item jid='regular@patrons.test' subscription='none'/>\
             <item jid='colleague@library.test' subscription='both'><group>Librarians</group></item></query></iq>"
        );
        let (_, ev) = feed(&mut o, &mut s, &roster);
        assert_eq!(written(&mut s), ["<presence type='subscribed' to='regular@patrons.test'/>"]);
        assert!(ev.contains(&AccountEvent::BuddyRequest { from: "stranger@elsewhere.test".into() }), "{ev:?}");
        assert!(
            matches!(&ev[..], [_, AccountEvent::Roster { .. }, AccountEvent::Directory { members }] if members.len() == 1),
            "{ev:?}"
        );
        // After the roster, at once: a stranger under "ask" goes to the librarian, nothing is written.
        let (_, ev) = feed(&mut o, &mut s, "<presence type='subscribe' from='new@elsewhere.test'/>");
        assert_eq!(ev, [AccountEvent::BuddyRequest { from: "new@elsewhere.test".into() }]);
        assert!(written(&mut s).is_empty());
    }

    #[test]
    fn each_desk_that_comes_is_told_this_desks_card_once() {
        let (mut o, mut s, mut out) = (account(Buddies::Everyone), Stream::new(ME.into()), Vec::new());
        let card = crate::handoff::DeskCard { name: "Ann".into(), subjects: "maps".into() };
        o.command(&mut s, AccountCommand::Card { card, on_duty: true }, &mut out).unwrap();
        assert!(written(&mut s).is_empty(), "no other desk yet");
        let (_, ev) = feed(&mut o, &mut s, "<presence from='ask@library.test/desk-2'/>");
        assert!(
            matches!(&ev[..], [AccountEvent::DeskPresence { resource, available: true, .. }] if resource == "desk-2"),
            "{ev:?}"
        );
        let w = written(&mut s);
        assert!(w.len() == 1 && w[0].contains("to='ask@library.test/desk-2'") && w[0].contains("name='Ann'"), "{w:?}");
        // Its presence again (a status change): no second card.
        feed(&mut o, &mut s, "<presence from='ask@library.test/desk-2'><show>away</show></presence>");
        assert!(written(&mut s).is_empty());
        // Our own presence and strangers' are not desks.
        assert!(feed(&mut o, &mut s, &format!("<presence from='{ME}'/>")).1.is_empty());
        assert!(feed(&mut o, &mut s, "<presence from='patron@elsewhere.test/x'/>").1.is_empty());
    }

    #[test]
    fn a_catch_up_fetches_page_after_page_and_ends_at_the_last() {
        let (mut o, mut s, mut out) = (account(Buddies::Everyone), Stream::new(ME.into()), Vec::new());
        o.command(&mut s, AccountCommand::CatchUp { after: Some("A0".into()), since: None }, &mut out).unwrap();
        let first = id_of(&written(&mut s)[0]);
        let fin = |q: &str, complete: bool, last: &str| {
            format!(
                "<iq type='result' id='{q}'><fin xmlns='urn:xmpp:mam:2' complete='{complete}'>\
                 <set xmlns='http://jabber.org/protocol/rsm'><last>{last}</last></set></fin></iq>"
            )
        };
        let (_, ev) = feed(&mut o, &mut s, &fin(&first, false, "A50"));
        assert_eq!(ev, [AccountEvent::ArchivedUpTo { last: "A50".into() }]);
        let next = written(&mut s);
        assert!(next.len() == 1 && next[0].contains("<after>A50</after>"), "{next:?}");
        let (_, ev) = feed(&mut o, &mut s, &fin(&id_of(&next[0]), true, "A60"));
        assert_eq!(ev, [AccountEvent::ArchivedUpTo { last: "A60".into() }, AccountEvent::CaughtUp]);
        assert!(written(&mut s).is_empty());
    }

    #[test]
    fn a_message_counts_as_sent_when_written_or_when_the_server_acknowledges_it() {
        let send =
            || AccountCommand::Send { to: "p@library.test".into(), id: "m1".into(), body: "hello".into(), auto: false };
        let (mut o, mut s, mut out) = (account(Buddies::Everyone), Stream::new(ME.into()), Vec::new());
        o.command(&mut s, send(), &mut out).unwrap();
        assert_eq!(out, [AccountEvent::Sent { id: "m1".into() }]);

        let (mut o, mut s, mut out) = (account(Buddies::Everyone), Stream::new(ME.into()), Vec::new());
        s.sm = Some(StreamMgmt::new(None));
        o.command(&mut s, send(), &mut out).unwrap();
        assert!(out.is_empty(), "not before the server has it: {out:?}");
        written(&mut s);
        let (_, ev) = feed(&mut o, &mut s, "<a xmlns='urn:xmpp:sm:3' h='1'/>");
        assert_eq!(ev, [AccountEvent::Sent { id: "m1".into() }]);
    }

    #[test]
    fn the_server_ending_the_stream_ends_it_here() {
        let (mut o, mut s) = (account(Buddies::Everyone), Stream::new(ME.into()));
        let (flow, _) = feed(
            &mut o,
            &mut s,
            "<stream:error xmlns:stream='http://etherx.jabber.org/streams'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        );
        assert_eq!(flow, Flow::Ended { reason: Some("conflict".into()) });
    }
}
