//! The desk's IM accounts: each one's runner and IM service started, signed in with a kept or a
//! typed password, signed out, and its latest state kept for the window. The app gives it where
//! passwords are kept ([`Secrets`], the OS keyring), where news goes ([`Publish`], the window) and
//! the desk; the test kit gives its own, so both run the same code.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch, Notify};

use crate::api::{AccountState, AccountStatus, CommandError, DeskSnapshot, ErrorCode, FloodView, MessageView};
use crate::api::{NoteView, TypingView};
use crate::desk::AlertLevel;
use crate::service::{self, DeskAccess, Publish};
use crate::xmpp::account::{self, AccountCommand};
use crate::xmpp::AccountConfig;

/// The presence status an account shows until the desk sets its own.
pub const STATUS_TEXT: &str = "Ask a librarian";

/// Where account passwords are kept (the OS keyring in the app).
pub trait Secrets: Send + Sync + 'static {
    /// The password kept for `jid`, if one is.
    fn password(&self, jid: &str) -> Result<Option<String>, CommandError>;
    /// Fails when a password for `jid` could not be kept (checked before a typed one is tried).
    fn available(&self, jid: &str) -> Result<(), CommandError>;
    fn keep(&self, jid: &str, password: &str) -> Result<(), CommandError>;
    fn forget(&self, jid: &str) -> Result<(), CommandError>;
}

/// One account's runner and IM service, running: how to reach them.
#[derive(Clone)]
pub struct Started {
    /// Wakes the IM service after a change made elsewhere.
    pub kick: Arc<Notify>,
    /// Commands to the account runner (typing, client state).
    pub commands: mpsc::Sender<AccountCommand>,
    /// `true` signs the account out for good.
    pub stop: watch::Sender<bool>,
}

/// Starts the runner and the IM service of one account on `runtime`. The desk signs in under its
/// own resource, as every desk of a shared account must.
pub fn spawn<D: DeskAccess>(
    runtime: &Handle,
    desk: Arc<D>,
    mut cfg: AccountConfig,
    password: String,
    publish: impl Publish,
    wake: watch::Receiver<()>,
) -> Started {
    match desk.with(|d| d.resource()) {
        Some(Ok(r)) => cfg.resource = r,
        Some(Err(e)) => tracing::warn!("no resource of this desk's own, using the default: {e}"),
        None => {}
    }
    let (stop, stopped) = watch::channel(false);
    let kick = Arc::new(Notify::new());
    let (commands, commands_rx) = mpsc::channel(256);
    let (events_tx, events) = mpsc::channel(256);
    let jid = cfg.jid.clone();
    runtime.spawn(account::run(cfg, password, STATUS_TEXT.into(), events_tx, commands_rx, stopped, wake));
    runtime.spawn(service::run(desk, jid, events, commands.clone(), kick.clone(), publish));
    Started { kick, commands, stop }
}

/// The accounts of one desk.
pub struct Accounts<D, P, S> {
    desk: Arc<D>,
    publish: P,
    secrets: S,
    runtime: Handle,
    /// The library lets a typed password stand in for a keyring, for this run only.
    session_passwords: bool,
    /// Poked when the machine wakes or its network comes back: every runner checks its link.
    wake: watch::Sender<()>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    statuses: Vec<AccountStatus>,
    running: HashMap<String, Started>,
    /// How to reach each account the desk knows (policy accounts wait here for their password).
    configs: HashMap<String, AccountConfig>,
    /// Passwords typed and not yet accepted by the server: kept only once the account signs in
    /// with them, so a mistyped one is never remembered.
    unconfirmed: HashMap<String, String>,
    /// Accounts taken off this desk: the last words of their stopping runners are not shown.
    removed: HashSet<String>,
}

/// What the window says when the library's policy lets a typed password stand in for a keyring.
pub const SESSION_ONLY: &str = "no keyring on this computer: your library lets you type the password at each start; \
     it is kept in memory only until Refdesk quits";

