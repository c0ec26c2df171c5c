//! Types that cross into the UI (command results and event payloads), exported to TypeScript by ts-rs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::names::{
    EVENT_ACCOUNT_CHANGED, EVENT_DESK_CHANGED, EVENT_FLOODING, EVENT_MESSAGE, EVENT_NOTE, EVENT_OPEN_CHAT, EVENT_TYPING,
};

/// What the librarian chose for IM: open for questions, stepped away, or signed off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Presence {
    Available,
    Away,
    Offline,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "available",
            Presence::Away => "away",
            Presence::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Presence> {
        match s {
            "available" => Some(Presence::Available),
            "away" => Some(Presence::Away),
            "offline" => Some(Presence::Offline),
            _ => None,
        }
    }
}

/// What the desk shows the world and the tray: one icon per state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DeskState {
    Available,
    WithPatron,
    Away,
    Offline,
}

impl DeskState {
    /// Short label for the tray menu and the window header.
    pub fn label(self) -> &'static str {
        match self {
            DeskState::Available => "Available",
            DeskState::WithPatron => "With a patron at the desk",
            DeskState::Away => "Away",
            DeskState::Offline => "Offline",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WalkUp {
    #[ts(type = "number")]
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub topic: Option<String>,
}

/// Everything the window needs to draw the desk header and the walk-up button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeskSnapshot {
    /// Counts up with every snapshot the process makes: of two, the window keeps the later one
    /// (a command's answer and a fetch after a change may arrive in either order).
    #[ts(type = "number")]
    pub revision: u64,
    pub state: DeskState,
    pub presence: Presence,
    pub active_walkup: Option<WalkUp>,
    /// Walk-ups started since local midnight.
    pub walkups_today: u32,
    /// Who is waiting, walk-ups and IMs in one line, in the order the desk rules will serve them.
    pub queue: Vec<QueuedView>,
    /// The open chats the desk rules know of, and where each stands.
    pub chats: Vec<ChatStatusView>,
    /// The other desks signed in to this desk's accounts: colleagues a chat can be handed to.
    pub colleagues: Vec<ColleagueView>,
    /// The library's librarians (a roster group of each account) and whether they are online.
    pub directory: Vec<DirectoryEntry>,
    /// Chats offered to or by this desk and not yet settled.
    pub handoffs: Vec<HandoffView>,
    /// Patrons who ended their chat themselves ("End chat" in the website's chat box) and have
    /// not written since.
    pub left: Vec<String>,
    /// Questions left in the website's chat box while the desk was closed, not yet answered.
    pub followups: u32,
    /// People asking to see when the desk is open, for the librarian to answer (`buddies = "ask"`).
    pub buddy_requests: Vec<BuddyRequestView>,
}

/// Someone asking to put the library's account on their buddy list (to see when the desk is open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BuddyRequestView {
    pub account: String,
    /// Their address, as they sent it (untrusted text).
    pub from: String,
}

/// A question a patron left in the website's chat box while the desk was closed, to answer by
/// email. Live data: the question as written (untrusted text) and the address they gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FollowUpView {
    #[ts(type = "number")]
    pub id: i64,
    pub account: String,
    pub at: DateTime<Utc>,
    pub question: String,
    /// None: the patron gave no address (the desk cannot answer, but sees the question).
    pub email: Option<String>,
}

/// An internal note on a conversation: for colleagues, never sent to the patron.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NoteView {
    pub id: i64,
    pub account: String,
    pub peer: String,
    /// The name of the desk that wrote it (blank if that desk has none).
    pub author: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// Another desk signed in to one of this desk's accounts, as its presence shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ColleagueView {
    pub account: String,
    /// The desk's own address on the account (its XMPP resource): where offers go.
    pub resource: String,
    /// Who staffs it, as that desk says; blank if it does not.
    pub name: String,
    pub subjects: String,
    /// Open for questions (not away or busy).
    pub open: bool,
    /// Its librarian is on duty (not on a break), whether or not the desk is open for questions:
    /// it counts for the rules' "IM only when double-staffed".
    pub on_duty: bool,
}

