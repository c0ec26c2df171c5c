//! A private ejabberd on loopback (the system package, run as a plain Erlang node of this user): the
//! second server the XMPP layer is checked against, where a feature is built differently.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::certs::{ensure_test_ca, TestCa};
use crate::net::{free_ports, wait_for_port};
use crate::prosody::{Account, Error};

/// Where Debian's ejabberd keeps its Erlang applications.
const ERL_LIBS: &str = "/usr/lib/x86_64-linux-gnu";

pub struct Ejabberd {
    child: Child,
    pub domain: String,
    /// Plain c2s port (STARTTLS required).
    pub c2s_port: u16,
    /// Direct TLS port (XEP-0368).
    pub tls_port: u16,
    pub ca: TestCa,
    pub dir: PathBuf,
    /// The website's side, when started with [`Ejabberd::start_web`].
    pub web: Option<Web>,
    node: String,
    cookie: String,
}

/// Whether the package is installed (scripts/setup.sh installs it).
pub fn installed() -> bool {
    Path::new(ERL_LIBS)
        .read_dir()
        .is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("ejabberd-"))))
}

/// The web chat's side of a server: a guests' host signing in anonymously over WebSocket from the
/// library's site only, configured as docs/web-chat.md tells a library to.
#[derive(Debug, Clone)]
pub struct Web {
    pub http_port: u16,
    pub guest_domain: String,
    /// The only origin whose pages may open guest sessions (the library's site).
    pub origin: String,
}

impl Web {
    pub fn websocket_url(&self) -> String {
        format!("ws://127.0.0.1:{}/xmpp-websocket", self.http_port)
    }
}

impl Ejabberd {
    /// Starts a server for `library.test` keeping its data, logs and certificates under `dir`.
    pub fn start(dir: &Path) -> Result<Ejabberd, Error> {
        Ejabberd::start_with(dir, None)
    }

    /// As [`Ejabberd::start`], with the web chat's guests' host and WebSocket, open to pages of
    /// `origin` (the library's site, served elsewhere).
    pub fn start_web(dir: &Path, origin: &str) -> Result<Ejabberd, Error> {
        Ejabberd::start_with(dir, Some(origin))
    }

    fn start_with(dir: &Path, origin: Option<&str>) -> Result<Ejabberd, Error> {
        let domain = "library.test";
        let ca = ensure_test_ca(&dir.join("certs"), domain)?;
        // A port free when picked may be taken before the server binds it (by another test's
        // server or client, whose outgoing connections draw on the same ports): then pick again.
        let mut attempt = 0;
        loop {
            let [c2s_port, tls_port, http_port] = free_ports::<3>().map_err(|e| Error::io(dir, e))?;
            let web = origin.map(|origin| Web {
                http_port,
                guest_domain: "guest.library.test".into(),
                origin: origin.to_owned(),
            });
            match spawn(dir, domain, [c2s_port, tls_port], &ca, web, attempt > 0) {
                Err(Error::PortTaken { .. }) if attempt < 4 => attempt += 1,
                result => return result,
            }
        }
    }

