//! XEP-0085, chat state notifications: whether the librarian is at the conversation or typing.

use crate::xmpp::xml::Element;

pub const NS: &str = "http://jabber.org/protocol/chatstates";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatState {
    Active,
    Composing,
    Paused,
}

pub fn state(state: ChatState) -> Element {
    let name = match state {
        ChatState::Active => "active",
        ChatState::Composing => "composing",
        ChatState::Paused => "paused",
    };
    Element::new(name, NS)
}

/// The chat state `message` carries, as its element's name (active, composing, paused, inactive,
/// gone; anything else a client sends is kept as it came, for the caller to ignore).
pub fn state_of(message: &Element) -> Option<String> {
    message.elements().find(|e| e.ns == NS).map(|e| e.name.clone())
}
