//! IM accounts in the shell: starts core's account runners (demo and policy accounts, passwords
//! from the keyring), signs in on the librarian's request, and forwards their news to the window.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use refdesk_core::api::{
    AccountState, AccountStatus, CommandError, DeskSnapshot, ErrorCode, FloodView, MessageView, TypingView,
    EVENT_ACCOUNT_CHANGED, EVENT_FLOODING, EVENT_MESSAGE, EVENT_NOTE, EVENT_TYPING,
};
use refdesk_core::desk::AlertLevel;
use refdesk_core::service::{self, DeskAccess};
use refdesk_core::xmpp::demo::DemoInfo;
use refdesk_core::xmpp::{account, AccountConfig};
use refdesk_core::{Desk, Error};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::{mpsc, watch, Notify};

use crate::state::AppState;

/// The accounts' latest states, and for each running account the switch that signs it out and the
/// wake-up of its IM service.
pub struct Accounts {
    statuses: Mutex<Vec<AccountStatus>>,
    running: Mutex<HashMap<String, Running>>,
    /// How to reach each account the desk knows (policy accounts wait here for their password).
    configs: Mutex<HashMap<String, AccountConfig>>,
    /// Passwords typed in the window and not yet accepted by the server: kept in the keyring only
    /// once the account signs in with them, so a mistyped one is never remembered.
    unconfirmed: Mutex<HashMap<String, String>>,
    /// Poked when the machine wakes or its network comes back: every runner checks its link.
    wake: watch::Sender<()>,
    /// Accounts taken off this desk: the last words of their stopping runners are not shown.
    removed: Mutex<std::collections::HashSet<String>>,
}

struct Running {
    stop: watch::Sender<bool>,
    kick: Arc<Notify>,
    commands: mpsc::Sender<account::AccountCommand>,
}

/// The shell's desk, as the IM service sees it.
struct ShellDesk<R: Runtime>(AppHandle<R>);

impl<R: Runtime> DeskAccess for ShellDesk<R> {
    fn with<T>(&self, f: impl FnOnce(&mut Desk) -> Result<T, Error>) -> Option<Result<T, Error>> {
        self.0.try_state::<AppState>()?.with_desk_raw(f)
    }
}

/// Wakes the IM services after a desk change made from the window or the tray.
pub fn kick<R: Runtime>(app: &AppHandle<R>) {
    if let Some(a) = app.try_state::<Accounts>() {
        for r in a.running.lock().unwrap_or_else(|p| p.into_inner()).values() {
            r.kick.notify_one();
        }
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

/// Signs in every account the desk has: the demo's shared account when `REFDESK_DEMO` names a
/// demo.json, and the accounts of the library's policy file with their passwords from the keyring.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    app.manage(Accounts {
        statuses: Mutex::new(Vec::new()),
        running: Mutex::new(HashMap::new()),
        configs: Mutex::new(HashMap::new()),
        unconfirmed: Mutex::new(HashMap::new()),
        wake: watch::Sender::new(()),
        removed: Mutex::new(Default::default()),
    });
    let wake = app.state::<Accounts>().wake.clone();
    tauri::async_runtime::spawn(async move {
        // Without the signals (no system bus), pings still find a link that died in sleep, later.
        if let Err(e) = refdesk_core::wake::listen(wake).await {
            tracing::info!("no sleep/wake or network signals: {e}");
        }
    });
    if let Some(path) = std::env::var_os("REFDESK_DEMO").filter(|p| !p.is_empty()) {
        start_demo(app, std::path::Path::new(&path));
    }
    let mut policy_accounts = app.state::<AppState>().accounts.clone();
    // And the accounts this desk added itself (Settings).
    match app.state::<AppState>().with_desk_raw(|d| d.own_accounts()) {
        Some(Ok(own)) => policy_accounts.extend(own),
        Some(Err(e)) => tracing::warn!("this desk's own accounts are not signed in: {e}"),
        None => {}
    }
    for a in &policy_accounts {
        let cfg = a.connect_config();
        app.state::<Accounts>().configs.lock().unwrap_or_else(|p| p.into_inner()).insert(cfg.jid.clone(), cfg);
        publish(app, status(a.jid.trim(), AccountState::Connecting, None));
    }
    // A locked keyring may ask the person to unlock it: never make the window wait for that.
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        for a in policy_accounts {
            let cfg = a.connect_config();
            let jid = cfg.jid.clone();
            match crate::keyring::password(&jid) {
                Ok(Some(password)) => start_account(&app, cfg, password),
                Ok(None) => publish(&app, status(&jid, AccountState::NeedsPassword, None)),
                Err(_) if session_passwords(&app) => {
                    publish(&app, status(&jid, AccountState::NeedsPassword, Some(SESSION_ONLY.into())))
                }
                Err(e) => publish(&app, status(&jid, AccountState::Failed, Some(e.message))),
            }
        }
    });
}

