//! The account's roster (RFC 6121 section 2): contacts with the name and groups the library gave
//! them, read from the server's answer and its pushes, within bounds.

use super::xml::Element;

pub const NS_ROSTER: &str = "jabber:iq:roster";

/// The most contacts kept from one roster: a library's shared account may have many patrons, but
/// a server (or a forged answer) sending more is not believed beyond this.
pub const MAX_ITEMS: usize = 5_000;
/// The longest name and group name kept, in characters; longer ones are cut.
const MAX_NAME: usize = 200;
/// The most groups kept per contact.
const MAX_GROUPS: usize = 20;

/// Who may see the account's presence: patrons "were adding the library screen name to their
/// buddy list … they know when we're online". The library's presence says only whether the desk
/// is open, so by default anyone who asks may see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Buddies {
    /// Anyone who asks.
    #[default]
    Everyone,
    /// Only contacts already on the account's roster (the library added them); others are refused.
    Listed,
    /// Contacts on the roster at once; anyone else is asked of the librarian at the desk.
    Ask,
}

impl Buddies {
    /// The answer to a request from someone who is (`listed`) or is not on the roster; `None`:
    /// the librarian is to answer.
    pub fn answer(self, listed: bool) -> Option<bool> {
        match self {
            Buddies::Everyone => Some(true),
            Buddies::Listed => Some(listed),
            Buddies::Ask => listed.then_some(true),
        }
    }
}

/// One contact as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterItem {
    /// The contact's bare address.
    pub jid: String,
    /// The name the library gave the contact, if any.
    pub name: Option<String>,
    /// none, to, from, both, or remove (in a push: the contact is gone).
    pub subscription: String,
    pub groups: Vec<String>,
    /// Our request to see the contact's presence awaits their answer (RFC 6121 `ask`).
    pub pending: bool,
}

impl RosterItem {
    /// This push takes the contact off the roster.
    pub fn removed(&self) -> bool {
        self.subscription == "remove"
    }
}

/// The items of a `<query xmlns='jabber:iq:roster'>`, at most `MAX_ITEMS`; items without a usable
/// address are skipped.
pub fn parse_items(query: &Element) -> Vec<RosterItem> {
    let items: Vec<RosterItem> = query.elements().filter(|e| e.is("item", NS_ROSTER)).filter_map(parse_item).collect();
    if items.len() > MAX_ITEMS {
        tracing::warn!(items = items.len(), "roster longer than {MAX_ITEMS} contacts; the rest is not kept");
    }
    items.into_iter().take(MAX_ITEMS).collect()
}

fn parse_item(item: &Element) -> Option<RosterItem> {
    let jid = item.attr("jid")?.trim();
    // A bare address: something@domain or a domain, no resource, no spaces.
    if jid.is_empty() || jid.contains('/') || jid.chars().any(char::is_whitespace) || jid.len() > 3 * 1023 {
        return None;
    }
    let name = item.attr("name").map(|n| clip(n.trim())).filter(|n| !n.is_empty());
    let mut groups: Vec<String> = Vec::new();
    for g in item.elements().filter(|e| e.is("group", NS_ROSTER)) {
        let g = clip(g.text().trim());
        if !g.is_empty() && !groups.contains(&g) && groups.len() < MAX_GROUPS {
            groups.push(g);
        }
    }
    Some(RosterItem {
        jid: jid.to_lowercase(),
        name,
        subscription: item.attr("subscription").unwrap_or("none").to_owned(),
        groups,
        pending: item.attr("ask") == Some("subscribe"),
    })
}

fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(MAX_NAME).collect()
}

/// The `<query/>` that adds or changes one contact (a roster set).
pub fn set_query(jid: &str, name: Option<&str>, groups: &[&str]) -> Element {
    let groups = groups.iter().map(|g| Element::new("group", NS_ROSTER).with_text(*g));
    let item = Element::new("item", NS_ROSTER).with_attr("jid", jid).with_attr_opt("name", name).with_children(groups);
    Element::new("query", NS_ROSTER).with_child(item)
}

/// Whether a roster contact belongs in the directory of group `group` (none when blank).
pub fn in_group(item: &RosterItem, group: &str) -> bool {
    !group.trim().is_empty() && !item.removed() && item.groups.iter().any(|g| g.eq_ignore_ascii_case(group.trim()))
}

/// The members of the directory: the policy's, then the roster group's not listed there; a
/// policy entry without a name takes the roster's.
pub fn members(
    policy: &[crate::handoff::directory::DirectoryMember],
    roster: &[RosterItem],
    group: &str,
) -> Vec<crate::handoff::directory::DirectoryMember> {
    let mut out: Vec<crate::handoff::directory::DirectoryMember> = policy.to_vec();
    for item in roster.iter().filter(|i| in_group(i, group)) {
        match out.iter_mut().find(|m| m.jid.eq_ignore_ascii_case(&item.jid)) {
            Some(m) => {
                if m.name.is_none() {
                    m.name = item.name.clone();
                }
            }
            None => out.push(crate::handoff::directory::DirectoryMember {
                jid: item.jid.clone(),
                name: item.name.clone(),
                subjects: String::new(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(xml: &str) -> Element {
        crate::xmpp::xml::read_stanza(xml)
    }

    #[test]
    fn items_keep_name_groups_and_subscription() {
        let q = query(&format!(
            "<query xmlns='{NS_ROSTER}'><item jid='Maria@Example.org' name=' Maria Jansen ' subscription='both'>\
             <group>Patrons</group><group>Patrons</group><group> </group></item>\
             <item jid='desk@library.test'/></query>"
        ));
        let items = parse_items(&q);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].jid, "maria@example.org");
        assert_eq!(items[0].name.as_deref(), Some("Maria Jansen"));
        assert_eq!(items[0].subscription, "both");
        assert_eq!(items[0].groups, vec!["Patrons".to_owned()], "duplicates and blanks dropped");
        assert_eq!(items[1].name, None);
        assert_eq!(items[1].subscription, "none");
        assert!(!items[1].removed());
    }

    #[test]
    fn unusable_items_are_skipped_and_long_ones_cut() {
        let long = "x".repeat(5_000);
        let q = query(&format!(
            "<query xmlns='{NS_ROSTER}'><item jid='a@b/res'/><item jid=''/><item name='no address'/>\
             <item jid='ok@b' name='{long}' subscription='remove'><group>{long}</group></item></query>"
        ));
        let items = parse_items(&q);
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0].name.as_ref().map(|n| n.chars().count()), Some(MAX_NAME));
        assert_eq!(items[0].groups[0].chars().count(), MAX_NAME);
        assert!(items[0].removed());
    }

    #[test]
    fn a_huge_roster_is_bounded() {
        let items: String = (0..MAX_ITEMS + 10).map(|i| format!("<item jid='p{i}@x'/>")).collect();
        let q = query(&format!("<query xmlns='{NS_ROSTER}'>{items}</query>"));
        assert_eq!(parse_items(&q).len(), MAX_ITEMS);
    }

    #[test]
    fn a_set_query_escapes_what_it_is_given() {
        let q = set_query("p@x", Some("A <b> & 'c'"), &["Pat<rons>"]);
        let parsed = parse_items(&query(&q.to_xml()));
        assert_eq!(parsed[0].name.as_deref(), Some("A <b> & 'c'"));
        assert_eq!(parsed[0].groups, vec!["Pat<rons>".to_owned()]);
    }
}
