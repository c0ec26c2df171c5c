//! One account's path through the desk, without I/O: every event the account runner reports goes
//! through [`Pipeline::handle`] (classify, flood control, store, decide), and everything that is to
//! happen because of it (commands for the runner, updates for the window) comes out of
//! [`Pipeline::take_output`], in order. No clock, no socket, no lock: the caller passes the time
//! and the desk, so the whole path runs in tests in virtual time.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};

use super::classify::{classify, Input, Road};
use crate::api::{AccountState, AccountStatus, ColleagueView, FloodView, MessageView, NoteView, TypingView};
use crate::desk::{self, Action, AlertLevel};
use crate::flood::{FloodGuard, Verdict};
use crate::handoff::arbitration::speaks_for_the_rules;
use crate::handoff::directory::Directory;
use crate::handoff::DeskCard;
use crate::xmpp::account::{AccountCommand, AccountEvent};
use crate::xmpp::{ChatMessage, Show};
use crate::{store, Desk, Result};

/// How far back a desk's first catch-up reaches (a new desk, or a new account on it).
pub const FIRST_CATCH_UP_HOURS: i64 = 24;

/// Live messages held back at most while a catch-up runs; past this they are taken at once (in
/// arrival order, which may then differ from the order they were sent).
const MAX_HELD: usize = 5_000;

/// How often a flood's dropped count is told again while it lasts.
const FLOOD_REPORT_EVERY: u32 = 250;

/// What is to happen next, in the order it was decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// For the account runner.
    Command(AccountCommand),
    /// A stored message for the account runner to send to `to` (the patron's address now: see
    /// `Store::address_of`); shown in the window once on its way.
    Send { message: Box<store::StoredMessage>, to: String },
    /// For the window.
    Show(Shown),
}

/// What the window is told.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// The account's connection state changed.
    Status(AccountStatus),
    /// A message arrived, is on its way out, or was sent (the same id may come several times).
    Message(MessageView),
    /// A patron started or stopped typing.
    Typing(TypingView),
    /// A contact started flooding (their messages are dropped), is still at it, or stopped.
    Flooding(FloodView),
    /// Another desk wrote an internal note on a conversation.
    Note(NoteView),
    /// An IM has waited past a threshold of the desk policy.
    WaitAlert { peer: String, level: AlertLevel, waited_secs: i64 },
}

/// One account's pipeline; see the module's documentation.
#[derive(Debug)]
pub struct Pipeline {
    account: String,
    /// This desk's resource on the account (which desk speaks for the rules).
    own_resource: String,
    /// Stable ids handed to the runner and not yet reported sent or failed.
    in_flight: HashSet<String>,
    /// While the archive catch-up runs, only its pages move the archive position.
    catching_up: bool,
    /// The status last shown, to say again once the catch-up is done.
    last_status: Option<AccountStatus>,
    /// A catch-up is owed to the runner (asked for again until it goes: nothing is skipped).
    catch_up_owed: bool,
    /// The newest handled stream position not yet confirmed to the runner (confirmations are
    /// cumulative, so only the newest matters).
    unconfirmed: Option<u32>,
    flood: FloodGuard,
    flooding: HashSet<String>,
    /// The other desks signed in to this account, by resource.
    desks: BTreeMap<String, ColleagueView>,
    /// The library's librarians (a roster group) and their presence.
    directory: Directory,
    /// Whether this desk shows itself open, and whether it speaks for the rules.
    open_here: bool,
    speaks: bool,
    /// The next `Online` comes from a resumed stream: nothing was missed.
    resumed: bool,
    /// Live messages that came while a catch-up runs, taken after its pages so that a message
    /// the broken link lost (fetched from the archive) keeps its place before the ones sent after
    /// it; and the newest stream position among and after them (confirmed once they are stored).
    held: Vec<ChatMessage>,
    held_seq: Option<u32>,
    /// Each waiting patron's place and expected wait (in minutes) as last told to them; `None`
    /// until the line was first read (then everyone waiting hears where they stand).
    told: Option<BTreeMap<String, (u32, u32)>>,
    /// The librarian's answers to buddy requests the runner's queue could not take.
    buddy_owed: Vec<(String, bool)>,
    /// Web chats' current addresses, to the chats they belong to (see `address`).
    addressed: HashMap<String, String>,
    /// The desk card revision the other desks were last told of.
    announced: Option<u64>,
    /// The desk changed in a way the window is to see.
    desk_changed: bool,
    out: VecDeque<Output>,
}

impl Pipeline {
    pub fn new(account: &str, own_resource: &str) -> Pipeline {
        Pipeline {
            account: account.to_owned(),
            own_resource: own_resource.to_owned(),
            in_flight: HashSet::new(),
            catching_up: false,
            last_status: None,
            catch_up_owed: false,
            unconfirmed: None,
            flood: FloodGuard::default(),
            flooding: HashSet::new(),
            desks: BTreeMap::new(),
            directory: Directory::default(),
            open_here: true,
            speaks: true,
            resumed: false,
            held: Vec::new(),
            held_seq: None,
            told: None,
            buddy_owed: Vec::new(),
            addressed: HashMap::new(),
            announced: None,
            desk_changed: false,
            out: VecDeque::new(),
        }
    }

