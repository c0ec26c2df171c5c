//! Where Refdesk keeps its data and logs on this machine, shared by the app and refdeskctl.

use std::path::PathBuf;

/// The app identifier; the same as `identifier` in tauri.conf.json so both agree on folders.
pub const APP_ID: &str = "org.refdesk.desk";
pub const DB_FILE: &str = "refdesk.db";

/// `REFDESK_DATA_DIR` wins (demo, tests); else the platform's per-user data folder.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("REFDESK_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_ID)
}

pub fn db_path() -> PathBuf {
    data_dir().join(DB_FILE)
}

/// Logs sit beside the data when `REFDESK_DATA_DIR` is set, else in the per-user local data folder.
pub fn log_dir() -> PathBuf {
    if std::env::var_os("REFDESK_DATA_DIR").is_some_and(|d| !d.is_empty()) {
        return data_dir().join("logs");
    }
    dirs::data_local_dir().unwrap_or_else(|| PathBuf::from(".")).join(APP_ID).join("logs")
}
