//! The desk's IM service run for tests: a desk on its own database signed in to a private Prosody
//! through the real account runner and service, and what the service tells the window, as a stream.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use refdesk_core::accounts;
use refdesk_core::api::{AccountState, AccountStatus, ChatPhase, DeskSnapshot, FloodView, MessageView, TypingView};
use refdesk_core::desk::AlertLevel;
use refdesk_core::service::Publish;
use refdesk_core::xmpp::{account, connect, AccountConfig, Incoming, Session, Show};
use refdesk_core::Desk;
use tokio::sync::{mpsc, watch, Notify};

use crate::{Prosody, ProsodyConfig};

pub const WAIT: Duration = Duration::from_secs(30);

pub fn config(p: &Prosody, user: &str) -> AccountConfig {
    p.client_config(user)
}

#[derive(Debug)]
pub enum Published {
    Status(AccountStatus),
    Message(MessageView),
    Desk(DeskSnapshot),
    WaitAlert(String, AlertLevel, i64),
    Typing(TypingView),
    Flooding(FloodView),
    Note(refdesk_core::api::NoteView),
}

#[derive(Clone)]
pub struct Channel(pub mpsc::UnboundedSender<Published>);

impl Publish for Channel {
    fn status(&self, status: AccountStatus) {
        let _ = self.0.send(Published::Status(status));
    }
    fn message(&self, message: MessageView) {
        let _ = self.0.send(Published::Message(message));
    }
    fn desk(&self, snapshot: DeskSnapshot) {
        let _ = self.0.send(Published::Desk(snapshot));
    }
    fn wait_alert(&self, peer: &str, level: AlertLevel, waited_secs: i64) {
        let _ = self.0.send(Published::WaitAlert(peer.to_owned(), level, waited_secs));
    }
    fn typing(&self, typing: TypingView) {
        let _ = self.0.send(Published::Typing(typing));
    }
    fn flooding(&self, flood: FloodView) {
        let _ = self.0.send(Published::Flooding(flood));
    }
    fn note(&self, note: refdesk_core::api::NoteView) {
        let _ = self.0.send(Published::Note(note));
    }
}

/// A desk signed in to ask@ through the real account runner and service.
pub struct Running {
    pub desk: Arc<Mutex<Desk>>,
    pub kick: Arc<Notify>,
    pub commands: mpsc::Sender<account::AccountCommand>,
    pub published: mpsc::UnboundedReceiver<Published>,
    pub stop: watch::Sender<bool>,
    /// Pokes the runner as a wake-up from sleep would.
    pub wake: watch::Sender<()>,
}

pub fn start_desk(p: &Prosody, desk: Desk) -> Running {
    start_desk_with(p, desk, config(p, "ask"))
}

/// As `start_desk`, reaching the server as `cfg` says (through a proxy, with short pings).
pub fn start_desk_with(p: &Prosody, desk: Desk, cfg: AccountConfig) -> Running {
    start_desk_on(&p.domain, desk, cfg)
}

/// A desk signed in to ask@`domain` of any server (ejabberd too) as `cfg` says.
pub fn start_desk_on(domain: &str, desk: Desk, cfg: AccountConfig) -> Running {
    let desk = Arc::new(Mutex::new(desk));
    let (pub_tx, published) = mpsc::unbounded_channel();
    let (wake, woken) = watch::channel(());
    debug_assert_eq!(cfg.jid, format!("ask@{domain}"));
    // The app's own wiring of an account (core's `accounts::spawn`), with the password known here.
    let started = accounts::spawn(
        &tokio::runtime::Handle::current(),
        desk.clone(),
        cfg,
        "ask-secret".into(),
        Channel(pub_tx),
        woken,
    );
    Running { desk, kick: started.kick, commands: started.commands, published, stop: started.stop, wake }
}

