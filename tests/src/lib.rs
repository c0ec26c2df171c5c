//! refdesk-testkit: real parts for tests and the demo: a private Prosody, a test CA, a WebDriver client.

pub mod bus;
pub mod certs;
pub mod dns;
pub mod ejabberd;
pub mod fixtures;
pub mod net;
pub mod notifications;
pub mod proc;
pub mod prosody;
pub mod proxy;
pub mod roster;
pub mod service;
pub mod site;
pub mod tray;
pub mod webdriver;

pub use prosody::{Account, Prosody, ProsodyConfig};
pub use proxy::Proxy;