    /// Takes one event from the account runner.
    pub fn handle(&mut self, desk: &mut Desk, event: AccountEvent, now: DateTime<Utc>) {
        match event {
            AccountEvent::Resumed => self.resumed = true,
            AccountEvent::Status(s) => self.status(desk, s, now),
            AccountEvent::Message(m) => {
                let live = !m.from_archive && m.carbon.is_none() && m.body.is_some() && m.handoff.is_none();
                if self.catching_up && live && self.held.len() < MAX_HELD {
                    self.held_seq = m.stream_seq.or(self.held_seq);
                    // Taken later, it keeps the time it came: its place in the conversation, and a
                    // patron's burst is judged at the pace it was sent, not all at once.
                    let mut m = m;
                    m.sent_at = m.sent_at.or(Some(now));
                    self.held.push(m);
                    return;
                }
                self.message(desk, &m, now);
                // Never confirm past a held message: the server would forget it.
                if self.held.is_empty() {
                    self.unconfirmed = m.stream_seq.or(self.unconfirmed);
                } else {
                    self.held_seq = m.stream_seq.or(self.held_seq);
                }
            }
            AccountEvent::ArchivedUpTo { last } => {
                let done = desk.set_archive_position(&self.account, &last);
                self.ok(done);
            }
            AccountEvent::CaughtUp => {
                // (Taken while still catching up: the archive's pages, not these, set its position.)
                for m in std::mem::take(&mut self.held) {
                    self.message(desk, &m, now);
                }
                self.catching_up = false;
                self.unconfirmed = self.held_seq.take().or(self.unconfirmed);
                // The window stops saying "catching up".
                if let Some(s) = self.last_status.as_mut().filter(|s| s.catching_up) {
                    s.catching_up = false;
                    self.out.push_back(Output::Show(Shown::Status(s.clone())));
                }
            }
            AccountEvent::Roster { items } => desk.set_roster(&self.account, &items),
            AccountEvent::RosterChanged { item } => desk.roster_changed(&self.account, &item),
            AccountEvent::Directory { members } => {
                self.directory.set_members(&members);
                self.tell_directory(desk);
            }
            AccountEvent::ColleaguePresence { from, online, open, status } => {
                if self.directory.presence(&from, online, open, status.as_deref()) {
                    self.tell_directory(desk);
                }
            }
            AccountEvent::DeskPresence { resource, available, online, card, on_duty } => {
                if online {
                    // Only a desk's directed presence carries its card; a broadcast one keeps what we know.
                    let known = self.desks.get(&resource);
                    let duty = on_duty.or(known.map(|c| c.on_duty)).unwrap_or(available);
                    let known = known.map(|c| DeskCard { name: c.name.clone(), subjects: c.subjects.clone() });
                    let card = card.or(known).unwrap_or_default();
                    let view = ColleagueView {
                        account: self.account.clone(),
                        resource: resource.clone(),
                        name: card.name,
                        subjects: card.subjects,
                        open: available,
                        on_duty: duty,
                    };
                    self.desks.insert(resource, view);
                } else {
                    self.desks.remove(&resource);
                }
                self.tell_colleagues(desk, now);
            }
            AccountEvent::Sent { id } => {
                self.in_flight.remove(&id);
                let sent = desk.mark_sent(&self.account, &id);
                if let Some(Some(view)) = self.ok(sent) {
                    self.out.push_back(Output::Show(Shown::Message(view)));
                }
            }
            AccountEvent::SendFailed { id } => {
                self.in_flight.remove(&id);
            }
            AccountEvent::BuddyRequest { from } => {
                self.desk_changed |= desk.buddy_request(&self.account, &from);
            }
        }
    }

    /// The desk's next deadline has come.
    pub fn tick(&mut self, desk: &mut Desk, now: DateTime<Utc>) {
        let ticked = desk.tick(now);
        self.ok(ticked);
    }

    /// Collects what the desk decided since the last call, in the order it is to happen: the
    /// catch-up owed, the confirmation of what is stored, this desk's card, presence and alerts,
    /// the messages to send (from the store, each once), then handoff signals (after the
    /// messages: the patron's "passing you on" goes out before the offer it announces).
    pub fn drain(&mut self, desk: &mut Desk, now: DateTime<Utc>) {
        if std::mem::take(&mut self.catch_up_owed) {
            let after = desk.archive_position(&self.account);
            let after = self.ok(after).flatten();
            let since = after.is_none().then(|| now - chrono::Duration::hours(FIRST_CATCH_UP_HOURS));
            self.out.push_back(Output::Command(AccountCommand::CatchUp { after, since }));
        }
        if let Some(seq) = self.unconfirmed.take() {
            self.out.push_back(Output::Command(AccountCommand::Stored(seq)));
        }
        let open_desks = self.desks.iter().map(|(r, c)| (r.clone(), c.open)).collect();
        let speaks = speaks_for_the_rules(&self.own_resource, self.open_here, &open_desks);
        if speaks != self.speaks {
            self.speaks = speaks;
            let account = &self.account;
            tracing::info!(%account, speaks, "this desk's rules {} the automatic replies", if speaks { "send" } else { "leave to another desk" });
            desk.set_sends_auto_replies(speaks);
        }
        self.announce_card(desk);
        let actions = desk.take_actions();
        self.desk_changed |= !actions.is_empty() | desk.take_handoffs_changed();
        for note in desk.take_new_notes() {
            self.out.push_back(Output::Show(Shown::Note(note)));
        }
        let line_moved = actions.iter().any(|a| !matches!(a, Action::WaitAlert { .. } | Action::SetPresence { .. }));
        for a in actions {
            // Auto-replies are already in the store, sent below with everything else pending.
            match a {
                Action::SetPresence { show, status } => {
                    self.open_here = show == desk::Show::Available;
                    self.out.push_back(Output::Command(AccountCommand::Presence { show: xmpp_show(show), status }));
                }
                Action::WaitAlert { chat, level, waited_secs } => {
                    self.out.push_back(Output::Show(Shown::WaitAlert { peer: chat, level, waited_secs }));
                }
                _ => {}
            }
        }
        if line_moved || self.told.is_none() {
            self.tell_places(desk);
        }
        let pending = desk.pending_messages(&self.account);
        for m in self.ok(pending).unwrap_or_default() {
            if self.in_flight.insert(m.stable_id.clone()) {
                let to = desk.address_of(&self.account, &m.peer);
                let to = self.ok(to).unwrap_or_else(|| m.peer.clone());
                self.out.push_back(Output::Send { message: Box::new(m), to });
            }
        }
        for (to, signal) in desk.take_handoff_signals(&self.account) {
            self.out.push_back(Output::Command(AccountCommand::Handoff { to, signal }));
        }
        let answers = std::mem::take(&mut self.buddy_owed).into_iter().chain(desk.take_buddy_answers(&self.account));
        for (to, allow) in answers.collect::<Vec<_>>() {
            self.out.push_back(Output::Command(AccountCommand::AnswerBuddy { to, allow }));
        }
    }

    /// The next thing to happen, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// Everything that is to happen now, in order.
    pub fn take_output(&mut self) -> Vec<Output> {
        self.out.drain(..).collect()
    }

    /// Whether the desk changed in a way the window is to see since the last call.
    pub fn take_desk_changed(&mut self) -> bool {
        std::mem::take(&mut self.desk_changed)
    }

    /// Something is owed to the runner that could not go (its queue was full): try again soon.
    /// (Owed answers to buddy requests go at the next turn's drain.)
    pub fn owes(&self) -> bool {
        self.catch_up_owed || self.unconfirmed.is_some() || !self.buddy_owed.is_empty()
    }

