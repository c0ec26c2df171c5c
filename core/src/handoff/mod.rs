//! Handing a chat to a colleague's desk on the same account: the signals desks send each other,
//! the offers under way and their time limits (pure: no clock reads, no I/O; `facade` carries the
//! steps out on the desk).
//!
//! Protocol (namespace [`NS`], documented in `docs/handoff.md`): desk A offers the chat with a
//! patron to desk B (`offer`); B answers `accept` or `decline`; A, if its offer still stands,
//! confirms an acceptance with `done` and lets the chat go; B takes the chat only on `done`. An
//! acceptance that arrives after A gave up gets `withdrawn`, so exactly one desk ends up with the
//! chat whatever the timing. The patron keeps talking to the same shared address throughout.

pub mod arbitration;
pub mod directory;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::api::HandoffView;

pub const NS: &str = "urn:x-refdesk:handoff:0";
pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_SUBJECTS_CHARS: usize = 200;
pub const MAX_NOTE_CHARS: usize = 300;
/// The longest internal note on a conversation.
pub const MAX_NOTE_TEXT_CHARS: usize = 1000;
const MAX_ID_CHARS: usize = 64;
/// A follow-up's stable id names the guest's address and their client's message id.
const MAX_FOLLOWUP_ID_CHARS: usize = 512;
/// A patron's address is at most this long (RFC 7622: three parts of 1023 bytes, and separators).
const MAX_JID_CHARS: usize = 3071;
/// After accepting, how long a desk waits for the offering desk's `done` before giving up.
const CONFIRM_WITHIN: Duration = Duration::seconds(15);
/// Offers a desk holds at once, so a misbehaving desk cannot grow this without bound.
const MAX_OFFERS: usize = 50;

/// Who staffs a desk, as the other desks on the account see it (carried in its presence).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeskCard {
    /// The librarian or the desk, as colleagues should see it ("Maria, business").
    pub name: String,
    /// What this desk is good at, for finding the right colleague ("business, patents").
    pub subjects: String,
}

impl DeskCard {
    /// A card typed by the librarian: refused with the reason when too long.
    pub fn new(name: &str, subjects: &str) -> Result<DeskCard, String> {
        let card = DeskCard { name: one_line(name), subjects: one_line(subjects) };
        for (what, text, max) in
            [("name", &card.name, MAX_NAME_CHARS), ("subjects", &card.subjects, MAX_SUBJECTS_CHARS)]
        {
            let n = text.chars().count();
            if n > max {
                return Err(format!("the desk's {what} is {n} characters long; keep it to {max}"));
            }
        }
        Ok(card)
    }

    /// A card another desk sent: cut to size rather than refused (it is only shown, as text).
    pub fn received(name: &str, subjects: &str) -> DeskCard {
        DeskCard {
            name: clip(&one_line(name), MAX_NAME_CHARS),
            subjects: clip(&one_line(subjects), MAX_SUBJECTS_CHARS),
        }
    }
}

/// One desk-to-desk message about a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    Offer {
        id: String,
        patron: String,
        from_name: String,
        note: String,
    },
    Accept {
        id: String,
    },
    Decline {
        id: String,
    },
    Done {
        id: String,
    },
    Withdrawn {
        id: String,
    },
    /// This desk answered the follow-up question with stable id `followup` (see
    /// `store::followups`): the other desks of the account take it off their lists.
    FollowUpAnswered {
        id: String,
        followup: String,
    },
    /// An internal note on the conversation with `patron`, for the other desks (`id`: the note's).
    Note {
        id: String,
        patron: String,
        from_name: String,
        text: String,
    },
}

impl Signal {
    pub fn id(&self) -> &str {
        match self {
            Signal::Offer { id, .. }
            | Signal::Accept { id }
            | Signal::Decline { id }
            | Signal::Done { id }
            | Signal::Withdrawn { id }
            | Signal::FollowUpAnswered { id, .. }
            | Signal::Note { id, .. } => id,
        }
    }

