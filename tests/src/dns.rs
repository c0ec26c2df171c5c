//! A private DNS server on loopback (dnsmasq) serving the SRV and address records a test gives it.

use std::net::{IpAddr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::net::{free_port, wait_for_port};
use crate::prosody::Error;

/// One SRV record: `name` (e.g. `_xmpp-client._tcp.library.test`) points at `target:port`; an
/// empty target is served as "." (the domain offers no such service).
pub struct SrvRecord<'a> {
    pub name: &'a str,
    pub target: &'a str,
    pub port: u16,
    pub priority: u16,
    pub weight: u16,
}

pub struct NameServer {
    child: Child,
    pub addr: SocketAddr,
}

impl NameServer {
    /// Serves `srv` and the addresses in `hosts`, and answers "no such name" for anything else in
    /// the zones of those names.
    pub fn start(srv: &[SrvRecord<'_>], hosts: &[(&str, IpAddr)]) -> Result<NameServer, Error> {
        let here = std::path::Path::new(".");
        let port = free_port().map_err(|e| Error::io(here, e))?;
        let mut cmd = Command::new("dnsmasq");
        cmd.args([
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--bind-interfaces",
            "--listen-address=127.0.0.1",
            "--pid-file=",
            "--log-facility=-",
            "--log-queries",
        ])
        .arg(format!("--port={port}"));
        // Names under the test domains are answered here and nowhere else.
        let mut zones: Vec<&str> = srv.iter().map(|r| r.name).chain(hosts.iter().map(|h| h.0)).collect();
        zones.iter_mut().for_each(|z| *z = z.rsplit_once('.').map_or(*z, |(_, tld)| tld));
        zones.sort_unstable();
        zones.dedup();
        for z in zones {
            cmd.arg(format!("--local=/{z}/"));
        }
        for r in srv {
            cmd.arg(match r.target {
                // dnsmasq answers a record without a target as ".": "no such service here".
                "" => format!("--srv-host={}", r.name),
                t => format!("--srv-host={},{t},{},{},{}", r.name, r.port, r.priority, r.weight),
            });
        }
        for (name, ip) in hosts {
            cmd.arg(format!("--host-record={name},{ip}"));
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| Error::Spawn { program: "dnsmasq", source })?;
        let mut ns = NameServer { child, addr: SocketAddr::from(([127, 0, 0, 1], port)) };
        if !wait_for_port(port, Duration::from_secs(10), || matches!(ns.child.try_wait(), Ok(None))) {
            return Err(Error::Command { what: "dnsmasq".into(), output: format!("not listening on {port}") });
        }
        Ok(ns)
    }
}

impl Drop for NameServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
