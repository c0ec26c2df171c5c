//! XEP-0280, message carbons: copies of what the account's other desks send and receive.

use super::im::{iq, IqType};
use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:carbons:2";

/// Turns carbons on for this stream.
pub fn enable(id: &str) -> Element {
    iq(IqType::Set, id, None).with_child(Element::new("enable", NS))
}

/// Marks a message never to be copied to the account's other resources.
pub fn private() -> Element {
    Element::new("private", NS)
}
