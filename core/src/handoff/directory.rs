//! The colleague directory of one account: the librarians in a roster group (by default
//! "Librarians") and those the library's policy lists for the account, with their live presence,
//! whichever accounts they use themselves.

use std::collections::BTreeMap;

use crate::api::DirectoryEntry;

/// The most resources (devices) kept per colleague, and the longest status text kept.
const MAX_RESOURCES: usize = 10;
const MAX_STATUS: usize = 200;

/// A librarian in the directory: from the policy (`[[accounts.directory]]`) or the roster group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryMember {
    /// Their own address (bare).
    pub jid: String,
    #[serde(default)]
    pub name: Option<String>,
    /// What they know about ("business, patents"), as the library lists it.
    #[serde(default)]
    pub subjects: String,
}

/// One device of a member: open (not away or busy), and its status text.
type Device = (bool, Option<String>);

#[derive(Debug, Default)]
pub struct Directory {
    /// Members by bare address, and their devices by resource.
    members: BTreeMap<String, (DirectoryMember, BTreeMap<String, Device>)>,
}

impl Directory {
    /// The group's members as the roster now lists them; presence of those still there is kept.
    pub fn set_members(&mut self, members: &[DirectoryMember]) {
        let mut next = BTreeMap::new();
        for m in members {
            let jid = m.jid.to_lowercase();
            let seen = self.members.remove(&jid).map(|(_, r)| r).unwrap_or_default();
            next.insert(jid, (m.clone(), seen));
        }
        self.members = next;
    }

    /// A member's device came, changed or went. False (and nothing kept) for anyone else.
    pub fn presence(&mut self, from: &str, online: bool, open: bool, status: Option<&str>) -> bool {
        let (bare, resource) = from.split_once('/').unwrap_or((from, ""));
        let Some((_, resources)) = self.members.get_mut(&bare.to_lowercase()) else { return false };
        if !online {
            return resources.remove(resource).is_some();
        }
        if resources.len() >= MAX_RESOURCES && !resources.contains_key(resource) {
            return false;
        }
        let status = status.map(|s| s.chars().filter(|c| !c.is_control()).take(MAX_STATUS).collect::<String>());
        resources.insert(resource.to_owned(), (open, status.filter(|s| !s.trim().is_empty())));
        true
    }

    /// The whole connection went: nobody's presence is known any more.
    pub fn signed_out(&mut self) {
        for (_, resources) in self.members.values_mut() {
            resources.clear();
        }
    }

    /// The directory as the window lists it: open first, then online, then by name.
    pub fn entries(&self, account: &str) -> Vec<DirectoryEntry> {
        let mut out: Vec<DirectoryEntry> = self
            .members
            .iter()
            .map(|(jid, (member, resources))| {
                let open = resources.values().any(|(o, _)| *o);
                // An open device's status says most about where they are.
                let status = resources
                    .values()
                    .filter(|(o, s)| *o == open && s.is_some())
                    .find_map(|(_, s)| s.clone())
                    .unwrap_or_default();
                DirectoryEntry {
                    account: account.to_owned(),
                    jid: jid.clone(),
                    name: member.name.clone().unwrap_or_else(|| jid.split('@').next().unwrap_or(jid).to_owned()),
                    subjects: member.subjects.clone(),
                    online: !resources.is_empty(),
                    open,
                    status,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (!a.open, !a.online, a.name.to_lowercase()).cmp(&(!b.open, !b.online, b.name.to_lowercase()))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // (The roster's side of the directory is in xmpp::roster; tested here together.)
    use crate::xmpp::roster::{in_group, members};
    use crate::xmpp::RosterItem;

    fn item(jid: &str, name: Option<&str>, groups: &[&str]) -> RosterItem {
        RosterItem {
            jid: jid.into(),
            name: name.map(Into::into),
            subscription: "both".into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            pending: false,
        }
    }

    #[test]
    fn members_come_from_the_group_and_show_their_presence() {
        let roster = [
            item("maria@lib", Some("Maria"), &["Librarians"]),
            item("joost@lib", None, &["librarians", "Maps"]),
            item("patron@x", Some("Q"), &["Patrons"]),
        ];
        let members = members(&[], &roster, "Librarians");
        assert_eq!(members.len(), 2, "any case; patrons are not colleagues");
        assert!(!in_group(&roster[0], " "), "a blank group means no directory");
        let mut d = Directory::default();
        d.set_members(&members);
        assert!(d.presence("maria@lib/phone", true, false, Some("in a meeting")));
        assert!(d.presence("joost@lib/desk", true, true, Some("maps, atlases")));
        assert!(!d.presence("patron@x/web", true, true, None), "not a member");
        let e = d.entries("ask@lib");
        assert_eq!(
            e.iter().map(|e| (e.name.as_str(), e.online, e.open, e.status.as_str())).collect::<Vec<_>>(),
            [("joost", true, true, "maps, atlases"), ("Maria", true, false, "in a meeting")]
        );
        // A second device open wins; one going leaves the other.
        d.presence("maria@lib/laptop", true, true, Some("business, patents"));
        assert_eq!((d.entries("a")[0].name.as_str(), d.entries("a")[0].status.as_str()), ("joost", "maps, atlases"));
        assert!(d.entries("a").iter().any(|e| e.name == "Maria" && e.open && e.status == "business, patents"));
        d.presence("maria@lib/laptop", false, false, None);
        d.presence("maria@lib/phone", false, false, None);
        assert!(d.entries("a").iter().any(|e| e.name == "Maria" && !e.online && !e.open));
        // Off the group: gone; a new roster keeps the presence of those still in it.
        d.set_members(&members[1..]);
        assert_eq!(d.entries("a").len(), 1);
        assert!(d.entries("a")[0].online);
        d.signed_out();
        assert!(!d.entries("a")[0].online);
    }

    #[test]
    fn the_policys_list_and_the_roster_group_make_one_directory() {
        let policy = [
            DirectoryMember { jid: "ravi@lib".into(), name: Some("Ravi".into()), subjects: "law".into() },
            DirectoryMember { jid: "maria@lib".into(), name: None, subjects: "business, patents".into() },
        ];
        let roster =
            [item("maria@lib", Some("Maria Jansen"), &["Librarians"]), item("joost@lib", None, &["Librarians"])];
        let all = members(&policy, &roster, "Librarians");
        assert_eq!(
            all.iter().map(|m| (m.jid.as_str(), m.name.as_deref(), m.subjects.as_str())).collect::<Vec<_>>(),
            [
                ("ravi@lib", Some("Ravi"), "law"),
                ("maria@lib", Some("Maria Jansen"), "business, patents"),
                ("joost@lib", None, ""),
            ]
        );
        assert_eq!(members(&policy, &roster, "").len(), 2, "no group: the policy's list alone");
        let mut d = Directory::default();
        d.set_members(&all);
        assert!(d.presence("Ravi@Lib/desk", true, true, None), "addresses in any case");
        assert_eq!(d.entries("a")[0].subjects, "law");
    }

    #[test]
    fn devices_and_status_text_are_bounded() {
        let mut d = Directory::default();
        d.set_members(&members(&[], &[item("m@l", None, &["Librarians"])], "Librarians"));
        for i in 0..MAX_RESOURCES + 5 {
            d.presence(&format!("m@l/r{i}"), true, false, Some(&"s".repeat(1000)));
        }
        assert_eq!(d.members["m@l"].1.len(), MAX_RESOURCES);
        assert_eq!(d.entries("a")[0].status.chars().count(), MAX_STATUS);
    }
}
