fn main() {
    // Listing the app's commands makes each one need an explicit grant in capabilities/.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "startup_status",
        "reset_store",
        "desk_snapshot",
        "start_walkup",
        "end_walkup",
        "set_presence",
        "account_statuses",
        "conversations",
        "conversation_messages",
        "send_reply",
        "canned_replies",
        "close_tab",
        "reopen_tab",
        "move_tab",
        "closed_tabs",
        "mark_read",
        "save_draft",
        "close_chat",
        "take_next_chat",
        "hold_chat",
        "rate_walkup",
        "statistics",
        "search_transcripts",
        "transcript",
        "sign_in",
        "retry_now",
        "set_typing",
        "open_link",
        "desk_card",
        "set_desk_card",
        "offer_chat",
        "answer_offer",
        "withdraw_offer",
        "conversation_notes",
        "add_note",
        "autostart_settings",
        "set_autostart",
        "library_settings",
        "display_settings",
        "set_display_settings",
    ]);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
