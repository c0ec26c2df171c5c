//! The Tauri shell: builds the app (window, tray, commands) around refdesk-core's Desk.

mod autostart;
mod changes;
mod commands;
mod im;
mod keyring;
mod memory;
mod notify;
mod state;
mod tray;
mod webview;
mod window;

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

/// The shell's commands, registered in one place; a test checks the names against core's list
/// (what the window calls and what the build script grants).
macro_rules! commands {
    ($($module:ident::$name:ident),* $(,)?) => {
        #[cfg(test)]
        const REGISTERED: &[&str] = &[$(stringify!($name)),*];

        fn handlers<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(commands::$module::$name),*]
        }
    };
}

commands![
    store::startup_status,
    store::reset_store,
    desk::desk_snapshot,
    desk::start_walkup,
    desk::end_walkup,
    desk::set_presence,
    im::account_statuses,
    conversations::conversations,
    conversations::conversation_messages,
    conversations::send_reply,
    conversations::canned_replies,
    conversations::close_tab,
    conversations::reopen_tab,
    conversations::move_tab,
    conversations::closed_tabs,
    conversations::followups,
    conversations::answer_followup,
    im::answer_buddy,
    conversations::mark_read,
    conversations::save_draft,
    desk::close_chat,
    desk::take_next_chat,
    desk::hold_chat,
    desk::rate_walkup,
    desk::statistics,
    history::search_transcripts,
    history::transcript,
    im::sign_in,
    im::retry_now,
    im::set_typing,
    conversations::open_link,
    handoff::desk_card,
    handoff::set_desk_card,
    handoff::offer_chat,
    handoff::refer_chat,
    handoff::answer_offer,
    handoff::withdraw_offer,
    handoff::conversation_notes,
    handoff::add_note,
    desk::autostart_settings,
    desk::set_autostart,
    desk::library_settings,
    desk::display_settings,
    desk::set_display_settings,
    desk::set_glossary_term,
    desk::desk_settings,
    desk::set_desk_setting,
    im::account_settings,
    im::add_account,
    im::remove_account,
    desk::set_open_chat,
];

/// A desk action from the tray's menu, made as the window's are.
fn tray_action<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    action: tray::Action,
) -> Result<(), refdesk_core::api::CommandError> {
    let now = chrono::Utc::now();
    changes::change(app, |d| match action {
        tray::Action::Presence(p) => d.set_presence(p, now),
        tray::Action::ToggleWalkup => {
            if d.store().active_walkup()?.is_some() {
                d.end_walkup(now)
            } else {
                d.start_walkup(None, now)
            }
        }
    })
    .map(drop)
}

/// Everything but the runtime choice, so tests can drive the same app.
pub fn run_app<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Result<()> {
    builder
        // Must be first: a second launch only focuses the running desk.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("second launch: focusing the running window");
            window::show_main_window(app);
        }))
        .setup(|app| {
            let state = AppState::open(refdesk_core::paths::db_path());
            app.manage(state);
            webview::tune(app.handle());
            tray::build(app.handle(), tray_action)?;
            changes::publish(app.handle());
            notify::init(app.handle());
            im::start(app.handle());
            let handle = app.handle().clone();
            window::on_shown(app.handle(), move |active| im::client_active(&handle, active));
            if let Err(e) = autostart::apply(app.handle()) {
                tracing::warn!("login entry not updated: {}", e.message);
            }
            // Started at login with the policy's `hidden`: signed in, in the tray, no window yet.
            if !std::env::args().any(|a| a == "--hidden") {
                window::show_main_window(app.handle());
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
                    crate::window::shown(window.app_handle(), false);
                }
            }
        })
        .invoke_handler(handlers())
        .run(tauri::generate_context!())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_command_core_names_is_registered_and_no_other() {
        let mut registered = super::REGISTERED.to_vec();
        let mut named = refdesk_core::names::COMMANDS.to_vec();
        registered.sort_unstable();
        named.sort_unstable();
        assert_eq!(registered, named);
    }
}