    /// Creates `user@domain` through the server's own registration function (over Erlang
    /// distribution, as ejabberdctl does).
    pub fn register(&self, user: &str, password: &str) -> Result<Account, Error> {
        // The listeners open before every table is ready: a busy machine gets a few more tries.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            match self.register_once(user, password) {
                Err(Error::Command { output, .. })
                    if output.contains("badrpc") && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(200));
                }
                done => return done,
            }
        }
    }

    fn register_once(&self, user: &str, password: &str) -> Result<Account, Error> {
        let erl_bin = |s: &str| format!("<<\"{}\">>", s.replace('\\', "\\\\").replace('"', "\\\""));
        let call = format!(
            "R = rpc:call('{}', ejabberd_auth, try_register, [{}, {}, {}]), io:format(\"~p~n\", [R]), halt().",
            self.node,
            erl_bin(user),
            erl_bin(&self.domain),
            erl_bin(password)
        );
        static HELPERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = HELPERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let helper = format!("refdesk_reg{}_{n}", self.c2s_port);
        let out = Command::new("erl")
            .args(["-sname", &helper, "-setcookie", &self.cookie, "-noshell", "-eval", &call])
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::Spawn { program: "erl", source })?;
        let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !out.status.success() || said != "ok" {
            return Err(Error::Command {
                what: format!("registering {user} on ejabberd"),
                output: format!("{said}{}", String::from_utf8_lossy(&out.stderr)),
            });
        }
        Ok(Account { jid: format!("{user}@{}", self.domain), password: password.into() })
    }

    /// How a client reaches `user@` this server: loopback, STARTTLS, trusting the test CA.
    pub fn client_config(&self, user: &str) -> refdesk_core::xmpp::AccountConfig {
        crate::prosody::loopback_config(user, &self.domain, self.c2s_port, &self.ca)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("logs/ejabberd.log")).unwrap_or_default()
    }
}

/// Starts one ejabberd on `ports` (c2s, direct TLS) and waits until it listens;
/// [`Error::PortTaken`] when one of its ports was taken. `again`: a start that failed left its
/// spool, which belongs to another node (named after its port), so it is cleared.
fn spawn(
    dir: &Path,
    domain: &str,
    ports: [u16; 2],
    ca: &TestCa,
    web: Option<Web>,
    again: bool,
) -> Result<Ejabberd, Error> {
    let [c2s_port, tls_port] = ports;
    let spool = dir.join("spool");
    if again {
        let _ = std::fs::remove_dir_all(&spool);
    }
    for p in [spool.clone(), dir.join("logs")] {
        std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
    }
    let config = dir.join("ejabberd.yml");
    std::fs::write(&config, config_text(domain, c2s_port, tls_port, ca, web.as_ref()))
        .map_err(|e| Error::io(&config, e))?;
    // One Erlang node per server, named after its port, so parallel tests never meet.
    let node = format!("refdesk_ej{c2s_port}@localhost");
    let cookie = format!("refdesk{c2s_port}{}", std::process::id());
    let out = std::fs::File::create(dir.join("logs/console.log")).map_err(|e| Error::io(dir, e))?;
    let child = Command::new("erl")
        .args(["-sname", &node, "-setcookie", &cookie, "-noinput", "-mnesia", "dir"])
        .arg(format!("\"{}\"", spool.display()))
        .args(["-s", "ejabberd"])
        .env("ERL_LIBS", ERL_LIBS)
        .env("EJABBERD_CONFIG_PATH", &config)
        .env("EJABBERD_LOG_PATH", dir.join("logs/ejabberd.log"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| Error::io(dir, e))?)
        .stderr(out)
        .spawn()
        .map_err(|source| Error::Spawn { program: "erl (ejabberd)", source })?;
    let http_port = web.as_ref().map(|w| w.http_port);
    // Dropped on failure, which stops the node.
    let mut server = Ejabberd {
        child,
        domain: domain.into(),
        c2s_port,
        tls_port,
        ca: ca.clone(),
        dir: dir.to_owned(),
        web,
        node,
        cookie,
    };
    let mut alive = || matches!(server.child.try_wait(), Ok(None));
    if !wait_for_port(c2s_port, Duration::from_secs(30), &mut alive)
        || !wait_for_port(tls_port, Duration::from_secs(5), &mut alive)
        || !http_port.is_none_or(|p| wait_for_port(p, Duration::from_secs(5), &mut alive))
    {
        let log = std::fs::read_to_string(dir.join("logs/console.log")).unwrap_or_default();
        if log.contains("eaddrinuse") {
            return Err(Error::PortTaken { log });
        }
        return Err(Error::Command { what: "starting ejabberd".into(), output: log });
    }
    Ok(server)
}