/// A librarian in the account's directory (its roster group), with live presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DirectoryEntry {
    pub account: String,
    /// Their own address (bare).
    pub jid: String,
    /// As the library named them (policy, roster), else the address's user part.
    pub name: String,
    /// What they know about, as the library's policy lists it; blank if it does not.
    pub subjects: String,
    /// Signed in on some device.
    pub online: bool,
    /// Signed in and not away or busy.
    pub open: bool,
    /// What they say in their status ("at the map desk until 3"), blank if nothing.
    pub status: String,
}

impl DeskSnapshot {
    /// IMs in line for a librarian.
    pub fn ims_waiting(&self) -> usize {
        self.queue.iter().filter(|q| matches!(q, QueuedView::Chat { .. })).count()
    }

    /// The desk in one line, for the tray menu (Linux trays show no tooltip): state, then who waits.
    pub fn summary(&self) -> String {
        let walkups = self.queue.len() - self.ims_waiting();
        let mut waiting = Vec::new();
        match self.ims_waiting() {
            0 => {}
            1 => waiting.push("1 IM".to_owned()),
            n => waiting.push(format!("{n} IMs")),
        }
        match walkups {
            0 => {}
            1 => waiting.push("1 walk-up".to_owned()),
            n => waiting.push(format!("{n} walk-ups")),
        }
        if waiting.is_empty() {
            format!("Refdesk: {}", self.state.label())
        } else {
            format!("Refdesk: {} · {} waiting", self.state.label(), waiting.join(", "))
        }
    }
}

/// Where an open chat stands with the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ChatPhase {
    /// In line for a librarian.
    Waiting,
    /// A librarian is on it.
    Active,
    /// Put on hold (the librarian was called to the desk).
    OnHold,
    /// Another desk on the same account is answering it.
    Elsewhere,
}

