//! Desktop notifications: new IMs (unless their chat is in front of the librarian), and IMs left
//! waiting too long; a click on one brings the window forward with that patron's chat.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use refdesk_core::api::MessageView;
use refdesk_core::desk::AlertLevel;
use refdesk_core::notify::{BurstRole, Notice, Notifier};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// The notifier's memory (who was announced when), and which patron each notification shown
/// is about (by the daemon's id, the newest few), kept for the app's lifetime.
pub struct Notifications {
    notifier: Mutex<Notifier>,
    /// To the thread that talks to the notification daemon (see `daemon_worker`).
    to_daemon: std::sync::mpsc::Sender<Notice>,
    /// The chat the window shows, as (account, patron), if any: its messages need no notification
    /// while the window is in front; those of background tabs do.
    open: Mutex<Option<(String, String)>>,
}

/// The window shows the chat with `peer` on `account` now (none: another view, or no chat).
pub fn set_open_chat<R: Runtime>(app: &AppHandle<R>, chat: Option<(String, String)>) {
    if let Some(n) = app.try_state::<Notifications>() {
        *n.open.lock().unwrap_or_else(|p| p.into_inner()) = chat;
    }
}

/// Notifications remembered for a click; older ones open the window without choosing a chat.
/// (Only freedesktop daemons give the ids a click is matched by.)
#[cfg(all(unix, not(target_os = "macos")))]
const REMEMBERED: usize = 200;

pub fn init<R: Runtime>(app: &AppHandle<R>) {
    let policy = app.state::<AppState>().notifications();
    let shown = Arc::new(Mutex::new(VecDeque::new()));
    let (to_daemon, notices) = std::sync::mpsc::channel();
    let worker = shown.clone();
    if let Err(e) =
        std::thread::Builder::new().name("notifications".into()).spawn(move || daemon_worker(notices, worker))
    {
        tracing::warn!("desktop notifications are off: no thread for them ({e})");
    }
    app.manage(Notifications { notifier: Mutex::new(Notifier::new(policy)), to_daemon, open: Mutex::new(None) });
    listen_for_clicks(app.clone(), shown);
}

/// A click on one of our notifications brings the window to the front with that patron's chat.
#[cfg(target_os = "linux")]
fn listen_for_clicks<R: Runtime>(app: AppHandle<R>, shown: Arc<Mutex<VecDeque<(u32, String)>>>) {
    use refdesk_core::api::EVENT_OPEN_CHAT;
    use tauri::Emitter;
    tauri::async_runtime::spawn(async move {
        let conn = match zbus::Connection::session().await {
            Ok(c) => c,
            Err(e) => return tracing::info!("notifications cannot be clicked through: no session bus ({e})"),
        };
        let clicked = refdesk_core::notify::listen_clicks(&conn, |id| {
            let peer =
                shown.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(n, _)| *n == id).map(|(_, p)| p.clone());
            // Another program's notification (the daemon tells every listener) is not ours to act on.
            let Some(peer) = peer else { return };
            crate::window::show_main_window(&app);
            if let Err(e) = app.emit(EVENT_OPEN_CHAT, peer) {
                tracing::warn!("could not open the clicked chat in the window: {e}");
            }
        });
        if let Err(e) = clicked.await {
            tracing::info!("notifications cannot be clicked through: {e}");
        }
    });
}

#[cfg(not(target_os = "linux"))]
fn listen_for_clicks<R: Runtime>(_app: AppHandle<R>, _shown: Arc<Mutex<VecDeque<(u32, String)>>>) {}

/// A message was stored: announce it unless the librarian is looking at its chat.
pub fn message<R: Runtime>(app: &AppHandle<R>, m: &MessageView) {
    let Some(n) = app.try_state::<Notifications>() else { return };
    let shown = |open: &Option<(String, String)>| open.as_ref().is_some_and(|(a, p)| *a == m.account && *p == m.peer);
    if !m.incoming || window_in_front(app) && shown(&n.open.lock().unwrap_or_else(|p| p.into_inner())) {
        return;
    }
    let notice = n.notifier.lock().unwrap_or_else(|p| p.into_inner()).message(m, Utc::now());
    if let Some(notice) = notice {
        n.show(notice);
    }
}

pub fn wait_alert<R: Runtime>(app: &AppHandle<R>, peer: &str, level: AlertLevel, waited_secs: i64) {
    let Some(n) = app.try_state::<Notifications>() else { return };
    let notice = n.notifier.lock().unwrap_or_else(|p| p.into_inner()).wait_alert(peer, level, waited_secs);
    if let Some(notice) = notice {
        n.show(notice);
    }
}

impl Notifications {
    fn show(&self, notice: Notice) {
        // (Fails only if the worker is gone: said once, when it could not start.)
        let _ = self.to_daemon.send(notice);
    }
}

fn window_in_front<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window("main").is_some_and(|w| w.is_visible().unwrap_or(false) && w.is_focused().unwrap_or(false))
}

/// Shows notices one after another on a thread of its own: talking to the daemon is a blocking
/// D-Bus call, and a burst's updates must reach it in order, each replacing the notification the
/// burst started (by the id the daemon gave that one).
fn daemon_worker(notices: std::sync::mpsc::Receiver<Notice>, shown: Arc<Mutex<VecDeque<(u32, String)>>>) {
    let mut burst_id: Option<u32> = None;
    for notice in notices {
        let mut n = notify_rust::Notification::new();
        n.appname("Refdesk")
            .summary(&notice.summary)
            .body(&notice.body)
            // A click opens the patron's chat (see `listen_for_clicks`).
            .action(refdesk_core::notify::CLICK_ACTION, "Open the chat");
        // (macOS's notification centre has no urgency: a long wait is said in the words there.)
        #[cfg(not(target_os = "macos"))]
        n.urgency(if notice.urgent { notify_rust::Urgency::Critical } else { notify_rust::Urgency::Normal });
        if let (BurstRole::Grows, Some(id)) = (notice.burst, burst_id) {
            n.id(id);
        }
        match n.show() {
            // (Daemons say which notification is which on freedesktop systems; a click and a burst's
            // updates need that.)
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(handle) => {
                let id = handle.id();
                if notice.burst != BurstRole::Alone {
                    burst_id = Some(id);
                }
                let mut shown = shown.lock().unwrap_or_else(|p| p.into_inner());
                shown.retain(|(n, _)| *n != id);
                if shown.len() >= REMEMBERED {
                    shown.pop_front();
                }
                shown.push_back((id, notice.peer));
            }
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            Ok(_) => {
                let _ = (&shown, &mut burst_id);
            }
            // No daemon (a bare session) is not an error for the desk: the window and tray still show it.
            Err(e) => tracing::warn!("desktop notification not shown: {e}"),
        }
    }
}
