//! Secrets in the OS keyring (Secret Service, Credential Manager, Keychain); nowhere else: account
//! passwords, and the secret patron pseudonyms are derived from.

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

/// Whether the keyring answers (reading `jid`'s entry); its error says what to do if not.
pub fn available(jid: &str) -> Result<(), CommandError> {
    password(jid).map(drop)
}

pub fn set_password(jid: &str, password: &str) -> Result<(), CommandError> {
    entry(jid)?.set_password(password).map_err(unavailable)
}

/// Forgets `jid`'s password (an account taken off this desk); none kept is fine.
pub fn forget_password(jid: &str) -> Result<(), CommandError> {
    match entry(jid)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

/// The keyring entry of the pseudonym secret (beside the accounts' entries).
const PSEUDONYM_SECRET: &str = "patron-pseudonym-secret";

/// The secret for patron pseudonyms, from the keyring. On first use it is made there, or moved
/// there from the database of an older Refdesk and then removed from it, so the database alone can
/// never tell which address a pseudonym stands for.
pub fn pseudonym_secret(desk: &mut refdesk_core::Desk) -> Result<Vec<u8>, CommandError> {
    let entry = entry(PSEUDONYM_SECRET)?;
    let secret = match entry.get_password() {
        Ok(hex) => from_hex(&hex).ok_or_else(|| CommandError {
            code: ErrorCode::KeyringUnavailable,
            message: "the pseudonym secret in the keyring is damaged".into(),
        })?,
        Err(keyring::Error::NoEntry) => {
            let secret = match desk.stored_pseudonym_secret()? {
                Some(old) => old,
                None => refdesk_core::privacy::new_secret()?,
            };
            entry.set_password(&to_hex(&secret)).map_err(unavailable)?;
            // Written and readable back before anything else relies on it.
            if entry.get_password().ok().and_then(|h| from_hex(&h)).as_deref() != Some(&secret[..]) {
                return Err(CommandError {
                    code: ErrorCode::KeyringUnavailable,
                    message: "the keyring did not keep the pseudonym secret".into(),
                });
            }
            secret
        }
        Err(e) => return Err(unavailable(e)),
    };
    desk.forget_stored_pseudonym_secret()?;
    Ok(secret)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_survives_its_text_form_and_damage_is_caught() {
        let secret: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&secret)), Some(secret));
        for damaged in ["", "abc", "zz", "0g"] {
            assert_eq!(from_hex(damaged), None, "{damaged:?}");
        }
    }
}
