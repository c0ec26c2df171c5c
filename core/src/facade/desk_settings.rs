//! This desk's own settings: kept in its database, applied over the library's policy file.

use chrono::{DateTime, Utc};
use toml::Table;

use crate::policy::layers::{self, DeskSettingView, Layers};
use crate::policy::{AccountPolicy, LoadedPolicy};
use crate::{Desk, Error, Result};

use crate::policy::layers::OWN_SETTINGS;

const OWN_SETTINGS_KEY: &str = "desk_settings";
const OWN_ACCOUNTS_KEY: &str = "desk_accounts";
/// A desk is one librarian's screen: a handful of accounts at most.
const MAX_OWN_ACCOUNTS: usize = 10;

impl Desk {
    /// The settings this desk changed (a policy-shaped table; empty if none).
    pub fn own_settings(&self) -> Result<Table> {
        match self.store.setting(OWN_SETTINGS_KEY)? {
            None => Ok(Table::new()),
            Some(text) => text.parse::<Table>().map_err(|e| {
                Error::InvalidInput(format!("{OWN_SETTINGS} in the database cannot be read: {}", e.message()))
            }),
        }
    }

    /// The policy this desk runs with: the library's `layers` with its own changes, or the library's
    /// alone if those no longer fit (the file changed since); then the reason, for the window.
    pub fn policy_with_own_settings(&self, layers: &Layers) -> (LoadedPolicy, Option<String>) {
        let (policy, _, warning) = self.own_settings_in_force(layers);
        (policy, warning)
    }

    /// As `policy_with_own_settings`, with the desk's own settings that are in force (none when
    /// they no longer fit), read once.
    fn own_settings_in_force(&self, layers: &Layers) -> (LoadedPolicy, Table, Option<String>) {
        let own = self.own_settings().and_then(|own| {
            let policy = layers.effective(&own, OWN_SETTINGS).map_err(|e| Error::InvalidInput(e.to_string()))?;
            Ok((policy, own))
        });
        match own {
            Ok((p, own)) => (p, own, None),
            Err(e) => match layers.effective(&Table::new(), "policy file") {
                Ok(p) => {
                    (p, Table::new(), Some(format!("{e}; the library's settings apply until it is changed again")))
                }
                // (The file was checked when it was read: this does not happen.)
                Err(f) => (LoadedPolicy::default(), Table::new(), Some(f.to_string())),
            },
        }
    }

    /// Sets the setting `key` to `value` as typed in the window (`None`: back to the library's or
    /// Refdesk's value), keeps it, and runs the desk with it from `now`. Returns the policy now in
    /// force and the settings as the window shows them.
    pub fn change_setting(
        &mut self,
        layers: &Layers,
        key: &str,
        value: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(LoadedPolicy, Vec<DeskSettingView>)> {
        // (Settings that no longer fit are not built on: the change starts from the library's.)
        let (_, own, _) = self.own_settings_in_force(layers);
        let (own, loaded) = layers::change(layers, &own, key, value).map_err(|e| Error::InvalidInput(e.to_string()))?;
        self.store.set_setting(OWN_SETTINGS_KEY, &own.to_string())?;
        self.set_policy(loaded.desk.clone());
        // The rules change under chats already waiting: the engine is built again at once, so the
        // queue and the tabs show where each chat stands under them.
        self.ensure_engine(now)?;
        let views = layers::views(layers, &own, &loaded.file);
        Ok((loaded, views))
    }

    /// The IM accounts this desk added itself (besides the library's, from its policy file).
    pub fn own_accounts(&self) -> Result<Vec<AccountPolicy>> {
        match self.store.setting(OWN_ACCOUNTS_KEY)? {
            None => Ok(Vec::new()),
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| Error::InvalidInput(format!("this desk's own accounts cannot be read: {e}"))),
        }
    }

    /// Adds an account of this desk's own, checked like one in a policy file. Refused where the
    /// library's policy file lists the accounts (that list is then the library's to decide), and
    /// for an address the desk already has. The desk's own accounts, as kept.
    pub fn add_own_account(
        &mut self,
        layers: &Layers,
        library: &[AccountPolicy],
        account: AccountPolicy,
    ) -> Result<Vec<AccountPolicy>> {
        if layers.is_locked("accounts") {
            return Err(Error::InvalidInput("your library sets this desk's IM accounts; ask them to add one".into()));
        }
        let account = AccountPolicy { jid: account.jid.trim().to_owned(), ..account };
        account.check().map_err(|(field, message)| Error::InvalidInput(format!("{field}: {message}")))?;
        let mut own = self.own_accounts()?;
        if own.iter().chain(library).any(|a| a.jid.trim().eq_ignore_ascii_case(&account.jid)) {
            return Err(Error::InvalidInput(format!("{} is already one of this desk's accounts", account.jid)));
        }
        if own.len() >= MAX_OWN_ACCOUNTS {
            return Err(Error::InvalidInput(format!("this desk has {MAX_OWN_ACCOUNTS} accounts; remove one first")));
        }
        own.push(account);
        self.keep_own_accounts(&own)?;
        Ok(own)
    }