    /// An output the runner could not take (its queue was full): what must not be lost is owed
    /// again (the catch-up, the confirmation, the card) or left in the store to go next time (a
    /// message); the rest was a courtesy or is settled otherwise.
    pub fn unsent(&mut self, output: Output) {
        match output {
            Output::Command(AccountCommand::CatchUp { .. }) => self.catch_up_owed = true,
            Output::Command(AccountCommand::Stored(seq)) => self.unconfirmed = self.unconfirmed.or(Some(seq)),
            Output::Command(AccountCommand::Card { .. }) => self.announced = None,
            // The librarian's answer: owed until it goes.
            Output::Command(AccountCommand::AnswerBuddy { to, allow }) => self.buddy_owed.push((to, allow)),
            // Said again at the next change of the line.
            Output::Command(AccountCommand::Place { to, .. }) => {
                let peer = self.addressed.get(&to).cloned().unwrap_or(to);
                if let Some(told) = &mut self.told {
                    told.remove(&peer);
                }
            }
            Output::Send { message, .. } => {
                self.in_flight.remove(&message.stable_id);
            }
            _ => {}
        }
    }

    fn status(&mut self, desk: &mut Desk, s: AccountStatus, now: DateTime<Utc>) {
        let online = s.state == AccountState::Online;
        let fresh = online && !std::mem::take(&mut self.resumed);
        if fresh {
            // A new stream counts its stanzas afresh: positions on the old one mean nothing here
            // (what was held and not confirmed there, the server keeps or archived).
            self.held_seq = None;
            // The opening hours the website's chat box shows while nobody is at the desk.
            let (timezone, openings) = desk.opening_hours(now);
            self.out.push_back(Output::Command(AccountCommand::Hours { timezone, openings }));
            // Who else is signed in is told again after a fresh sign-in.
            self.desks.clear();
            self.tell_colleagues(desk, now);
            self.directory.signed_out();
            self.tell_directory(desk);
        }
        // Whatever arrived while this desk was away is in the archive: fetch it. A resumed stream
        // missed nothing, but a catch-up it cut short starts again.
        if fresh || (online && self.catching_up) {
            self.catch_up_owed = true;
            self.catching_up = true;
        }
        let s = AccountStatus { catching_up: self.catching_up && online, ..s };
        self.last_status = Some(s.clone());
        self.out.push_back(Output::Show(Shown::Status(s)));
    }

    fn message(&mut self, desk: &mut Desk, m: &ChatMessage, now: DateTime<Utc>) {
        let (mut inputs, archive_id) = classify(&self.account, m);
        // A web chat's words count in its chat (a reload does not start a patron's allowance afresh).
        let placed = desk.place_visit(&self.account, &mut inputs, now);
        self.ok(placed);
        if !self.admit(desk, &inputs, m.sent_at.unwrap_or(now)) {
            return;
        }
        // A live message moves the archive position (where a catch-up after a restart starts),
        // in the same write as the message it comes with.
        let mut position = archive_id.filter(|_| !self.catching_up && m.sent_at.is_none());
        if inputs.iter().any(|i| matches!(i, Input::Handoff(_))) {
            position = None;
        }
        for input in &mut inputs {
            if let Input::Message(incoming) = input {
                incoming.archive_position = position.take();
            }
        }
        if let Some(id) = position {
            let moved = desk.set_archive_position(&self.account, &id);
            self.ok(moved);
        }
        for input in inputs {
            match input {
                Input::Typing { peer, typing } => {
                    let view = TypingView { account: self.account.clone(), peer, typing };
                    self.out.push_back(Output::Show(Shown::Typing(view)));
                }
                Input::Message(incoming) => {
                    let receipt = incoming.receipt.clone();
                    let taken = desk.handle(&self.account, Input::Message(incoming), now);
                    let Some(taken) = self.ok(taken) else { continue };
                    // Acknowledged only once it is in the store (or was already).
                    if let Some((to, id)) = receipt {
                        self.out.push_back(Output::Command(AccountCommand::Receipt { to, id }));
                    }
                    self.show(taken.message);
                }
                other => {
                    let taken = desk.handle(&self.account, other, now);
                    if let Some(taken) = self.ok(taken) {
                        self.desk_changed |= taken.desk_changed;
                        self.show(taken.message);
                    }
                }
            }
        }
    }

    /// Flood control: whether the desk takes this stanza. However a patron's message came (live,
    /// a copy another desk received, the archive), it counts against their allowance at the time
    /// it was sent; a second copy of one already stored does not count again. While a contact
    /// floods, their typing notifications are dropped too.
    fn admit(&mut self, desk: &Desk, inputs: &[Input], at: DateTime<Utc>) -> bool {
        // A question left for a follow-up counts as a message: a flood of them is dropped too.
        let message = inputs.iter().find_map(|i| match i {
            Input::Message(m) | Input::FollowUp { question: m, .. } => Some(m),
            _ => None,
        });
        if let Some(m) = message {
            let second_copy = m.road != Road::Direct && self.ok(desk.has_received(&self.account, m)).unwrap_or(false);
            if !second_copy {
                let peer = m.peer.as_str();
                let verdict = self.flood.check(peer, at);
                let view = |flood: &FloodGuard, flooding| FloodView {
                    account: self.account.clone(),
                    peer: peer.to_owned(),
                    flooding,
                    dropped: flood.dropped(peer),
                };
                match verdict {
                    Verdict::Drop { first } => {
                        if first {
                            // No address in the log: it is a patron's.
                            let account = &self.account;
                            tracing::warn!(%account, "a contact is flooding the desk; their messages are dropped");
                            self.flooding.insert(peer.to_owned());
                        }
                        if first || self.flood.dropped(peer).is_multiple_of(FLOOD_REPORT_EVERY) {
                            self.out.push_back(Output::Show(Shown::Flooding(view(&self.flood, true))));
                        }
                        return false;
                    }
                    Verdict::Take => {
                        if self.flooding.remove(peer) {
                            self.out.push_back(Output::Show(Shown::Flooding(view(&self.flood, false))));
                        }
                    }
                }
                return true;
            }
        }
        let patron = inputs.iter().find_map(|i| match i {
            Input::Message(m) => Some(m.peer.as_str()),
            Input::Typing { peer, .. } | Input::Receipt { peer, .. } => Some(peer.as_str()),
            _ => None,
        });
        patron.is_none_or(|p| !self.flooding.contains(p))
    }

