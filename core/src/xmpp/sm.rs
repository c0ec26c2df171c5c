//! XEP-0198 stream management bookkeeping: which received stanzas the desk has stored (what we may
//! acknowledge), and which sent stanzas the server has not acknowledged yet (what a resumed stream
//! must send again). Pure counting, no I/O: the session writes what this decides.

use std::collections::VecDeque;

use super::xml::Element;

pub const NS_SM: &str = "urn:xmpp:sm:3";

/// Asks the server how many of our stanzas it has handled (`<r/>`).
pub fn request() -> Element {
    Element::new("r", NS_SM)
}

/// Tells the server we have handled `h` of its stanzas (`<a/>`).
pub fn ack(h: u32) -> Element {
    Element::new("a", NS_SM).with_attr("h", h.to_string())
}

/// Turns stream management on, resumable.
pub fn enable() -> Element {
    Element::new("enable", NS_SM).with_attr("resume", "true")
}

/// Resumes stream `previd`, having handled `h` of the server's stanzas.
pub fn resume(previd: &str, h: u32) -> Element {
    Element::new("resume", NS_SM).with_attr("h", h.to_string()).with_attr("previd", previd)
}

/// The most sent stanzas kept for resending (a few MB at most). Acknowledgements queue behind the
/// messages the desk has yet to read, so a busy desk legitimately has many in flight; beyond this
/// the link is treated as dead (the session reconnects and resumes) rather than letting the copy
/// grow without bound.
pub const MAX_UNACKED: usize = 10_000;

/// An acknowledgement is asked for after every message, and after this many other stanzas, so the
/// copy kept for resending stays small however chatty the desk is (presence, typing).
pub const ASK_EVERY: usize = 32;

/// One sent stanza the server has not acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outbound {
    seq: u32,
    stanza: String,
    /// The stored message this stanza carries, if it is one.
    message_id: Option<String>,
}

/// Counters of one managed stream, carried over to the next connection when it is resumed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamMgmt {
    /// The server's id for resuming this stream; `None` if it does not allow resumption.
    pub resume_id: Option<String>,
    /// Stanzas received on this stream.
    received: u32,
    /// Received messages handed to the desk and not yet confirmed stored, oldest first.
    awaiting: VecDeque<u32>,
    /// The count we last told the server, and whether it lagged behind what we had received.
    reported: u32,
    owed: bool,
    /// Stanzas sent on this stream.
    sent: u32,
    unacked: VecDeque<Outbound>,
}

/// `a` is at or before `b` in the wrapping 32-bit sequence space of XEP-0198.
fn at_or_before(a: u32, b: u32) -> bool {
    b.wrapping_sub(a) < 1 << 31
}

