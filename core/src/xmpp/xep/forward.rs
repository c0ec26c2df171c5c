//! XEP-0297, stanza forwarding: the message a carbon copy or an archive result wraps.

use super::im::NS_CLIENT;
use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:forward:0";

/// The `<forwarded/>` inside `wrapper`.
pub fn forwarded(wrapper: &Element) -> Option<&Element> {
    wrapper.child("forwarded", NS)
}

/// The message a `<forwarded/>` holds.
pub fn message(forwarded: &Element) -> Option<&Element> {
    forwarded.child("message", NS_CLIENT)
}
