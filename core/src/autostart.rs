//! Starting Refdesk at login: the library's choice (on, off, or the librarian's) and the login
//! entry that carries it out (an XDG autostart file on Linux desktops).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Desk, Error, Result};

const USER_KEY: &str = "autostart";
const ENTRY_FILE: &str = "org.refdesk.desk.desktop";

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

/// The login entry's file: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
pub fn entry_path() -> Option<PathBuf> {
    let config =
        std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()).map(PathBuf::from).or_else(dirs::config_dir)?;
    Some(config.join("autostart").join(ENTRY_FILE))
}

/// The entry's text: starts `exe`, hidden to the tray if `hidden`.
pub fn entry_text(exe: &Path, hidden: bool) -> String {
    // Desktop-entry Exec quoting: the path in double quotes, with ", `, $ and \ escaped.
    let mut quoted = String::from("\"");
    for c in exe.to_string_lossy().chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    let args = if hidden { " --hidden" } else { "" };
    format!(
        "[Desktop Entry]\nType=Application\nName=Refdesk\nComment=Library reference desk: IM and walk-up patrons\n\
         Exec={quoted}{args}\nIcon=refdesk\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
    )
}

/// Makes the entry at `path` match `want` (written or removed). True if anything changed.
pub fn sync(path: &Path, want: bool, exe: &Path, hidden: bool) -> Result<bool> {
    let io = |what: &str, e: std::io::Error| Error::InvalidInput(format!("{what} {}: {e}", path.display()));
    if !want {
        return match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io("could not remove the login entry", e)),
        };
    }
    let text = entry_text(exe, hidden);
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io("could not make the folder for", e))?;
    }
    std::fs::write(path, text).map_err(|e| io("could not write the login entry", e))?;
    Ok(true)
}

impl Desk {
    /// The librarian's own choice about starting at login, if they made one.
    pub fn autostart_preference(&self) -> Result<Option<bool>> {
        Ok(self.store.setting(USER_KEY)?.map(|v| v == "on"))
    }

    pub fn set_autostart_preference(&mut self, enabled: bool) -> Result<()> {
        Ok(self.store.set_setting(USER_KEY, if enabled { "on" } else { "off" })?)
    }
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

    #[test]
    fn the_login_entry_is_written_once_quoted_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("autostart").join(ENTRY_FILE);
        let exe = Path::new("/opt/My \"Desk\"/refdesk");
        assert!(sync(&path, true, exe, true).unwrap(), "written");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("Exec=\"/opt/My \\\"Desk\\\"/refdesk\" --hidden\n"), "{text}");
        assert!(!sync(&path, true, exe, true).unwrap(), "already so");
        assert!(sync(&path, true, exe, false).unwrap(), "rewritten without --hidden");
        assert!(!std::fs::read_to_string(&path).unwrap().contains("--hidden"));
        assert!(sync(&path, false, exe, false).unwrap(), "removed");
        assert!(!path.exists());
        assert!(!sync(&path, false, exe, false).unwrap(), "nothing to remove");
    }
}
