//! refdesk-core: everything Refdesk does, behind the [`Desk`] facade that the app shell and refdeskctl call.

pub mod api;
pub mod autostart;
pub mod canned;
pub mod days;
pub mod desk;
pub mod display;
pub mod error;
pub mod export;
pub mod flood;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod glossary;
pub mod handoff;
pub mod history;
pub mod inbound;
pub mod links;
pub mod logging;
pub mod notify;
pub mod paths;
pub mod policy;
pub mod privacy;
pub mod service;
pub mod stats;
pub mod store;
pub mod wake;
pub mod xmpp;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveTime, TimeZone, Utc};

pub use error::{Error, Result, StoreError};

use api::{ConversationView, DeskSnapshot, MessageStatus, MessageView, Presence, WalkUp};
use desk::{Engine, Event, Policy};
use store::Store;

/// The longest walk-up topic we keep: a few words for statistics, never a life story.
pub const MAX_TOPIC_CHARS: usize = 200;

const PRESENCE_KEY: &str = "presence";
const RESOURCE_KEY: &str = "xmpp_resource";
pub(crate) const ARCHIVE_KEY: &str = "archive_position";
/// How long a chat may sit quiet across a restart and still be under way, when the desk does not
/// close idle chats itself.
const STALE_CHAT: chrono::TimeDelta = chrono::TimeDelta::hours(8);
/// This app's librarian, as the engine knows them.
pub(crate) const STAFF_ID: &str = "desk";

/// One librarian's desk: the store, the desk-priority engine, and what the desk is doing now.
#[derive(Debug)]
pub struct Desk {
    store: Store,
    policy: Policy,
    /// Built on the first desk event (it needs a time), from what the store says is under way.
    engine: Option<Engine>,
    /// Actions decided but not yet carried out (auto-replies to send, presence to set).
    outbox: Vec<desk::Action>,
    /// The secret patron pseudonyms are derived from: given by the shell (from the OS keyring), or
    /// else read from (or made in) the store the first time it is needed.
    pseudonym_secret: Option<Vec<u8>>,
    /// Pseudonyms change every this many days (the retention period of transcripts).
    pseudonym_period_days: u32,
    /// The READ level of a question the librarian closes without choosing one.
    default_read_level: Option<u8>,
    /// Whether this desk sends the rules' automatic replies (another desk on the account may).
    sends_auto_replies: bool,
    /// Patrons this desk's librarian is answering (typing to, or replied to) in the chat under way:
    /// its claim, weighed against another desk's.
    claimed: std::collections::HashSet<String>,
    /// Of those, the patrons this desk's librarian has already written to: an answer outweighs
    /// another desk's typing, and of two answers crossing, the first resource name keeps the chat.
    answered: std::collections::HashSet<String>,
    canned: Vec<canned::CannedReply>,
    /// The library's glossary settings (see `glossary::facade` for the desk's own terms).
    glossary: glossary::GlossaryPolicy,
    /// Chats offered to or by this desk (see `handoff`), signals to send (account, desk, signal),
    /// and whether the offers changed since the window was last told.
    handoffs: handoff::Handoffs,
    handoff_out: Vec<(String, String, handoff::Signal)>,
    handoffs_changed: bool,
    /// Moves whenever the desk card or the librarian's presence may have changed, so the IM
    /// service reads them (two settings reads) only then, not on every pass (see
    /// `inbound::pipeline`). From the process-wide counter, so a reopened desk never repeats one.
    card_revision: u64,
    /// The other desks signed in to each account, as their presence says.
    colleagues: std::collections::BTreeMap<String, Vec<api::ColleagueView>>,
    /// Each account's colleague directory (its roster group), as the service last told it.
    directory: std::collections::BTreeMap<String, Vec<api::DirectoryEntry>>,
    /// Chats another desk has (patron: that desk's resource), and since when that desk is gone
    /// (see `handoff::claims`).
    elsewhere_by: std::collections::HashMap<String, String>,
    orphaned: std::collections::HashMap<String, DateTime<Utc>>,
    /// Notes from other desks kept but not yet shown in the window.
    notes_out: Vec<api::NoteView>,
    /// Patrons' roster names and nicknames, redacted from their transcripts.
    names: privacy::names::KnownNames,
}

