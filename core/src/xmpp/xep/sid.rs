//! XEP-0359, unique and stable stanza ids: the id a message keeps on every hop.

use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:sid:0";

/// Our own id for the message, which servers and archives keep.
pub fn origin_id(id: &str) -> Element {
    Element::new("origin-id", NS).with_attr("id", id)
}

/// The sender's own id for `message`.
pub fn origin_id_of(message: &Element) -> Option<String> {
    message.child("origin-id", NS).and_then(|o| o.attr("id")).map(str::to_owned)
}

/// The ids servers gave `message`, as (by, id): only our own server's can be trusted.
pub fn stanza_ids_of(message: &Element) -> Vec<(String, String)> {
    message
        .elements()
        .filter(|e| e.is("stanza-id", NS))
        .filter_map(|e| Some((e.attr("by")?.to_owned(), e.attr("id")?.to_owned())))
        .collect()
}
