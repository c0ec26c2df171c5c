//! The Desk: one librarian's desk, the facade the app shell and refdeskctl call. Its operations
//! live in the files beside this one, by concern; this one holds the state and how a change is
//! recorded (the store and the engine in one transaction).

mod buddies;
mod chats;
mod desk_settings;
mod engine_side;
mod followups;
pub(crate) mod handoffs;
mod pseudonyms;
mod settings;
mod tabs;
mod terms;
#[cfg(test)]
pub(crate) mod tests;
mod walkups;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveTime, TimeZone, Utc};

use crate::api::{ConversationView, DeskSnapshot, MessageStatus, MessageView, Presence, WalkUp};
use crate::desk::{Engine, Event, Policy};
use crate::store::Store;

/// The longest walk-up topic we keep: a few words for statistics, never a life story.
pub const MAX_TOPIC_CHARS: usize = 200;

pub(crate) const PRESENCE_KEY: &str = "presence";
pub(crate) const RESOURCE_KEY: &str = "xmpp_resource";
pub(crate) const ARCHIVE_KEY: &str = "archive_position";
/// How long a chat may sit quiet across a restart and still be under way, when the desk does not
/// close idle chats itself.
pub(crate) const STALE_CHAT: chrono::TimeDelta = chrono::TimeDelta::hours(8);
/// This app's librarian, as the engine knows them.
pub(crate) const STAFF_ID: &str = "desk";

pub use crate::store::MAX_PAGE;
use crate::{api, canned, desk, glossary, handoff, history, policy, privacy, stats, store, xmpp, Error, Result};
pub(crate) use chats::clean_rating;
pub(crate) use engine_side::{desk_view, store_auto_replies, store_transcripts};
pub(crate) use walkups::{local_midnight, redact_topic};

/// One librarian's desk: the store, the desk-priority engine, and what the desk is doing now.
#[derive(Debug)]
pub struct Desk {
    pub(crate) store: Store,
    pub(crate) policy: Policy,
    /// Built on the first desk event (it needs a time), from what the store says is under way.
    pub(crate) engine: Option<Engine>,
    /// Actions decided but not yet carried out (auto-replies to send, presence to set).
    pub(crate) outbox: Vec<desk::Action>,
    /// The secret patron pseudonyms are derived from: given by the shell (from the OS keyring), or
    /// else read from (or made in) the store the first time it is needed.
    pub(crate) pseudonym_secret: Option<Vec<u8>>,
    /// Pseudonyms change every this many days (the retention period of transcripts).
    pub(crate) pseudonym_period_days: u32,
    /// The READ level of a question the librarian closes without choosing one.
    pub(crate) default_read_level: Option<u8>,
    /// Whether this desk sends the rules' automatic replies (another desk on the account may).
    pub(crate) sends_auto_replies: bool,
    /// Patrons this desk's librarian is answering (typing to, or replied to) in the chat under way:
    /// its claim, weighed against another desk's.
    pub(crate) claimed: std::collections::HashSet<String>,
    /// Of those, the patrons this desk's librarian has already written to: an answer outweighs
    /// another desk's typing, and of two answers crossing, the first resource name keeps the chat.
    pub(crate) answered: std::collections::HashSet<String>,
    pub(crate) canned: Vec<canned::CannedReply>,
    /// The library's glossary settings (see `glossary::facade` for the desk's own terms).
    pub(crate) glossary: glossary::GlossaryPolicy,
    /// Chats offered to or by this desk (see `handoff`), signals to send (account, desk, signal),
    /// and whether the offers changed since the window was last told.
    pub(crate) handoffs: handoff::Handoffs,
    pub(crate) handoff_out: Vec<(String, String, handoff::Signal)>,
    pub(crate) handoffs_changed: bool,
    /// Another desk answered a follow-up listed here (the window's count changes).
    pub(crate) followups_changed: bool,
    /// Moves whenever the desk card or the librarian's presence may have changed, so the IM
    /// service reads them (two settings reads) only then, not on every pass (see
    /// `inbound::pipeline`). From the process-wide counter, so a reopened desk never repeats one.
    pub(crate) card_revision: u64,
    /// The other desks signed in to each account, as their presence says.
    pub(crate) colleagues: std::collections::BTreeMap<String, Vec<api::ColleagueView>>,
    /// Each account's colleague directory (its roster group), as the service last told it.
    pub(crate) directory: std::collections::BTreeMap<String, Vec<api::DirectoryEntry>>,
    /// Chats another desk has (patron: that desk's resource), and since when that desk is gone
    /// (see `handoff::claims`).
    pub(crate) elsewhere_by: std::collections::HashMap<String, String>,
    pub(crate) orphaned: std::collections::HashMap<String, DateTime<Utc>>,
    /// Notes from other desks kept but not yet shown in the window.
    pub(crate) notes_out: Vec<api::NoteView>,
    /// Patrons' roster names and nicknames, redacted from their transcripts.
    pub(crate) names: privacy::names::KnownNames,
    /// Patrons who ended their chat themselves (the website's chat box) and have not written
    /// since: the window says so on their tab.
    pub(crate) left: std::collections::BTreeSet<String>,
    /// Requests to see the desk's presence waiting for the librarian: (account, from).
    pub(crate) buddy_requests: std::collections::BTreeSet<(String, String)>,
    /// The librarian's answers not yet handed to their account: (account, to, allow).
    pub(crate) buddy_answers: Vec<(String, String, bool)>,
}