impl<D, P, S> Accounts<D, P, S>
where
    D: DeskAccess,
    P: Publish + Sync,
    S: Secrets,
{
    pub fn new(desk: Arc<D>, publish: P, secrets: S, runtime: Handle, session_passwords: bool) -> Arc<Self> {
        Arc::new(Accounts {
            desk,
            publish,
            secrets,
            runtime,
            session_passwords,
            wake: watch::Sender::new(()),
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock must not take the accounts down with it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The switch the machine's sleep and network signals pull (see `crate::wake`).
    pub fn wake_switch(&self) -> watch::Sender<()> {
        self.wake.clone()
    }

    pub fn statuses(&self) -> Vec<AccountStatus> {
        self.state().statuses.clone()
    }

    /// Signs in each of `accounts` with its kept password, or asks for one. Reading the keyring
    /// may wait for the person to unlock it, so it happens off the caller's thread.
    pub fn start(self: &Arc<Self>, accounts: Vec<AccountConfig>) {
        for cfg in &accounts {
            self.state().configs.insert(cfg.jid.clone(), cfg.clone());
            self.report(AccountStatus::new(cfg.jid.trim(), AccountState::Connecting, None));
        }
        let me = self.clone();
        self.runtime.spawn_blocking(move || {
            for cfg in accounts {
                let jid = cfg.jid.clone();
                match me.secrets.password(&jid) {
                    Ok(Some(password)) => me.sign_in_with(cfg, password),
                    Ok(None) => me.report(AccountStatus::new(&jid, AccountState::NeedsPassword, None)),
                    Err(_) if me.session_passwords => {
                        me.report(AccountStatus::new(&jid, AccountState::NeedsPassword, Some(SESSION_ONLY.into())))
                    }
                    Err(e) => me.report(AccountStatus::new(&jid, AccountState::Failed, Some(e.message))),
                }
            }
        });
    }

    /// Signs in with a password typed by the librarian, kept once the server accepts it.
    pub fn sign_in(self: &Arc<Self>, jid: &str, password: &str) -> Result<(), CommandError> {
        let Some(cfg) = self.state().configs.get(jid).cloned() else {
            return Err(CommandError {
                code: ErrorCode::InvalidInput,
                message: format!("{jid} is not one of this desk's accounts (they come from the library's policy file)"),
            });
        };
        if password.is_empty() {
            return Err(CommandError { code: ErrorCode::InvalidInput, message: "the password is empty".into() });
        }
        // Fails early, before anything is sent, if there is nowhere to keep it afterwards (unless
        // the library allows a password for this run only: then it is simply not kept).
        match self.secrets.available(jid) {
            Ok(()) => {
                self.state().unconfirmed.insert(jid.to_owned(), password.to_owned());
            }
            Err(_) if self.session_passwords => {
                tracing::info!(account = %jid, "no keyring; the typed password is used for this run only");
            }
            Err(e) => return Err(e),
        }
        tracing::info!(account = %jid, "signing in with a typed password");
        self.sign_in_with(cfg, password.to_owned());
        Ok(())
    }

    /// A new account of this desk's own: known from now on, and signed in with `password`.
    pub fn add(self: &Arc<Self>, cfg: AccountConfig, password: &str) -> Result<(), CommandError> {
        let jid = cfg.jid.clone();
        {
            let mut state = self.state();
            state.removed.remove(&jid);
            state.configs.insert(jid.clone(), cfg);
        }
        self.report(AccountStatus::new(&jid, AccountState::NeedsPassword, None));
        self.sign_in(&jid, password)
    }

    /// Signs an account out for good and forgets it here, its password too.
    pub fn remove(&self, jid: &str) {
        let running = {
            let mut state = self.state();
            state.removed.insert(jid.to_owned());
            state.configs.remove(jid);
            state.unconfirmed.remove(jid);
            state.statuses.retain(|s| s.jid != jid);
            state.running.remove(jid)
        };
        if let Some(r) = running {
            let _ = r.stop.send(true);
        }
        if let Err(e) = self.secrets.forget(jid) {
            tracing::warn!(account = %jid, "the password could not be removed from the keyring: {}", e.message);
        }
        self.publish.status(AccountStatus::new(jid, AccountState::Removed, None));
        tracing::info!(account = %jid, "account removed from this desk");
    }

    /// Starts (or restarts) the runner and IM service of one account with `password`.
    pub fn sign_in_with(self: &Arc<Self>, cfg: AccountConfig, password: String) {
        let jid = cfg.jid.clone();
        let started =
            spawn(&self.runtime, self.desk.clone(), cfg, password, Tracked(self.clone()), self.wake.subscribe());
        if let Some(old) = self.state().running.insert(jid, started) {
            // A new password replaces a runner that may still be retrying with the old one.
            let _ = old.stop.send(true);
        }
    }

    /// Every runner checks its link now; one waiting to reconnect tries at once (as on waking).
    pub fn retry_now(&self) {
        tracing::info!("the librarian asked to reconnect now");
        self.wake.send_replace(());
    }

    /// Wakes the IM services after a desk change made from the window or the tray.
    pub fn kick(&self) {
        for r in self.state().running.values() {
            r.kick.notify_one();
        }
    }

    /// Tells the patron whether the librarian is typing. Only while the account is online: a typing
    /// state delivered after a reconnect would be stale, so it is dropped rather than queued.
    pub fn typing(&self, jid: &str, peer: &str, typing: bool) {
        let state = self.state();
        let online = state.statuses.iter().any(|s| s.jid == jid && s.state == AccountState::Online);
        if let (true, Some(r)) = (online, state.running.get(jid)) {
            let _ = r.commands.try_send(AccountCommand::Typing { to: peer.to_owned(), typing });
        }
    }

    /// Tells every account's server whether the window is shown (XEP-0352), so a desk hidden to
    /// the tray is sent what can wait (presence, typing) in batches rather than one by one.
    pub fn client_active(&self, active: bool) {
        for r in self.state().running.values() {
            let _ = r.commands.try_send(AccountCommand::ClientActive(active));
        }
    }

    /// Keeps an account's new state and tells the window. The first time an account is online
    /// with a typed password, the password is kept.
    pub fn report(&self, status: AccountStatus) {
        tracing::debug!(account = %status.jid, state = ?status.state, "account state");
        let mut status = status;
        let typed = {
            let mut state = self.state();
            if state.removed.contains(&status.jid) {
                return;
            }
            let settled = matches!(status.state, AccountState::Online | AccountState::Failed);
            if settled {
                state.unconfirmed.remove(&status.jid)
            } else {
                None
            }
        };
        if let (AccountState::Online, Some(password)) = (status.state, typed) {
            match self.secrets.keep(&status.jid, &password) {
                Ok(()) => tracing::info!(account = %status.jid, "signed in; password kept in the keyring"),
                Err(e) => {
                    tracing::error!(account = %status.jid, "signed in, but the password could not be kept: {}", e.message);
                    status.message = Some(format!("signed in, but the password was not kept: {}", e.message));
                }
            }
        }
        let status = {
            let mut state = self.state();
            status.seq = state.statuses.iter().map(|a| a.seq).max().unwrap_or(0) + 1;
            match state.statuses.iter_mut().find(|a| a.jid == status.jid) {
                Some(a) => *a = status.clone(),
                None => state.statuses.push(status.clone()),
            }
            status
        };
        self.publish.status(status);
    }

    /// Reports an account that cannot be started at all (a demo without its account, say).
    pub fn failed(&self, jid: &str, why: String) {
        self.report(AccountStatus::new(jid, AccountState::Failed, Some(why)));
    }
}

/// What an account's IM service tells: its states through [`Accounts::report`], the rest as is.
struct Tracked<D, P, S>(Arc<Accounts<D, P, S>>);

impl<D, P, S> Publish for Tracked<D, P, S>
where
    D: DeskAccess,
    P: Publish + Sync,
    S: Secrets,
{
    fn status(&self, status: AccountStatus) {
        self.0.report(status);
    }
    fn message(&self, message: MessageView) {
        self.0.publish.message(message);
    }
    fn desk(&self, snapshot: DeskSnapshot) {
        self.0.publish.desk(snapshot);
    }
    fn wait_alert(&self, peer: &str, level: AlertLevel, waited_secs: i64) {
        self.0.publish.wait_alert(peer, level, waited_secs);
    }
    fn typing(&self, typing: TypingView) {
        self.0.publish.typing(typing);
    }
    fn flooding(&self, flood: FloodView) {
        self.0.publish.flooding(flood);
    }
    fn note(&self, note: NoteView) {
        self.0.publish.note(note);
    }
}
