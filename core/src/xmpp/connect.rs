//! Opening a session: resolve, TCP, STARTTLS or direct TLS, SASL, bind. Each failure is a distinct error.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::dns;
use super::resume::{Detached, Resumed};
use super::session::Session;
use super::sm::{StreamMgmt, NS_SM};
use super::xml::{escape, Element, StreamItem, StreamReader, XmlError};

pub const NS_TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
pub const NS_SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
pub const NS_BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
pub use super::xep::im::NS_CLIENT;

const STEP_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TlsMode {
    /// Plain TCP upgraded with STARTTLS (port 5222); refused if the server does not offer it.
    StartTls,
    /// TLS from the first byte (XEP-0368, port 5223).
    Direct,
}

/// How to reach one account. The password is passed separately: it lives only in the keyring.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountConfig {
    /// Bare JID, e.g. `ask@library.example`.
    pub jid: String,
    /// Server host. When neither host nor port is set, the domain's DNS SRV records say where the
    /// server is (see `dns`), else the domain itself.
    pub host: Option<String>,
    pub port: Option<u16>,
    /// A name server to ask for SRV records instead of the system's (split DNS; tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nameserver: Option<std::net::SocketAddr>,
    pub tls: TlsMode,
    /// A CA to trust besides the system's (the library's own CA, the demo's test CA).
    pub extra_ca: Option<PathBuf>,
    /// SHA-256 fingerprints of certificates the server must present one of (see `pin`); none: no pinning.
    #[serde(default)]
    pub pins: Vec<String>,
    /// SASL PLAIN (password sent inside TLS) only if the library's policy allows it.
    pub allow_plain: bool,
    pub resource: String,
    /// After this long without a word from the server, ask it (XEP-0199 ping)…
    #[serde(default = "default_keepalive")]
    pub keepalive: Duration,
    /// …and if it says nothing for this long, the link is dead: reconnect.
    #[serde(default = "default_ping_timeout")]
    pub ping_timeout: Duration,
    /// The roster group whose members are the library's librarians (the colleague directory);
    /// blank for none.
    #[serde(default = "default_directory_group")]
    pub directory_group: String,
    /// Librarians the library's policy lists for this account's colleague directory.
    #[serde(default)]
    pub directory: Vec<crate::handoff::directory::DirectoryMember>,
    /// Who may put the account on their buddy list (see its presence).
    #[serde(default)]
    pub buddies: super::roster::Buddies,
}

fn default_directory_group() -> String {
    "Librarians".into()
}

fn default_keepalive() -> Duration {
    Duration::from_secs(60)
}

fn default_ping_timeout() -> Duration {
    Duration::from_secs(20)
}

impl AccountConfig {
    pub fn new(jid: &str) -> AccountConfig {
        AccountConfig {
            jid: jid.to_owned(),
            host: None,
            port: None,
            nameserver: None,
            tls: TlsMode::StartTls,
            extra_ca: None,
            pins: Vec::new(),
            allow_plain: false,
            resource: "refdesk".into(),
            keepalive: default_keepalive(),
            ping_timeout: default_ping_timeout(),
            directory_group: default_directory_group(),
            directory: Vec::new(),
            buddies: Default::default(),
        }
    }

    fn parts(&self) -> Result<(&str, &str), ConnectError> {
        match self.jid.split_once('@') {
            Some((user, domain)) if !user.is_empty() && !domain.is_empty() && !domain.contains('/') => {
                Ok((user, domain))
            }
            _ => Err(ConnectError::BadJid { jid: self.jid.clone() }),
        }
    }
}

/// Why a session could not be opened; each maps to one account state the UI can show.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{jid:?} is not an account address like ask@library.example")]
    BadJid { jid: String },
    #[error("cannot find the server {host}: {detail}")]
    UnknownHost { host: String, detail: String },
    #[error("the server {addr} refused the connection (is it running? is the port right?)")]
    Refused { addr: String },
    #[error("no answer from {what} within {secs} s")]
    Timeout { what: String, secs: u64 },
    #[error("the server's certificate is not trusted: {detail}")]
    Certificate { detail: String },
    #[error("the secure connection failed: {detail}")]
    Tls { detail: String },
    #[error("cannot use the extra CA file {path}: {detail}")]
    CaFile { path: PathBuf, detail: String },
    #[error("a pinned certificate fingerprint is wrong: {detail}")]
    BadPin { detail: String },
    #[error(
        "the server's certificate is not one your library pinned (it presented {presented}); \
         if the library changed its server's certificate, IT must update the pin"
    )]
    PinMismatch { presented: String },
    #[error("the server does not offer encryption (STARTTLS); refusing to send anything in the clear")]
    NoEncryption,
    #[error("wrong user name or password ({condition})")]
    AuthFailed { condition: String },
    #[error("the server offers no login method we allow (offered: {offered})")]
    NoMechanism { offered: String },
    #[error("the server broke the XMPP protocol: {detail}")]
    Protocol { detail: String },
    #[error("the connection dropped: {0}")]
    Io(#[from] std::io::Error),
}

