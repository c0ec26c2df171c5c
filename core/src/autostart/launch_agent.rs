//! The LaunchAgent that starts Refdesk at login on macOS
//! (`~/Library/LaunchAgents/org.refdesk.desk.plist`).

use std::path::{Path, PathBuf};

use super::{remove_if_there, write_if_changed, HIDDEN_ARG};
use crate::{Error, Result};

pub const LABEL: &str = "org.refdesk.desk";

/// Where the agent goes for the signed-in user.
pub fn path() -> Result<PathBuf> {
    let home = dirs::home_dir().ok_or_else(|| Error::InvalidInput("no home folder for the login item".into()))?;
    Ok(home.join("Library").join("LaunchAgents").join(format!("{LABEL}.plist")))
}

/// The agent's property list: runs `exe` once at login (not kept alive: quitting Refdesk means it).
pub fn agent(exe: &Path, hidden: bool) -> Result<Vec<u8>> {
    let mut args = vec![plist::Value::String(exe.to_string_lossy().into_owned())];
    if hidden {
        args.push(plist::Value::String(HIDDEN_ARG.into()));
    }
    let mut dict = plist::Dictionary::new();
    dict.insert("Label".into(), LABEL.into());
    dict.insert("ProgramArguments".into(), plist::Value::Array(args));
    dict.insert("RunAtLoad".into(), true.into());
    dict.insert("ProcessType".into(), "Interactive".into());
    let mut out = Vec::new();
    plist::Value::Dictionary(dict)
        .to_writer_xml(&mut out)
        .map_err(|e| Error::InvalidInput(format!("could not write the login item: {e}")))?;
    Ok(out)
}

/// Makes the agent at `path` match `want` (written or removed). True if anything changed.
pub fn sync(path: &Path, want: bool, exe: &Path, hidden: bool) -> Result<bool> {
    if want {
        write_if_changed(path, &agent(exe, hidden)?)
    } else {
        remove_if_there(path)
    }
}

/// [`sync`] at the user's LaunchAgents folder.
pub fn sync_here(want: bool, exe: &Path, hidden: bool) -> Result<bool> {
    sync(&path()?, want, exe, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_runs_the_program_at_login_with_its_path_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("{LABEL}.plist"));
        let exe = Path::new("/Applications/Refdesk & Co <test>.app/Contents/MacOS/refdesk");
        assert!(sync(&path, true, exe, true).unwrap());
        let read = plist::Value::from_file(&path).unwrap();
        let dict = read.as_dictionary().unwrap();
        assert_eq!(dict.get("Label").and_then(|v| v.as_string()), Some(LABEL));
        assert_eq!(dict.get("RunAtLoad").and_then(|v| v.as_boolean()), Some(true));
        let args: Vec<&str> = dict
            .get("ProgramArguments")
            .and_then(|v| v.as_array())
            .unwrap()
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
        assert_eq!(args, [exe.to_str().unwrap(), "--hidden"]);
        assert!(!sync(&path, true, exe, true).unwrap(), "already so");
        assert!(sync(&path, false, exe, true).unwrap() && !path.exists(), "removed");
    }
}