/// The revision of the next snapshot: one counter for the process, so a desk opened again (after
/// a reset) goes on counting where the last one stopped, and the window never takes a new state
/// for an old one.
fn next_revision() -> u64 {
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

    fn with_store(store: Store) -> Desk {
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
            card_revision: next_revision(),
            colleagues: Default::default(),
            directory: Default::default(),
            elsewhere_by: Default::default(),
            orphaned: Default::default(),
            notes_out: Vec::new(),
            names: Default::default(),
        }
    }

    /// This desk's librarian started answering `peer` (typing): the chat is this desk's claim. The
    /// other desks on the account see it as the typing notification's copy (XEP-0280). False, and
    /// no claim, when another desk already has the chat: its typing must not go out then, or the
    /// other desk, seeing a claim from a desk that has already let go, would let go too.
    #[must_use]
    pub fn claim(&mut self, peer: &str) -> bool {
        if self.engine.as_ref().is_some_and(|e| e.elsewhere().any(|c| c == peer)) {
            return false;
        }
        self.claimed.insert(peer.to_owned());
        true
    }

    /// Whether this desk sends the rules' automatic replies, or leaves them to another desk signed in
    /// to the same account (so the patron hears each once).
    pub fn set_sends_auto_replies(&mut self, sends: bool) {
        self.sends_auto_replies = sends;
    }

    /// The library's canned replies (checked by the policy loader); `None`: Refdesk's own.
    pub fn set_canned_replies(&mut self, replies: Option<Vec<canned::CannedReply>>) {
        self.canned = replies.unwrap_or_else(canned::defaults);
    }

    /// The canned replies as the composer offers them now, placeholders filled in.
    pub fn canned_replies(&self, now: DateTime<Utc>) -> Vec<api::CannedReplyView> {
        let opens = self.engine.as_ref().and_then(|e| e.opens_words(now));
        self.canned
            .iter()
            .map(|r| api::CannedReplyView {
                title: r.title.trim().to_owned(),
                text: canned::fill(r, &self.policy.library_name, opens.clone()),
            })
            .collect()
    }

    /// The READ level for questions closed without a choice (the library's policy); None: unrated.
    pub fn set_default_read_level(&mut self, level: Option<u8>) {
        self.default_read_level = level.filter(|l| (1..=6).contains(l));
    }

    /// Uses `policy` from now on (the engine is rebuilt from the store on the next event).
    pub fn set_policy(&mut self, policy: Policy) {
        self.handoffs.set_answer_within(policy.handoff_answer);
        self.policy = policy;
        self.engine = None;
    }

    /// Sets a damaged database aside and starts with an empty one; returns where the old file went.
    pub fn open_fresh(db_path: &Path, now: DateTime<Utc>) -> Result<(Desk, Option<PathBuf>)> {
        let (store, kept) = Store::open_fresh(db_path, now)?;
        if let Some(kept) = &kept {
            tracing::warn!(kept = %kept.display(), "damaged database set aside; started with an empty one");
        }
        Ok((Desk::with_store(store), kept))
    }

    /// This desk's XMPP resource, made once and kept: desks sharing one account each need their own
    /// (the same one twice makes the server sign the first desk out), and keeping it across restarts
    /// lets the server tell a returning desk from a new one.
    pub fn resource(&mut self) -> Result<String> {
        if let Some(r) = self.store.setting(RESOURCE_KEY)? {
            return Ok(r);
        }
        let mut bytes = [0u8; 4];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
            .map_err(|_| Error::InvalidInput("no random source for the desk's resource".into()))?;
        let r = format!("refdesk-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        self.store.set_setting(RESOURCE_KEY, &r)?;
        Ok(r)
    }

    /// The archive id of the newest message this desk has from `account`'s archive, if any.
    pub fn archive_position(&self, account: &str) -> Result<Option<String>> {
        Ok(self.store.setting(&format!("{ARCHIVE_KEY}:{account}"))?)
    }

    pub fn set_archive_position(&mut self, account: &str, archive_id: &str) -> Result<()> {
        Ok(self.store.set_setting(&format!("{ARCHIVE_KEY}:{account}"), archive_id)?)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// See the `card_revision` field.
    pub fn card_revision(&self) -> u64 {
        self.card_revision
    }

    pub fn presence(&self) -> Result<Presence> {
        Ok(self.store.setting(PRESENCE_KEY)?.as_deref().and_then(Presence::parse).unwrap_or(Presence::Available))
    }

    pub fn snapshot(&self, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let presence = self.presence()?;
        let active_walkup = self.store.active_walkup()?;
        let walkups_today = self.store.count_walkups_since(local_midnight(now))?;
        let (queue, mut chats) = self.engine.as_ref().map(desk_view).unwrap_or_default();
        for c in chats.iter_mut() {
            if c.phase == api::ChatPhase::Elsewhere {
                c.desk = self.elsewhere_desk(&c.peer);
            }
            c.name = self.names.roster_name(&c.peer).map(str::to_owned);
        }
        Ok(DeskSnapshot {
            revision: next_revision(),
            state: desk::desk_state(presence, active_walkup.is_some()),
            presence,
            active_walkup,
            walkups_today,
            queue,
            chats,
            colleagues: self.colleagues.values().flatten().cloned().collect(),
            directory: self.directory.values().flatten().cloned().collect(),
            handoffs: self.handoffs.views(),
        })
    }

    /// A patron walks up. `topic` is optional and short; blank means none.
    pub fn start_walkup(&mut self, topic: Option<&str>, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        // Kept for statistics and found by the history search: redacted like a transcript, since
        // a librarian may well type the patron's name or card number.
        let topic = clean_topic(topic)?.map(|t| redact_topic(&privacy::redact::Redactor::new(), &t));
        let w = self.record(now, |store| {
            let librarian = handoff::facade::stored_card(store)?.name;
            let w = store.start_walkup(topic.as_deref(), &librarian, now)?;
            Ok((vec![Event::WalkupArrived { walkup: w.id }], w))
        })?;
        tracing::info!(walkup = w.id, "walk-up started");
        self.snapshot(now)
    }

    /// Rates a walk-up (usually the one just ended).
    pub fn rate_walkup(&mut self, id: i64, rating: &api::Rating) -> Result<()> {
        let (level, tags) = clean_rating(rating)?;
        if !self.store.rate_walkup(id, level, &tags)? {
            return Err(Error::InvalidInput(format!("there is no walk-up {id} to rate")));
        }
        Ok(())
    }

    /// Reference statistics for questions that started in `[from, to)`, hours and days in `tz`.
    pub fn statistics<Tz: chrono::TimeZone>(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: &Tz,
    ) -> Result<api::Statistics> {
        history::statistics(&self.store, from, to, tz)
    }

    pub fn end_walkup(&mut self, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let level = self.default_read_level;
        let w = self.record(now, |store| {
            let w = store.end_walkup(now)?;
            store.rate_walkup(w.id, level, &[])?;
            Ok((vec![Event::WalkupEnded { walkup: w.id }], w))
        })?;
        tracing::info!(walkup = w.id, "walk-up ended");
        self.snapshot(now)
    }

    /// One desk change, all or nothing: `change` writes its rows and names the engine events; the
    /// engine handles them, their auto-replies are stored for sending, and the events and actions are
    /// logged, in the same transaction.
    fn record<T>(&mut self, now: DateTime<Utc>, change: impl FnOnce(&Store) -> Result<(Vec<Event>, T)>) -> Result<T> {
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

    /// The account's colleague directory now; true if it changed (the window is to be told).
    pub fn set_directory(&mut self, account: &str, entries: Vec<api::DirectoryEntry>) -> bool {
        self.directory.insert(account.to_owned(), entries.clone()) != Some(entries)
    }

    /// The account's roster as the server gave it after signing in.
    pub fn set_roster(&mut self, account: &str, items: &[xmpp::RosterItem]) {
        self.names.set_roster(account, items);
    }

    /// One contact on the account's roster changed or was removed.
    pub fn roster_changed(&mut self, account: &str, item: &xmpp::RosterItem) {
        self.names.roster_changed(account, item);
    }

    /// The librarian's reply to `peer` on `account`: stored as pending (so it survives a crash or a
    /// lost link) and sent by the IM service. Answering a waiting patron takes their chat.
    pub fn reply(&mut self, account: &str, peer: &str, body: &str, now: DateTime<Utc>) -> Result<MessageView> {
        let body = clean_reply(body)?;
        let stable_id = xmpp::session::new_message_id();
        let chat = peer.to_owned();
        self.claimed.insert(chat.clone());
        self.answered.insert(chat.clone());
        let id = self.record(now, |s| {
            let id = s.insert_message(store::NewMessage {
                account,
                peer,
                incoming: false,
                stable_id: &stable_id,
                body: &body,
                at: now,
                auto_reply: false,
                status: MessageStatus::Pending,
                origin_id: Some(&stable_id),
            })?;
            let accept = Event::AcceptChat { chat: chat.clone(), staff: STAFF_ID.into() };
            Ok((vec![accept, Event::StaffMessage { chat }], id))
        })?;
        self.message(id)?.ok_or_else(|| Error::InvalidInput("the reply was not stored".into()))
    }

    /// The librarian closes the chat with `peer`: it leaves the desk's count, and whoever waits next is taken.
    /// The librarian closes a chat, rating it (READ level, tags) in the same step; its transcript
    /// is written with the rating. Without a level, the desk's default applies.
    pub fn close_chat(&mut self, peer: &str, rating: &api::Rating, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let (level, tags) = clean_rating(rating)?;
        let level = level.or(self.default_read_level);
        self.record(now, |s| {
            if let Some(account) = s.account_of(peer)? {
                s.rate_conversation(&account, peer, level, &tags)?;
            }
            Ok((vec![Event::CloseChat { chat: peer.to_owned() }], ()))
        })?;
        tracing::info!("chat closed by the librarian");
        self.snapshot(now)
    }

    /// The librarian takes the first chat waiting in line, whatever the cap. Returns the patron
    /// taken (none when no chat waits or the desk is not staffed here) with the new desk state.
    pub fn take_next(&mut self, now: DateTime<Utc>) -> Result<(Option<String>, DeskSnapshot)> {
        let before = self.outbox.len();
        self.record(now, |_| Ok((vec![Event::TakeNext { staff: STAFF_ID.into() }], ())))?;
        let taken = self.outbox[before..].iter().find_map(|a| match a {
            desk::Action::ChatAssigned { chat, .. } => Some(chat.clone()),
            _ => None,
        });
        if let Some(peer) = &taken {
            self.claimed.insert(peer.clone());
        }
        Ok((taken, self.snapshot(now)?))
    }

    /// The librarian puts the chat with `peer` on hold (the patron is told once), or takes it off hold.
    pub fn hold_chat(&mut self, peer: &str, hold: bool, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let chat = peer.to_owned();
        let event = if hold { Event::HoldChat { chat } } else { Event::ResumeChat { chat } };
        self.record(now, |_| Ok((vec![event], ())))?;
        self.snapshot(now)
    }

    fn message(&self, id: Option<i64>) -> Result<Option<MessageView>> {
        let Some(id) = id else { return Ok(None) };
        Ok(self.store.message(id)?.map(MessageView::from))
    }

    /// Our messages on `account` not yet written to the server, oldest first.
    pub fn pending_messages(&self, account: &str) -> Result<Vec<store::StoredMessage>> {
        Ok(self.store.pending_messages(account)?)
    }

    /// Our message `stable_id` reached the server; the updated message if it was pending.
    pub fn mark_sent(&mut self, account: &str, stable_id: &str) -> Result<Option<MessageView>> {
        let id = self.store.mark_sent(account, stable_id)?;
        self.message(id)
    }

    /// Applies the retention policy: drops transcribed live messages past `live_hours` and
    /// transcripts and walk-ups past `transcript_days`, in one transaction; logs the counts only.
    pub fn purge(&mut self, retention: &policy::RetentionPolicy, now: DateTime<Utc>) -> Result<store::Purged> {
        let live_before = now - chrono::Duration::hours(i64::from(retention.live_hours));
        let transcripts_before = now - chrono::Duration::days(i64::from(retention.transcript_days));
        let counts = self.store.atomically(|s| Ok(s.purge(live_before, transcripts_before)?))?;
        if counts != store::Purged::default() && !self.store.checkpoint()? {
            tracing::warn!("the database's log is in use; purged rows leave it at the next checkpoint");
        }
        tracing::info!(
            messages = counts.messages,
            transcripts = counts.transcripts,
            walkups = counts.walkups,
            "retention purge"
        );
        Ok(counts)
    }

    /// Uses `secret` for patron pseudonyms (the shell keeps it in the OS keyring).
    pub fn set_pseudonym_secret(&mut self, secret: Vec<u8>) {
        self.pseudonym_secret = Some(secret);
    }

    /// Pseudonyms change every `days` days: the retention period, so no pseudonym outlives it.
    pub fn set_pseudonym_period(&mut self, days: u32) {
        self.pseudonym_period_days = days;
    }

    /// The pseudonym secret an older Refdesk kept in the database, to move to the keyring.
    pub fn stored_pseudonym_secret(&self) -> Result<Option<Vec<u8>>> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(self.store.setting(PSEUDONYM_KEY)?.and_then(|k| b64.decode(k).ok()))
    }

    /// Removes the pseudonym secret from the database, once it is safe elsewhere: the database
    /// alone then cannot tell which address a pseudonym stands for.
    pub fn forget_stored_pseudonym_secret(&mut self) -> Result<()> {
        self.store.atomically(|s| {
            s.delete_setting(PSEUDONYM_KEY)?;
            Ok(s.set_setting(SECRET_IN_KEYRING, "1")?)
        })
    }

    /// Whether the pseudonym secret lives in the app's keyring rather than here, so a tool reading
    /// only the database cannot turn an address into its pseudonym.
    pub fn pseudonym_secret_in_keyring(&self) -> Result<bool> {
        Ok(self.store.setting(SECRET_IN_KEYRING)?.is_some())
    }

    /// The pseudonym key for `now`'s period.
    fn pseudonym_key(&mut self, now: DateTime<Utc>) -> Result<Vec<u8>> {
        if self.pseudonym_secret.is_none() {
            self.pseudonym_secret = Some(pseudonym_secret(&self.store)?);
        }
        let secret = self.pseudonym_secret.as_deref().unwrap_or_default();
        Ok(privacy::period_key(secret, self.pseudonym_period_days, days_since_epoch(now)))
    }

    /// Erases everything of one patron on request, named by their pseudonym (as transcripts and
    /// `refdeskctl search` show it) or by their address. Returns (messages, transcripts) deleted.
    pub fn erase_patron(&mut self, who: &str, now: DateTime<Utc>) -> Result<(usize, usize)> {
        // Kept transcripts reach back one retention period: into this pseudonym period and the one before.
        let period = chrono::Duration::days(i64::from(self.pseudonym_period_days));
        let keys = match (self.pseudonym_key(now), self.pseudonym_key(now - period)) {
            (Ok(a), Ok(b)) => vec![a, b],
            // Without the secret (a tool that cannot reach the keyring) a pseudonym still names
            // its transcripts; which live conversation it stands for cannot be told.
            _ if who.starts_with("patron-") => Vec::new(),
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let pseudonyms: Vec<String> = if who.starts_with("patron-") {
            vec![who.to_owned()]
        } else {
            keys.iter().map(|k| privacy::pseudonym(k, who.trim())).collect()
        };
        let peers: Vec<String> = self
            .store
            .peers()?
            .into_iter()
            .filter(|p| keys.iter().any(|k| pseudonyms.contains(&privacy::pseudonym(k, p))))
            .collect();
        let counts = self.store.atomically(|s| {
            let mut total = s.erase_patron(&pseudonyms[0], &peers)?;
            for p in &pseudonyms[1..] {
                total.1 += s.erase_patron(p, &[])?.1;
            }
            Ok(total)
        })?;
        if counts.1 > 0 {
            self.store.compact_search()?;
        }
        if !self.store.checkpoint()? {
            tracing::warn!("the database's log is in use; erased rows leave it at the next checkpoint");
        }
        tracing::info!(messages = counts.0, transcripts = counts.1, "a patron's conversations erased on request");
        Ok(counts)
    }

    /// One kept transcript, redacted, for the history view.
    pub fn transcript(&self, id: i64) -> Result<api::TranscriptView> {
        history::transcript(&self.store, id)
    }

    pub fn search_transcripts(&self, query: &str, limit: u32) -> Result<Vec<store::SearchHit>> {
        self.search_transcripts_in(query, &api::SearchFilter::default(), &chrono::Local, limit)
    }

    /// As `search_transcripts`, in the transcripts `filter` names, its days taken in `tz`.
    pub fn search_transcripts_in<Tz: chrono::TimeZone>(
        &self,
        query: &str,
        filter: &api::SearchFilter,
        tz: &Tz,
        limit: u32,
    ) -> Result<Vec<store::SearchHit>> {
        history::search(&self.store, query, filter, tz, limit)
    }

    pub fn conversations(&self) -> Result<Vec<ConversationView>> {
        Ok(self.store.conversations()?)
    }

    /// Closes a conversation's tab. A chat still under way keeps its tab: close the chat first.
    pub fn close_tab(&mut self, account: &str, peer: &str) -> Result<()> {
        let (queue, chats) = self.engine.as_ref().map(desk_view).unwrap_or_default();
        let waiting = queue.iter().any(|q| matches!(q, api::QueuedView::Chat { peer: p, .. } if p == peer));
        if waiting || chats.iter().any(|c| c.peer == peer && c.phase != api::ChatPhase::Elsewhere) {
            return Err(Error::InvalidInput(format!("the chat with {peer} is under way; close the chat first")));
        }
        if !self.store.close_tab(account, peer)? {
            return Err(Error::InvalidInput(format!("there is no conversation with {peer} on {account}")));
        }
        Ok(())
    }

    /// Tabs closed recently enough to reopen, the most recently active first.
    pub fn closed_tabs(&self, limit: u32) -> Result<Vec<ConversationView>> {
        Ok(self.store.closed_tabs(limit.clamp(1, MAX_PAGE))?)
    }

    pub fn reopen_tab(&mut self, account: &str, peer: &str) -> Result<()> {
        Ok(self.store.reopen_tab(account, peer)?)
    }

    /// Puts a tab at position `to` (0 is the first) and returns the tabs in their new order.
    pub fn move_tab(&mut self, account: &str, peer: &str, to: u32) -> Result<Vec<ConversationView>> {
        let to = usize::try_from(to).unwrap_or(usize::MAX);
        self.store
            .move_tab(account, peer, to)?
            .ok_or_else(|| Error::InvalidInput(format!("there is no open tab for {peer} on {account}")))
    }

    /// Up to `limit` messages of a conversation before message `before` (or the newest), oldest first.
    pub fn messages(&self, account: &str, peer: &str, before: Option<i64>, limit: u32) -> Result<Vec<MessageView>> {
        let limit = limit.clamp(1, MAX_PAGE);
        Ok(self.store.messages_page(account, peer, before, limit)?.into_iter().map(MessageView::from).collect())
    }

    pub fn mark_read(&mut self, account: &str, peer: &str, upto: i64) -> Result<()> {
        Ok(self.store.mark_read(account, peer, upto)?)
    }

    /// Keeps a half-typed reply; refuses (rather than cuts) one longer than a message may be.
    pub fn save_draft(&mut self, account: &str, peer: &str, draft: &str) -> Result<()> {
        let n = draft.chars().count();
        if n > store::MAX_DRAFT_CHARS {
            return Err(Error::InvalidInput(format!(
                "the draft is {n} characters long; a message may have at most {}",
                store::MAX_DRAFT_CHARS
            )));
        }
        Ok(self.store.save_draft(account, peer, draft)?)
    }

    /// Fires the engine's due timers (wait alerts, idle closes, opening hours).
    pub fn tick(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.expire_handoffs(now)?;
        self.release_orphans(now)?;
        self.record(now, |_| Ok((vec![Event::Tick], ())))
    }

    /// When the desk next needs a `tick`: the engine's timers, or an offer's time limit.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        let engine = self.engine.as_ref().and_then(Engine::next_deadline);
        engine.into_iter().chain(self.handoffs.next_deadline()).chain(self.orphans_deadline()).min()
    }

    /// The actions decided since the last call, for the I/O side to carry out.
    pub fn take_actions(&mut self) -> Vec<desk::Action> {
        std::mem::take(&mut self.outbox)
    }

    /// Builds the desk engine now (at start-up), so the first snapshot shows the chats under way.
    pub fn resume(&mut self, now: DateTime<Utc>) -> Result<()> {
        self.ensure_engine(now)
    }

    /// Builds the engine from what the store says is under way: the open walk-up and the chats not
    /// yet in a transcript. Those quiet for longer than the idle limit (the desk was closed, the app
    /// was off) are closed and transcribed now, without a goodbye nobody would read; the others are
    /// replayed into the engine at their own times, so waits and places in line are as they were.
    fn ensure_engine(&mut self, now: DateTime<Utc>) -> Result<()> {
        if self.engine.is_some() {
            return Ok(());
        }
        let key = self.pseudonym_key(now)?;
        let open = self.store.active_walkup()?;
        let untranscribed = self.store.untranscribed_messages()?;
        let stale_before = now - self.policy.idle_close.unwrap_or(STALE_CHAT);
        let mut last_activity: std::collections::HashMap<&str, DateTime<Utc>> = std::collections::HashMap::new();
        for m in &untranscribed {
            let at = last_activity.entry(m.peer.as_str()).or_insert(m.at);
            *at = (*at).max(m.at);
        }
        let stale: Vec<desk::Action> = last_activity
            .iter()
            .filter(|(_, at)| **at < stale_before)
            .map(|(peer, _)| desk::Action::ChatClosed { chat: (*peer).to_owned(), reason: desk::CloseReason::Idle })
            .collect();
        let live: Vec<&store::StoredMessage> = untranscribed
            .iter()
            .filter(|m| last_activity.get(m.peer.as_str()).is_some_and(|at| *at >= stale_before))
            .collect();

        let mut start = open.as_ref().map_or(now, |w| w.started_at.min(now));
        if let Some(first) = live.first() {
            start = start.min(first.at);
        }
        let mut engine = Engine::new(self.policy.clone(), start);
        let mut replayed = Vec::new();
        let others = self.other_desks_on_duty();
        if others > 0 {
            replayed.extend(engine.handle(Event::OtherDesksOnDuty { count: others }, start));
        }
        // A desk whose librarian chose Away or Offline is not on duty for IM.
        if self.presence()? == Presence::Available {
            let on_duty = self.on_duty()?;
            let actions = engine.handle(on_duty.clone(), start);
            self.store.atomically(|s| Ok(s.append_desk_log(start, &on_duty, &actions)?))?;
            replayed.extend(actions);
        }
        // Each of these was logged, and its auto-replies sent, when it happened: the engine only needs
        // to know it, in order.
        let mut events: Vec<(DateTime<Utc>, Event)> = Vec::new();
        if let Some(w) = &open {
            events.push((w.started_at.min(now), Event::WalkupArrived { walkup: w.id }));
        }
        for m in live.iter().filter(|m| !m.auto_reply) {
            let chat = m.peer.clone();
            events.push((
                m.at.min(now),
                if m.incoming { Event::PatronMessage { chat } } else { Event::StaffMessage { chat } },
            ));
        }
        events.sort_by_key(|(at, _)| *at);
        for (at, event) in events {
            replayed.extend(engine.handle(event, at.max(start)));
        }
        // What the world should see now is the last presence the replay arrived at.
        self.outbox.extend(replayed.into_iter().rev().find(|a| matches!(a, desk::Action::SetPresence { .. })));
        if !stale.is_empty() {
            self.store.atomically(|s| store_transcripts(s, &stale, &key, &self.names, now))?;
            tracing::info!(chats = stale.len(), "chats left open while the desk was closed were transcribed");
        }
        self.engine = Some(engine);
        Ok(())
    }

    /// This desk's librarian joins the desk (or comes back from Away), under the name on the desk
    /// card: the `{librarian}` patrons read in auto-replies ("Maria is helping someone at the desk").
    fn on_duty(&self) -> Result<Event> {
        let name = self.desk_card()?.name;
        let name = if name.trim().is_empty() { "A librarian".to_owned() } else { name };
        Ok(Event::StaffOnDuty { staff: STAFF_ID.into(), name })
    }

    /// Logged desk events in `[from, to)`, ready for `desk::sim::replay`.
    pub fn desk_events_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<desk::sim::LoggedEvent>> {
        Ok(self.store.desk_events_between(from, to)?)
    }

    /// The librarian's IM presence: Away or Offline takes this desk off duty for IM in the engine.
    pub fn set_presence(&mut self, presence: Presence, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let on_duty = self.on_duty()?;
        self.record(now, |s| {
            s.set_setting(PRESENCE_KEY, presence.as_str())?;
            let event = match presence {
                Presence::Available => on_duty,
                Presence::Away | Presence::Offline => Event::StaffOffDuty { staff: STAFF_ID.into() },
            };
            Ok((vec![event], ()))
        })?;
        self.card_revision = next_revision();
        tracing::info!(presence = presence.as_str(), "presence changed");
        self.snapshot(now)
    }

    pub fn walkups_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<WalkUp>> {
        Ok(self.store.walkups_between(from, to)?)
    }
}

/// A patron message older than this when it reaches the desk is history, not a waiting patron.
pub const HISTORY_AFTER_MINUTES: i64 = 15;

/// The most messages one `messages` call returns (the window pages through longer histories).
pub const MAX_PAGE: u32 = 500;

/// Stores the engine's auto-replies as pending messages on the account each patron wrote to.
fn store_auto_replies(s: &Store, actions: &[desk::Action], now: DateTime<Utc>) -> Result<()> {
    for a in actions {
        let desk::Action::AutoReply { chat, text, .. } = a else { continue };
        let Some(account) = s.account_of(chat)? else {
            tracing::warn!("an auto-reply for a chat with no incoming message was not sent");
            continue;
        };
        let id = xmpp::session::new_message_id();
        s.insert_message(store::NewMessage {
            account: &account,
            peer: chat,
            incoming: false,
            stable_id: &id,
            body: text,
            at: now,
            auto_reply: true,
            status: MessageStatus::Pending,
            origin_id: Some(&id),
        })?;
    }
    Ok(())
}

/// Writes the transcript of each chat the engine closed: redacted (with the names the patron is
/// known by), the patron as a pseudonym.
fn store_transcripts(
    s: &Store,
    actions: &[desk::Action],
    key: &[u8],
    names: &privacy::names::KnownNames,
    now: DateTime<Utc>,
) -> Result<()> {
    if !actions.iter().any(|a| matches!(a, desk::Action::ChatClosed { .. })) {
        return Ok(());
    }
    let librarian = handoff::facade::stored_card(s)?.name;
    for a in actions {
        let desk::Action::ChatClosed { chat, reason } = a else { continue };
        let Some(account) = s.account_of(chat)? else { continue };
        let redactor = privacy::redact::Redactor::with_names(&names.for_chat(&account, chat));
        let messages = s.untranscribed(&account, chat)?;
        let Some(upto) = messages.last().map(|m| m.id) else { continue };
        let lines = messages
            .iter()
            .map(|m| {
                let speaker = match (m.incoming, m.auto_reply) {
                    (true, _) => store::Speaker::Patron,
                    (false, true) => store::Speaker::Auto,
                    (false, false) => store::Speaker::Librarian,
                };
                (m.at, speaker, redactor.redact(&m.body))
            })
            .collect();
        let reason = serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        s.write_transcript(&store::NewTranscript {
            account: &account,
            peer: chat,
            patron: &privacy::pseudonym(key, chat),
            reason: &reason,
            librarian: &librarian,
            lines,
            upto,
            closed_at: now,
        })?;
    }
    Ok(())
}

/// A rating fit to store; tags are redacted like transcripts, since a librarian may type a name.
fn clean_rating(rating: &api::Rating) -> Result<(Option<u8>, Vec<String>)> {
    let (level, tags) = stats::clean_rating(rating)?;
    let redactor = privacy::redact::Redactor::new();
    Ok((level, tags.iter().map(|t| redactor.redact(t)).collect()))
}

/// A librarian's reply as it will be sent: not blank, and no longer than a stored message.
fn clean_reply(body: &str) -> Result<String> {
    // Trailing newlines from Enter-to-send are not part of the answer; inner ones are.
    let body = body.trim_end();
    if body.trim().is_empty() {
        return Err(Error::InvalidInput("the reply is empty".into()));
    }
    let n = body.chars().count();
    if n > store::MAX_BODY_CHARS {
        return Err(Error::InvalidInput(format!(
            "the reply is {n} characters long; a message may have at most {}",
            store::MAX_BODY_CHARS
        )));
    }
    Ok(body.to_owned())
}

/// The engine's line and open chats, as the window shows them.
fn desk_view(engine: &Engine) -> (Vec<api::QueuedView>, Vec<api::ChatStatusView>) {
    let queue = engine
        .queue()
        .iter()
        .map(|q| match &q.item {
            desk::Item::Chat(peer) => api::QueuedView::Chat { peer: peer.clone(), arrived: q.arrived },
            desk::Item::Walkup(id) => api::QueuedView::Walkup { id: *id, arrived: q.arrived },
        })
        .collect();
    let chats = engine
        .open_chats()
        .map(|(peer, state)| api::ChatStatusView {
            peer: peer.to_owned(),
            phase: match state {
                desk::ChatState::Waiting => api::ChatPhase::Waiting,
                desk::ChatState::Active => api::ChatPhase::Active,
                desk::ChatState::OnHold => api::ChatPhase::OnHold,
            },
            desk: None,
            name: None,
        })
        .chain(engine.elsewhere().map(|peer| api::ChatStatusView {
            peer: peer.to_owned(),
            phase: api::ChatPhase::Elsewhere,
            desk: None,
            name: None,
        }))
        .collect();
    (queue, chats)
}

const PSEUDONYM_KEY: &str = "pseudonym_key";
const SECRET_IN_KEYRING: &str = "pseudonym_secret_in_keyring";
/// Set once the walk-up topics of older versions, kept as typed, have been redacted.
const TOPICS_REDACTED: &str = "walkup_topics_redacted";

/// The pseudonym secret kept in the store, made on first use: where no keyring is given (the
/// app moves it to the OS keyring, and pseudonyms change per retention period: see `pseudonym_key`).
fn pseudonym_secret(s: &Store) -> Result<Vec<u8>> {
    use base64::Engine as _;
    // Never a second secret beside the keyring's: pseudonyms would stop matching.
    if s.setting(SECRET_IN_KEYRING)?.is_some() {
        return Err(Error::InvalidInput(
            "the pseudonym secret is in the desk's keyring; this database alone cannot make pseudonyms".into(),
        ));
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(k) = s.setting(PSEUDONYM_KEY)?.and_then(|k| b64.decode(k).ok()) {
        return Ok(k);
    }
    let key = privacy::new_secret()?;
    s.set_setting(PSEUDONYM_KEY, &b64.encode(&key))?;
    Ok(key)
}

fn days_since_epoch(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(86_400)
}

/// Trims, drops control characters, and refuses (rather than silently cuts) an over-long topic.
fn clean_topic(topic: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = topic else { return Ok(None) };
    let cleaned: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let n = cleaned.chars().count();
    if n > MAX_TOPIC_CHARS {
        return Err(Error::InvalidInput(format!(
            "the walk-up topic is {n} characters long; keep it to {MAX_TOPIC_CHARS} (a few words for statistics)"
        )));
    }
    Ok(Some(cleaned.to_owned()))
}

/// A walk-up topic as it is kept: redacted, and no longer than a topic may be (a placeholder can
/// be longer than what it replaced).
fn redact_topic(redactor: &privacy::redact::Redactor, topic: &str) -> String {
    redactor.redact(topic).chars().take(MAX_TOPIC_CHARS).collect()
}

/// Start of the local calendar day containing `now`, for "today" counts at the desk.
fn local_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let local_day = now.with_timezone(&Local).date_naive();
    // A DST change at midnight can make 00:00 missing or doubled: take the earliest valid instant.
    Local
        .from_local_datetime(&local_day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - chrono::Duration::hours(24))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use api::DeskState;
    use chrono::Duration;

    /// A desk on a fresh database in a temporary directory (kept as long as the `TempDir`).
    pub(crate) fn desk() -> (tempfile::TempDir, Desk) {
        // (mut at the call sites: walk-ups go through the engine)
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(&dir.path().join("refdesk.db")).unwrap();
        (dir, desk)
    }

    #[test]
    fn a_walkup_shows_the_desk_busy_until_it_ends() {
        let (_d, mut desk) = desk();
        // Local noon, so the walk-up and "today" are the same day whenever the test runs.
        let t0 = Local.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).earliest().unwrap().with_timezone(&Utc);
        assert_eq!(desk.snapshot(t0).unwrap().state, DeskState::Available);
        let s = desk.start_walkup(Some("  where are the atlases?  "), t0).unwrap();
        assert_eq!(s.state, DeskState::WithPatron);
        assert_eq!(s.active_walkup.as_ref().and_then(|w| w.topic.as_deref()), Some("where are the atlases?"));
        assert_eq!(s.walkups_today, 1);
        let s = desk.end_walkup(t0 + Duration::minutes(2)).unwrap();
        assert_eq!(s.state, DeskState::Available);
        assert_eq!(s.active_walkup, None);
        assert_eq!(s.walkups_today, 1);
    }

    #[test]
    fn a_later_snapshot_has_a_higher_revision_even_from_a_desk_opened_again() {
        let (_d, mut desk) = desk();
        let first = desk.snapshot(Utc::now()).unwrap().revision;
        let changed = desk.start_walkup(None, Utc::now()).unwrap().revision;
        assert!(changed > first, "{changed} after {first}");
        // A reset opens the desk again; the window must still take its states as newer.
        let (_e, again) = self::desk();
        let after_reset = again.snapshot(Utc::now()).unwrap().revision;
        assert!(after_reset > changed, "{after_reset} after {changed}");
    }

    #[test]
    fn presence_is_remembered_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        Desk::open(&path).unwrap().set_presence(Presence::Away, Utc::now()).unwrap();
        let desk = Desk::open(&path).unwrap();
        assert_eq!(desk.presence().unwrap(), Presence::Away);
        assert_eq!(desk.snapshot(Utc::now()).unwrap().state, DeskState::Away);
    }

    #[test]
    fn each_desk_has_its_own_resource_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let a = Desk::open(&dir.path().join("a.db")).unwrap().resource().unwrap();
        assert!(a.starts_with("refdesk-") && a.len() == "refdesk-".len() + 8, "{a}");
        assert_eq!(Desk::open(&dir.path().join("a.db")).unwrap().resource().unwrap(), a, "kept across restarts");
        assert_ne!(Desk::open(&dir.path().join("b.db")).unwrap().resource().unwrap(), a, "another desk differs");
    }

    #[test]
    fn topics_are_cleaned_and_bounded() {
        assert_eq!(clean_topic(None).unwrap(), None);
        assert_eq!(clean_topic(Some("   \t ")).unwrap(), None);
        assert_eq!(clean_topic(Some("tax\u{0}forms\n")).unwrap().as_deref(), Some("tax forms"));
        let long = "é".repeat(MAX_TOPIC_CHARS);
        assert_eq!(clean_topic(Some(&long)).unwrap().as_deref(), Some(long.as_str()));
        let err = clean_topic(Some(&"a".repeat(MAX_TOPIC_CHARS + 1))).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)));
        assert!(err.to_string().contains("201 characters"), "{err}");
    }

    #[test]
    fn an_over_long_topic_records_nothing() {
        let (_d, mut desk) = desk();
        let now = Utc::now();
        assert!(desk.start_walkup(Some(&"x".repeat(500)), now).is_err());
        assert_eq!(desk.snapshot(now).unwrap().active_walkup, None);
        assert_eq!(desk.snapshot(now).unwrap().walkups_today, 0);
    }

    #[test]
    fn a_walkup_topic_is_kept_redacted_with_who_helped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        let now = Utc::now();
        // An older version kept topics as typed; the next start redacts them, once.
        let store = Store::open(&path).unwrap();
        store.start_walkup(Some("renewal for card 21234001234567"), "", now - Duration::hours(2)).unwrap();
        store.end_walkup(now - Duration::hours(2)).unwrap();
        store.delete_setting(TOPICS_REDACTED).unwrap();
        drop(store);
        let mut desk = Desk::open(&path).unwrap();
        desk.set_desk_card("Maria", "", now).unwrap();
        // Longest case: every word becomes a longer placeholder, and the topic still fits.
        let emails = "a@b.cd ".repeat(MAX_TOPIC_CHARS / 7);
        let s = desk.start_walkup(Some(&emails), now - Duration::hours(1)).unwrap();
        let topic = s.active_walkup.unwrap().topic.unwrap();
        assert!(topic.starts_with("[EMAIL] [EMAIL]") && topic.chars().count() == MAX_TOPIC_CHARS, "{topic}");
        desk.end_walkup(now - Duration::hours(1)).unwrap();
        desk.start_walkup(Some("Mrs Vos wants 06-12345678 called back"), now).unwrap();
        let topics: Vec<_> = desk
            .walkups_between(now - Duration::days(1), now + Duration::hours(1))
            .unwrap()
            .into_iter()
            .map(|w| w.topic.unwrap())
            .collect();
        assert_eq!(topics[0], "renewal for card [CARD]");
        assert_eq!(topics[2], "Mrs Vos wants [PHONE] called back");
        let hits = desk.search_transcripts("called", 10).unwrap();
        assert_eq!(hits.len(), 1);
        let by_maria = api::SearchFilter { librarian: Some("maria".into()), ..Default::default() };
        assert_eq!(
            desk.search_transcripts_in("renewal", &by_maria, &chrono::Utc, 10).unwrap(),
            [],
            "before Maria said who she was"
        );
        assert_eq!(desk.search_transcripts_in("called", &by_maria, &chrono::Utc, 10).unwrap().len(), 1);
        let bytes = database_bytes(dir.path());
        assert!(!bytes.windows(8).any(|w| w == b"12345678"), "the database keeps no number typed in a topic");
        assert!(!bytes.windows(14).any(|w| w == b"21234001234567"), "nor one an older version kept");
    }

    #[test]
    fn walkups_go_through_the_engine_and_the_day_can_be_replayed() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now() - Duration::hours(1);
        desk.start_walkup(None, t0).unwrap();
        desk.end_walkup(t0 + Duration::minutes(6)).unwrap();
        desk.start_walkup(Some("maps"), t0 + Duration::minutes(10)).unwrap();
        desk.end_walkup(t0 + Duration::minutes(12)).unwrap();
        assert_eq!(desk.store().desk_action_count("walkupAssigned").unwrap(), 2);
        let log = desk.desk_events_between(t0, t0 + Duration::hours(1)).unwrap();
        let kinds: Vec<_> = log.iter().map(|e| serde_json::to_value(&e.event).unwrap()["type"].clone()).collect();
        assert_eq!(kinds, ["staffOnDuty", "walkupArrived", "walkupEnded", "walkupArrived", "walkupEnded"]);
        let policy = desk::DeskPolicy::default().compile().unwrap();
        let report = desk::sim::replay(policy, &log);
        assert_eq!((report.walkups.arrived, report.walkups.served), (2, 2));
    }

    #[test]
    fn a_refused_change_leaves_no_trace_in_the_log() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        desk.start_walkup(None, t0).unwrap();
        assert!(matches!(desk.start_walkup(None, t0), Err(Error::WalkupAlreadyActive)));
        let log = desk.desk_events_between(t0 - Duration::hours(1), t0 + Duration::hours(1)).unwrap();
        assert_eq!(log.len(), 2, "on duty + one walk-up: {log:?}");
    }

    #[test]
    fn a_walkup_open_across_a_restart_ends_through_the_engine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        let t0 = Utc::now() - Duration::minutes(30);
        Desk::open(&path).unwrap().start_walkup(None, t0).unwrap();
        let mut desk = Desk::open(&path).unwrap();
        desk.end_walkup(t0 + Duration::minutes(20)).unwrap();
        assert_eq!(desk.store().desk_action_count("walkupAssigned").unwrap(), 1, "not assigned twice");
        let log = desk.desk_events_between(t0 - Duration::hours(1), t0 + Duration::hours(1)).unwrap();
        let replay = desk::sim::replay(desk::DeskPolicy::default().compile().unwrap(), &log);
        assert_eq!(replay.walkups.waits, vec![0]);
    }

    pub(crate) fn chat(from: &str, id: &str, body: &str) -> xmpp::ChatMessage {
        xmpp::ChatMessage {
            from: from.into(),
            to: Some("ask@library.test".into()),
            id: Some(id.into()),
            kind: "chat".into(),
            body: Some(body.into()),
            origin_id: None,
            stanza_ids: vec![],
            chat_state: None,
            carbon: None,
            sent_at: None,
            ..Default::default()
        }
    }

    #[test]
    fn an_im_during_a_walkup_is_stored_once_and_answered_with_its_place_in_line() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        desk.start_walkup(None, t0).unwrap();
        desk.take_actions();
        let m = chat("maria@student.example/phone", "m1", "where are the atlases?");
        assert!(desk.receive_message("ask@library.test", &m, t0 + Duration::seconds(5)).unwrap().is_some());
        assert!(
            desk.receive_message("ask@library.test", &m, t0 + Duration::seconds(6)).unwrap().is_none(),
            "duplicate"
        );
        let replies: Vec<_> = desk
            .take_actions()
            .into_iter()
            .filter_map(|a| match a {
                desk::Action::AutoReply { chat, text, .. } => Some((chat, text)),
                _ => None,
            })
            .collect();
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert_eq!(replies[0].0, "maria@student.example");
        assert!(replies[0].1.contains("number 1 in line"), "{}", replies[0].1);
        // The auto-reply is stored, waiting to be sent, beside the patron's one message.
        let convo = desk.store().messages_with("ask@library.test", "maria@student.example").unwrap();
        assert_eq!(convo.len(), 2, "{convo:?}");
        assert!(convo[1].auto_reply && !convo[1].incoming && convo[1].status == MessageStatus::Pending);
        assert_eq!(desk.pending_messages("ask@library.test").unwrap().len(), 1);
        let log =
            serde_json::to_string(&desk.desk_events_between(t0 - Duration::hours(1), t0 + Duration::hours(1)).unwrap())
                .unwrap();
        assert!(!log.contains("maria@student.example"), "the desk log holds pseudonyms only: {log}");
        // The walk-up ends: the chat is taken.
        desk.end_walkup(t0 + Duration::minutes(3)).unwrap();
        assert!(desk.take_actions().iter().any(|a| matches!(a, desk::Action::ChatAssigned { .. })));
    }

    #[test]
    fn a_reply_is_stored_pending_takes_the_waiting_chat_and_is_marked_sent_once() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        desk.start_walkup(None, t0).unwrap();
        let m = desk.receive_message("ask@library.test", &chat("ben@x.org/laptop", "b1", "hello?"), t0).unwrap();
        let m = m.unwrap();
        assert_eq!((m.peer.as_str(), m.status), ("ben@x.org", MessageStatus::Received));
        desk.take_actions();

        let r = desk.reply("ask@library.test", "ben@x.org", "Hi Ben, one moment please.\n\n", t0).unwrap();
        assert_eq!(
            (r.body.as_str(), r.status, r.incoming),
            ("Hi Ben, one moment please.", MessageStatus::Pending, false)
        );
        assert!(desk
            .take_actions()
            .iter()
            .any(|a| matches!(a, desk::Action::ChatAssigned { chat, .. } if chat == "ben@x.org")));
        let pending = desk.pending_messages("ask@library.test").unwrap();
        let ours = pending.iter().find(|p| p.id == r.id).expect("the reply waits to be sent");
        let sent = desk.mark_sent("ask@library.test", &ours.stable_id).unwrap().unwrap();
        assert_eq!((sent.id, sent.status), (r.id, MessageStatus::Sent));
        assert_eq!(desk.mark_sent("ask@library.test", &ours.stable_id).unwrap(), None);

        assert!(matches!(desk.reply("ask@library.test", "ben@x.org", " \n ", t0), Err(Error::InvalidInput(_))));
        let huge = "x".repeat(store::MAX_BODY_CHARS + 1);
        let err = desk.reply("ask@library.test", "ben@x.org", &huge, t0).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
        let c = desk.conversations().unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].unread, c[0].preview.as_str()), (1, "Hi Ben, one moment please."));
        let history = desk.messages("ask@library.test", "ben@x.org", None, 0).unwrap();
        assert_eq!(history.len(), 1, "a limit below 1 is raised to 1: the newest message");
    }

    /// A desk where each librarian takes one chat at a time, and Ann then Bob have written.
    fn one_chat_each_and_two_in_line() -> (tempfile::TempDir, Desk, DateTime<Utc>) {
        let (d, mut desk) = desk();
        let p = desk::DeskPolicy { max_chats_per_librarian: 1, ..desk::DeskPolicy::default() };
        desk.set_policy(p.compile().unwrap());
        let t0 = Utc::now();
        desk.receive_message("ask@library.test", &chat("ann@x/r", "a1", "first"), t0).unwrap();
        desk.receive_message("ask@library.test", &chat("bob@x/r", "b1", "second"), t0).unwrap();
        (d, desk, t0)
    }

    #[test]
    fn closing_a_chat_frees_the_librarian_for_the_next_one_in_line() {
        let (_d, mut desk, t0) = one_chat_each_and_two_in_line();
        let s = desk.snapshot(t0).unwrap();
        assert!(matches!(&s.queue[..], [api::QueuedView::Chat { peer, .. }] if peer == "bob@x"), "{:?}", s.queue);
        let s = desk.close_chat("ann@x", &api::Rating::default(), t0 + Duration::minutes(4)).unwrap();
        assert!(s.queue.is_empty(), "bob is taken: {:?}", s.queue);
        assert_eq!(
            s.chats,
            vec![api::ChatStatusView { peer: "bob@x".into(), phase: api::ChatPhase::Active, desk: None, name: None }]
        );
    }

    #[test]
    fn the_librarian_takes_the_next_chat_holds_it_under_their_own_name_and_the_log_keeps_no_address() {
        let (_d, mut desk, t0) = one_chat_each_and_two_in_line();
        desk.take_actions();
        let (taken, s) = desk.take_next(t0 + Duration::seconds(5)).unwrap();
        assert_eq!(taken.as_deref(), Some("bob@x"), "over the cap, because the librarian chose to");
        assert!(s.queue.is_empty());
        assert_eq!(desk.take_next(t0 + Duration::seconds(6)).unwrap().0, None, "no one else waits");

        // Without a name on the desk card the patron reads "A librarian"; with one, that name.
        let hold = |desk: &mut Desk, at: i64| {
            let s = desk.hold_chat("bob@x", true, t0 + Duration::seconds(at)).unwrap();
            let said: Vec<String> = desk
                .take_actions()
                .into_iter()
                .filter_map(|a| match a {
                    desk::Action::AutoReply { text, .. } => Some(text),
                    _ => None,
                })
                .collect();
            (s, said)
        };
        let (s, said) = hold(&mut desk, 10);
        assert!(s.chats.iter().any(|c| c.peer == "bob@x" && c.phase == api::ChatPhase::OnHold));
        assert_eq!(said, vec!["A librarian is looking into this and will be back with you in a moment.".to_owned()]);
        let s = desk.hold_chat("bob@x", false, t0 + Duration::seconds(20)).unwrap();
        assert!(s.chats.iter().any(|c| c.peer == "bob@x" && c.phase == api::ChatPhase::Active));
        desk.set_desk_card("Maria", "maps", t0 + Duration::seconds(30)).unwrap();
        desk.hold_chat("ann@x", true, t0 + Duration::seconds(40)).unwrap();
        let said: Vec<String> = desk
            .take_actions()
            .into_iter()
            .filter_map(|a| match a {
                desk::Action::AutoReply { text, .. } => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(said, vec!["Maria is looking into this and will be back with you in a moment.".to_owned()]);
        // The hold reply is stored for sending like any other auto-reply.
        let convo = desk.store().messages_with("ask@library.test", "ann@x").unwrap();
        assert!(convo.iter().any(|m| m.auto_reply && m.body.starts_with("Maria is looking")), "{convo:?}");
        let log =
            serde_json::to_string(&desk.desk_events_between(t0 - Duration::hours(1), t0 + Duration::hours(1)).unwrap())
                .unwrap();
        assert!(log.contains("holdChat") && log.contains("takeNext"), "{log}");
        assert!(!log.contains("bob@x") && !log.contains("ann@x"), "the desk log holds pseudonyms only: {log}");
    }

    #[test]
    fn what_another_desk_on_the_account_sent_joins_the_conversation_once() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        desk.receive_message("ask@library.test", &chat("cy@x.org/phone", "c1", "opening hours?"), t0).unwrap();
        let mut copy = chat("ask@library.test/desk2", "rd-desk2-1", "9 to 5 today.");
        copy.to = Some("cy@x.org/phone".into());
        copy.origin_id = Some("rd-desk2-1".into());
        copy.carbon = Some(xmpp::Carbon::Sent);
        let m = desk.receive_message("ask@library.test", &copy, t0).unwrap().unwrap();
        assert_eq!((m.peer.as_str(), m.incoming, m.status), ("cy@x.org", false, MessageStatus::Sent));
        assert!(desk.receive_message("ask@library.test", &copy, t0).unwrap().is_none(), "stored once");
        let convo = desk.messages("ask@library.test", "cy@x.org", None, 10).unwrap();
        assert_eq!(convo.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["opening hours?", "9 to 5 today."]);
        assert!(
            desk.pending_messages("ask@library.test").unwrap().iter().all(|p| p.body != "9 to 5 today."),
            "not ours to send"
        );
        // The chat is desk 2's now: shown as such, not in this desk's line, and no transcript here.
        let snap = desk.snapshot(t0).unwrap();
        assert_eq!(
            snap.chats,
            vec![api::ChatStatusView {
                peer: "cy@x.org".into(),
                phase: api::ChatPhase::Elsewhere,
                desk: None,
                name: None
            }]
        );
        assert!(snap.queue.is_empty());
        assert!(desk.store().untranscribed("ask@library.test", "cy@x.org").unwrap().is_empty());
        desk.close_tab("ask@library.test", "cy@x.org").unwrap();
        desk.reopen_tab("ask@library.test", "cy@x.org").unwrap();
        // A copy of what a patron sent another desk is the patron's message, as if it came here.
        let mut received = chat("cy@x.org/phone", "c2", "thanks!");
        received.carbon = Some(xmpp::Carbon::Received);
        let m = desk.receive_message("ask@library.test", &received, t0).unwrap().unwrap();
        assert!(m.incoming && m.peer == "cy@x.org");
    }

    #[test]
    fn an_old_message_from_the_archive_is_history_not_a_waiting_patron() {
        let (_d, mut desk) = desk();
        let now = Utc::now();
        desk.start_walkup(None, now).unwrap();
        desk.take_actions();
        let mut old = chat("dee@x.org/r", "d1", "are you open sunday?");
        old.sent_at = Some(now - Duration::hours(3));
        let m = desk.receive_message("ask@library.test", &old, now).unwrap().unwrap();
        // (The store keeps milliseconds.)
        assert_eq!(m.at.timestamp_millis(), (now - Duration::hours(3)).timestamp_millis(), "shown as sent");
        assert!(desk.take_actions().iter().all(|a| !matches!(a, desk::Action::AutoReply { .. })), "no auto-reply");
        assert!(desk.snapshot(now).unwrap().queue.is_empty(), "not in line");
        // A message only a little late (the desk was restarting) is a patron waiting now.
        let mut recent = chat("eve@x.org/r", "e1", "hello?");
        recent.sent_at = Some(now - Duration::minutes(2));
        desk.receive_message("ask@library.test", &recent, now).unwrap();
        assert_eq!(desk.snapshot(now).unwrap().queue.len(), 1);
        // A stamp from the future (a wrong clock somewhere) is taken as now.
        let mut future = chat("fay@x.org/r", "f1", "hi");
        future.sent_at = Some(now + Duration::days(2));
        let at = desk.receive_message("ask@library.test", &future, now).unwrap().unwrap().at;
        assert_eq!(at.timestamp_millis(), now.timestamp_millis());
    }

    #[test]
    fn a_transcript_names_the_librarian_who_closed_it_and_searches_narrow_by_name_and_day() {
        let dir = tempfile::tempdir().unwrap();
        let mut desk = Desk::open(&dir.path().join("refdesk.db")).unwrap();
        // Noon, so the chat's two minutes stay in one day.
        let t0 = Utc::now().date_naive().and_hms_opt(12, 0, 0).unwrap().and_utc();
        desk.set_desk_card("Maria Lopez", "maps", t0).unwrap();
        desk.receive_message("ask@library.test", &chat("hal@x.org/r", "h1", "old county maps?"), t0).unwrap();
        desk.reply("ask@library.test", "hal@x.org", "Drawer 4.", t0).unwrap();
        desk.close_chat("hal@x.org", &api::Rating::default(), t0 + Duration::minutes(2)).unwrap();
        let by = |name: &str| api::SearchFilter { librarian: Some(name.into()), ..Default::default() };
        let search = |f: &api::SearchFilter| desk.search_transcripts_in("maps", f, &Utc, 10).unwrap().len();
        assert_eq!(search(&by("lopez")), 1);
        assert_eq!(search(&by("Anna")), 0);
        let today = t0.date_naive().to_string();
        let tomorrow = (t0 + Duration::days(1)).date_naive().to_string();
        assert_eq!(
            search(&api::SearchFilter { from: Some(today.clone()), to: Some(today.clone()), ..Default::default() }),
            1
        );
        assert_eq!(search(&api::SearchFilter { from: Some(tomorrow.clone()), ..Default::default() }), 0);
        let backwards = api::SearchFilter { from: Some(tomorrow), to: Some(today), ..Default::default() };
        let e = desk.search_transcripts_in("maps", &backwards, &Utc, 10).unwrap_err();
        assert!(e.to_string().contains("before"), "{e}");
        let typo = api::SearchFilter { from: Some("31/12".into()), ..Default::default() };
        let e = desk.search_transcripts_in("maps", &typo, &Utc, 10).unwrap_err();
        assert!(e.to_string().contains("wants a date like"), "{e}");
    }

    #[test]
    fn a_closed_chat_leaves_a_redacted_transcript_under_a_pseudonym_and_nothing_personal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        let mut desk = Desk::open(&path).unwrap();
        let t0 = Utc::now();
        let m =
            chat("gina@student.example/phone", "g1", "I'm Gina, gina.r@student.example, 555-201-3344: 1910 census?");
        desk.receive_message("ask@library.test", &m, t0).unwrap();
        desk.reply("ask@library.test", "gina@student.example", "Reel 12, second floor.", t0).unwrap();
        desk.close_chat("gina@student.example", &api::Rating::default(), t0 + Duration::minutes(5)).unwrap();
        let hits = desk.search_transcripts("census", 10).unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        let lines = desk.store().transcript_lines(hits[0].id).unwrap();
        let text: Vec<_> = lines.iter().map(|(_, who, body)| format!("{who}: {body}")).collect();
        assert_eq!(text, ["patron: I'm [NAME], [EMAIL], [PHONE]: 1910 census?", "librarian: Reel 12, second floor."]);
        assert!(desk.search_transcripts("gina", 10).unwrap().is_empty());
        assert!(desk.search_transcripts("3344", 10).unwrap().is_empty());

        // The same patron again, another day: the same pseudonym, so repeat use can be counted.
        let again = chat("gina@student.example/laptop", "g2", "me again: 1920 census?");
        desk.receive_message("ask@library.test", &again, t0 + Duration::hours(3)).unwrap();
        desk.close_chat("gina@student.example", &api::Rating::default(), t0 + Duration::hours(3)).unwrap();
        let hits = desk.search_transcripts("census", 10).unwrap();
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].patron, hits[1].patron);
        assert!(hits[0].patron.starts_with("patron-"));
        assert_eq!(desk.store().transcript_lines(hits[0].id).unwrap().len(), 1, "only what came after");
        drop(desk);

        // Nothing personal in the transcript tables or their index, read straight from the file.
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut text = String::new();
        for table in ["transcripts", "transcript_lines"] {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
            let n = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    // Text only: a time in milliseconds may hold any digits.
                    Ok((0..n).filter_map(|i| r.get::<_, String>(i).ok()).collect::<Vec<_>>().join("|"))
                })
                .unwrap();
            for row in rows {
                text.push_str(&row.unwrap());
            }
        }
        for secret in ["gina", "Gina", "555-201-3344", "student.example"] {
            assert!(!text.contains(secret), "{secret} found in the transcript tables: {text}");
        }
        // Every term of the full-text index, as the index itself lists them.
        conn.execute_batch("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, transcript_search, 'row')").unwrap();
        let terms: Vec<String> = conn
            .prepare("SELECT term FROM temp.terms")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .flatten()
            .collect();
        assert!(terms.iter().any(|t| t == "census"), "the index was read: {terms:?}");
        for secret in ["gina", "555", "201", "3344", "student", "example"] {
            assert!(!terms.iter().any(|t| t == secret), "{secret} is a term of the index: {terms:?}");
        }
    }

    /// Every byte of the database's files (the database, its log), for what must not be there.
    fn database_bytes(dir: &Path) -> Vec<u8> {
        std::fs::read_dir(dir).unwrap().flat_map(|f| std::fs::read(f.unwrap().path()).unwrap()).collect()
    }

    #[test]
    fn purged_and_erased_messages_are_gone_from_the_files_not_just_the_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        let mut desk = Desk::open(&path).unwrap();
        let t0 = Utc::now() - Duration::hours(3);
        let acct = "ask@library.test";
        let asks = [("ida@x.org", "555-201-3344"), ("jan@x.org", "555-707-9911")];
        for (n, (who, phone)) in asks.iter().enumerate() {
            let m = chat(&format!("{who}/r"), &format!("m{n}"), &format!("call me back on {phone} about the census"));
            desk.receive_message(acct, &m, t0).unwrap();
            desk.close_chat(who, &api::Rating::default(), t0 + Duration::minutes(5)).unwrap();
        }
        let found = |phone: &str| database_bytes(dir.path()).windows(phone.len()).any(|w| w == phone.as_bytes());
        assert!(found("555-201-3344") && found("555-707-9911"), "the live conversations hold them until the purge");

        // Ida's chat goes by retention (live messages kept for an hour), Jan's on his request.
        let retention = policy::RetentionPolicy { live_hours: 1, transcript_days: 365 };
        desk.purge(&retention, Utc::now()).unwrap();
        assert!(!found("555-201-3344") && !found("555-707-9911"), "not in a free page, nor in the log");
        assert_eq!(desk.search_transcripts("census", 10).unwrap().len(), 2, "the transcripts stay");
        desk.set_pseudonym_secret(vec![7; 32]);
        let m = chat("jan@x.org/r", "m9", "please forget me: jan.v@x.org");
        desk.receive_message(acct, &m, Utc::now()).unwrap();
        assert!(found("jan.v@x.org"));
        desk.erase_patron("jan@x.org", Utc::now()).unwrap();
        assert!(!found("jan.v@x.org"), "erased on request, from the files too");
    }

    #[test]
    fn an_erased_patrons_words_leave_the_search_index_too() {
        let dir = tempfile::tempdir().unwrap();
        let mut desk = Desk::open(&dir.path().join("refdesk.db")).unwrap();
        desk.set_pseudonym_secret(vec![7; 32]);
        let t0 = Utc::now() - Duration::hours(1);
        let acct = "ask@library.test";
        for (n, (who, text)) in
            [("kim@x.org", "the census of 1910"), ("lou@x.org", "my qwzxyl ailment, census too")].iter().enumerate()
        {
            desk.receive_message(acct, &chat(&format!("{who}/r"), &format!("m{n}"), text), t0).unwrap();
            desk.close_chat(who, &api::Rating::default(), t0 + Duration::minutes(5)).unwrap();
        }
        let found = |word: &str| database_bytes(dir.path()).windows(word.len()).any(|w| w == word.as_bytes());
        assert!(found("qwzxyl"), "indexed while kept");
        desk.erase_patron("lou@x.org", Utc::now()).unwrap();
        assert!(!found("qwzxyl"), "the index's old segments still hold the erased patron's words");
        assert_eq!(desk.search_transcripts("census", 10).unwrap().len(), 1, "the other patron's transcript stays");
    }

    #[test]
    fn chats_under_way_survive_a_restart_and_stale_ones_are_transcribed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        // (The store keeps milliseconds.)
        let now = Utc.timestamp_millis_opt(Utc::now().timestamp_millis()).unwrap();
        let mut desk = Desk::open(&path).unwrap();
        let acct = "ask@library.test";
        desk.receive_message(acct, &chat("ann@x.org/r", "a1", "census 1910?"), now - Duration::minutes(5)).unwrap();
        desk.reply(acct, "ann@x.org", "Looking now.", now - Duration::minutes(4)).unwrap();
        desk.start_walkup(None, now - Duration::minutes(3)).unwrap();
        desk.receive_message(acct, &chat("bob@x.org/r", "b1", "printing help"), now - Duration::minutes(2)).unwrap();
        let before = desk.snapshot(now).unwrap();
        let pending = desk.pending_messages(acct).unwrap().len();
        drop(desk);

        let mut desk = Desk::open(&path).unwrap();
        desk.resume(now).unwrap();
        let after = desk.snapshot(now).unwrap();
        assert_eq!(after.chats, before.chats, "the same chats, in the same phases");
        assert_eq!(after.queue, before.queue, "the same line, with the same arrival times");
        assert!(after.chats.iter().any(|c| c.peer == "ann@x.org"));
        assert!(after.queue.iter().any(|q| matches!(q, api::QueuedView::Chat { peer, .. } if peer == "bob@x.org")));
        assert!(
            desk.take_actions().iter().all(|a| !matches!(a, desk::Action::AutoReply { .. })),
            "nothing is said twice"
        );
        assert_eq!(desk.pending_messages(acct).unwrap().len(), pending);
        // A chat restored is a chat like any other: closing it writes its transcript.
        desk.close_chat("ann@x.org", &api::Rating::default(), now).unwrap();
        assert_eq!(desk.search_transcripts("census", 10).unwrap().len(), 1);
        assert!(!desk.snapshot(now).unwrap().chats.iter().any(|c| c.peer == "ann@x.org"));
        drop(desk);

        // The app comes back hours later: Bob's chat went quiet long ago (the desk closes idle chats
        // after 15 minutes), so it is transcribed, without a goodbye nobody would read.
        let later = now + Duration::hours(3);
        let mut desk = Desk::open(&path).unwrap();
        desk.resume(later).unwrap();
        assert!(desk.snapshot(later).unwrap().queue.iter().all(|q| matches!(q, api::QueuedView::Walkup { .. })));
        assert!(desk.take_actions().iter().all(|a| !matches!(a, desk::Action::AutoReply { .. })));
        let day = Duration::days(1);
        let bob: Vec<_> = desk
            .store()
            .transcripts_between(now - day, later + day)
            .unwrap()
            .into_iter()
            .filter(|t| t.reason == "idle")
            .collect();
        assert_eq!(bob.len(), 1, "Bob's chat is transcribed");
        assert_eq!(bob[0].lines[0].text, "printing help");
        assert!(bob[0].lines.iter().all(|l| !l.text.contains("closing this chat")), "no goodbye");
    }

    #[test]
    fn a_receipt_from_the_patron_marks_our_message_delivered_and_no_one_else_can() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        let acct = "ask@library.test";
        desk.receive_message(acct, &chat("lu@x.org/phone", "l1", "hi"), t0).unwrap();
        let reply = desk.reply(acct, "lu@x.org", "Hello!", t0).unwrap();
        let id = desk.pending_messages(acct).unwrap().into_iter().find(|m| m.id == reply.id).unwrap().stable_id;
        let receipt = |from: &str| xmpp::ChatMessage {
            from: from.into(),
            receipt_for: Some(id.clone()),
            kind: "chat".into(),
            ..Default::default()
        };
        assert_eq!(desk.receive_message(acct, &receipt("mallory@x.org/r"), t0).unwrap(), None, "not the patron");
        assert_eq!(desk.receive_message(acct, &receipt("ask@library.test/desk2"), t0).unwrap(), None, "ourselves");
        let mut ours = receipt("lu@x.org/phone");
        ours.carbon = Some(xmpp::Carbon::Sent);
        assert_eq!(desk.receive_message(acct, &ours, t0).unwrap(), None, "a copy of a receipt we sent");
        let m = desk.receive_message(acct, &receipt("lu@x.org/phone"), t0).unwrap().unwrap();
        assert_eq!((m.id, m.status), (reply.id, MessageStatus::Delivered), "it overtook the runner's report");
        assert!(desk.pending_messages(acct).unwrap().is_empty(), "delivered, so not to be sent again");
        assert_eq!(desk.receive_message(acct, &receipt("lu@x.org/tablet"), t0).unwrap(), None, "once");
        assert!(desk.receive_message(acct, &receipt("lu@x.org/phone"), t0).unwrap().is_none(), "not a message");
        let shown = desk.messages(acct, "lu@x.org", None, 10).unwrap();
        assert_eq!(shown.last().map(|m| m.status), Some(MessageStatus::Delivered));
    }

    #[test]
    fn canned_replies_are_offered_filled_in_with_the_librarys_own_or_ours() {
        let (_d, mut desk) = desk();
        let now = Utc::now();
        assert_eq!(desk.canned_replies(now).len(), canned::defaults().len());
        let p = desk::DeskPolicy { library_name: "Ford Library".into(), ..desk::DeskPolicy::default() };
        desk.set_policy(p.compile().unwrap());
        let r = |title: &str, text: &str| canned::CannedReply { title: title.into(), text: text.into() };
        desk.set_canned_replies(Some(vec![r(" Bye ", "Thanks for using {library}."), r("Hours", "Back {opens}.")]));
        let got = desk.canned_replies(now);
        assert_eq!((got[0].title.as_str(), got[0].text.as_str()), ("Bye", "Thanks for using Ford Library."));
        assert_eq!(got[1].text, "Back later.", "no schedule: no opening time to name");
        desk.set_canned_replies(Some(vec![]));
        assert!(desk.canned_replies(now).is_empty(), "a library may offer none");
    }

    #[test]
    fn a_closed_tab_stays_closed_until_the_patron_writes_again_or_it_is_reopened() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        let acct = "ask@library.test";
        desk.receive_message(acct, &chat("mo@x.org/r", "m1", "hi"), t0).unwrap();
        let e = desk.close_tab(acct, "mo@x.org").unwrap_err();
        assert!(e.to_string().contains("close the chat first"), "{e}");
        desk.close_chat("mo@x.org", &api::Rating::default(), t0).unwrap();
        desk.close_tab(acct, "mo@x.org").unwrap();
        assert!(desk.conversations().unwrap().is_empty());
        assert_eq!(desk.closed_tabs(10).unwrap().iter().map(|c| c.peer.as_str()).collect::<Vec<_>>(), ["mo@x.org"]);
        desk.reopen_tab(acct, "mo@x.org").unwrap();
        assert_eq!(desk.conversations().unwrap().len(), 1);
        desk.close_tab(acct, "mo@x.org").unwrap();
        desk.receive_message(acct, &chat("mo@x.org/r", "m2", "one more thing"), t0).unwrap();
        assert_eq!(desk.conversations().unwrap().len(), 1, "back when the patron writes");
        assert!(desk.closed_tabs(10).unwrap().is_empty());
        assert!(desk.close_tab(acct, "nobody@x.org").unwrap_err().to_string().contains("no conversation"));
    }

    #[test]
    fn one_message_by_two_roads_is_stored_once_even_when_only_one_copy_has_the_archive_id() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        let acct = "ask@library.test";
        let mut live = chat("ned@x.org/r", "n1", "microfiche reader?");
        live.origin_id = Some("ned-origin-1".into());
        assert!(desk.receive_message(acct, &live, t0).unwrap().is_some());
        let mut archived = live.clone();
        archived.stanza_ids = vec![(acct.into(), "archive-77".into())];
        archived.from_archive = true;
        assert!(desk.receive_message(acct, &archived, t0).unwrap().is_none(), "the same message");
        // Another patron choosing the same id is another message.
        let mut other = chat("ola@x.org/r", "o1", "hello");
        other.origin_id = Some("ned-origin-1".into());
        assert!(desk.receive_message(acct, &other, t0).unwrap().is_some());
    }

    #[test]
    fn ratings_given_at_close_make_the_statistics() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now() - Duration::hours(1);
        let rate = |level, tags: &[&str]| api::Rating {
            read_level: Some(level),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        };
        desk.receive_message("ask@library.test", &chat("kim@x.org/r", "k1", "census 1910?"), t0).unwrap();
        desk.reply("ask@library.test", "kim@x.org", "Reel 12.", t0 + Duration::seconds(75)).unwrap();
        let tags = ["Census", "sent to kim.lee@uni.example"];
        desk.close_chat("kim@x.org", &rate(3, &tags), t0 + Duration::minutes(6)).unwrap();
        // Kim again, closed by the librarian without an answer: abandoned, unrated (this desk has no
        // default level), not last time's rating.
        desk.set_default_read_level(None);
        desk.receive_message("ask@library.test", &chat("kim@x.org/r", "k2", "hello?"), t0 + Duration::minutes(20))
            .unwrap();
        desk.close_chat("kim@x.org", &api::Rating::default(), t0 + Duration::minutes(30)).unwrap();
        desk.set_default_read_level(Some(2));
        desk.start_walkup(None, t0 + Duration::minutes(40)).unwrap();
        let w = desk.end_walkup(t0 + Duration::minutes(44)).unwrap();
        assert!(w.active_walkup.is_none());
        let id = desk.walkups_between(t0, t0 + Duration::hours(1)).unwrap()[0].id;
        let s = desk.statistics(t0, t0 + Duration::hours(1), &Utc).unwrap();
        assert_eq!(s.read_levels[1].walkup, 1, "an ended walk-up has the default level until rated");
        desk.rate_walkup(id, &rate(1, &["directions"])).unwrap();

        let s = desk.statistics(t0 - Duration::minutes(1), t0 + Duration::hours(1), &Utc).unwrap();
        assert_eq!(s.questions, api::ByMedium { chat: 2, walkup: 1 });
        assert_eq!(s.abandoned, 1);
        assert_eq!(s.chat_wait.map(|w| (w.count, w.p50)), Some((1, 75)), "from the question to the first answer");
        assert_eq!(s.walkup_handling.map(|w| w.p50), Some(240));
        assert_eq!((s.patrons, s.repeat_patrons), (1, 1));
        assert_eq!(s.read_levels[2], api::ByMedium { chat: 1, walkup: 0 });
        assert_eq!(s.read_levels[0], api::ByMedium { chat: 0, walkup: 1 });
        assert_eq!(s.unrated, api::ByMedium { chat: 1, walkup: 0 });
        let tags: Vec<_> = s.tags.iter().map(|t| t.tag.as_str()).collect();
        assert!(tags.contains(&"census") && tags.contains(&"directions"), "{tags:?}");
        assert!(tags.contains(&"sent to [EMAIL]"), "personal details in a tag are redacted: {tags:?}");

        let e = desk.close_chat("kim@x.org", &rate(9, &[]), t0).unwrap_err();
        assert!(e.to_string().contains("READ level 9"), "{e}");
        assert!(desk.rate_walkup(999, &rate(2, &[])).unwrap_err().to_string().contains("no walk-up 999"));
        assert!(desk.statistics(t0, t0 - Duration::days(1), &Utc).is_err());
    }

    #[test]
    fn a_patron_can_be_erased_by_pseudonym_and_no_one_else_is_touched() {
        let (_d, mut desk) = desk();
        let t0 = Utc::now();
        for (from, id) in [("ivy@x.org/r", "i1"), ("jon@x.org/r", "j1")] {
            desk.receive_message("ask@library.test", &chat(from, id, "genealogy help please"), t0).unwrap();
            desk.close_chat(xmpp::session::bare(from), &api::Rating::default(), t0).unwrap();
        }
        desk.receive_message("ask@library.test", &chat("ivy@x.org/r", "i2", "still there?"), t0).unwrap();
        let hits = desk.search_transcripts("genealogy", 10).unwrap();
        assert_eq!(hits.len(), 2);
        let ivy = privacy::pseudonym(&desk.pseudonym_key(t0).unwrap(), "ivy@x.org");
        assert_eq!(desk.erase_patron(&ivy, t0).unwrap(), (2, 1));
        let left = desk.search_transcripts("genealogy", 10).unwrap();
        assert_eq!(left.len(), 1);
        assert_ne!(left[0].patron, ivy);
        assert!(desk.store().messages_with("ask@library.test", "ivy@x.org").unwrap().is_empty());
        assert_eq!(desk.store().messages_with("ask@library.test", "jon@x.org").unwrap().len(), 1);
        assert_eq!(desk.erase_patron("JON@x.org", t0).unwrap(), (1, 1), "by address too, any case");
        assert_eq!(desk.erase_patron("patron-0000000000000000", t0).unwrap(), (0, 0));
    }

    #[test]
    fn pseudonyms_change_each_period_and_erasure_by_address_finds_the_patron_in_both() {
        let (_d, mut desk) = desk();
        desk.set_pseudonym_secret(b"a secret from the keyring".to_vec());
        desk.set_pseudonym_period(30);
        // Day 20780 is in the period of days 20760..20790; 25 days before is in the one before.
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let before = now - Duration::days(25);
        for (at, id) in [(before, "k1"), (now, "k2")] {
            desk.receive_message("ask@library.test", &chat("kai@x.org/r", id, "maps please"), at).unwrap();
            desk.close_chat("kai@x.org", &api::Rating::default(), at).unwrap();
        }
        let hits = desk.search_transcripts("maps", 10).unwrap();
        assert_eq!(hits.len(), 2);
        assert_ne!(hits[0].patron, hits[1].patron, "another period, another pseudonym");
        assert_eq!(desk.erase_patron("kai@x.org", now).unwrap(), (2, 2), "both periods");
        assert!(desk.search_transcripts("maps", 10).unwrap().is_empty());
        assert_eq!(desk.stored_pseudonym_secret().unwrap(), None, "the keyring's secret never touches the database");
        assert!(!desk.pseudonym_secret_in_keyring().unwrap());
        desk.forget_stored_pseudonym_secret().unwrap();
        assert!(desk.pseudonym_secret_in_keyring().unwrap());
    }

    #[test]
    fn the_policy_set_on_the_desk_decides() {
        let (_d, mut desk) = desk();
        let p = desk::DeskPolicy { min_staff_for_im: 2, ..desk::DeskPolicy::default() };
        desk.set_policy(p.compile().unwrap());
        let m = chat("p@x.org/r", "1", "hello?");
        desk.receive_message("ask@library.test", &m, Utc::now()).unwrap();
        let kinds: Vec<_> = desk
            .take_actions()
            .into_iter()
            .filter_map(|a| match a {
                desk::Action::AutoReply { kind, .. } => Some(kind),
                _ => None,
            })
            .collect();
        assert_eq!(kinds, [desk::ReplyKind::Unstaffed], "one librarian: IM is not staffed under this policy");
    }

    #[test]
    fn chat_states_errors_and_our_own_copies_are_not_patron_messages() {
        let (_d, mut desk) = desk();
        let now = Utc::now();
        let mut typing = chat("p@x/r", "t1", "");
        typing.body = None;
        assert!(desk.receive_message("ask@library.test", &typing, now).unwrap().is_none());
        let mut err = chat("p@x/r", "e1", "bounce");
        err.kind = "error".into();
        assert!(desk.receive_message("ask@library.test", &err, now).unwrap().is_none());
        let own = chat("ask@library.test/desk2", "o1", "hi");
        assert!(desk.receive_message("ask@library.test", &own, now).unwrap().is_none());
    }

    #[test]
    fn local_midnight_is_at_or_before_now_and_within_a_day() {
        let now = Utc::now();
        let m = local_midnight(now);
        assert!(m <= now && now - m < Duration::hours(25));
    }
}