impl Drop for Ejabberd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The features the desk uses, as ejabberd names them: SCRAM-SHA-256 logins, carbons, the archive
/// for every message, stream management, pings and client state indication; with `web`, the
/// guests' host (SASL ANONYMOUS, nothing archived or kept offline for it), the WebSocket open to
/// the site's origin only, and the site's files.
fn config_text(domain: &str, c2s_port: u16, tls_port: u16, ca: &TestCa, web: Option<&Web>) -> String {
    let mut hosts = format!("hosts:\n  - {domain}\n");
    let mut listen = String::new();
    let mut extra = String::new();
    let mut modules = String::new();
    let (mut acl, mut shaper_rules) = (String::new(), "  c2s_shaper: none\n".to_owned());
    if let Some(w) = web {
        acl = format!("  guests:\n    server: {}\n", w.guest_domain);
        shaper_rules = "  c2s_shaper:\n    - guest_rate: guests\n    - none\n".into();
        hosts.push_str(&format!("  - {}\n", w.guest_domain));
        listen.push_str(&format!(
            "\x20 - port: {port}\n    ip: \"127.0.0.1\"\n    module: ejabberd_http\n    request_handlers:\n\
             \x20     /xmpp-websocket: ejabberd_http_ws\n",
            port = w.http_port
        ));
        extra.push_str(&format!(
            "host_config:\n  {guest}:\n    auth_method: anonymous\n    anonymous_protocol: sasl_anon\n\
             \x20   modules:\n      mod_mam:\n        default: never\n\
             websocket_origin:\n  - \"{origin}\"\n\
             shaper:\n  guest_rate: 2000\n",
            guest = w.guest_domain,
            origin = w.origin,
        ));
        modules.push_str("\x20 mod_caps: {}\n  mod_pubsub:\n    plugins:\n      - flat\n      - pep\n");
    }
    format!(
        "{hosts}\
         loglevel: info\n\
         certfiles:\n  - \"{cert}\"\n  - \"{key}\"\n\
         listen:\n\
         \x20 - port: {c2s_port}\n    ip: \"127.0.0.1\"\n    module: ejabberd_c2s\n    starttls_required: true\n\
         \x20 - port: {tls_port}\n    ip: \"127.0.0.1\"\n    module: ejabberd_c2s\n    tls: true\n\
         {listen}\
         auth_method: internal\n\
         auth_password_format: scram\n\
         auth_scram_hash: sha256\n\
         {extra}\
         acl:\n  local:\n    user_regexp: \"\"\n{acl}\
         access_rules:\n  local:\n    allow: local\n  c2s:\n    allow: all\n\
         shaper_rules:\n{shaper_rules}\
         modules:\n\
         \x20 mod_carboncopy: {{}}\n\
         \x20 mod_client_state: {{}}\n\
         \x20 mod_disco: {{}}\n\
         \x20 mod_mam:\n    assume_mam_usage: true\n    default: always\n\
         \x20 mod_offline: {{}}\n\
         \x20 mod_ping: {{}}\n\
         \x20 mod_roster: {{}}\n\
         \x20 mod_stream_mgmt: {{}}\n\
         {modules}",
        cert = ca.server_cert.display(),
        key = ca.server_key.display(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The retry in `start_with` rests on this: a port taken between picking and binding is told
    /// apart from any other failure to start.
    #[test]
    fn a_taken_port_is_reported_as_taken() {
        assert!(installed(), "ejabberd is not installed (scripts/setup.sh installs it)");
        let dir = tempfile::tempdir().unwrap();
        let ca = ensure_test_ca(&dir.path().join("certs"), "library.test").unwrap();
        let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = squatter.local_addr().unwrap().port();
        let tls = crate::net::free_port().unwrap();
        match spawn(dir.path(), "library.test", [taken, tls], &ca, None, false) {
            Err(Error::PortTaken { log }) => assert!(log.contains(&taken.to_string()), "{log}"),
            Err(e) => panic!("expected the taken port to be told, got {e}"),
            Ok(_) => panic!("a server without its c2s port was reported as up"),
        }
    }
}
