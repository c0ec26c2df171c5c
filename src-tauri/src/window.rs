//! The main window shown, hidden or toggled, and who is told when it is (the IM accounts' client
//! state, XEP-0352): set once at start-up, so this module needs none of the others.

use tauri::{AppHandle, Manager, Runtime};

/// Told `true` when the window is shown and `false` when it is hidden.
pub struct OnShown(Box<dyn Fn(bool) + Send + Sync>);

/// Who to tell when the window is shown or hidden.
pub fn on_shown<R: Runtime>(app: &AppHandle<R>, f: impl Fn(bool) + Send + Sync + 'static) {
    app.manage(OnShown(Box::new(f)));
}

/// The window was shown (`true`) or hidden.
pub fn shown<R: Runtime>(app: &AppHandle<R>, active: bool) {
    if let Some(f) = app.try_state::<OnShown>() {
        (f.0)(active);
    }
}

pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        shown(app, true);
    }
}

pub fn toggle_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(w) = app.get_webview_window("main") else { return };
    if w.is_visible().unwrap_or(false) {
        let _ = w.hide();
        shown(app, false);
    } else {
        show_main_window(app);
    }
}
