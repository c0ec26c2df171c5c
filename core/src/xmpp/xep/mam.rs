//! XEP-0313, message archive management, with the part it uses of XEP-0059 (result set
//! management): one page of our archive, from a time or after an archive id.

use super::forms::{field, form};
use super::im::{iq, IqType};
use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:mam:2";
pub const NS_RSM: &str = "http://jabber.org/protocol/rsm";

/// Asks for up to `max` archived messages after archive id `after`, or, with none, since `since`;
/// `id` is both the IQ's and the query's id (results carry the query's).
pub fn query(id: &str, after: Option<&str>, since: Option<chrono::DateTime<chrono::Utc>>, max: u32) -> Element {
    let start = match (after, since) {
        (None, Some(t)) => Some(field("start", None, &t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))),
        _ => None,
    };
    let set = Element::new("set", NS_RSM)
        .with_child(Element::new("max", NS_RSM).with_text(max.to_string()))
        .with_children(after.map(|a| Element::new("after", NS_RSM).with_text(a)));
    let query = Element::new("query", NS).with_attr("queryid", id).with_child(form(NS, start)).with_child(set);
    iq(IqType::Set, id, None).with_child(query)
}
