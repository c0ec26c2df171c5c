//! Starting at login: keeps this OS's login item in step with the library's policy and the librarian's
//! choice, at every start and when the choice changes.

use refdesk_core::api::{CommandError, ErrorCode};
use refdesk_core::autostart::{self, AutostartView};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// Whether Refdesk starts at login now, and whether the library decided it.
pub fn current<R: Runtime>(app: &AppHandle<R>) -> Result<AutostartView, CommandError> {
    let state = app.state::<AppState>();
    let user = state.with_desk(|d| autostart::preference(d.store()))?;
    Ok(autostart::effective(state.startup.autostart, user))
}

/// Writes or removes this OS's login item so it matches `current` (see `refdesk_core::autostart`).
pub fn apply<R: Runtime>(app: &AppHandle<R>) -> Result<AutostartView, CommandError> {
    let view = current(app)?;
    let fail = |message: String| CommandError { code: ErrorCode::InvalidInput, message };
    let exe = std::env::current_exe().map_err(|e| fail(format!("cannot tell where Refdesk is installed: {e}")))?;
    let hidden = app.state::<AppState>().startup.hidden;
    if autostart::sync(view.enabled, &exe, hidden).map_err(CommandError::from)? {
        tracing::info!(enabled = view.enabled, "login item updated");
    }
    Ok(view)
}

/// The librarian turns starting at login on or off (refused when the library's policy decides).
pub fn set<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> Result<AutostartView, CommandError> {
    if current(app)?.locked {
        return Err(CommandError {
            code: ErrorCode::InvalidInput,
            message: "starting at login is set by your library".into(),
        });
    }
    app.state::<AppState>().with_desk(|d| autostart::set_preference(d.store(), enabled))?;
    apply(app)
}
