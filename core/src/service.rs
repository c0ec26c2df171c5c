//! The desk's I/O loop for one account: account events into the Desk, its actions out, its timers fired.
//!
//! The edge where the pure engine meets the network: it reads the clock and sleeps so the engine does not.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, Notify};

use crate::api::{
    AccountState, AccountStatus, ColleagueView, DeskSnapshot, FloodView, MessageView, NoteView, TypingView,
};
use crate::desk::{self, Action, AlertLevel};
use crate::flood::{FloodGuard, Verdict};
use crate::handoff::DeskCard;
use crate::xmpp::account::{AccountCommand, AccountEvent};
use crate::xmpp::Show;
use crate::{Desk, Result};

/// Access to the desk, wherever its owner keeps it. `None` when there is no usable desk (store problem).
pub trait DeskAccess: Send + Sync + 'static {
    fn with<T>(&self, f: impl FnOnce(&mut Desk) -> Result<T>) -> Option<Result<T>>;
}

impl DeskAccess for std::sync::Mutex<Desk> {
    fn with<T>(&self, f: impl FnOnce(&mut Desk) -> Result<T>) -> Option<Result<T>> {
        let mut d = self.lock().unwrap_or_else(|p| p.into_inner());
        Some(f(&mut d))
    }
}

fn show(s: desk::Show) -> Show {
    match s {
        desk::Show::Available => Show::Available,
        desk::Show::Busy => Show::DoNotDisturb,
        desk::Show::Away => Show::Away,
    }
}

/// A live chat state from the patron themselves (not a copy from another desk, not history).
/// A message with a body ends their typing whatever state it carries.
fn patron_typing(account: &str, m: &crate::xmpp::ChatMessage) -> Option<TypingView> {
    // A delayed typing state is stale.
    if !from_patron_itself(account, m) || m.sent_at.is_some() {
        return None;
    }
    let has_body = m.body.as_deref().is_some_and(|b| !b.trim().is_empty());
    let typing = !has_body && m.chat_state.as_deref() == Some("composing");
    if !has_body && m.chat_state.is_none() {
        return None;
    }
    let peer = crate::xmpp::session::bare(&m.from);
    Some(TypingView { account: account.to_owned(), peer: peer.to_owned(), typing })
}

/// A stanza a patron sent this desk itself: not history from the archive, not another desk's copy
/// (that desk answers for itself), not an error bounced back, not this account's own.
fn from_patron_itself(account: &str, m: &crate::xmpp::ChatMessage) -> bool {
    m.carbon.is_none() && !m.from_archive && m.kind != "error" && crate::xmpp::session::bare(&m.from) != account
}

/// The id to confirm with a XEP-0184 receipt: a patron's own message that asked for one.
fn wants_receipt<'a>(account: &str, m: &'a crate::xmpp::ChatMessage) -> Option<&'a str> {
    let has_body = m.body.as_deref().is_some_and(|b| !b.trim().is_empty());
    m.id.as_deref().filter(|_| m.receipt_request && has_body && from_patron_itself(account, m))
}

/// Whether this desk sends the automatic replies ("you're number 2 in line") for the account, so a
/// patron hears them once however many desks are signed in: the open desk with the first resource
/// name, or, when none is open, the first of all. Every desk decides the same from what it sees.
fn speaks_for_the_rules(own: &str, open_here: bool, others: &std::collections::BTreeMap<String, bool>) -> bool {
    let any_open = open_here || others.values().any(|open| *open);
    let eligible = |open: bool| open || !any_open;
    eligible(open_here) && others.iter().filter(|(_, open)| eligible(**open)).all(|(r, _)| own < r.as_str())
}

/// How far back a desk's first catch-up reaches (a new desk, or a new account on it).
pub const FIRST_CATCH_UP_HOURS: i64 = 24;

