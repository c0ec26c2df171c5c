//! One XMPP client stream without I/O: what the server sent goes in (`handle`, with the time),
//! what to write comes out (`poll_write`), and the link's keepalive says when it next needs a look
//! (`poll_timeout` / `handle_timeout`). Stream management counting, archive and roster queries,
//! carbons and forged-stanza checks live here; `Session` only moves bytes and waits.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub use super::resume::Detached;
use super::roster::{RosterItem, NS_ROSTER};
use super::sm::{StreamMgmt, NS_SM};
use super::stanza::{parse_message, parse_presence};
pub use super::stanza::{Carbon, ChatMessage, PresenceUpdate};
use super::xep::chatstates::{self, ChatState};
use super::xep::im::{self, IqType, MessageType, NS_CLIENT};
use super::xep::mam::NS_RSM;
use super::xep::{carbons, csi, delay, forward, hints, mam, ping, receipts, refdesk, sid};
use super::xml::{Element, StreamItem, XmlError, NS_STREAM};

pub use super::xep::carbons::NS as NS_CARBONS;
pub use super::xep::chatstates::NS as NS_CHATSTATES;
pub use super::xep::csi::NS as NS_CSI;
pub use super::xep::mam::NS as NS_MAM;
pub use super::xep::ping::NS as NS_PING;
pub use super::xep::refdesk::{NS_AUTO_REPLY, NS_PLACE};
pub use super::xep::sid::NS as NS_SID;

/// The most archived messages asked for in one page.
pub const ARCHIVE_PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Message(ChatMessage),
    Presence(PresenceUpdate),
    /// The answer to one of our IQs (a ping): `error` holds the condition if it failed.
    IqResponse {
        id: String,
        from: Option<String>,
        error: Option<String>,
    },
    /// The end of one page of an archive query: `last` is where the next page starts; `complete`
    /// says there is none.
    ArchivePage {
        query: String,
        complete: bool,
        last: Option<String>,
    },
    /// The server now holds these messages of ours (XEP-0198 acknowledgement), by id.
    Acked {
        ids: Vec<String>,
    },
    /// The account's whole roster, answering `request_roster`.
    Roster {
        items: Vec<RosterItem>,
    },
    /// The server changed one contact (RFC 6121 roster push; `RosterItem::removed` when it is gone).
    /// Only believed from our own account: anyone else sending one is forging it.
    RosterPush {
        item: RosterItem,
    },
    /// Someone asks to see the account's presence (RFC 6121 subscription request): a patron
    /// putting the library on their buddy list. `from` is their bare address.
    SubscriptionRequest {
        from: String,
    },
    /// The server closed the stream (shutdown, conflict, another login took our resource).
    Closed {
        reason: Option<String>,
    },
}

/// What the desk shows on an account (RFC 6121 `<show/>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Show {
    Available,
    Away,
    ExtendedAway,
    DoNotDisturb,
}

