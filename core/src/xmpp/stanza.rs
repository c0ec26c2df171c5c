//! Typed stanzas: what a received message or presence says, read once from its XML (all of it
//! untrusted text from the network). The session (`session.rs`) feeds elements in and hands these
//! out; nothing here does I/O.

use super::xep::im::{self, NS_CLIENT};
use super::xep::{chatstates, delay, nick, receipts, refdesk, sid};
use super::xml::Element;

/// A chat message as received. All of it is untrusted text from the network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatMessage {
    pub from: String,
    pub to: Option<String>,
    pub id: Option<String>,
    pub kind: String,
    pub body: Option<String>,
    /// XEP-0359 origin-id set by the sender.
    pub origin_id: Option<String>,
    /// XEP-0359 stanza-ids, as (by, id): only the one set by our own server is trustworthy.
    pub stanza_ids: Vec<(String, String)>,
    /// XEP-0085: active, composing, paused, inactive, gone.
    pub chat_state: Option<String>,
    /// Set when this is a XEP-0280 copy of a message another of our resources (another desk) received or sent.
    pub carbon: Option<Carbon>,
    /// When it was sent, for a message delivered late (from the archive or offline storage, XEP-0203).
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The sender asks for a XEP-0184 receipt.
    pub receipt_request: bool,
    /// A XEP-0184 receipt: the message with this id reached the sender of this one.
    pub receipt_for: Option<String>,
    /// A result of our own archive query (history), not something delivered just now.
    pub from_archive: bool,
    /// Marked as a Refdesk desk's automatic reply (meaningful only in what our own account sent).
    pub auto_reply: bool,
    /// Its place on a managed stream (XEP-0198): handed back to `Session::stored` once the desk has
    /// it in the store, and only then acknowledged to the server.
    pub stream_seq: Option<u32>,
    /// A desk-to-desk handoff signal (another desk on this account offering or answering).
    pub handoff: Option<Box<crate::handoff::Signal>>,
    /// What the sender calls themselves (XEP-0172), if their client says.
    pub nick: Option<String>,
    /// The website chat box's visit this message belongs to (see `xmpp::web`).
    pub web: Option<Box<super::web::Visit>>,
    /// The language the words are in (`xml:lang` on the body, else on the message), checked.
    pub lang: Option<String>,
}

/// Which way the message a carbon copies went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carbon {
    /// A message to another of our resources: `from` is the patron.
    Received,
    /// A message another of our resources sent: `to` is the patron.
    Sent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceUpdate {
    pub from: String,
    pub available: bool,
    pub show: Option<String>,
    pub status: Option<String>,
    /// The Refdesk desk card another desk carries in its presence (who staffs it, their subjects).
    pub card: Option<crate::handoff::DeskCard>,
    /// With the card: whether that desk's librarian is on duty (not on a break), whatever the
    /// desk shows patrons (it shows "away" also when the desk is short-staffed).
    pub on_duty: Option<bool>,
}

/// Every parser a stanza from the server can reach, for the fuzz targets: the message as it came,
/// the message inside a carbon or an archive result, the presence. Returns what was understood.
#[cfg(feature = "fuzzing")]
pub(crate) fn parse_for_fuzzing(el: &Element) -> (Option<ChatMessage>, Vec<ChatMessage>, Option<PresenceUpdate>) {
    let inner = el
        .elements()
        .flat_map(|w| {
            let forwarded = super::xep::forward::forwarded;
            forwarded(w).into_iter().chain(w.elements().filter_map(forwarded))
        })
        .filter_map(super::xep::forward::message)
        .filter_map(parse_message)
        .collect();
    (parse_message(el), inner, parse_presence(el))
}

pub(crate) fn parse_message(el: &Element) -> Option<ChatMessage> {
    Some(ChatMessage {
        from: el.attr("from")?.to_owned(),
        to: el.attr("to").map(str::to_owned),
        id: el.attr("id").map(str::to_owned),
        kind: el.attr("type").unwrap_or("normal").to_owned(),
        body: im::body_of(el),
        origin_id: sid::origin_id_of(el),
        stanza_ids: sid::stanza_ids_of(el),
        chat_state: chatstates::state_of(el),
        carbon: None,
        sent_at: delay::stamp_of(el),
        receipt_request: receipts::requested(el),
        receipt_for: receipts::received_id(el),
        from_archive: false,
        auto_reply: refdesk::is_auto_reply(el),
        stream_seq: None,
        handoff: refdesk::handoff_of(el).map(Box::new),
        nick: nick::nick_of(el),
        web: super::web::read(el),
        lang: im::lang_of(el),
    })
}

pub(crate) fn parse_presence(el: &Element) -> Option<PresenceUpdate> {
    let from = el.attr("from")?.to_owned();
    let available = match el.attr("type") {
        None => true,
        Some("unavailable") => false,
        // Subscription requests and errors are not presence changes.
        Some(_) => return None,
    };
    let (card, on_duty) = refdesk::desk_card_of(el).map_or((None, None), |(card, duty)| (Some(card), duty));
    Some(PresenceUpdate {
        from,
        available,
        show: el.child("show", NS_CLIENT).map(|s| s.text()),
        status: el.child("status", NS_CLIENT).map(|s| s.text()),
        card,
        on_duty,
    })
}

#[cfg(test)]
mod tests {
    use super::super::xml::read_stanza;
    use super::parse_message;

    fn lang_of(xml: &str) -> Option<String> {
        parse_message(&read_stanza(xml)).unwrap().lang
    }

    #[test]
    fn the_language_is_the_body_s_else_the_message_s_and_only_a_well_formed_tag() {
        assert_eq!(
            lang_of("<message from='p@x' xml:lang='nl-BE'><body>Hoi</body></message>").as_deref(),
            Some("nl-be")
        );
        assert_eq!(
            lang_of("<message from='p@x' xml:lang='en'><body xml:lang='de'>Hallo</body></message>").as_deref(),
            Some("de")
        );
        assert_eq!(lang_of("<message from='p@x'><body>Hi</body></message>"), None);
        assert_eq!(lang_of("<message from='p@x' xml:lang='&lt;b&gt;'><body>Hi</body></message>"), None);
    }
}