impl ConnectError {
    /// A wrong password will not fix itself: retrying would only lock the account.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            ConnectError::BadJid { .. }
                | ConnectError::AuthFailed { .. }
                | ConnectError::Certificate { .. }
                | ConnectError::CaFile { .. }
                | ConnectError::BadPin { .. }
                | ConnectError::PinMismatch { .. }
                | ConnectError::NoEncryption
                | ConnectError::NoMechanism { .. }
        )
    }
}

impl From<XmlError> for ConnectError {
    fn from(e: XmlError) -> Self {
        match e {
            XmlError::Io(io) => ConnectError::Io(io),
            other => ConnectError::Protocol { detail: other.to_string() },
        }
    }
}

async fn step<T>(what: &str, f: impl std::future::Future<Output = Result<T, ConnectError>>) -> Result<T, ConnectError> {
    tokio::time::timeout(STEP_TIMEOUT, f)
        .await
        .map_err(|_| ConnectError::Timeout { what: what.to_owned(), secs: STEP_TIMEOUT.as_secs() })?
}

/// Opens an authenticated, bound session (with stream management when the server offers it).
pub async fn connect(cfg: &AccountConfig, password: &str) -> Result<Session, ConnectError> {
    Ok(reconnect(cfg, password, &mut None).await?.session)
}

/// A session opened by `reconnect`, and what became of the stream it replaces.
pub struct Connected {
    pub session: Session,
    /// The old stream was resumed (XEP-0198): nothing was missed either way, and the server kept
    /// our presence; the unacknowledged stanzas have been sent again.
    pub resumed: bool,
    /// Messages of the old stream the server confirmed while resuming (or refusing to).
    pub acked: Vec<String>,
    /// Messages of the old stream the server never confirmed and that were not resent: the desk
    /// must send them again.
    pub unsent: Vec<String>,
}

/// Opens a session, resuming `previous` if the server still has it. `previous` is consumed only
/// once the outcome is settled, so a failed attempt can be retried with it.
pub async fn reconnect(
    cfg: &AccountConfig,
    password: &str,
    previous: &mut Option<Detached>,
) -> Result<Connected, ConnectError> {
    let (user, domain) = cfg.parts()?;
    let tls = tls_connector(cfg)?;
    let (tcp, mode) = open_server(cfg, domain).await?;
    let tls_stream = match mode {
        TlsMode::Direct => step("the TLS handshake", handshake(&tls, domain, tcp)).await?,
        TlsMode::StartTls => {
            let tcp = step("the server (STARTTLS)", starttls(tcp, domain)).await?;
            step("the TLS handshake", handshake(&tls, domain, tcp)).await?
        }
    };
    let ack = super::session::QuickAck::of(tls_stream.get_ref().0);
    let (read, mut write) = tokio::io::split(tls_stream);
    let mut reader = StreamReader::new(read);
    let features = step("the server (features)", open_stream(&mut reader, &mut write, domain)).await?;
    step("the server (login)", authenticate(&mut reader, &mut write, &features, cfg, user, password)).await?;
    let mut reader = StreamReader::new(reader.into_inner());
    let features = step("the server (features)", open_stream(&mut reader, &mut write, domain)).await?;
    let offers_sm = features.child("sm", NS_SM).is_some();
    let csi = features.child("csi", super::session::NS_CSI).is_some();
    if let Some(prev) = previous.as_mut().filter(|p| p.can_resume(offers_sm)) {
        match step("the server (resume)", ask_resume(&mut reader, &mut write, prev.request())).await? {
            Ok(h) => {
                let Some(prev) = previous.take() else {
                    return Err(ConnectError::Protocol { detail: "resumed a stream we no longer have".into() });
                };
                let Resumed { jid, sm, resend, acked } = match prev.resumed(h) {
                    Ok(r) => r,
                    Err(given_up) => {
                        let (e, given_up) = *given_up;
                        // The next attempt signs in afresh; the desk sends again what was unconfirmed.
                        *previous = Some(given_up);
                        return Err(ConnectError::Protocol { detail: e.to_string() });
                    }
                };
                // Whatever the server did not get is written again, in order, under the same counts.
                if !resend.is_empty() {
                    send(&mut write, &resend).await?;
                }
                tracing::info!(account = %cfg.jid, resent = resend.len(), "stream resumed");
                let mut session = Session::new(reader, write, ack, jid);
                session.stream.csi = csi;
                session.stream.sm = Some(sm);
                return Ok(Connected { session, resumed: true, acked, unsent: Vec::new() });
            }
            Err(h) => prev.refused(h),
        }
    }
    if features.child("bind", NS_BIND).is_none() {
        return Err(ConnectError::Protocol { detail: "no resource binding offered".into() });
    }
    let jid = step("the server (bind)", bind(&mut reader, &mut write, &cfg.resource)).await?;
    let sm = match offers_sm {
        true => step("the server (stream management)", enable_sm(&mut reader, &mut write)).await?,
        false => None,
    };
    tracing::info!(account = %cfg.jid, managed = sm.is_some(), "signed in");
    let (acked, unsent) = previous.take().map(Detached::replaced).unwrap_or_default();
    let mut session = Session::new(reader, write, ack, jid);
    session.stream.csi = csi;
    session.stream.sm = sm;
    Ok(Connected { session, resumed: false, acked, unsent })
}

