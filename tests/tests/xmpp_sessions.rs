//! XMPP sessions against a real Prosody: sign-in and each way it can fail, messages and presence both
//! ways; sign-in, carbons and the archive against ejabberd too, which builds them differently.

use std::time::Duration;

use refdesk_core::xmpp::{connect, AccountConfig, ConnectError, Incoming, Show, TlsMode};
use refdesk_testkit::ejabberd::Ejabberd;
use refdesk_testkit::{Prosody, ProsodyConfig};

/// A private server with the desk's account and a patron: Prosody, or ejabberd.
struct Server {
    _dir: tempfile::TempDir,
    xmpp: Xmpp,
}

enum Xmpp {
    Prosody(Prosody),
    Ejabberd(Ejabberd),
}

impl Server {
    fn prosody(&self) -> &Prosody {
        match &self.xmpp {
            Xmpp::Prosody(p) => p,
            Xmpp::Ejabberd(_) => panic!("this test runs on Prosody"),
        }
    }
}

fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let prosody = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    prosody.register("ask", "ask-secret").unwrap();
    prosody.register("patron1", "patron-secret").unwrap();
    Server { _dir: dir, xmpp: Xmpp::Prosody(prosody) }
}

fn ejabberd() -> Server {
    assert!(refdesk_testkit::ejabberd::installed(), "ejabberd is not installed: run scripts/setup.sh");
    let dir = tempfile::tempdir().unwrap();
    let server = Ejabberd::start(dir.path()).unwrap();
    server.register("ask", "ask-secret").unwrap();
    server.register("patron1", "patron-secret").unwrap();
    Server { _dir: dir, xmpp: Xmpp::Ejabberd(server) }
}

fn account(s: &Server, user: &str, tls: TlsMode) -> AccountConfig {
    let (domain, c2s, direct, ca) = match &s.xmpp {
        Xmpp::Prosody(p) => (&p.domain, p.c2s_port, p.tls_port, &p.ca.ca_cert),
        Xmpp::Ejabberd(e) => (&e.domain, e.c2s_port, e.tls_port, &e.ca.ca_cert),
    };
    AccountConfig {
        host: Some("127.0.0.1".into()),
        port: Some(match tls {
            TlsMode::StartTls => c2s,
            TlsMode::Direct => direct,
        }),
        tls,
        extra_ca: Some(ca.clone()),
        ..AccountConfig::new(&format!("{user}@{domain}"))
    }
}

async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("the server answers in time")
}

#[tokio::test]
async fn signs_in_with_starttls_and_with_direct_tls() {
    signs_in_both_ways(&server()).await;
}

#[tokio::test]
async fn ejabberd_signs_in_both_ways_and_refuses_a_wrong_password_for_good() {
    let s = ejabberd();
    signs_in_both_ways(&s).await;
    let err = within(connect(&account(&s, "ask", TlsMode::StartTls), "not-the-password")).await.err().unwrap();
    assert!(matches!(err, ConnectError::AuthFailed { .. }), "{err:?}");
    assert!(err.is_permanent());
}

async fn signs_in_both_ways(s: &Server) {
    for tls in [TlsMode::StartTls, TlsMode::Direct] {
        let session = within(connect(&account(s, "ask", tls), "ask-secret")).await.unwrap();
        assert_eq!(session.bare_jid(), "ask@library.test");
        assert!(session.jid().starts_with("ask@library.test/"), "{}", session.jid());
        session.close().await.unwrap();
    }
}

#[tokio::test]
async fn signs_in_to_a_server_that_offers_only_scram_sha_1() {
    let dir = tempfile::tempdir().unwrap();
    let prosody = Prosody::start(&ProsodyConfig { password_hash: "SHA-1", ..ProsodyConfig::new(dir.path()) }).unwrap();
    prosody.register("ask", "ask-secret").unwrap();
    let s = Server { _dir: dir, xmpp: Xmpp::Prosody(prosody) };
    let session = within(connect(&account(&s, "ask", TlsMode::StartTls), "ask-secret")).await.unwrap();
    assert_eq!(session.bare_jid(), "ask@library.test");
    let err = within(connect(&account(&s, "ask", TlsMode::StartTls), "nope")).await.err().unwrap();
    assert!(matches!(err, ConnectError::AuthFailed { .. }), "{err:?}");
}

