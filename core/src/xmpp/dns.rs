//! Where an account's server is when only its address is known: the domain's DNS SRV records for
//! direct TLS (XEP-0368, `_xmpps-client._tcp`) and STARTTLS (RFC 6120 §3.2.1, `_xmpp-client._tcp`),
//! tried in the order the records ask for, else the domain itself on the standard port.
//!
//! The certificate is still checked against the account's domain, never against a record's target:
//! whoever can change DNS answers cannot pass as the library's server.

use std::net::{IpAddr, SocketAddr};

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

use super::connect::{ConnectError, TlsMode};

/// Records of one name that are considered at most: a real domain has two or three; a hostile
/// name server's thousand would only slow the sign-in down.
const MAX_RECORDS: usize = 16;

/// One SRV record, as the name server gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv {
    pub priority: u16,
    pub weight: u16,
    pub port: u16,
    /// Host name without the final dot; "." (a lone dot) means "no service here".
    pub target: String,
    pub tls: TlsMode,
}

/// A server to try, and how to speak to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Named by an SRV record (its addresses come from the same name server), or the domain itself.
    pub from_srv: bool,
}

/// The standard port of a connection kind, when nothing names one.
pub fn default_port(tls: TlsMode) -> u16 {
    match tls {
        TlsMode::StartTls => 5222,
        TlsMode::Direct => 5223,
    }
}

/// The servers to try for `domain`, given the records found (`None`: the name has none). An
/// account set to direct TLS only looks at direct TLS records. Every record being "." means the
/// domain says it has no XMPP service, which is an error rather than a guess.
pub fn plan(
    domain: &str,
    tls: TlsMode,
    direct: Option<Vec<Srv>>,
    starttls: Option<Vec<Srv>>,
    pick: impl FnMut(u32) -> u32,
) -> Result<Vec<Target>, ConnectError> {
    let starttls = starttls.filter(|_| tls == TlsMode::StartTls);
    let answered = direct.is_some() || starttls.is_some();
    let records: Vec<Srv> = direct.into_iter().chain(starttls).flatten().filter(|r| r.target != ".").collect();
    if records.is_empty() {
        if answered {
            return Err(ConnectError::UnknownHost {
                host: domain.to_owned(),
                detail: "its DNS records say it offers no XMPP service".into(),
            });
        }
        return Ok(vec![Target { host: domain.to_owned(), port: default_port(tls), tls, from_srv: false }]);
    }
    Ok(order(records, pick))
}

/// Lowest priority first; within one priority, a weighted draw (RFC 2782), direct TLS and STARTTLS
/// records mixed as XEP-0368 asks. `pick(n)` answers a number from 0 to n inclusive.
pub fn order(mut records: Vec<Srv>, mut pick: impl FnMut(u32) -> u32) -> Vec<Target> {
    records.sort_by_key(|r| (r.priority, r.weight != 0));
    let mut out = Vec::with_capacity(records.len());
    while let Some(first) = records.first() {
        let priority = first.priority;
        let mut group: Vec<Srv> = Vec::new();
        while records.first().is_some_and(|r| r.priority == priority) {
            group.push(records.remove(0));
        }
        while !group.is_empty() {
            let total: u32 = group.iter().map(|r| u32::from(r.weight)).sum();
            let at = pick(total).min(total);
            let mut running = 0u32;
            let i = group
                .iter()
                .position(|r| {
                    running += u32::from(r.weight);
                    running >= at
                })
                .unwrap_or(group.len() - 1);
            let r = group.remove(i);
            out.push(Target { host: r.target, port: r.port, tls: r.tls, from_srv: true });
        }
    }
    out
}

/// Asks the system's name servers, or one given (split DNS, tests).
pub struct Resolver(TokioResolver);

impl Resolver {
    pub fn new(nameserver: Option<SocketAddr>) -> Result<Resolver, ConnectError> {
        let unknown = |detail: String| ConnectError::UnknownHost { host: "(name server)".into(), detail };
        let builder = match nameserver {
            Some(addr) => {
                let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
                    .into_iter()
                    .map(|mut c| {
                        c.port = addr.port();
                        c
                    })
                    .collect();
                let server = NameServerConfig::new(addr.ip(), true, connections);
                let config = ResolverConfig::from_parts(None, Vec::new(), vec![server]);
                TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            }
            None => TokioResolver::builder_tokio()
                .map_err(|e| unknown(format!("cannot read the system's DNS settings: {e}")))?,
        };
        builder.build().map(Resolver).map_err(|e| unknown(e.to_string()))
    }

    /// The servers to try for `domain`, in order.
    pub async fn targets(&self, domain: &str, tls: TlsMode) -> Result<Vec<Target>, ConnectError> {
        let direct = self.srv(&format!("_xmpps-client._tcp.{domain}."), TlsMode::Direct).await;
        let starttls = match tls {
            TlsMode::StartTls => self.srv(&format!("_xmpp-client._tcp.{domain}."), TlsMode::StartTls).await,
            TlsMode::Direct => None,
        };
        plan(domain, tls, direct, starttls, super::random_upto)
    }