/// Asks to resume a stream: `Ok(h)` when resumed (the server has `h` of our stanzas), `Err` when
/// refused (with the server's `h` if it said).
async fn ask_resume<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut StreamReader<R>,
    writer: &mut W,
    request: Element,
) -> Result<Result<u32, Option<u32>>, ConnectError> {
    send(writer, &request.to_xml()).await?;
    loop {
        let StreamItem::Stanza(el) = reader.next().await? else {
            return Err(ConnectError::Protocol { detail: "stream closed while resuming".into() });
        };
        let h = el.attr("h").and_then(|h| h.parse::<u32>().ok());
        match (el.ns.as_str(), el.name.as_str()) {
            (NS_SM, "resumed") => {
                return h.map(Ok).ok_or(ConnectError::Protocol { detail: "resumed without a count".into() })
            }
            (NS_SM, "failed") => return Ok(Err(h)),
            _ => {}
        }
    }
}

/// Turns on stream management with resumption; `None` if the server refuses.
async fn enable_sm<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut StreamReader<R>,
    writer: &mut W,
) -> Result<Option<StreamMgmt>, ConnectError> {
    send(writer, &super::sm::enable().to_xml()).await?;
    loop {
        let StreamItem::Stanza(el) = reader.next().await? else {
            return Err(ConnectError::Protocol { detail: "stream closed while enabling stream management".into() });
        };
        match (el.ns.as_str(), el.name.as_str()) {
            (NS_SM, "enabled") => {
                let resumable = matches!(el.attr("resume"), Some("true" | "1"));
                let id = el.attr("id").filter(|_| resumable).map(str::to_owned);
                return Ok(Some(StreamMgmt::new(id)));
            }
            (NS_SM, "failed") => return Ok(None),
            // Nothing is sent to us before our first presence; anything else here is not ours to lose.
            _ => tracing::debug!(element = %el.name, "ignored while enabling stream management"),
        }
    }
}

/// A TCP connection to the account's server, and how to secure it: the host and port set for the
/// account, else the first of the domain's SRV targets that answers (each given its own time).
async fn open_server(cfg: &AccountConfig, domain: &str) -> Result<(TcpStream, TlsMode), ConnectError> {
    if cfg.host.is_some() || cfg.port.is_some() {
        let host = cfg.host.as_deref().unwrap_or(domain);
        let port = cfg.port.unwrap_or(dns::default_port(cfg.tls));
        return Ok((step("the server", open_tcp(host, port)).await?, cfg.tls));
    }
    let resolver = dns::Resolver::new(cfg.nameserver)?;
    let targets = step("the name server", resolver.targets(domain, cfg.tls)).await?;
    let mut last = None;
    for t in targets {
        let opened = async {
            if t.from_srv {
                let addrs = resolver.addresses(&t.host, t.port).await?;
                connect_any(&t.host, &addrs).await
            } else {
                open_tcp(&t.host, t.port).await
            }
        };
        match step(&format!("the server {}:{}", t.host, t.port), opened).await {
            Ok(tcp) => {
                tracing::debug!(account = %cfg.jid, host = %t.host, port = t.port, tls = ?t.tls, "server found");
                return Ok((tcp, t.tls));
            }
            Err(e) => {
                tracing::info!(account = %cfg.jid, host = %t.host, port = t.port, "server not reached, trying the next: {e}");
                last = Some(e);
            }
        }
    }
    Err(last
        .unwrap_or_else(|| ConnectError::UnknownHost { host: domain.to_owned(), detail: "no server to try".into() }))
}