#[tokio::test]
async fn a_wrong_password_is_a_permanent_auth_failure() {
    let s = server();
    let err = within(connect(&account(&s, "ask", TlsMode::StartTls), "not-the-password")).await.err().unwrap();
    assert!(matches!(err, ConnectError::AuthFailed { .. }), "{err:?}");
    assert!(err.is_permanent(), "no retry loop for a wrong password");
    assert!(err.to_string().contains("wrong user name or password"), "{err}");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_before_any_password_is_sent() {
    let s = server();
    // Without the test CA, the server's certificate chains to nothing we trust.
    let cfg = AccountConfig { extra_ca: None, ..account(&s, "ask", TlsMode::StartTls) };
    let err = within(connect(&cfg, "ask-secret")).await.err().unwrap();
    assert!(matches!(err, ConnectError::Certificate { .. }), "{err:?}");
    assert!(err.is_permanent());
    let cfg = AccountConfig { extra_ca: None, ..account(&s, "ask", TlsMode::Direct) };
    assert!(matches!(within(connect(&cfg, "ask-secret")).await.err().unwrap(), ConnectError::Certificate { .. }));
}

#[tokio::test]
async fn unknown_hosts_refused_ports_and_bad_inputs_each_say_what_is_wrong() {
    let s = server();
    let cfg = AccountConfig { host: Some("no-such-host.invalid".into()), ..account(&s, "ask", TlsMode::StartTls) };
    assert!(matches!(within(connect(&cfg, "x")).await.err().unwrap(), ConnectError::UnknownHost { .. }));

    let closed = refdesk_testkit::net::free_port().unwrap();
    let cfg = AccountConfig { port: Some(closed), ..account(&s, "ask", TlsMode::StartTls) };
    let err = within(connect(&cfg, "x")).await.err().unwrap();
    assert!(matches!(err, ConnectError::Refused { .. }), "{err:?}");
    assert!(!err.is_permanent(), "a server that is down may come back");

    let cfg = AccountConfig { jid: "no-at-sign".into(), ..account(&s, "ask", TlsMode::StartTls) };
    assert!(matches!(within(connect(&cfg, "x")).await.err().unwrap(), ConnectError::BadJid { .. }));

    let missing = s.prosody().dir.join("nope.crt");
    let cfg = AccountConfig { extra_ca: Some(missing), ..account(&s, "ask", TlsMode::StartTls) };
    assert!(matches!(within(connect(&cfg, "x")).await.err().unwrap(), ConnectError::CaFile { .. }));
}

#[tokio::test]
async fn messages_and_presence_travel_both_ways() {
    let s = server();
    let mut desk = within(connect(&account(&s, "ask", TlsMode::StartTls), "ask-secret")).await.unwrap();
    let mut patron = within(connect(&account(&s, "patron1", TlsMode::Direct), "patron-secret")).await.unwrap();
    desk.send_presence(Show::Available, Some("Ask a librarian")).await.unwrap();
    patron.send_presence(Show::Available, None).await.unwrap();

    // Untrusted text with markup and an emoji arrives as the same text, never as markup.
    let question = "Do you have <b>Dutch</b> atlases & maps? 🗺";
    let sent_id = patron.send_message("ask@library.test", question).await.unwrap();
    let got = within(async {
        loop {
            if let Incoming::Message(m) = desk.next().await.unwrap() {
                if m.body.is_some() {
                    return m;
                }
            }
        }
    })
    .await;
    assert_eq!(got.body.as_deref(), Some(question));
    assert!(got.from.starts_with("patron1@library.test/"), "{}", got.from);
    assert_eq!(got.origin_id.as_deref(), Some(sent_id.as_str()));
    assert_eq!(got.chat_state.as_deref(), Some("active"));

    desk.send_message(&got.from, "Yes: second floor, shelf 912.").await.unwrap();
    let answer = within(async {
        loop {
            if let Incoming::Message(m) = patron.next().await.unwrap() {
                if let Some(b) = m.body {
                    return b;
                }
            }
        }
    })
    .await;
    assert_eq!(answer, "Yes: second floor, shelf 912.");

    // Presence: the patron subscribes to the desk and sees it go away.
    patron.subscribe("ask@library.test").await.unwrap();
    desk.subscribe("patron1@library.test").await.unwrap();
    desk.send_presence(Show::Away, Some("Helping someone at the desk")).await.unwrap();
    let seen = within(async {
        loop {
            if let Incoming::Presence(p) = patron.next().await.unwrap() {
                if p.from.starts_with("ask@") && p.show.as_deref() == Some("away") {
                    return p;
                }
            }
        }
    })
    .await;
    assert_eq!(seen.status.as_deref(), Some("Helping someone at the desk"));
}

#[tokio::test]
async fn pings_are_answered_by_the_server_and_by_the_desk() {
    let s = server();
    let mut desk = within(connect(&account(&s, "ask", TlsMode::StartTls), "ask-secret")).await.unwrap();
    let mut patron = within(connect(&account(&s, "patron1", TlsMode::StartTls), "patron-secret")).await.unwrap();

    // The server answers our ping: the link is alive.
    let id = patron.send_ping(None).await.unwrap();
    let got = within(next_response(&mut patron, &id)).await;
    assert_eq!(got, None, "server ping failed: {got:?}");

    // A ping routed to the desk must be answered by the desk (RFC 6120: never silence).
    let desk_jid = desk.jid().to_owned();
    let desk_task = tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(5), desk.next()).await;
    });
    let id = patron.send_ping(Some(&desk_jid)).await.unwrap();
    assert_eq!(within(next_response(&mut patron, &id)).await, None);
    desk_task.abort();
}

