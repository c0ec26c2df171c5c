//! refdesk-demo-server: the demo desk's Prosody (shared library account, librarians, patrons) until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use refdesk_testkit::{Account, Prosody, ProsodyConfig};

/// Demo accounts: (user, password, role). Demo only: these passwords are printed on purpose.
const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("ask", "ask-demo", "the library's shared IM account"),
    ("maria", "maria-demo", "librarian"),
    ("joost", "joost-demo", "librarian"),
    ("patron1", "patron-demo", "patron"),
    ("patron2", "patron-demo", "patron"),
    ("patron3", "patron-demo", "patron"),
    ("patron4", "patron-demo", "patron"),
    ("patron5", "patron-demo", "patron"),
];

#[derive(serde::Serialize)]
struct DemoInfo {
    domain: String,
    host: &'static str,
    c2s_port: u16,
    tls_port: u16,
    ca_cert: PathBuf,
    accounts: Vec<(Account, &'static str)>,
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: refdesk-demo-server DIR   (writes DIR/demo.json, runs until interrupted)");
        return ExitCode::from(2);
    };
    match run(dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("refdesk-demo-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let server = Prosody::start(&ProsodyConfig::new(&dir))?;
    let mut accounts = Vec::new();
    for (user, password, role) in ACCOUNTS {
        accounts.push((server.register(user, password)?, *role));
    }
    let info = DemoInfo {
        domain: server.domain.clone(),
        host: "127.0.0.1",
        c2s_port: server.c2s_port,
        tls_port: server.tls_port,
        ca_cert: server.ca.ca_cert.clone(),
        accounts,
    };
    let info_path = dir.join("demo.json");
    std::fs::write(&info_path, serde_json::to_string_pretty(&info)?)?;
    println!(
        "demo XMPP server for {} on 127.0.0.1:{} (STARTTLS) and :{} (direct TLS); accounts in {}",
        info.domain,
        info.c2s_port,
        info.tls_port,
        info_path.display()
    );
    server.wait()?;
    Ok(())
}
