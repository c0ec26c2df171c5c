//! The shell's managed state: the open Desk (or why it could not open) and publishing its changes.

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::Utc;
use refdesk_core::api::{CommandError, ErrorCode, StartupStatus};
use refdesk_core::{Desk, Error, StoreError};

pub struct AppState {
    slot: Mutex<Slot>,
    /// The read-only side of the same database, for history and statistics: they never wait
    /// behind the desk's writes (opened once the desk has opened and migrated the file).
    history: Mutex<Option<refdesk_core::history::History>>,
    db_path: PathBuf,
    /// The library's policy alone (a fresh database has no settings of its own).
    policy: refdesk_core::desk::Policy,
    /// What the policy file locks and what it only starts a desk with.
    pub layers: refdesk_core::policy::layers::Layers,
    policy_warning: Option<String>,
    /// What notifications may say: the library's policy, with this desk's choices where allowed.
    notifications: std::sync::RwLock<refdesk_core::policy::NotificationPolicy>,
    /// The IM accounts the library's policy file lists.
    pub accounts: Vec<refdesk_core::policy::AccountPolicy>,
    statistics: refdesk_core::policy::StatisticsPolicy,
    canned: Option<Vec<refdesk_core::canned::CannedReply>>,
    glossary: refdesk_core::glossary::GlossaryPolicy,
    pseudonym_period_days: u32,
    /// Starting at login, from the library's policy file.
    pub startup: refdesk_core::policy::StartupPolicy,
    /// Where no keyring is available: refuse, or a password for this run only.
    pub keyring: refdesk_core::policy::KeyringPolicy,
    /// The library's settings a desk cannot change, in words, each marked if the policy file set
    /// it (Settings view; the others are in `layers`).
    pub library_settings: Vec<refdesk_core::policy::summary::SettingView>,
}

enum Slot {
    // Boxed: the desk (engine, policy texts) is large and lives as long as the app.
    Ready(Box<Desk>),
    /// The store could not open; the window explains and may offer a fresh start.
    Problem(StartupStatus),
}

impl AppState {
    pub fn open(db_path: PathBuf) -> AppState {
        let policy_path = refdesk_core::policy::policy_path();
        let (loaded, policy_warning) = refdesk_core::policy::load_for_app(policy_path.as_deref());
        let refdesk_core::policy::LoadedPolicy { file, desk: policy, layers } = loaded;
        // Which keys the file sets (none when it was not used): only those show "set by your library".
        let set_keys = match (&policy_path, &policy_warning) {
            (Some(p), None) => {
                let keys = std::fs::read_to_string(p).map(|t| refdesk_core::policy::summary::keys_set(&t));
                // (A starting value in `[defaults]` is the library's too.)
                keys.unwrap_or_default().iter().map(|k| k.strip_prefix("defaults.").unwrap_or(k).to_owned()).collect()
            }
            _ => Vec::new(),
        };
        let library_settings = refdesk_core::policy::summary::summary(&file, &set_keys);
        let (mut notifications, accounts, retention, statistics, canned) =
            (file.notifications, file.accounts, file.retention, file.statistics, file.canned_replies);
        let glossary = file.glossary;
        let (startup, keyring) = (file.startup, file.keyring);
        match (&policy_path, &policy_warning) {
            (_, Some(w)) => tracing::warn!("policy file not used, default desk rules apply: {w}"),
            (Some(p), None) => tracing::info!(policy = %p.display(), "desk policy loaded"),
            (None, None) => tracing::info!("no policy file; default desk rules"),
        }
        let mut settings_warning = None;
        let slot = match Desk::open(&db_path) {
            Ok(mut desk) => {
                tracing::info!(db = %db_path.display(), "store opened");
                let (own, warning) = desk.policy_with_own_settings(&layers);
                if let Some(w) = &warning {
                    tracing::warn!("{w}");
                }
                settings_warning = warning;
                notifications = own.file.notifications;
                desk.set_policy(own.desk);
                desk.set_default_read_level(statistics.default_level());
                desk.set_canned_replies(canned.clone());
                desk.set_glossary_policy(glossary.clone());
                use_keyring_secret(&mut desk, retention.transcript_days);
                // What the library's retention policy no longer allows goes before anything is shown.
                if let Err(e) = desk.purge(&retention, Utc::now()) {
                    tracing::warn!("retention purge failed, will try at the next start: {e}");
                }
                // The chats under way when the app last stopped are back in line, as they were.
                if let Err(e) = desk.resume(Utc::now()) {
                    tracing::warn!("could not restore the chats under way, will on the next desk event: {e}");
                }
                Slot::Ready(Box::new(desk))
            }
            Err(e) => {
                tracing::error!(db = %db_path.display(), "store did not open: {e}");
                Slot::Problem(problem(&db_path, &e))
            }
        };
        let history = matches!(slot, Slot::Ready(_)).then(|| open_history(&db_path)).flatten();
        AppState {
            slot: Mutex::new(slot),
            history: Mutex::new(history),
            db_path,
            policy,
            layers,
            policy_warning: policy_warning.or(settings_warning),
            notifications: std::sync::RwLock::new(notifications),
            accounts,
            statistics,
            canned,
            glossary,
            pseudonym_period_days: retention.transcript_days,
            startup,
            keyring,
            library_settings,
        }
    }

    pub fn startup_status(&self) -> Result<StartupStatus, CommandError> {
        let slot = self.lock()?;
        Ok(match &*slot {
            Slot::Ready(desk) => self.ready(desk),
            Slot::Problem(p) => p.clone(),
        })
    }