/// Reads until the response to `id`; returns its error condition, if any.
async fn next_response(session: &mut refdesk_core::xmpp::Session, id: &str) -> Option<String> {
    loop {
        if let Incoming::IqResponse { id: got, error, .. } = session.next().await.unwrap() {
            if got == id {
                return error;
            }
        }
    }
}

/// The next message with a body.
async fn next_message(session: &mut refdesk_core::xmpp::Session) -> refdesk_core::xmpp::ChatMessage {
    within(async {
        loop {
            if let Incoming::Message(m) = session.next().await.unwrap() {
                if m.body.is_some() {
                    return m;
                }
            }
        }
    })
    .await
}

#[tokio::test]
async fn desks_sharing_an_account_see_each_others_chats_and_forged_copies_are_dropped() {
    shared_account_carbons(&server()).await;
}

#[tokio::test]
async fn ejabberd_desks_sharing_an_account_see_each_others_chats_and_forged_copies_are_dropped() {
    shared_account_carbons(&ejabberd()).await;
}

async fn shared_account_carbons(s: &Server) {
    use refdesk_core::xmpp::Carbon;
    let desk_cfg = |resource: &str| AccountConfig { resource: resource.into(), ..account(s, "ask", TlsMode::StartTls) };
    let mut desk1 = within(connect(&desk_cfg("desk1"), "ask-secret")).await.unwrap();
    let mut desk2 = within(connect(&desk_cfg("desk2"), "ask-secret")).await.unwrap();
    for desk in [&mut desk1, &mut desk2] {
        desk.send_presence(Show::Available, None).await.unwrap();
        let id = desk.enable_carbons().await.unwrap();
        assert_eq!(next_response(desk, &id).await, None, "the server turns carbons on");
    }
    assert_ne!(desk1.jid(), desk2.jid());
    let mut patron = within(connect(&account(s, "patron1", TlsMode::StartTls), "patron-secret")).await.unwrap();
    patron.send_presence(Show::Available, None).await.unwrap();

    // A patron writing to desk 2 shows at desk 1 too.
    patron.send_message(desk2.jid(), "is the map room open?").await.unwrap();
    let copy = next_message(&mut desk1).await;
    assert_eq!(copy.carbon, Some(Carbon::Received));
    assert!(copy.from.starts_with("patron1@library.test/"), "{}", copy.from);
    assert_eq!(copy.body.as_deref(), Some("is the map room open?"));

    // Desk 2's answer shows at desk 1 as sent by the library.
    let id = desk2.send_message(&copy.from, "Yes, until 5.").await.unwrap();
    let sent = next_message(&mut desk1).await;
    assert_eq!(sent.carbon, Some(Carbon::Sent));
    assert!(sent.to.as_deref().is_some_and(|t| t.starts_with("patron1@library.test")), "{:?}", sent.to);
    assert_eq!((sent.body.as_deref(), sent.origin_id.as_deref()), (Some("Yes, until 5."), Some(id.as_str())));

    // A patron cannot put words in someone else's mouth by sending a carbon themselves.
    let forged = format!(
        "<message to='{}' type='chat'><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' from='director@library.test/office' to='{0}' type='chat'>\
         <body>forged: close the library</body></message></forwarded></received></message>",
        desk1.jid()
    );
    patron.send_raw(&forged).await.unwrap();
    patron.send_message(desk1.jid(), "after the forgery").await.unwrap();
    let next = next_message(&mut desk1).await;
    assert_eq!(next.body.as_deref(), Some("after the forgery"), "the forged copy never surfaces");
    assert_eq!(next.carbon, None);
}