    fn show(&mut self, message: Option<MessageView>) {
        if let Some(view) = message {
            self.out.push_back(Output::Show(Shown::Message(view)));
        }
    }

    /// Tells each patron waiting in line on this account where they stand, when that changed,
    /// and those who left the line that they no longer wait (place 0). Only the desk that speaks
    /// for the rules does, so a patron hears it once.
    fn tell_places(&mut self, desk: &Desk) {
        if !self.speaks {
            self.told = None;
            return;
        }
        let Some(places) = self.ok(desk.places(&self.account)) else { return };
        let before = self.told.take().unwrap_or_default();
        let mut now = BTreeMap::new();
        for (peer, place, wait_secs) in places {
            let place = u32::try_from(place).unwrap_or(u32::MAX);
            let wait_secs = u32::try_from(wait_secs).unwrap_or(u32::MAX);
            let said = (place, wait_secs.div_ceil(60));
            if before.get(&peer) != Some(&said) {
                let to = self.address(desk, &peer);
                self.out.push_back(Output::Command(AccountCommand::Place { to, place, wait_secs }));
            }
            now.insert(peer, said);
        }
        for peer in before.into_keys().filter(|p| !now.contains_key(p)) {
            let to = self.address(desk, &peer);
            self.out.push_back(Output::Command(AccountCommand::Place { to, place: 0, wait_secs: 0 }));
        }
        self.told = Some(now);
    }

    /// Where `peer` is written to now; a web chat's new address is remembered for `unsent`.
    fn address(&mut self, desk: &Desk, peer: &str) -> String {
        let to = desk.address_of(&self.account, peer);
        let to = self.ok(to).unwrap_or_else(|| peer.to_owned());
        if to != peer {
            if self.addressed.len() > MAX_HELD {
                self.addressed.clear();
            }
            self.addressed.insert(to.clone(), peer.to_owned());
        }
        to
    }

    /// Tells the runner who staffs this desk and whether they are on duty (the librarian's own
    /// presence is Available) whenever that may have changed since last told: the other desks
    /// list the card, and count an on-duty librarian for double-staffing even while this desk
    /// shows "away".
    fn announce_card(&mut self, desk: &Desk) {
        let revision = desk.card_revision();
        if self.announced == Some(revision) {
            return;
        }
        let card = desk.desk_card().and_then(|card| Ok((card, desk.presence()? == crate::api::Presence::Available)));
        if let Some((card, on_duty)) = self.ok(card) {
            self.out.push_back(Output::Command(AccountCommand::Card { card, on_duty }));
            self.announced = Some(revision);
        }
    }

    /// Gives the desk the current list of the other desks on the account.
    fn tell_colleagues(&mut self, desk: &mut Desk, now: DateTime<Utc>) {
        let list: Vec<ColleagueView> = self.desks.values().cloned().collect();
        let changed = desk.set_colleagues(&self.account, list, now);
        self.desk_changed |= self.ok(changed) == Some(true);
    }

    /// Gives the desk the account's colleague directory.
    fn tell_directory(&mut self, desk: &mut Desk) {
        self.desk_changed |= desk.set_directory(&self.account, self.directory.entries(&self.account));
    }

    /// A desk operation's result; a failure is logged (with the account, never a patron's
    /// address) and the pipeline goes on with the next step.
    fn ok<T>(&self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                let account = &self.account;
                tracing::error!(%account, "the desk could not take an event: {e}");
                None
            }
        }
    }
}

