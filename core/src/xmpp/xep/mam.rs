//! XEP-0313, message archive management, with the parts it uses of XEP-0004 (data forms) and
//! XEP-0059 (result set management): one page of our archive, from a time or after an archive id.

use super::im::{iq, IqType};
use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:mam:2";
pub const NS_RSM: &str = "http://jabber.org/protocol/rsm";
pub const NS_DATA: &str = "jabber:x:data";

/// One data form field with one value.
pub fn field(var: &str, kind: Option<&str>, value: &str) -> Element {
    let value = Element::new("value", NS_DATA).with_text(value);
    Element::new("field", NS_DATA).with_attr("var", var).with_attr_opt("type", kind).with_child(value)
}

/// A submitted data form of `form_type` with `fields`.
pub fn form(form_type: &str, fields: impl IntoIterator<Item = Element>) -> Element {
    Element::new("x", NS_DATA)
        .with_attr("type", "submit")
        .with_child(field("FORM_TYPE", Some("hidden"), form_type))
        .with_children(fields)
}

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
