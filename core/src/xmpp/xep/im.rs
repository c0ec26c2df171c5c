//! RFC 6120 and 6121, the core: messages, presence, IQs and the stanza errors a client answers with.

use crate::xmpp::xml::Element;

/// A client stream's stanzas are in this namespace.
pub const NS_CLIENT: &str = "jabber:client";
pub const NS_STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";

/// What a message is (RFC 6121 5.2.2): a one-to-one chat, or a normal message (between desks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Chat,
    Normal,
}

/// A message to `to`, with `id` if given; its payload is added with `with_child`.
pub fn message(kind: MessageType, to: &str, id: Option<&str>) -> Element {
    let kind = match kind {
        MessageType::Chat => "chat",
        MessageType::Normal => "normal",
    };
    Element::new("message", NS_CLIENT).with_attr("type", kind).with_attr("to", to).with_attr_opt("id", id)
}

/// A message's text.
pub fn body(text: &str) -> Element {
    Element::new("body", NS_CLIENT).with_text(text)
}

/// An IQ request or answer (RFC 6120 8.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IqType {
    Get,
    Set,
    Result,
    Error,
}

pub fn iq(kind: IqType, id: &str, to: Option<&str>) -> Element {
    let kind = match kind {
        IqType::Get => "get",
        IqType::Set => "set",
        IqType::Result => "result",
        IqType::Error => "error",
    };
    Element::new("iq", NS_CLIENT).with_attr("type", kind).with_attr("id", id).with_attr_opt("to", to)
}

/// The error answer to a request we do not serve (RFC 6120 8.3.3.19): never silence.
pub fn service_unavailable(id: &str, to: Option<&str>) -> Element {
    let condition = Element::new("service-unavailable", NS_STANZAS);
    iq(IqType::Error, id, to)
        .with_child(Element::new("error", NS_CLIENT).with_attr("type", "cancel").with_child(condition))
}

/// What a desk shows (RFC 6121 4.7.2.1): `None` for plain available.
pub fn show(value: Option<&str>) -> Option<Element> {
    value.map(|v| Element::new("show", NS_CLIENT).with_text(v))
}

/// A presence broadcast (no `to`) or directed to `to`, with its show, status and priority.
pub fn presence(to: Option<&str>, show_value: Option<&str>, status: Option<&str>, priority: Option<u8>) -> Element {
    Element::new("presence", NS_CLIENT)
        .with_attr_opt("to", to)
        .with_children(show(show_value))
        .with_children(status.map(|s| Element::new("status", NS_CLIENT).with_text(s)))
        .with_children(priority.map(|p| Element::new("priority", NS_CLIENT).with_text(p.to_string())))
}

/// A subscription presence (RFC 6121 3): "subscribe", "subscribed", "unsubscribed".
pub fn subscription(kind: &str, to: &str) -> Element {
    Element::new("presence", NS_CLIENT).with_attr("type", kind).with_attr("to", to)
}

/// A message's text, if it has a body.
pub fn body_of(message: &Element) -> Option<String> {
    message.child("body", NS_CLIENT).map(Element::text)
}

/// The language a message's words are in: `xml:lang` on the body, else on the message; checked.
pub fn lang_of(message: &Element) -> Option<String> {
    message
        .child("body", NS_CLIENT)
        .and_then(|b| b.attr("xml:lang"))
        .or_else(|| message.attr("xml:lang"))
        .and_then(crate::desk::lang::tag)
}
