//! XEP-0172, user nickname: what a sender calls themselves, if their client says.

use crate::xmpp::xml::Element;

pub const NS: &str = "http://jabber.org/protocol/nick";

pub fn nick_of(stanza: &Element) -> Option<String> {
    stanza.child("nick", NS).map(Element::text)
}
