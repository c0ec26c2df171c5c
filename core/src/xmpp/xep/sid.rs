//! XEP-0359, unique and stable stanza ids: the id a message keeps on every hop.

use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:sid:0";

/// Our own id for the message, which servers and archives keep.
pub fn origin_id(id: &str) -> Element {
    Element::new("origin-id", NS).with_attr("id", id)
}