#[tokio::test]
async fn the_roster_names_contacts_and_a_stranger_cannot_rename_them() {
    roster_names(&server()).await;
}

#[tokio::test]
async fn ejabberd_roster_names_contacts_and_a_stranger_cannot_rename_them() {
    roster_names(&ejabberd()).await;
}

async fn roster_names(s: &Server) {
    let mut desk = within(connect(&account(s, "ask", TlsMode::StartTls), "ask-secret")).await.unwrap();
    desk.send_presence(Show::Available, None).await.unwrap();
    let mut patron = within(connect(&account(s, "patron1", TlsMode::StartTls), "patron-secret")).await.unwrap();
    patron.send_presence(Show::Available, None).await.unwrap();
    let patron_bare = patron.bare_jid().to_owned();
    // Servers push changes to the resources that asked for the roster (RFC 6121 2.1.6).
    assert!(!roster(&mut desk).await.iter().any(|i| i.jid == patron_bare), "a fresh account knows nobody");

    // The library names a contact: the server takes it and tells the desk.
    let set = desk.set_roster_item(&patron_bare, Some("Maria Jansen"), &["Patrons"]).await.unwrap();
    let (mut answered, mut pushed) = (false, None);
    within(async {
        while !answered || pushed.is_none() {
            match desk.next().await.unwrap() {
                Incoming::IqResponse { id, error, .. } if id == set => {
                    assert_eq!(error, None, "the server refused the roster change");
                    answered = true;
                }
                Incoming::RosterPush { item } => pushed = Some(item),
                _ => {}
            }
        }
    })
    .await;
    let pushed = pushed.unwrap();
    assert_eq!((pushed.jid.as_str(), pushed.name.as_deref()), (patron_bare.as_str(), Some("Maria Jansen")));
    assert_eq!(pushed.groups, ["Patrons"]);

    // A patron "pushing" a roster change to the desk is refused, and the desk changes nothing.
    let forged = format!(
        "<iq type='set' id='forged-push' to='{}'><query xmlns='jabber:iq:roster'>\
         <item jid='{patron_bare}' name='Head Librarian'><group>Staff</group></item></query></iq>",
        desk.jid()
    );
    patron.send_raw(&forged).await.unwrap();
    patron.send_message(desk.jid(), "after the forged push").await.unwrap();
    let mut seen = Vec::new();
    within(async {
        loop {
            match desk.next().await.unwrap() {
                Incoming::Message(m) if m.body.as_deref() == Some("after the forged push") => break,
                Incoming::RosterPush { item } => seen.push(item),
                _ => {}
            }
        }
    })
    .await;
    assert!(seen.is_empty(), "a forged push reached the desk: {seen:?}");
    assert_eq!(within(next_response(&mut patron, "forged-push")).await.as_deref(), Some("service-unavailable"));

    // Asked again, the roster has the library's name for the contact, not the forger's.
    let items = roster(&mut desk).await;
    let maria = items.iter().find(|i| i.jid == patron_bare).expect("the contact is on the roster");
    assert_eq!(maria.name.as_deref(), Some("Maria Jansen"));
    assert_eq!(maria.groups, ["Patrons"]);
}

