//! Desk commands: the state snapshot, walk-ups, the librarian's presence, and closing chats.

use chrono::Utc;
use refdesk_core::api::{CommandError, DeskSnapshot, Presence};
use tauri::{AppHandle, Runtime, State};

use crate::state::{change, AppState};

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
pub fn close_chat<R: Runtime>(app: AppHandle<R>, peer: String) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.close_chat(&peer, Utc::now()))
}