/// What the window says when the library's policy lets a typed password stand in for a keyring.
const SESSION_ONLY: &str = "no keyring on this computer: your library lets you type the password at each start; \
     it is kept in memory only until Refdesk quits";

/// The library's policy allows a password for this run only where no keyring is available.
fn session_passwords<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.state::<AppState>().keyring.fallback == refdesk_core::policy::KeyringFallback::Session
}

fn status(jid: &str, state: AccountState, message: Option<String>) -> AccountStatus {
    AccountStatus { jid: jid.to_owned(), state, message, retry_at: None, catching_up: false, seq: 0 }
}

fn start_demo<R: Runtime>(app: &AppHandle<R>, path: &std::path::Path) {
    // The demo server's throwaway accounts have their passwords in its demo.json; real accounts never do.
    match DemoInfo::load(path)
        .and_then(|d| d.account("ask").ok_or_else(|| format!("{}: no ask@ account in the demo", path.display())))
    {
        Ok((cfg, password)) => start_account(app, cfg, password),
        Err(e) => {
            tracing::error!("demo desk not started: {e}");
            publish(app, status("demo", AccountState::Failed, Some(e)));
        }
    }
}

/// Keeps `password` in the keyring for `jid` (an account of the policy) and signs it in.
pub fn sign_in<R: Runtime>(app: &AppHandle<R>, jid: &str, password: &str) -> Result<(), CommandError> {
    let accounts = app.state::<Accounts>();
    let cfg = accounts.configs.lock().unwrap_or_else(|p| p.into_inner()).get(jid).cloned();
    let Some(cfg) = cfg else {
        return Err(CommandError {
            code: ErrorCode::InvalidInput,
            message: format!("{jid} is not one of this desk's accounts (they come from the library's policy file)"),
        });
    };
    if password.is_empty() {
        return Err(CommandError { code: ErrorCode::InvalidInput, message: "the password is empty".into() });
    }
    // Fails early, before anything is sent, if there is no keyring to keep it in afterwards (unless
    // the library allows a password for this run only: then it is simply not kept).
    match crate::keyring::available(jid) {
        Ok(()) => {
            accounts.unconfirmed.lock().unwrap_or_else(|p| p.into_inner()).insert(jid.to_owned(), password.to_owned());
        }
        Err(_) if session_passwords(app) => {
            tracing::info!(account = %jid, "no keyring; the typed password is used for this run only");
        }
        Err(e) => return Err(e),
    }
    tracing::info!(account = %jid, "signing in with a typed password");
    start_account(app, cfg, password.to_owned());
    Ok(())
}

/// A new account of this desk's own: known from now on, and signed in with `password` (kept in
/// the keyring once the server accepts it).
pub fn add_account<R: Runtime>(app: &AppHandle<R>, cfg: AccountConfig, password: &str) -> Result<(), CommandError> {
    let jid = cfg.jid.clone();
    app.state::<Accounts>().removed.lock().unwrap_or_else(|p| p.into_inner()).remove(&jid);
    app.state::<Accounts>().configs.lock().unwrap_or_else(|p| p.into_inner()).insert(jid.clone(), cfg);
    publish(app, status(&jid, AccountState::NeedsPassword, None));
    sign_in(app, &jid, password)
}

/// Signs an account out for good and forgets it here, its password too.
pub fn remove_account<R: Runtime>(app: &AppHandle<R>, jid: &str) {
    let accounts = app.state::<Accounts>();
    accounts.removed.lock().unwrap_or_else(|p| p.into_inner()).insert(jid.to_owned());
    accounts.configs.lock().unwrap_or_else(|p| p.into_inner()).remove(jid);
    accounts.unconfirmed.lock().unwrap_or_else(|p| p.into_inner()).remove(jid);
    if let Some(r) = accounts.running.lock().unwrap_or_else(|p| p.into_inner()).remove(jid) {
        let _ = r.stop.send(true);
    }
    if let Err(e) = crate::keyring::forget_password(jid) {
        tracing::warn!(account = %jid, "the password could not be removed from the keyring: {}", e.message);
    }
    accounts.statuses.lock().unwrap_or_else(|p| p.into_inner()).retain(|s| s.jid != jid);
    let removed = status(jid, AccountState::Removed, None);
    if let Err(e) = app.emit(refdesk_core::api::EVENT_ACCOUNT_CHANGED, &removed) {
        tracing::warn!("could not tell the window an account was removed: {e}");
    }
    tracing::info!(account = %jid, "account removed from this desk");
}

/// Every runner checks its link now; one waiting to reconnect tries at once (as on waking).
pub fn retry_now<R: Runtime>(app: &AppHandle<R>) {
    if let Some(a) = app.try_state::<Accounts>() {
        tracing::info!("the librarian asked to reconnect now");
        a.wake.send_replace(());
    }
}

