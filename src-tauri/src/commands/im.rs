//! IM commands: the accounts' current states, signing in with a password for the keyring, and typing
//! (which claims the chat for this desk).

use refdesk_core::api::{AccountEntry, AccountSettings, AccountStatus, CommandError, ErrorCode};
use tauri::{AppHandle, Manager, Runtime, State};

#[tauri::command(async)]
pub fn account_statuses<R: Runtime>(app: AppHandle<R>) -> Result<Vec<AccountStatus>, CommandError> {
    Ok(crate::im::statuses(&app))
}

/// Every account waiting to reconnect tries now instead of at its next attempt.
#[tauri::command(async)]
pub fn retry_now<R: Runtime>(app: AppHandle<R>) -> Result<(), CommandError> {
    crate::im::retry_now(&app);
    Ok(())
}

#[tauri::command(async)]
pub fn sign_in<R: Runtime>(app: AppHandle<R>, jid: String, password: String) -> Result<(), CommandError> {
    crate::im::sign_in(&app, &jid, &password)
}

#[tauri::command(async)]
pub fn set_typing<R: Runtime>(
    app: AppHandle<R>,
    account: String,
    peer: String,
    typing: bool,
) -> Result<(), CommandError> {
    let state = app.state::<crate::state::AppState>();
    if let Some(to) = state.with_desk(|d| d.typing_target(&account, &peer, typing))? {
        crate::im::typing(&app, &account, &to, typing);
    }
    Ok(())
}

/// The librarian's answer to someone asking to see when the desk is open (`buddies = "ask"`).
#[tauri::command(async)]
pub fn answer_buddy<R: Runtime>(
    app: AppHandle<R>,
    account: String,
    from: String,
    allow: bool,
) -> Result<refdesk_core::api::DeskSnapshot, CommandError> {
    let state = app.state::<crate::state::AppState>();
    let desk = state.with_desk(|d| d.answer_buddy(&account, &from, allow, chrono::Utc::now()))?;
    // The answer goes with the account's next turn: now.
    crate::im::kick(&app);
    Ok(desk)
}

/// The desk's IM accounts (the library's and its own), and whether it may add one.
#[tauri::command(async)]
pub fn account_settings(state: State<'_, crate::state::AppState>) -> Result<AccountSettings, CommandError> {
    let own = state.with_desk(|d| d.own_accounts())?;
    let mut accounts: Vec<AccountEntry> = state.accounts.iter().map(|a| AccountEntry::of(a, false)).collect();
    accounts.extend(own.iter().map(|a| AccountEntry::of(a, true)));
    Ok(AccountSettings { accounts, locked: state.layers.is_locked("accounts") })
}

/// Adds an account of this desk's own and signs it in with `password` (kept in the keyring once
/// the server accepts it).
#[tauri::command(async)]
pub fn add_account<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, crate::state::AppState>,
    account: AccountEntry,
    password: String,
) -> Result<AccountSettings, CommandError> {
    if password.is_empty() {
        return Err(CommandError { code: ErrorCode::InvalidInput, message: "the password is empty".into() });
    }
    let policy = account.to_policy();
    let own = state.with_desk(|d| d.add_own_account(&state.layers, &state.accounts, policy))?;
    let added = own.last().map(|a| a.connect_config());
    if let Some(cfg) = added {
        if let Err(e) = crate::im::add_account(&app, cfg, &password) {
            // (Kept all the same: the window shows it needs its password, with this reason.)
            tracing::warn!("account added but not signed in: {}", e.message);
        }
    }
    account_settings(state)
}

/// Takes an account this desk added off it: signed out, its password forgotten. Its
/// conversations and transcripts stay (retention decides those).
#[tauri::command(async)]
pub fn remove_account<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, crate::state::AppState>,
    jid: String,
) -> Result<AccountSettings, CommandError> {
    state.with_desk(|d| d.remove_own_account(&jid))?;
    crate::im::remove_account(&app, &jid);
    account_settings(state)
}