impl Show {
    /// The `<show/>` value (RFC 6121 4.7.2.1); none for plain available.
    fn wire(self) -> Option<&'static str> {
        match self {
            Show::Available => None,
            Show::Away => Some("away"),
            Show::ExtendedAway => Some("xa"),
            Show::DoNotDisturb => Some("dnd"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("the connection dropped: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Ack(#[from] super::sm::AckTooHigh),
    #[error(transparent)]
    Unacknowledged(#[from] super::sm::Unacknowledged),
}

/// The stream's state: who we are, what we asked and wait for, what is owed to the server.
pub struct Stream {
    jid: String,
    next_id: u64,
    /// Archive queries under way: results are believed only for these.
    archive_queries: Vec<String>,
    /// Our roster request under way: only its answer is taken as the roster.
    roster_query: Option<String>,
    /// The server offers client state indication (XEP-0352).
    pub(super) csi: bool,
    /// Stream management (XEP-0198), when the server enabled it.
    pub(super) sm: Option<StreamMgmt>,
    /// What is to be written, in order.
    out: VecDeque<String>,
    keepalive: Option<Keepalive>,
}

/// Pinging a quiet server: a link that died without a FIN (Wi-Fi gone, a laptop asleep) only
/// shows as silence.
#[derive(Debug, Clone, Copy)]
struct Keepalive {
    /// Ping after this long without a word from the server…
    every: Duration,
    /// …and give the link up if the answer takes longer than this.
    within: Duration,
    heard: Instant,
    /// When a ping is out: by when anything must have come.
    answer_by: Option<Instant>,
}

/// The server did not answer a ping in time: the link is dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server stopped answering")]
pub struct Silent;

impl Stream {
    pub fn new(jid: String) -> Stream {
        Stream {
            jid,
            next_id: 0,
            archive_queries: Vec::new(),
            roster_query: None,
            csi: false,
            sm: None,
            out: VecDeque::new(),
            keepalive: None,
        }
    }

    /// Our full JID as the server bound it.
    pub fn jid(&self) -> &str {
        &self.jid
    }

    pub fn bare_jid(&self) -> &str {
        bare(&self.jid)
    }

    /// The next thing to write to the server, in order.
    pub fn poll_write(&mut self) -> Option<String> {
        self.out.pop_front()
    }

    /// Pings the server after `every` of silence and gives the link up when a ping goes
    /// unanswered for `within`; counted from `now`.
    pub fn keep_alive(&mut self, every: Duration, within: Duration, now: Instant) {
        self.keepalive = Some(Keepalive { every, within, heard: now, answer_by: None });
    }

    /// When `handle_timeout` next has something to do (none without a keepalive).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.keepalive.map(|k| k.answer_by.unwrap_or(k.heard + k.every))
    }

    /// The time came: a quiet server is pinged; one that left a ping unanswered is given up.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Silent> {
        let Some(k) = self.keepalive else { return Ok(()) };
        match k.answer_by {
            Some(by) if now >= by => Err(Silent),
            Some(_) => Ok(()),
            None if now >= k.heard + k.every => {
                self.ping_now(now, k.within);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// The machine woke or its network changed: the link is checked now, the answer awaited at
    /// most `within` (a ping already out keeps the earlier of the two deadlines).
    pub fn check_link(&mut self, now: Instant, within: Duration) {
        let Some(k) = self.keepalive else { return };
        let within = k.within.min(within);
        match k.answer_by {
            Some(earlier) => self.keepalive = Some(Keepalive { answer_by: Some(earlier.min(now + within)), ..k }),
            None => self.ping_now(now, within),
        }
    }

    fn ping_now(&mut self, now: Instant, within: Duration) {
        // (A stream that cannot take even a ping is found dead at the deadline.)
        let _ = self.send_ping(None);
        if let Some(k) = &mut self.keepalive {
            k.answer_by = Some(now + within);
        }
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("rd-{}-{}", super::scram::new_nonce().replace(['+', '/', '='], ""), self.next_id)
    }

    /// Sends a chat message; returns its id (also sent as XEP-0359 origin-id, for deduplication).
    pub fn send_message(&mut self, to: &str, body: &str) -> Result<String, SessionError> {
        let id = new_message_id();
        self.send_message_with_id(to, body, &id, false)?;
        Ok(id)
    }

    /// Sends a chat message under an id chosen before (a stored reply keeps its id when resent, so
    /// the patron's client can tell a resend from a new message).
    /// `auto` marks a desk rule's automatic reply.
    pub fn send_message_with_id(&mut self, to: &str, body: &str, id: &str, auto: bool) -> Result<(), SessionError> {
        let message = im::message(MessageType::Chat, to, Some(id))
            .with_child(im::body(body))
            .with_child(sid::origin_id(id))
            .with_child(chatstates::state(ChatState::Active))
            .with_child(receipts::request())
            .with_children(auto.then(refdesk::auto_reply));
        self.write_stanza(&message, Some(id))?;
        if self.sm.is_some() {
            // Ask for an acknowledgement now: the message counts as sent only once the server has it.
            self.ask_ack()?;
        }
        Ok(())
    }

    /// Writes one stanza, keeping a copy for resending until the server acknowledges it (when the
    /// stream is managed). `message_id` names the stored message it carries.
    fn write_stanza(&mut self, stanza: &Element, message_id: Option<&str>) -> Result<(), SessionError> {
        self.write_xml(&stanza.to_xml(), message_id)
    }

    fn write_xml(&mut self, xml: &str, message_id: Option<&str>) -> Result<(), SessionError> {
        let ask = match &mut self.sm {
            Some(sm) => {
                sm.send(xml, message_id)?;
                message_id.is_none() && sm.time_to_ask()
            }
            None => false,
        };
        self.out.push_back(xml.to_owned());
        if ask {
            self.ask_ack()?;
        }
        Ok(())
    }

    fn ask_ack(&mut self) -> Result<(), SessionError> {
        self.out.push_back(super::sm::request().to_xml());
        Ok(())
    }

    /// Stream management is on: a message counts as sent when `Incoming::Acked` names it, not when written.
    pub fn acknowledges(&self) -> bool {
        self.sm.is_some()
    }

    /// The desk has stored the received message at `seq` (`ChatMessage::stream_seq`) and all before
    /// it: from now on they are acknowledged to the server.
    pub fn stored(&mut self, seq: u32) -> Result<(), SessionError> {
        let owed = self.sm.as_mut().is_some_and(|sm| sm.stored(seq));
        if owed {
            self.acknowledge()?;
        }
        Ok(())
    }

    /// Tells the server how many of its stanzas the desk has handled (`<a/>`).
    fn acknowledge(&mut self) -> Result<(), SessionError> {
        let Some(sm) = &mut self.sm else { return Ok(()) };
        let h = sm.report();
        self.out.push_back(super::sm::ack(h).to_xml());
        Ok(())
    }

    /// Gives up the connection without ending the stream, so a later connection can resume it
    /// (`connect::resume`). `None` when there is nothing to resume.
    pub fn detach(self) -> Option<Detached> {
        let sm = self.sm?;
        Some(Detached::new(self.jid, sm))
    }

    /// Messages the server never confirmed, when a stream is dropped for good.
    pub fn into_unsent(self) -> Vec<String> {
        self.sm.map(StreamMgmt::into_unsent).unwrap_or_default()
    }

    /// Tells the server whether anyone is looking (XEP-0352): while inactive (the window hidden to
    /// the tray) it may hold back what can wait, such as presence and typing, and deliver messages
    /// at once. Nothing is sent to a server that does not offer it; true if it was sent.
    pub fn set_client_active(&mut self, active: bool) -> Result<bool, SessionError> {
        if !self.csi {
            return Ok(false);
        }
        self.out.push_back(csi::state(active).to_xml());
        Ok(true)
    }

    /// Tells `to` (a full JID: the device that sent it) that their message `id` has been received
    /// and stored (XEP-0184).
    pub fn send_receipt(&mut self, to: &str, id: &str) -> Result<(), SessionError> {
        let own = new_message_id();
        let receipt = Element::new("message", NS_CLIENT)
            .with_attr("to", to)
            .with_attr("id", own)
            .with_child(receipts::received(id));
        self.write_stanza(&receipt, None)?;
        Ok(())
    }

    /// Tells a patron their place in line (0: no longer waiting) and the expected wait, as the
    /// payload the web chat reads (`NS_PLACE`, documented in `docs/web-chat.md`). No body, so other
    /// clients show nothing; not to be stored, so it never piles up in archives or offline storage.
    pub fn send_place(&mut self, to: &str, place: u32, wait_secs: u32) -> Result<(), SessionError> {
        let message = im::message(MessageType::Chat, to, Some(&new_message_id()))
            .with_child(refdesk::place(place, wait_secs))
            .with_child(hints::no_store());
        self.write_stanza(&message, None)?;
        Ok(())
    }

    /// This desk's presence for everyone subscribed to the account. An open desk has priority 1
    /// and a busy or away one 0, so the server (and a web status page reading the top resource)
    /// sees the account as open when any desk is. No desk card here: subscribers may be patrons,
    /// and who staffs a desk is for the other desks only (`send_card`).
    pub fn send_presence(&mut self, show: Show, status: Option<&str>) -> Result<(), SessionError> {
        let priority = u8::from(show == Show::Available);
        self.write_stanza(&im::presence(None, show.wire(), status, Some(priority)), None)
    }

    /// Tells another desk of this account (`to`: its full JID) who staffs this one and whether
    /// its librarian is on duty: a directed presence with the desk card, which only that desk
    /// receives.
    pub fn send_card(
        &mut self,
        to: &str,
        show: Show,
        status: Option<&str>,
        card: &crate::handoff::DeskCard,
        on_duty: bool,
    ) -> Result<(), SessionError> {
        let presence = im::presence(Some(to), show.wire(), status, None).with_child(refdesk::desk_card(card, on_duty));
        self.write_stanza(&presence, None)
    }

    /// Sends a handoff signal to another desk on this account (`to`: its full JID). Kept out of the
    /// archive and of carbon copies: it is between two desks, not part of any conversation.
    pub fn send_handoff(&mut self, to: &str, signal: &crate::handoff::Signal) -> Result<(), SessionError> {
        let message = im::message(MessageType::Normal, to, Some(&new_message_id()))
            .with_child(refdesk::handoff(signal))
            .with_child(hints::no_store())
            .with_child(hints::no_copy())
            .with_child(carbons::private());
        self.write_stanza(&message, None)
    }

    /// Tells `to` whether the librarian is typing (XEP-0085 `composing`, else `paused`); marked
    /// not to be archived, since it means nothing later.
    pub fn send_typing(&mut self, to: &str, typing: bool) -> Result<(), SessionError> {
        let state = if typing { ChatState::Composing } else { ChatState::Paused };
        let message =
            im::message(MessageType::Chat, to, None).with_child(chatstates::state(state)).with_child(hints::no_store());
        self.write_stanza(&message, None)?;
        Ok(())
    }

    /// Asks the server for XEP-0280 carbons: copies of what our other resources (other desks on a
    /// shared account) receive and send. The answer comes as an `Incoming::IqResponse` with the id returned.
    pub fn enable_carbons(&mut self) -> Result<String, SessionError> {
        let id = self.new_id();
        self.write_stanza(&carbons::enable(&id), None)?;
        Ok(id)
    }

    /// Asks our archive (XEP-0313) for one page of messages after archive id `after`, or, with none,
    /// since `since`. Results come as `Incoming::Message` (with our server's stanza-id and `sent_at`),
    /// then `Incoming::ArchivePage` with the returned query id.
    pub fn query_archive(
        &mut self,
        after: Option<&str>,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<String, SessionError> {
        let id = self.new_id();
        self.write_stanza(&mam::query(&id, after, since, ARCHIVE_PAGE), None)?;
        self.archive_queries.push(id.clone());
        Ok(id)
    }

    /// Asks for the account's roster; it comes as `Incoming::Roster` (or, if refused, as an
    /// `Incoming::IqResponse` with the error and the id returned).
    pub fn request_roster(&mut self) -> Result<String, SessionError> {
        let id = self.new_id();
        self.write_stanza(&im::iq(IqType::Get, &id, None).with_child(Element::new("query", NS_ROSTER)), None)?;
        self.roster_query = Some(id.clone());
        Ok(id)
    }

    /// Adds or changes a contact on the roster (name and groups); the server confirms with an
    /// `Incoming::IqResponse` for the id returned, and pushes the change as `Incoming::RosterPush`.
    pub fn set_roster_item(&mut self, jid: &str, name: Option<&str>, groups: &[&str]) -> Result<String, SessionError> {
        let id = self.new_id();
        let query = super::roster::set_query(jid, name, groups);
        self.write_stanza(&im::iq(IqType::Set, &id, None).with_child(query), None)?;
        Ok(id)
    }

    /// Sends one stanza exactly as given. For tools and tests that speak what this module does not
    /// model; the caller answers for it being one well-formed stanza.
    pub fn send_raw(&mut self, stanza: &str) -> Result<(), SessionError> {
        self.write_xml(stanza, None)
    }

    /// Sends one stanza built from typed parts.
    pub fn send_element(&mut self, stanza: &Element) -> Result<(), SessionError> {
        self.write_stanza(stanza, None)
    }

    /// Answers someone's request to see the account's presence: allowed, they see the desk come
    /// and go from now on; refused, their client stops waiting for an answer.
    pub fn answer_subscription(&mut self, to: &str, allow: bool) -> Result<(), SessionError> {
        let kind = if allow { "subscribed" } else { "unsubscribed" };
        self.write_stanza(&im::subscription(kind, to), None)
    }

    /// Asks to see a contact's presence (RFC 6121 subscription request).
    pub fn request_subscription(&mut self, to: &str) -> Result<(), SessionError> {
        self.write_stanza(&im::subscription("subscribe", to), None)
    }

    /// Subscribes to a contact's presence both ways: lets them see ours, asks to see theirs.
    pub fn subscribe(&mut self, to: &str) -> Result<(), SessionError> {
        self.answer_subscription(to, true)?;
        self.request_subscription(to)
    }

    /// XEP-0199 ping to the server (`to` = None) or an entity; the answer comes as `Incoming::IqResponse`.
    pub fn send_ping(&mut self, to: Option<&str>) -> Result<String, SessionError> {
        let id = self.new_id();
        self.write_stanza(&ping::ping(&id, to), None)?;
        Ok(id)
    }

    /// Makes sense of what the server sent (`None`: the stream ended) at `now`: `None` when it is
    /// nothing for the caller (answered, queued in `poll_write`, or ignored), else the message,
    /// presence, answer or end of stream.
    pub fn handle(
        &mut self,
        item: Option<Result<StreamItem, XmlError>>,
        now: Instant,
    ) -> Result<Option<Incoming>, SessionError> {
        // Anything from the server, even nonsense, shows the link is alive.
        if let Some(k) = &mut self.keepalive {
            k.heard = now;
            k.answer_by = None;
        }
        let el = match item {
            Some(Ok(StreamItem::Stanza(el))) => el,
            Some(Ok(StreamItem::Header(_))) => return Ok(None),
            Some(Ok(StreamItem::End)) | None => return Ok(Some(Incoming::Closed { reason: None })),
            Some(Err(e)) => return Err(e.into()),
        };
        if el.is("error", NS_STREAM) {
            return Ok(Some(Incoming::Closed { reason: el.elements().next().map(|c| c.name.clone()) }));
        }
        if el.ns == NS_SM {
            if let Some(acked) = self.stream_management(&el)? {
                return Ok(Some(acked));
            }
            return Ok(None);
        }
        if el.ns != NS_CLIENT {
            return Ok(None);
        }
        let seq = match (&mut self.sm, el.name.as_str()) {
            (Some(sm), "message" | "presence" | "iq") => Some(sm.receive()),
            _ => None,
        };
        match el.name.as_str() {
            "message" => {
                if let Some(mut m) = self.unwrap_message(&el) {
                    if let (Some(sm), Some(seq)) = (&mut self.sm, seq) {
                        sm.hold(seq);
                        m.stream_seq = Some(seq);
                    }
                    return Ok(Some(Incoming::Message(m)));
                }
            }
            "presence" => {
                if el.attr("type") == Some("subscribe") {
                    let from = el.attr("from").map(bare).filter(|f| !f.is_empty() && f.contains('@'));
                    if let Some(from) = from {
                        return Ok(Some(Incoming::SubscriptionRequest { from: from.to_owned() }));
                    }
                    return Ok(None);
                }
                if let Some(p) = parse_presence(&el) {
                    return Ok(Some(Incoming::Presence(p)));
                }
            }
            "iq" => match el.attr("type") {
                Some(kind @ ("result" | "error")) => {
                    let Some(id) = el.attr("id") else { return Ok(None) };
                    if let Some(page) = self.archive_page(&el, kind, id) {
                        return Ok(Some(page));
                    }
                    if kind == "result" && self.roster_query.as_deref() == Some(id) && self.is_from_own_account(&el) {
                        self.roster_query = None;
                        let items = el.child("query", NS_ROSTER).map(super::roster::parse_items).unwrap_or_default();
                        return Ok(Some(Incoming::Roster { items }));
                    }
                    let error = (kind == "error").then(|| {
                        el.child("error", NS_CLIENT)
                            .and_then(|e| e.elements().next())
                            .map(|c| c.name.clone())
                            .unwrap_or_else(|| "error".into())
                    });
                    return Ok(Some(Incoming::IqResponse {
                        id: id.to_owned(),
                        from: el.attr("from").map(str::to_owned),
                        error,
                    }));
                }
                Some("set") if el.child("query", NS_ROSTER).is_some() => return self.roster_push(&el),
                _ => self.answer_iq(&el)?,
            },
            _ => {}
        }
        Ok(None)
    }

    /// An acknowledgement request (answered with what the desk has stored) or an acknowledgement
    /// (returned as `Acked` when it confirms messages).
    fn stream_management(&mut self, el: &Element) -> Result<Option<Incoming>, SessionError> {
        let Some(sm) = &mut self.sm else { return Ok(None) };
        match el.name.as_str() {
            "r" => {
                self.acknowledge()?;
                Ok(None)
            }
            "a" => {
                let Some(h) = el.attr("h").and_then(|h| h.parse::<u32>().ok()) else { return Ok(None) };
                let ids = sm.ack(h)?;
                Ok((!ids.is_empty()).then_some(Incoming::Acked { ids }))
            }
            _ => Ok(None),
        }
    }

    /// The end of one of our archive queries (a result with `<fin/>`, or an error), else `None`.
    fn archive_page(&mut self, iq: &Element, kind: &str, id: &str) -> Option<Incoming> {
        let at = self.archive_queries.iter().position(|q| q == id)?;
        self.archive_queries.remove(at);
        if !self.is_from_own_account(iq) {
            return None;
        }
        let fin = iq.child("fin", NS_MAM);
        // An error ends the catch-up as if complete: retrying a refused query would only loop.
        let complete = kind == "error" || fin.is_none_or(|f| matches!(f.attr("complete"), Some("true" | "1")));
        let last = fin.and_then(|f| f.child("set", NS_RSM)).and_then(|s| s.child("last", NS_RSM)).map(Element::text);
        Some(Incoming::ArchivePage { query: id.to_owned(), complete, last })
    }

    /// A roster push: confirmed and returned when it comes from our own account (RFC 6121 2.1.6);
    /// from anyone else it is a forgery (the CVE-2015-8688 class: a stranger renaming or adding
    /// contacts) and is refused without a change.
    fn roster_push(&mut self, iq: &Element) -> Result<Option<Incoming>, SessionError> {
        let id = iq.attr("id").unwrap_or_default();
        if !self.is_from_own_account(iq) {
            tracing::warn!("refused a roster push that did not come from our own account (forged)");
            self.write_stanza(&im::service_unavailable(id, iq.attr("from")), None)?;
            return Ok(None);
        }
        self.write_stanza(&im::iq(IqType::Result, id, None), None)?;
        let item = iq.child("query", NS_ROSTER).and_then(|q| super::roster::parse_items(q).into_iter().next());
        Ok(item.map(|item| Incoming::RosterPush { item }))
    }

    /// Stanzas about our own account (carbons, archive results) must come from it, or from the
    /// server on its behalf (no `from`).
    fn is_from_own_account(&self, el: &Element) -> bool {
        el.attr("from").is_none_or(|f| f == self.bare_jid())
    }

    /// A message as it came, or the message inside a carbon. A carbon is only believed from our own
    /// bare JID: anyone else sending one is forging a message "from" a third party, and is dropped.
    fn unwrap_message(&self, el: &Element) -> Option<ChatMessage> {
        if let Some(result) = el.child("result", NS_MAM) {
            return self.archived_message(el, result);
        }
        let carbon = el.elements().find(|c| c.ns == NS_CARBONS && matches!(c.name.as_str(), "received" | "sent"));
        let Some(wrapper) = carbon else { return parse_message(el) };
        if !self.is_from_own_account(el) {
            tracing::warn!("dropped a carbon copy that did not come from our own account (forged)");
            return None;
        }
        let inner = forward::message(forward::forwarded(wrapper)?)?;
        let mut m = parse_message(inner)?;
        m.carbon = Some(if wrapper.name == "sent" { Carbon::Sent } else { Carbon::Received });
        Some(m)
    }

    /// One message of an archive page: only from our own account and for a query we made.
    fn archived_message(&self, el: &Element, result: &Element) -> Option<ChatMessage> {
        let ours = self.is_from_own_account(el)
            && result.attr("queryid").is_some_and(|q| self.archive_queries.iter().any(|a| a == q));
        if !ours {
            tracing::warn!("dropped an archive result we did not ask for (forged or stale)");
            return None;
        }
        let archive_id = result.attr("id")?;
        let forwarded = forward::forwarded(result)?;
        let mut m = parse_message(forward::message(forwarded)?)?;
        m.sent_at = delay::stamp_of(forwarded);
        m.from_archive = true;
        // The archive id is our server's stanza-id for this message: the same key a live copy has.
        let own = self.bare_jid().to_owned();
        m.stanza_ids.retain(|(by, _)| by != &own);
        m.stanza_ids.push((own.clone(), archive_id.to_owned()));
        // What this account sent (from this desk or another) is our side of the conversation.
        if bare(&m.from) == own {
            m.carbon = Some(Carbon::Sent);
        }
        Some(m)
    }

    fn answer_iq(&mut self, iq: &Element) -> Result<(), SessionError> {
        let (Some(kind), Some(id)) = (iq.attr("type"), iq.attr("id")) else { return Ok(()) };
        let to = iq.attr("from");
        let reply = match kind {
            "get" if iq.child("ping", NS_PING).is_some() => ping::pong(id, to),
            // RFC 6120 8.2.3: a request we do not understand gets an error, never silence.
            "get" | "set" => im::service_unavailable(id, to),
            _ => return Ok(()),
        };
        self.write_stanza(&reply, None)
    }
}

/// A fresh message id: random, so ids from several desks on one account never collide.
pub fn new_message_id() -> String {
    format!("rd-{}", super::scram::new_nonce().replace(['+', '/', '='], ""))
}

pub fn bare(jid: &str) -> &str {
    jid.split('/').next().unwrap_or(jid)
}

/// The stream in virtual time: instants made up, nothing on a network.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::xml::read_stanza;

    const ME: &str = "ask@library.test/desk-1";

    fn stanza(xml: &str) -> Option<Result<StreamItem, XmlError>> {
        Some(Ok(StreamItem::Stanza(read_stanza(xml))))
    }

    fn written(s: &mut Stream) -> Vec<String> {
        std::iter::from_fn(|| s.poll_write()).collect()
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn a_quiet_server_is_pinged_and_given_up_when_the_ping_goes_unanswered() {
        let t0 = Instant::now();
        let mut s = Stream::new(ME.into());
        assert_eq!(s.poll_timeout(), None, "no keepalive, no timer");
        s.keep_alive(secs(60), secs(10), t0);
        assert_eq!(s.poll_timeout(), Some(t0 + secs(60)));
        // Woken early (a spurious timer): nothing to do yet.
        assert_eq!(s.handle_timeout(t0 + secs(30)), Ok(()));
        assert!(written(&mut s).is_empty());
        assert_eq!(s.handle_timeout(t0 + secs(60)), Ok(()));
        let ping = written(&mut s);
        assert!(ping.len() == 1 && ping[0].contains("<ping xmlns='urn:xmpp:ping'/>"), "{ping:?}");
        assert_eq!(s.poll_timeout(), Some(t0 + secs(70)));
        assert_eq!(s.handle_timeout(t0 + secs(69)), Ok(()));
        assert_eq!(s.handle_timeout(t0 + secs(70)), Err(Silent));
    }

    #[test]
    fn anything_the_server_sends_answers_for_the_link() {
        let t0 = Instant::now();
        let mut s = Stream::new(ME.into());
        s.keep_alive(secs(60), secs(10), t0);
        s.handle_timeout(t0 + secs(60)).unwrap();
        written(&mut s);
        // Not the ping's answer: a patron's message does as well.
        let m =
            s.handle(stanza("<message from='p@library.test/x' type='chat'><body>hi</body></message>"), t0 + secs(65));
        assert!(matches!(m, Ok(Some(Incoming::Message(_)))));
        assert_eq!(s.poll_timeout(), Some(t0 + secs(125)));
        assert_eq!(s.handle_timeout(t0 + secs(70)), Ok(()));
        assert!(written(&mut s).is_empty());
    }

    #[test]
    fn a_wake_up_checks_the_link_at_once_and_waits_less_for_the_answer() {
        let t0 = Instant::now();
        let mut s = Stream::new(ME.into());
        s.keep_alive(secs(60), secs(30), t0);
        s.check_link(t0 + secs(5), secs(5));
        assert_eq!(written(&mut s).len(), 1, "one ping");
        assert_eq!(s.poll_timeout(), Some(t0 + secs(10)));
        // A second signal while the ping is out: no second ping, the earlier deadline stays.
        s.check_link(t0 + secs(6), secs(5));
        assert!(written(&mut s).is_empty());
        assert_eq!(s.poll_timeout(), Some(t0 + secs(10)));
        assert_eq!(s.handle_timeout(t0 + secs(10)), Err(Silent));
    }

    #[test]
    fn the_server_is_told_only_what_the_desk_has_stored() {
        let t = Instant::now();
        let mut s = Stream::new(ME.into());
        s.sm = Some(StreamMgmt::new(None));
        let m = s.handle(stanza("<message from='p@library.test/x' type='chat'><body>one</body></message>"), t);
        let Ok(Some(Incoming::Message(m))) = m else { panic!("{m:?}") };
        assert_eq!(m.stream_seq, Some(1));
        // Asked before the desk stored it: the message is not counted.
        s.handle(stanza("<r xmlns='urn:xmpp:sm:3'/>"), t).unwrap();
        assert_eq!(written(&mut s), ["<a xmlns='urn:xmpp:sm:3' h='0'/>"]);
        s.stored(1).unwrap();
        assert_eq!(written(&mut s), ["<a xmlns='urn:xmpp:sm:3' h='1'/>"]);
    }

    #[test]
    fn a_message_sent_on_a_managed_stream_counts_as_sent_when_the_server_acknowledges_it() {
        let t = Instant::now();
        let mut s = Stream::new(ME.into());
        s.sm = Some(StreamMgmt::new(None));
        s.send_message_with_id("p@library.test", "a <b> & c", "m1", false).unwrap();
        let out = written(&mut s);
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].contains("<body>a &lt;b&gt; &amp; c</body>") && out[0].contains("id='m1'"), "{out:?}");
        assert_eq!(out[1], "<r xmlns='urn:xmpp:sm:3'/>");
        let acked = s.handle(stanza("<a xmlns='urn:xmpp:sm:3' h='1'/>"), t).unwrap();
        assert_eq!(acked, Some(Incoming::Acked { ids: vec!["m1".into()] }));
        // More than was ever sent: the stream cannot be trusted.
        assert!(matches!(s.handle(stanza("<a xmlns='urn:xmpp:sm:3' h='5'/>"), t), Err(SessionError::Ack(_))));
    }

    #[test]
    fn forged_copies_and_roster_pushes_from_strangers_are_refused() {
        let t = Instant::now();
        let mut s = Stream::new(ME.into());
        let carbon = "<message from='mallory@evil.test'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
                      <message xmlns='jabber:client' from='p@library.test/x' type='chat'><body>x</body></message></forwarded></received></message>";
        assert_eq!(s.handle(stanza(carbon), t).unwrap(), None);
        let push = "<iq type='set' id='p1' from='mallory@evil.test'><query xmlns='jabber:iq:roster'><item jid='x@y.test'/></query></iq>";
        assert_eq!(s.handle(stanza(push), t).unwrap(), None);
        let out = written(&mut s);
        assert!(out.len() == 1 && out[0].contains("type='error'") && out[0].contains("id='p1'"), "{out:?}");
        // From our own account it is believed and confirmed.
        let own = "<iq type='set' id='p2' from='ask@library.test'><query xmlns='jabber:iq:roster'><item jid='x@y.test'/></query></iq>";
        assert!(matches!(s.handle(stanza(own), t).unwrap(), Some(Incoming::RosterPush { .. })));
        assert_eq!(written(&mut s), ["<iq type='result' id='p2'/>"]);
    }

    #[test]
    fn archive_results_count_only_for_queries_we_made() {
        let t = Instant::now();
        let mut s = Stream::new(ME.into());
        let result = |q: &str| {
            format!(
                "<message from='ask@library.test'><result xmlns='urn:xmpp:mam:2' queryid='{q}' id='A1'>\
                 <forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2026-12-01T10:00:00Z'/>\
                 <message xmlns='jabber:client' from='p@library.test/x' to='ask@library.test' type='chat'><body>old</body></message>\
                 </forwarded></result></message>"
            )
        };
        assert_eq!(s.handle(stanza(&result("nobody-asked")), t).unwrap(), None);
        let q = s.query_archive(None, None).unwrap();
        written(&mut s);
        let Some(Incoming::Message(m)) = s.handle(stanza(&result(&q)), t).unwrap() else { panic!("not taken") };
        assert!(m.from_archive && m.body.as_deref() == Some("old"));
        let fin = format!(
            "<iq type='result' id='{q}'><fin xmlns='urn:xmpp:mam:2' complete='true'>\
             <set xmlns='http://jabber.org/protocol/rsm'><last>A1</last></set></fin></iq>"
        );
        let page = s.handle(stanza(&fin), t).unwrap();
        assert_eq!(page, Some(Incoming::ArchivePage { query: q, complete: true, last: Some("A1".into()) }));
    }

    #[test]
    fn the_place_payload_has_no_body_is_not_stored_and_escapes_the_address() {
        let mut s = Stream::new("ask@library.test/desk".into());
        s.send_place("o'neil@guest.lib/<r>", 2, 480).unwrap();
        let x = written(&mut s).concat();
        assert!(x.contains("to='o&apos;neil@guest.lib/&lt;r&gt;'"), "{x}");
        assert!(x.contains("<place xmlns='urn:x-refdesk:place:0' place='2' wait='480'/>"), "{x}");
        assert!(x.contains("<no-store xmlns='urn:xmpp:hints'/>") && !x.contains("<body"), "{x}");
    }
}