async fn roster(session: &mut refdesk_core::xmpp::Session) -> Vec<refdesk_core::xmpp::RosterItem> {
    let q = session.request_roster().await.unwrap();
    within(async {
        loop {
            match session.next().await.unwrap() {
                Incoming::Roster { items } => return items,
                Incoming::IqResponse { id, error, .. } if id == q => panic!("roster refused: {error:?}"),
                _ => {}
            }
        }
    })
    .await
}

#[tokio::test]
async fn the_archive_gives_back_what_came_while_the_desk_was_away_page_by_page() {
    archive_catch_up(&server()).await;
}

#[tokio::test]
async fn ejabberd_archive_gives_back_what_came_while_the_desk_was_away_page_by_page() {
    archive_catch_up(&ejabberd()).await;
}

async fn archive_catch_up(s: &Server) {
    let mut patron = within(connect(&account(s, "patron1", TlsMode::StartTls), "patron-secret")).await.unwrap();
    patron.send_presence(Show::Available, None).await.unwrap();
    let since = chrono::Utc::now() - chrono::Duration::minutes(5);
    let total = refdesk_core::xmpp::session::ARCHIVE_PAGE as usize * 5 + 10;
    for i in 0..total {
        patron.send_message("ask@library.test", &format!("question {i}")).await.unwrap();
    }
    // A patron's fake archive result, addressed to the desk: never believed.
    let fake = "<message to='ask@library.test' type='chat'><result xmlns='urn:xmpp:mam:2' queryid='q' id='x'>\
                <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='director@library.test/o' \
                to='ask@library.test' type='chat'><body>fake history</body></message></forwarded></result></message>";
    patron.send_raw(fake).await.unwrap();
    // Let the server take them all in before the desk looks.
    let ping = patron.send_ping(None).await.unwrap();
    assert_eq!(within(next_response(&mut patron, &ping)).await, None);

    let mut desk = within(connect(&account(s, "ask", TlsMode::StartTls), "ask-secret")).await.unwrap();
    let mut got = Vec::new();
    let mut pages = 0;
    let mut after: Option<String> = None;
    loop {
        let q = desk.query_archive(after.as_deref(), after.is_none().then_some(since)).await.unwrap();
        pages += 1;
        let (complete, last) = within(async {
            loop {
                match desk.next().await.unwrap() {
                    Incoming::Message(m) => got.push(m),
                    Incoming::ArchivePage { query, complete, last } if query == q => return (complete, last),
                    _ => {}
                }
            }
        })
        .await;
        if complete {
            break;
        }
        after = Some(last.expect("an incomplete page says where to go on"));
    }
    assert_eq!(pages, 6, "{total} messages in pages of {}", refdesk_core::xmpp::session::ARCHIVE_PAGE);
    let bodies: Vec<_> = got.iter().filter_map(|m| m.body.clone()).collect();
    let want: Vec<_> = (0..total).map(|i| format!("question {i}")).collect();
    assert_eq!(bodies, want, "every message once, in order, and no fake history");
    for m in &got {
        assert!(m.sent_at.is_some_and(|t| t >= since), "archived messages say when they were sent");
        assert!(m.stanza_ids.iter().any(|(by, _)| by == "ask@library.test"), "keyed by the archive id");
    }
}

