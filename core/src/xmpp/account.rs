//! One account kept signed in: connect, report its state, reconnect with backoff, stop on permanent errors.

use std::time::Duration;

use chrono::{DateTime, Utc};

use tokio::sync::{mpsc, watch};

use super::connect::{reconnect, AccountConfig, Connected};
use super::online::{Flow, Online};
use super::retry::{After, Retry};
use super::session::{ChatMessage, Session, SessionError, Show};
use crate::api::{AccountState, AccountStatus};
use crate::handoff::directory::DirectoryMember;

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

/// Pages of one catch-up at most (of `session::ARCHIVE_PAGE` messages): a day at a busy desk, not an unbounded download.
pub const MAX_CATCH_UP_PAGES: u32 = 40;

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

/// How a turn of the online loop ended.
enum Delivered {
    Ok(Flow),
    /// The link failed (the stream goes on elsewhere, or is resumed).
    Lost(SessionError),
    /// The desk stopped listening: the runner ends.
    Gone,
}

/// Writes what the turn queued, then hands its events to the desk. A message counted as sent on a
/// stream without acknowledgements is taken back when the write fails (the desk resends it).
async fn deliver(
    session: &mut Session,
    turn: Result<Flow, SessionError>,
    out: &mut Vec<AccountEvent>,
    tx: &mpsc::Sender<AccountEvent>,
) -> Delivered {
    let written = session.flush().await;
    let result = turn.and_then(|flow| written.map(|()| flow));
    if result.is_err() && !session.acknowledges() {
        for ev in out.iter_mut() {
            if let AccountEvent::Sent { id } = ev {
                *ev = AccountEvent::SendFailed { id: std::mem::take(id) };
            }
        }
    }
    for ev in out.drain(..) {
        if tx.send(ev).await.is_err() {
            return Delivered::Gone;
        }
    }
    match result {
        Ok(flow) => Delivered::Ok(flow),
        Err(e) => Delivered::Lost(e),
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
    let mut online = Online::new(cfg.clone(), status_text);
    let mut retry = Retry::new();
    // The stream the link last dropped under, to be resumed if the server still holds it.
    let mut carry = None;
    loop {
        if tx.send(online.status(retry.state(), None)).await.is_err() {
            return;
        }
        let connected = tokio::select! {
            r = reconnect(&cfg, &password, &mut carry) => r,
            _ = stop.changed() => return,
        };
        match connected {
            Ok(Connected { mut session, resumed, acked, unsent }) => {
                retry.connected();
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
                let mut out = Vec::new();
                let up = online.signed_in(&mut session.stream, resumed, &mut out);
                match deliver(&mut session, up.map(|()| Flow::Continue), &mut out, &tx).await {
                    Delivered::Gone => return,
                    Delivered::Lost(e) => {
                        tracing::warn!(account = %cfg.jid, "lost the connection right after signing in: {e}")
                    }
                    Delivered::Ok(_) => {
                        tracing::debug!(account = %cfg.jid, resumed, "online");
                        if tx.send(online.status(AccountState::Online, None)).await.is_err() {
                            return;
                        }
                        // The link is pinged when quiet and given up when a ping goes unanswered.
                        session.keep_alive(cfg.keepalive, cfg.ping_timeout);
                        loop {
                            let check = session.stream().poll_timeout().map(tokio::time::Instant::from_std);
                            let flow = tokio::select! {
                                _ = sleep_until(check) => {
                                    // A link that died without a FIN (Wi-Fi gone, laptop asleep) only shows this way.
                                    if session.handle_timeout().await.is_err() {
                                        tracing::warn!(account = %cfg.jid, "the server stopped answering; reconnecting");
                                        break;
                                    }
                                    continue;
                                }
                                _ = woken(&mut wake) => {
                                    tracing::info!(account = %cfg.jid, "checking the link after a wake-up or network change");
                                    session.check_link(WAKE_PING_TIMEOUT).await.map(|()| Flow::Continue)
                                }
                                // Handled outside the race: answers are never cut off half-written.
                                item = session.recv() => match session.handle(item).await {
                                    Ok(Some(ev)) => online.incoming(&mut session.stream, ev, &mut out),
                                    Ok(None) => continue,
                                    Err(e) => Err(e),
                                },
                                cmd = commands.recv() => match cmd {
                                    Some(cmd) => online.command(&mut session.stream, cmd, &mut out).map(|()| Flow::Continue),
                                    None => return,
                                },
                                _ = stop.changed() => {
                                    let _ = session.close().await;
                                    let _ = tx.send(online.status(AccountState::SignedOut, None)).await;
                                    return;
                                }
                            };
                            match deliver(&mut session, flow, &mut out, &tx).await {
                                Delivered::Ok(Flow::Continue) => {}
                                Delivered::Ok(Flow::Ended { reason }) => {
                                    tracing::warn!(account = %cfg.jid, ?reason, "the server closed the stream");
                                    ended = true;
                                    break;
                                }
                                Delivered::Lost(e) => {
                                    // A message not yet written is not lost: a managed stream resends it
                                    // after resuming (or reports it unsent); otherwise it stays pending in
                                    // the desk's store, which resends it.
                                    tracing::warn!(account = %cfg.jid, "connection lost: {e}");
                                    break;
                                }
                                Delivered::Gone => return,
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
            Err(e) => {
                let wait = match retry.failed(e.is_permanent()) {
                    After::GiveUp => {
                        tracing::error!(account = %cfg.jid, "sign-in failed for good: {e}");
                        let _ = tx.send(online.status(AccountState::Failed, Some(e.to_string()))).await;
                        return;
                    }
                    After::RetryIn(wait) => wait,
                };
                tracing::warn!(account = %cfg.jid, attempt = retry.attempt(), "sign-in failed, will retry: {e}");
                let mut status = online.status(AccountState::Reconnecting, Some(e.to_string()));
                if let AccountEvent::Status(s) = &mut status {
                    s.retry_at = chrono::Duration::from_std(wait).ok().map(|w| Utc::now() + w);
                }
                if tx.send(status).await.is_err() {
                    return;
                }
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
