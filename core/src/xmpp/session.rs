//! An open session: send messages and presence, receive them as typed events, answer the server's pings.

use tokio::io::{ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::connect::{send, NS_CLIENT};
use super::roster::{RosterItem, NS_ROSTER};
use super::sm::{StreamMgmt, NS_SM};
#[cfg(feature = "fuzzing")]
pub(crate) use super::stanza::parse_for_fuzzing;
use super::stanza::{delay_stamp, parse_message, parse_presence, NS_FORWARD};
pub use super::stanza::{Carbon, ChatMessage, PresenceUpdate};
use super::xml::{escape, Element, StreamItem, StreamReader, XmlError, NS_STREAM};

type Tls = tokio_rustls::client::TlsStream<TcpStream>;

pub const NS_PING: &str = "urn:xmpp:ping";
pub const NS_SID: &str = "urn:xmpp:sid:0";
pub const NS_CHATSTATES: &str = "http://jabber.org/protocol/chatstates";
pub(crate) const NS_RECEIPTS: &str = "urn:xmpp:receipts";
/// A patron's place in line, from the desk (Refdesk's own; see `docs/web-chat.md`).
pub const NS_PLACE: &str = "urn:x-refdesk:place:0";
const NS_HINTS: &str = "urn:xmpp:hints";
/// Marks the desk rules' automatic replies, so the other desks on the account can tell them from a
/// librarian's answer (a private namespace: other clients ignore the element).
pub const NS_AUTO_REPLY: &str = "urn:x-refdesk:auto-reply:0";
pub const NS_CSI: &str = "urn:xmpp:csi:0";
pub const NS_CARBONS: &str = "urn:xmpp:carbons:2";
pub const NS_MAM: &str = "urn:xmpp:mam:2";
const NS_RSM: &str = "http://jabber.org/protocol/rsm";
const NS_DATA: &str = "jabber:x:data";

/// How long `Session::close` waits for the server to end the stream.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The most archived messages asked for in one page.
pub const ARCHIVE_PAGE: u32 = 50;
const NS_STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";

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

/// One thing the server sent, from `Session::recv`, for `Session::handle`.
#[derive(Debug)]
pub struct Received(Option<Result<StreamItem, XmlError>>);

/// The task reading the server's stream; stopped with the session.
struct ReadTask(tokio::task::AbortHandle);

impl Drop for ReadTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Acknowledges what the server sends at once instead of after the kernel's delay.
///
/// A server that keeps Nagle's algorithm on (Prosody's default) holds back each small write until
/// the one before it is acknowledged, and Linux delays an acknowledgement by up to 40 ms when the
/// receiver has nothing to send back. A desk receiving many patrons' messages then waits 40 ms now
/// and then: measured at 50 patrons, p99 31 ms against the server's own 14 ms, 15 ms with Nagle
/// off on the server. TCP_QUICKACK does not stick, so it is asked for again after every read.
#[derive(Clone, Copy)]
pub(super) struct QuickAck(#[cfg(target_os = "linux")] std::os::fd::RawFd);

impl QuickAck {
    pub(super) fn of(tcp: &TcpStream) -> QuickAck {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            QuickAck(tcp.as_raw_fd())
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = tcp;
            QuickAck()
        }
    }

    fn arm(self) {
        #[cfg(target_os = "linux")]
        {
            let on: libc::c_int = 1;
            // SAFETY: the descriptor belongs to the stream the reading task owns (it is open while
            // that task reads from it), and the option's value is a c_int of the size given.
            // A failure only leaves the kernel's own timing.
            unsafe {
                libc::setsockopt(
                    self.0,
                    libc::IPPROTO_TCP,
                    libc::TCP_QUICKACK,
                    (&on as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            };
        }
    }
}

/// Reads and parses the stream in a task of its own, so that waiting for the server can be raced
/// against other work without losing half-read bytes (the XML reader is not cancel-safe). The
/// small channel keeps TCP's back-pressure: when the desk is slow, the reading waits.
fn spawn_reader(
    mut reader: StreamReader<ReadHalf<Tls>>,
    ack: QuickAck,
) -> (mpsc::Receiver<Result<StreamItem, XmlError>>, ReadTask) {
    let (tx, rx) = mpsc::channel(64);
    let task = tokio::spawn(async move {
        loop {
            ack.arm();
            let item = reader.next().await;
            let last = !matches!(item, Ok(StreamItem::Stanza(_) | StreamItem::Header(_)));
            if tx.send(item).await.is_err() || last {
                return;
            }
        }
    });
    (rx, ReadTask(task.abort_handle()))
}

/// A session whose connection was given up without ending the stream: what `connect::reconnect`
/// needs to resume it.
#[derive(Debug)]
pub struct Detached {
    pub(super) jid: String,
    pub(super) sm: StreamMgmt,
}

pub struct Session {
    /// What the server sends, parsed by a task of its own (see `recv`).
    items: mpsc::Receiver<Result<StreamItem, XmlError>>,
    _reading: ReadTask,
    writer: WriteHalf<Tls>,
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
}

impl Session {
    pub(super) fn new(
        reader: StreamReader<ReadHalf<Tls>>,
        writer: WriteHalf<Tls>,
        ack: QuickAck,
        jid: String,
    ) -> Session {
        let (items, _reading) = spawn_reader(reader, ack);
        Session {
            items,
            _reading,
            writer,
            jid,
            next_id: 0,
            archive_queries: Vec::new(),
            roster_query: None,
            csi: false,
            sm: None,
        }
    }

    /// Our full JID as the server bound it.
    pub fn jid(&self) -> &str {
        &self.jid
    }

    pub fn bare_jid(&self) -> &str {
        bare(&self.jid)
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("rd-{}-{}", super::scram::new_nonce().replace(['+', '/', '='], ""), self.next_id)
    }

    /// Sends a chat message; returns its id (also sent as XEP-0359 origin-id, for deduplication).
    pub async fn send_message(&mut self, to: &str, body: &str) -> Result<String, SessionError> {
        let id = new_message_id();
        self.send_message_with_id(to, body, &id, false).await?;
        Ok(id)
    }

    /// Sends a chat message under an id chosen before (a stored reply keeps its id when resent, so
    /// the patron's client can tell a resend from a new message).
    /// `auto` marks a desk rule's automatic reply.
    pub async fn send_message_with_id(
        &mut self,
        to: &str,
        body: &str,
        id: &str,
        auto: bool,
    ) -> Result<(), SessionError> {
        let id = escape(id);
        let marker = if auto { format!("<auto-reply xmlns='{NS_AUTO_REPLY}'/>") } else { String::new() };
        let xml = format!(
            "<message type='chat' to='{to}' id='{id}'><body>{body}</body><origin-id xmlns='{NS_SID}' id='{id}'/>\
             <active xmlns='{NS_CHATSTATES}'/><request xmlns='{NS_RECEIPTS}'/>{marker}</message>",
            to = escape(to),
            body = escape(body),
        );
        self.write_stanza(&xml, Some(&id)).await?;
        if self.sm.is_some() {
            // Ask for an acknowledgement now: the message counts as sent only once the server has it.
            self.ask_ack().await?;
        }
        Ok(())
    }

    /// Writes one stanza, keeping a copy for resending until the server acknowledges it (when the
    /// stream is managed). `message_id` names the stored message it carries.
    async fn write_stanza(&mut self, xml: &str, message_id: Option<&str>) -> Result<(), SessionError> {
        let ask = match &mut self.sm {
            Some(sm) => {
                sm.send(xml, message_id)?;
                message_id.is_none() && sm.time_to_ask()
            }
            None => false,
        };
        send(&mut self.writer, xml).await?;
        if ask {
            self.ask_ack().await?;
        }
        Ok(())
    }

    async fn ask_ack(&mut self) -> Result<(), SessionError> {
        send(&mut self.writer, &format!("<r xmlns='{NS_SM}'/>")).await?;
        Ok(())
    }

    /// Stream management is on: a message counts as sent when `Incoming::Acked` names it, not when written.
    pub fn acknowledges(&self) -> bool {
        self.sm.is_some()
    }

    /// The desk has stored the received message at `seq` (`ChatMessage::stream_seq`) and all before
    /// it: from now on they are acknowledged to the server.
    pub async fn stored(&mut self, seq: u32) -> Result<(), SessionError> {
        let owed = self.sm.as_mut().is_some_and(|sm| sm.stored(seq));
        if owed {
            self.acknowledge().await?;
        }
        Ok(())
    }

    /// Tells the server how many of its stanzas the desk has handled (`<a/>`).
    async fn acknowledge(&mut self) -> Result<(), SessionError> {
        let Some(sm) = &mut self.sm else { return Ok(()) };
        let h = sm.report();
        send(&mut self.writer, &format!("<a xmlns='{NS_SM}' h='{h}'/>")).await?;
        Ok(())
    }

    /// Gives up the connection without ending the stream, so a later connection can resume it
    /// (`connect::resume`). `None` when there is nothing to resume.
    pub fn detach(self) -> Option<Detached> {
        let sm = self.sm?;
        Some(Detached { jid: self.jid, sm })
    }

    /// Messages the server never confirmed, when a stream is dropped for good.
    pub fn into_unsent(self) -> Vec<String> {
        self.sm.map(StreamMgmt::into_unsent).unwrap_or_default()
    }

    /// Tells the server whether anyone is looking (XEP-0352): while inactive (the window hidden to
    /// the tray) it may hold back what can wait, such as presence and typing, and deliver messages
    /// at once. Nothing is sent to a server that does not offer it; true if it was sent.
    pub async fn set_client_active(&mut self, active: bool) -> Result<bool, SessionError> {
        if !self.csi {
            return Ok(false);
        }
        let state = if active { "active" } else { "inactive" };
        send(&mut self.writer, &format!("<{state} xmlns='{NS_CSI}'/>")).await?;
        Ok(true)
    }

    /// Tells `to` (a full JID: the device that sent it) that their message `id` has been received
    /// and stored (XEP-0184).
    pub async fn send_receipt(&mut self, to: &str, id: &str) -> Result<(), SessionError> {
        let xml = format!(
            "<message to='{to}' id='{own}'><received xmlns='{NS_RECEIPTS}' id='{id}'/></message>",
            to = escape(to),
            own = new_message_id(),
            id = escape(id),
        );
        self.write_stanza(&xml, None).await?;
        Ok(())
    }

    /// Tells a patron their place in line (0: no longer waiting) and the expected wait, as the
    /// payload the web chat reads (`NS_PLACE`, documented in `docs/web-chat.md`). No body, so other
    /// clients show nothing; not to be stored, so it never piles up in archives or offline storage.
    pub async fn send_place(&mut self, to: &str, place: u32, wait_secs: u32) -> Result<(), SessionError> {
        let xml = place_stanza(to, &new_message_id(), place, wait_secs);
        self.write_stanza(&xml, None).await?;
        Ok(())
    }

    /// This desk's presence for everyone subscribed to the account. An open desk has priority 1
    /// and a busy or away one 0, so the server (and a web status page reading the top resource)
    /// sees the account as open when any desk is. No desk card here: subscribers may be patrons,
    /// and who staffs a desk is for the other desks only (`send_card`).
    pub async fn send_presence(&mut self, show: Show, status: Option<&str>) -> Result<(), SessionError> {
        let priority = u8::from(show == Show::Available);
        let status = status.map(|s| format!("<status>{}</status>", escape(s))).unwrap_or_default();
        let xml = format!("<presence>{}{status}<priority>{priority}</priority></presence>", show_xml(show));
        self.write_stanza(&xml, None).await
    }

    /// Tells another desk of this account (`to`: its full JID) who staffs this one and whether
    /// its librarian is on duty: a directed presence with the desk card, which only that desk
    /// receives.
    pub async fn send_card(
        &mut self,
        to: &str,
        show: Show,
        status: Option<&str>,
        card: &crate::handoff::DeskCard,
        on_duty: bool,
    ) -> Result<(), SessionError> {
        let status = status.map(|s| format!("<status>{}</status>", escape(s))).unwrap_or_default();
        let xml = format!(
            "<presence to='{}'>{}{status}<desk xmlns='{}' name='{}' subjects='{}' duty='{}'/></presence>",
            escape(to),
            show_xml(show),
            crate::handoff::NS,
            escape(&card.name),
            escape(&card.subjects),
            if on_duty { "on" } else { "off" }
        );
        self.write_stanza(&xml, None).await
    }

    /// Sends a handoff signal to another desk on this account (`to`: its full JID). Kept out of the
    /// archive and of carbon copies: it is between two desks, not part of any conversation.
    pub async fn send_handoff(&mut self, to: &str, signal: &crate::handoff::Signal) -> Result<(), SessionError> {
        use crate::handoff::Signal;
        let (extra, content) = match signal {
            Signal::Offer { patron, from_name, note, .. } => (
                format!(" patron='{}' name='{}' note='{}'", escape(patron), escape(from_name), escape(note)),
                String::new(),
            ),
            // The note's words as element text: attributes lose line breaks on the way.
            Signal::Note { patron, from_name, text, .. } => {
                (format!(" patron='{}' name='{}'", escape(patron), escape(from_name)), escape(text))
            }
            Signal::FollowUpAnswered { followup, .. } => (format!(" followup='{}'", escape(followup)), String::new()),
            _ => (String::new(), String::new()),
        };
        let xml = format!(
            "<message type='normal' to='{to}' id='{id}'><handoff xmlns='{ns}' type='{kind}' id='{hid}'{extra}>{content}</handoff>\
             <no-store xmlns='urn:xmpp:hints'/><no-copy xmlns='urn:xmpp:hints'/><private xmlns='{NS_CARBONS}'/></message>",
            to = escape(to),
            id = escape(&new_message_id()),
            ns = crate::handoff::NS,
            kind = signal.kind(),
            hid = escape(signal.id()),
        );
        self.write_stanza(&xml, None).await
    }

    /// Tells `to` whether the librarian is typing (XEP-0085 `composing`, else `paused`); marked
    /// not to be archived, since it means nothing later.
    pub async fn send_typing(&mut self, to: &str, typing: bool) -> Result<(), SessionError> {
        let state = if typing { "composing" } else { "paused" };
        let xml = format!(
            "<message type='chat' to='{}'><{state} xmlns='{NS_CHATSTATES}'/><no-store xmlns='urn:xmpp:hints'/></message>",
            escape(to)
        );
        self.write_stanza(&xml, None).await?;
        Ok(())
    }

    /// Asks the server for XEP-0280 carbons: copies of what our other resources (other desks on a
    /// shared account) receive and send. The answer comes as an `Incoming::IqResponse` with the id returned.
    pub async fn enable_carbons(&mut self) -> Result<String, SessionError> {
        let id = self.new_id();
        self.write_stanza(&format!("<iq type='set' id='{id}'><enable xmlns='{NS_CARBONS}'/></iq>"), None).await?;
        Ok(id)
    }

    /// Asks our archive (XEP-0313) for one page of messages after archive id `after`, or, with none,
    /// since `since`. Results come as `Incoming::Message` (with our server's stanza-id and `sent_at`),
    /// then `Incoming::ArchivePage` with the returned query id.
    pub async fn query_archive(
        &mut self,
        after: Option<&str>,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<String, SessionError> {
        let id = self.new_id();
        let start = match (after, since) {
            (None, Some(t)) => format!(
                "<field var='start'><value>{}</value></field>",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            _ => String::new(),
        };
        let after = after.map(|a| format!("<after>{}</after>", escape(a))).unwrap_or_default();
        let xml = format!(
            "<iq type='set' id='{id}'><query xmlns='{NS_MAM}' queryid='{id}'><x xmlns='{NS_DATA}' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>{NS_MAM}</value></field>{start}</x>\
             <set xmlns='{NS_RSM}'><max>{ARCHIVE_PAGE}</max>{after}</set></query></iq>"
        );
        self.write_stanza(&xml, None).await?;
        self.archive_queries.push(id.clone());
        Ok(id)
    }

    /// Asks for the account's roster; it comes as `Incoming::Roster` (or, if refused, as an
    /// `Incoming::IqResponse` with the error and the id returned).
    pub async fn request_roster(&mut self) -> Result<String, SessionError> {
        let id = self.new_id();
        self.write_stanza(&format!("<iq type='get' id='{id}'><query xmlns='{NS_ROSTER}'/></iq>"), None).await?;
        self.roster_query = Some(id.clone());
        Ok(id)
    }

    /// Adds or changes a contact on the roster (name and groups); the server confirms with an
    /// `Incoming::IqResponse` for the id returned, and pushes the change as `Incoming::RosterPush`.
    pub async fn set_roster_item(
        &mut self,
        jid: &str,
        name: Option<&str>,
        groups: &[&str],
    ) -> Result<String, SessionError> {
        let id = self.new_id();
        let query = super::roster::set_query(jid, name, groups);
        self.write_stanza(&format!("<iq type='set' id='{id}'>{query}</iq>"), None).await?;
        Ok(id)
    }

    /// Sends one stanza exactly as given. For tools and tests that speak what this module does not
    /// model; the caller answers for it being one well-formed stanza.
    pub async fn send_raw(&mut self, stanza: &str) -> Result<(), SessionError> {
        self.write_stanza(stanza, None).await
    }

    /// Writes bytes as they are, even if they are not UTF-8 or XML: for tests that play a broken
    /// or hostile client. Not counted for stream management.
    pub async fn send_raw_bytes(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        use tokio::io::AsyncWriteExt;
        self.writer.write_all(bytes).await?;
        self.writer.flush().await?;
        Ok(())
    }

    /// Answers someone's request to see the account's presence: allowed, they see the desk come
    /// and go from now on; refused, their client stops waiting for an answer.
    pub async fn answer_subscription(&mut self, to: &str, allow: bool) -> Result<(), SessionError> {
        let kind = if allow { "subscribed" } else { "unsubscribed" };
        self.write_stanza(&format!("<presence type='{kind}' to='{}'/>", escape(to)), None).await
    }

    /// Asks to see a contact's presence (RFC 6121 subscription request).
    pub async fn request_subscription(&mut self, to: &str) -> Result<(), SessionError> {
        self.write_stanza(&format!("<presence type='subscribe' to='{}'/>", escape(to)), None).await
    }

    /// Subscribes to a contact's presence both ways: lets them see ours, asks to see theirs.
    pub async fn subscribe(&mut self, to: &str) -> Result<(), SessionError> {
        self.answer_subscription(to, true).await?;
        self.request_subscription(to).await
    }

    /// XEP-0199 ping to the server (`to` = None) or an entity; the answer comes as `Incoming::IqResponse`.
    pub async fn send_ping(&mut self, to: Option<&str>) -> Result<String, SessionError> {
        let id = self.new_id();
        let to = to.map(|t| format!(" to='{}'", escape(t))).unwrap_or_default();
        self.write_stanza(&format!("<iq type='get' id='{id}'{to}><ping xmlns='{NS_PING}'/></iq>"), None).await?;
        Ok(id)
    }

    /// Ends the stream politely.
    /// Waits for the server to end its side (RFC 6120 4.4), at most `CLOSE_WAIT`: closing the
    /// socket while the server's last stanzas are still unread makes the kernel reset the
    /// connection, and the server may then drop what we sent last.
    pub async fn close(mut self) -> Result<(), SessionError> {
        send(&mut self.writer, "<presence type='unavailable'/></stream:stream>").await?;
        let _ = tokio::time::timeout(CLOSE_WAIT, async {
            while let Some(Ok(item)) = self.items.recv().await {
                if matches!(item, StreamItem::End) {
                    break;
                }
            }
        })
        .await;
        Ok(())
    }

    /// The next message or presence; answers IQs on the way (ping, and "not supported" for the rest).
    /// Not cancel-safe (an answer may be half written): where it races other futures, as in a
    /// `select!`, use `recv` there and `handle` on what it gives.
    pub async fn next(&mut self) -> Result<Incoming, SessionError> {
        loop {
            let item = self.recv().await;
            if let Some(incoming) = self.handle(item).await? {
                return Ok(incoming);
            }
        }
    }

    /// Waits for the next thing the server sent. Cancel-safe: a separate task reads the stream, so
    /// dropping this future loses nothing.
    pub async fn recv(&mut self) -> Received {
        Received(self.items.recv().await)
    }

    /// Makes sense of what `recv` gave: `None` when it is nothing for the caller (answered here,
    /// or ignored), else the message, presence, answer or end of stream.
    pub async fn handle(&mut self, item: Received) -> Result<Option<Incoming>, SessionError> {
        let el = match item.0 {
            Some(Ok(StreamItem::Stanza(el))) => el,
            Some(Ok(StreamItem::Header(_))) => return Ok(None),
            Some(Ok(StreamItem::End)) | None => return Ok(Some(Incoming::Closed { reason: None })),
            Some(Err(e)) => return Err(e.into()),
        };
        if el.is("error", NS_STREAM) {
            return Ok(Some(Incoming::Closed { reason: el.elements().next().map(|c| c.name.clone()) }));
        }
        if el.ns == NS_SM {
            if let Some(acked) = self.stream_management(&el).await? {
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
                Some("set") if el.child("query", NS_ROSTER).is_some() => return self.roster_push(&el).await,
                _ => self.answer_iq(&el).await?,
            },
            _ => {}
        }
        Ok(None)
    }

    /// An acknowledgement request (answered with what the desk has stored) or an acknowledgement
    /// (returned as `Acked` when it confirms messages).
    async fn stream_management(&mut self, el: &Element) -> Result<Option<Incoming>, SessionError> {
        let Some(sm) = &mut self.sm else { return Ok(None) };
        match el.name.as_str() {
            "r" => {
                self.acknowledge().await?;
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
    async fn roster_push(&mut self, iq: &Element) -> Result<Option<Incoming>, SessionError> {
        let id = escape(iq.attr("id").unwrap_or_default());
        if !self.is_from_own_account(iq) {
            tracing::warn!("refused a roster push that did not come from our own account (forged)");
            let to = iq.attr("from").map(|f| format!(" to='{}'", escape(f))).unwrap_or_default();
            let refusal = format!(
                "<iq type='error' id='{id}'{to}><error type='cancel'><service-unavailable xmlns='{NS_STANZAS}'/></error></iq>"
            );
            self.write_stanza(&refusal, None).await?;
            return Ok(None);
        }
        self.write_stanza(&format!("<iq type='result' id='{id}'/>"), None).await?;
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
        let inner = wrapper.child("forwarded", NS_FORWARD)?.child("message", NS_CLIENT)?;
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
        let forwarded = result.child("forwarded", NS_FORWARD)?;
        let mut m = parse_message(forwarded.child("message", NS_CLIENT)?)?;
        m.sent_at = delay_stamp(forwarded);
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

    async fn answer_iq(&mut self, iq: &Element) -> Result<(), SessionError> {
        let (Some(kind), Some(id)) = (iq.attr("type"), iq.attr("id")) else { return Ok(()) };
        let to = iq.attr("from").map(|f| format!(" to='{}'", escape(f))).unwrap_or_default();
        let id = escape(id);
        let reply = match kind {
            "get" if iq.child("ping", NS_PING).is_some() => format!("<iq type='result' id='{id}'{to}/>"),
            // RFC 6120 8.2.3: a request we do not understand gets an error, never silence.
            "get" | "set" => format!(
                "<iq type='error' id='{id}'{to}><error type='cancel'><service-unavailable xmlns='{NS_STANZAS}'/></error></iq>"
            ),
            _ => return Ok(()),
        };
        self.write_stanza(&reply, None).await
    }
}

/// The `<show/>` of a presence (none for plain available).
fn show_xml(show: Show) -> &'static str {
    match show {
        Show::Available => "",
        Show::Away => "<show>away</show>",
        Show::ExtendedAway => "<show>xa</show>",
        Show::DoNotDisturb => "<show>dnd</show>",
    }
}

/// The place-in-line message: `<place xmlns='urn:x-refdesk:place:0' place='2' wait='480'/>`
/// (wait in seconds), with a no-store hint and no body.
fn place_stanza(to: &str, id: &str, place: u32, wait_secs: u32) -> String {
    format!(
        "<message to='{to}' id='{id}' type='chat'><place xmlns='{NS_PLACE}' place='{place}' wait='{wait_secs}'/>\
         <no-store xmlns='{NS_HINTS}'/></message>",
        to = escape(to),
        id = escape(id),
    )
}

/// A fresh message id: random, so ids from several desks on one account never collide.
pub fn new_message_id() -> String {
    format!("rd-{}", super::scram::new_nonce().replace(['+', '/', '='], ""))
}

pub fn bare(jid: &str) -> &str {
    jid.split('/').next().unwrap_or(jid)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::QuickAck;

    #[test]
    fn the_place_payload_has_no_body_is_not_stored_and_escapes_the_address() {
        let x = super::place_stanza("o'neil@guest.lib/<r>", "id1", 2, 480);
        assert!(x.contains("to='o&apos;neil@guest.lib/&lt;r&gt;'"), "{x}");
        assert!(x.contains("<place xmlns='urn:x-refdesk:place:0' place='2' wait='480'/>"), "{x}");
        assert!(x.contains("<no-store xmlns='urn:xmpp:hints'/>") && !x.contains("<body"), "{x}");
    }
    use std::os::fd::AsRawFd;

    fn quickack(tcp: &tokio::net::TcpStream) -> libc::c_int {
        let mut on: libc::c_int = -1;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: a valid socket and a c_int-sized buffer with its size.
        let r = unsafe {
            libc::getsockopt(
                tcp.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_QUICKACK,
                (&mut on as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        assert_eq!(r, 0, "getsockopt: {}", std::io::Error::last_os_error());
        on
    }

    #[tokio::test]
    async fn the_link_to_the_server_acknowledges_at_once_when_armed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tcp = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (mut peer, _) = listener.accept().await.unwrap();
        // A conversation of small writes both ways, as XMPP is: the kernel takes the link for an
        // interactive one and starts delaying its acknowledgements (to ride on the next reply).
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tcp;
        let mut buf = [0u8; 16];
        // (A reply that comes late on a loaded machine makes it start over: a few more rounds.)
        let mut rounds = 0;
        while rounds < 20 || quickack(&tcp) != 0 {
            assert!(rounds < 500, "the kernel never delayed acknowledgements on an interactive link");
            peer.write_all(b"<r/>").await.unwrap();
            tcp.read_exact(&mut buf[..4]).await.unwrap();
            tcp.write_all(b"<a/>").await.unwrap();
            peer.read_exact(&mut buf[..4]).await.unwrap();
            rounds += 1;
        }
        QuickAck::of(&tcp).arm();
        assert_eq!(quickack(&tcp), 1);
    }
}
