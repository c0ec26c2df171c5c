//! Between the store and the desk engine: recording events in one transaction, timers, presence, the snapshot the window shows, transcripts and retention.

use super::*;

impl Desk {
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
            left: self.left.iter().cloned().collect(),
            followups: self.store.count_followups()?,
            buddy_requests: self
                .buddy_requests
                .iter()
                .map(|(account, from)| api::BuddyRequestView { account: account.clone(), from: from.clone() })
                .collect(),
        })
    }

    /// Applies the retention policy: drops transcribed live messages past `live_hours` and
    /// transcripts and walk-ups past `transcript_days`, and ends follow-ups unanswered past
    /// `followup_days` (their redacted transcripts stay), in one transaction; logs the counts only.
    pub fn purge(&mut self, retention: &policy::RetentionPolicy, now: DateTime<Utc>) -> Result<store::Purged> {
        let live_before = now - chrono::Duration::hours(i64::from(retention.live_hours));
        let transcripts_before = now - chrono::Duration::days(i64::from(retention.transcript_days));
        let followups_before = now - chrono::Duration::days(i64::from(retention.followup_days));
        let key = self.pseudonym_key(now)?;
        let librarian = crate::facade::handoffs::stored_card(&self.store)?.name;
        let known = &self.names;
        let counts = self.store.atomically(|s| {
            for f in s.expire_followups(followups_before)? {
                super::followups::transcribe_followup(s, &f, "followUpUnanswered", &librarian, &key, known, now)?;
            }
            Ok(s.purge(live_before, transcripts_before)?)
        })?;
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
    pub(crate) fn ensure_engine(&mut self, now: DateTime<Utc>) -> Result<()> {
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
                if m.incoming { Event::PatronMessage { chat, lang: None } } else { Event::StaffMessage { chat } },
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
    pub(crate) fn on_duty(&self) -> Result<Event> {
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
}

/// Stores the engine's auto-replies as pending messages on the account each patron wrote to.
pub(crate) fn store_auto_replies(s: &Store, actions: &[desk::Action], now: DateTime<Utc>) -> Result<()> {
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
pub(crate) fn store_transcripts(
    s: &Store,
    actions: &[desk::Action],
    key: &[u8],
    names: &privacy::names::KnownNames,
    now: DateTime<Utc>,
) -> Result<()> {
    if !actions.iter().any(|a| matches!(a, desk::Action::ChatClosed { .. })) {
        return Ok(());
    }
    let librarian = crate::facade::handoffs::stored_card(s)?.name;
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

/// The engine's line and open chats, as the window shows them.
pub(crate) fn desk_view(engine: &Engine) -> (Vec<api::QueuedView>, Vec<api::ChatStatusView>) {
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