impl Running {
    pub async fn until(&mut self, what: &str, mut pred: impl FnMut(&Published) -> bool) -> Published {
        tokio::time::timeout(WAIT, async {
            loop {
                let p = self.published.recv().await.expect("the service is running");
                if pred(&p) {
                    return p;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("never saw {what}"))
    }

    pub async fn until_state(&mut self, want: AccountState) {
        self.until(&format!("{want:?}"), |p| matches!(p, Published::Status(s) if s.state == want)).await;
    }

    pub async fn until_message(&mut self, what: &str, pred: impl Fn(&MessageView) -> bool) -> MessageView {
        match self.until(what, |p| matches!(p, Published::Message(m) if pred(m))).await {
            Published::Message(m) => m,
            _ => unreachable!(),
        }
    }
}

pub async fn patron(p: &Prosody) -> Session {
    let mut s = connect(&config(p, "patron1"), "patron-secret").await.unwrap();
    s.send_presence(Show::Available, None).await.unwrap();
    s
}

/// Every body the patron receives within `quiet` of the last one.
pub async fn bodies(s: &mut Session, quiet: Duration) -> Vec<String> {
    let mut got = Vec::new();
    while let Ok(ev) = tokio::time::timeout(quiet, s.next()).await {
        if let Incoming::Message(m) = ev.unwrap() {
            got.extend(m.body);
        }
    }
    got
}

pub fn server(dir: &std::path::Path) -> Prosody {
    let p = Prosody::start(&ProsodyConfig::new(dir)).unwrap();
    p.register("ask", "ask-secret").unwrap();
    p.register("patron1", "patron-secret").unwrap();
    p
}

pub async fn two_desks() -> (Prosody, Running, Running, [tempfile::TempDir; 3]) {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let p = server(dirs[0].path());
    let a = signed_in_desk(&p, dirs[1].path()).await;
    let b = signed_in_desk(&p, dirs[2].path()).await;
    (p, a, b, dirs)
}

/// A desk with its own database in `data`, signed in to `p`'s ask@ account.
pub async fn signed_in_desk(p: &Prosody, data: &std::path::Path) -> Running {
    let mut desk = start_desk(p, Desk::open(&data.join("refdesk.db")).unwrap());
    desk.until_state(AccountState::Online).await;
    desk
}

impl Running {
    /// The librarian at this desk starts typing to `peer`, as the window's composer does.
    /// As the window does: typing claims the chat, and is sent only if the claim was taken.
    pub async fn start_typing(&self, peer: &str) {
        let to = {
            let mut d = self.desk.lock().unwrap();
            let account = d.store().account_of(peer).unwrap().unwrap_or_default();
            d.typing_target(&account, peer, true).unwrap()
        };
        if let Some(to) = to {
            self.commands.send(account::AccountCommand::Typing { to, typing: true }).await.unwrap();
        }
    }

    pub fn phase_of(&self, peer: &str) -> Option<ChatPhase> {
        let snap = self.desk.lock().unwrap().snapshot(Utc::now()).unwrap();
        snap.chats.iter().find(|c| c.peer == peer).map(|c| c.phase)
    }
}

impl Running {
    /// The librarian at this desk says who they are, as the window does: kept, and shown to the
    /// other desks in this desk's presence.
    pub async fn call_myself(&self, name: &str, subjects: &str) {
        self.desk.lock().unwrap().set_desk_card(name, subjects, chrono::Utc::now()).unwrap();
        self.kick.notify_one();
    }

    /// This desk's resource on the account.
    pub fn resource(&self) -> String {
        self.desk.lock().unwrap().resource().unwrap()
    }

    /// Waits for a desk snapshot that satisfies `pred`.
    pub async fn until_snapshot(&mut self, what: &str, pred: impl Fn(&DeskSnapshot) -> bool) -> DeskSnapshot {
        match self.until(what, |p| matches!(p, Published::Desk(s) if pred(s))).await {
            Published::Desk(s) => s,
            _ => unreachable!(),
        }
    }

    /// The chats offered to or by this desk now.
    pub fn offers(&self) -> Vec<refdesk_core::handoff::HandoffView> {
        self.desk.lock().unwrap().snapshot(Utc::now()).unwrap().handoffs
    }

    /// The librarian answers `peer` on `account` (stored, then sent by the service).
    pub fn reply(&self, account: &str, peer: &str, text: &str) {
        self.desk.lock().unwrap().reply(account, peer, text, Utc::now()).unwrap();
        self.kick.notify_one();
    }
}