async fn open_tcp(host: &str, port: u16) -> Result<TcpStream, ConnectError> {
    let addrs: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| ConnectError::UnknownHost { host: host.to_owned(), detail: e.to_string() })?
        .collect();
    connect_any(host, &addrs).await
}

async fn connect_any(host: &str, addrs: &[std::net::SocketAddr]) -> Result<TcpStream, ConnectError> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                s.set_nodelay(true)?;
                return Ok(s);
            }
            Err(e) => last = Some((addr, e)),
        }
    }
    match last {
        Some((addr, e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(ConnectError::Refused { addr: addr.to_string() })
        }
        Some((_, e)) => Err(ConnectError::Io(e)),
        None => Err(ConnectError::UnknownHost { host: host.to_owned(), detail: "no addresses".into() }),
    }
}

fn tls_connector(cfg: &AccountConfig) -> Result<TlsConnector, ConnectError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A broken system certificate is the system's problem; the others still count.
        let _ = roots.add(cert);
    }
    if let Some(path) = &cfg.extra_ca {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect())
            .map_err(|e| ConnectError::CaFile { path: path.clone(), detail: e.to_string() })?;
        if certs.is_empty() {
            return Err(ConnectError::CaFile { path: path.clone(), detail: "no certificate in the file".into() });
        }
        for c in certs {
            roots.add(c).map_err(|e| ConnectError::CaFile { path: path.clone(), detail: e.to_string() })?;
        }
    }
    let pins = cfg
        .pins
        .iter()
        .map(|p| super::pin::parse_pin(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|detail| ConnectError::BadPin { detail })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectError::Tls { detail: e.to_string() })?;
    let config = if pins.is_empty() {
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        let usual = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| ConnectError::Tls { detail: e.to_string() })?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(super::pin::PinnedVerifier::new(usual, pins)))
            .with_no_client_auth()
    };
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    tls: &TlsConnector,
    domain: &str,
    stream: S,
) -> Result<tokio_rustls::client::TlsStream<S>, ConnectError> {
    let name =
        ServerName::try_from(domain.to_owned()).map_err(|_| ConnectError::Tls { detail: "bad server name".into() })?;
    tls.connect(name, stream).await.map_err(|e| {
        let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
        match inner {
            Some(rustls::Error::InvalidCertificate(rustls::CertificateError::Other(o)))
                if o.0.downcast_ref::<super::pin::PinMismatch>().is_some() =>
            {
                let presented = o.0.downcast_ref::<super::pin::PinMismatch>().map(|m| m.presented.clone());
                ConnectError::PinMismatch { presented: presented.unwrap_or_default() }
            }
            Some(rustls::Error::InvalidCertificate(c)) => ConnectError::Certificate { detail: format!("{c:?}") },
            Some(other) => ConnectError::Tls { detail: other.to_string() },
            None => ConnectError::Io(e),
        }
    })
}

fn header(domain: &str) -> String {
    format!(
        "<?xml version='1.0'?><stream:stream to='{}' version='1.0' xml:lang='en' xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams'>",
        escape(domain)
    )
}

/// Sends our stream header and returns the server's `<stream:features/>`.
async fn open_stream<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut StreamReader<R>,
    writer: &mut W,
    domain: &str,
) -> Result<Element, ConnectError> {
    writer.write_all(header(domain).as_bytes()).await?;
    writer.flush().await?;
    match reader.next().await? {
        StreamItem::Header(_) => {}
        other => return Err(ConnectError::Protocol { detail: format!("expected a stream header, got {other:?}") }),
    }
    match reader.next().await? {
        StreamItem::Stanza(f) if f.is("features", super::xml::NS_STREAM) => Ok(f),
        StreamItem::Stanza(e) if e.is("error", super::xml::NS_STREAM) => Err(stream_error(&e)),
        other => Err(ConnectError::Protocol { detail: format!("expected stream features, got {other:?}") }),
    }
}

