//! One account kept signed in: connect, report its state, reconnect with backoff, stop on permanent errors.

use std::time::Duration;

use chrono::{DateTime, Utc};

use tokio::sync::{mpsc, watch};

use super::connect::{reconnect, AccountConfig, Connected};
use super::session::{ChatMessage, Incoming, SessionError, Show};
use crate::api::{AccountState, AccountStatus};
use crate::handoff::directory::{in_group, DirectoryMember};

/// What an account runner reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountEvent {
    Status(AccountStatus),
    Message(ChatMessage),
    /// Our message `id` was written to the server.
    Sent {
        id: String,
    },
    /// Our message `id` could not be written (the link dropped); it is still the desk's to resend.
    SendFailed {
        id: String,
    },
    /// The archive catch-up has delivered everything up to archive id `last`.
    ArchivedUpTo {
        last: String,
    },
    /// The archive catch-up asked for by `CatchUp` is over (done, refused, or cut at its page limit).
    CaughtUp,
    /// The link dropped and the stream was resumed (XEP-0198): nothing was missed, and the server
    /// kept the presence of the other desks, so nothing is told again. Comes just before `Online`.
    Resumed,
    /// The account's roster, fetched after each fresh sign-in (not after a resume: the server
    /// pushes changes meanwhile).
    Roster {
        items: Vec<super::RosterItem>,
    },
    /// Someone not on the roster asks to see the desk's presence, and the policy (`buddies =
    /// "ask"`) leaves the answer to the librarian. Asked again at every sign-in until answered
    /// (the server keeps the request).
    BuddyRequest {
        from: String,
    },
    /// One contact on the roster changed or was removed.
    RosterChanged {
        item: super::RosterItem,
    },
    /// The colleague directory (the policy's list and the roster group of the library's
    /// librarians) now has these members: sent after the roster and after each push that touches
    /// the group.
    Directory {
        members: Vec<DirectoryMember>,
    },
    /// A device of a member of the directory came, changed (`open`: not away or busy) or went.
    ColleaguePresence {
        from: String,
        online: bool,
        open: bool,
        status: Option<String>,
    },
    /// Another desk signed in to this account (another resource of it) came, changed or went.
    DeskPresence {
        resource: String,
        /// Signed in and open for questions (no away, busy or extended-away show).
        available: bool,
        online: bool,
        /// Who staffs it and their subjects, if that desk says.
        card: Option<crate::handoff::DeskCard>,
        /// Whether its librarian is on duty, if that desk says (with its card).
        on_duty: Option<bool>,
    },
}

/// What the desk asks an account to do. Commands wait in the channel while the account is offline
/// and are carried out once it is back. Each `Send` ends in `Sent` or `SendFailed` unless the runner stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCommand {
    /// Fetches what the archive holds after archive id `after` (or, with none, since `since`), page
    /// by page, as `Message` events, then `ArchivedUpTo` per page and `CaughtUp`.
    CatchUp {
        after: Option<String>,
        since: Option<DateTime<Utc>>,
    },
    /// Tells a patron the librarian is typing, or stopped. Dropped while offline: it would be stale.
    Typing {
        to: String,
        typing: bool,
    },
    /// Sends a stored message under its stored id; `auto` for the desk rules' automatic replies.
    Send {
        to: String,
        id: String,
        body: String,
        auto: bool,
    },
    Presence {
        show: Show,
        status: String,
    },
    /// Someone is looking at the desk (window shown) or not (hidden to the tray): XEP-0352. Kept
    /// across reconnects.
    ClientActive(bool),
    /// Tells a patron their place in line and the expected wait (`place` 0: no longer waiting),
    /// as a small payload the web chat shows and other clients ignore (see `docs/web-chat.md`).
    /// Dropped while offline: the next change says it again.
    Place {
        to: String,
        place: u32,
        wait_secs: u32,
    },
    /// The librarian's answer to a request to see the desk's presence (`AccountEvent::BuddyRequest`).
    AnswerBuddy {
        to: String,
        allow: bool,
    },
    /// Publishes the account's opening hours for the website's chat box (see `web::hours_iq`).
    /// Dropped while offline: every sign-in publishes them again.
    Hours {
        timezone: String,
        openings: Vec<crate::desk::schedule::Stretch>,
    },
    /// Confirms to a patron's device (full JID) that their message `id` is stored (XEP-0184).
    Receipt {
        to: String,
        id: String,
    },
    /// Sends a handoff signal to another desk on the account (`to`: its full JID). One sent late
    /// (after an outage) is harmless: the offer's time limit decides, on both desks.
    Handoff {
        to: String,
        signal: crate::handoff::Signal,
    },
    /// Who staffs this desk and whether they are on duty, shown to the other desks in its
    /// presence from now on.
    Card {
        card: crate::handoff::DeskCard,
        on_duty: bool,
    },
    /// The desk has stored the message at this stream position (`ChatMessage::stream_seq`) and all
    /// before it: the server may now forget them (XEP-0198 acknowledgement).
    Stored(u32),
}