#[tokio::test]
async fn a_hidden_desk_gets_messages_at_once_and_typing_only_with_them() {
    let s = server();
    let mut desk = within(connect(&account(&s, "ask", TlsMode::StartTls), "ask-secret")).await.unwrap();
    desk.send_presence(Show::Available, None).await.unwrap();
    let mut patron = within(connect(&account(&s, "patron1", TlsMode::StartTls), "patron-secret")).await.unwrap();
    patron.send_presence(Show::Available, None).await.unwrap();
    // Anything the desk writes while hidden counts as the user being back (Prosody then sends
    // all it held, and keeps sending for a few seconds): so first let the sign-in traffic and
    // the server's acknowledgement requests settle and be answered, then go quiet.
    let ping = desk.send_ping(None).await.unwrap();
    assert_eq!(within(next_response(&mut desk, &ping)).await, None);
    while let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(500), desk.next()).await {}
    assert!(desk.set_client_active(false).await.unwrap(), "Prosody offers client state indication");

    // Typing alone can wait while nobody looks: it is held back.
    let composing = format!(
        "<message to='{}' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        desk.jid()
    );
    patron.send_raw(&composing).await.unwrap();
    let early = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            if let Incoming::Message(m) = desk.next().await.unwrap() {
                return m;
            }
        }
    })
    .await;
    assert!(early.is_err(), "typing came through at once: {early:?}");
    // A message cannot wait: it comes at once, with what was held back before it.
    patron.send_message(desk.jid(), "are you there?").await.unwrap();
    let mut got = Vec::new();
    within(async {
        while got.iter().all(|m: &refdesk_core::xmpp::ChatMessage| m.body.is_none()) {
            if let Incoming::Message(m) = desk.next().await.unwrap() {
                got.push(m);
            }
        }
    })
    .await;
    assert_eq!(got.first().and_then(|m| m.chat_state.clone()).as_deref(), Some("composing"), "{got:?}");
    assert_eq!(got.last().and_then(|m| m.body.clone()).as_deref(), Some("are you there?"));
    assert!(desk.set_client_active(true).await.unwrap());
}

