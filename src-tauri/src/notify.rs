//! Desktop notifications: new IMs while the window is not in front, and IMs left waiting too long.

use std::sync::Mutex;

use chrono::Utc;
use refdesk_core::api::MessageView;
use refdesk_core::desk::AlertLevel;
use refdesk_core::notify::{Notice, Notifier};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// The notifier's memory (who was announced when), kept for the app's lifetime.
pub struct Notifications(Mutex<Notifier>);

pub fn init<R: Runtime>(app: &AppHandle<R>) {
    let policy = app.state::<AppState>().notifications;
    app.manage(Notifications(Mutex::new(Notifier::new(policy))));
}

/// A message was stored: announce it unless the librarian is looking at the window.
pub fn message<R: Runtime>(app: &AppHandle<R>, m: &MessageView) {
    if !m.incoming || window_in_front(app) {
        return;
    }
    let Some(n) = app.try_state::<Notifications>() else { return };
    let notice = n.0.lock().unwrap_or_else(|p| p.into_inner()).message(m, Utc::now());
    if let Some(notice) = notice {
        show(notice);
    }
}

pub fn wait_alert<R: Runtime>(app: &AppHandle<R>, peer: &str, level: AlertLevel, waited_secs: i64) {
    let Some(n) = app.try_state::<Notifications>() else { return };
    let notice = n.0.lock().unwrap_or_else(|p| p.into_inner()).wait_alert(peer, level, waited_secs);
    if let Some(notice) = notice {
        show(notice);
    }
}

fn window_in_front<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window("main").is_some_and(|w| w.is_visible().unwrap_or(false) && w.is_focused().unwrap_or(false))
}

fn show(notice: Notice) {
    // Talking to the notification daemon is a blocking D-Bus call: keep it off the async runtime.
    tauri::async_runtime::spawn_blocking(move || {
        let urgency = if notice.urgent { notify_rust::Urgency::Critical } else { notify_rust::Urgency::Normal };
        let result = notify_rust::Notification::new()
            .appname("Refdesk")
            .summary(&notice.summary)
            .body(&notice.body)
            .urgency(urgency)
            .show();
        // No daemon (a bare session) is not an error for the desk: the window and tray still show it.
        if let Err(e) = result {
            tracing::warn!("desktop notification not shown: {e}");
        }
    });
}
