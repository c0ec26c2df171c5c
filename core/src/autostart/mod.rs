//! Starting Refdesk at login: the library's choice (on, off, or the librarian's) and the login
//! item that carries it out, the way each OS expects one: an XDG autostart entry on Linux, a
//! per-user Run value on Windows, a LaunchAgent on macOS.
//!
//! Written here rather than through Tauri's autostart plugin: its login items (auto-launch 0.6)
//! put the program's path unquoted in the Windows Run value and the Linux Exec line, so a path
//! with a space ("C:\Program Files\Refdesk") is read as "C:\Program" plus arguments, and it
//! ignores $XDG_CONFIG_HOME. Each item's text is a pure function tested on every OS; only the
//! write is per OS.

pub mod launch_agent;
pub mod windows;
pub mod xdg;

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::store::Store;
use crate::{Error, Result};

const USER_KEY: &str = "autostart";

/// What the library's policy says about starting at login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AutostartChoice {
    /// The librarian decides in the window (off until they turn it on).
    #[default]
    User,
    /// Always, and the librarian cannot turn it off.
    On,
    /// Never, and the librarian cannot turn it on.
    Off,
}

/// Starting at login, as the window shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AutostartView {
    pub enabled: bool,
    /// Set by the library's policy: shown, not changeable.
    pub locked: bool,
}

/// Whether Refdesk starts at login, given the policy and the librarian's own choice.
pub fn effective(choice: AutostartChoice, user: Option<bool>) -> AutostartView {
    match choice {
        AutostartChoice::User => AutostartView { enabled: user.unwrap_or(false), locked: false },
        AutostartChoice::On => AutostartView { enabled: true, locked: true },
        AutostartChoice::Off => AutostartView { enabled: false, locked: true },
    }
}

/// The argument that starts Refdesk hidden to the tray.
pub const HIDDEN_ARG: &str = "--hidden";

#[cfg(target_os = "macos")]
pub use launch_agent::sync_here as sync;
/// Makes this OS's login item for the program `exe` match `want` (written or removed); `hidden`
/// starts Refdesk in the tray. True if anything changed.
#[cfg(windows)]
pub use windows::sync_here as sync;
#[cfg(not(any(windows, target_os = "macos")))]
pub use xdg::sync_here as sync;

/// Writes `text` at `path` unless it is there already; true if it wrote.
fn write_if_changed(path: &Path, text: &[u8]) -> Result<bool> {
    let io = |what: &str, e: std::io::Error| Error::InvalidInput(format!("{what} {}: {e}", path.display()));
    if std::fs::read(path).is_ok_and(|t| t == text) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io("could not make the folder for", e))?;
    }
    std::fs::write(path, text).map_err(|e| io("could not write the login item", e))?;
    Ok(true)
}

/// Removes the file at `path` if it is there; true if it was.
fn remove_if_there(path: &Path) -> Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::InvalidInput(format!("could not remove the login item {}: {e}", path.display()))),
    }
}

/// The librarian's own choice about starting at login, if they made one (kept in `store`).
pub fn preference(store: &Store) -> Result<Option<bool>> {
    Ok(store.setting(USER_KEY)?.map(|v| v == "on"))
}

pub fn set_preference(store: &Store, enabled: bool) -> Result<()> {
    Ok(store.set_setting(USER_KEY, if enabled { "on" } else { "off" })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_can_decide_or_leave_it_to_the_librarian() {
        assert_eq!(effective(AutostartChoice::User, None), AutostartView { enabled: false, locked: false });
        assert_eq!(effective(AutostartChoice::User, Some(true)), AutostartView { enabled: true, locked: false });
        assert_eq!(effective(AutostartChoice::On, Some(false)), AutostartView { enabled: true, locked: true });
        assert_eq!(effective(AutostartChoice::Off, Some(true)), AutostartView { enabled: false, locked: true });
    }
}
