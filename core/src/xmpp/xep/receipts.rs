//! XEP-0184, message delivery receipts: asking for one, and giving one.

use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:receipts";

/// Asks the recipient's client to confirm the message arrived.
pub fn request() -> Element {
    Element::new("request", NS)
}

/// Confirms message `id` arrived.
pub fn received(id: &str) -> Element {
    Element::new("received", NS).with_attr("id", id)
}
