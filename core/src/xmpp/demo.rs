//! The demo desk's description (written by refdesk-demo-server): where the server is and its accounts.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::connect::{AccountConfig, TlsMode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAccount {
    pub jid: String,
    /// Demo accounts only: a real account's password lives in the OS keyring, never in a file.
    pub password: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoInfo {
    pub domain: String,
    pub host: String,
    pub c2s_port: u16,
    pub tls_port: u16,
    pub ca_cert: PathBuf,
    pub accounts: Vec<DemoAccount>,
}

impl DemoInfo {
    pub fn load(path: &Path) -> Result<DemoInfo, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The account config and password of `user` on the demo server.
    pub fn account(&self, user: &str) -> Option<(AccountConfig, String)> {
        let jid = format!("{user}@{}", self.domain);
        let a = self.accounts.iter().find(|a| a.jid == jid)?;
        let cfg = AccountConfig {
            host: Some(self.host.clone()),
            port: Some(self.c2s_port),
            tls: TlsMode::StartTls,
            extra_ca: Some(self.ca_cert.clone()),
            ..AccountConfig::new(&jid)
        };
        Some((cfg, a.password.clone()))
    }
}
