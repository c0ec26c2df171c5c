//! The tray icon: one icon per desk state, and a menu to change state, show the window, and quit.

use chrono::Utc;
use refdesk_core::api::{DeskSnapshot, DeskState, Presence};
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::change;

const TRAY_ID: &str = "desk";

/// What the tray needs to redraw itself on a state change.
struct TrayParts<R: Runtime> {
    tray: TrayIcon<R>,
    /// First menu item: the state in words, since Linux trays do not show tooltips.
    status: MenuItem<R>,
    walkup: MenuItem<R>,
    /// Per state, without and with the "IM waiting" badge.
    icons: [[Image<'static>; 2]; 4],
}

fn icon_index(state: DeskState) -> usize {
    match state {
        DeskState::Available => 0,
        DeskState::WithPatron => 1,
        DeskState::Away => 2,
        DeskState::Offline => 3,
    }
}

macro_rules! tray_icons {
    ($name:literal) => {
        [
            Image::from_bytes(include_bytes!(concat!("../../icons/tray-", $name, ".png")))?,
            Image::from_bytes(include_bytes!(concat!("../../icons/tray-", $name, "-waiting.png")))?,
        ]
    };
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let icons = [tray_icons!("available"), tray_icons!("with-patron"), tray_icons!("away"), tray_icons!("offline")];
    let status = MenuItem::with_id(app, "status", "Refdesk: starting…", false, None::<&str>)?;
    let walkup = MenuItem::with_id(app, "walkup", "Start walk-up patron", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, "presence:available", "Available for IM", true, None::<&str>)?,
            &MenuItem::with_id(app, "presence:away", "Away", true, None::<&str>)?,
            &MenuItem::with_id(app, "presence:offline", "Offline", true, None::<&str>)?,
            &PredefinedMenuItem::separator(app)?,
            &walkup,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, "window", "Show or hide window", true, None::<&str>)?,
            &MenuItem::with_id(app, "quit", "Quit Refdesk", true, None::<&str>)?,
        ],
    )?;
    let tray = TrayIconBuilder::with_id(TRAY_ID)
        .icon(icons[icon_index(DeskState::Offline)][0].clone())
        .tooltip("Refdesk")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu)
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                toggle_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    app.manage(TrayParts { tray, status, walkup, icons });
    Ok(())
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let result = match event.id().as_ref() {
        "presence:available" => change(app, |d| d.set_presence(Presence::Available, Utc::now())).map(drop),
        "presence:away" => change(app, |d| d.set_presence(Presence::Away, Utc::now())).map(drop),
        "presence:offline" => change(app, |d| d.set_presence(Presence::Offline, Utc::now())).map(drop),
        "walkup" => change(app, |d| {
            let now = Utc::now();
            if d.store().active_walkup()?.is_some() {
                d.end_walkup(now)
            } else {
                d.start_walkup(None, now)
            }
        })
        .map(drop),
        "window" => {
            toggle_main_window(app);
            Ok(())
        }
        "quit" => {
            tracing::info!("quit from the tray");
            app.exit(0);
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(e) = result {
        // The tray has no place for an error: show the window, where the state is visible.
        tracing::warn!("tray action failed: {}", e.message);
        show_main_window(app);
    }
}

/// Redraws icon and menu for a new desk state.
pub fn show_state<R: Runtime>(app: &AppHandle<R>, snapshot: &DeskSnapshot) {
    let Some(parts) = app.try_state::<TrayParts<R>>() else { return };
    let icon = parts.icons[icon_index(snapshot.state)][usize::from(snapshot.ims_waiting() > 0)].clone();
    let walkup_label = if snapshot.active_walkup.is_some() { "End walk-up patron" } else { "Start walk-up patron" };
    let outcome = parts
        .tray
        .set_icon(Some(icon))
        .and_then(|_| parts.tray.set_tooltip(Some(snapshot.summary())))
        .and_then(|_| parts.status.set_text(snapshot.summary()))
        .and_then(|_| parts.walkup.set_text(walkup_label))
        .and_then(|_| parts.walkup.set_enabled(true));
    if let Err(e) = outcome {
        tracing::warn!("could not update the tray: {e}");
    }
}

/// The store did not open: offline icon, walk-ups disabled, the window explains.
pub fn show_unavailable<R: Runtime>(app: &AppHandle<R>) {
    let Some(parts) = app.try_state::<TrayParts<R>>() else { return };
    let outcome = parts
        .tray
        .set_icon(Some(parts.icons[icon_index(DeskState::Offline)][0].clone()))
        .and_then(|_| parts.status.set_text("Refdesk: needs attention (open the window)"))
        .and_then(|_| parts.walkup.set_enabled(false));
    if let Err(e) = outcome {
        tracing::warn!("could not update the tray: {e}");
    }
}

pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        crate::im::client_active(app, true);
    }
}

fn toggle_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(w) = app.get_webview_window("main") else { return };
    if w.is_visible().unwrap_or(false) {
        let _ = w.hide();
        crate::im::client_active(app, false);
    } else {
        show_main_window(app);
    }
}
