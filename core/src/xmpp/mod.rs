//! XMPP sessions: connect (STARTTLS / direct TLS), authenticate, bind, and exchange stanzas.

pub mod connect;
pub mod scram;
pub mod session;
pub mod xml;

pub use connect::{connect, AccountConfig, ConnectError, TlsMode};
pub use session::{ChatMessage, Incoming, PresenceUpdate, Session, SessionError, Show};
