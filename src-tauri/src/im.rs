//! IM accounts in the shell: core's account manager (`refdesk_core::accounts`) given the keyring,
//! the window and the desk, started with the demo's and the policy's accounts, and reached from the
//! commands and the tray.

use std::sync::Arc;

use refdesk_core::accounts::{self, Secrets};
use refdesk_core::api::{
    AccountStatus, CommandError, DeskSnapshot, ErrorCode, FloodView, MessageView, NoteView, TypingView,
    EVENT_ACCOUNT_CHANGED, EVENT_FLOODING, EVENT_MESSAGE, EVENT_NOTE, EVENT_TYPING,
};
use refdesk_core::desk::AlertLevel;
use refdesk_core::service::{DeskAccess, Publish};
use refdesk_core::xmpp::demo::DemoInfo;
use refdesk_core::xmpp::AccountConfig;
use refdesk_core::{Desk, Error};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

/// The shell's desk, as the IM service sees it.
pub struct ShellDesk<R: Runtime>(AppHandle<R>);

impl<R: Runtime> DeskAccess for ShellDesk<R> {
    fn with<T>(&self, f: impl FnOnce(&mut Desk) -> Result<T, Error>) -> Option<Result<T, Error>> {
        self.0.try_state::<AppState>()?.with_desk_raw(f)
    }
}

/// Account passwords in the OS keyring.
pub struct Keyring;

impl Secrets for Keyring {
    fn password(&self, jid: &str) -> Result<Option<String>, CommandError> {
        crate::keyring::password(jid)
    }
    fn available(&self, jid: &str) -> Result<(), CommandError> {
        crate::keyring::available(jid)
    }
    fn keep(&self, jid: &str, password: &str) -> Result<(), CommandError> {
        crate::keyring::set_password(jid, password)
    }
    fn forget(&self, jid: &str) -> Result<(), CommandError> {
        crate::keyring::forget_password(jid)
    }
}

/// This app's accounts, as kept in its managed state.
pub type Accounts<R> = Arc<accounts::Accounts<ShellDesk<R>, Window<R>, Keyring>>;

/// Signs in every account the desk has: the demo's shared account when `REFDESK_DEMO` names a
/// demo.json, and the accounts of the library's policy file and this desk's own, with their
/// passwords from the keyring.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let session_passwords = app.state::<AppState>().keyring.fallback == refdesk_core::policy::KeyringFallback::Session;
    let runtime = tauri::async_runtime::handle().inner().clone();
    let manager = accounts::Accounts::new(
        Arc::new(ShellDesk(app.clone())),
        Window(app.clone()),
        Keyring,
        runtime,
        session_passwords,
    );
    app.manage(manager.clone());
    let wake = manager.wake_switch();
    tauri::async_runtime::spawn(async move {
        // Without the signals (no system bus), pings still find a link that died in sleep, later.
        if let Err(e) = refdesk_core::wake::listen(wake).await {
            tracing::info!("no sleep/wake or network signals: {e}");
        }
    });
    if let Some(path) = std::env::var_os("REFDESK_DEMO").filter(|p| !p.is_empty()) {
        let path = std::path::Path::new(&path);
        // The demo server's throwaway accounts have their passwords in its demo.json; real accounts never do.
        match DemoInfo::load(path)
            .and_then(|d| d.account("ask").ok_or_else(|| format!("{}: no ask@ account in the demo", path.display())))
        {
            Ok((cfg, password)) => manager.sign_in_with(cfg, password),
            Err(e) => {
                tracing::error!("demo desk not started: {e}");
                manager.failed("demo", e);
            }
        }
    }
    let mut listed = app.state::<AppState>().accounts.clone();
    // And the accounts this desk added itself (Settings).
    match app.state::<AppState>().with_desk_raw(|d| d.own_accounts()) {
        Some(Ok(own)) => listed.extend(own),
        Some(Err(e)) => tracing::warn!("this desk's own accounts are not signed in: {e}"),
        None => {}
    }
    manager.start(listed.iter().map(|a| a.connect_config()).collect());
}

/// Runs `f` on the accounts once they exist (from the app's setup on).
fn with<R: Runtime, T>(app: &AppHandle<R>, f: impl FnOnce(&Accounts<R>) -> T) -> Option<T> {
    app.try_state::<Accounts<R>>().map(|a| f(&a))
}

pub fn statuses<R: Runtime>(app: &AppHandle<R>) -> Vec<AccountStatus> {
    with(app, |a| a.statuses()).unwrap_or_default()
}

/// Wakes the IM services after a desk change made from the window or the tray.
pub fn kick<R: Runtime>(app: &AppHandle<R>) {
    with(app, |a| a.kick());
}

/// Keeps `password` in the keyring for `jid` once the server accepts it, and signs it in.
pub fn sign_in<R: Runtime>(app: &AppHandle<R>, jid: &str, password: &str) -> Result<(), CommandError> {
    with(app, |a| a.sign_in(jid, password)).unwrap_or_else(not_started)
}

/// A new account of this desk's own, signed in with `password`.
pub fn add_account<R: Runtime>(app: &AppHandle<R>, cfg: AccountConfig, password: &str) -> Result<(), CommandError> {
    with(app, |a| a.add(cfg, password)).unwrap_or_else(not_started)
}

fn not_started() -> Result<(), CommandError> {
    Err(CommandError { code: ErrorCode::Internal, message: "the IM accounts have not started yet; try again".into() })
}

/// Signs an account out for good and forgets it here, its password too.
pub fn remove_account<R: Runtime>(app: &AppHandle<R>, jid: &str) {
    with(app, |a| a.remove(jid));
}

pub fn retry_now<R: Runtime>(app: &AppHandle<R>) {
    with(app, |a| a.retry_now());
}

pub fn typing<R: Runtime>(app: &AppHandle<R>, jid: &str, peer: &str, typing: bool) {
    with(app, |a| a.typing(jid, peer, typing));
}

pub fn client_active<R: Runtime>(app: &AppHandle<R>, active: bool) {
    with(app, |a| a.client_active(active));
}

/// Where the IM service's news goes: the window (and the header's account pills).
pub struct Window<R: Runtime>(AppHandle<R>);

impl<R: Runtime> Window<R> {
    fn emit(&self, event: &str, payload: impl serde::Serialize + Clone) {
        if let Err(e) = self.0.emit(event, payload) {
            tracing::warn!("could not tell the window ({event}): {e}");
        }
    }
}

impl<R: Runtime> Publish for Window<R> {
    fn status(&self, status: AccountStatus) {
        self.emit(EVENT_ACCOUNT_CHANGED, &status);
    }

    fn message(&self, message: MessageView) {
        self.emit(EVENT_MESSAGE, &message);
        crate::notify::message(&self.0, &message);
    }

    fn desk(&self, snapshot: DeskSnapshot) {
        crate::tray::announce(&self.0, &snapshot);
    }

    fn wait_alert(&self, peer: &str, level: AlertLevel, waited_secs: i64) {
        crate::notify::wait_alert(&self.0, peer, level, waited_secs);
    }

    fn typing(&self, typing: TypingView) {
        self.emit(EVENT_TYPING, &typing);
    }

    fn note(&self, note: NoteView) {
        self.emit(EVENT_NOTE, &note);
    }

    fn flooding(&self, flood: FloodView) {
        self.emit(EVENT_FLOODING, &flood);
    }
}
