//! What becomes of a dropped stream (XEP-0198 §5): resumed by the next connection, refused by the
//! server, or replaced by a fresh sign-in; and which of its messages the desk must then count as
//! sent and which send again. Pure: `connect::reconnect` only carries the server's answers here.

use super::sm::{AckTooHigh, StreamMgmt};
use super::xml::Element;

/// A stream whose connection was given up without ending it: what the next connection needs to
/// resume it, or to settle it once the server will not.
#[derive(Debug)]
pub struct Detached {
    jid: String,
    sm: StreamMgmt,
    /// Messages the server confirmed while refusing to resume, not yet reported: a sign-in that
    /// fails after the refusal must not lose them.
    acked: Vec<String>,
}

/// A resumed stream: it goes on under `jid` with `sm`; `resend` (the stanzas the server never got,
/// in order, and a request for an acknowledgement) is written first; `acked` are now sent.
#[derive(Debug)]
pub struct Resumed {
    pub jid: String,
    pub sm: StreamMgmt,
    pub resend: String,
    pub acked: Vec<String>,
}

impl Detached {
    pub(super) fn new(jid: String, sm: StreamMgmt) -> Detached {
        Detached { jid, sm, acked: Vec::new() }
    }

    /// Whether to ask the server to resume: it offers stream management, and the stream was not
    /// given up before (by it, or by us).
    pub fn can_resume(&self, offers_sm: bool) -> bool {
        offers_sm && self.sm.resume_id.is_some()
    }

    /// The `<resume/>` to send: which stream, and how much of what the server sent the desk stored.
    pub fn request(&self) -> Element {
        super::sm::resume(self.sm.resume_id.as_deref().unwrap_or_default(), self.sm.handled())
    }

    /// The server resumed the stream, having `h` of our stanzas. A server that claims more than we
    /// sent cannot be believed about what arrived: the stream comes back given up, so the next
    /// sign-in starts afresh and the desk sends again whatever was not confirmed before.
    pub fn resumed(mut self, h: u32) -> Result<Resumed, Box<(AckTooHigh, Detached)>> {
        self.sm.rewind_for_resume();
        match self.sm.ack(h) {
            Ok(ids) => {
                let mut acked = std::mem::take(&mut self.acked);
                acked.extend(ids);
                let mut resend: String = self.sm.unacked_stanzas().collect();
                if !resend.is_empty() {
                    resend.push_str(&super::sm::request().to_xml());
                }
                Ok(Resumed { jid: self.jid, sm: self.sm, resend, acked })
            }
            Err(e) => {
                self.sm.resume_id = None;
                Err(Box::new((e, self)))
            }
        }
    }

    /// The server would not resume the stream (it is gone). Its `h`, when it gave one, settles
    /// which messages it did get; the stream is not asked for again.
    pub fn refused(&mut self, h: Option<u32>) {
        if let Some(ids) = h.and_then(|h| self.sm.ack(h).ok()) {
            self.acked.extend(ids);
        }
        self.sm.resume_id = None;
    }

    /// A fresh stream replaces this one: the messages the server confirmed, and those it never got
    /// (for the desk to send again).
    pub fn replaced(self) -> (Vec<String>, Vec<String>) {
        (self.acked, self.sm.into_unsent())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that sent `messages` (each with a presence after it) and received `received`
    /// stanzas, all stored, then lost its connection.
    fn dropped(messages: &[&str], received: u32) -> Detached {
        let mut sm = StreamMgmt::new(Some("s1".into()));
        for id in messages {
            sm.send(&format!("<message id='{id}'/>"), Some(id)).unwrap();
            sm.send("<presence/>", None).unwrap();
        }
        for _ in 0..received {
            sm.receive();
        }
        Detached::new("ask@library.test/desk".into(), sm)
    }

    #[test]
    fn a_resumed_stream_sends_again_in_order_what_the_server_did_not_get() {
        let d = dropped(&["m1", "m2", "m3"], 7);
        assert!(d.can_resume(true) && !d.can_resume(false));
        let req = d.request();
        assert_eq!((req.attr("previd"), req.attr("h")), (Some("s1"), Some("7")));
        let r = d.resumed(2).unwrap();
        assert_eq!(r.acked, ["m1"]);
        assert_eq!(
            r.resend, "<message id='m2'/><presence/><message id='m3'/><presence/><r xmlns='urn:xmpp:sm:3'/>",
            "everything after the server's count, in order, then a request for its count"
        );
        assert_eq!(r.jid, "ask@library.test/desk");
    }

    #[test]
    fn a_fully_confirmed_stream_resumes_with_nothing_to_send_again() {
        let r = dropped(&["m1"], 0).resumed(2).unwrap();
        assert_eq!((r.acked.as_slice(), r.resend.as_str()), (&["m1".to_owned()][..], ""));
    }

    #[test]
    fn a_refusal_settles_what_arrived_and_keeps_it_through_a_failed_sign_in() {
        let mut d = dropped(&["m1", "m2", "m3"], 0);
        d.refused(Some(4));
        assert!(!d.can_resume(true), "a stream the server gave up is not asked for again");
        // The sign-in after the refusal fails (a timeout); the next one succeeds, fresh.
        d.refused(None);
        let (acked, unsent) = d.replaced();
        assert_eq!(acked, ["m1", "m2"], "confirmed by the refusal, reported once, not lost");
        assert_eq!(unsent, ["m3"]);
    }

    #[test]
    fn a_refusal_without_a_count_leaves_every_unconfirmed_message_to_send_again() {
        let mut d = dropped(&["m1", "m2"], 0);
        d.refused(None);
        assert_eq!(d.replaced(), (vec![], vec!["m1".to_owned(), "m2".to_owned()]));
    }

    #[test]
    fn a_server_claiming_more_than_was_sent_gets_a_fresh_stream_and_loses_nothing() {
        let d = dropped(&["m1"], 0);
        let (err, d) = *d.resumed(9).unwrap_err();
        assert_eq!((err.acked, err.sent), (9, 2));
        assert!(!d.can_resume(true));
        assert_eq!(d.replaced(), (vec![], vec!["m1".to_owned()]));
    }
}