    /// The records of one service name; none when there are none or the name server failed (then
    /// the domain itself is tried, as when a domain has no records).
    async fn srv(&self, name: &str, tls: TlsMode) -> Option<Vec<Srv>> {
        match self.0.srv_lookup(name).await {
            Ok(found) => {
                let records: Vec<Srv> = found
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::SRV(s) => Some(Srv {
                            priority: s.priority,
                            weight: s.weight,
                            port: s.port,
                            target: match s.target.to_ascii().trim_end_matches('.') {
                                "" => ".".to_owned(),
                                t => t.to_owned(),
                            },
                            tls,
                        }),
                        _ => None,
                    })
                    .take(MAX_RECORDS)
                    .collect();
                Some(records).filter(|r| !r.is_empty())
            }
            Err(e) if e.is_no_records_found() => None,
            Err(e) => {
                tracing::warn!(%name, "DNS lookup failed; trying the domain itself: {e}");
                None
            }
        }
    }

    /// The addresses of an SRV record's target.
    pub async fn addresses(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, ConnectError> {
        let found = self
            .0
            .lookup_ip(format!("{host}."))
            .await
            .map_err(|e| ConnectError::UnknownHost { host: host.to_owned(), detail: e.to_string() })?;
        Ok(found.iter().map(|ip: IpAddr| SocketAddr::new(ip, port)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv(priority: u16, weight: u16, target: &str, tls: TlsMode) -> Srv {
        Srv { priority, weight, port: 5222, target: target.into(), tls }
    }

    fn hosts(t: &[Target]) -> Vec<&str> {
        t.iter().map(|t| t.host.as_str()).collect()
    }

    #[test]
    fn lower_priority_goes_first_and_direct_tls_mixes_in() {
        let direct = vec![srv(10, 0, "tls.lib", TlsMode::Direct)];
        let starttls = vec![srv(20, 0, "b.lib", TlsMode::StartTls), srv(5, 0, "a.lib", TlsMode::StartTls)];
        let t = plan("lib", TlsMode::StartTls, Some(direct), Some(starttls), |_| 0).unwrap();
        assert_eq!(hosts(&t), ["a.lib", "tls.lib", "b.lib"]);
        assert_eq!(t[1].tls, TlsMode::Direct);
        assert!(t.iter().all(|t| t.from_srv));
    }

    #[test]
    fn weight_decides_within_a_priority() {
        let records = || vec![srv(1, 10, "light.lib", TlsMode::StartTls), srv(1, 90, "heavy.lib", TlsMode::StartTls)];
        // The draw lands in the first ten: the light one first; past them: the heavy one.
        assert_eq!(hosts(&order(records(), |_| 5)), ["light.lib", "heavy.lib"]);
        assert_eq!(hosts(&order(records(), |n| n)), ["heavy.lib", "light.lib"]);
        // Over many draws the heavy server is first about nine times in ten.
        let mut seen = 0;
        for _ in 0..2000 {
            if order(records(), crate::xmpp::random_upto)[0].host == "heavy.lib" {
                seen += 1;
            }
        }
        assert!((1600..=1990).contains(&seen), "{seen} of 2000");
    }

    #[test]
    fn no_records_means_the_domain_itself_on_the_standard_port() {
        let t = plan("library.example", TlsMode::StartTls, None, None, |_| 0).unwrap();
        assert_eq!(t, [Target { host: "library.example".into(), port: 5222, tls: TlsMode::StartTls, from_srv: false }]);
        let t = plan("library.example", TlsMode::Direct, None, None, |_| 0).unwrap();
        assert_eq!((t[0].port, t[0].tls), (5223, TlsMode::Direct));
    }

    #[test]
    fn a_direct_tls_account_ignores_starttls_records() {
        let starttls = vec![srv(1, 0, "plain.lib", TlsMode::StartTls)];
        let t = plan("lib", TlsMode::Direct, None, Some(starttls), |_| 0).unwrap();
        assert_eq!(hosts(&t), ["lib"]);
        assert_eq!(t[0].tls, TlsMode::Direct);
    }

    #[test]
    fn a_lone_dot_says_there_is_no_service() {
        let dot = vec![srv(0, 0, ".", TlsMode::StartTls)];
        let e = plan("lib", TlsMode::StartTls, None, Some(dot), |_| 0).unwrap_err();
        assert!(e.to_string().contains("offers no XMPP service"), "{e}");
        // A dot for one kind and a real record for the other: the real one is used.
        let dot = vec![srv(0, 0, ".", TlsMode::Direct)];
        let t = plan("lib", TlsMode::StartTls, Some(dot), Some(vec![srv(1, 0, "x.lib", TlsMode::StartTls)]), |_| 0);
        assert_eq!(hosts(&t.unwrap()), ["x.lib"]);
    }
}
