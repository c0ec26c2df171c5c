//! Conversation commands: the tabs (closing, reopening and moving them), a conversation's history, replies, canned replies, read marks,
//! drafts and links.

use chrono::Utc;
use refdesk_core::api::{CannedReplyView, CommandError, ConversationView, MessageView};
use tauri::{AppHandle, Runtime, State};

use crate::state::AppState;

#[tauri::command(async)]
pub fn conversations(state: State<'_, AppState>) -> Result<Vec<ConversationView>, CommandError> {
    state.with_desk(|d| d.conversations())
}

#[tauri::command(async)]
pub fn close_tab(state: State<'_, AppState>, account: String, peer: String) -> Result<(), CommandError> {
    state.with_desk(|d| d.close_tab(&account, &peer))?;
    crate::memory::give_back();
    Ok(())
}

#[tauri::command(async)]
pub fn reopen_tab(state: State<'_, AppState>, account: String, peer: String) -> Result<(), CommandError> {
    state.with_desk(|d| d.reopen_tab(&account, &peer))
}

/// Moves a tab to position `to`; answers with the tabs in their new order.
#[tauri::command(async)]
pub fn move_tab(
    state: State<'_, AppState>,
    account: String,
    peer: String,
    to: u32,
) -> Result<Vec<ConversationView>, CommandError> {
    state.with_desk(|d| d.move_tab(&account, &peer, to))
}

/// Questions left in the website's chat box while the desk was closed, oldest first.
#[tauri::command(async)]
pub fn followups(state: State<'_, AppState>) -> Result<Vec<refdesk_core::api::FollowUpView>, CommandError> {
    state.with_desk(|d| d.followups())
}

/// The librarian answered follow-up `id` by email: it leaves the list as a redacted transcript.
#[tauri::command(async)]
pub fn answer_followup(state: State<'_, AppState>, id: i64) -> Result<refdesk_core::api::DeskSnapshot, CommandError> {
    state.with_desk(|d| d.answer_followup(id, Utc::now()))
}

#[tauri::command(async)]
pub fn closed_tabs(state: State<'_, AppState>, limit: u32) -> Result<Vec<ConversationView>, CommandError> {
    state.with_desk(|d| d.closed_tabs(limit))
}

/// The ready answers the composer offers, filled in for now.
#[tauri::command(async)]
pub fn canned_replies(state: State<'_, AppState>) -> Result<Vec<CannedReplyView>, CommandError> {
    state.with_desk(|d| Ok(d.canned_replies(Utc::now())))
}

#[tauri::command(async)]
pub fn conversation_messages(
    state: State<'_, AppState>,
    account: String,
    peer: String,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<MessageView>, CommandError> {
    state.with_desk(|d| d.messages(&account, &peer, before, limit))
}

#[tauri::command(async)]
pub fn send_reply<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account: String,
    peer: String,
    body: String,
) -> Result<MessageView, CommandError> {
    let sent = state.with_desk(|d| d.reply(&account, &peer, &body, Utc::now()))?;
    // Stored as pending: the IM service sends it (now, or once the account is back).
    crate::im::kick(&app);
    Ok(sent)
}

#[tauri::command(async)]
pub fn mark_read(state: State<'_, AppState>, account: String, peer: String, upto: i64) -> Result<(), CommandError> {
    state.with_desk(|d| d.mark_read(&account, &peer, upto))
}

#[tauri::command(async)]
pub fn save_draft(
    state: State<'_, AppState>,
    account: String,
    peer: String,
    draft: String,
) -> Result<(), CommandError> {
    state.with_desk(|d| d.save_draft(&account, &peer, &draft))
}

/// Opens a link from a chat in the system's browser or mail program, after the librarian clicked
/// it; only http, https and mailto (checked by core) ever reach the system's opener.
#[tauri::command(async)]
pub fn open_link(url: String) -> Result<(), CommandError> {
    let url = refdesk_core::links::safe_link(&url)?;
    open::that_detached(&url).map_err(|e| CommandError {
        code: refdesk_core::api::ErrorCode::Internal,
        message: format!("the system could not open the link: {e}"),
    })?;
    tracing::info!("a link from a chat was opened");
    Ok(())
}
