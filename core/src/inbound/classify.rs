//! What a stanza is to the desk: the one place that reads a message's copies, kinds and stamps
//! and says, in types, what the desk is to do with it (pure, no store, no clock).
//!
//! One stanza can carry several things at once (a patron's answer that also ends their typing and
//! asks for a receipt), so it gives a list, in the order the desk is to take them.

use chrono::{DateTime, Utc};

use crate::xmpp::session::bare;
use crate::xmpp::web::Visit;
use crate::xmpp::{Carbon, ChatMessage};

/// How a patron's message reached this desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Road {
    /// From the patron to this desk (perhaps late, from the server's offline storage).
    Direct,
    /// The copy of a message another desk on the account received (XEP-0280).
    Copy,
    /// A result of this desk's own archive query.
    Archive,
}

/// Words someone wrote to the account: a patron, or a librarian of its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// Their bare address.
    pub peer: String,
    pub body: String,
    /// What the message is deduplicated by, however many roads it comes by (see [`stable_id`]).
    pub stable_id: String,
    pub origin_id: Option<String>,
    /// When they sent it, for a message that came late.
    pub sent_at: Option<DateTime<Utc>>,
    /// What they call themselves, if their client says (redacted from transcripts).
    pub nick: Option<String>,
    /// The language they wrote in, if their client said.
    pub lang: Option<String>,
    pub road: Road,
    /// The id to confirm with a XEP-0184 receipt (their own message, asking for one) and the full
    /// address of the device to confirm it to.
    pub receipt: Option<(String, String)>,
    /// The account's archive moves to this id in the same write (set by the pipeline for a live
    /// message; see `Pipeline`).
    pub archive_position: Option<String>,
}

/// A message the account itself sent: another desk's (its copy), or this desk's own from the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The patron's bare address.
    pub peer: String,
    /// The resource of the desk that sent it, when known.
    pub desk: Option<String>,
    pub body: String,
    /// The sender's own id, as that desk stored it.
    pub stable_id: String,
    pub origin_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    /// A desk's rules spoke, not a librarian.
    pub auto_reply: bool,
}

/// One thing a stanza asks of the desk.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Message(Box<Incoming>),
    SentByAccount(Box<Outgoing>),
    /// The patron started or stopped typing, live and themselves.
    Typing {
        peer: String,
        typing: bool,
    },
    /// The patron's device confirms our message `id` reached them (live, or another desk's copy).
    Receipt {
        peer: String,
        id: String,
    },
    /// Another desk on the account started answering `peer` (the copy of its typing).
    Claim {
        peer: String,
        desk: String,
    },
    /// A handoff signal addressed to a desk of the account (checked by the desk: see
    /// `Desk::receive_handoff`).
    Handoff(Box<ChatMessage>),
    /// The patron ended the chat in the website's chat box ("End chat"). A patron's own IM client
    /// says `gone` when a window closes, which does not end a question, so only the box's counts.
    Left {
        peer: String,
    },
    /// A question left in the website's chat box while the desk was closed, to answer by email:
    /// kept as a follow-up, not a chat in the line.
    FollowUp {
        question: Box<Incoming>,
        email: Option<String>,
    },
    /// The patron rated their chat in the website's chat box (1 to 5, with a comment unredacted
    /// yet).
    Rated {
        peer: String,
        score: u8,
        comment: String,
    },
    /// The message came from the website's chat box, in this visit; it comes first, so that the
    /// desk can put what follows in the visit's chat (see `Desk::place_visit`). `current`: written
    /// just now (not history from the archive or offline storage), so the box is at `peer` now.
    /// `live`: and sent to this desk itself, so what the box asks to have again is for this desk
    /// to send.
    Visit {
        peer: String,
        visit: Visit,
        current: bool,
        live: bool,
    },
}

