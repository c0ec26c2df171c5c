//! A stand-in desktop notification daemon on the session bus that records what it is asked to show.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::zvariant::OwnedValue;

/// One notification as the daemon received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// 0 low, 1 normal, 2 critical (the `urgency` hint), if sent.
    pub urgency: Option<u8>,
    /// The id the daemon gave it: the replaced notification's, for an update of one on screen.
    pub id: u32,
    /// It replaced the notification `id` on screen (the sender asked with `replaces_id`).
    pub replaced: bool,
    /// Its actions, as (key, label) pairs.
    pub actions: Vec<(String, String)>,
}

#[derive(Clone, Default)]
struct Daemon(Arc<Mutex<Vec<Shown>>>);

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Daemon {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints.get("urgency").and_then(|v| u8::try_from(v).ok());
        let actions = actions.chunks(2).map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default())).collect();
        let mut all = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // As real daemons do: an update of a notification still known keeps its id; an unknown
        // id gets a new one. (Every call is logged, so the updates stay visible to tests.)
        let replaced = replaces_id != 0 && all.iter().any(|s| s.id == replaces_id);
        let id = if replaced { replaces_id } else { all.iter().map(|s| s.id).max().unwrap_or(0) + 1 };
        all.push(Shown { app_name, summary, body, urgency, id, replaced, actions });
        id
    }

    /// What a daemon sends when the user clicks a notification (or one of its buttons).
    #[zbus(signal)]
    async fn action_invoked(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

    fn get_capabilities(&self) -> Vec<String> {
        // Like most daemons: it would render markup in bodies, which is why senders must escape.
        vec!["body".into(), "body-markup".into(), "persistence".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("refdesk-test-daemon".into(), "refdesk".into(), "1.0".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

/// Owns `org.freedesktop.Notifications` on the session bus while it lives.
pub struct NotificationDaemon {
    shown: Daemon,
    conn: zbus::blocking::Connection,
}

impl NotificationDaemon {
    /// Fails if the session has no bus or another daemon already owns the name.
    pub fn start() -> zbus::Result<NotificationDaemon> {
        let shown = Daemon::default();
        let conn = zbus::blocking::connection::Builder::session()?
            .serve_at("/org/freedesktop/Notifications", shown.clone())?
            .name("org.freedesktop.Notifications")?
            .build()?;
        Ok(NotificationDaemon { shown, conn })
    }

    pub fn shown(&self) -> Vec<Shown> {
        self.shown.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Clicks notification `id`, as a user would: the daemon invokes its default action.
    pub fn click(&self, id: u32) -> zbus::Result<()> {
        let iface = self.conn.object_server().interface::<_, Daemon>("/org/freedesktop/Notifications")?;
        zbus::block_on(Daemon::action_invoked(iface.signal_emitter(), id, "default"))
    }

    /// Waits for a notification matching `pred` among those after the first `after`.
    pub fn wait_for(&self, after: usize, timeout: Duration, pred: impl Fn(&Shown) -> bool) -> Option<Shown> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.shown().into_iter().skip(after).find(|s| pred(s)) {
                return Some(s);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
