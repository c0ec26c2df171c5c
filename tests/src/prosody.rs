//! A private Prosody on free loopback ports with its own config, data and test CA; stopped on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::certs::{ensure_test_ca, TestCa};
use crate::net::{free_ports, wait_for_port};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot run {program} (is it installed? scripts/setup.sh installs it): {source}")]
    Spawn { program: &'static str, source: std::io::Error },
    #[error("{what} failed: {output}")]
    Command { what: String, output: String },
    #[error("prosody did not start listening within {secs} s; its log says:\n{log}")]
    NotListening { secs: u64, log: String },
    #[error("the server could not open its ports (taken since they were picked); its log says:\n{log}")]
    PortTaken { log: String },
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_owned(), source }
    }
}

/// A user on the private server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    pub jid: String,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct ProsodyConfig {
    /// Where config, data, certificates and logs go. A test passes a temp dir; the demo a fixed one.
    pub dir: PathBuf,
    pub domain: String,
    /// "SHA-256" (offers SCRAM-SHA-256) or "SHA-1" (offers SCRAM-SHA-1, as many servers still do).
    pub password_hash: &'static str,
    /// Files the server's HTTP port serves under `/site/` (a library web page with the chat box).
    pub web_root: Option<PathBuf>,
}

impl ProsodyConfig {
    pub fn new(dir: impl Into<PathBuf>) -> ProsodyConfig {
        ProsodyConfig { dir: dir.into(), domain: "library.test".into(), password_hash: "SHA-256", web_root: None }
    }
}

/// A running Prosody; killed when dropped.
#[derive(Debug)]
pub struct Prosody {
    child: Child,
    pub domain: String,
    /// Plain c2s port (STARTTLS required).
    pub c2s_port: u16,
    /// Direct TLS port (XEP-0368).
    pub tls_port: u16,
    /// Plain HTTP on loopback: the web presence page (`/status/<jid>/text`, mod_webpresence), the
    /// patrons' chat over WebSocket (`/xmpp-websocket`, anonymous guests on `guest_domain`) and the
    /// web root (`/site/`).
    pub http_port: u16,
    /// Where the website's chat box signs its patrons in: SASL ANONYMOUS, a random name per chat.
    pub guest_domain: String,
    pub ca: TestCa,
    pub dir: PathBuf,
    config_path: PathBuf,
    password_hash: &'static str,
}

impl Prosody {
    pub fn start(cfg: &ProsodyConfig) -> Result<Prosody, Error> {
        let dir = &cfg.dir;
        let data = dir.join("data");
        std::fs::create_dir_all(&data).map_err(|e| Error::io(&data, e))?;
        let ca = ensure_test_ca(&dir.join("certs"), &cfg.domain)?;
        let config_path = dir.join("prosody.cfg.lua");
        // A port free when picked may be taken before the server binds it (by another test's
        // server or client): then pick again.
        let mut attempt = 0;
        let (child, [c2s_port, tls_port, http_port]) = loop {
            let ports = free_ports::<3>().map_err(|e| Error::io(dir, e))?;
            let config = render_config(dir, cfg, ports, &ca);
            std::fs::write(&config_path, config).map_err(|e| Error::io(&config_path, e))?;
            retire_stale_instance(dir);
            match spawn(dir, &config_path, ports) {
                Ok(child) => break (child, ports),
                Err(Error::PortTaken { .. }) if attempt < 4 => attempt += 1,
                Err(e) => return Err(e),
            }
        };
        Ok(Prosody {
            child,
            domain: cfg.domain.clone(),
            c2s_port,
            tls_port,
            http_port,
            guest_domain: guest_domain(&cfg.domain),
            ca,
            dir: dir.clone(),
            config_path,
            password_hash: cfg.password_hash,
        })
    }

    /// Stops the server and starts it again on the same ports with the same data (a server restart).
    pub fn restart(&mut self) -> Result<(), Error> {
        self.stop();
        self.child = spawn(&self.dir, &self.config_path, [self.c2s_port, self.tls_port, self.http_port])?;
        Ok(())
    }

    /// Stops the server (clients see the connection drop); `restart` brings it back.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// How a client reaches `user@` this server: loopback, STARTTLS, trusting the test CA.
    pub fn client_config(&self, user: &str) -> refdesk_core::xmpp::AccountConfig {
        loopback_config(user, &self.domain, self.c2s_port, &self.ca)
    }

    /// As `client_config`, through `proxy` (a link the test breaks), with pings every second so
    /// a silent link is noticed quickly.
    pub fn client_config_via(&self, user: &str, proxy: &crate::Proxy) -> refdesk_core::xmpp::AccountConfig {
        refdesk_core::xmpp::AccountConfig {
            port: Some(proxy.port),
            keepalive: std::time::Duration::from_secs(1),
            ping_timeout: std::time::Duration::from_secs(1),
            ..self.client_config(user)
        }
    }

