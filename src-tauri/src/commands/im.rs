//! IM commands: the accounts' current states.

use refdesk_core::api::{AccountStatus, CommandError};
use tauri::State;

use crate::im::Accounts;

#[tauri::command(async)]
pub fn account_statuses(accounts: State<'_, Accounts>) -> Result<Vec<AccountStatus>, CommandError> {
    Ok(accounts.statuses())
}