const MAX_BACKOFF: Duration = Duration::from_secs(120);
/// Pages of one catch-up at most (of `session::ARCHIVE_PAGE` messages): a day at a busy desk, not an unbounded download.
pub const MAX_CATCH_UP_PAGES: u32 = 40;

/// Retries at most a second apart for the first ones: most outages are short (a server restart, a
/// Wi-Fi hiccup) and the patrons are waiting; a handful of desks retrying once a second is nothing
/// to a server.
const QUICK_RETRIES: u32 = 10;

/// How long to wait before retry `attempt`: up to a second for the first `QUICK_RETRIES` (the desk
/// is back within a second of the server, after an outage of several seconds), then doubling up to
/// two minutes; jittered, so desks that lost the server together do not return together.
pub fn backoff(attempt: u32) -> Duration {
    let cap = backoff_cap(attempt);
    let r = super::random_upto(u32::MAX);
    cap.mul_f64(0.5 + f64::from(r) / f64::from(u32::MAX) / 2.0)
}

fn backoff_cap(attempt: u32) -> Duration {
    match attempt.checked_sub(QUICK_RETRIES) {
        None => Duration::from_secs(1),
        Some(n) => Duration::from_secs(2).saturating_mul(1u32 << n.min(8)).min(MAX_BACKOFF),
    }
}