    /// What the app needs to sign in to this server as a demo (`REFDESK_DEMO`), with `accounts`.
    pub fn demo_info(
        &self,
        accounts: Vec<refdesk_core::xmpp::demo::DemoAccount>,
    ) -> refdesk_core::xmpp::demo::DemoInfo {
        refdesk_core::xmpp::demo::DemoInfo {
            domain: self.domain.clone(),
            host: "127.0.0.1".into(),
            c2s_port: self.c2s_port,
            tls_port: self.tls_port,
            ca_cert: self.ca.ca_cert.clone(),
            accounts,
        }
    }

    pub fn register(&self, user: &str, password: &str) -> Result<Account, Error> {
        let out = Command::new("prosodyctl")
            .arg("--config")
            .arg(&self.config_path)
            .args(["register", user, &self.domain, password])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::Spawn { program: "prosodyctl", source: e })?;
        if !out.status.success() {
            return Err(Error::Command {
                what: format!("prosodyctl register {user}"),
                output: format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
            });
        }
        Ok(Account { jid: format!("{user}@{}", self.domain), password: password.into() })
    }

    /// Registers many accounts at once, all with `password`, by writing the server's account files
    /// the way its `internal_hashed` store keeps them (SCRAM keys, RFC 5802): hundreds of patrons
    /// in milliseconds, where `register` starts a program for each. The server reads them at sign-in.
    pub fn register_many(&self, users: &[String], password: &str) -> Result<Vec<Account>, Error> {
        use ring::{digest, hmac, pbkdf2};
        const ITERATIONS: u32 = 4096;
        const SALT: &str = "refdesk-test-salt";
        let (prf, mac, hash) = match self.password_hash {
            "SHA-1" => {
                (pbkdf2::PBKDF2_HMAC_SHA1, hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &digest::SHA1_FOR_LEGACY_USE_ONLY)
            }
            _ => (pbkdf2::PBKDF2_HMAC_SHA256, hmac::HMAC_SHA256, &digest::SHA256),
        };
        let mut salted = vec![0u8; hash.output_len()];
        let rounds = std::num::NonZeroU32::new(ITERATIONS).expect("iterations are not zero");
        pbkdf2::derive(prf, rounds, SALT.as_bytes(), password.as_bytes(), &mut salted);
        let key = hmac::Key::new(mac, &salted);
        let stored_key = digest::digest(hash, hmac::sign(&key, b"Client Key").as_ref());
        let server_key = hmac::sign(&key, b"Server Key");
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let record = format!(
            "return {{\n\t[\"iteration_count\"] = {ITERATIONS};\n\t[\"salt\"] = {};\n\t[\"server_key\"] = {};\n\t[\"stored_key\"] = {};\n}};\n",
            lua(SALT),
            lua(hex(server_key.as_ref())),
            lua(hex(stored_key.as_ref()))
        );
        // Prosody's data manager names a host's directory with every non-alphanumeric byte as %xx.
        let host: String = self
            .domain
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02x}") })
            .collect();
        let accounts = self.dir.join("data").join(host).join("accounts");
        std::fs::create_dir_all(&accounts).map_err(|e| Error::io(&accounts, e))?;
        users
            .iter()
            .map(|user| {
                let file = accounts.join(format!("{user}.dat"));
                std::fs::write(&file, &record).map_err(|e| Error::io(&file, e))?;
                Ok(Account { jid: format!("{user}@{}", self.domain), password: password.into() })
            })
            .collect()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prosody.log")).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Prosody {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A Prosody left running from an earlier run of this directory (its parent was killed) holds the
