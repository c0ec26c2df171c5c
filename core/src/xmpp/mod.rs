//! XMPP sessions: connect (STARTTLS / direct TLS), authenticate, bind, and exchange stanzas.

pub mod scram;
pub mod xml;
