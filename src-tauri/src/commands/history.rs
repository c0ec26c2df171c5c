//! History commands: searching the redacted transcripts and reading one (on the database's
//! read-only side: never behind the desk's writes).

use refdesk_core::api::{CommandError, SearchFilter, SearchHit, TranscriptView};
use tauri::State;

use crate::state::AppState;

#[tauri::command(async)]
pub fn search_transcripts(
    state: State<'_, AppState>,
    query: String,
    filter: Option<SearchFilter>,
    limit: u32,
) -> Result<Vec<SearchHit>, CommandError> {
    let filter = filter.unwrap_or_default();
    state.with_history(|h| h.search(&query, &filter, &chrono::Local, limit))
}

#[tauri::command(async)]
pub fn transcript(state: State<'_, AppState>, id: i64) -> Result<TranscriptView, CommandError> {
    state.with_history(|h| h.transcript(id))
}