/// What the service tells the window about.
pub trait Publish: Send + 'static {
    /// The account's connection state changed.
    fn status(&self, status: AccountStatus);
    /// A message arrived, is on its way out, or was sent (the same `id` may come several times).
    fn message(&self, message: MessageView);
    /// The desk changed on its own (a chat joined the line, was taken, waited too long).
    fn desk(&self, snapshot: DeskSnapshot);
    /// An IM has waited past a threshold of the desk policy.
    fn wait_alert(&self, peer: &str, level: AlertLevel, waited_secs: i64);
    /// A patron started or stopped typing.
    fn typing(&self, typing: TypingView);
    /// A contact started flooding (their messages are dropped), is still at it, or stopped.
    fn flooding(&self, flood: FloodView);
    /// Another desk wrote an internal note on a conversation.
    fn note(&self, _note: NoteView) {}
}

/// How often a flood's dropped count is told again while it lasts.
const FLOOD_REPORT_EVERY: u32 = 250;

/// Runs `f` on the desk; logs a failure and gives `None` for it or for a desk that is not open.
fn ask<D: DeskAccess, T>(desk: &D, account: &str, f: impl FnOnce(&mut Desk) -> Result<T>) -> Option<T> {
    match desk.with(f)? {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::error!(%account, "the desk could not take an event: {e}");
            None
        }
    }
}

/// Tells the account runner the messages up to stream position `seq` are handled (stored, or
/// dropped on purpose as flooding), so the server may forget them. Only while the command queue
/// is at most half full: a confirmation covers all before it, so one left for later loses
/// nothing, and replies and presence never wait behind confirmations.
fn confirm_stored(commands: &mpsc::Sender<AccountCommand>, seq: &mut Option<u32>) {
    if let Some(s) = *seq {
        if commands.capacity() * 2 >= commands.max_capacity() && commands.try_send(AccountCommand::Stored(s)).is_ok() {
            *seq = None;
        }
    }
}

/// Tells the account runner who staffs this desk and whether they are on duty (the librarian's
/// own presence is Available) whenever that may have changed since `announced` (the desk's card
/// revision last announced): the other desks list the card, and count an on-duty librarian for
/// double-staffing even while this desk shows "away".
fn announce_card<D: DeskAccess>(
    desk: &D,
    account: &str,
    commands: &mpsc::Sender<AccountCommand>,
    announced: &mut Option<u64>,
) {
    let revision = ask(desk, account, |d| Ok(d.card_revision()));
    if revision.is_none() || revision == *announced {
        return;
    }
    let Some((card, on_duty)) =
        ask(desk, account, |d| Ok((d.desk_card()?, d.presence()? == crate::api::Presence::Available)))
    else {
        return;
    };
    // (Refused only while the queue is full or the runner has stopped: tried again next time.)
    if commands.try_send(AccountCommand::Card { card, on_duty }).is_ok() {
        *announced = revision;
    }
}

