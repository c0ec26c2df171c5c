//! XMPP sessions: connect (STARTTLS / direct TLS), authenticate, bind, exchange stanzas, stay signed in.

pub mod account;
pub mod connect;
pub mod demo;
pub mod pin;
pub mod scram;
pub mod session;
pub mod sm;
pub mod xml;

pub use account::AccountEvent;
pub use connect::{connect, reconnect, AccountConfig, ConnectError, Connected, TlsMode};
pub use session::{Carbon, ChatMessage, Detached, Incoming, PresenceUpdate, Session, SessionError, Show};