fn xmpp_show(s: desk::Show) -> Show {
    match s {
        desk::Show::Available => Show::Available,
        desk::Show::Busy => Show::DoNotDisturb,
        desk::Show::Away => Show::Away,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::api;
    use crate::tests::desk;

    const ACCOUNT: &str = "ask@library.test";

    fn patron(from: &str, id: &str, body: &str, seq: u32) -> AccountEvent {
        AccountEvent::Message(ChatMessage {
            from: from.into(),
            to: Some(format!("{ACCOUNT}/desk")),
            id: Some(id.into()),
            kind: "chat".into(),
            body: Some(body.into()),
            receipt_request: true,
            stanza_ids: vec![(ACCOUNT.into(), format!("arch-{id}"))],
            stream_seq: Some(seq),
            ..Default::default()
        })
    }

    fn online() -> AccountEvent {
        AccountEvent::Status(AccountStatus {
            jid: ACCOUNT.into(),
            state: AccountState::Online,
            message: None,
            retry_at: None,
            catching_up: false,
            seq: 0,
        })
    }

    /// Handles each event, then drains, as one turn of the service does; gives what came out.
    fn turn(p: &mut Pipeline, d: &mut Desk, events: Vec<AccountEvent>, now: DateTime<Utc>) -> Vec<Output> {
        for e in events {
            p.handle(d, e, now);
        }
        p.drain(d, now);
        p.take_output()
    }

    fn sends(out: &[Output]) -> Vec<String> {
        out.iter()
            .filter_map(|o| match o {
                Output::Send { message, .. } => Some(message.body.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_patrons_question_is_stored_then_confirmed_shown_and_answered_by_the_rules() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        d.start_walkup(None, t0).unwrap();
        let out = turn(&mut p, &mut d, vec![patron("lu@x.org/phone", "q1", "Do you have atlases?", 7)], t0);
        let receipt =
            out.iter().position(|o| matches!(o, Output::Command(AccountCommand::Receipt { id, .. }) if id == "q1"));
        let shown =
            out.iter().position(|o| matches!(o, Output::Show(Shown::Message(m)) if m.body == "Do you have atlases?"));
        assert!(receipt.is_some() && shown.is_some(), "{out:?}");
        assert!(out.contains(&Output::Command(AccountCommand::Stored(7))), "the server may forget it now: {out:?}");
        assert!(
            out.iter().any(|o| matches!(o, Output::Show(Shown::Typing(t)) if !t.typing)),
            "their message ends their typing"
        );
        let replies = sends(&out);
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert!(replies[0].contains("desk"), "the walk-up rule's reply: {replies:?}");
        assert_eq!(d.messages(ACCOUNT, "lu@x.org", None, 10).unwrap().len(), 2, "the question and the reply, stored");
        assert_eq!(d.archive_position(ACCOUNT).unwrap().as_deref(), Some("arch-q1"));
        assert!(p.take_desk_changed(), "the line changed");

        // The same message again (a copy from the archive): nothing new, not answered twice.
        let out = turn(&mut p, &mut d, vec![patron("lu@x.org/phone", "q1", "Do you have atlases?", 8)], t0);
        assert!(sends(&out).is_empty(), "{out:?}");
        assert!(!out.iter().any(|o| matches!(o, Output::Show(Shown::Message(_)))), "{out:?}");
    }

    /// A message from the website's chat box, in visit `visit`.
    fn web(from: &str, id: &str, body: Option<&str>, visit: &str, last: Option<&str>) -> AccountEvent {
        let AccountEvent::Message(mut m) = patron(from, id, body.unwrap_or(""), 0) else { unreachable!() };
        m.body = body.map(str::to_owned);
        m.stream_seq = None;
        m.chat_state = body.is_none().then(|| "active".to_owned());
        let resume = body.is_none();
        m.web = Some(Box::new(crate::xmpp::web::Visit {
            token: visit.into(),
            resume,
            last: last.map(str::to_owned),
            rating: None,
            followup: None,
        }));
        AccountEvent::Message(m)
    }

    fn sent_to(out: &[Output]) -> Vec<(String, String)> {
        out.iter()
            .filter_map(|o| match o {
                Output::Send { message, to } => Some((to.clone(), message.body.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_web_chat_keeps_its_chat_across_a_reload_and_gets_what_it_missed_once() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        const VISIT: &str = "Zk3v9Qx0c2LmT7aa";
        let first = "g1@guest.library.test";
        turn(&mut p, &mut d, vec![web(&format!("{first}/w1"), "q1", Some("Any atlases?"), VISIT, None)], t0);
        let r1 = d.reply(ACCOUNT, first, "Yes, on floor 2.", t0).unwrap();
        let out = turn(&mut p, &mut d, vec![], t0);
        assert_eq!(sent_to(&out), [(first.to_owned(), "Yes, on floor 2.".to_owned())]);
        let id1 = d.store().message(r1.id).unwrap().unwrap().stable_id;
        turn(&mut p, &mut d, vec![AccountEvent::Sent { id: id1.clone() }], t0);
        // The answer written while the page reloads goes to the old guest address (gone).
        let r2 = d.reply(ACCOUNT, first, "Atlases of what region?", t0).unwrap();
        let out = turn(&mut p, &mut d, vec![], t0);
        let id2 = d.store().message(r2.id).unwrap().unwrap().stable_id;
        turn(&mut p, &mut d, vec![AccountEvent::Sent { id: id2 }], t0);
        assert_eq!(sent_to(&out).len(), 1);

        // The box signs in again as a new guest and says the last answer it shows: the one after
        // it goes again, to the new address, under its own id; nothing before it.
        let second = "g2@guest.library.test";
        let t1 = t0 + Duration::seconds(5);
        let out = turn(&mut p, &mut d, vec![web(&format!("{second}/w2"), "r", None, VISIT, Some(&id1))], t1);
        assert_eq!(sent_to(&out), [(second.to_owned(), "Atlases of what region?".to_owned())]);
        // Its next words are the same chat, and the librarian's answer goes to where it is now.
        turn(&mut p, &mut d, vec![web(&format!("{second}/w2"), "q2", Some("Of Flanders."), VISIT, None)], t1);
        let bodies: Vec<String> = d.messages(ACCOUNT, first, None, 10).unwrap().into_iter().map(|m| m.body).collect();
        assert_eq!(bodies, ["Any atlases?", "Yes, on floor 2.", "Atlases of what region?", "Of Flanders."]);
        assert!(d.messages(ACCOUNT, second, None, 10).unwrap().is_empty(), "no second chat");
        d.reply(ACCOUNT, first, "Map room, drawer 4.", t1).unwrap();
        let out = turn(&mut p, &mut d, vec![], t1);
        assert_eq!(sent_to(&out), [(second.to_owned(), "Map room, drawer 4.".to_owned())]);
        assert_eq!(d.address_of(ACCOUNT, first).unwrap(), second);

        // A guest of another server with the same token does not step into the chat.
        let stranger = "eve@elsewhere.test";
        turn(&mut p, &mut d, vec![web(&format!("{stranger}/x"), "e1", Some("hello"), VISIT, None)], t1);
        assert_eq!(d.messages(ACCOUNT, stranger, None, 10).unwrap().len(), 1, "their own chat");
        assert_eq!(d.address_of(ACCOUNT, first).unwrap(), second, "still the box's");

        // Closed, the chat is a web chat in the transcripts, the statistics and the search.
        d.close_chat(first, &api::Rating::default(), t1 + Duration::minutes(3)).unwrap();
        d.close_chat(stranger, &api::Rating::default(), t1 + Duration::minutes(3)).unwrap();
        let only = |medium| api::SearchFilter { medium: Some(medium), ..Default::default() };
        let web_hits = d.search_transcripts_in("flanders", &only(api::Medium::Web), &Utc, 10).unwrap();
        assert_eq!(web_hits.iter().map(|h| h.medium).collect::<Vec<_>>(), [api::Medium::Web]);
        assert!(d.search_transcripts_in("flanders", &only(api::Medium::Chat), &Utc, 10).unwrap().is_empty());
        assert_eq!(d.search_transcripts_in("hello", &only(api::Medium::Chat), &Utc, 10).unwrap().len(), 1);
        let s = d.statistics(t0 - Duration::hours(1), t1 + Duration::hours(1), &Utc).unwrap();
        assert_eq!((s.questions.web, s.questions.chat), (1, 1));
    }

    #[test]
    fn a_web_patron_who_ends_the_chat_leaves_the_line_and_the_next_moves_up() {
        let (_dir, mut d) = desk();
        d.set_policy(desk::Policy { max_chats: 1, ..desk::Policy::default() });
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        const VISIT: &str = "Zk3v9Qx0c2LmT7bb";
        turn(&mut p, &mut d, vec![patron("ann@x/r", "a1", "first in line", 1)], t0);
        turn(&mut p, &mut d, vec![web("g1@guest.test/w", "q1", Some("second in line"), VISIT, None)], t0);
        turn(&mut p, &mut d, vec![patron("bo@x/r", "b1", "third in line", 2)], t0);
        let place_of =
            |d: &Desk, who: &str| d.places(ACCOUNT).unwrap().into_iter().find(|(p, ..)| p == who).map(|x| x.1);
        assert_eq!(place_of(&d, "bo@x"), Some(2), "{:?}", d.places(ACCOUNT));
        let AccountEvent::Message(mut end) = web("g1@guest.test/w", "e", None, VISIT, None) else { unreachable!() };
        end.chat_state = Some("gone".into());
        let out = turn(&mut p, &mut d, vec![AccountEvent::Message(end)], t0 + Duration::minutes(2));
        assert_eq!(place_of(&d, "g1@guest.test"), None, "out of the line");
        assert_eq!(place_of(&d, "bo@x"), Some(1), "the next moved up");
        assert!(p.take_desk_changed());
        let told = out
            .iter()
            .any(|o| matches!(o, Output::Command(AccountCommand::Place { to, place: 1, .. }) if to == "bo@x"));
        assert!(told, "and is told so: {out:?}");
        let hits = d.search_transcripts("second", 10).unwrap();
        let t = d.store().transcript(hits[0].id).unwrap().unwrap();
        assert_eq!((t.reason.as_str(), t.medium), ("patronLeft", api::Medium::Web));
        assert_eq!(d.snapshot(t0).unwrap().left, ["g1@guest.test"], "the window says they left");
        // Then they rate it in the box: the closed chat's transcript takes it, the comment redacted.
        let AccountEvent::Message(mut rated) = web("g1@guest.test/w", "r1", None, VISIT, None) else { unreachable!() };
        rated.chat_state = None;
        if let Some(w) = rated.web.as_mut() {
            w.resume = false;
            w.rating =
                Some(crate::xmpp::web::Rating { score: 4, comment: "Great help! Write me at ann@example.org".into() });
        }
        turn(&mut p, &mut d, vec![AccountEvent::Message(rated)], t0 + Duration::minutes(3));
        let t = d.store().transcript(hits[0].id).unwrap().unwrap();
        assert_eq!((t.patron_rating, t.patron_comment.as_str()), (Some(4), "Great help! Write me at [EMAIL]"));
        let s = d.statistics(t0 - Duration::hours(1), t0 + Duration::hours(1), &Utc).unwrap();
        assert_eq!(s.patron_ratings, [0, 0, 0, 1, 0]);
        // Writing again (the same visit) is a new question, and they are no longer "left".
        turn(&mut p, &mut d, vec![web("g1@guest.test/w", "q2", Some("one more thing"), VISIT, None)], t0);
        assert!(d.snapshot(t0).unwrap().left.is_empty());
    }

    #[test]
    fn a_question_left_while_the_desk_was_closed_is_a_follow_up_not_a_chat_and_leaves_a_transcript() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        // Left last night, found in the archive when the desk signs in this morning.
        let AccountEvent::Message(mut m) =
            web("g5@guest.test/w", "f1", Some("Are you open on Sunday?"), "Zk3v9Qx0c2LmT7cc", None)
        else {
            unreachable!()
        };
        m.chat_state = None;
        m.from_archive = true;
        m.sent_at = Some(t0 - Duration::hours(10));
        if let Some(w) = m.web.as_mut() {
            w.resume = false;
            w.followup = Some(crate::xmpp::web::FollowUp { email: Some("sam@example.org".into()) });
        }
        turn(&mut p, &mut d, vec![online(), AccountEvent::Message(m.clone())], t0);
        // The same question again from the server's offline store: kept once.
        m.from_archive = false;
        turn(&mut p, &mut d, vec![AccountEvent::Message(m)], t0);
        let list = d.followups().unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(
            (list[0].question.as_str(), list[0].email.as_deref()),
            ("Are you open on Sunday?", Some("sam@example.org"))
        );
        assert_eq!(d.snapshot(t0).unwrap().followups, 1);
        assert!(d.places(ACCOUNT).unwrap().is_empty(), "not a chat in the line");
        assert!(d.messages(ACCOUNT, "g5@guest.test", None, 10).unwrap().is_empty(), "nor a conversation");

        d.answer_followup(list[0].id, t0).unwrap();
        assert!(d.followups().unwrap().is_empty());
        assert!(d.answer_followup(list[0].id, t0).unwrap_err().to_string().contains("no follow-up"));
        let hits = d.search_transcripts("sunday", 10).unwrap();
        let t = d.store().transcript(hits[0].id).unwrap().unwrap();
        assert_eq!((t.reason.as_str(), t.medium, t.lines.len()), ("followUp", api::Medium::Web, 1));
    }

    #[test]
    fn a_follow_up_nobody_answers_in_time_leaves_only_its_redacted_transcript() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        let AccountEvent::Message(mut m) =
            web("g6@guest.test/w", "f2", Some("Mail me at ann.smith@example.org please"), "Qa3v9Qx0c2LmT7cc", None)
        else {
            unreachable!()
        };
        m.chat_state = None;
        // Found in the archive when the desk signs in.
        m.from_archive = true;
        m.sent_at = Some(t0 - Duration::hours(1));
        if let Some(w) = m.web.as_mut() {
            w.resume = false;
            w.followup = Some(crate::xmpp::web::FollowUp { email: Some("ann.smith@example.org".into()) });
        }
        turn(&mut p, &mut d, vec![online(), AccountEvent::Message(m)], t0);
        assert_eq!(d.followups().unwrap().len(), 1, "kept");
        let retention = crate::policy::RetentionPolicy { followup_days: 2, ..Default::default() };
        d.purge(&retention, t0 + Duration::days(1)).unwrap();
        assert_eq!(d.followups().unwrap().len(), 1, "still within its two days");
        d.purge(&retention, t0 + Duration::days(3)).unwrap();
        assert!(d.followups().unwrap().is_empty(), "its time is up");
        let t = d.store().transcripts_between(t0 - Duration::hours(1), t0 + Duration::days(4)).unwrap();
        assert_eq!(t.len(), 1, "{t:?}");
        assert_eq!((t[0].reason.as_str(), t[0].medium), ("followUpUnanswered", api::Medium::Web));
        assert_eq!(t[0].lines[0].text, "Mail me at [EMAIL] please");
    }

    #[test]
    fn a_buddy_request_waits_for_the_librarian_and_the_answer_goes_even_after_a_full_queue() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        turn(&mut p, &mut d, vec![AccountEvent::BuddyRequest { from: "dan@x.org".into() }], t0);
        assert!(p.take_desk_changed());
        let waiting = d.snapshot(t0).unwrap().buddy_requests;
        assert_eq!(waiting.iter().map(|r| r.from.as_str()).collect::<Vec<_>>(), ["dan@x.org"]);
        assert!(d.answer_buddy(ACCOUNT, "eve@x.org", true, t0).is_err(), "nobody asked");
        let after = d.answer_buddy(ACCOUNT, "dan@x.org", true, t0).unwrap();
        assert!(after.buddy_requests.is_empty());
        let out = turn(&mut p, &mut d, vec![], t0);
        let answer = AccountCommand::AnswerBuddy { to: "dan@x.org".into(), allow: true };
        assert!(out.contains(&Output::Command(answer.clone())), "{out:?}");
        // The runner's queue was full: owed, and it goes with the next turn.
        p.unsent(Output::Command(answer.clone()));
        assert!(p.owes());
        let out = turn(&mut p, &mut d, vec![], t0);
        assert!(out.contains(&Output::Command(answer)), "{out:?}");
        assert!(!p.owes());
    }

    #[test]
    fn a_live_message_moves_the_archive_position_and_a_catch_up_leaves_it_to_its_pages() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        turn(&mut p, &mut d, vec![patron("ann@x/r", "a1", "hello", 1)], t0);
        assert_eq!(d.archive_position(ACCOUNT).unwrap().as_deref(), Some("arch-a1"));
        // Typing carries no message, yet the position follows it.
        let typing = AccountEvent::Message(ChatMessage {
            from: "ann@x/r".into(),
            kind: "chat".into(),
            chat_state: Some("composing".into()),
            stanza_ids: vec![(ACCOUNT.into(), "arch-t".into())],
            ..Default::default()
        });
        turn(&mut p, &mut d, vec![typing], t0);
        assert_eq!(d.archive_position(ACCOUNT).unwrap().as_deref(), Some("arch-t"));
        // After a fresh sign-in the catch-up starts where the position is, and live messages meanwhile do not move it.
        let out = turn(&mut p, &mut d, vec![online()], t0);
        let asked = AccountCommand::CatchUp { after: Some("arch-t".into()), since: None };
        assert!(out.contains(&Output::Command(asked)), "{out:?}");
        assert!(out.iter().any(|o| matches!(o, Output::Show(Shown::Status(s)) if s.catching_up)));
        turn(&mut p, &mut d, vec![patron("ann@x/r", "a2", "still there?", 2)], t0);
        assert_eq!(d.archive_position(ACCOUNT).unwrap().as_deref(), Some("arch-t"));
        let out = turn(
            &mut p,
            &mut d,
            vec![AccountEvent::ArchivedUpTo { last: "arch-a2".into() }, AccountEvent::CaughtUp],
            t0,
        );
        assert_eq!(d.archive_position(ACCOUNT).unwrap().as_deref(), Some("arch-a2"));
        assert!(out.iter().any(|o| matches!(o, Output::Show(Shown::Status(s)) if !s.catching_up)), "{out:?}");
    }

    #[test]
    fn what_a_broken_link_lost_keeps_its_place_before_what_came_live_during_the_catch_up() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        turn(&mut p, &mut d, vec![patron("ann@x/r", "q1", "first", 1)], t0);
        let out = turn(&mut p, &mut d, vec![online(), patron("ann@x/r", "q3", "third", 1)], t0);
        assert!(
            !out.iter().any(|o| matches!(o, Output::Command(AccountCommand::Stored(_)))),
            "held, not confirmed: {out:?}"
        );
        assert!(!out.iter().any(|o| matches!(o, Output::Show(Shown::Message(_)))), "{out:?}");
        // The archive's page: the message the link lost, then the live one again.
        let from_archive = |id: &str, body: &str| {
            let AccountEvent::Message(mut m) = patron("ann@x/r", id, body, 0) else { unreachable!() };
            m.from_archive = true;
            m.stream_seq = None;
            m.sent_at = Some(t0);
            AccountEvent::Message(m)
        };
        turn(&mut p, &mut d, vec![from_archive("q2", "second"), from_archive("q3", "third")], t0);
        let out = turn(&mut p, &mut d, vec![AccountEvent::CaughtUp], t0);
        assert!(out.contains(&Output::Command(AccountCommand::Stored(1))), "confirmed once stored: {out:?}");
        let bodies: Vec<String> = d
            .messages(ACCOUNT, "ann@x", None, 10)
            .unwrap()
            .into_iter()
            .filter(|m| m.incoming)
            .map(|m| m.body)
            .collect();
        assert_eq!(bodies, ["first", "second", "third"]);

        // A patron who writes forty lines at a person's pace during a catch-up: all are taken when
        // it ends (judged at the pace they came, not as one burst), at the times they came.
        let t1 = t0 + Duration::minutes(5);
        turn(&mut p, &mut d, vec![online()], t1);
        for i in 0..40 {
            let at = t1 + Duration::milliseconds(500 * i);
            turn(&mut p, &mut d, vec![patron("bea@x/r", &format!("l{i}"), &format!("line {i}"), 10 + i as u32)], at);
        }
        let end = t1 + Duration::seconds(25);
        let out = turn(&mut p, &mut d, vec![AccountEvent::CaughtUp], end);
        assert!(!out.iter().any(|o| matches!(o, Output::Show(Shown::Flooding(_)))), "not a flood: {out:?}");
        let lines: Vec<_> =
            d.messages(ACCOUNT, "bea@x", None, 100).unwrap().into_iter().filter(|m| m.incoming).collect();
        assert_eq!(lines.len(), 40);
        assert!(lines[0].at < t1 + Duration::seconds(1), "kept its time: {}", lines[0].at);
    }

    fn places(out: &[Output]) -> Vec<(String, u32)> {
        out.iter()
            .filter_map(|o| match o {
                Output::Command(AccountCommand::Place { to, place, .. }) => Some((to.clone(), *place)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn patrons_in_line_hear_their_place_as_it_moves_from_the_desk_that_speaks() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        d.set_policy(desk::Policy { max_chats: 1, ..desk::Policy::default() });
        d.start_walkup(None, t0).unwrap();
        let out = turn(&mut p, &mut d, vec![patron("ann@x/r", "a1", "Any atlases?", 1)], t0);
        assert_eq!(places(&out), [("ann@x".to_owned(), 1)]);
        let wait = out.iter().find_map(|o| match o {
            Output::Command(AccountCommand::Place { wait_secs, .. }) => Some(*wait_secs),
            _ => None,
        });
        assert!(wait.is_some_and(|w| w > 0), "an expected wait: {wait:?}");
        let out = turn(&mut p, &mut d, vec![patron("ben@x/r", "b1", "Printing?", 2)], t0);
        assert_eq!(places(&out), [("ben@x".to_owned(), 2)], "Ann's place did not change: not told again");
        // The walk-up ends: Ann's chat is taken (one chat at a time here), Ben moves up.
        d.end_walkup(t0 + Duration::minutes(3)).unwrap();
        let out = turn(&mut p, &mut d, vec![], t0 + Duration::minutes(3));
        let mut moved = places(&out);
        moved.sort();
        assert_eq!(moved, [("ann@x".to_owned(), 0), ("ben@x".to_owned(), 1)]);
        assert!(places(&turn(&mut p, &mut d, vec![], t0 + Duration::minutes(3))).is_empty(), "told once");

        // Another desk on the account that comes first speaks for the rules: this one says nothing.
        let other = AccountEvent::DeskPresence {
            resource: "0-first".into(),
            available: true,
            online: true,
            card: None,
            on_duty: None,
        };
        turn(&mut p, &mut d, vec![other], t0 + Duration::minutes(4));
        let out = turn(&mut p, &mut d, vec![patron("cas@x/r", "c1", "Hours?", 3)], t0 + Duration::minutes(4));
        assert!(places(&out).is_empty(), "{out:?}");
    }

    #[test]
    fn a_first_sign_in_catches_up_a_day_and_a_resumed_stream_nothing() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        let out = turn(&mut p, &mut d, vec![online()], t0);
        let since = Some(t0 - Duration::hours(FIRST_CATCH_UP_HOURS));
        assert!(out.contains(&Output::Command(AccountCommand::CatchUp { after: None, since })), "{out:?}");
        turn(&mut p, &mut d, vec![AccountEvent::CaughtUp], t0);
        let out = turn(&mut p, &mut d, vec![AccountEvent::Resumed, online()], t0);
        assert!(!out.iter().any(|o| matches!(o, Output::Command(AccountCommand::CatchUp { .. }))), "{out:?}");
    }

    #[test]
    fn what_the_runner_could_not_take_is_owed_and_messages_go_once_each() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        d.reply(ACCOUNT, "lu@x.org", "Here is the link.", t0).unwrap();
        let out = turn(&mut p, &mut d, vec![online()], t0);
        assert_eq!(sends(&out), ["Here is the link."]);
        // Nothing new: the message is on its way, not handed over twice.
        assert!(sends(&turn(&mut p, &mut d, vec![], t0)).is_empty());
        // The queue was full: the catch-up is owed and the message goes next turn.
        for o in out {
            if matches!(o, Output::Send { .. } | Output::Command(AccountCommand::CatchUp { .. })) {
                p.unsent(o);
            }
        }
        assert!(p.owes());
        let out = turn(&mut p, &mut d, vec![], t0);
        assert_eq!(sends(&out), ["Here is the link."]);
        assert!(out.iter().any(|o| matches!(o, Output::Command(AccountCommand::CatchUp { .. }))));
        // A link that dropped under it: sent again; written: shown as sent, and never again.
        let id = match out.iter().find_map(|o| {
            if let Output::Send { message, .. } = o {
                Some(message.stable_id.clone())
            } else {
                None
            }
        }) {
            Some(id) => id,
            None => unreachable!(),
        };
        let out = turn(&mut p, &mut d, vec![AccountEvent::SendFailed { id: id.clone() }], t0);
        assert_eq!(sends(&out), ["Here is the link."]);
        let out = turn(&mut p, &mut d, vec![AccountEvent::Sent { id }], t0);
        assert!(out
            .iter()
            .any(|o| matches!(o, Output::Show(Shown::Message(m)) if m.status == crate::api::MessageStatus::Sent)));
        assert!(sends(&turn(&mut p, &mut d, vec![], t0)).is_empty());
    }

    #[test]
    fn a_flooding_patron_is_cut_off_their_stream_still_confirmed_and_others_get_through() {
        let (_dir, mut d) = desk();
        let t0 = Utc::now();
        let mut p = Pipeline::new(ACCOUNT, &d.resource().unwrap());
        let burst: Vec<AccountEvent> =
            (0..100).map(|i| patron("bot@x/r", &format!("b{i}"), &format!("spam {i}"), i)).collect();
        let out = turn(&mut p, &mut d, burst, t0);
        let stored = d.messages(ACCOUNT, "bot@x", None, 500).unwrap().iter().filter(|m| m.incoming).count();
        assert_eq!(stored, crate::flood::BURST as usize, "the burst allowance, then nothing");
        let told: Vec<&FloodView> =
            out.iter().filter_map(|o| if let Output::Show(Shown::Flooding(f)) = o { Some(f) } else { None }).collect();
        assert_eq!(told.len(), 1, "said once: {told:?}");
        assert!(out.contains(&Output::Command(AccountCommand::Stored(99))), "dropped on purpose is handled too");
        let typing = AccountEvent::Message(ChatMessage {
            from: "bot@x/r".into(),
            kind: "chat".into(),
            chat_state: Some("composing".into()),
            ..Default::default()
        });
        let out = turn(&mut p, &mut d, vec![typing, patron("lu@x.org/phone", "q1", "Opening hours?", 100)], t0);
        assert!(!out.iter().any(|o| matches!(o, Output::Show(Shown::Typing(t)) if t.peer == "bot@x")), "{out:?}");
        assert!(out.iter().any(|o| matches!(o, Output::Show(Shown::Message(m)) if m.body == "Opening hours?")));
        // Quiet for the flood's time: taken again, and the window hears it stopped.
        let later = t0 + crate::flood::quiet() + Duration::seconds(1);
        let out = turn(&mut p, &mut d, vec![patron("bot@x/r", "b100", "sorry", 101)], later);
        assert!(out.iter().any(|o| matches!(o, Output::Show(Shown::Flooding(f)) if !f.flooding)), "{out:?}");
        assert!(out.iter().any(|o| matches!(o, Output::Show(Shown::Message(m)) if m.body == "sorry")));
    }
}
