//! XEP-0199, XMPP ping: is the link (or an entity) still there.

use super::im::{iq, IqType};
use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:ping";

/// A ping to the server (`to`: None) or an entity.
pub fn ping(id: &str, to: Option<&str>) -> Element {
    iq(IqType::Get, id, to).with_child(Element::new("ping", NS))
}

/// The answer to someone's ping.
pub fn pong(id: &str, to: Option<&str>) -> Element {
    iq(IqType::Result, id, to)
}
