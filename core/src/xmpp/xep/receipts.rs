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

/// Whether `message` asks for a receipt.
pub fn requested(message: &Element) -> bool {
    message.child("request", NS).is_some()
}

/// The id of the message `message` confirms, if it is a receipt.
pub fn received_id(message: &Element) -> Option<String> {
    message.child("received", NS).and_then(|r| r.attr("id")).map(str::to_owned)
}