/// One place in the desk's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
#[ts(export)]
pub enum QueuedView {
    Chat {
        peer: String,
        arrived: DateTime<Utc>,
    },
    Walkup {
        #[ts(type = "number")]
        id: i64,
        arrived: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChatStatusView {
    /// The patron's bare JID (the conversation's `peer`).
    pub peer: String,
    pub phase: ChatPhase,
    /// For a chat another desk has: that desk's name, when it said one.
    pub desk: Option<String>,
    /// The name the library gave the patron on the account's roster, if any (never the nickname
    /// the patron's own client sends: that one could say "Library director").
    pub name: Option<String>,
}

/// Whether the app came up with a usable store, and if not, what the person can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
#[ts(export)]
pub enum StartupStatus {
    Ready {
        data_dir: String,
        /// Set when the library's policy file could not be used and the default rules apply.
        policy_warning: Option<String>,
        /// The READ level a question closed without a choice gets (the library's policy).
        default_read_level: Option<u8>,
        /// Topic tags the library offers when rating a question.
        suggested_tags: Vec<String>,
        /// IM shorthand and what it means, for explaining patrons' messages.
        glossary: Vec<SlangTerm>,
    },
    StoreProblem {
        code: ErrorCode,
        message: String,
        path: String,
        /// True when starting fresh (old file kept aside) is a sensible offer.
        can_start_fresh: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorCode {
    StoreCorrupt,
    StoreNewerSchema,
    StoreIo,
    StoreFailed,
    StoreUnavailable,
    WalkupAlreadyActive,
    NoActiveWalkup,
    InvalidInput,
    /// The OS keyring could not be used (none running, locked, refused).
    KeyringUnavailable,
    Internal,
}

/// The one error shape every command returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

/// Where an IM account stands, for the header and the tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum AccountState {
    Connecting,
    Online,
    /// Lost or could not connect; trying again by itself.
    Reconnecting,
    /// Will not retry until someone changes something (password, certificate, address).
    Failed,
    /// No password for it in the keyring yet: the librarian signs in once, the keyring keeps it.
    NeedsPassword,
    SignedOut,
    /// Taken off this desk (an account the desk had added itself): the window forgets it.
    Removed,
}

/// An IM account in the Settings view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountEntry {
    pub jid: String,
    /// Server host and port if not found from the address (DNS).
    pub host: Option<String>,
    pub port: Option<u16>,
    /// TLS from the first byte (XEP-0368) instead of STARTTLS.
    pub direct_tls: bool,
    /// A CA file trusted for this account besides the system's.
    pub ca_file: Option<String>,
    /// Added at this desk (else listed by the library's policy file, and not removable here).
    pub own: bool,
}

/// The desk's IM accounts, and whether it may add its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountSettings {
    pub accounts: Vec<AccountEntry>,
    /// The library's policy file lists the accounts: none can be added here.
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountStatus {
    pub jid: String,
    pub state: AccountState,
    /// What went wrong, in words a librarian can act on.
    pub message: Option<String>,
    /// While reconnecting: when the next attempt starts (the window counts down to it).
    #[serde(default)]
    pub retry_at: Option<DateTime<Utc>>,
    /// Online and still fetching from the server's archive what came while the desk was away.
    #[serde(default)]
    pub catching_up: bool,
    /// Increases with every change, so a late snapshot never overwrites a newer event.
    #[ts(type = "number")]
    pub seq: u64,
}

impl AccountStatus {
    /// A new state of `jid`: no retry time, not catching up, numbered when it is kept.
    pub fn new(jid: &str, state: AccountState, message: Option<String>) -> AccountStatus {
        AccountStatus { jid: jid.to_owned(), state, message, retry_at: None, catching_up: false, seq: 0 }
    }
}

/// Whether a patron is typing in a conversation. Not stored: it only matters while it is true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TypingView {
    pub account: String,
    pub peer: String,
    pub typing: bool,
}

/// A contact sending far more than a person types: their messages are dropped until they go quiet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FloodView {
    pub account: String,
    pub peer: String,
    pub flooding: bool,
    /// Messages dropped in this flood so far.
    pub dropped: u32,
}

/// Where a message stands: received from the patron, waiting to go out, or handed to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum MessageStatus {
    Received,
    /// Stored, not yet written to the server (offline, or just queued): it goes out by itself.
    Pending,
    Sent,
    /// The patron's device confirmed it arrived (XEP-0184).
    Delivered,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
        }
    }

    pub fn parse(s: &str) -> Option<MessageStatus> {
        match s {
            "received" => Some(MessageStatus::Received),
            "pending" => Some(MessageStatus::Pending),
            "sent" => Some(MessageStatus::Sent),
            "delivered" => Some(MessageStatus::Delivered),
            _ => None,
        }
    }
}

/// One message of a conversation, as the window shows it. `body` is untrusted text: render as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MessageView {
    /// The store's row id: increases with arrival, unique across conversations.
    #[ts(type = "number")]
    pub id: i64,
    pub account: String,
    /// The patron's bare JID.
    pub peer: String,
    pub incoming: bool,
    pub body: String,
    pub at: DateTime<Utc>,
    /// Sent by the desk rules, not typed by a librarian.
    pub auto_reply: bool,
    pub status: MessageStatus,
}