    /// The wire name, the `type` attribute of the `<handoff/>` element.
    pub fn kind(&self) -> &'static str {
        match self {
            Signal::Offer { .. } => "offer",
            Signal::Accept { .. } => "accept",
            Signal::Decline { .. } => "decline",
            Signal::Done { .. } => "done",
            Signal::Withdrawn { .. } => "withdrawn",
            Signal::Note { .. } => "note",
            Signal::FollowUpAnswered { .. } => "followup-answered",
        }
    }

    /// Reads a signal from the `<handoff/>` element: `attr` looks up an attribute, `content` is its
    /// text (a note's words: element text keeps line breaks, which attributes lose on the way).
    /// Anything malformed or oversized is `None`: it came from the network.
    pub fn parse<'a>(attr: impl Fn(&str) -> Option<&'a str>, content: &str) -> Option<Signal> {
        let id = attr("id").filter(|i| !i.is_empty() && i.chars().count() <= MAX_ID_CHARS)?.to_owned();
        Some(match attr("type")? {
            "offer" => {
                let patron = attr("patron").filter(|p| p.contains('@') && p.chars().count() <= MAX_JID_CHARS)?;
                Signal::Offer {
                    id,
                    patron: patron.to_owned(),
                    from_name: clip(&one_line(attr("name").unwrap_or_default()), MAX_NAME_CHARS),
                    note: clip(&one_line(attr("note").unwrap_or_default()), MAX_NOTE_CHARS),
                }
            }
            "accept" => Signal::Accept { id },
            "decline" => Signal::Decline { id },
            "done" => Signal::Done { id },
            "withdrawn" => Signal::Withdrawn { id },
            "followup-answered" => Signal::FollowUpAnswered {
                id,
                followup: attr("followup")
                    .filter(|f| !f.is_empty() && f.chars().count() <= MAX_FOLLOWUP_ID_CHARS)
                    .filter(|f| !f.chars().any(char::is_control))?
                    .to_owned(),
            },
            "note" => {
                let patron = attr("patron").filter(|p| p.contains('@') && p.chars().count() <= MAX_JID_CHARS)?;
                let text = note_text(content);
                if text.is_empty() {
                    return None;
                }
                Signal::Note {
                    id,
                    patron: patron.to_owned(),
                    from_name: clip(&one_line(attr("name").unwrap_or_default()), MAX_NAME_CHARS),
                    text: clip(&text, MAX_NOTE_TEXT_CHARS),
                }
            }
            _ => return None,
        })
    }
}

/// What the desk has to do after a handoff changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send `signal` to the desk signed in as `to` (a resource of `account`).
    Send { account: String, to: String, signal: Signal },
    /// The colleague (signed in as `to`) took the chat: this desk lets it go.
    HandedOver { patron: String, to: String, to_name: String },
    /// The chat stays here: the colleague declined, did not answer in time, or left.
    StaysHere { patron: String, to_name: String },
    /// The chat is this desk's now.
    TakeOver { account: String, patron: String, from_name: String },
    /// Another desk wrote an internal note on the conversation with `patron`.
    Note { account: String, patron: String, id: String, from_name: String, text: String },
    /// Another desk answered a follow-up question (its stable id).
    FollowUpAnswered { account: String, followup: String },
}

/// An offer this desk made.
#[derive(Debug, Clone)]
struct Outgoing {
    account: String,
    patron: String,
    to: String,
    to_name: String,
    note: String,
    deadline: DateTime<Utc>,
}

/// An offer another desk made to this one.
#[derive(Debug, Clone)]
struct Incoming {
    account: String,
    patron: String,
    from: String,
    from_name: String,
    note: String,
    deadline: DateTime<Utc>,
    accepted: bool,
}

/// The offers under way at one desk.
#[derive(Debug, Clone)]
pub struct Handoffs {
    answer_within: Duration,
    outgoing: BTreeMap<String, Outgoing>,
    incoming: BTreeMap<String, Incoming>,
}

impl Default for Handoffs {
    fn default() -> Self {
        Handoffs::new(Duration::seconds(60))
    }
}

impl Handoffs {
    /// `answer_within`: how long a colleague has to answer an offer.
    pub fn new(answer_within: Duration) -> Handoffs {
        Handoffs { answer_within, outgoing: BTreeMap::new(), incoming: BTreeMap::new() }
    }

    pub fn set_answer_within(&mut self, d: Duration) {
        self.answer_within = d;
    }

