//! What a desktop notification says and when one is due; pure, so wording, escaping and limits are tested without a desktop.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::api::MessageView;
use crate::desk::AlertLevel;
use crate::policy::NotificationPolicy;

/// One notification to show. `body` is already escaped for daemons that read markup in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    /// Stays until dismissed (an IM that has waited past the second threshold).
    pub urgent: bool,
    /// The patron it is about: clicking the notification opens their conversation.
    pub peer: String,
    /// Where it stands in a burst of new IMs (see [`Burst`]).
    pub burst: BurstRole,
}

/// New IMs that come close together are one notification, updated in place, not one each: a
/// busy desk (or 500 patrons at once) must not bury the librarian's screen in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurstRole {
    /// Not part of a burst (a waiting alert): shown on its own.
    Alone,
    /// The first IM of a burst: shown, and the one later IMs of the burst replace.
    Starts,
    /// A later IM of the burst: replaces the burst's notification.
    Grows,
}

/// IMs announced less than this apart are one burst.
const BURST_GAP: i64 = 10;
/// Names a burst's notification lists before "and N more".
const BURST_NAMES: usize = 4;

#[derive(Debug, Clone)]
struct Burst {
    last: DateTime<Utc>,
    /// The patrons announced in it, first come first; at most MAX_REMEMBERED are told apart.
    peers: Vec<String>,
    /// How many of them (past the ones kept above too).
    count: usize,
}

/// The action a click on the notification invokes (the freedesktop "default" action); the window
/// then opens the patron's conversation (event [`crate::api::EVENT_OPEN_CHAT`]).
pub const CLICK_ACTION: &str = "default";

/// A patron who keeps writing is announced once per this long, not once per message.
const PER_PATRON_GAP: i64 = 30;
/// Patrons remembered for the limit above; older entries are dropped past this many.
const MAX_REMEMBERED: usize = 1000;
const EXCERPT_CHARS: usize = 120;
const NAME_CHARS: usize = 64;

/// Decides the desk's notifications under the library's policy.
#[derive(Debug, Clone)]
pub struct Notifier {
    policy: NotificationPolicy,
    last: HashMap<String, DateTime<Utc>>,
    burst: Option<Burst>,
}

impl Notifier {
    pub fn new(policy: NotificationPolicy) -> Notifier {
        Notifier { policy, last: HashMap::new(), burst: None }
    }

    /// A message was stored while the librarian was not looking at the window.
    pub fn message(&mut self, m: &MessageView, now: DateTime<Utc>) -> Option<Notice> {
        if !self.policy.enabled || !m.incoming {
            return None;
        }
        if self.last.get(&m.peer).is_some_and(|t| now - *t < Duration::seconds(PER_PATRON_GAP)) {
            return None;
        }
        if self.last.len() >= MAX_REMEMBERED {
            let cutoff = now - Duration::seconds(PER_PATRON_GAP);
            self.last.retain(|_, t| *t >= cutoff);
        }
        self.last.insert(m.peer.clone(), now);
        if let Some(b) = self.burst.as_mut().filter(|b| now - b.last < Duration::seconds(BURST_GAP)) {
            b.last = now;
            if !b.peers.contains(&m.peer) {
                b.count += 1;
                if b.peers.len() < MAX_REMEMBERED {
                    b.peers.push(m.peer.clone());
                }
            }
            if b.count > 1 {
                return Some(burst_notice(b));
            }
        } else {
            self.burst = Some(Burst { last: now, peers: vec![m.peer.clone()], count: 1 });
        }
        let body = if self.policy.message_text {
            escape_markup(&excerpt(&m.body))
        } else {
            "Open Refdesk to read and answer.".to_owned()
        };
        let summary = format!("IM from {}", name(&m.peer));
        Some(Notice { summary, body, urgent: false, peer: m.peer.clone(), burst: BurstRole::Starts })
    }

    /// An IM has waited past a threshold of the desk policy.
    pub fn wait_alert(&self, peer: &str, level: AlertLevel, waited_secs: i64) -> Option<Notice> {
        if !self.policy.enabled {
            return None;
        }
        let minutes = (waited_secs.max(0) + 30) / 60;
        let waited = if minutes <= 1 { "a minute".to_owned() } else { format!("{minutes} minutes") };
        let (summary, urgent) = match level {
            AlertLevel::Waiting => (format!("{} is waiting", name(peer)), false),
            AlertLevel::Escalated => (format!("{} is still waiting", name(peer)), true),
        };
        let body = format!("An IM question has waited {waited} for a librarian.");
        Some(Notice { summary, body, urgent, peer: peer.to_owned(), burst: BurstRole::Alone })
    }
}

