//! The XDG autostart entry that starts Refdesk at login on Linux desktops.

use std::path::{Path, PathBuf};

use super::{remove_if_there, write_if_changed, HIDDEN_ARG};
use crate::{Error, Result};

pub const ENTRY_FILE: &str = "org.refdesk.desk.desktop";

/// The entry's file: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`.
pub fn path() -> Option<PathBuf> {
    let config =
        std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()).map(PathBuf::from).or_else(dirs::config_dir)?;
    Some(config.join("autostart").join(ENTRY_FILE))
}

/// The entry's text: starts `exe`, hidden to the tray if `hidden`.
pub fn entry_text(exe: &Path, hidden: bool) -> String {
    // The Exec key's rules: an argument with reserved characters is quoted, and inside the quotes
    // ", `, $ and \ take a backslash; then the value's own escaping doubles every backslash, and
    // a literal % is %%. So /opt/a"b is written "/opt/a\\"b".
    let mut quoted = String::from("\"");
    for c in exe.to_string_lossy().chars() {
        match c {
            '"' | '`' | '$' => quoted.push_str("\\\\"),
            '\\' => quoted.push_str("\\\\\\"),
            '%' => quoted.push('%'),
            '\n' | '\r' | '\t' => {
                quoted.push(' ');
                continue;
            }
            _ => {}
        }
        quoted.push(c);
    }
    quoted.push('"');
    let args = if hidden { format!(" {HIDDEN_ARG}") } else { String::new() };
    format!(
        "[Desktop Entry]\nType=Application\nName=Refdesk\nComment=Library reference desk: IM and walk-up patrons\n\
         Exec={quoted}{args}\nIcon=refdesk\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
    )
}

/// Makes the entry at `path` match `want` (written or removed). True if anything changed.
pub fn sync(path: &Path, want: bool, exe: &Path, hidden: bool) -> Result<bool> {
    if want {
        write_if_changed(path, entry_text(exe, hidden).as_bytes())
    } else {
        remove_if_there(path)
    }
}

/// [`sync`] at the desktop's own place for login entries.
pub fn sync_here(want: bool, exe: &Path, hidden: bool) -> Result<bool> {
    let path = path().ok_or_else(|| Error::InvalidInput("this desktop has no folder for login entries".into()))?;
    sync(&path, want, exe, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads an Exec value back as a desktop reads it: the value's escapes, then the quoting.
    fn exec_argv(text: &str) -> Vec<String> {
        let line = text.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap();
        let mut value = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match (c, c == '\\') {
                (_, true) => value.push(chars.next().unwrap()),
                (c, false) => value.push(c),
            }
        }
        let value = value.replace("%%", "%");
        let (mut argv, mut arg, mut quoted, mut chars) = (vec![], String::new(), false, value.chars());
        while let Some(c) = chars.next() {
            match c {
                '"' => quoted = !quoted,
                '\\' if quoted => arg.push(chars.next().unwrap()),
                ' ' if !quoted => argv.push(std::mem::take(&mut arg)),
                c => arg.push(c),
            }
        }
        argv.push(arg);
        argv
    }

    #[test]
    fn the_entry_is_written_once_quoted_as_the_spec_says_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("autostart").join(ENTRY_FILE);
        let exe = Path::new("/opt/My \"Desk\" 100%/re$fdesk\\x");
        assert!(sync(&path, true, exe, true).unwrap(), "written");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(exec_argv(&text), ["/opt/My \"Desk\" 100%/re$fdesk\\x", "--hidden"], "{text}");
        assert!(!sync(&path, true, exe, true).unwrap(), "already so");
        assert!(sync(&path, true, exe, false).unwrap(), "rewritten without --hidden");
        assert_eq!(exec_argv(&std::fs::read_to_string(&path).unwrap()), ["/opt/My \"Desk\" 100%/re$fdesk\\x"]);
        assert!(sync(&path, false, exe, false).unwrap(), "removed");
        assert!(!path.exists());
        assert!(!sync(&path, false, exe, false).unwrap(), "nothing to remove");
    }
}