/// What the desk is to do with `m`, which came on `account`, and the id our server's archive
/// gave it (where a catch-up after a restart starts).
pub fn classify(account: &str, m: &ChatMessage) -> (Vec<Input>, Option<String>) {
    let archive_id = m.stanza_ids.iter().find(|(by, _)| by == account).map(|(_, id)| id.clone());
    if m.handoff.is_some() {
        return (vec![Input::Handoff(Box::new(m.clone()))], archive_id);
    }
    let mut inputs = Vec::new();
    let body = m.body.as_deref().filter(|b| !b.trim().is_empty());
    let words = matches!(m.kind.as_str(), "chat" | "normal");
    let from = bare(&m.from);
    if m.carbon == Some(Carbon::Sent) {
        let peer = m.to.as_deref().map(bare).filter(|p| *p != account && !p.is_empty());
        let desk = m.from.split_once('/').map(|(_, r)| r.to_owned()).filter(|_| from == account);
        if let (Some(peer), Some(body), true) = (peer, body, words) {
            let stable_id = m.origin_id.clone().or_else(|| m.id.clone()).unwrap_or_else(|| stable_id(account, m));
            inputs.push(Input::SentByAccount(Box::new(Outgoing {
                peer: peer.to_owned(),
                desk: desk.clone(),
                body: body.to_owned(),
                stable_id,
                origin_id: m.origin_id.clone(),
                sent_at: m.sent_at,
                auto_reply: m.auto_reply,
            })));
        }
        let composing = m.body.is_none() && m.chat_state.as_deref() == Some("composing");
        if let (Some(peer), Some(desk), true) = (peer, desk, composing) {
            inputs.push(Input::Claim { peer: peer.to_owned(), desk });
        }
        return (inputs, archive_id);
    }
    if from == account || m.kind == "error" {
        return (inputs, archive_id);
    }
    let road = match (m.from_archive, m.carbon) {
        (true, _) => Road::Archive,
        (false, Some(_)) => Road::Copy,
        (false, None) => Road::Direct,
    };
    if let Some(visit) = &m.web {
        let current = road != Road::Archive && m.sent_at.is_none();
        let live = current && road == Road::Direct;
        inputs.push(Input::Visit { peer: from.to_owned(), visit: (**visit).clone(), current, live });
    }
    if let (Some(body), true) = (body, words) {
        let receipt = m.id.clone().filter(|_| m.receipt_request && road == Road::Direct).map(|id| (m.from.clone(), id));
        let incoming = Box::new(Incoming {
            peer: from.to_owned(),
            body: body.to_owned(),
            stable_id: stable_id(account, m),
            origin_id: m.origin_id.clone(),
            sent_at: m.sent_at,
            nick: m.nick.clone(),
            lang: m.lang.clone(),
            road,
            receipt,
            archive_position: None,
        });
        match m.web.as_ref().and_then(|w| w.followup.as_ref()) {
            Some(f) => inputs.push(Input::FollowUp { question: incoming, email: f.email.clone() }),
            None => inputs.push(Input::Message(incoming)),
        }
    }
    // A delayed typing state is stale; a message with a body ends their typing whatever state it carries.
    let has_body = m.body.as_deref().is_some_and(|b| !b.trim().is_empty());
    if road == Road::Direct && m.sent_at.is_none() && (has_body || m.chat_state.is_some()) {
        let typing = !has_body && m.chat_state.as_deref() == Some("composing");
        inputs.push(Input::Typing { peer: from.to_owned(), typing });
    }
    if let Some(id) = &m.receipt_for {
        inputs.push(Input::Receipt { peer: from.to_owned(), id: id.clone() });
    }
    if let Some(r) = m.web.as_ref().and_then(|w| w.rating.as_ref()) {
        inputs.push(Input::Rated { peer: from.to_owned(), score: r.score, comment: r.comment.clone() });
    }
    let gone = m.chat_state.as_deref() == Some("gone") && m.web.is_some();
    if gone && road != Road::Archive && m.sent_at.is_none() {
        inputs.push(Input::Left { peer: from.to_owned() });
    }
    (inputs, archive_id)
}