/// How long a link gets to answer after the machine wakes or its network comes back: a link that
/// slept is often dead without knowing it, and the patrons' questions wait behind it.
const WAKE_PING_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves when the OS says links may have died (`crate::wake`); never, once nobody can say so.
/// Sleeps until `at`; for ever without one.
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn woken(wake: &mut watch::Receiver<()>) {
    if wake.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Runs until `stop` turns true or a permanent error (wrong password, untrusted certificate) ends it.
/// `wake` is poked when the machine wakes or its network comes back: a signed-in link is checked
/// at once, a waiting retry goes now.
pub async fn run(
    cfg: AccountConfig,
    password: String,
    status_text: String,
    tx: mpsc::Sender<AccountEvent>,
    mut commands: mpsc::Receiver<AccountCommand>,
    mut stop: watch::Receiver<bool>,
    mut wake: watch::Receiver<()>,
) {
    // The presence to show; a reconnect restores the latest one, not the first.
    let mut presence = (Show::Available, status_text);
    let mut client_active = true;
    let mut card: Option<(crate::handoff::DeskCard, bool)> = None;
    // The other desks signed in to the account (full JIDs): each is told this desk's card once.
    let mut desks: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    // The roster's members of the colleague directory group, by bare address. Only the presence
    // of the directory (these and the policy's list) goes on to the desk: anyone may send
    // presence, and most of it is nothing to us.
    let mut directory: std::collections::BTreeMap<String, super::RosterItem> = std::collections::BTreeMap::new();
    let in_directory = |directory: &std::collections::BTreeMap<String, super::RosterItem>, from: &str| {
        let bare = super::session::bare(from).to_lowercase();
        directory.contains_key(&bare) || cfg.directory.iter().any(|m| m.jid.eq_ignore_ascii_case(&bare))
    };
    // Everyone on the roster (for the buddy-list rule), and, until this connection's roster has
    // come, requests to see the account's presence waiting to be answered by it.
    let mut listed: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut buddy_requests: Option<Vec<String>> = None;
    let all_members = |directory: &std::collections::BTreeMap<String, super::RosterItem>| {
        let roster: Vec<super::RosterItem> = directory.values().cloned().collect();
        crate::handoff::directory::members(&cfg.directory, &roster, &cfg.directory_group)
    };
    let report = |state, message: Option<String>| {
        AccountEvent::Status(AccountStatus {
            jid: cfg.jid.clone(),
            state,
            message,
            retry_at: None,
            catching_up: false,
            seq: 0,
        })
    };
    let mut attempt = 0u32;
    // The stream the link last dropped under, to be resumed if the server still holds it.
    let mut carry = None;
    loop {
        let state = if attempt == 0 { AccountState::Connecting } else { AccountState::Reconnecting };
        if tx.send(report(state, None)).await.is_err() {
            return;
        }
        let connected = tokio::select! {
            r = reconnect(&cfg, &password, &mut carry) => r,
            _ = stop.changed() => return,
        };
        match connected {
            Ok(Connected { mut session, resumed, acked, unsent }) => {
                attempt = 0;
                let settled = acked
                    .into_iter()
                    .map(|id| AccountEvent::Sent { id })
                    .chain(unsent.into_iter().map(|id| AccountEvent::SendFailed { id }));
                for ev in settled {
                    if tx.send(ev).await.is_err() {
                        return;
                    }
                }
                // The server ended the stream itself: there is nothing to resume.
                let mut ended = false;
                'online: {
                    if !resumed {
                        // They tell their presence again after a fresh sign-in, and get the card then.
                        desks.clear();
                        // The roster before presence, so contacts' presence finds it (RFC 6121 2.2).
                        if let Err(e) = session.request_roster().await {
                            tracing::warn!(account = %cfg.jid, "lost the connection right after signing in: {e}");
                            break 'online;
                        }
                        buddy_requests = Some(Vec::new());
                        if let Err(e) = session.send_presence(presence.0, Some(&presence.1)).await {
                            tracing::warn!(account = %cfg.jid, "lost the connection right after signing in: {e}");
                            break 'online;
                        }
                        // Copies of what the account's other desks receive and send (a server without
                        // carbons answers with an error, which changes nothing here).
                        if let Err(e) = session.enable_carbons().await {
                            tracing::warn!(account = %cfg.jid, "lost the connection right after signing in: {e}");
                            break 'online;
                        }
                        if !client_active {
                            if let Err(e) = session.set_client_active(false).await {
                                tracing::warn!(account = %cfg.jid, "lost the connection right after signing in: {e}");
                                break 'online;
                            }
                        }
                    } else if tx.send(AccountEvent::Resumed).await.is_err() {
                        return;
                    }
                    tracing::debug!(account = %cfg.jid, resumed, "online");
                    if tx.send(report(AccountState::Online, None)).await.is_err() {
                        return;
                    }
                    // The archive query under way and how many pages it has fetched.
                    let mut catch_up: Option<(String, u32)> = None;
                    // The link is pinged when quiet and given up when a ping goes unanswered (the stream decides).
                    session.keep_alive(cfg.keepalive, cfg.ping_timeout);
                    loop {
                        let check = session.stream().poll_timeout().map(tokio::time::Instant::from_std);
                        tokio::select! {
                            _ = sleep_until(check) => {
                                // A link that died without a FIN (Wi-Fi gone, laptop asleep) only shows this way.
                                if session.handle_timeout().await.is_err() {
                                    tracing::warn!(account = %cfg.jid, "the server stopped answering; reconnecting");
                                    break;
                                }
                            }
                            _ = woken(&mut wake) => {
                                tracing::info!(account = %cfg.jid, "checking the link after a wake-up or network change");
                                if let Err(e) = session.check_link(WAKE_PING_TIMEOUT).await {
                                    tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                    break;
                                }
                            }
                            item = session.recv() => {
                                // Handled here, outside the race: answers are never cut off half-written.
                                let ev = match session.handle(item).await {
                                    Ok(None) => continue,
                                    Ok(Some(ev)) => Ok(ev),
                                    Err(e) => Err(e),
                                };
                                match ev {
                                Ok(Incoming::Message(m)) => {
                                    if tx.send(AccountEvent::Message(m)).await.is_err() {
                                        return;
                                    }
                                }
                                Ok(Incoming::ArchivePage { query, complete, last }) => {
                                    let Some((_, pages)) = catch_up.take().filter(|(q, _)| *q == query) else { continue };
                                    if let Some(last) = &last {
                                        if tx.send(AccountEvent::ArchivedUpTo { last: last.clone() }).await.is_err() {
                                            return;
                                        }
                                    }
                                    let next = last.filter(|_| !complete && pages < MAX_CATCH_UP_PAGES);
                                    match next {
                                        Some(after) => match session.query_archive(Some(&after), None).await {
                                            Ok(q) => catch_up = Some((q, pages + 1)),
                                            Err(e) => {
                                                tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                                break;
                                            }
                                        },
                                        None => {
                                            if !complete {
                                                tracing::warn!(account = %cfg.jid, "archive catch-up stopped at its page limit");
                                            }
                                            if tx.send(AccountEvent::CaughtUp).await.is_err() {
                                                return;
                                            }
                                        }
                                    }
                                }
                                Ok(Incoming::Presence(p)) => {
                                    // Only our own account's other resources: the other desks.
                                    let other_desk = super::session::bare(&p.from) == session.bare_jid() && p.from != session.jid();
                                    // Signed in and not away or busy: open for questions.
                                    let open = p.available && matches!(p.show.as_deref(), None | Some("chat"));
                                    if let (true, Some((_, resource))) = (other_desk, p.from.split_once('/')) {
                                        // A desk that just came learns who staffs this one (directed, not broadcast).
                                        if p.available && desks.insert(p.from.clone()) {
                                            if let Some((c, on_duty)) = &card {
                                                if let Err(e) = session.send_card(&p.from, presence.0, Some(&presence.1), c, *on_duty).await {
                                                    tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                                    break;
                                                }
                                            }
                                        } else if !p.available {
                                            desks.remove(&p.from);
                                        }
                                        let ev = AccountEvent::DeskPresence { resource: resource.to_owned(), available: open, online: p.available, card: p.card, on_duty: p.on_duty };
                                        if tx.send(ev).await.is_err() {
                                            return;
                                        }
                                    } else if in_directory(&directory, &p.from) {
                                        let ev = AccountEvent::ColleaguePresence { from: p.from, online: p.available, open, status: p.status };
                                        if tx.send(ev).await.is_err() {
                                            return;
                                        }
                                    }
                                }
                                Ok(Incoming::Roster { items }) => {
                                    listed = items.iter().map(|i| i.jid.to_lowercase()).collect();
                                    let mut lost = None;
                                    for from in buddy_requests.take().unwrap_or_default() {
                                        match cfg.buddies.answer(listed.contains(&from)) {
                                            Some(allow) => {
                                                if let Err(e) = session.answer_subscription(&from, allow).await {
                                                    lost = Some(e);
                                                    break;
                                                }
                                            }
                                            None => {
                                                if tx.send(AccountEvent::BuddyRequest { from }).await.is_err() {
                                                    return;
                                                }
                                            }
                                        }
                                    }
                                    if let Some(e) = lost {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                    directory = items.iter().filter(|i| in_group(i, &cfg.directory_group)).map(|i| (i.jid.clone(), i.clone())).collect();
                                    let members = all_members(&directory);
                                    if tx.send(AccountEvent::Roster { items }).await.is_err() || tx.send(AccountEvent::Directory { members }).await.is_err() {
                                        return;
                                    }
                                }
                                Ok(Incoming::RosterPush { item }) => {
                                    if item.removed() {
                                        listed.remove(&item.jid.to_lowercase());
                                    } else {
                                        listed.insert(item.jid.to_lowercase());
                                    }
                                    let touched = if in_group(&item, &cfg.directory_group) {
                                        directory.insert(item.jid.clone(), item.clone()).as_ref() != Some(&item)
                                    } else {
                                        directory.remove(&item.jid).is_some()
                                    };
                                    if tx.send(AccountEvent::RosterChanged { item }).await.is_err() {
                                        return;
                                    }
                                    let members = all_members(&directory);
                                    if touched && tx.send(AccountEvent::Directory { members }).await.is_err() {
                                        return;
                                    }
                                }
                                Ok(Incoming::Acked { ids }) => {
                                    for id in ids {
                                        if tx.send(AccountEvent::Sent { id }).await.is_err() {
                                            return;
                                        }
                                    }
                                }
                                Ok(Incoming::SubscriptionRequest { from }) => {
                                    let from = from.to_lowercase();
                                    match &mut buddy_requests {
                                        // The roster is not here yet: answered when it is (a bounded wait).
                                        Some(waiting) if waiting.len() < 1_000 => waiting.push(from),
                                        Some(_) => {}
                                        None => match cfg.buddies.answer(listed.contains(&from)) {
                                            Some(allow) => {
                                                // No address in the log: it is a patron's.
                                                tracing::info!(account = %cfg.jid, allow, "answered a request to see the desk's presence");
                                                if let Err(e) = session.answer_subscription(&from, allow).await {
                                                    tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                                    break;
                                                }
                                            }
                                            // The librarian answers (`AccountCommand::AnswerBuddy`).
                                            None => {
                                                if tx.send(AccountEvent::BuddyRequest { from }).await.is_err() {
                                                    return;
                                                }
                                            }
                                        },
                                    }
                                }
                                Ok(Incoming::Closed { reason }) => {
                                    tracing::warn!(account = %cfg.jid, ?reason, "the server closed the stream");
                                    ended = true;
                                    break;
                                }
                                Ok(_) => {}
                                Err(e) => {
                                    tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                    break;
                                }
                            }},
                            cmd = commands.recv() => match cmd {
                                Some(AccountCommand::Send { to, id, body, auto }) => match session.send_message_with_id(&to, &body, &id, auto).await {
                                    // With stream management it is sent once the server acknowledges it.
                                    Ok(()) if session.acknowledges() => {}
                                    Ok(()) => {
                                        if tx.send(AccountEvent::Sent { id }).await.is_err() {
                                            return;
                                        }
                                    }
                                    Err(e) => {
                                        // Not lost: a managed stream resends it after resuming (or reports
                                        // it unsent); otherwise it stays pending in the desk's store, which resends it.
                                        tracing::warn!(account = %cfg.jid, "could not send, connection lost: {e}");
                                        let kept = session.acknowledges() && !matches!(e, SessionError::Unacknowledged(_));
                                    if !kept && tx.send(AccountEvent::SendFailed { id }).await.is_err() {
                                            return;
                                        }
                                        break;
                                    }
                                },
                                Some(AccountCommand::Typing { to, typing }) => {
                                    if let Err(e) = session.send_typing(&to, typing).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::CatchUp { after, since }) => {
                                    match session.query_archive(after.as_deref(), since).await {
                                        Ok(q) => catch_up = Some((q, 1)),
                                        Err(e) => {
                                            tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                            break;
                                        }
                                    }
                                }
                                Some(AccountCommand::ClientActive(active)) => {
                                    client_active = active;
                                    if let Err(e) = session.set_client_active(active).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::Stored(seq)) => {
                                    if let Err(e) = session.stored(seq).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::Receipt { to, id }) => {
                                    if let Err(e) = session.send_receipt(&to, &id).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::AnswerBuddy { to, allow }) => {
                                    if let Err(e) = session.answer_subscription(&to, allow).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::Hours { timezone, openings }) => {
                                    let iq = super::web::hours_iq(&super::session::new_message_id(), &timezone, &openings);
                                    if let Err(e) = session.send_raw(&iq).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::Place { to, place, wait_secs }) => {
                                    if let Err(e) = session.send_place(&to, place, wait_secs).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::Handoff { to, signal }) => {
                                    if let Err(e) = session.send_handoff(&to, &signal).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::Card { card: c, on_duty }) => {
                                    let mut lost = None;
                                    for to in &desks {
                                        if let Err(e) = session.send_card(to, presence.0, Some(&presence.1), &c, on_duty).await {
                                            lost = Some(e);
                                            break;
                                        }
                                    }
                                    card = Some((c, on_duty));
                                    if let Some(e) = lost {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                Some(AccountCommand::Presence { show, status }) => {
                                    presence = (show, status);
                                    if let Err(e) = session.send_presence(presence.0, Some(&presence.1)).await {
                                        tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                        break;
                                    }
                                }
                                None => return,
                            },
                            _ = stop.changed() => {
                                let _ = session.close().await;
                                let _ = tx.send(report(AccountState::SignedOut, None)).await;
                                return;
                            }
                        }
                    }
                }
                if ended {
                    for id in session.into_unsent() {
                        if tx.send(AccountEvent::SendFailed { id }).await.is_err() {
                            return;
                        }
                    }
                } else {
                    carry = session.detach();
                }
            }
            Err(e) if e.is_permanent() => {
                tracing::error!(account = %cfg.jid, "sign-in failed for good: {e}");
                let _ = tx.send(report(AccountState::Failed, Some(e.to_string()))).await;
                return;
            }
            Err(e) => {
                tracing::warn!(account = %cfg.jid, attempt, "sign-in failed, will retry: {e}");
                let wait = backoff(attempt);
                let mut status = report(AccountState::Reconnecting, Some(e.to_string()));
                if let AccountEvent::Status(s) = &mut status {
                    s.retry_at = chrono::Duration::from_std(wait).ok().map(|w| Utc::now() + w);
                }
                if tx.send(status).await.is_err() {
                    return;
                }
                attempt = attempt.saturating_add(1);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    // The network is back: no point waiting out the rest of the backoff.
                    _ = woken(&mut wake) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let mut waited = Duration::ZERO;
        for attempt in 0..30 {
            let cap = backoff_cap(attempt);
            let b = backoff(attempt);
            assert!(b >= cap / 2 && b <= cap, "attempt {attempt}: {b:?} outside [{:?}, {cap:?}]", cap / 2);
            assert!(cap >= backoff_cap(attempt.saturating_sub(1)), "never shorter than the one before");
            if attempt < QUICK_RETRIES {
                waited += b;
                assert!(cap <= Duration::from_secs(1), "a short outage is over within a second of the server");
            }
        }
        assert!(waited >= Duration::from_secs(5), "quick retries cover at least a 5 s outage: {waited:?}");
        assert_eq!(backoff_cap(100), MAX_BACKOFF);
        let samples: std::collections::BTreeSet<_> = (0..10).map(|_| backoff(5)).collect();
        assert!(samples.len() > 1, "jitter varies");
    }
}
