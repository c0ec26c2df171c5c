//! The tray icon: one icon per desk state, and a menu to change state, show the window, and quit.

use refdesk_core::api::{CommandError, DeskSnapshot, DeskState, Presence, EVENT_DESK_CHANGED};
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::window::{show_main_window, toggle_main_window};

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

/// Builds the tray; its menu's desk actions go to `act`.
pub fn build<R: Runtime>(app: &AppHandle<R>, act: Handler<R>) -> tauri::Result<()> {
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
        .on_menu_event(move |app, event| on_menu(app, event, act))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                toggle_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    app.manage(TrayParts { tray, status, walkup, icons });
    Ok(())
}

/// What the tray's menu asks of the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Presence(Presence),
    /// Starts a walk-up, or ends the one under way.
    ToggleWalkup,
}

/// Carries out a tray action on the desk (the app gives it at start-up).
pub type Handler<R> = fn(&AppHandle<R>, Action) -> Result<(), CommandError>;

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent, act: Handler<R>) {
    let result = match event.id().as_ref() {
        "presence:available" => act(app, Action::Presence(Presence::Available)),
        "presence:away" => act(app, Action::Presence(Presence::Away)),
        "presence:offline" => act(app, Action::Presence(Presence::Offline)),
        "walkup" => act(app, Action::ToggleWalkup),
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

/// The desk's new state on screen: the tray redrawn, and the window told the new revision (it
/// fetches the snapshot itself).
pub fn announce<R: Runtime>(app: &AppHandle<R>, snapshot: &DeskSnapshot) {
    show_state(app, snapshot);
    if let Err(e) = app.emit(EVENT_DESK_CHANGED, snapshot.revision) {
        tracing::warn!("could not tell the window about a desk change: {e}");
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