/// Runs until the account runner's event channel closes. `kick` wakes the loop after a change made
/// elsewhere (a reply or a walk-up from the window) so what it decided goes out at once.
///
/// Outgoing messages are sent from the store, never from memory: whatever is pending there (a
/// librarian's reply, an auto-reply) is handed to the account runner once, and again only if the
/// runner reports it failed, or after a restart of the app.
pub async fn run<D: DeskAccess>(
    desk: Arc<D>,
    account: String,
    mut events: mpsc::Receiver<AccountEvent>,
    commands: mpsc::Sender<AccountCommand>,
    kick: Arc<Notify>,
    publish: impl Publish,
) {
    // Stable ids handed to the runner and not yet reported sent or failed.
    let mut in_flight: HashSet<String> = HashSet::new();
    // While the archive catch-up runs, only its pages move the archive position.
    let mut catching_up = false;
    // The status last shown, to say again once the catch-up is done.
    let mut last_status: Option<AccountStatus> = None;
    // A catch-up is owed but could not be asked for yet (the command queue was full after an
    // outage): asked for again on every turn until it goes, so nothing in the archive is skipped.
    let mut catch_up_owed = false;
    // The newest stored message not yet confirmed to the runner (confirmations are cumulative, so
    // only the newest matters and it never crowds the queue; see `confirm_stored`).
    let mut unconfirmed: Option<u32> = None;
    let mut flood = FloodGuard::default();
    let mut flooding: HashSet<String> = HashSet::new();
    // The other desks signed in to this account (resource: open for questions), and whether this
    // desk shows itself open: which desk speaks for the rules (see `speaks_for_the_rules`).
    let own_resource = ask(&*desk, &account, |d| d.resource()).unwrap_or_default();
    let mut desks: std::collections::BTreeMap<String, ColleagueView> = std::collections::BTreeMap::new();
    // The library's librarians (a roster group) and their presence.
    let mut directory = crate::handoff::directory::Directory::default();
    let mut open_here = true;
    let mut speaks = true;
    let mut pace = Pace::new();
    // The next `Online` comes from a resumed stream: nothing was missed.
    let mut resumed = false;
    // What the other desks were last told of this one: who staffs it, and whether they are on
    // duty (see `announce_card`).
    let mut announced = None;
    // Delivery receipts not sent while the account's command queue was full (they are a courtesy:
    // the message is stored all the same).
    let mut receipts_dropped = 0u32;
    loop {
        let deadline = ask(&*desk, &account, |d| Ok(d.next_deadline())).flatten();
        let wait = deadline.map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO));
        tokio::select! {
            ev = events.recv() => match ev {
                None => return,
                Some(AccountEvent::Resumed) => resumed = true,
                Some(AccountEvent::Status(s)) => {
                    let fresh = s.state == AccountState::Online && !std::mem::take(&mut resumed);
                    if fresh {
                        // Who else is signed in is told again after a fresh sign-in.
                        desks.clear();
                        pace.want_if(tell_colleagues(&*desk, &account, &desks));
                        directory.signed_out();
                        pace.want_if(tell_directory(&*desk, &account, &directory));
                    }
                    // Whatever arrived while this desk was away is in the archive: fetch it. A
                    // resumed stream missed nothing, but a catch-up it cut short starts again.
                    if fresh || (s.state == AccountState::Online && catching_up) {
                        catch_up_owed = true;
                        catching_up = true;
                    }
                    let s = AccountStatus { catching_up: catching_up && s.state == AccountState::Online, ..s };
                    last_status = Some(s.clone());
                    publish.status(s);
                }
                Some(AccountEvent::Message(m)) if m.handoff.is_some() => {
                    // (The desk is shown again below when the offers changed.)
                    ask(&*desk, &account, |d| d.receive_handoff(&account, &m, Utc::now()));
                    for note in ask(&*desk, &account, |d| Ok(d.take_new_notes())).unwrap_or_default() {
                        publish.note(note);
                    }
                    unconfirmed = m.stream_seq.or(unconfirmed);
                }
                Some(AccountEvent::Message(m)) => {
                    let peer = crate::xmpp::session::bare(&m.from);
                    // However it came (live, a copy another desk received, the archive), a patron's
                    // message counts against their flood allowance, at the time it was sent; a second
                    // copy of one already stored does not count again.
                    let from_patron = peer != account && m.kind != "error";
                    let second_copy = || {
                        !from_patron_itself(&account, &m)
                            && ask(&*desk, &account, |d| d.has_received(&account, &m)).unwrap_or(false)
                    };
                    if from_patron && m.body.is_some() && !second_copy() {
                        let verdict = flood.check(peer, m.sent_at.unwrap_or_else(Utc::now));
                        let view = |flooding| FloodView {
                            account: account.clone(),
                            peer: peer.to_owned(),
                            flooding,
                            dropped: flood.dropped(peer),
                        };
                        match verdict {
                            Verdict::Drop { first } => {
                                if first {
                                    // No address in the log: it is a patron's.
                                    tracing::warn!(%account, "a contact is flooding the desk; their messages are dropped");
                                    flooding.insert(peer.to_owned());
                                }
                                if first || flood.dropped(peer) % FLOOD_REPORT_EVERY == 0 {
                                    publish.flooding(view(true));
                                }
                                unconfirmed = m.stream_seq.or(unconfirmed);
                                continue;
                            }
                            Verdict::Take => {
                                if flooding.remove(peer) {
                                    publish.flooding(view(false));
                                }
                            }
                        }
                    } else if from_patron && flooding.contains(peer) {
                        // Typing notifications from a flooder are noise too.
                        unconfirmed = m.stream_seq.or(unconfirmed);
                        continue;
                    }
                    if let Some(typing) = patron_typing(&account, &m) {
                        publish.typing(typing);
                    }
                    // A live message moves the archive position (where a catch-up after a restart starts).
                    let archived = m.stanza_ids.iter().find(|(by, _)| *by == account).map(|(_, id)| id.as_str());
                    let position = archived.filter(|_| !catching_up && m.sent_at.is_none());
                    let taken = ask(&*desk, &account, |d| d.receive_message_upto(&account, &m, position, Utc::now()));
                    // Acknowledged only once it is in the store (or was already).
                    if let (Some(_), Some(id)) = (&taken, wants_receipt(&account, &m)) {
                        let cmd = AccountCommand::Receipt { to: m.from.clone(), id: id.to_owned() };
                        match commands.try_send(cmd) {
                            // (Once per burst in the log, not once per receipt: a burst drops thousands.)
                            Err(TrySendError::Full(_)) => {
                                receipts_dropped += 1;
                                if receipts_dropped == 1 {
                                    tracing::warn!(%account, "receipts dropped: the account is backed up");
                                }
                            }
                            Ok(()) if receipts_dropped > 0 => {
                                tracing::info!(%account, dropped = receipts_dropped, "receipts go out again");
                                receipts_dropped = 0;
                            }
                            _ => {}
                        }
                    }
                    if let Some(view) = taken.flatten() {
                        publish.message(view);
                        // Another desk's answer moves the chat there: the window must show it.
                        if m.carbon == Some(crate::xmpp::Carbon::Sent) && !m.auto_reply {
                            pace.want();
                        }
                    }
                    if let Some(Some(view)) = ask(&*desk, &account, |d| d.receive_receipt(&account, &m, Utc::now())) {
                        publish.message(view);
                    }
                    if ask(&*desk, &account, |d| d.receive_claim(&account, &m, Utc::now())) == Some(true) {
                        pace.want();
                    }
                    unconfirmed = m.stream_seq.or(unconfirmed);
                }
                Some(AccountEvent::ArchivedUpTo { last }) => {
                    ask(&*desk, &account, |d| d.set_archive_position(&account, &last));
                }
                Some(AccountEvent::CaughtUp) => {
                    catching_up = false;
                    // The window stops saying "catching up".
                    if let Some(s) = last_status.as_mut().filter(|s| s.catching_up) {
                        s.catching_up = false;
                        publish.status(s.clone());
                    }
                }
                Some(AccountEvent::Roster { items }) => {
                    ask(&*desk, &account, |d| {
                        d.set_roster(&account, &items);
                        Ok(())
                    });
                }
                Some(AccountEvent::RosterChanged { item }) => {
                    ask(&*desk, &account, |d| {
                        d.roster_changed(&account, &item);
                        Ok(())
                    });
                }
                Some(AccountEvent::Directory { members }) => {
                    directory.set_members(&members);
                    pace.want_if(tell_directory(&*desk, &account, &directory));
                }
                Some(AccountEvent::ColleaguePresence { from, online, open, status }) => {
                    if directory.presence(&from, online, open, status.as_deref()) {
                        pace.want_if(tell_directory(&*desk, &account, &directory));
                    }
                }
                Some(AccountEvent::DeskPresence { resource, available, online, card, on_duty }) => {
                    if online {
                        // Only a desk's directed presence carries its card; a broadcast one keeps what we know.
                        let known = desks.get(&resource);
                        let duty = on_duty.or(known.map(|c| c.on_duty)).unwrap_or(available);
                        let known = known.map(|c| DeskCard { name: c.name.clone(), subjects: c.subjects.clone() });
                        let card = card.or(known).unwrap_or_default();
                        let view = ColleagueView {
                            account: account.clone(),
                            resource: resource.clone(),
                            name: card.name,
                            subjects: card.subjects,
                            open: available,
                            on_duty: duty,
                        };
                        desks.insert(resource, view);
                    } else {
                        desks.remove(&resource);
                    }
                    pace.want_if(tell_colleagues(&*desk, &account, &desks));
                }
                Some(AccountEvent::Sent { id }) => {
                    in_flight.remove(&id);
                    if let Some(Some(view)) = ask(&*desk, &account, |d| d.mark_sent(&account, &id)) {
                        publish.message(view);
                    }
                }
                Some(AccountEvent::SendFailed { id }) => {
                    in_flight.remove(&id);
                }
            },
            _ = async { tokio::time::sleep(wait.unwrap_or_default()).await }, if wait.is_some() => {
                ask(&*desk, &account, |d| d.tick(Utc::now()));
            }
            _ = kick.notified() => {}
            // A change held back by the window's pace (see `Pace`) is due.
            _ = tokio::time::sleep_until(pace.due()), if pace.wanted() => {}
            // Something is owed to the runner and its queue was full: try again shortly.
            _ = tokio::time::sleep(Duration::from_millis(200)), if catch_up_owed || unconfirmed.is_some() => {}
        }
        if catch_up_owed {
            let after = ask(&*desk, &account, |d| d.archive_position(&account)).flatten();
            let since = after.is_none().then(|| Utc::now() - chrono::Duration::hours(FIRST_CATCH_UP_HOURS));
            match commands.try_send(AccountCommand::CatchUp { after, since }) {
                Ok(()) => catch_up_owed = false,
                Err(TrySendError::Full(_)) => {}
                // The runner has stopped. Its last events (a final status, say "wrong password")
                // may still be queued: the loop ends when `events` runs dry, never before.
                Err(TrySendError::Closed(_)) => catch_up_owed = false,
            }
        }
        confirm_stored(&commands, &mut unconfirmed);
        let open_desks = desks.iter().map(|(r, c)| (r.clone(), c.open)).collect();
        let now_speaks = speaks_for_the_rules(&own_resource, open_here, &open_desks);
        if now_speaks != speaks {
            speaks = now_speaks;
            tracing::info!(%account, speaks, "this desk's rules {} the automatic replies", if speaks { "send" } else { "leave to another desk" });
            ask(&*desk, &account, |d| {
                d.set_sends_auto_replies(speaks);
                Ok(())
            });
        }
        announce_card(&*desk, &account, &commands, &mut announced);
        let actions = ask(&*desk, &account, |d| Ok(d.take_actions())).unwrap_or_default();
        let offers_changed = ask(&*desk, &account, |d| Ok(d.take_handoffs_changed())).unwrap_or(false);
        pace.want_if(!actions.is_empty() || offers_changed);
        if pace.now(tokio::time::Instant::now()) {
            show_desk(&*desk, &account, &publish);
        }
        for a in actions {
            // Auto-replies are already in the store, sent below with everything else pending.
            let (s, status) = match a {
                Action::SetPresence { show, status } => {
                    open_here = show == desk::Show::Available;
                    (show, status)
                }
                Action::WaitAlert { chat, level, waited_secs } => {
                    publish.wait_alert(&chat, level, waited_secs);
                    continue;
                }
                _ => continue,
            };
            match commands.try_send(AccountCommand::Presence { show: show(s), status }) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    tracing::warn!(%account, "presence change dropped: the account is backed up")
                }
                Err(TrySendError::Closed(_)) => {}
            }
        }
        for m in ask(&*desk, &account, |d| d.pending_messages(&account)).unwrap_or_default() {
            if in_flight.contains(&m.stable_id) {
                continue;
            }
            let cmd = AccountCommand::Send {
                to: m.peer.clone(),
                id: m.stable_id.clone(),
                body: m.body.clone(),
                auto: m.auto_reply,
            };
            match commands.try_send(cmd) {
                Ok(()) => {
                    in_flight.insert(m.stable_id.clone());
                    publish.message(m.into());
                }
                // Still pending in the store: it goes with the next round.
                Err(TrySendError::Full(_) | TrySendError::Closed(_)) => break,
            }
        }
        // After the messages: the patron's "passing you on" goes out before the offer it announces.
        for (to, signal) in ask(&*desk, &account, |d| Ok(d.take_handoff_signals(&account))).unwrap_or_default() {
            match commands.try_send(AccountCommand::Handoff { to, signal }) {
                Ok(()) => {}
                // The offer's time limit settles it on both desks.
                Err(TrySendError::Full(_)) => {
                    tracing::warn!(%account, "handoff signal dropped: the account is backed up")
                }
                Err(TrySendError::Closed(_)) => {}
            }
        }
    }
}

