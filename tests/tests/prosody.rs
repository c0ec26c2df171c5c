//! The test kit's private Prosody: it starts on free loopback ports, demands TLS, and its test CA verifies.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use refdesk_testkit::{Prosody, ProsodyConfig};
use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};

fn start() -> (tempfile::TempDir, Prosody) {
    let dir = tempfile::tempdir().unwrap();
    let server = Prosody::start(&ProsodyConfig::new(dir.path())).expect("prosody starts");
    (dir, server)
}

fn stream_header(domain: &str) -> String {
    format!(
        "<?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams'>"
    )
}

/// Reads until `marker` appears (XMPP has no framing; this is enough for a handshake check).
fn read_until(s: &mut impl Read, marker: &str) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains(marker) {
        let n = s.read(&mut buf).expect("read from server");
        assert!(n > 0, "server closed the stream; got so far: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

fn tls_config(server: &Prosody) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&server.ca.ca_cert).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

#[test]
fn the_server_requires_starttls_and_offers_scram_after_it() {
    let (_dir, server) = start();
    let mut tcp = connect(server.c2s_port);
    tcp.write_all(stream_header(&server.domain).as_bytes()).unwrap();
    let features = read_until(&mut tcp, "</stream:features>");
    assert!(features.contains("urn:ietf:params:xml:ns:xmpp-tls"), "no STARTTLS offered: {features}");
    assert!(!features.contains("<mechanism>PLAIN</mechanism>"), "plaintext auth offered before TLS: {features}");

    tcp.write_all(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>").unwrap();
    read_until(&mut tcp, "<proceed");
    let name = ServerName::try_from(server.domain.clone()).unwrap();
    let conn = rustls::ClientConnection::new(tls_config(&server), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(stream_header(&server.domain).as_bytes()).expect("TLS handshake verifies with the test CA");
    let features = read_until(&mut tls, "</stream:features>");
    assert!(features.contains("SCRAM-SHA-256"), "no SCRAM-SHA-256 after TLS: {features}");
}

#[test]
fn direct_tls_verifies_with_the_test_ca_and_a_wrong_name_is_refused() {
    let (_dir, server) = start();
    let name = ServerName::try_from(server.domain.clone()).unwrap();
    let conn = rustls::ClientConnection::new(tls_config(&server), name).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, connect(server.tls_port));
    tls.write_all(stream_header(&server.domain).as_bytes()).unwrap();
    let features = read_until(&mut tls, "</stream:features>");
    assert!(features.contains("<mechanisms"), "{features}");

    // The certificate is for library.test, localhost and 127.0.0.1 only.
    let wrong = ServerName::try_from("other.example").unwrap();
    let conn = rustls::ClientConnection::new(tls_config(&server), wrong).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, connect(server.tls_port));
    let err = tls.write_all(b"<x/>").and_then(|_| tls.flush()).and_then(|_| tls.read(&mut [0u8; 16]).map(drop));
    assert!(err.is_err(), "a certificate for another name must not verify");
}

#[test]
fn two_servers_run_side_by_side_and_accounts_can_be_registered() {
    let (_d1, a) = start();
    let (_d2, b) = start();
    assert_ne!(a.c2s_port, b.c2s_port);
    let acct = a.register("ask", "s3cret-for-tests").unwrap();
    assert_eq!(acct.jid, "ask@library.test");
    assert!(a.dir.join("data/library%2etest/accounts/ask.dat").exists(), "account file not written");
}

#[test]
fn stopping_the_server_frees_its_port() {
    let (_dir, server) = start();
    let port = server.c2s_port;
    drop(server);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} still accepts after drop");
}

#[test]
fn a_server_left_running_by_a_killed_run_is_replaced_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let first = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    let stale_port = first.c2s_port;
    // As if the demo server had been killed with SIGKILL: its Prosody keeps running.
    std::mem::forget(first);
    let second = Prosody::start(&ProsodyConfig::new(dir.path())).expect("a second start in the same folder works");
    std::thread::sleep(Duration::from_millis(500));
    let mut tcp = connect(second.c2s_port);
    tcp.write_all(stream_header(&second.domain).as_bytes()).unwrap();
    assert!(read_until(&mut tcp, "</stream:features>").contains("starttls"));
    assert!(TcpStream::connect(("127.0.0.1", stale_port)).is_err(), "the stale server was stopped");
}

/// Many patrons at once: accounts written as the server's own files sign in, with either hash.
#[tokio::test]
async fn accounts_registered_in_bulk_sign_in_and_only_with_their_password() {
    use refdesk_core::xmpp::{connect, ConnectError};
    for hash in ["SHA-256", "SHA-1"] {
        let dir = tempfile::tempdir().unwrap();
        let server = Prosody::start(&ProsodyConfig { password_hash: hash, ..ProsodyConfig::new(dir.path()) }).unwrap();
        let users: Vec<String> = (0..3).map(|i| format!("walkin{i}")).collect();
        let accounts = server.register_many(&users, "bulk-secret").unwrap();
        assert_eq!(accounts[2].jid, "walkin2@library.test");
        for user in &users {
            let session = connect(&server.client_config(user), "bulk-secret").await.unwrap();
            assert_eq!(session.bare_jid(), format!("{user}@library.test"), "{hash}");
        }
        let err = connect(&server.client_config("walkin0"), "wrong").await.err().unwrap();
        assert!(matches!(err, ConnectError::AuthFailed { .. }), "{hash}: {err:?}");
    }
}