    /// Offers the chat with `patron` on `account` to the desk `to`. `id` is fresh and random.
    #[allow(clippy::too_many_arguments)]
    pub fn offer(
        &mut self,
        id: &str,
        account: &str,
        patron: &str,
        to: &str,
        to_name: &str,
        from_name: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Step, String> {
        if let Some(o) = self.outgoing.values().find(|o| o.patron == patron) {
            return Err(format!("this chat is already offered to {}; wait for the answer", o.to_name));
        }
        let note = note_for_colleague(note)?;
        self.outgoing.insert(
            id.to_owned(),
            Outgoing {
                account: account.to_owned(),
                patron: patron.to_owned(),
                to: to.to_owned(),
                to_name: to_name.to_owned(),
                note: note.clone(),
                deadline: now + self.answer_within,
            },
        );
        let signal =
            Signal::Offer { id: id.to_owned(), patron: patron.to_owned(), from_name: from_name.to_owned(), note };
        Ok(Step::Send { account: account.to_owned(), to: to.to_owned(), signal })
    }

    /// Whether this desk has offered the chat with `patron` and waits for the answer.
    pub fn offered(&self, patron: &str) -> bool {
        self.outgoing.values().any(|o| o.patron == patron)
    }

    /// A signal from the desk signed in as `from` on `account`.
    pub fn receive(&mut self, account: &str, from: &str, signal: Signal, now: DateTime<Utc>) -> Vec<Step> {
        let reply = |signal| Step::Send { account: account.to_owned(), to: from.to_owned(), signal };
        match signal {
            Signal::Offer { id, patron, from_name, note } => {
                let known = self.incoming.contains_key(&id);
                if !known && self.incoming.len() < MAX_OFFERS {
                    let deadline = now + self.answer_within;
                    let account = account.to_owned();
                    let from = from.to_owned();
                    self.incoming
                        .insert(id, Incoming { account, patron, from, from_name, note, deadline, accepted: false });
                }
                vec![]
            }
            Signal::Accept { id } => match self.outgoing.get(&id) {
                Some(o) if o.to == from && o.account == account => {
                    let o = self.outgoing.remove(&id).expect("just found");
                    vec![
                        reply(Signal::Done { id }),
                        Step::HandedOver { patron: o.patron, to: o.to, to_name: o.to_name },
                    ]
                }
                // Too late (this desk gave up), or not asked of that desk: it must not take the chat.
                _ => vec![reply(Signal::Withdrawn { id })],
            },
            Signal::Decline { id } => match self.outgoing.get(&id) {
                Some(o) if o.to == from && o.account == account => {
                    let o = self.outgoing.remove(&id).expect("just found");
                    vec![Step::StaysHere { patron: o.patron, to_name: o.to_name }]
                }
                _ => vec![],
            },
            Signal::Done { id } => match self.incoming.get(&id) {
                Some(i) if i.accepted && i.from == from && i.account == account => {
                    let i = self.incoming.remove(&id).expect("just found");
                    vec![Step::TakeOver { account: i.account, patron: i.patron, from_name: i.from_name }]
                }
                _ => vec![],
            },
            Signal::Withdrawn { id } => {
                if self.incoming.get(&id).is_some_and(|i| i.from == from && i.account == account) {
                    self.incoming.remove(&id);
                }
                vec![]
            }
            Signal::Note { id, patron, from_name, text } => {
                vec![Step::Note { account: account.to_owned(), patron, id, from_name, text }]
            }
            Signal::FollowUpAnswered { followup, .. } => {
                vec![Step::FollowUpAnswered { account: account.to_owned(), followup }]
            }
        }
    }

    /// This desk's librarian accepts offer `id`; the chat is theirs once the other desk confirms.
    pub fn accept(&mut self, id: &str, now: DateTime<Utc>) -> Result<Step, String> {
        let i = self.incoming.get_mut(id).ok_or("that offer is no longer open")?;
        if i.accepted {
            return Err("that offer is already accepted; waiting for the other desk".into());
        }
        i.accepted = true;
        i.deadline = now + CONFIRM_WITHIN;
        Ok(Step::Send { account: i.account.clone(), to: i.from.clone(), signal: Signal::Accept { id: id.to_owned() } })
    }

    /// This desk's librarian declines offer `id`: the other desk keeps the chat.
    pub fn decline(&mut self, id: &str) -> Result<Step, String> {
        let i = self.incoming.remove(id).ok_or("that offer is no longer open")?;
        Ok(Step::Send { account: i.account, to: i.from, signal: Signal::Decline { id: id.to_owned() } })
    }

    /// This desk takes back its offer `id` before it is answered.
    pub fn withdraw(&mut self, id: &str) -> Result<Vec<Step>, String> {
        let o = self.outgoing.remove(id).ok_or("that offer has already been answered")?;
        Ok(vec![
            Step::Send { account: o.account, to: o.to, signal: Signal::Withdrawn { id: id.to_owned() } },
            Step::StaysHere { patron: o.patron, to_name: o.to_name },
        ])
    }

    /// Offers past their time: an unanswered offer of ours is withdrawn (the chat stays here); an
    /// offer to us that was not answered, or not confirmed after we accepted, is dropped.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Vec<Step> {
        let mut steps = Vec::new();
        let late: Vec<String> =
            self.outgoing.iter().filter(|(_, o)| o.deadline <= now).map(|(k, _)| k.clone()).collect();
        for id in late {
            let o = self.outgoing.remove(&id).expect("listed");
            steps.push(Step::Send { account: o.account, to: o.to, signal: Signal::Withdrawn { id } });
            steps.push(Step::StaysHere { patron: o.patron, to_name: o.to_name });
        }
        self.incoming.retain(|_, i| i.deadline > now);
        steps
    }

