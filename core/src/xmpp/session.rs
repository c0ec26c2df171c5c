//! An open session: the I/O around a [`Stream`]. A task of its own reads and parses what the
//! server sends; what the stream says to write is written at once; the time comes from tokio's
//! clock (virtual in paused tests).

use tokio::io::{ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::connect::send;
#[cfg(feature = "fuzzing")]
pub(crate) use super::stanza::parse_for_fuzzing;
pub use super::stream::{
    bare, new_message_id, Carbon, ChatMessage, Detached, Incoming, PresenceUpdate, SessionError, Show, Silent, Stream,
    ARCHIVE_PAGE, NS_AUTO_REPLY, NS_CARBONS, NS_CHATSTATES, NS_CSI, NS_MAM, NS_PING, NS_PLACE, NS_SID,
};
use super::xml::{StreamItem, StreamReader, XmlError};

type Tls = tokio_rustls::client::TlsStream<TcpStream>;

/// How long `Session::close` waits for the server to end the stream.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

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

pub struct Session {
    /// What the server sends, parsed by a task of its own (see `recv`).
    items: mpsc::Receiver<Result<StreamItem, XmlError>>,
    _reading: ReadTask,
    writer: WriteHalf<Tls>,
    pub(super) stream: Stream,
}

impl Session {
    pub(super) fn new(
        reader: StreamReader<ReadHalf<Tls>>,
        writer: WriteHalf<Tls>,
        ack: QuickAck,
        jid: String,
    ) -> Session {
        let (items, _reading) = spawn_reader(reader, ack);
        Session { items, _reading, writer, stream: Stream::new(jid) }
    }

    /// Our full JID as the server bound it.
    pub fn jid(&self) -> &str {
        self.stream.jid()
    }

    pub fn bare_jid(&self) -> &str {
        self.stream.bare_jid()
    }

    /// The stream without its I/O: its state, and what it will ask of the link next.
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Runs `f` on the stream, then writes what it queued.
    async fn write<T>(&mut self, f: impl FnOnce(&mut Stream) -> Result<T, SessionError>) -> Result<T, SessionError> {
        let r = f(&mut self.stream)?;
        self.flush().await?;
        Ok(r)
    }

    /// Writes what the stream has queued, in one write.
    pub(super) async fn flush(&mut self) -> Result<(), SessionError> {
        let mut all = String::new();
        while let Some(x) = self.stream.poll_write() {
            all.push_str(&x);
        }
        if !all.is_empty() {
            send(&mut self.writer, &all).await?;
        }
        Ok(())
    }

    /// Stream management is on: a message counts as sent when `Incoming::Acked` names it, not when written.
    pub fn acknowledges(&self) -> bool {
        self.stream.acknowledges()
    }

    /// Gives up the connection without ending the stream, so a later connection can resume it
    /// (`connect::resume`). `None` when there is nothing to resume.
    pub fn detach(self) -> Option<Detached> {
        self.stream.detach()
    }

    /// Messages the server never confirmed, when a stream is dropped for good.
    pub fn into_unsent(self) -> Vec<String> {
        self.stream.into_unsent()
    }

    /// Pings a quiet server (see [`Stream::keep_alive`]), from now.
    pub fn keep_alive(&mut self, every: std::time::Duration, within: std::time::Duration) {
        self.stream.keep_alive(every, within, now());
    }

    /// [`Stream::handle_timeout`] now: a ping written, or the link found silent.
    pub async fn handle_timeout(&mut self) -> Result<(), Silent> {
        self.stream.handle_timeout(now())?;
        self.flush().await.map_err(|_| Silent)
    }

    /// [`Stream::check_link`] now, the ping written.
    pub async fn check_link(&mut self, within: std::time::Duration) -> Result<(), SessionError> {
        self.stream.check_link(now(), within);
        self.flush().await
    }

    /// [`Stream::send_message`], written at once.
    pub async fn send_message(&mut self, to: &str, body: &str) -> Result<String, SessionError> {
        self.write(|s| s.send_message(to, body)).await
    }

    /// [`Stream::send_message_with_id`], written at once.
    pub async fn send_message_with_id(
        &mut self,
        to: &str,
        body: &str,
        id: &str,
        auto: bool,
    ) -> Result<(), SessionError> {
        self.write(|s| s.send_message_with_id(to, body, id, auto)).await
    }

    /// [`Stream::stored`], written at once.
    pub async fn stored(&mut self, seq: u32) -> Result<(), SessionError> {
        self.write(|s| s.stored(seq)).await
    }

    /// [`Stream::set_client_active`], written at once.
    pub async fn set_client_active(&mut self, active: bool) -> Result<bool, SessionError> {
        self.write(|s| s.set_client_active(active)).await
    }

    /// [`Stream::send_receipt`], written at once.
    pub async fn send_receipt(&mut self, to: &str, id: &str) -> Result<(), SessionError> {
        self.write(|s| s.send_receipt(to, id)).await
    }

    /// [`Stream::send_place`], written at once.
    pub async fn send_place(&mut self, to: &str, place: u32, wait_secs: u32) -> Result<(), SessionError> {
        self.write(|s| s.send_place(to, place, wait_secs)).await
    }

    /// [`Stream::send_presence`], written at once.
    pub async fn send_presence(&mut self, show: Show, status: Option<&str>) -> Result<(), SessionError> {
        self.write(|s| s.send_presence(show, status)).await
    }

    /// [`Stream::send_card`], written at once.
    pub async fn send_card(
        &mut self,
        to: &str,
        show: Show,
        status: Option<&str>,
        card: &crate::handoff::DeskCard,
        on_duty: bool,
    ) -> Result<(), SessionError> {
        self.write(|s| s.send_card(to, show, status, card, on_duty)).await
    }

    /// [`Stream::send_handoff`], written at once.
    pub async fn send_handoff(&mut self, to: &str, signal: &crate::handoff::Signal) -> Result<(), SessionError> {
        self.write(|s| s.send_handoff(to, signal)).await
    }

    /// [`Stream::send_typing`], written at once.
    pub async fn send_typing(&mut self, to: &str, typing: bool) -> Result<(), SessionError> {
        self.write(|s| s.send_typing(to, typing)).await
    }

    /// [`Stream::enable_carbons`], written at once.
    pub async fn enable_carbons(&mut self) -> Result<String, SessionError> {
        self.write(|s| s.enable_carbons()).await
    }

    /// [`Stream::query_archive`], written at once.
    pub async fn query_archive(
        &mut self,
        after: Option<&str>,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<String, SessionError> {
        self.write(|s| s.query_archive(after, since)).await
    }

    /// [`Stream::request_roster`], written at once.
    pub async fn request_roster(&mut self) -> Result<String, SessionError> {
        self.write(|s| s.request_roster()).await
    }

    /// [`Stream::set_roster_item`], written at once.
    pub async fn set_roster_item(
        &mut self,
        jid: &str,
        name: Option<&str>,
        groups: &[&str],
    ) -> Result<String, SessionError> {
        self.write(|s| s.set_roster_item(jid, name, groups)).await
    }

    /// [`Stream::send_raw`], written at once.
    pub async fn send_raw(&mut self, stanza: &str) -> Result<(), SessionError> {
        self.write(|s| s.send_raw(stanza)).await
    }

    /// [`Stream::answer_subscription`], written at once.
    pub async fn answer_subscription(&mut self, to: &str, allow: bool) -> Result<(), SessionError> {
        self.write(|s| s.answer_subscription(to, allow)).await
    }

    /// [`Stream::request_subscription`], written at once.
    pub async fn request_subscription(&mut self, to: &str) -> Result<(), SessionError> {
        self.write(|s| s.request_subscription(to)).await
    }

    /// [`Stream::subscribe`], written at once.
    pub async fn subscribe(&mut self, to: &str) -> Result<(), SessionError> {
        self.write(|s| s.subscribe(to)).await
    }

    /// [`Stream::send_ping`], written at once.
    pub async fn send_ping(&mut self, to: Option<&str>) -> Result<String, SessionError> {
        self.write(|s| s.send_ping(to)).await
    }

    /// Writes bytes as they are, even if they are not UTF-8 or XML: for tests that play a broken
    /// or hostile client. Not counted for stream management.
    pub async fn send_raw_bytes(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        use tokio::io::AsyncWriteExt;
        self.writer.write_all(bytes).await?;
        self.writer.flush().await?;
        Ok(())
    }

    /// Ends the stream politely.
    /// Waits for the server to end its side (RFC 6120 4.4), at most `CLOSE_WAIT`: closing the
    /// socket while the server's last stanzas are still unread makes the kernel reset the
    /// connection, and the server may then drop what we sent last.
    pub async fn close(mut self) -> Result<(), SessionError> {
        let goodbye = super::xep::im::presence(None, None, None, None).with_attr("type", "unavailable");
        send(&mut self.writer, &format!("{}</stream:stream>", goodbye.to_xml())).await?;
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
        let incoming = self.stream.handle(item.0, now());
        // What it answered goes out before the caller hears of it, even when the stanza was bad.
        self.flush().await?;
        incoming
    }
}

/// tokio's clock as a std instant (the stream is given the time; tests may pause tokio's).
fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::QuickAck;

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