/// The revision of the next snapshot: one counter for the process, so a desk opened again (after
/// a reset) goes on counting where the last one stopped, and the window never takes a new state
/// for an old one.
pub(crate) fn next_revision() -> u64 {
    static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    LAST.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
}

impl Desk {
    /// Opens the desk whose database is `db_path`.
    pub fn open(db_path: &Path) -> Result<Desk> {
        let store = Store::open(db_path)?;
        // Walk-up topics written before they were redacted on the way in are redacted once.
        if store.setting(TOPICS_REDACTED)?.is_none() {
            let redactor = privacy::redact::Redactor::new();
            let changed = store.atomically(|s| {
                let changed = s.redact_walkup_topics(|t| redact_topic(&redactor, t))?;
                s.set_setting(TOPICS_REDACTED, "1")?;
                Ok(changed)
            })?;
            // Out of the log too: the topics as typed must not outlive their redaction there.
            if changed > 0 && !store.checkpoint()? {
                tracing::warn!("the database's log is in use; old walk-up topics leave it at the next checkpoint");
            }
            tracing::info!(changed, "earlier walk-up topics redacted");
        }
        Ok(Desk::with_store(store))
    }

    pub(crate) fn with_store(store: Store) -> Desk {
        Desk {
            store,
            policy: Policy::default(),
            engine: None,
            outbox: Vec::new(),
            pseudonym_secret: None,
            pseudonym_period_days: policy::RetentionPolicy::default().transcript_days,
            default_read_level: policy::StatisticsPolicy::default().default_level(),
            sends_auto_replies: true,
            claimed: Default::default(),
            answered: Default::default(),
            canned: canned::defaults(),
            glossary: Default::default(),
            handoffs: handoff::Handoffs::default(),
            handoff_out: Vec::new(),
            handoffs_changed: false,
            followups_changed: false,
            card_revision: next_revision(),
            colleagues: Default::default(),
            directory: Default::default(),
            elsewhere_by: Default::default(),
            orphaned: Default::default(),
            notes_out: Vec::new(),
            names: Default::default(),
            left: Default::default(),
            buddy_requests: Default::default(),
            buddy_answers: Vec::new(),
        }
    }

    /// Sets a damaged database aside and starts with an empty one; returns where the old file went.
    pub fn open_fresh(db_path: &Path, now: DateTime<Utc>) -> Result<(Desk, Option<PathBuf>)> {
        let (store, kept) = Store::open_fresh(db_path, now)?;
        if let Some(kept) = &kept {
            tracing::warn!(kept = %kept.display(), "damaged database set aside; started with an empty one");
        }
        Ok((Desk::with_store(store), kept))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// One desk change, all or nothing: `change` writes its rows and names the engine events; the
    /// engine handles them, their auto-replies are stored for sending, and the events and actions are
    /// logged, in the same transaction.
    pub(crate) fn record<T>(
        &mut self,
        now: DateTime<Utc>,
        change: impl FnOnce(&Store) -> Result<(Vec<Event>, T)>,
    ) -> Result<T> {
        self.ensure_engine(now)?;
        let key = &self.pseudonym_key(now)?;
        let Desk { store, engine, sends_auto_replies, names, .. } = self;
        let sends_auto_replies = *sends_auto_replies;
        let Some(engine) = engine.as_mut() else { return Err(Error::InvalidInput("desk engine not ready".into())) };
        let mut decided = Vec::new();
        let result = store.atomically(|s| {
            let (events, value) = change(s)?;
            for event in events {
                let actions = engine.handle(event.clone(), now);
                if sends_auto_replies {
                    store_auto_replies(s, &actions, now)?;
                }
                store_transcripts(s, &actions, key, names, now)?;
                // Another desk's conversation: that desk keeps its transcript, this one keeps none.
                if let Some(chat) = privacy::event_chat(&event).filter(|c| engine.elsewhere().any(|e| e == c)) {
                    s.skip_transcript(&chat)?;
                }
                s.append_desk_log(
                    now,
                    &privacy::pseudonymize_event(&event, key),
                    &privacy::pseudonymize_actions(&actions, key),
                )?;
                decided.extend(actions);
            }
            Ok(value)
        });
        for a in &decided {
            if let desk::Action::ChatClosed { chat, .. } = a {
                self.claimed.remove(chat);
                self.answered.remove(chat);
            }
        }
        match &result {
            Ok(_) => self.outbox.extend(decided),
            // The engine may have moved on while the store rolled back: rebuild it from the store.
            Err(_) => self.engine = None,
        }
        result
    }

    pub(crate) fn message(&self, id: Option<i64>) -> Result<Option<MessageView>> {
        let Some(id) = id else { return Ok(None) };
        Ok(self.store.message(id)?.map(MessageView::from))
    }
}

/// A patron message older than this when it reaches the desk is history, not a waiting patron.
pub const HISTORY_AFTER_MINUTES: i64 = 15;

/// Set once the walk-up topics of older versions, kept as typed, have been redacted.
const TOPICS_REDACTED: &str = "walkup_topics_redacted";
