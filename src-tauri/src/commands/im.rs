//! IM commands: the accounts' current states, signing in with a password for the keyring, and typing
//! (which claims the chat for this desk).

use refdesk_core::api::{AccountStatus, CommandError};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::im::Accounts;

#[tauri::command(async)]
pub fn account_statuses(accounts: State<'_, Accounts>) -> Result<Vec<AccountStatus>, CommandError> {
    Ok(accounts.statuses())
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
    // Typing to a patron claims the chat for this desk (the other desks see the typing); a chat
    // another desk has just taken is not claimed, and the typing is not sent.
    if typing && !app.state::<crate::state::AppState>().with_desk(|d| Ok(d.claim(&peer)))? {
        return Ok(());
    }
    crate::im::typing(&app, &account, &peer, typing);
    Ok(())
}
