//! Store commands: did the database open, and starting fresh when it is damaged.

use refdesk_core::api::{CommandError, StartupStatus};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::changes::publish;
use crate::state::AppState;

#[tauri::command(async)]
pub fn startup_status(state: State<'_, AppState>) -> Result<StartupStatus, CommandError> {
    state.startup_status()
}

#[tauri::command(async)]
pub fn reset_store<R: Runtime>(app: AppHandle<R>) -> Result<StartupStatus, CommandError> {
    let status = app.state::<AppState>().reset_store()?;
    publish(&app);
    Ok(status)
}
