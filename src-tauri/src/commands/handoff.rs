//! Commands between desks: who this desk is to its colleagues, offering a chat to a colleague's
//! desk or referring it to a librarian on their own account, answering or taking back an offer,
//! and internal notes on a conversation.

use chrono::Utc;
use refdesk_core::api::{CommandError, DeskSnapshot, NoteView};
use refdesk_core::handoff::DeskCard;
use tauri::{AppHandle, Runtime, State};

use crate::changes::change;
use crate::state::AppState;

#[tauri::command(async)]
pub fn desk_card(state: State<'_, AppState>) -> Result<DeskCard, CommandError> {
    state.with_desk(|d| d.desk_card())
}

/// Keeps the card and shows it to the other desks at once (in every account's presence).
#[tauri::command(async)]
pub fn set_desk_card<R: Runtime>(app: AppHandle<R>, name: String, subjects: String) -> Result<DeskCard, CommandError> {
    let card =
        tauri::Manager::state::<AppState>(&app).with_desk(|d| d.set_desk_card(&name, &subjects, chrono::Utc::now()))?;
    // The IM service tells the other desks (it compares with what it told them last).
    crate::im::kick(&app);
    Ok(card)
}

#[tauri::command(async)]
pub fn offer_chat<R: Runtime>(
    app: AppHandle<R>,
    peer: String,
    to: String,
    note: String,
) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.offer_chat(&peer, &to, &note, Utc::now()))
}

/// Refers the patron to a librarian of the directory, on their own account (see `handoff::referral`).
#[tauri::command(async)]
pub fn refer_chat<R: Runtime>(
    app: AppHandle<R>,
    peer: String,
    jid: String,
    note: String,
) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.refer_chat(&peer, &jid, &note, Utc::now()))
}

#[tauri::command(async)]
pub fn answer_offer<R: Runtime>(app: AppHandle<R>, id: String, accept: bool) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.answer_offer(&id, accept, Utc::now()))
}

#[tauri::command(async)]
pub fn withdraw_offer<R: Runtime>(app: AppHandle<R>, id: String) -> Result<DeskSnapshot, CommandError> {
    change(&app, |d| d.withdraw_offer(&id, Utc::now()))
}

#[tauri::command(async)]
pub fn conversation_notes(
    state: State<'_, AppState>,
    account: String,
    peer: String,
) -> Result<Vec<NoteView>, CommandError> {
    state.with_desk(|d| d.notes(&account, &peer))
}

/// Keeps the note and lets the IM service send it to the other desks of the account.
#[tauri::command(async)]
pub fn add_note<R: Runtime>(
    app: AppHandle<R>,
    account: String,
    peer: String,
    text: String,
) -> Result<NoteView, CommandError> {
    let note = tauri::Manager::state::<AppState>(&app).with_desk(|d| d.add_note(&account, &peer, &text, Utc::now()))?;
    crate::im::kick(&app);
    Ok(note)
}
