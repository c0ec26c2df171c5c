//! This desk's display preferences (text size, high contrast), kept with the desk's settings so
//! they survive a restart and belong to the librarian's profile, not to the webview's storage.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::store::Store;
use crate::{Error, Result};

const KEY: &str = "display";
/// Text sizes the window offers, in percent of the normal size.
pub const TEXT_PERCENT_MIN: u16 = 80;
pub const TEXT_PERCENT_MAX: u16 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DisplaySettings {
    /// Text size in percent of the normal size (80–200).
    pub text_percent: u16,
    /// Black and white with strong outlines, whatever the desktop's theme.
    pub high_contrast: bool,
}

impl Default for DisplaySettings {
    fn default() -> Self {
        DisplaySettings { text_percent: 100, high_contrast: false }
    }
}

/// The display preferences kept in `store`; the defaults if none were saved or the saved ones no
/// longer parse.
pub fn settings(store: &Store) -> Result<DisplaySettings> {
    let saved = store.setting(KEY)?.and_then(|j| serde_json::from_str::<DisplaySettings>(&j).ok());
    Ok(saved
        .map(|s| DisplaySettings { text_percent: s.text_percent.clamp(TEXT_PERCENT_MIN, TEXT_PERCENT_MAX), ..s })
        .unwrap_or_default())
}

/// Keeps `s` in `store` if it is within the offered range.
pub fn set_settings(store: &Store, s: DisplaySettings) -> Result<DisplaySettings> {
    if !(TEXT_PERCENT_MIN..=TEXT_PERCENT_MAX).contains(&s.text_percent) {
        return Err(Error::InvalidInput(format!(
            "the text size must be between {TEXT_PERCENT_MIN}% and {TEXT_PERCENT_MAX}%, not {}%",
            s.text_percent
        )));
    }
    let json = serde_json::to_string(&s).map_err(|e| Error::InvalidInput(format!("display settings: {e}")))?;
    store.set_setting(KEY, &json)?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Desk;

    #[test]
    fn display_settings_are_kept_checked_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        let desk = Desk::open(&path).unwrap();
        assert_eq!(settings(desk.store()).unwrap(), DisplaySettings::default());
        let big = DisplaySettings { text_percent: 150, high_contrast: true };
        assert_eq!(set_settings(desk.store(), big).unwrap(), big);
        for bad in [0, 79, 201, u16::MAX] {
            let err =
                set_settings(desk.store(), DisplaySettings { text_percent: bad, high_contrast: false }).unwrap_err();
            assert!(err.to_string().contains("between 80% and 200%"), "{err}");
        }
        drop(desk);
        let desk = Desk::open(&path).unwrap();
        assert_eq!(settings(desk.store()).unwrap(), big, "a refused change left the saved one alone");
        // A saved value from outside the range (an older version, a hand edit) is brought into it.
        desk.store().set_setting(KEY, r#"{"textPercent":900,"highContrast":false}"#).unwrap();
        assert_eq!(settings(desk.store()).unwrap().text_percent, TEXT_PERCENT_MAX);
        desk.store().set_setting(KEY, "not json").unwrap();
        assert_eq!(settings(desk.store()).unwrap(), DisplaySettings::default());
    }
}
