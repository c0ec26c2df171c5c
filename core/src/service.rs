//! The desk's I/O loop for one account: account events into the Desk, its actions out, its timers fired.
//!
//! The edge where the pure engine meets the network: it reads the clock and sleeps so the engine does not.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, Notify};

use crate::api::AccountStatus;
use crate::desk::{self, Action};
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

/// Runs until the account runner's event channel closes. `kick` wakes the loop after a change made
/// elsewhere (a walk-up from the window) so its actions go out at once.
pub async fn run<D: DeskAccess>(
    desk: Arc<D>,
    account: String,
    mut events: mpsc::Receiver<AccountEvent>,
    commands: mpsc::Sender<AccountCommand>,
    kick: Arc<Notify>,
    on_status: impl Fn(AccountStatus) + Send + 'static,
) {
    loop {
        let deadline = desk.with(|d| Ok(d.next_deadline())).and_then(Result::ok).flatten();
        let wait = deadline.map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO));
        let outcome = tokio::select! {
            ev = events.recv() => match ev {
                None => return,
                Some(AccountEvent::Status(s)) => {
                    on_status(s);
                    None
                }
                Some(AccountEvent::Message(m)) => desk.with(|d| d.receive_message(&account, &m, Utc::now()).map(drop)),
                Some(AccountEvent::Sent { to, id, body, auto_reply }) => {
                    desk.with(|d| d.record_sent(&account, &to, &id, &body, auto_reply, Utc::now()))
                }
            },
            _ = async { tokio::time::sleep(wait.unwrap_or_default()).await }, if wait.is_some() => {
                desk.with(|d| d.tick(Utc::now()))
            }
            _ = kick.notified() => None,
        };
        if let Some(Err(e)) = outcome {
            tracing::error!(%account, "desk could not take an event: {e}");
        }
        let actions = desk.with(|d| Ok(d.take_actions())).and_then(Result::ok).unwrap_or_default();
        for a in actions {
            let cmd = match a {
                Action::AutoReply { chat, text, .. } => AccountCommand::Send { to: chat, body: text, auto_reply: true },
                Action::SetPresence { show: s, status } => AccountCommand::Presence { show: show(s), status },
                _ => continue,
            };
            if commands.send(cmd).await.is_err() {
                return;
            }
        }
    }
}
