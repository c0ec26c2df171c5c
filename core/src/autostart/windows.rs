//! The per-user Run value that starts Refdesk at login on Windows
//! (`HKCU\Software\Microsoft\Windows\CurrentVersion\Run`, value `Refdesk`).

use std::path::Path;

use super::HIDDEN_ARG;

pub const RUN_KEY: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
pub const VALUE_NAME: &str = "Refdesk";

/// The command line Windows runs at login. The path is always quoted: unquoted, a path with a
/// space ("C:\Program Files\Refdesk\refdesk.exe") is tried as "C:\Program.exe" first.
pub fn command_line(exe: &Path, hidden: bool) -> String {
    // A Windows path cannot hold a double quote, so quoting needs no escapes; a trailing
    // backslash (never on a file's path) would escape the closing quote, so none is kept.
    let path = exe.to_string_lossy();
    let path = path.trim_end_matches('\\').replace('"', "");
    let args = if hidden { format!(" {HIDDEN_ARG}") } else { String::new() };
    format!("\"{path}\"{args}")
}

/// Makes the Run value match `want` (written or removed). True if anything changed.
#[cfg(windows)]
pub fn sync_here(want: bool, exe: &Path, hidden: bool) -> crate::Result<bool> {
    use winreg::enums::{HKEY_CURRENT_USER, KEY_READ, KEY_WRITE};

    let fail = |what: &str, e: std::io::Error| crate::Error::InvalidInput(format!("{what} HKCU\\{RUN_KEY}: {e}"));
    let hkcu = winreg::RegKey::predef(HKEY_CURRENT_USER);
    let (key, _) =
        hkcu.create_subkey_with_flags(RUN_KEY, KEY_READ | KEY_WRITE).map_err(|e| fail("could not open", e))?;
    let now: Option<String> = key.get_value(VALUE_NAME).ok();
    if !want {
        if now.is_none() {
            return Ok(false);
        }
        key.delete_value(VALUE_NAME).map_err(|e| fail("could not remove the login item from", e))?;
        return Ok(true);
    }
    let line = command_line(exe, hidden);
    if now.as_deref() == Some(line.as_str()) {
        return Ok(false);
    }
    key.set_value(VALUE_NAME, &line).map_err(|e| fail("could not write the login item to", e))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a command line as the C runtime's argv does for these cases (quotes group, no escapes).
    fn argv(line: &str) -> Vec<String> {
        let (mut out, mut arg, mut quoted) = (vec![], String::new(), false);
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ' ' if !quoted => out.push(std::mem::take(&mut arg)),
                c => arg.push(c),
            }
        }
        out.push(arg);
        out
    }

    #[test]
    fn the_run_value_names_the_program_whole_even_under_program_files() {
        let exe = Path::new(r"C:\Program Files\Refdesk\refdesk.exe");
        assert_eq!(command_line(exe, true), r#""C:\Program Files\Refdesk\refdesk.exe" --hidden"#);
        assert_eq!(argv(&command_line(exe, true)), [r"C:\Program Files\Refdesk\refdesk.exe", "--hidden"]);
        assert_eq!(argv(&command_line(exe, false)), [r"C:\Program Files\Refdesk\refdesk.exe"]);
        let user = Path::new(r"C:\Users\Ana María\AppData\Local\Refdesk\refdesk.exe");
        assert_eq!(argv(&command_line(user, false)), [user.to_str().unwrap()]);
    }
}
