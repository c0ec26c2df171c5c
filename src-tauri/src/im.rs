//! IM accounts in the shell: starts core's account runners and forwards their state to the window.

use std::sync::Mutex;

use refdesk_core::api::{AccountState, AccountStatus, EVENT_ACCOUNT_CHANGED};
use refdesk_core::xmpp::account::{self, AccountEvent};
use refdesk_core::xmpp::demo::DemoInfo;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::{mpsc, watch};

/// The accounts' latest states, and the switch that signs them out.
pub struct Accounts {
    statuses: Mutex<Vec<AccountStatus>>,
    _stop: watch::Sender<bool>,
}

impl Accounts {
    pub fn statuses(&self) -> Vec<AccountStatus> {
        self.statuses.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn update(&self, s: AccountStatus) {
        let mut all = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        match all.iter_mut().find(|a| a.jid == s.jid) {
            Some(a) => *a = s,
            None => all.push(s),
        }
    }
}

/// Signs in the demo desk's shared account when `REFDESK_DEMO` names a demo.json. Real accounts
/// (settings + keyring) come with the account settings work.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let (stop_tx, stop) = watch::channel(false);
    app.manage(Accounts { statuses: Mutex::new(Vec::new()), _stop: stop_tx });
    let Some(path) = std::env::var_os("REFDESK_DEMO").filter(|p| !p.is_empty()) else { return };
    let path = std::path::PathBuf::from(path);
    let (cfg, password) = match DemoInfo::load(&path)
        .and_then(|d| d.account("ask").ok_or_else(|| format!("{}: no ask@ account in the demo", path.display())))
    {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("demo desk not started: {e}");
            let failed = AccountStatus { jid: "demo".into(), state: AccountState::Failed, message: Some(e) };
            publish(app, failed);
            return;
        }
    };
    let (tx, mut rx) = mpsc::channel(256);
    tauri::async_runtime::spawn(account::run(cfg, password, "Ask a librarian".into(), tx, stop));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(ev) = rx.recv().await {
            match ev {
                AccountEvent::Status(s) => publish(&app, s),
                // Never log message text: only that something arrived, and from which account.
                AccountEvent::Message(m) => tracing::info!(has_body = m.body.is_some(), "IM stanza received"),
            }
        }
    });
}

fn publish<R: Runtime>(app: &AppHandle<R>, status: AccountStatus) {
    tracing::debug!(account = %status.jid, state = ?status.state, "account state");
    if let Some(accounts) = app.try_state::<Accounts>() {
        accounts.update(status.clone());
    }
    if let Err(e) = app.emit(EVENT_ACCOUNT_CHANGED, &status) {
        tracing::warn!("could not tell the window about an account: {e}");
    }
}
