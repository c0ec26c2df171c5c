//! This desk's own settings: kept in its database, applied over the library's policy file.

use chrono::{DateTime, Utc};
use toml::Table;

use super::layers::{self, DeskSettingView, Layers};
use super::LoadedPolicy;
use crate::{Desk, Error, Result};

const OWN_SETTINGS_KEY: &str = "desk_settings";
/// Names the desk's own settings in errors, where a policy file would be named.
pub const OWN_SETTINGS: &str = "this desk's settings";

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
        let library = || layers.effective(&Table::new(), "policy file");
        let own = self
            .own_settings()
            .and_then(|own| layers.effective(&own, OWN_SETTINGS).map_err(|e| Error::InvalidInput(e.to_string())));
        match own {
            Ok(p) => (p, None),
            Err(e) => match library() {
                Ok(p) => (p, Some(format!("{e}; the library's settings apply until it is changed again"))),
                // (The file was checked when it was read: this does not happen.)
                Err(f) => (LoadedPolicy::default(), Some(f.to_string())),
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
        let own = self.own_settings().ok().filter(|o| layers.effective(o, OWN_SETTINGS).is_ok()).unwrap_or_default();
        let own = layers::change(layers, &own, key, value).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let loaded = layers.effective(&own, OWN_SETTINGS).map_err(|e| Error::InvalidInput(e.to_string()))?;
        self.store.set_setting(OWN_SETTINGS_KEY, &own.to_string())?;
        self.set_policy(loaded.desk.clone());
        // The rules change under chats already waiting: the engine is built again at once, so the
        // queue and the tabs show where each chat stands under them.
        self.ensure_engine(now)?;
        let views = layers::views(layers, &own, &loaded.file);
        Ok((loaded, views))
    }

    /// The settings as the window shows them.
    pub fn setting_views(&self, layers: &Layers) -> Vec<DeskSettingView> {
        let (loaded, warning) = self.policy_with_own_settings(layers);
        let own = if warning.is_none() { self.own_settings().unwrap_or_default() } else { Table::new() };
        layers::views(layers, &own, &loaded.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::Action;

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
}