    /// Removes an account this desk added; the library's cannot be removed here.
    pub fn remove_own_account(&mut self, jid: &str) -> Result<Vec<AccountPolicy>> {
        let mut own = self.own_accounts()?;
        let before = own.len();
        own.retain(|a| a.jid != jid);
        if own.len() == before {
            return Err(Error::InvalidInput(format!("{jid} is not an account this desk added")));
        }
        self.keep_own_accounts(&own)?;
        Ok(own)
    }

    fn keep_own_accounts(&self, own: &[AccountPolicy]) -> Result<()> {
        let json = serde_json::to_string(own).map_err(|e| Error::InvalidInput(format!("accounts: {e}")))?;
        Ok(self.store.set_setting(OWN_ACCOUNTS_KEY, &json)?)
    }

    /// The settings as the window shows them.
    pub fn setting_views(&self, layers: &Layers) -> Vec<DeskSettingView> {
        let (loaded, own, _) = self.own_settings_in_force(layers);
        layers::views(layers, &own, &loaded.file)
    }
}

#[cfg(test)]
mod tests {
    use crate::desk::Action;
    use crate::policy::layers::Layers;
    use crate::policy::*;
    use crate::Desk;
    use chrono::Utc;

    #[test]
    fn a_changed_setting_rules_the_next_chat_and_is_kept() {
        let (dir, mut desk) = crate::tests::desk();
        let layers = crate::policy::parse("[defaults.desk]\nmaxChatsPerLibrarian = 3\n", "p.toml").unwrap().layers;
        let t0 = Utc::now();
        desk.change_setting(&layers, "desk.maxChatsPerLibrarian", Some("1"), t0).unwrap();
        desk.change_setting(&layers, "desk.templates.queued", Some("You are number {position}."), t0).unwrap();
        for (i, who) in ["ann@x/r", "ben@x/r"].iter().enumerate() {
            let m = crate::tests::chat(who, &format!("m{i}"), "a question");
            desk.receive_message("ask@library.test", &m, t0 + chrono::Duration::seconds(i as i64)).unwrap();
        }
        let said: Vec<(String, String)> = desk
            .take_actions()
            .into_iter()
            .filter_map(|a| match a {
                Action::AutoReply { chat, text, .. } => Some((chat, text)),
                _ => None,
            })
            .collect();
        assert_eq!(said, [("ben@x".to_owned(), "You are number 1.".to_owned())]);
        drop(desk);
        let again = Desk::open(&dir.path().join("refdesk.db")).unwrap();
        let (p, warning) = again.policy_with_own_settings(&layers);
        assert_eq!((p.desk.max_chats, warning), (1, None));
    }

    fn account(jid: &str) -> AccountPolicy {
        crate::policy::parse(&format!("[[accounts]]\njid = \"{jid}\"\n"), "p.toml").unwrap().file.accounts.remove(0)
    }

    #[test]
    fn a_desk_adds_and_removes_its_own_accounts_unless_the_library_lists_them() {
        let (dir, mut desk) = crate::tests::desk();
        let open = Layers::default();
        let library = [account("ask@library.example")];
        let own = desk.add_own_account(&open, &library, account(" me@library.example ")).unwrap();
        assert_eq!(own.iter().map(|a| a.jid.as_str()).collect::<Vec<_>>(), ["me@library.example"]);
        for (again, why) in
            [("ME@library.example", "already"), ("ask@library.example", "already"), ("no-at-sign", "address")]
        {
            let e = desk.add_own_account(&open, &library, AccountPolicy { jid: again.into(), ..account("x@y") });
            assert!(e.unwrap_err().to_string().contains(why), "{again}");
        }
        drop(desk);
        let mut desk = Desk::open(&dir.path().join("refdesk.db")).unwrap();
        assert_eq!(desk.own_accounts().unwrap().len(), 1, "kept");
        assert!(desk.remove_own_account("ask@library.example").is_err(), "the library's stays");
        assert!(desk.remove_own_account("me@library.example").unwrap().is_empty());
        // A library that lists the accounts decides them.
        let locked = crate::policy::parse("[[accounts]]\njid = \"ask@library.example\"\n", "p.toml").unwrap().layers;
        let e = desk.add_own_account(&locked, &library, account("me@library.example")).unwrap_err();
        assert!(e.to_string().contains("your library sets"), "{e}");
    }
}