    /// The desk signed in as `resource` on `account` left: offers to it are over (the chat stays
    /// here), offers from it are dropped.
    pub fn desk_left(&mut self, account: &str, resource: &str) -> Vec<Step> {
        let gone: Vec<String> = self
            .outgoing
            .iter()
            .filter(|(_, o)| o.account == account && o.to == resource)
            .map(|(k, _)| k.clone())
            .collect();
        let steps = gone
            .into_iter()
            .map(|id| {
                let o = self.outgoing.remove(&id).expect("listed");
                Step::StaysHere { patron: o.patron, to_name: o.to_name }
            })
            .collect();
        self.incoming.retain(|_, i| !(i.account == account && i.from == resource));
        steps
    }

    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.outgoing.values().map(|o| o.deadline).chain(self.incoming.values().map(|i| i.deadline)).min()
    }

    pub fn views(&self) -> Vec<HandoffView> {
        let out = self.outgoing.iter().map(|(id, o)| HandoffView {
            id: id.clone(),
            account: o.account.clone(),
            patron: o.patron.clone(),
            incoming: false,
            colleague: o.to_name.clone(),
            note: o.note.clone(),
            accepted: false,
            expires: o.deadline,
        });
        let incoming = self.incoming.iter().map(|(id, i)| HandoffView {
            id: id.clone(),
            account: i.account.clone(),
            patron: i.patron.clone(),
            incoming: true,
            colleague: i.from_name.clone(),
            note: i.note.clone(),
            accepted: i.accepted,
            expires: i.deadline,
        });
        out.chain(incoming).collect()
    }
}

/// A note's text: line breaks kept, other control characters dropped, ends trimmed.
pub fn note_text(s: &str) -> String {
    s.chars().filter(|c| *c == '\n' || !c.is_control()).collect::<String>().trim().to_owned()
}

/// Control characters (line breaks included) become spaces; ends trimmed.
/// A librarian's note to a colleague as it goes out: one line, refused with the reason when too long.
pub fn note_for_colleague(note: &str) -> Result<String, String> {
    let note = one_line(note);
    let n = note.chars().count();
    if n > MAX_NOTE_CHARS {
        return Err(format!("the note is {n} characters long; keep it to {MAX_NOTE_CHARS}"));
    }
    Ok(note)
}

fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