/// A conversation's tab: who, the newest message, what is unread, and the half-typed reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConversationView {
    pub account: String,
    pub peer: String,
    #[ts(type = "number")]
    pub last_id: i64,
    pub last_at: DateTime<Utc>,
    /// The start of the newest message, one line.
    pub preview: String,
    /// Patron messages newer than what the librarian has seen.
    pub unread: u32,
    pub draft: String,
    /// `chat` (the patron's IM client) or `web` (the website's chat box).
    pub medium: Medium,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_line_says_the_state_and_who_is_waiting() {
        let t = Utc::now();
        let mut s = DeskSnapshot {
            revision: 1,
            state: DeskState::WithPatron,
            presence: Presence::Available,
            active_walkup: None,
            walkups_today: 0,
            queue: vec![],
            chats: vec![],
            colleagues: vec![],
            directory: vec![],
            handoffs: vec![],
            left: vec![],
            followups: 0,
            buddy_requests: vec![],
        };
        assert_eq!(s.summary(), "Refdesk: With a patron at the desk");
        s.queue.push(QueuedView::Chat { peer: "a@x".into(), arrived: t });
        assert_eq!((s.ims_waiting(), s.summary().as_str()), (1, "Refdesk: With a patron at the desk · 1 IM waiting"));
        s.queue.push(QueuedView::Walkup { id: 4, arrived: t });
        s.queue.push(QueuedView::Chat { peer: "b@x".into(), arrived: t });
        assert_eq!(s.summary(), "Refdesk: With a patron at the desk · 2 IMs, 1 walk-up waiting");
    }
}

/// How much a question took and what it was about, set by the librarian when it closes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Rating {
    /// Effort on the READ scale, 1 (a direction, a quick fact) to 6 (in-depth research); none: unrated.
    pub read_level: Option<u8>,
    /// Topic tags, e.g. `catalogue`, `genealogy`; cleaned and lower-cased when stored.
    pub tags: Vec<String>,
}

/// How a question reached the desk: a chat from the patron's own IM client, a chat from the
/// chat box on the library's website, or a person at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Medium {
    /// IM: the patron's own XMPP client.
    Chat,
    /// The website's chat box.
    Web,
    Walkup,
}

impl Medium {
    /// As stored and as `refdeskctl` and the CSV exports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Medium::Chat => "chat",
            Medium::Web => "web",
            Medium::Walkup => "walkup",
        }
    }

    /// A transcript's medium column (a chat either way).
    pub fn of_chat(column: &str) -> Medium {
        if column == "web" {
            Medium::Web
        } else {
            Medium::Chat
        }
    }

    /// Whether it is a chat (IM or web), not a walk-up.
    pub fn is_chat(self) -> bool {
        self != Medium::Walkup
    }
}

/// Questions of one kind of count, split by medium.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ByMedium {
    /// IM chats.
    pub chat: u32,
    /// Chats from the website's chat box.
    #[serde(default)]
    pub web: u32,
    pub walkup: u32,
}

impl ByMedium {
    pub fn add(&mut self, medium: Medium) {
        match medium {
            Medium::Chat => self.chat += 1,
            Medium::Web => self.web += 1,
            Medium::Walkup => self.walkup += 1,
        }
    }

    pub fn total(&self) -> u32 {
        self.chat + self.web + self.walkup
    }
}

/// A spread of durations in whole seconds (nearest-rank percentiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Spread {
    pub count: u32,
    pub p50: u32,
    pub p90: u32,
    pub max: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TagCount {
    pub tag: String,
    pub count: ByMedium,
}

/// Reference statistics over a period: what a desk or its manager reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Statistics {
    /// The period, `[from, to)`; a question counts where it started.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub questions: ByMedium,
    /// 24 entries, local hour of day 0–23.
    pub by_hour: Vec<ByMedium>,
    /// 7 entries, local weekday, Monday first.
    pub by_weekday: Vec<ByMedium>,
    /// Chats the patron left (or that were closed) before any librarian answered.
    pub abandoned: u32,
    /// From a chat's first patron message to the first librarian reply.
    pub chat_wait: Option<Spread>,
    /// From first message to close, for chats; start to end, for walk-ups.
    pub chat_handling: Option<Spread>,
    pub walkup_handling: Option<Spread>,
    /// Different patrons who chatted (by pseudonym), and how many of them came back in the period.
    pub patrons: u32,
    pub repeat_patrons: u32,
    /// 6 entries, READ levels 1–6.
    pub read_levels: Vec<ByMedium>,
    pub unrated: ByMedium,
    /// Most used first.
    pub tags: Vec<TagCount>,
    /// Patrons' own ratings of their chats (the website's chat box): 5 entries, how many chats
    /// were rated 1 (poor) … 5 (excellent).
    pub patron_ratings: Vec<u32>,
}

