//! Stanzas by the specification that defines them, one module each (as xmpp-parsers does): each
//! names its namespace, builds the elements Refdesk writes and reads the parts it takes from what
//! arrives, so the stream assembles parts and never writes or picks at XML by hand.

pub mod carbons;
pub mod chatstates;
pub mod csi;
pub mod delay;
pub mod forms;
pub mod forward;
pub mod hints;
pub mod im;
pub mod mam;
pub mod nick;
pub mod ping;
pub mod pubsub;
pub mod receipts;
pub mod refdesk;
pub mod sid;

#[cfg(test)]
mod tests {
    use super::chatstates::ChatState;
    use super::im::MessageType;
    use super::*;
    use crate::xmpp::stanza::parse_message;
    use crate::xmpp::xml::read_stanza;

    /// What one desk writes, another desk (or the same code on the patron's side) reads back the
    /// same, part by part.
    #[test]
    fn each_part_a_desk_writes_reads_back_as_written() {
        let written = im::message(MessageType::Chat, "patron@x/web", Some("m<1>"))
            .with_attr("from", "ask@library.test/desk")
            .with_child(im::body("Is the \"Atlas\" in? <b>&</b>"))
            .with_child(sid::origin_id("m<1>"))
            .with_child(chatstates::state(ChatState::Active))
            .with_child(receipts::request())
            .with_child(refdesk::auto_reply());
        let m = parse_message(&read_stanza(&written.to_xml())).unwrap();
        assert_eq!(m.body.as_deref(), Some("Is the \"Atlas\" in? <b>&</b>"));
        assert_eq!((m.id.as_deref(), m.origin_id.as_deref()), (Some("m<1>"), Some("m<1>")));
        assert_eq!(m.chat_state.as_deref(), Some("active"));
        assert!(m.receipt_request && m.auto_reply && m.kind == "chat");

        let receipt = im::message(MessageType::Chat, "p@x", None)
            .with_attr("from", "ask@library.test")
            .with_child(receipts::received("m<1>"));
        let r = parse_message(&read_stanza(&receipt.to_xml())).unwrap();
        assert_eq!(r.receipt_for.as_deref(), Some("m<1>"));
        assert!(!r.receipt_request && !r.auto_reply && r.body.is_none());
    }

    #[test]
    fn an_archive_query_asks_for_one_page_after_where_the_last_ended() {
        let q = read_stanza(&mam::query("q1", Some("A50"), None, 50).to_xml());
        let query = q.child("query", mam::NS).unwrap();
        assert_eq!((q.attr("type"), query.attr("queryid")), (Some("set"), Some("q1")));
        let set = query.child("set", mam::NS_RSM).unwrap();
        assert_eq!(set.child("max", mam::NS_RSM).map(|m| m.text()).as_deref(), Some("50"));
        assert_eq!(set.child("after", mam::NS_RSM).map(|m| m.text()).as_deref(), Some("A50"));
        let form = query.child("x", forms::NS).unwrap();
        assert_eq!(form.elements().count(), 1, "no start time when paging on: {form:?}");
        let since = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc();
        let first = mam::query("q2", None, Some(since), 50).to_xml();
        assert!(first.contains("<field var='start'><value>2026-12-01T10:00:00Z</value></field>"), "{first}");
    }
}