/// Starts (or restarts) the runner and IM service of one account.
fn start_account<R: Runtime>(app: &AppHandle<R>, mut cfg: AccountConfig, password: String) {
    match app.state::<AppState>().with_desk_raw(|d| d.resource()) {
        Some(Ok(r)) => cfg.resource = r,
        Some(Err(e)) => tracing::warn!("no resource of this desk's own, using the default: {e}"),
        None => {}
    }
    let (stop_tx, stop) = watch::channel(false);
    let kick = Arc::new(Notify::new());
    let (commands, commands_rx) = mpsc::channel(256);
    let running = Running { stop: stop_tx, kick: kick.clone(), commands: commands.clone() };
    let previous =
        app.state::<Accounts>().running.lock().unwrap_or_else(|p| p.into_inner()).insert(cfg.jid.clone(), running);
    if let Some(old) = previous {
        // A new password replaces a runner that may still be retrying with the old one.
        let _ = old.stop.send(true);
    }
    let (events_tx, events) = mpsc::channel(256);
    let jid = cfg.jid.clone();
    let wake = app.state::<Accounts>().wake.subscribe();
    let runner = account::run(cfg, password, "Ask a librarian".into(), events_tx, commands_rx, stop, wake);
    tauri::async_runtime::spawn(runner);
    let desk = Arc::new(ShellDesk(app.clone()));
    tauri::async_runtime::spawn(service::run(desk, jid, events, commands, kick, Window(app.clone())));
}

/// Tells the patron whether the librarian is typing. Only while the account is online: a typing
/// state delivered after a reconnect would be stale, so it is dropped rather than queued.
pub fn typing<R: Runtime>(app: &AppHandle<R>, jid: &str, peer: &str, typing: bool) {
    let accounts = app.state::<Accounts>();
    let online = accounts.statuses().iter().any(|s| s.jid == jid && s.state == AccountState::Online);
    let running = accounts.running.lock().unwrap_or_else(|p| p.into_inner());
    if let (true, Some(r)) = (online, running.get(jid)) {
        let _ = r.commands.try_send(account::AccountCommand::Typing { to: peer.to_owned(), typing });
    }
}

/// Tells every account's server whether the window is shown (XEP-0352), so a desk hidden to the
/// tray is sent what can wait (presence, typing) in batches rather than one by one.
pub fn client_active<R: Runtime>(app: &AppHandle<R>, active: bool) {
    let Some(accounts) = app.try_state::<Accounts>() else { return };
    let running = accounts.running.lock().unwrap_or_else(|p| p.into_inner());
    for r in running.values() {
        let _ = r.commands.try_send(account::AccountCommand::ClientActive(active));
    }
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

    fn desk(&self, snapshot: DeskSnapshot) {
        crate::state::announce(&self.0, &snapshot);
    }

    fn wait_alert(&self, peer: &str, level: AlertLevel, waited_secs: i64) {
        crate::notify::wait_alert(&self.0, peer, level, waited_secs);
    }

    fn typing(&self, typing: TypingView) {
        if let Err(e) = self.0.emit(EVENT_TYPING, &typing) {
            tracing::warn!("could not tell the window about typing: {e}");
        }
    }

    fn note(&self, note: refdesk_core::api::NoteView) {
        if let Err(e) = self.0.emit(EVENT_NOTE, &note) {
            tracing::warn!("could not tell the window about a note: {e}");
        }
    }

    fn flooding(&self, flood: FloodView) {
        if let Err(e) = self.0.emit(EVENT_FLOODING, &flood) {
            tracing::warn!("could not tell the window about a flooding contact: {e}");
        }
    }
}

fn publish<R: Runtime>(app: &AppHandle<R>, status: AccountStatus) {
    tracing::debug!(account = %status.jid, state = ?status.state, "account state");
    let Some(accounts) = app.try_state::<Accounts>() else { return };
    if accounts.removed.lock().unwrap_or_else(|p| p.into_inner()).contains(&status.jid) {
        return;
    }
    let settled = matches!(status.state, AccountState::Online | AccountState::Failed);
    let typed = settled.then(|| accounts.unconfirmed.lock().unwrap_or_else(|p| p.into_inner()).remove(&status.jid));
    let mut status = status;
    if let (AccountState::Online, Some(Some(password))) = (status.state, typed) {
        match crate::keyring::set_password(&status.jid, &password) {
            Ok(()) => tracing::info!(account = %status.jid, "signed in; password kept in the keyring"),
            Err(e) => {
                tracing::error!(account = %status.jid, "signed in, but the password could not be kept: {}", e.message);
                status.message = Some(format!("signed in, but the password was not kept: {}", e.message));
            }
        }
    }
    let status = accounts.update(status);
    if let Err(e) = app.emit(EVENT_ACCOUNT_CHANGED, &status) {
        tracing::warn!("could not tell the window about an account: {e}");
    }
}