    /// Sets the damaged database aside and opens an empty one. Only while the store is unusable.
    pub fn reset_store(&self) -> Result<StartupStatus, CommandError> {
        let mut slot = self.lock()?;
        if let Slot::Ready(desk) = &*slot {
            return Ok(self.ready(desk));
        }
        match Desk::open_fresh(&self.db_path, Utc::now()) {
            Ok((mut desk, _kept)) => {
                desk.set_policy(self.policy.clone());
                desk.set_default_read_level(self.statistics.default_level());
                desk.set_canned_replies(self.canned.clone());
                desk.set_glossary_policy(self.glossary.clone());
                use_keyring_secret(&mut desk, self.pseudonym_period_days);
                let status = self.ready(&desk);
                *slot = Slot::Ready(Box::new(desk));
                // The reader of the file set aside would go on reading it: read the new one.
                *self.history.lock().unwrap_or_else(|p| p.into_inner()) = open_history(&self.db_path);
                Ok(status)
            }
            Err(e) => {
                let status = problem(&self.db_path, &e);
                *slot = Slot::Problem(status);
                Err(e.into())
            }
        }
    }

    /// Runs `f` on the database's read-only side (searches, transcripts, statistics), which does
    /// not wait for the desk; unavailable while the desk's store is not open.
    pub fn with_history<T>(
        &self,
        f: impl FnOnce(&refdesk_core::history::History) -> Result<T, Error>,
    ) -> Result<T, CommandError> {
        let lock_history = || self.history.lock().unwrap_or_else(|p| p.into_inner());
        if lock_history().is_none() {
            // (A reader that failed to open before.) The desk's lock is taken only here, and never
            // while holding the reader's: `reset_store` takes them the other way round.
            let ready = matches!(&*self.lock()?, Slot::Ready(_));
            let mut history = lock_history();
            if ready && history.is_none() {
                *history = open_history(&self.db_path);
            }
        }
        let history = lock_history();
        match &*history {
            Some(h) => f(h).map_err(CommandError::from),
            None => Err(CommandError {
                code: ErrorCode::StoreUnavailable,
                message: "the desk's database is not open; see the message in the window".into(),
            }),
        }
    }

    /// Runs `f` on the open desk; a store that did not open is a typed error, not a panic.
    pub fn with_desk<T>(&self, f: impl FnOnce(&mut Desk) -> Result<T, Error>) -> Result<T, CommandError> {
        match self.with_desk_raw(f) {
            Some(result) => result.map_err(CommandError::from),
            None => Err(CommandError {
                code: ErrorCode::StoreUnavailable,
                message: "the desk's database is not open; see the message in the window".into(),
            }),
        }
    }

    /// Runs `f` on the open desk, or gives `None` while the store is unusable (the IM service's view).
    pub fn with_desk_raw<T>(&self, f: impl FnOnce(&mut Desk) -> Result<T, Error>) -> Option<Result<T, Error>> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        match &mut *slot {
            Slot::Ready(desk) => Some(f(desk)),
            Slot::Problem(_) => None,
        }
    }

    fn ready(&self, desk: &Desk) -> StartupStatus {
        let dir = self.db_path.parent().unwrap_or(&self.db_path);
        StartupStatus::Ready {
            data_dir: dir.display().to_string(),
            policy_warning: self.policy_warning.clone(),
            default_read_level: self.statistics.default_level(),
            suggested_tags: self.statistics.tags.clone(),
            // The glossary is a reading aid: without the desk's own terms, the library's still help.
            glossary: desk.glossary().unwrap_or_else(|e| {
                tracing::warn!("the desk's own glossary terms are not available: {e}");
                self.glossary.terms()
            }),
        }
    }

    /// What notifications may say now.
    pub fn notifications(&self) -> refdesk_core::policy::NotificationPolicy {
        *self.notifications.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Notifications as a change of this desk's settings left them.
    pub fn set_notifications(&self, n: refdesk_core::policy::NotificationPolicy) {
        *self.notifications.write().unwrap_or_else(|p| p.into_inner()) = n;
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Slot>, CommandError> {
        // A panic elsewhere while holding the lock must not take the desk down with it.
        Ok(self.slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// Patron pseudonyms from the keyring's secret, changing every retention period.
fn use_keyring_secret(desk: &mut Desk, period_days: u32) {
    desk.set_pseudonym_period(period_days);
    match crate::keyring::pseudonym_secret(desk) {
        Ok(secret) => desk.set_pseudonym_secret(secret),
        Err(e) => match desk.pseudonym_secret_in_keyring() {
            // The secret is there but out of reach: a secret for this session only keeps the desk
            // working; returning patrons are not recognised until the keyring is back.
            Ok(true) => match refdesk_core::privacy::new_secret() {
                Ok(s) => {
                    tracing::warn!(
                        "keyring unavailable, patron pseudonyms use a secret for this session: {}",
                        e.message
                    );
                    desk.set_pseudonym_secret(s);
                }
                Err(e) => tracing::error!("no secret for patron pseudonyms: {e}"),
            },
            // Pseudonyms still work, from a secret in the database: weaker, and said so.
            _ => tracing::warn!("patron pseudonyms use a secret kept in the database: {}", e.message),
        },
    }
}

fn problem(db_path: &std::path::Path, e: &Error) -> StartupStatus {
    let can_start_fresh = matches!(e, Error::Store(StoreError::Corrupt { .. } | StoreError::Io { .. }));
    StartupStatus::StoreProblem {
        code: e.code(),
        message: e.to_string(),
        path: db_path.display().to_string(),
        can_start_fresh,
    }
}

/// The read-only side of the database at `db`, or `None` (logged) when it cannot be opened.
fn open_history(db: &std::path::Path) -> Option<refdesk_core::history::History> {
    refdesk_core::history::History::open(db)
        .inspect_err(|e| tracing::warn!("history and statistics cannot open their own reader: {e}"))
        .ok()
}