/// The fingerprint line `openssl x509 -noout -fingerprint -sha256` prints for `pem`.
fn openssl_fingerprint(pem: &std::path::Path) -> String {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(pem)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn a_pinned_certificate_is_required_on_top_of_the_usual_checks() {
    let s = server();
    // The line IT gets from openssl is the pin, as printed.
    let pinned = openssl_fingerprint(&s.prosody().ca.server_cert);
    for tls in [TlsMode::StartTls, TlsMode::Direct] {
        let cfg = AccountConfig { pins: vec![pinned.clone()], ..account(&s, "ask", tls) };
        let session = within(connect(&cfg, "ask-secret")).await.unwrap();
        session.close().await.unwrap();
    }

    // A trusted certificate that is not the pinned one (here: the server's own, against a pin of
    // the CA, which the server does not present) is refused, for good, saying what was presented.
    let other = openssl_fingerprint(&s.prosody().ca.ca_cert);
    let cfg = AccountConfig { pins: vec![other], ..account(&s, "ask", TlsMode::StartTls) };
    let err = within(connect(&cfg, "ask-secret")).await.err().unwrap();
    let ConnectError::PinMismatch { presented } = &err else { panic!("{err:?}") };
    assert!(pinned.ends_with(presented.as_str()), "{presented} vs {pinned}");
    assert!(err.is_permanent(), "no retry loop against a certificate that will not change by itself");
    assert!(err.to_string().contains("not one your library pinned"), "{err}");

    // The pin is on top of trust, not instead of it: the right pin on an untrusted chain fails.
    let cfg = AccountConfig { pins: vec![pinned], extra_ca: None, ..account(&s, "ask", TlsMode::StartTls) };
    assert!(matches!(within(connect(&cfg, "ask-secret")).await.err().unwrap(), ConnectError::Certificate { .. }));

    // A mistyped pin is said as such, before any connection.
    let cfg = AccountConfig { pins: vec!["AB:CD".into()], ..account(&s, "ask", TlsMode::StartTls) };
    let err = within(connect(&cfg, "ask-secret")).await.err().unwrap();
    assert!(matches!(err, ConnectError::BadPin { .. }) && err.is_permanent(), "{err:?}");
}

/// An account given only its address finds its server through the domain's SRV records (a real
/// name server on loopback): in priority order, past a server that is down, with direct TLS where
/// that record comes first; the certificate is checked against the domain, not the record's target.
#[tokio::test]
async fn an_address_alone_finds_the_server_through_dns_srv_records() {
    use refdesk_testkit::dns::{NameServer, SrvRecord};
    let s = server();
    let closed = refdesk_testkit::net::free_port().unwrap();
    let loopback = std::net::IpAddr::from([127, 0, 0, 1]);
    let hosts = [("xmpp.library.test", loopback), ("down.library.test", loopback)];
    let rec = |name, target, port, priority| SrvRecord { name, target, port, priority, weight: 0 };
    let by_dns = |ns: &NameServer, tls| AccountConfig {
        host: None,
        port: None,
        nameserver: Some(ns.addr),
        ..account(&s, "ask", tls)
    };

    // STARTTLS: the preferred server is down, the next one answers.
    let ns = NameServer::start(
        &[
            rec("_xmpp-client._tcp.library.test", "down.library.test", closed, 5),
            rec("_xmpp-client._tcp.library.test", "xmpp.library.test", s.prosody().c2s_port, 10),
        ],
        &hosts,
    )
    .unwrap();
    let session = within(connect(&by_dns(&ns, TlsMode::StartTls), "ask-secret")).await.unwrap();
    assert_eq!(session.bare_jid(), "ask@library.test");
    session.close().await.unwrap();

    // Direct TLS first (XEP-0368): only the direct TLS port is up, so signing in proves the TLS
    // record was used and spoken to as TLS from the first byte.
    let ns = NameServer::start(
        &[
            rec("_xmpps-client._tcp.library.test", "xmpp.library.test", s.prosody().tls_port, 1),
            rec("_xmpp-client._tcp.library.test", "down.library.test", closed, 5),
        ],
        &hosts,
    )
    .unwrap();
    within(connect(&by_dns(&ns, TlsMode::StartTls), "ask-secret")).await.unwrap().close().await.unwrap();
    within(connect(&by_dns(&ns, TlsMode::Direct), "ask-secret")).await.unwrap().close().await.unwrap();

    // Every server down: the last refusal is what the desk is told (and it keeps trying).
    let ns =
        NameServer::start(&[rec("_xmpp-client._tcp.library.test", "down.library.test", closed, 1)], &hosts).unwrap();
    let err = within(connect(&by_dns(&ns, TlsMode::StartTls), "x")).await.err().unwrap();
    assert!(matches!(err, ConnectError::Refused { .. }), "{err:?}");
    assert!(!err.is_permanent());

    // A record naming a host that does not exist, and a domain that says it has no XMPP service.
    let ns = NameServer::start(&[rec("_xmpp-client._tcp.library.test", "gone.library.test", 5222, 1)], &hosts).unwrap();
    let err = within(connect(&by_dns(&ns, TlsMode::StartTls), "x")).await.err().unwrap();
    assert!(matches!(&err, ConnectError::UnknownHost { host, .. } if host == "gone.library.test"), "{err:?}");
    let ns = NameServer::start(&[rec("_xmpp-client._tcp.library.test", "", 0, 0)], &hosts).unwrap();
    let err = within(connect(&by_dns(&ns, TlsMode::StartTls), "x")).await.err().unwrap();
    assert!(err.to_string().contains("offers no XMPP service"), "{err}");

    // The name server sends the desk to a server with a good certificate for the record's target,
    // not for the library's domain: refused before a password is sent, whatever DNS says. (A bare
    // TLS server, so it shows its certificate whatever name is asked for.)
    let other_dir = tempfile::tempdir().unwrap();
    let other = refdesk_testkit::certs::ensure_test_ca(other_dir.path(), "xmpp.library.test").unwrap();
    let tls_port = refdesk_testkit::net::free_port().unwrap();
    let mut tls_server = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-accept", &tls_port.to_string(), "-cert"])
        .arg(&other.server_cert)
        .arg("-key")
        .arg(&other.server_key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(refdesk_testkit::net::wait_for_port(tls_port, Duration::from_secs(10), || true));
    let ns =
        NameServer::start(&[rec("_xmpps-client._tcp.library.test", "xmpp.library.test", tls_port, 1)], &hosts).unwrap();
    let cfg = AccountConfig { extra_ca: Some(other.ca_cert.clone()), ..by_dns(&ns, TlsMode::StartTls) };
    let err = within(connect(&cfg, "ask-secret")).await.err().unwrap();
    let _ = tls_server.kill();
    let _ = tls_server.wait();
    assert!(matches!(err, ConnectError::Certificate { .. }), "{err:?}");
}