/// A ready answer offered in the composer, its placeholders already filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedReplyView {
    pub title: String,
    pub text: String,
}

/// A piece of a search result's snippet: the words searched for are `hit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SnippetPart {
    /// Redacted transcript text: render as text.
    pub text: String,
    pub hit: bool,
}

/// One transcript line or walk-up topic that matched a search: where, when, who, and the words around the match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchHit {
    /// A line of a chat's transcript, or a walk-up's topic.
    pub medium: Medium,
    /// The transcript's id (chats) or the walk-up's.
    #[ts(type = "number")]
    pub id: i64,
    /// The patron's pseudonym; empty for a walk-up (nobody is recorded).
    pub patron: String,
    /// When the line was written, or when the walk-up started.
    pub at: DateTime<Utc>,
    /// Who wrote the line (`patron`, `librarian`, `auto`); empty for a walk-up.
    pub speaker: String,
    pub snippet: Vec<SnippetPart>,
}

/// What a history search looks in, as the window and `refdeskctl search` ask for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SearchFilter {
    /// The first and last local day (`2026-09-01`) the chat or walk-up ended on; either may be left out.
    pub from: Option<String>,
    pub to: Option<String>,
    /// A topic tag given when the chat or walk-up was closed.
    pub tag: Option<String>,
    /// Part of the librarian's name.
    pub librarian: Option<String>,
    /// The IM account the chat came in on (walk-ups have none, so they are left out).
    pub account: Option<String>,
    /// Only IM chats, only web chats or only walk-ups; all when left out.
    pub medium: Option<Medium>,
}

impl SearchHit {
    /// The snippet as one line with the matches between `open` and `close`, e.g. `[census]`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        self.snippet.iter().map(|p| if p.hit { format!("{open}{}{close}", p.text) } else { p.text.clone() }).collect()
    }
}

/// A whole transcript, as the history view shows it (redacted; the patron a pseudonym).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TranscriptView {
    #[ts(type = "number")]
    pub id: i64,
    pub account: String,
    pub patron: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub reason: String,
    pub read_level: Option<u8>,
    pub tags: Vec<String>,
    /// The librarian's name at the desk when the chat closed; empty if none was given.
    pub librarian: String,
    /// `chat` (IM) or `web` (the website's chat box).
    pub medium: Medium,
    /// The patron's own rating of the chat, 1 (poor) to 5 (excellent), from the website's chat box.
    pub patron_rating: Option<u8>,
    /// What the patron added to their rating, redacted.
    pub patron_comment: String,
    pub lines: Vec<TranscriptLineView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TranscriptLineView {
    pub at: DateTime<Utc>,
    pub speaker: String,
    pub text: String,
}

/// An offer under way, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HandoffView {
    pub id: String,
    pub account: String,
    pub patron: String,
    /// Made to this desk (true) or by it.
    pub incoming: bool,
    /// The other desk's name.
    pub colleague: String,
    pub note: String,
    /// This desk accepted and waits for the other desk to hand the chat over.
    pub accepted: bool,
    pub expires: DateTime<Utc>,
}

/// One term and what it means, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SlangTerm {
    /// Lower case; matched as a whole word, whatever its case in a message.
    pub term: String,
    pub meaning: String,
    /// Where the meaning comes from; the library's cannot be changed at the desk.
    pub source: TermSource,
}

/// Who gave a term its meaning: Refdesk, this desk's librarians, or the library's policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TermSource {
    BuiltIn,
    Desk,
    Library,
}
