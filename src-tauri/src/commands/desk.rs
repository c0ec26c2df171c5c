//! Desk commands: the state snapshot, walk-ups, the librarian's presence, taking, holding, closing
//! and rating questions, and the desk's statistics.

use chrono::DateTime;
use chrono::Utc;
use refdesk_core::api::{CommandError, DeskSnapshot, Presence, Rating, Statistics};
use tauri::{AppHandle, Runtime, State};

use crate::changes::change;
use crate::state::AppState;

#[tauri::command(async)]
pub fn desk_snapshot(state: State<'_, AppState>) -> Result<DeskSnapshot, CommandError> {
    state.with_desk(|d| d.snapshot(Utc::now()))
}

#[tauri::command(async)]
pub fn start_walkup<R: Runtime>(app: AppHandle<R>, topic: Option<String>) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.start_walkup(topic.as_deref(), Utc::now()))
}

#[tauri::command(async)]
pub fn end_walkup<R: Runtime>(app: AppHandle<R>) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.end_walkup(Utc::now()))
}

#[tauri::command(async)]
pub fn set_presence<R: Runtime>(app: AppHandle<R>, presence: Presence) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.set_presence(presence, Utc::now()))
}

#[tauri::command(async)]
pub fn close_chat<R: Runtime>(app: AppHandle<R>, peer: String, rating: Rating) -> Result<DeskSnapshot, CommandError> {
    let snapshot = change(&app, |d| d.close_chat(&peer, &rating, Utc::now()))?;
    crate::memory::give_back();
    Ok(snapshot)
}

/// Takes the first chat waiting in line; answers the patron taken, if any.
#[tauri::command(async)]
pub fn take_next_chat<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>, CommandError> {
    let mut taken = None;
    change(&app, |d| {
        let (peer, snapshot) = d.take_next(Utc::now())?;
        taken = peer;
        Ok(snapshot)
    })?;
    Ok(taken)
}

/// Puts the chat with `peer` on hold (`hold`) or takes it off hold.
#[tauri::command(async)]
pub fn hold_chat<R: Runtime>(app: AppHandle<R>, peer: String, hold: bool) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.hold_chat(&peer, hold, Utc::now()))
}

#[tauri::command(async)]
pub fn rate_walkup(state: State<'_, AppState>, id: i64, rating: Rating) -> Result<(), CommandError> {
    state.with_desk(|d| d.rate_walkup(id, &rating))
}

/// Statistics for questions that started in `[from, to)`, hours and weekdays in the desk's local time.
#[tauri::command(async)]
pub fn statistics(
    state: State<'_, AppState>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Statistics, CommandError> {
    state.with_history(|h| h.statistics(from, to, &chrono::Local))
}

#[tauri::command(async)]
pub fn autostart_settings<R: Runtime>(
    app: AppHandle<R>,
) -> Result<refdesk_core::autostart::AutostartView, CommandError> {
    crate::autostart::current(&app)
}

#[tauri::command(async)]
pub fn set_autostart<R: Runtime>(
    app: AppHandle<R>,
    enabled: bool,
) -> Result<refdesk_core::autostart::AutostartView, CommandError> {
    crate::autostart::set(&app, enabled)
}

#[tauri::command(async)]
pub fn display_settings(state: State<'_, AppState>) -> Result<refdesk_core::display::DisplaySettings, CommandError> {
    state.with_desk(|d| refdesk_core::display::settings(d.store()))
}

#[tauri::command(async)]
pub fn set_display_settings(
    state: State<'_, AppState>,
    settings: refdesk_core::display::DisplaySettings,
) -> Result<refdesk_core::display::DisplaySettings, CommandError> {
    state.with_desk(|d| refdesk_core::display::set_settings(d.store(), settings))
}

/// Which chat the window shows (none: another view): its messages need no notification while
/// the window is in front.
#[tauri::command(async)]
pub fn set_open_chat<R: tauri::Runtime>(app: tauri::AppHandle<R>, account: Option<String>, peer: Option<String>) {
    crate::notify::set_open_chat(&app, account.zip(peer));
}

/// Gives a glossary term this desk's meaning (empty: hides a built-in term), or with none drops
/// it; the whole glossary as the window now explains it.
#[tauri::command(async)]
pub fn set_glossary_term(
    state: State<'_, AppState>,
    term: String,
    meaning: Option<String>,
) -> Result<Vec<refdesk_core::glossary::SlangTerm>, CommandError> {
    state.with_desk(|d| d.set_glossary_term(&term, meaning.as_deref()))
}

/// The settings this desk may change, with their values and where each comes from.
#[tauri::command(async)]
pub fn desk_settings(
    state: State<'_, AppState>,
) -> Result<Vec<refdesk_core::policy::layers::DeskSettingView>, CommandError> {
    state.with_desk(|d| Ok(d.setting_views(&state.layers)))
}

/// Sets one of this desk's settings (`None`: back to the library's or Refdesk's value); the desk
/// runs with it at once. The settings as the window now shows them.
#[tauri::command(async)]
pub fn set_desk_setting<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    key: String,
    value: Option<String>,
) -> Result<Vec<refdesk_core::policy::layers::DeskSettingView>, CommandError> {
    let mut views = Vec::new();
    let mut notifications = None;
    change(&app, |d| {
        let (loaded, v) = d.change_setting(&state.layers, &key, value.as_deref(), Utc::now())?;
        (views, notifications) = (v, Some(loaded.file.notifications));
        d.snapshot(Utc::now())
    })?;
    if let Some(n) = notifications {
        state.set_notifications(n);
    }
    tracing::info!(key, "desk setting changed");
    Ok(views)
}

/// The library's settings a desk cannot change, in words, each marked if the library's policy
/// file set it.
#[tauri::command(async)]
pub fn library_settings(
    state: State<'_, AppState>,
) -> Result<Vec<refdesk_core::policy::summary::SettingView>, CommandError> {
    Ok(state.library_settings.clone())
}
