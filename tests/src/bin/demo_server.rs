//! refdesk-demo-server: the demo desk's Prosody (shared account, librarians, patrons) and simulated
//! patrons who ask questions now and then, until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use refdesk_core::xmpp::demo::{DemoAccount, DemoInfo};
use refdesk_core::xmpp::{connect, Incoming, Show};
use refdesk_testkit::{Prosody, ProsodyConfig};

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

/// What patrons ask a reference desk over IM (short, informal, often in IM shorthand).
const QUESTIONS: &[&str] = &[
    "hi! r u open on sunday?",
    "do you have anything on the history of the dutch railways",
    "how do i renew my books online? my card # is on the back right",
    "i need 3 peer reviewed articles on climate migration for my essay, due tmrw :(",
    "is there a printer on the 2nd floor",
    "can you help me find census records from 1910 for my great-grandmother",
    "whats the call number for Charlotte's Web",
    "brb",
    "ty!! that helped a lot",
];

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: refdesk-demo-server DIR [--no-patrons]   (writes DIR/demo.json, runs until interrupted)");
        return ExitCode::from(2);
    };
    let patrons = args.next().is_none_or(|a| a != "--no-patrons");
    match run(dir, patrons) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("refdesk-demo-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: PathBuf, patrons: bool) -> Result<(), Box<dyn std::error::Error>> {
    let site = dir.join("site");
    std::fs::create_dir_all(&site)?;
    let server = Prosody::start(&ProsodyConfig { web_root: Some(site.clone()), ..ProsodyConfig::new(&dir) })?;
    let mut accounts = Vec::new();
    for (user, password, role) in ACCOUNTS {
        let a = server.register(user, password)?;
        accounts.push(DemoAccount { jid: a.jid, password: a.password, role: role.to_string() });
    }
    let info = server.demo_info(accounts);
    let info_path = dir.join("demo.json");
    std::fs::write(&info_path, serde_json::to_string_pretty(&info)?)?;
    println!(
        "demo XMPP server for {} on 127.0.0.1:{} (STARTTLS) and :{} (direct TLS); accounts in {}",
        info.domain,
        info.c2s_port,
        info.tls_port,
        info_path.display()
    );
    println!(
        "the website's \"Ask a librarian\" status (docs/website-presence.md): http://127.0.0.1:{}/status/ask@{}/text",
        server.http_port, info.domain
    );
    match refdesk_testkit::site::write(&site, &server, refdesk_testkit::site::DEMO_CSS) {
        Ok(()) => println!("a library web page with the patrons' chat box (docs/web-chat.md): {}", server.site_url()),
        Err(e) => println!("no demo web page with the chat box: {e}"),
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    if patrons {
        for n in 1..=3 {
            rt.spawn(patron(info.clone(), n));
        }
    }
    // Ctrl-C or SIGTERM (the run script's clean-up) stops Prosody too: `server` is dropped here.
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        Ok::<(), std::io::Error>(())
    })?;
    drop(server);
    Ok(())
}

/// A simulated patron: signs in, asks a question every minute or two, reads the answers.
async fn patron(info: DemoInfo, n: usize) {
    let Some((cfg, password)) = info.account(&format!("patron{n}")) else { return };
    let desk = format!("ask@{}", info.domain);
    // Stagger: not all patrons at once when the desk opens.
    tokio::time::sleep(Duration::from_secs(8 * n as u64)).await;
    loop {
        let mut session = match connect(&cfg, &password).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("demo patron{n}: {e}; trying again in 10 s");
                tokio::time::sleep(Duration::from_secs(10)).await;
                continue;
            }
        };
        let _ = session.send_presence(Show::Available, None).await;
        let mut i = n;
        loop {
            let q = QUESTIONS[i % QUESTIONS.len()];
            i += 3;
            if session.send_message(&desk, q).await.is_err() {
                break;
            }
            let pause = Duration::from_secs(60 + 20 * n as u64);
            // Read (and ignore) answers and auto-replies until it is time to ask again.
            let _ = tokio::time::timeout(pause, async {
                while let Ok(ev) = session.next().await {
                    if matches!(ev, Incoming::Closed { .. }) {
                        break;
                    }
                }
            })
            .await;
        }
    }
}
