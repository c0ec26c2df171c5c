//! History commands: searching the redacted transcripts and reading one.

use refdesk_core::api::{CommandError, SearchHit, TranscriptView};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn search_transcripts(
    state: State<'_, AppState>,
    query: String,
    limit: u32,
) -> Result<Vec<SearchHit>, CommandError> {
    state.with_desk(|d| d.search_transcripts(&query, limit))
}

#[tauri::command(async)]
pub fn transcript(state: State<'_, AppState>, id: i64) -> Result<TranscriptView, CommandError> {
    state.with_desk(|d| d.transcript(id))
}
