//! The Tauri shell: builds the app (window, tray, commands) around refdesk-core's Desk.

mod autostart;
mod commands;
mod im;
mod keyring;
mod memory;
mod notify;
mod state;
mod tray;
mod webview;

use std::process::ExitCode;

use tauri::{Manager, WindowEvent};

pub use state::AppState;

/// Builds and runs the desktop app; returns when the app quits.
pub fn run() -> ExitCode {
    webview::prepare_environment();
    let log_dir = refdesk_core::paths::log_dir();
    let _log_guard = match refdesk_core::logging::init(&log_dir) {
        Ok(g) => Some(g),
        Err(e) => {
            // Without a log file the desk still works; say so once on stderr.
            eprintln!("refdesk: {e}; logging to stderr only");
            None
        }
    };
    // A panic (in a library: tao panics when GTK cannot open a display) becomes one plain line on
    // stderr and in the log, not a backtrace aimed at a librarian.
    std::panic::set_hook(Box::new(|info| {
        let msg = panic_text(info.payload());
        let at = info.location().map(|l| format!(" ({}:{})", l.file(), l.line())).unwrap_or_default();
        tracing::error!("internal error: {msg}{at}");
        eprintln!("refdesk: internal error: {msg}");
    }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_app(tauri::Builder::default())));
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            tracing::error!("Refdesk could not start: {e}");
            eprintln!("refdesk: could not start: {e}");
            ExitCode::FAILURE
        }
        Err(payload) => {
            if panic_text(payload.as_ref()).contains("initialize GTK") {
                eprintln!(
                    "refdesk: could not open a window: no usable graphical display (DISPLAY={:?}, WAYLAND_DISPLAY={:?}). \
                     Start Refdesk from a desktop session, or under xvfb-run for a headless test.",
                    std::env::var("DISPLAY").unwrap_or_default(),
                    std::env::var("WAYLAND_DISPLAY").unwrap_or_default()
                );
            }
            ExitCode::FAILURE
        }
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Everything but the runtime choice, so tests can drive the same app.
pub fn run_app<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    builder
        // Must be first: a second launch only focuses the running desk.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("second launch: focusing the running window");
            tray::show_main_window(app);
        }))
        .setup(|app| {
            let state = AppState::open(refdesk_core::paths::db_path());
            app.manage(state);
            webview::tune(app.handle());
            tray::build(app.handle())?;
            state::publish(app.handle());
            notify::init(app.handle());
            im::start(app.handle());
            if let Err(e) = autostart::apply(app.handle()) {
                tracing::warn!("login entry not updated: {}", e.message);
            }
            // Started at login with the policy's `hidden`: signed in, in the tray, no window yet.
            if !std::env::args().any(|a| a == "--hidden") {
                tray::show_main_window(app.handle());
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the desk signed in: it hides to the tray. Quit is in the tray menu.
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.label() == "main" {
                    api.prevent_close();
                    if let Err(e) = window.hide() {
                        tracing::warn!("could not hide the window: {e}");
                    }
                    im::client_active(window.app_handle(), false);
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::store::startup_status,
            commands::store::reset_store,
            commands::desk::desk_snapshot,
            commands::desk::start_walkup,
            commands::desk::end_walkup,
            commands::desk::set_presence,
            commands::im::account_statuses,
            commands::conversations::conversations,
            commands::conversations::conversation_messages,
            commands::conversations::send_reply,
            commands::conversations::canned_replies,
            commands::conversations::close_tab,
            commands::conversations::reopen_tab,
            commands::conversations::move_tab,
            commands::conversations::closed_tabs,
            commands::conversations::followups,
            commands::conversations::answer_followup,
            commands::im::answer_buddy,
            commands::conversations::mark_read,
            commands::conversations::save_draft,
            commands::desk::close_chat,
            commands::desk::take_next_chat,
            commands::desk::hold_chat,
            commands::desk::rate_walkup,
            commands::desk::statistics,
            commands::history::search_transcripts,
            commands::history::transcript,
            commands::im::sign_in,
            commands::im::retry_now,
            commands::im::set_typing,
            commands::conversations::open_link,
            commands::handoff::desk_card,
            commands::handoff::set_desk_card,
            commands::handoff::offer_chat,
            commands::handoff::refer_chat,
            commands::handoff::answer_offer,
            commands::handoff::withdraw_offer,
            commands::handoff::conversation_notes,
            commands::handoff::add_note,
            commands::desk::autostart_settings,
            commands::desk::set_autostart,
            commands::desk::library_settings,
            commands::desk::display_settings,
            commands::desk::set_display_settings,
            commands::desk::set_glossary_term,
            commands::desk::desk_settings,
            commands::desk::set_desk_setting,
            commands::im::account_settings,
            commands::im::add_account,
            commands::im::remove_account,
            commands::desk::set_open_chat,
        ])
        .run(tauri::generate_context!())
}
