//! XEP-0352, client state indication: whether anyone is looking at the desk.

use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:csi:0";

pub fn state(active: bool) -> Element {
    Element::new(if active { "active" } else { "inactive" }, NS)
}
