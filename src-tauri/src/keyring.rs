//! Account passwords in the OS keyring (Secret Service, Credential Manager, Keychain); nowhere else.

use refdesk_core::api::{CommandError, ErrorCode};

/// Entries are filed under the app's id, one per account address.
const SERVICE: &str = refdesk_core::paths::APP_ID;

fn entry(jid: &str) -> Result<keyring::Entry, CommandError> {
    keyring::Entry::new(SERVICE, jid).map_err(unavailable)
}

fn unavailable(e: keyring::Error) -> CommandError {
    CommandError {
        code: ErrorCode::KeyringUnavailable,
        message: format!(
            "the system keyring could not be used ({e}); Refdesk keeps passwords only there. \
             Make sure a keyring (GNOME Keyring, KWallet) runs and is unlocked, then sign in again"
        ),
    }
}

/// The stored password, or `None` when there is none yet.
pub fn password(jid: &str) -> Result<Option<String>, CommandError> {
    match entry(jid)?.get_password() {
        Ok(p) => Ok(Some(p)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

pub fn set_password(jid: &str, password: &str) -> Result<(), CommandError> {
    entry(jid)?.set_password(password).map_err(unavailable)
}
