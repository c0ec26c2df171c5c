//! Patron pseudonyms: the secret they come from, how often they change, and erasing a patron on request.

use super::*;

impl Desk {
    /// Uses `secret` for patron pseudonyms (the shell keeps it in the OS keyring).
    pub fn set_pseudonym_secret(&mut self, secret: Vec<u8>) {
        self.pseudonym_secret = Some(secret);
    }

    /// Pseudonyms change every `days` days: the retention period, so no pseudonym outlives it.
    pub fn set_pseudonym_period(&mut self, days: u32) {
        self.pseudonym_period_days = days;
    }

    /// The pseudonym secret an older Refdesk kept in the database, to move to the keyring.
    pub fn stored_pseudonym_secret(&self) -> Result<Option<Vec<u8>>> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(self.store.setting(PSEUDONYM_KEY)?.and_then(|k| b64.decode(k).ok()))
    }

    /// Removes the pseudonym secret from the database, once it is safe elsewhere: the database
    /// alone then cannot tell which address a pseudonym stands for.
    pub fn forget_stored_pseudonym_secret(&mut self) -> Result<()> {
        self.store.atomically(|s| {
            s.delete_setting(PSEUDONYM_KEY)?;
            Ok(s.set_setting(SECRET_IN_KEYRING, "1")?)
        })
    }

    /// Whether the pseudonym secret lives in the app's keyring rather than here, so a tool reading
    /// only the database cannot turn an address into its pseudonym.
    pub fn pseudonym_secret_in_keyring(&self) -> Result<bool> {
        Ok(self.store.setting(SECRET_IN_KEYRING)?.is_some())
    }

    /// The pseudonym key for `now`'s period.
    pub(crate) fn pseudonym_key(&mut self, now: DateTime<Utc>) -> Result<Vec<u8>> {
        if self.pseudonym_secret.is_none() {
            self.pseudonym_secret = Some(pseudonym_secret(&self.store)?);
        }
        let secret = self.pseudonym_secret.as_deref().unwrap_or_default();
        Ok(privacy::period_key(secret, self.pseudonym_period_days, days_since_epoch(now)))
    }

    /// Erases everything of one patron on request, named by their pseudonym (as transcripts and
    /// `refdeskctl search` show it) or by their address. Returns (messages, transcripts) deleted.
    pub fn erase_patron(&mut self, who: &str, now: DateTime<Utc>) -> Result<(usize, usize)> {
        // Kept transcripts reach back one retention period: into this pseudonym period and the one before.
        let period = chrono::Duration::days(i64::from(self.pseudonym_period_days));
        let keys = match (self.pseudonym_key(now), self.pseudonym_key(now - period)) {
            (Ok(a), Ok(b)) => vec![a, b],
            // Without the secret (a tool that cannot reach the keyring) a pseudonym still names
            // its transcripts; which live conversation it stands for cannot be told.
            _ if who.starts_with("patron-") => Vec::new(),
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let pseudonyms: Vec<String> = if who.starts_with("patron-") {
            vec![who.to_owned()]
        } else {
            keys.iter().map(|k| privacy::pseudonym(k, who.trim())).collect()
        };
        let peers: Vec<String> = self
            .store
            .peers()?
            .into_iter()
            .filter(|p| keys.iter().any(|k| pseudonyms.contains(&privacy::pseudonym(k, p))))
            .collect();
        let counts = self.store.atomically(|s| {
            let mut total = s.erase_patron(&pseudonyms[0], &peers)?;
            for p in &pseudonyms[1..] {
                total.1 += s.erase_patron(p, &[])?.1;
            }
            Ok(total)
        })?;
        if counts.1 > 0 {
            self.store.compact_search()?;
        }
        if !self.store.checkpoint()? {
            tracing::warn!("the database's log is in use; erased rows leave it at the next checkpoint");
        }
        tracing::info!(messages = counts.0, transcripts = counts.1, "a patron's conversations erased on request");
        Ok(counts)
    }
}

pub(crate) const PSEUDONYM_KEY: &str = "pseudonym_key";

pub(crate) const SECRET_IN_KEYRING: &str = "pseudonym_secret_in_keyring";

/// The pseudonym secret kept in the store, made on first use: where no keyring is given (the
/// app moves it to the OS keyring, and pseudonyms change per retention period: see `pseudonym_key`).
pub(crate) fn pseudonym_secret(s: &Store) -> Result<Vec<u8>> {
    use base64::Engine as _;
    // Never a second secret beside the keyring's: pseudonyms would stop matching.
    if s.setting(SECRET_IN_KEYRING)?.is_some() {
        return Err(Error::InvalidInput(
            "the pseudonym secret is in the desk's keyring; this database alone cannot make pseudonyms".into(),
        ));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(k) = s.setting(PSEUDONYM_KEY)?.and_then(|k| b64.decode(k).ok()) {
        return Ok(k);
    }
    let key = privacy::new_secret()?;
    s.set_setting(PSEUDONYM_KEY, &b64.encode(&key))?;
    Ok(key)
}

pub(crate) fn days_since_epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}
