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

/// Where tests leave screenshots and logs for a person to look at: `REFDESK_ARTIFACTS` (the test
/// command sets it), else `.test-artifacts/` at the repository's root.
pub fn artifacts() -> std::path::PathBuf {
    let dir = std::env::var_os("REFDESK_ARTIFACTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.test-artifacts"));
    let _ = std::fs::create_dir_all(&dir);
    dir
}
