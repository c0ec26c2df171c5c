//! Changes to the desk made from the window or the tray: made on the desk, then shown (window
//! and tray) and handed to the IM services to send.

use chrono::Utc;
use refdesk_core::api::{CommandError, DeskSnapshot};
use refdesk_core::{Desk, Error};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// Runs a desk change and tells the window and the tray about the result.
pub fn change<R: Runtime>(
    app: &AppHandle<R>,
    f: impl FnOnce(&mut Desk) -> Result<DeskSnapshot, Error>,
) -> Result<DeskSnapshot, CommandError> {
    let snapshot = app.state::<AppState>().with_desk(f)?;
    crate::tray::announce(app, &snapshot);
    // The change may have produced actions (auto-replies, presence): let the IM service send them.
    crate::im::kick(app);
    Ok(snapshot)
}

/// Sends the current desk state to the window and the tray (after start-up or a reset).
pub fn publish<R: Runtime>(app: &AppHandle<R>) {
    match app.state::<AppState>().with_desk(|d| d.snapshot(Utc::now())) {
        Ok(s) => crate::tray::announce(app, &s),
        Err(e) => {
            tracing::warn!("desk not available: {}", e.message);
            crate::tray::show_unavailable(app);
        }
    }
}