/// pidfile, and a new one would quit at once: stop the old one first. Found by its command line
/// (our config file), not the pidfile, which a just-started instance may not have written yet.
fn retire_stale_instance(dir: &Path) {
    let ours = dir.join("prosody.cfg.lua").to_string_lossy().into_owned();
    let Ok(procs) = std::fs::read_dir("/proc") else { return };
    for p in procs.flatten() {
        let Ok(pid) = p.file_name().to_string_lossy().parse::<i32>() else { continue };
        let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.contains("prosody") && cmdline.split('\0').any(|arg| arg == ours) {
            // SAFETY: a plain kill(2) of a process we identified as our own stale Prosody.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            for _ in 0..100 {
                // Gone, or a zombie waiting for its (killed) parent to reap it: either way, stopped.
                let stat = std::fs::read_to_string(p.path().join("stat")).unwrap_or_default();
                let state = stat.rsplit(')').next().and_then(|r| r.split_whitespace().next());
                if state.is_none_or(|st| st == "Z") {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let _ = std::fs::remove_file(dir.join("prosody.pid"));
}

fn spawn(dir: &Path, config_path: &Path, [c2s_port, tls_port, http_port]: [u16; 3]) -> Result<Child, Error> {
    use std::os::unix::process::CommandExt;
    let log = dir.join("prosody.log");
    // Prosody appends to its log: after a restart, only what this run wrote counts.
    let log_from = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    let stderr = std::fs::File::create(dir.join("prosody.stderr")).map_err(|e| Error::io(dir, e))?;
    let mut cmd = Command::new("prosody");
    // The server goes when the thread that started it goes (test crash, demo killed): no strays.
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec here.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = cmd
        .arg("--config")
        .arg(config_path)
        .arg("-F")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| Error::Spawn { program: "prosody", source: e })?;
    let up = wait_for_port(c2s_port, Duration::from_secs(15), || matches!(child.try_wait(), Ok(None)))
        && wait_for_port(tls_port, Duration::from_secs(5), || matches!(child.try_wait(), Ok(None)))
        && owns_pidfile(dir, &mut child);
    if !up {
        let _ = child.kill();
        let _ = child.wait();
        let mut text = std::fs::read_to_string(&log).unwrap_or_default();
        text.push_str(&std::fs::read_to_string(dir.join("prosody.stderr")).unwrap_or_default());
        return Err(Error::NotListening { secs: 15, log: text });
    }
    let services = [("c2s", c2s_port), ("c2s_direct_tls", tls_port), ("http", http_port)];
    match bound(&log, log_from, &services, &mut child) {
        Ok(()) => Ok(child),
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(e)
        }
    }
}

/// Waits until the log says this server opened each `(service, port)`. Something answering on a
/// port proves nothing: Prosody runs on without a port it could not open, and whoever holds that
/// port answers instead (another test's server, whose certificate the clients then refuse).
fn bound(log: &Path, from: u64, services: &[(&str, u16)], child: &mut Child) -> Result<(), Error> {
    let ours = |text: &str| {
        services.iter().all(|(name, port)| text.contains(&format!("Activated service '{name}' on [127.0.0.1]:{port}")))
    };
    let mut text = String::new();
    // As long as the ports get (15 s): a loaded machine starts the server slowly.
    for _ in 0..600 {
        let all = std::fs::read(log).unwrap_or_default();
        text = String::from_utf8_lossy(all.get(from as usize..).unwrap_or_default()).into_owned();
        if text.contains("Failed to open server port") {
            return Err(Error::PortTaken { log: text });
        }
        if ours(&text) {
            return Ok(());
        }
        if !matches!(child.try_wait(), Ok(None)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Err(Error::NotListening { secs: 15, log: text })
}

/// Listening is not enough: a Prosody that finds another instance's pidfile opens its ports, then
/// quits. It is up once the pidfile names it and it is still running.
fn owns_pidfile(dir: &Path, child: &mut Child) -> bool {
    let want = child.id().to_string();
    for _ in 0..200 {
        if !matches!(child.try_wait(), Ok(None)) {
            return false;
        }
        if std::fs::read_to_string(dir.join("prosody.pid")).is_ok_and(|p| p.trim() == want) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

/// The guests' host of a library's domain.
pub fn guest_domain(domain: &str) -> String {
    format!("guest.{domain}")
}

/// A Lua string literal; paths come from our own temp dirs, but quote them properly anyway.
fn lua(s: impl AsRef<str>) -> String {
    format!("{:?}", s.as_ref())
}

fn render_config(dir: &Path, cfg: &ProsodyConfig, [c2s_port, tls_port, http_port]: [u16; 3], ca: &TestCa) -> String {
    let p = |path: &Path| lua(path.to_string_lossy());
    format!(
        r#"-- Written by refdesk-testkit: a private server on loopback for tests and the demo.
run_as_root = true
pidfile = {pidfile}
data_path = {data}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s_port} }}
c2s_direct_tls_ports = {{ {tls_port} }}
s2s_ports = {{ }}
component_ports = {{ }}
http_ports = {{ {http_port} }}
http_interfaces = {{ "127.0.0.1" }}
https_ports = {{ }}
modules_enabled = {{
  "roster"; "saslauth"; "tls"; "disco"; "ping"; "time"; "version"; "private"; "vcard_legacy"; "blocklist";
  "carbons"; "mam"; "smacks"; "offline"; "csi_simple";
  -- The desk publishes its opening hours there for the website's chat box (docs/web-chat.md).
  "pep";
  -- "Ask a librarian: online now" for the library's website (prosody-modules); see docs/website-presence.md.
  "webpresence";
  -- The website's chat box: XMPP over WebSocket (RFC 7395) for its anonymous guests.
  "websocket"; "refdesk_websocket_origins"; {files}
}}
-- The test server speaks plain HTTP on loopback; a library's site uses wss:// (TLS at Prosody or
-- at its web server), which makes this setting unnecessary.
consider_websocket_secure = true
-- Only the library's own pages may open a guest session (deploy/prosody/, docs/web-chat.md): here
-- the sample site on this server's own address.
plugin_paths = {{ {plugins} }}
websocket_allowed_origins = {{ "http://127.0.0.1:{http_port}" }}
-- Plain http://127.0.0.1:PORT/ names no host: it is the library's (its status page, its site).
http_default_host = {domain_lit}
http_paths = {{ files = "/site" }}
{files_dir}
modules_disabled = {{ "s2s" }}
authentication = "internal_hashed"
password_hash = {hash}
default_storage = "internal"
-- Message archives in SQLite: the internal store rewrites a user's whole archive file for every
-- message it keeps, so the server's cost per message grew with the archive (about 1 ms on a fresh
-- desk account, 13 ms after the bench's 10,000 messages) until it fell behind the patrons.
storage = {{ archive = "sql" }}
sql = {{ driver = "SQLite3", database = "archive.sqlite" }}
c2s_require_encryption = true
allow_registration = false
default_archive_policy = true
archive_expires_after = "1w"
smacks_hibernation_time = 120
-- Prosody's default collector starts a cycle whenever its heap grows by 5 %: under 50 patrons a
-- message a second it spent most of a core collecting, seconds behind the traffic. The
-- generational one (Lua 5.4) does the same work in young objects only.
gc = {{ mode = "generational" }}
log = {{ {{ levels = {{ min = "info" }}, to = "file", filename = {log} }} }}
ssl = {{ certificate = {cert}; key = {key} }}
c2s_direct_tls_ssl = {{ certificate = {cert}; key = {key} }}

VirtualHost {domain_lit}
  ssl = {{ certificate = {cert}; key = {key} }}

-- Patrons from the website: anonymous, a random name per conversation, nothing archived or kept
-- for them offline (the desk keeps the transcript, redacted). See docs/web-chat.md.
VirtualHost {guest_lit}
  authentication = "anonymous"
  modules_disabled = {{ "mam"; "offline"; "carbons"; "private"; "vcard_legacy"; "blocklist" }}
  ssl = {{ certificate = {cert}; key = {key} }}
"#,
        pidfile = p(&dir.join("prosody.pid")),
        data = p(&dir.join("data")),
        log = p(&dir.join("prosody.log")),
        cert = p(&ca.server_cert),
        key = p(&ca.server_key),
        domain_lit = lua(&cfg.domain),
        guest_lit = lua(guest_domain(&cfg.domain)),
        files = if cfg.web_root.is_some() { "\"http_files\";" } else { "" },
        files_dir = cfg.web_root.as_ref().map(|d| format!("http_files_dir = {}", p(d))).unwrap_or_default(),
        hash = lua(cfg.password_hash),
        plugins = p(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/prosody")),
    )
}

/// How a client reaches `user@domain` on a private server: loopback `port`, STARTTLS, trusting the
/// test CA.
pub(crate) fn loopback_config(user: &str, domain: &str, port: u16, ca: &TestCa) -> refdesk_core::xmpp::AccountConfig {
    refdesk_core::xmpp::AccountConfig {
        host: Some("127.0.0.1".into()),
        port: Some(port),
        tls: refdesk_core::xmpp::TlsMode::StartTls,
        extra_ca: Some(ca.ca_cert.clone()),
        ..refdesk_core::xmpp::AccountConfig::new(&format!("{user}@{domain}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another program took the server's port between picking and binding: the server is not
    /// reported as up (the clients would reach the other program), and `start` picks again.
    #[test]
    fn a_port_taken_after_it_was_picked_is_noticed_and_start_picks_again() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = ProsodyConfig::new(dir.path());
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        let ca = ensure_test_ca(&dir.path().join("certs"), &cfg.domain).unwrap();
        let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = squatter.local_addr().unwrap().port();
        let [tls, http] = free_ports::<2>().unwrap();
        let ports = [taken, tls, http];
        let config_path = dir.path().join("prosody.cfg.lua");
        std::fs::write(&config_path, render_config(dir.path(), &cfg, ports, &ca)).unwrap();
        match spawn(dir.path(), &config_path, ports) {
            Err(Error::PortTaken { log }) => assert!(log.contains(&taken.to_string()), "{log}"),
            Err(e) => panic!("expected the taken port to be named, got {e}"),
            Ok(mut child) => {
                let _ = child.kill();
                panic!("a server without its c2s port was reported as up");
            }
        }

        // The same directory starts normally, on ports of its own.
        let p = Prosody::start(&cfg).unwrap();
        assert_ne!(p.c2s_port, taken);
        let log = std::fs::read_to_string(dir.path().join("prosody.log")).unwrap();
        assert!(log.contains(&format!("Activated service 'c2s' on [127.0.0.1]:{}", p.c2s_port)), "{log}");
    }
}