/// The notification of a burst of IMs from several patrons: how many, and who (never what they
/// wrote: several patrons' words in one place say too much). A click opens the first one's chat.
fn burst_notice(b: &Burst) -> Notice {
    let names: Vec<String> = b.peers.iter().take(BURST_NAMES).map(|p| name(p)).collect();
    let more = b.count - names.len();
    let body = match (names.split_last(), more) {
        (Some((last, rest)), 0) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        (Some((last, _)), 0) => last.clone(),
        _ => format!("{} and {more} more", names.join(", ")),
    };
    Notice {
        summary: format!("{} patrons wrote", b.count),
        body: escape_markup(&body),
        urgent: false,
        peer: b.peers[0].clone(),
        burst: BurstRole::Grows,
    }
}

/// Calls `on_click` with the id of each notification the librarian clicks (the daemon's
/// `ActionInvoked` signal with the default action), until the session bus goes away.
#[cfg(target_os = "linux")]
pub async fn listen_clicks(conn: &zbus::Connection, mut on_click: impl FnMut(u32)) -> zbus::Result<()> {
    use futures_util::StreamExt;
    use zbus::{message::Type, MatchRule, MessageStream};
    let rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface("org.freedesktop.Notifications")?
        .member("ActionInvoked")?
        .build();
    let mut clicks = MessageStream::for_match_rule(rule, conn, Some(16)).await?;
    while let Some(msg) = clicks.next().await {
        let Ok(msg) = msg else { continue };
        // Anyone on the bus can send a signal: a malformed one is ignored, and an id this desk did
        // not give out finds no conversation.
        match msg.body().deserialize::<(u32, String)>() {
            Ok((id, action)) if action == CLICK_ACTION => on_click(id),
            Ok(_) => {}
            Err(e) => tracing::debug!("ignored a malformed notification signal: {e}"),
        }
    }
    Ok(())
}

/// Escapes text for HTML-like markup: notification bodies (`<b>`, `<a href>`, `<img>`, entities)
/// and the HTML export. Not `xml::escape`: HTML readers do not all know `&apos;`.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of at most EXCERPT_CHARS characters, with controls and bidi overrides taken out.
fn excerpt(body: &str) -> String {
    let clean: String = body.chars().map(|c| if is_unsafe(c) { ' ' } else { c }).collect();
    let line = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(EXCERPT_CHARS) {
        None => line,
        Some((cut, _)) => format!("{}…", &line[..cut]),
    }
}

/// The patron as a notification names them: the part of the address before the @, made safe.
fn name(jid: &str) -> String {
    let local = jid.split_once('@').map_or(jid, |(l, _)| l);
    let local = if local.is_empty() { jid } else { local };
    local.chars().filter(|c| !is_unsafe(*c)).take(NAME_CHARS).collect()
}