/// Tells the window (and the tray) how the desk stands now.
fn show_desk<D: DeskAccess>(desk: &D, account: &str, publish: &impl Publish) {
    if let Some(snapshot) = ask(desk, account, |d| d.snapshot(Utc::now())) {
        publish.desk(snapshot);
    }
}

/// Gives the desk the current list of the other desks on `account`; true if it changed.
fn tell_colleagues<D: DeskAccess>(
    desk: &D,
    account: &str,
    desks: &std::collections::BTreeMap<String, ColleagueView>,
) -> bool {
    let list: Vec<ColleagueView> = desks.values().cloned().collect();
    ask(desk, account, |d| d.set_colleagues(account, list, Utc::now())) == Some(true)
}

/// Gives the desk the account's colleague directory; true if it changed.
fn tell_directory<D: DeskAccess>(desk: &D, account: &str, directory: &crate::handoff::directory::Directory) -> bool {
    ask(desk, account, |d| Ok(d.set_directory(account, directory.entries(account)))) == Some(true)
}

/// The pace at which the window is shown the desk: a change after a quiet spell at once, and
/// during a burst (hundreds of patrons writing at once) at most once per [`Pace::GAP`], the
/// last change always shown. Each showing is the whole desk (every chat, the whole line), so a
/// showing per message would cost the window the square of the burst.
#[derive(Debug)]
struct Pace {
    wanted: bool,
    last: Option<tokio::time::Instant>,
}

