//! Refdesk's own elements, in namespaces of its own that other clients ignore: the marker on the
//! desk rules' automatic replies, a patron's place in line, and the desk card other desks read.

use crate::xmpp::xml::Element;

/// Marks the desk rules' automatic replies, so the other desks on the account can tell them from a
/// librarian's answer.
pub const NS_AUTO_REPLY: &str = "urn:x-refdesk:auto-reply:0";
/// A patron's place in line, from the desk (see `docs/web-chat.md`).
pub const NS_PLACE: &str = "urn:x-refdesk:place:0";

pub fn auto_reply() -> Element {
    Element::new("auto-reply", NS_AUTO_REPLY)
}

/// A place in line (0: no longer waiting) and the expected wait in seconds.
pub fn place(place: u32, wait_secs: u32) -> Element {
    Element::new("place", NS_PLACE).with_attr("place", place.to_string()).with_attr("wait", wait_secs.to_string())
}

/// Who staffs this desk, for the account's other desks (`crate::handoff::NS`).
pub fn desk_card(card: &crate::handoff::DeskCard, on_duty: bool) -> Element {
    Element::new("desk", crate::handoff::NS)
        .with_attr("name", card.name.as_str())
        .with_attr("subjects", card.subjects.as_str())
        .with_attr("duty", if on_duty { "on" } else { "off" })
}

/// A handoff signal between two desks (`crate::handoff::NS`).
pub fn handoff(signal: &crate::handoff::Signal) -> Element {
    use crate::handoff::Signal;
    let el = Element::new("handoff", crate::handoff::NS).with_attr("type", signal.kind()).with_attr("id", signal.id());
    match signal {
        Signal::Offer { patron, from_name, note, .. } => el
            .with_attr("patron", patron.as_str())
            .with_attr("name", from_name.as_str())
            .with_attr("note", note.as_str()),
        // The note's words as element text: attributes lose line breaks on the way.
        Signal::Note { patron, from_name, text, .. } => {
            el.with_attr("patron", patron.as_str()).with_attr("name", from_name.as_str()).with_text(text.as_str())
        }
        Signal::FollowUpAnswered { followup, .. } => el.with_attr("followup", followup.as_str()),
        _ => el,
    }
}

/// Whether `message` is marked as a desk rule's automatic reply.
pub fn is_auto_reply(message: &Element) -> bool {
    message.child("auto-reply", NS_AUTO_REPLY).is_some()
}

/// The desk card another desk's presence carries, and whether its librarian is on duty (when it says).
pub fn desk_card_of(presence: &Element) -> Option<(crate::handoff::DeskCard, Option<bool>)> {
    let d = presence.child("desk", crate::handoff::NS)?;
    let card =
        crate::handoff::DeskCard::received(d.attr("name").unwrap_or_default(), d.attr("subjects").unwrap_or_default());
    let on_duty = match d.attr("duty") {
        Some("on") => Some(true),
        Some("off") => Some(false),
        _ => None,
    };
    Some((card, on_duty))
}

/// The handoff signal `message` carries, if it is one and makes sense.
pub fn handoff_of(message: &Element) -> Option<crate::handoff::Signal> {
    let h = message.child("handoff", crate::handoff::NS)?;
    crate::handoff::Signal::parse(|k| h.attr(k), &h.text())
}