fn stream_error(e: &Element) -> ConnectError {
    let condition = e.elements().next().map(|c| c.name.clone()).unwrap_or_else(|| "unknown".into());
    ConnectError::Protocol { detail: format!("stream error: {condition}") }
}

async fn starttls(tcp: TcpStream, domain: &str) -> Result<TcpStream, ConnectError> {
    let (read, mut write) = tokio::io::split(tcp);
    let mut reader = StreamReader::new(read);
    let features = open_stream(&mut reader, &mut write, domain).await?;
    if features.child("starttls", NS_TLS).is_none() {
        return Err(ConnectError::NoEncryption);
    }
    write.write_all(Element::new("starttls", NS_TLS).to_xml().as_bytes()).await?;
    write.flush().await?;
    match reader.next().await? {
        StreamItem::Stanza(p) if p.is("proceed", NS_TLS) => {}
        other => return Err(ConnectError::Protocol { detail: format!("STARTTLS refused: {other:?}") }),
    }
    Ok(reader.into_inner().unsplit(write))
}

async fn authenticate<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut StreamReader<R>,
    writer: &mut W,
    features: &Element,
    cfg: &AccountConfig,
    user: &str,
    password: &str,
) -> Result<(), ConnectError> {
    let offered: Vec<String> = features
        .child("mechanisms", NS_SASL)
        .map(|m| m.elements().filter(|e| e.name == "mechanism").map(|e| e.text().trim().to_owned()).collect())
        .unwrap_or_default();
    let Some(mut mechanism) = super::sasl::choose(&offered, user, password, cfg.allow_plain) else {
        return Err(ConnectError::NoMechanism { offered: offered.join(", ") });
    };
    let auth = Element::new("auth", NS_SASL).with_attr("mechanism", mechanism.name());
    send(writer, &auth.with_text(B64.encode(mechanism.initial())).to_xml()).await?;
    loop {
        let StreamItem::Stanza(el) = reader.next().await? else {
            return Err(ConnectError::Protocol { detail: "stream closed during login".into() });
        };
        let data = || B64.decode(el.text().trim()).map(|d| String::from_utf8_lossy(&d).into_owned());
        let bad = |_| ConnectError::Protocol { detail: "bad base64 in SASL".into() };
        match (el.name.as_str(), el.ns.as_str()) {
            ("challenge", NS_SASL) => {
                let reply =
                    mechanism.challenge(&data().map_err(bad)?).map_err(|detail| ConnectError::Protocol { detail })?;
                send(writer, &Element::new("response", NS_SASL).with_text(B64.encode(reply)).to_xml()).await?;
            }
            ("success", NS_SASL) => {
                // Mutual authentication: a server that cannot prove it knows the password is an impostor.
                mechanism.success(&data().map_err(bad)?).map_err(|detail| ConnectError::Protocol { detail })?;
                return Ok(());
            }
            ("failure", NS_SASL) => {
                let condition = el.elements().next().map(|c| c.name.clone()).unwrap_or_else(|| "not-authorized".into());
                return Err(ConnectError::AuthFailed { condition });
            }
            _ => return Err(ConnectError::Protocol { detail: format!("unexpected <{}> during login", el.name) }),
        }
    }
}

async fn bind<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    reader: &mut StreamReader<R>,
    writer: &mut W,
    resource: &str,
) -> Result<String, ConnectError> {
    let bind = Element::new("bind", NS_BIND).with_child(Element::new("resource", NS_BIND).with_text(resource));
    send(writer, &super::xep::im::iq(super::xep::im::IqType::Set, "bind-1", None).with_child(bind).to_xml()).await?;
    loop {
        let StreamItem::Stanza(el) = reader.next().await? else {
            return Err(ConnectError::Protocol { detail: "stream closed during bind".into() });
        };
        if el.is("iq", NS_CLIENT) && el.attr("id") == Some("bind-1") {
            let jid = el.child("bind", NS_BIND).and_then(|b| b.child("jid", NS_BIND)).map(|j| j.text());
            return match (el.attr("type"), jid) {
                (Some("result"), Some(jid)) if !jid.is_empty() => Ok(jid),
                _ => Err(ConnectError::Protocol { detail: "resource binding refused".into() }),
            };
        }
    }
}

pub(super) async fn send<W: AsyncWrite + Unpin>(w: &mut W, s: &str) -> std::io::Result<()> {
    w.write_all(s.as_bytes()).await?;
    w.flush().await
}