impl Pace {
    const GAP: Duration = Duration::from_millis(150);

    fn new() -> Pace {
        Pace { wanted: false, last: None }
    }

    fn want(&mut self) {
        self.wanted = true;
    }

    fn want_if(&mut self, changed: bool) {
        self.wanted |= changed;
    }

    fn wanted(&self) -> bool {
        self.wanted
    }

    /// When a held-back change may be shown.
    fn due(&self) -> tokio::time::Instant {
        self.last.map_or_else(tokio::time::Instant::now, |t| t + Self::GAP)
    }

    /// Whether to show the desk now (and if so, it counts as shown).
    fn now(&mut self, now: tokio::time::Instant) -> bool {
        if !self.wanted || self.last.is_some_and(|t| now < t + Self::GAP) {
            return false;
        }
        self.wanted = false;
        self.last = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_sees_a_lone_change_at_once_and_a_burst_at_a_steady_pace_ending_with_the_last() {
        let t0 = tokio::time::Instant::now();
        let mut pace = Pace::new();
        assert!(!pace.now(t0), "nothing changed, nothing to show");
        pace.want();
        assert!(pace.now(t0), "after a quiet spell: at once");
        // A burst: a change every 10 ms for a second is shown about every GAP, not 100 times.
        let mut shown = 0;
        for i in 1..=100u64 {
            pace.want();
            if pace.now(t0 + Duration::from_millis(10 * i)) {
                shown += 1;
            }
        }
        assert!((6..=7).contains(&shown), "{shown} showings");
        // The last change of the burst is held, and due one gap after the last showing.
        assert!(pace.wanted());
        let due = pace.due();
        assert!(due <= t0 + Duration::from_millis(1000) + Pace::GAP);
        assert!(pace.now(due) && !pace.wanted());
    }
    use crate::xmpp::{Carbon, ChatMessage};

    fn msg(from: &str, body: Option<&str>, state: Option<&str>) -> ChatMessage {
        ChatMessage {
            from: from.into(),
            to: Some("ask@lib".into()),
            id: None,
            kind: "chat".into(),
            body: body.map(str::to_owned),
            origin_id: None,
            stanza_ids: vec![],
            chat_state: state.map(str::to_owned),
            carbon: None,
            sent_at: None,
            ..Default::default()
        }
    }

    #[test]
    fn one_desk_speaks_for_the_rules_the_first_open_one() {
        let others = |list: &[(&str, bool)]| list.iter().map(|(r, o)| (r.to_string(), *o)).collect();
        assert!(speaks_for_the_rules("refdesk-b", true, &others(&[])), "alone");
        assert!(!speaks_for_the_rules("refdesk-b", true, &others(&[("refdesk-a", true)])));
        assert!(speaks_for_the_rules("refdesk-a", true, &others(&[("refdesk-b", true)])));
        assert!(speaks_for_the_rules("refdesk-b", true, &others(&[("refdesk-a", false)])), "a is busy");
        assert!(!speaks_for_the_rules("refdesk-a", false, &others(&[("refdesk-b", true)])));
        assert!(speaks_for_the_rules("refdesk-a", false, &others(&[("refdesk-b", false)])), "all busy: the first");
        assert!(!speaks_for_the_rules("refdesk-b", false, &others(&[("refdesk-a", false)])));
    }

    #[test]
    fn receipts_go_only_for_a_patrons_own_live_message_that_asks() {
        let ask = |f: &dyn Fn(&mut ChatMessage)| {
            let mut m = msg("p@x/phone", Some("hi"), None);
            m.id = Some("m1".into());
            m.receipt_request = true;
            f(&mut m);
            wants_receipt("ask@lib", &m).map(str::to_owned)
        };
        assert_eq!(ask(&|_| {}), Some("m1".into()));
        assert_eq!(ask(&|m| m.receipt_request = false), None, "not asked");
        assert_eq!(ask(&|m| m.carbon = Some(Carbon::Received)), None, "another desk's copy");
        assert_eq!(ask(&|m| m.from_archive = true), None, "history");
        assert_eq!(ask(&|m| m.body = None), None, "no message to confirm");
        assert_eq!(ask(&|m| m.id = None), None, "nothing to name");
        assert_eq!(ask(&|m| m.from = "ask@lib/desk2".into()), None, "ourselves");
        assert_eq!(ask(&|m| m.kind = "error".into()), None);
        assert_eq!(ask(&|m| m.sent_at = Some(Utc::now())), Some("m1".into()), "from offline storage: delivered now");
    }

    #[test]
    fn typing_comes_from_the_patron_live_and_ends_with_their_message() {
        let t = patron_typing("ask@lib", &msg("p@x/phone", None, Some("composing"))).unwrap();
        assert_eq!((t.peer.as_str(), t.typing), ("p@x", true));
        assert!(!patron_typing("ask@lib", &msg("p@x/phone", None, Some("paused"))).unwrap().typing);
        assert!(!patron_typing("ask@lib", &msg("p@x/phone", Some("hi"), Some("active"))).unwrap().typing);
        assert!(!patron_typing("ask@lib", &msg("p@x/phone", Some("hi"), None)).unwrap().typing);
        assert_eq!(patron_typing("ask@lib", &msg("p@x/phone", None, None)), None, "nothing to say");
        let mut copy = msg("p@x/phone", None, Some("composing"));
        copy.carbon = Some(Carbon::Received);
        assert_eq!(patron_typing("ask@lib", &copy), None, "another desk's copy");
        let mut old = msg("p@x/phone", None, Some("composing"));
        old.sent_at = Some(Utc::now());
        assert_eq!(patron_typing("ask@lib", &old), None, "history");
        assert_eq!(patron_typing("ask@lib", &msg("ask@lib/desk2", None, Some("composing"))), None, "ourselves");
    }
}
