//! XMPP sessions: connect (STARTTLS / direct TLS), authenticate, bind, exchange stanzas, stay signed in.
//! The stream's logic (`stream`, `sm`, `stanza`) is pure; `session`, `connect` and `account` do the I/O.

pub mod account;
pub mod connect;
pub mod demo;
pub mod dns;
pub mod online;
pub mod pin;
pub mod resume;
pub mod retry;
pub mod roster;
pub mod sasl;
pub mod scram;
pub mod session;
pub mod sm;
pub mod stanza;
pub mod stream;
pub mod web;
pub mod xep;
pub mod xml;

pub use account::AccountEvent;

/// A number from 0 to n inclusive, from the system's random source: for spreading load (retry
/// jitter, the SRV weighted draw), not for secrets. Without a random source, 0.
pub fn random_upto(n: u32) -> u32 {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 4];
    let r = ring::rand::SystemRandom::new().fill(&mut b).map(|_| u32::from_le_bytes(b)).unwrap_or(0);
    match n.checked_add(1) {
        Some(m) => r % m,
        None => r,
    }
}
pub use connect::{connect, reconnect, AccountConfig, ConnectError, Connected, TlsMode};
pub use roster::RosterItem;
pub use session::{Carbon, ChatMessage, Detached, Incoming, PresenceUpdate, Session, SessionError, Show};
pub use stream::Stream;

#[cfg(test)]
mod tests {
    #[test]
    fn random_draws_stay_in_range_and_reach_both_ends() {
        assert_eq!(super::random_upto(0), 0);
        let seen: std::collections::BTreeSet<u32> = (0..400).map(|_| super::random_upto(3)).collect();
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
        let _ = super::random_upto(u32::MAX); // the whole range, no overflow
    }
}
