//! IM accounts in the shell: starts core's account runners and forwards their state to the window.

use std::sync::{Arc, Mutex};

use refdesk_core::api::{AccountState, AccountStatus, DeskSnapshot, MessageView, EVENT_ACCOUNT_CHANGED, EVENT_MESSAGE};
use refdesk_core::desk::AlertLevel;
use refdesk_core::service::{self, DeskAccess};
use refdesk_core::xmpp::account;
use refdesk_core::xmpp::demo::DemoInfo;
use refdesk_core::{Desk, Error};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::{mpsc, watch, Notify};

use crate::state::AppState;

/// The accounts' latest states, the switch that signs them out, and the service's wake-up.
pub struct Accounts {
    statuses: Mutex<Vec<AccountStatus>>,
    _stop: watch::Sender<bool>,
    kick: Arc<Notify>,
}

/// The shell's desk, as the IM service sees it.
struct ShellDesk<R: Runtime>(AppHandle<R>);

impl<R: Runtime> DeskAccess for ShellDesk<R> {
    fn with<T>(&self, f: impl FnOnce(&mut Desk) -> Result<T, Error>) -> Option<Result<T, Error>> {
        self.0.try_state::<AppState>()?.with_desk_raw(f)
    }
}

/// Wakes the IM service after a desk change made from the window or the tray.
pub fn kick<R: Runtime>(app: &AppHandle<R>) {
    if let Some(a) = app.try_state::<Accounts>() {
        a.kick.notify_one();
    }
}

impl Accounts {
    pub fn statuses(&self) -> Vec<AccountStatus> {
        self.statuses.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stores the status with the next sequence number and returns it as stored.
    fn update(&self, mut s: AccountStatus) -> AccountStatus {
        let mut all = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        s.seq = all.iter().map(|a| a.seq).max().unwrap_or(0) + 1;
        match all.iter_mut().find(|a| a.jid == s.jid) {
            Some(a) => *a = s.clone(),
            None => all.push(s.clone()),
        }
        s
    }
}

/// Signs in the demo desk's shared account when `REFDESK_DEMO` names a demo.json. Real accounts
/// (settings + keyring) come with the account settings work.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let (stop_tx, stop) = watch::channel(false);
    let kick = Arc::new(Notify::new());
    app.manage(Accounts { statuses: Mutex::new(Vec::new()), _stop: stop_tx, kick: kick.clone() });
    let Some(path) = std::env::var_os("REFDESK_DEMO").filter(|p| !p.is_empty()) else { return };
    let path = std::path::PathBuf::from(path);
    let (cfg, password) = match DemoInfo::load(&path)
        .and_then(|d| d.account("ask").ok_or_else(|| format!("{}: no ask@ account in the demo", path.display())))
    {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("demo desk not started: {e}");
            let failed = AccountStatus { jid: "demo".into(), state: AccountState::Failed, message: Some(e), seq: 0 };
            publish(app, failed);
            return;
        }
    };
    let mut cfg = cfg;
    match app.state::<AppState>().with_desk_raw(|d| d.resource()) {
        Some(Ok(r)) => cfg.resource = r,
        Some(Err(e)) => tracing::warn!("no resource of this desk's own, using the default: {e}"),
        None => {}
    }
    let (events_tx, events) = mpsc::channel(256);
    let (commands, commands_rx) = mpsc::channel(256);
    let jid = cfg.jid.clone();
    tauri::async_runtime::spawn(account::run(cfg, password, "Ask a librarian".into(), events_tx, commands_rx, stop));
    let desk = Arc::new(ShellDesk(app.clone()));
    let app = app.clone();
    tauri::async_runtime::spawn(service::run(desk, jid, events, commands, kick, Window(app)));
}

/// Where the IM service's news goes: the window (and the header's account pills).
struct Window<R: Runtime>(AppHandle<R>);

impl<R: Runtime> service::Publish for Window<R> {
    fn status(&self, status: AccountStatus) {
        publish(&self.0, status);
    }

    fn message(&self, message: MessageView) {
        if let Err(e) = self.0.emit(EVENT_MESSAGE, &message) {
            tracing::warn!("could not tell the window about a message: {e}");
        }
        crate::notify::message(&self.0, &message);
    }

    fn wait_alert(&self, peer: &str, level: AlertLevel, waited_secs: i64) {
        crate::notify::wait_alert(&self.0, peer, level, waited_secs);
    }

    fn desk(&self, snapshot: DeskSnapshot) {
        crate::state::announce(&self.0, &snapshot);
    }
}

fn publish<R: Runtime>(app: &AppHandle<R>, status: AccountStatus) {
    tracing::debug!(account = %status.jid, state = ?status.state, "account state");
    let Some(accounts) = app.try_state::<Accounts>() else { return };
    let status = accounts.update(status);
    if let Err(e) = app.emit(EVENT_ACCOUNT_CHANGED, &status) {
        tracing::warn!("could not tell the window about an account: {e}");
    }
}