pub(crate) fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    const ACC: &str = "ask@lib";

    fn offered(h: &mut Handoffs, id: &str, patron: &str, to: &str) -> Step {
        h.offer(id, ACC, patron, to, "Maria", "Anna", "needs patents", t(0)).unwrap()
    }

    #[test]
    fn an_accepted_offer_is_confirmed_and_the_chat_moves_exactly_once() {
        let (mut a, mut b) = (Handoffs::default(), Handoffs::default());
        let Step::Send { to, signal, .. } = offered(&mut a, "h1", "p@x", "desk-b") else { panic!() };
        assert_eq!(to, "desk-b");
        assert!(a.offered("p@x"));
        assert!(b.receive(ACC, "desk-a", signal, t(1)).is_empty());
        let v = b.views();
        assert_eq!(
            (v.len(), v[0].incoming, v[0].colleague.as_str(), v[0].note.as_str()),
            (1, true, "Anna", "needs patents")
        );

        let Step::Send { to, signal, .. } = b.accept("h1", t(5)).unwrap() else { panic!() };
        assert_eq!((to.as_str(), &signal), ("desk-a", &Signal::Accept { id: "h1".into() }));
        assert!(b.accept("h1", t(5)).is_err(), "accepted once");
        let steps = a.receive(ACC, "desk-b", signal, t(6));
        assert_eq!(steps[1], Step::HandedOver { patron: "p@x".into(), to: "desk-b".into(), to_name: "Maria".into() });
        let Step::Send { signal: done, .. } = steps[0].clone() else { panic!() };
        assert!(!a.offered("p@x") && a.views().is_empty());
        assert_eq!(
            b.receive(ACC, "desk-a", done.clone(), t(6)),
            [Step::TakeOver { account: ACC.into(), patron: "p@x".into(), from_name: "Anna".into() }]
        );
        assert!(b.receive(ACC, "desk-a", done, t(6)).is_empty(), "a second done changes nothing");
    }

    #[test]
    fn a_late_acceptance_is_withdrawn_so_the_chat_never_has_two_desks() {
        let (mut a, mut b) = (Handoffs::default(), Handoffs::default());
        let Step::Send { signal, .. } = offered(&mut a, "h1", "p@x", "desk-b") else { panic!() };
        b.receive(ACC, "desk-a", signal, t(0));
        // A gives up at 60 s; B's acceptance was on its way.
        let expired = a.expire(t(60));
        assert_eq!(expired[1], Step::StaysHere { patron: "p@x".into(), to_name: "Maria".into() });
        let Step::Send { signal: withdrawn, .. } = expired[0].clone() else { panic!() };
        let Step::Send { signal: accept, .. } = b.accept("h1", t(59)).unwrap() else { panic!() };
        let answer = a.receive(ACC, "desk-b", accept, t(61));
        assert_eq!(answer.len(), 1, "no handover: {answer:?}");
        assert!(matches!(&answer[0], Step::Send { signal: Signal::Withdrawn { .. }, .. }));
        assert!(b.receive(ACC, "desk-a", withdrawn, t(61)).is_empty());
        assert!(b.views().is_empty(), "B drops the offer and never takes the chat");
    }

    #[test]
    fn a_declined_offer_leaves_the_chat_with_the_desk_that_made_it() {
        let (mut a, mut b) = (Handoffs::default(), Handoffs::default());
        let Step::Send { signal, .. } = offered(&mut a, "h1", "p@x", "desk-b") else { panic!() };
        b.receive(ACC, "desk-a", signal, t(0));
        let Step::Send { signal, .. } = b.decline("h1").unwrap() else { panic!() };
        assert_eq!(
            a.receive(ACC, "desk-b", signal, t(3)),
            [Step::StaysHere { patron: "p@x".into(), to_name: "Maria".into() }]
        );
        assert!(a.next_deadline().is_none() && b.next_deadline().is_none());
    }

    #[test]
    fn only_the_desk_asked_can_answer_and_only_the_desk_that_offered_can_confirm() {
        let (mut a, mut b) = (Handoffs::default(), Handoffs::default());
        let Step::Send { signal, .. } = offered(&mut a, "h1", "p@x", "desk-b") else { panic!() };
        b.receive(ACC, "desk-a", signal, t(0));
        let steps = a.receive(ACC, "desk-c", Signal::Accept { id: "h1".into() }, t(1));
        assert!(!steps.iter().any(|s| matches!(s, Step::HandedOver { .. })), "{steps:?}");
        assert!(a.receive(ACC, "desk-c", Signal::Decline { id: "h1".into() }, t(1)).is_empty());
        assert!(a.offered("p@x"), "still waiting for desk B");
        b.accept("h1", t(2)).unwrap();
        assert!(b.receive(ACC, "desk-c", Signal::Done { id: "h1".into() }, t(3)).is_empty());
        assert!(b.receive("other@lib", "desk-a", Signal::Done { id: "h1".into() }, t(3)).is_empty());
        assert_eq!(b.views().len(), 1);
    }

    #[test]
    fn an_unconfirmed_acceptance_and_an_unanswered_offer_expire() {
        let (mut a, mut b) = (Handoffs::default(), Handoffs::default());
        let Step::Send { signal, .. } = offered(&mut a, "h1", "p@x", "desk-b") else { panic!() };
        b.receive(ACC, "desk-a", signal, t(0));
        assert_eq!(b.next_deadline(), Some(t(60)));
        b.accept("h1", t(10)).unwrap();
        assert_eq!(b.next_deadline(), Some(t(25)), "waits 15 s for the confirmation");
        assert!(b.expire(t(24)).is_empty() && b.views().len() == 1);
        assert!(b.expire(t(25)).is_empty() && b.views().is_empty());
        assert_eq!(a.expire(t(59)), []);
        assert_eq!(a.expire(t(60)).len(), 2);
    }

    #[test]
    fn a_desk_that_leaves_ends_the_offers_to_and_from_it() {
        let (mut a, mut b) = (Handoffs::default(), Handoffs::default());
        let Step::Send { signal, .. } = offered(&mut a, "h1", "p@x", "desk-b") else { panic!() };
        b.receive(ACC, "desk-a", signal, t(0));
        assert_eq!(a.desk_left(ACC, "desk-c"), []);
        assert_eq!(a.desk_left(ACC, "desk-b"), [Step::StaysHere { patron: "p@x".into(), to_name: "Maria".into() }]);
        assert!(b.desk_left(ACC, "desk-a").is_empty() && b.views().is_empty());
    }

    #[test]
    fn one_offer_per_chat_and_a_bounded_list_of_offers_received() {
        let mut a = Handoffs::default();
        offered(&mut a, "h1", "p@x", "desk-b");
        let again = a.offer("h2", ACC, "p@x", "desk-c", "Joe", "Anna", "", t(1)).unwrap_err();
        assert!(again.contains("already offered to Maria"), "{again}");
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        assert!(a
            .offer("h3", ACC, "q@x", "desk-c", "Joe", "Anna", &long, t(1))
            .unwrap_err()
            .contains("keep it to 300"));

        let mut b = Handoffs::default();
        for i in 0..200 {
            let offer =
                Signal::Offer { id: format!("o{i}"), patron: "p@x".into(), from_name: "A".into(), note: String::new() };
            b.receive(ACC, "desk-a", offer, t(0));
        }
        assert_eq!(b.views().len(), MAX_OFFERS);
    }

    #[test]
    fn signals_from_the_wire_are_checked_and_cut_to_size() {
        let attrs = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v)
        };
        assert_eq!(
            Signal::parse(
                attrs(&[("type", "offer"), ("id", "h1"), ("patron", "p@x"), ("name", "Anna\nB"), ("note", "hi")]),
                ""
            ),
            Some(Signal::Offer {
                id: "h1".into(),
                patron: "p@x".into(),
                from_name: "Anna B".into(),
                note: "hi".into()
            })
        );
        assert_eq!(Signal::parse(attrs(&[("type", "done"), ("id", "h1")]), ""), Some(Signal::Done { id: "h1".into() }));
        assert_eq!(
            Signal::parse(attrs(&[("type", "followup-answered"), ("id", "h2"), ("followup", "sid:abc")]), ""),
            Some(Signal::FollowUpAnswered { id: "h2".into(), followup: "sid:abc".into() })
        );
        assert_eq!(Signal::parse(attrs(&[("type", "followup-answered"), ("id", "h2")]), ""), None, "which one?");
        assert_eq!(
            Signal::parse(attrs(&[("type", "followup-answered"), ("id", "h2"), ("followup", "a\nb")]), ""),
            None,
            "control characters"
        );
        assert_eq!(Signal::parse(attrs(&[("type", "offer"), ("id", "h1")]), ""), None, "no patron");
        assert_eq!(Signal::parse(attrs(&[("type", "offer"), ("id", "h1"), ("patron", "nobody")]), ""), None);
        assert_eq!(Signal::parse(attrs(&[("type", "explode"), ("id", "h1")]), ""), None);
        assert_eq!(Signal::parse(attrs(&[("type", "done")]), ""), None, "no id");
        assert_eq!(
            Signal::parse(attrs(&[("type", "note"), ("id", "n1"), ("patron", "p@x"), ("name", "Anna")]), " a\nb\u{7} "),
            Some(Signal::Note { id: "n1".into(), patron: "p@x".into(), from_name: "Anna".into(), text: "a\nb".into() })
        );
        assert_eq!(Signal::parse(attrs(&[("type", "note"), ("id", "n1"), ("patron", "p@x")]), "  "), None, "empty");
        let long_id: &'static str = Box::leak("i".repeat(65).into_boxed_str());
        let pairs: &'static [(&str, &str)] = Box::leak(vec![("type", "done"), ("id", long_id)].into_boxed_slice());
        assert_eq!(Signal::parse(attrs(pairs), ""), None, "oversized id");

        let card = DeskCard::received(&"n".repeat(500), "law\u{0}");
        assert_eq!((card.name.chars().count(), card.subjects.as_str()), (MAX_NAME_CHARS, "law"));
        assert!(DeskCard::new(&"n".repeat(81), "").unwrap_err().contains("keep it to 80"));
        assert_eq!(
            DeskCard::new("  Maria\n", " business ").unwrap(),
            DeskCard { name: "Maria".into(), subjects: "business".into() }
        );
    }
}