/// The server acknowledged more than we ever sent: it is confused or lying, and the stream cannot
/// be trusted to say what arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server has not acknowledged the last {0} stanzas")]
pub struct Unacknowledged(pub usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server acknowledged {acked} stanzas but only {sent} were sent")]
pub struct AckTooHigh {
    pub acked: u32,
    pub sent: u32,
}

impl StreamMgmt {
    pub fn new(resume_id: Option<String>) -> StreamMgmt {
        StreamMgmt { resume_id, ..StreamMgmt::default() }
    }

    /// Counts one received stanza and returns its position on the stream.
    pub fn receive(&mut self) -> u32 {
        self.received = self.received.wrapping_add(1);
        self.received
    }

    /// The stanza at `seq` is a message the desk must store before it may be acknowledged.
    pub fn hold(&mut self, seq: u32) {
        self.awaiting.push_back(seq);
    }

    /// The desk has stored everything up to and including the message at `seq`. Returns true when
    /// the server was told a lower count than we can now give (so a fresh `<a/>` is worth sending).
    pub fn stored(&mut self, seq: u32) -> bool {
        while self.awaiting.front().is_some_and(|&s| at_or_before(s, seq)) {
            self.awaiting.pop_front();
        }
        self.owed && self.handled() != self.reported
    }

    /// The `h` to acknowledge: every stanza received before the oldest message not yet stored.
    pub fn handled(&self) -> u32 {
        match self.awaiting.front() {
            Some(&oldest) => oldest.wrapping_sub(1),
            None => self.received,
        }
    }

    /// The stream is being resumed with `h = handled()`: the server sends again everything after it,
    /// and those stanzas are counted afresh, so what was received but not stored is forgotten here.
    pub fn rewind_for_resume(&mut self) {
        self.received = self.handled();
        self.reported = self.received;
        self.awaiting.clear();
        self.owed = false;
    }

    /// Records that `h` was sent to the server; returns it.
    pub fn report(&mut self) -> u32 {
        self.reported = self.handled();
        self.owed = !self.awaiting.is_empty();
        self.reported
    }

    /// Records one sent stanza, kept until the server acknowledges it; refused (nothing recorded,
    /// nothing to send) while `MAX_UNACKED` stanzas wait.
    pub fn send(&mut self, stanza: &str, message_id: Option<&str>) -> Result<(), Unacknowledged> {
        if self.unacked.len() >= MAX_UNACKED {
            return Err(Unacknowledged(self.unacked.len()));
        }
        self.sent = self.sent.wrapping_add(1);
        self.unacked.push_back(Outbound {
            seq: self.sent,
            stanza: stanza.to_owned(),
            message_id: message_id.map(str::to_owned),
        });
        Ok(())
    }

    /// Whether to ask the server for an acknowledgement now, after a stanza was sent.
    pub fn time_to_ask(&self) -> bool {
        self.unacked.len().is_multiple_of(ASK_EVERY)
    }

    /// The server has `h` of our stanzas: returns the ids of the messages that are now safely with it.
    pub fn ack(&mut self, h: u32) -> Result<Vec<String>, AckTooHigh> {
        if !at_or_before(h, self.sent) {
            return Err(AckTooHigh { acked: h, sent: self.sent });
        }
        let mut ids = Vec::new();
        while self.unacked.front().is_some_and(|o| at_or_before(o.seq, h)) {
            if let Some(id) = self.unacked.pop_front().and_then(|o| o.message_id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// What must be written again after a resume, oldest first.
    pub fn unacked_stanzas(&self) -> impl Iterator<Item = &str> {
        self.unacked.iter().map(|o| o.stanza.as_str())
    }

    /// The stream is gone for good (resumption refused): the messages it did not confirm, for the
    /// desk to send again on a new stream.
    pub fn into_unsent(self) -> Vec<String> {
        self.unacked.into_iter().filter_map(|o| o.message_id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_acknowledged_only_once_the_desk_has_stored_it() {
        let mut sm = StreamMgmt::new(Some("r1".into()));
        assert_eq!(sm.receive(), 1); // presence: handled at once
        let m = sm.receive();
        sm.hold(m);
        sm.receive(); // another presence after the message
        assert_eq!(sm.handled(), 1, "not past the message the desk has not stored");
        assert_eq!(sm.report(), 1);
        assert!(sm.stored(m), "the server was told less than we can now say");
        assert_eq!(sm.handled(), 3);
        assert_eq!(sm.report(), 3);
        assert!(!sm.stored(m), "nothing more to tell");
    }

    #[test]
    fn a_resumed_stream_counts_again_from_what_was_stored() {
        let mut sm = StreamMgmt::new(Some("r".into()));
        let a = sm.receive();
        sm.hold(a);
        sm.stored(a);
        let b = sm.receive();
        sm.hold(b); // lost with the link before the desk stored it
        sm.rewind_for_resume();
        assert_eq!(sm.handled(), 1);
        // The server sends `b` again: it gets the same place on the stream.
        assert_eq!(sm.receive(), b);
    }

    #[test]
    fn a_later_confirmation_covers_earlier_messages() {
        let mut sm = StreamMgmt::new(None);
        let a = sm.receive();
        sm.hold(a);
        let b = sm.receive();
        sm.hold(b);
        assert_eq!(sm.handled(), 0);
        sm.stored(b);
        assert_eq!(sm.handled(), 2);
    }

    #[test]
    fn acks_release_sent_messages_in_order_and_the_rest_are_resent_or_reported() {
        let mut sm = StreamMgmt::new(Some("r".into()));
        sm.send("<presence/>", None).unwrap();
        sm.send("<message id='m1'/>", Some("m1")).unwrap();
        sm.send("<message id='m2'/>", Some("m2")).unwrap();
        assert_eq!(sm.ack(2), Ok(vec!["m1".to_owned()]));
        assert_eq!(sm.ack(2), Ok(vec![]), "a repeated ack changes nothing");
        assert_eq!(sm.unacked_stanzas().collect::<Vec<_>>(), vec!["<message id='m2'/>"]);
        assert_eq!(sm.ack(4), Err(AckTooHigh { acked: 4, sent: 3 }));
        assert_eq!(sm.into_unsent(), vec!["m2".to_owned()]);
    }

    #[test]
    fn an_acknowledgement_is_asked_for_every_few_stanzas() {
        let mut sm = StreamMgmt::new(None);
        let asked: Vec<usize> = (1..=100)
            .filter(|_| {
                sm.send("<presence/>", None).unwrap();
                sm.time_to_ask()
            })
            .collect();
        assert_eq!(asked, vec![ASK_EVERY, 2 * ASK_EVERY, 3 * ASK_EVERY]);
    }

    #[test]
    fn counters_wrap_around_at_two_to_the_thirty_second() {
        let mut sm = StreamMgmt { sent: u32::MAX - 1, received: u32::MAX, ..StreamMgmt::default() };
        sm.send("<message id='a'/>", Some("a")).unwrap();
        sm.send("<message id='b'/>", Some("b")).unwrap();
        assert_eq!(sm.ack(0), Ok(vec!["a".to_owned(), "b".to_owned()]));
        let seq = sm.receive();
        assert_eq!(seq, 0);
        sm.hold(seq);
        assert_eq!(sm.handled(), u32::MAX);
        sm.stored(seq);
        assert_eq!(sm.handled(), 0);
    }

    #[test]
    fn an_unanswering_server_does_not_make_the_resend_queue_grow_without_bound() {
        let mut sm = StreamMgmt::new(None);
        for i in 0..MAX_UNACKED {
            sm.send("<message/>", Some(&format!("m{i}"))).unwrap();
        }
        assert_eq!(sm.send("<message/>", Some("one too many")), Err(Unacknowledged(MAX_UNACKED)));
        assert_eq!(sm.unacked_stanzas().count(), MAX_UNACKED);
        assert_eq!(sm.ack(1), Ok(vec!["m0".to_owned()]));
        assert!(sm.send("<message/>", Some("fits again")).is_ok());
    }
}
