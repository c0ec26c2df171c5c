//! The desk's I/O loop for one account: the only code between the account runner's channels,
//! the clock, the window and the pure pipeline (`crate::inbound`).
//!
//! Each turn: wait for an event, a timer or a nudge; lock the desk once; let the pipeline take
//! the event and collect what follows; unlock; then do the I/O (commands to the runner, updates
//! to the window).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, Notify};

use crate::api::{AccountStatus, DeskSnapshot, FloodView, MessageView, NoteView, TypingView};
use crate::desk::AlertLevel;
use crate::inbound::{Output, Pipeline, Shown};
use crate::xmpp::account::{AccountCommand, AccountEvent};
use crate::{Desk, Result};

pub use crate::inbound::pipeline::FIRST_CATCH_UP_HOURS;

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

/// Why the loop woke.
enum Turn {
    Event(Box<AccountEvent>),
    /// The desk's next deadline came.
    Timer,
    /// A change made elsewhere, a paced showing, or something owed to the runner.
    Look,
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
    let own_resource = desk.with(|d| d.resource()).and_then(|r| r.ok()).unwrap_or_default();
    let mut pipeline = Pipeline::new(&account, &own_resource);
    let mut pace = Pace::new();
    let mut io = Io { account: account.clone(), commands, receipts_dropped: 0 };
    let mut deadline = None;
    loop {
        let wait = deadline.map(|t: chrono::DateTime<Utc>| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO));
        let turn = tokio::select! {
            ev = events.recv() => match ev {
                None => return,
                Some(ev) => Turn::Event(Box::new(ev)),
            },
            _ = async { tokio::time::sleep(wait.unwrap_or_default()).await }, if wait.is_some() => Turn::Timer,
            _ = kick.notified() => Turn::Look,
            // A change held back by the window's pace (see `Pace`) is due.
            _ = tokio::time::sleep_until(pace.due()), if pace.wanted() => Turn::Look,
            // Something is owed to the runner and its queue was full: try again shortly.
            _ = tokio::time::sleep(Duration::from_millis(200)), if pipeline.owes() => Turn::Look,
        };
        // Without a usable desk the window still hears how the account stands.
        let status = match &turn {
            Turn::Event(ev) => match &**ev {
                AccountEvent::Status(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        let now = Utc::now();
        // One lock per turn: the input, everything it decided, and the desk to show if due.
        let turned = desk.with(|d| {
            match turn {
                Turn::Event(ev) => pipeline.handle(d, *ev, now),
                Turn::Timer => pipeline.tick(d, now),
                Turn::Look => {}
            }
            pipeline.drain(d, now);
            pace.want_if(pipeline.take_desk_changed());
            let snapshot = if pace.now(tokio::time::Instant::now()) { Some(d.snapshot(now)) } else { None };
            Ok((snapshot, d.next_deadline()))
        });
        let Some(Ok((snapshot, next))) = turned else {
            if let Some(s) = status {
                publish.status(s);
            }
            continue;
        };
        deadline = next;
        let mut sends_blocked = false;
        while let Some(output) = pipeline.poll_output() {
            if let Some(unsent) = io.carry_out(output, &mut sends_blocked, &publish) {
                pipeline.unsent(unsent);
            }
        }
        // After the messages it follows from: the window hears of a question, then of the line.
        match snapshot {
            Some(Ok(snapshot)) => publish.desk(snapshot),
            Some(Err(e)) => tracing::error!(%account, "the desk could not be shown: {e}"),
            None => {}
        }
    }
}

/// The runner's side of the I/O: commands go through a bounded queue, so each either goes,
/// waits for the next turn, or is dropped as the pipeline's `unsent` decides.
struct Io {
    account: String,
    commands: mpsc::Sender<AccountCommand>,
    /// Delivery receipts not sent while the command queue was full (a courtesy: the message is
    /// stored all the same); said once per burst in the log, not once per receipt.
    receipts_dropped: u32,
}

impl Io {
    /// Carries out one output; gives it back if the runner could not take it now. Messages keep
    /// their order: after one could not go, the rest wait too.
    fn carry_out(&mut self, output: Output, sends_blocked: &mut bool, publish: &impl Publish) -> Option<Output> {
        let account = &self.account;
        let command = match output {
            Output::Show(shown) => {
                show(publish, shown);
                return None;
            }
            Output::Send { message, to } if *sends_blocked => return Some(Output::Send { message, to }),
            Output::Send { message, to } => {
                let cmd = AccountCommand::Send {
                    to: to.clone(),
                    id: message.stable_id.clone(),
                    body: message.body.clone(),
                    auto: message.auto_reply,
                };
                return match self.commands.try_send(cmd) {
                    Ok(()) => {
                        publish.message((*message).into());
                        None
                    }
                    // Still pending in the store: it goes with the next round.
                    Err(_) => {
                        *sends_blocked = true;
                        Some(Output::Send { message, to })
                    }
                };
            }
            Output::Command(command) => command,
        };
        // A confirmation covers all before it, so one left for later loses nothing: it goes only
        // while the queue is at most half full, so replies and presence never wait behind it.
        if matches!(command, AccountCommand::Stored(_)) && self.commands.capacity() * 2 < self.commands.max_capacity() {
            return Some(Output::Command(command));
        }
        let is_receipt = matches!(command, AccountCommand::Receipt { .. });
        match self.commands.try_send(command) {
            Ok(()) => {
                if is_receipt && self.receipts_dropped > 0 {
                    tracing::info!(%account, dropped = self.receipts_dropped, "receipts go out again");
                    self.receipts_dropped = 0;
                }
                None
            }
            Err(TrySendError::Full(command)) => {
                match &command {
                    AccountCommand::Receipt { .. } => {
                        self.receipts_dropped += 1;
                        if self.receipts_dropped == 1 {
                            tracing::warn!(%account, "receipts dropped: the account is backed up");
                        }
                    }
                    AccountCommand::Presence { .. } => {
                        tracing::warn!(%account, "presence change dropped: the account is backed up")
                    }
                    // The offer's time limit settles it on both desks.
                    AccountCommand::Handoff { .. } => {
                        tracing::warn!(%account, "handoff signal dropped: the account is backed up")
                    }
                    _ => {}
                }
                Some(Output::Command(command))
            }
            // The runner has stopped. Its last events (a final status, say "wrong password") may
            // still be queued: the loop ends when the events run dry, never before.
            Err(TrySendError::Closed(_)) => None,
        }
    }
}

/// Tells the window.
fn show(publish: &impl Publish, shown: Shown) {
    match shown {
        Shown::Status(s) => publish.status(s),
        Shown::Message(m) => publish.message(m),
        Shown::Typing(t) => publish.typing(t),
        Shown::Flooding(f) => publish.flooding(f),
        Shown::Note(n) => publish.note(n),
        Shown::WaitAlert { peer, level, waited_secs } => publish.wait_alert(&peer, level, waited_secs),
    }
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
        pace.want_if(true);
        assert!(pace.now(t0), "after a quiet spell: at once");
        // A burst: a change every 10 ms for a second is shown about every GAP, not 100 times.
        let mut shown = 0;
        for i in 1..=100u64 {
            pace.want_if(true);
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
}