/// The id a message is deduplicated by: our server's archive id, else the sender's origin-id,
/// else the stanza id, else a digest of what we have (so a resent copy still matches).
pub fn stable_id(account: &str, m: &ChatMessage) -> String {
    if let Some((_, id)) = m.stanza_ids.iter().find(|(by, _)| by == account) {
        return format!("sid:{id}");
    }
    if let Some(id) = m.origin_id.as_deref().or(m.id.as_deref()) {
        return format!("oid:{}:{id}", bare(&m.from));
    }
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{}\0{}", m.from, m.body.as_deref().unwrap_or("")).as_bytes(),
    );
    format!("hash:{}", d.as_ref().iter().take(16).map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "ask@lib";

    fn msg(from: &str, body: Option<&str>, state: Option<&str>) -> ChatMessage {
        ChatMessage {
            from: from.into(),
            to: Some("ask@lib/desk1".into()),
            kind: "chat".into(),
            body: body.map(str::to_owned),
            chat_state: state.map(str::to_owned),
            ..Default::default()
        }
    }

    fn receipt_asked(f: &dyn Fn(&mut ChatMessage)) -> Option<(String, String)> {
        let mut m = msg("p@x/phone", Some("hi"), None);
        m.id = Some("m1".into());
        m.receipt_request = true;
        f(&mut m);
        classify(ACCOUNT, &m).0.into_iter().find_map(|i| match i {
            Input::Message(m) => m.receipt,
            _ => None,
        })
    }

    fn typing(m: &ChatMessage) -> Option<bool> {
        classify(ACCOUNT, m).0.into_iter().find_map(|i| match i {
            Input::Typing { peer, typing } => {
                assert_eq!(peer, "p@x");
                Some(typing)
            }
            _ => None,
        })
    }

    #[test]
    fn receipts_go_only_for_a_patrons_own_message_that_asks() {
        let asked = Some(("p@x/phone".to_owned(), "m1".to_owned()));
        assert_eq!(receipt_asked(&|_| {}), asked);
        assert_eq!(receipt_asked(&|m| m.receipt_request = false), None, "not asked");
        assert_eq!(receipt_asked(&|m| m.carbon = Some(Carbon::Received)), None, "another desk's copy");
        assert_eq!(receipt_asked(&|m| m.from_archive = true), None, "history");
        assert_eq!(receipt_asked(&|m| m.id = None), None, "nothing to name");
        assert_eq!(receipt_asked(&|m| m.sent_at = Some(Utc::now())), asked, "from offline storage: delivered now");
        for no_message in [
            &(|m: &mut ChatMessage| m.body = None) as &dyn Fn(&mut ChatMessage),
            &|m| m.from = "ask@lib/desk2".into(),
            &|m| m.kind = "error".into(),
        ] {
            let mut m = msg("p@x/phone", Some("hi"), None);
            no_message(&mut m);
            assert!(!classify(ACCOUNT, &m).0.iter().any(|i| matches!(i, Input::Message(_))), "{m:?}");
        }
    }

    #[test]
    fn typing_comes_from_the_patron_live_and_ends_with_their_message() {
        assert_eq!(typing(&msg("p@x/phone", None, Some("composing"))), Some(true));
        assert_eq!(typing(&msg("p@x/phone", None, Some("paused"))), Some(false));
        assert_eq!(typing(&msg("p@x/phone", Some("hi"), Some("active"))), Some(false));
        assert_eq!(typing(&msg("p@x/phone", Some("hi"), None)), Some(false));
        assert_eq!(typing(&msg("p@x/phone", None, None)), None, "nothing to say");
        let mut copy = msg("p@x/phone", None, Some("composing"));
        copy.carbon = Some(Carbon::Received);
        assert_eq!(typing(&copy), None, "another desk's copy");
        let mut old = msg("p@x/phone", None, Some("composing"));
        old.sent_at = Some(Utc::now());
        assert_eq!(typing(&old), None, "history");
        assert!(classify(ACCOUNT, &msg("ask@lib/desk2", None, Some("composing"))).0.is_empty(), "ourselves");
    }

    #[test]
    fn what_the_account_sent_is_an_answer_or_a_claim_never_a_patrons_message() {
        let mut answer = msg("ask@lib/desk2", Some("Try the catalogue"), Some("active"));
        answer.carbon = Some(Carbon::Sent);
        answer.to = Some("p@x/phone".into());
        answer.origin_id = Some("o1".into());
        let (inputs, _) = classify(ACCOUNT, &answer);
        let [Input::SentByAccount(out)] = inputs.as_slice() else { panic!("{inputs:?}") };
        assert_eq!((out.peer.as_str(), out.desk.as_deref(), out.stable_id.as_str()), ("p@x", Some("desk2"), "o1"));

        let mut claim = answer.clone();
        claim.body = None;
        claim.chat_state = Some("composing".into());
        assert_eq!(
            classify(ACCOUNT, &claim).0,
            [Input::Claim { peer: "p@x".into(), desk: "desk2".into() }],
            "another desk typing to the patron"
        );
        claim.to = Some("ask@lib/desk1".into());
        assert!(classify(ACCOUNT, &claim).0.is_empty(), "to the account itself");
        claim.to = Some("p@x/phone".into());
        claim.from = "mallory@x/desk2".into();
        assert!(classify(ACCOUNT, &claim).0.is_empty(), "a copy can only come from the account");
    }

    #[test]
    fn a_web_visit_comes_before_what_it_carries_and_only_from_a_patron() {
        let visit = Visit { token: "0123456789abcdef".into(), resume: false, last: None, rating: None, followup: None };
        let mut m = msg("g1@guest.lib/web", Some("hi"), None);
        m.web = Some(Box::new(visit.clone()));
        let (inputs, _) = classify(ACCOUNT, &m);
        assert_eq!(
            inputs[0],
            Input::Visit { peer: "g1@guest.lib".into(), visit: visit.clone(), current: true, live: true }
        );
        assert!(matches!(&inputs[1], Input::Message(i) if i.peer == "g1@guest.lib"));
        let mut copy = m.clone();
        copy.carbon = Some(Carbon::Received);
        assert!(
            matches!(&classify(ACCOUNT, &copy).0[0], Input::Visit { current: true, live: false, .. }),
            "another desk's copy: the patron is there now, and that desk answers what it asks"
        );
        let mut old = m.clone();
        old.from_archive = true;
        assert!(matches!(&classify(ACCOUNT, &old).0[0], Input::Visit { current: false, live: false, .. }), "history");
        let mut ours = m.clone();
        ours.from = "ask@lib/desk2".into();
        assert!(classify(ACCOUNT, &ours).0.is_empty(), "from the account itself");
        let mut gone = m.clone();
        gone.body = None;
        gone.chat_state = Some("gone".into());
        assert!(classify(ACCOUNT, &gone).0.contains(&Input::Left { peer: "g1@guest.lib".into() }), "End chat");
        gone.web = None;
        assert!(!classify(ACCOUNT, &gone).0.iter().any(|i| matches!(i, Input::Left { .. })), "an IM window closed");
        let mut resume = m;
        resume.body = None;
        resume.chat_state = Some("active".into());
        let (inputs, _) = classify(ACCOUNT, &resume);
        assert!(matches!(inputs.as_slice(), [Input::Visit { .. }, Input::Typing { typing: false, .. }]), "{inputs:?}");
    }

    #[test]
    fn a_receipt_is_the_patrons_only_and_the_archive_id_is_our_servers() {
        let mut r = msg("p@x/phone", None, None);
        r.receipt_for = Some("our1".into());
        r.stanza_ids = vec![("p@x".into(), "theirs".into()), (ACCOUNT.into(), "a7".into())];
        let (inputs, archive) = classify(ACCOUNT, &r);
        assert_eq!(inputs, [Input::Receipt { peer: "p@x".into(), id: "our1".into() }]);
        assert_eq!(archive.as_deref(), Some("a7"));
        let mut ours = r.clone();
        ours.carbon = Some(Carbon::Sent);
        assert!(classify(ACCOUNT, &ours).0.is_empty(), "our own receipt to a patron");
        let mut bounce = r;
        bounce.kind = "error".into();
        assert!(classify(ACCOUNT, &bounce).0.is_empty());
    }
}