/// Control characters and the bidi embedding/override/isolate marks, which could reorder the text shown.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MessageStatus;

    fn msg(peer: &str, body: &str, incoming: bool) -> MessageView {
        MessageView {
            id: 1,
            account: "ask@lib".into(),
            peer: peer.into(),
            incoming,
            body: body.into(),
            at: Utc::now(),
            auto_reply: false,
            status: if incoming { MessageStatus::Received } else { MessageStatus::Sent },
        }
    }

    fn with_text() -> Notifier {
        Notifier::new(NotificationPolicy { enabled: true, message_text: true })
    }

    #[test]
    fn message_text_stays_out_unless_the_policy_allows_it() {
        let t = Utc::now();
        let n = Notifier::new(NotificationPolicy::default()).message(&msg("maria@x.org", "my card 2939…", true), t);
        let n = n.unwrap();
        assert_eq!(n.summary, "IM from maria");
        assert!(!n.body.contains("2939"), "{n:?}");
        let n = with_text().message(&msg("maria@x.org", "where  are\nthe atlases?", true), t).unwrap();
        assert_eq!(n.body, "where are the atlases?");
    }

    #[test]
    fn markup_in_a_message_is_escaped_not_interpreted() {
        let body = r#"<b>hi</b> <a href="http://evil.example">click</a> <img src=x> & 'q'"#;
        let n = with_text().message(&msg("p@x", body, true), Utc::now()).unwrap();
        assert!(!n.body.contains('<') && !n.body.contains('>') && !n.body.contains('"'), "{}", n.body);
        assert_eq!(
            n.body,
            "&lt;b&gt;hi&lt;/b&gt; &lt;a href=&quot;http://evil.example&quot;&gt;click&lt;/a&gt; &lt;img src=x&gt; &amp; &#39;q&#39;"
        );
    }

    #[test]
    fn long_messages_controls_and_bidi_tricks_are_cut_out() {
        let n = with_text().message(&msg("\u{202E}evil\u{0}@x", &"é".repeat(5000), true), Utc::now()).unwrap();
        assert_eq!(n.body.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(n.summary, "IM from evil");
        let n = with_text().message(&msg(&"n".repeat(500), "a\u{202E}b\u{7}c", true), Utc::now()).unwrap();
        assert_eq!(n.body, "a b c");
        assert_eq!(n.summary.chars().count(), "IM from ".len() + NAME_CHARS);
    }

    #[test]
    fn a_patron_who_keeps_writing_is_announced_once_per_half_minute() {
        let mut n = with_text();
        let t0 = Utc::now();
        assert!(n.message(&msg("p@x", "1", true), t0).is_some());
        for s in 1..30 {
            assert!(n.message(&msg("p@x", "more", true), t0 + Duration::seconds(s)).is_none());
        }
        assert!(n.message(&msg("q@x", "other patron", true), t0 + Duration::seconds(5)).is_some());
        assert!(n.message(&msg("p@x", "later", true), t0 + Duration::seconds(31)).is_some());
    }

    #[test]
    fn patrons_writing_close_together_are_one_notification_updated_in_place() {
        let mut n = Notifier::new(NotificationPolicy::default());
        let t0 = Utc::now();
        let first = n.message(&msg("ann@x", "hi", true), t0).unwrap();
        assert_eq!((first.summary.as_str(), first.burst), ("IM from ann", BurstRole::Starts));
        let second = n.message(&msg("ben@x", "hi", true), t0 + Duration::seconds(3)).unwrap();
        assert_eq!(second.summary, "2 patrons wrote");
        assert_eq!(
            (second.body.as_str(), second.burst, second.peer.as_str()),
            ("ann and ben", BurstRole::Grows, "ann@x")
        );
        // Each IM keeps the burst going; names past four are counted, a patron once.
        let mut last = second;
        for (who, at) in [("cas", 6), ("dee", 12), ("eve", 18), ("fay", 24), ("ann", 30), ("cas", 37)] {
            last = n.message(&msg(&format!("{who}@x"), "hi", true), t0 + Duration::seconds(at)).unwrap();
        }
        assert_eq!(last.summary, "6 patrons wrote");
        assert_eq!(last.body, "ann, ben, cas, dee and 2 more");
        // A quiet spell ends the burst: the next IM is shown on its own again.
        let later = n.message(&msg("gus@x", "hi", true), t0 + Duration::seconds(300)).unwrap();
        assert_eq!((later.summary.as_str(), later.burst), ("IM from gus", BurstRole::Starts));
        // Waiting alerts stand alone.
        assert_eq!(n.wait_alert("gus@x", AlertLevel::Waiting, 120).unwrap().burst, BurstRole::Alone);
    }

    #[test]
    fn a_burst_names_patrons_safely() {
        let mut n = with_text();
        let t0 = Utc::now();
        n.message(&msg("<b>x</b>@x", "hi", true), t0);
        let g = n.message(&msg("\u{202E}y&z@x", "secret words", true), t0).unwrap();
        assert_eq!(g.body, "&lt;b&gt;x&lt;/b&gt; and y&amp;z");
        assert!(!g.body.contains("secret"), "what patrons wrote stays out of a burst: {}", g.body);
    }

    #[test]
    fn a_flood_of_patrons_does_not_grow_memory_without_bound() {
        let mut n = with_text();
        let t0 = Utc::now();
        for i in 0..10 * MAX_REMEMBERED {
            let t = t0 + Duration::seconds(i as i64 / 10);
            n.message(&msg(&format!("p{i}@x"), "hi", true), t);
        }
        assert!(n.last.len() <= MAX_REMEMBERED + 1, "{}", n.last.len());
        let burst = n.burst.as_ref().unwrap();
        assert!(burst.peers.len() <= MAX_REMEMBERED && burst.count == 10 * MAX_REMEMBERED, "{}", burst.peers.len());
    }

    #[test]
    fn our_own_messages_and_a_disabled_policy_notify_nothing() {
        assert!(with_text().message(&msg("p@x", "sent by us", false), Utc::now()).is_none());
        let off = Notifier::new(NotificationPolicy { enabled: false, message_text: true });
        assert!(off.clone().message(&msg("p@x", "hi", true), Utc::now()).is_none());
        assert!(off.wait_alert("p@x", AlertLevel::Escalated, 600).is_none());
    }

    #[test]
    fn waits_are_announced_and_escalation_is_urgent() {
        let n = with_text();
        let first = n.wait_alert("ben@x.org", AlertLevel::Waiting, 125).unwrap();
        assert_eq!(first.summary, "ben is waiting");
        assert_eq!(first.body, "An IM question has waited 2 minutes for a librarian.");
        assert!(!first.urgent);
        let second = n.wait_alert("ben@x.org", AlertLevel::Escalated, 60).unwrap();
        assert!(second.urgent && second.summary == "ben is still waiting" && second.body.contains("a minute"));
    }
}
