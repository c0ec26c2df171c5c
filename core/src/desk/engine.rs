//! The desk-priority engine: one queue across media, staffing, caps, schedule, auto-replies, timers (sans-IO).
//!
//! `handle(event, now)` returns the actions to carry out; `next_deadline()` says when to call again
//! with `Event::Tick`. The engine never reads a clock, sleeps or does I/O.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Duration, Utc};

use super::policy::{render, Fill, Policy, QueueOrder, Templates};

mod types;
mod words;

pub use types::*;

pub type ChatId = String;
pub type StaffId = String;
pub type WalkupId = i64;

/// Handling times remembered for wait estimates.
const SERVICE_SAMPLES: usize = 20;

#[derive(Debug, Clone)]
struct Staff {
    name: String,
    walkup: Option<WalkupId>,
    chats: BTreeSet<ChatId>,
}

#[derive(Debug, Clone)]
struct Chat {
    arrived: DateTime<Utc>,
    /// Arrival order, for ties within the same instant.
    seq: u64,
    state: ChatState,
    staff: Option<StaffId>,
    last_reply: Option<DateTime<Utc>>,
    last_activity: DateTime<Utc>,
    alerts: u8,
    active_since: Option<DateTime<Utc>>,
    /// On hold because the librarian said so (not because a walk-up took them).
    held_by_librarian: bool,
    /// When the patron was last told the librarian put them on hold: a librarian toggling hold
    /// does not repeat it within the reminder interval.
    told_paused: Option<DateTime<Utc>>,
    /// The language the patron last wrote in, if their client said.
    lang: Option<String>,
}

#[derive(Debug, Clone)]
struct Walkup {
    arrived: DateTime<Utc>,
    seq: u64,
    staff: Option<StaffId>,
    started: Option<DateTime<Utc>>,
}

/// The desk's state machine. Deterministic: the same events at the same times give the same actions.
#[derive(Debug, Clone)]
pub struct Engine {
    policy: Policy,
    now: DateTime<Utc>,
    seq: u64,
    staff: BTreeMap<StaffId, Staff>,
    chats: BTreeMap<ChatId, Chat>,
    walkups: BTreeMap<WalkupId, Walkup>,
    service: VecDeque<Duration>,
    presence: Option<(Show, String)>,
    /// Waiting items in serving order, kept up to date where items join or leave the line.
    order: BTreeMap<QueueKey, Item>,
    /// The public copy of `order`, rebuilt only when the line changed.
    queue: Vec<QueueEntry>,
    queue_dirty: bool,
    /// Earliest wait alert or idle close, recomputed once at the end of each event.
    timers_due: Option<DateTime<Utc>>,
    /// Next opening-hours change after `now`, recomputed when passed.
    schedule_change: Option<DateTime<Utc>>,
    /// Chats another desk answered, with their last activity.
    elsewhere: BTreeMap<ChatId, DateTime<Utc>>,
    /// Librarians open for questions at other desks on the account (see `Event::OtherDesksOnDuty`).
    others_on_duty: u32,
}

/// (medium rank, arrival, arrival sequence): the rank puts walk-ups first under in-person-first.
type QueueKey = (u8, DateTime<Utc>, u64);

impl Engine {
    pub fn new(policy: Policy, now: DateTime<Utc>) -> Engine {
        Engine {
            policy,
            now,
            seq: 0,
            staff: BTreeMap::new(),
            chats: BTreeMap::new(),
            walkups: BTreeMap::new(),
            service: VecDeque::new(),
            presence: None,
            order: BTreeMap::new(),
            queue: Vec::new(),
            queue_dirty: false,
            timers_due: None,
            schedule_change: None,
            elsewhere: BTreeMap::new(),
            others_on_duty: 0,
        }
    }

    /// The engine's time: the latest `now` it was given.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Applies one event at `now` (earlier than a previous `now` counts as that previous time).
    pub fn handle(&mut self, event: Event, now: DateTime<Utc>) -> Vec<Action> {
        let now = now.max(self.now);
        self.now = now;
        let mut out = Vec::new();
        self.fire_timers(now, &mut out);
        let mut new_chat = None;
        match event {
            Event::StaffOnDuty { staff, name } => {
                self.staff.entry(staff).and_modify(|s| s.name.clone_from(&name)).or_insert(Staff {
                    name,
                    walkup: None,
                    chats: BTreeSet::new(),
                });
            }
            Event::StaffOffDuty { staff } => self.staff_off(&staff, now, &mut out),
            Event::WalkupArrived { walkup } => {
                if !self.walkups.contains_key(&walkup) {
                    let seq = self.next_seq();
                    self.walkups.insert(walkup, Walkup { arrived: now, seq, staff: None, started: None });
                    self.enqueue(self.key(true, now, seq), Item::Walkup(walkup));
                }
            }
            Event::WalkupEnded { walkup } => self.end_walkup(walkup, now, &mut out),
            Event::PatronMessage { chat, lang } => {
                let hold = self.elsewhere_hold();
                if let Some(last) = self.elsewhere.get_mut(&chat).filter(|last| now - **last < hold) {
                    // Still the other desk's conversation: nothing for this desk to do.
                    *last = now;
                } else if let Some(c) = self.chats.get_mut(&chat) {
                    if lang.is_some() {
                        c.lang = lang;
                    }
                    self.patron_wrote_again(&chat, now, &mut out);
                } else {
                    new_chat = self.open_chat(chat, lang, now, &mut out);
                }
            }
            Event::StaffMessage { chat } => {
                // This desk writes in a chat another desk had: the patron's next message is this desk's.
                self.elsewhere.remove(&chat);
                if let Some(c) = self.chats.get_mut(&chat) {
                    c.last_activity = now;
                }
                // Writing to a patron the librarian put on hold is being back with them.
                if self.chats.get(&chat).is_some_and(|c| c.held_by_librarian) {
                    self.resume(&chat, now, &mut out);
                }
            }
            Event::TakenElsewhere { chat } => {
                self.drop_chat(&chat);
                self.elsewhere.insert(chat, now);
            }
            Event::HandedOver { chat } => {
                self.close_chat(&chat, CloseReason::Transferred, now, &mut out);
                self.elsewhere.insert(chat, now);
            }
            Event::Referred { chat } => self.close_chat(&chat, CloseReason::Referred, now, &mut out),
            Event::HandedIn { chat, staff } => {
                self.elsewhere.remove(&chat);
                self.back_in_line(&chat, now);
                if self.staff.contains_key(&staff) && self.chat_staff(&chat) != Some(staff.as_str()) {
                    self.assign_chat(&chat, &staff, now, &mut out);
                }
            }
            Event::ReleasedElsewhere { chat } => {
                if self.elsewhere.remove(&chat).is_some() {
                    self.back_in_line(&chat, now);
                    out.push(Action::ChatStateChanged { chat, state: ChatState::Waiting });
                }
            }
            Event::AcceptChat { chat, staff } => {
                let waiting = self.chats.get(&chat).is_some_and(|c| c.state == ChatState::Waiting);
                if waiting && self.staff.contains_key(&staff) {
                    self.assign_chat(&chat, &staff, now, &mut out);
                }
            }
            Event::TakeNext { staff } => {
                let next = self.order.values().find_map(|i| match i {
                    Item::Chat(c) => Some(c.clone()),
                    Item::Walkup(_) => None,
                });
                if let (Some(chat), true) = (next, self.staff.contains_key(&staff)) {
                    self.assign_chat(&chat, &staff, now, &mut out);
                }
            }
            Event::HoldChat { chat } => self.hold(&chat, now, &mut out),
            Event::ResumeChat { chat } => {
                if self.chats.get(&chat).is_some_and(|c| c.state == ChatState::OnHold) {
                    self.resume(&chat, now, &mut out);
                }
            }
            Event::CloseChat { chat } => self.close_chat(&chat, CloseReason::ByLibrarian, now, &mut out),
            Event::PatronLeft { chat } => {
                self.elsewhere.remove(&chat);
                self.close_chat(&chat, CloseReason::PatronLeft, now, &mut out);
            }
            Event::OtherDesksOnDuty { count } => self.others_on_duty = count,
            Event::Tick => {}
        }
        let hold = self.elsewhere_hold();
        self.elsewhere.retain(|_, last| now - *last < hold);
        self.dispatch(now, &mut out);
        if let Some(chat) = new_chat {
            self.welcome(&chat, now, &mut out);
        }
        self.sync_presence(now, &mut out);
        self.sync_queue(&mut out);
        self.timers_due = self.compute_timers_due();
        if self.schedule_change.is_none_or(|t| t <= now) {
            self.schedule_change = self.policy.schedule.as_ref().and_then(|s| s.next_change(now));
        }
        out
    }

    /// When to send `Event::Tick` next: a wait alert, an idle close, or an opening-hours change.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        let schedule = self.schedule_change.or_else(|| self.policy.schedule.as_ref()?.next_change(self.now));
        self.timers_due.into_iter().chain(schedule).min()
    }

    fn compute_timers_due(&self) -> Option<DateTime<Utc>> {
        let p = &self.policy;
        let alerts = self.chats.values().filter(|c| c.state == ChatState::Waiting).filter_map(|c| match c.alerts {
            0 => Some(c.arrived + p.wait_alert),
            1 => Some(c.arrived + p.wait_escalate),
            _ => None,
        });
        let idles = p.idle_close.into_iter().flat_map(|idle| {
            self.chats.values().filter(|c| c.state == ChatState::Active).map(move |c| c.last_activity + idle)
        });
        alerts.chain(idles).min()
    }

    /// Waiting walk-ups and chats in the order they will be served.
    pub fn queue(&self) -> &[QueueEntry] {
        &self.queue
    }

    /// Each chat waiting in line, with its place (walk-ups ahead count) and the wait it is told:
    /// what the patron's "you're number 2 (about 8 minutes)" says, kept up to date.
    pub fn places(&self) -> Vec<(ChatId, usize, Duration)> {
        self.order
            .values()
            .enumerate()
            .filter_map(|(i, item)| match item {
                Item::Chat(c) => Some((c.clone(), i + 1, self.estimated_wait(i + 1))),
                Item::Walkup(_) => None,
            })
            .collect()
    }

    pub fn presence(&self) -> Option<&(Show, String)> {
        self.presence.as_ref()
    }

    /// Whether `staff` is at the desk (on duty, not on a break).
    pub fn is_on_duty(&self, staff: &str) -> bool {
        self.staff.contains_key(staff)
    }

    pub fn chat_state(&self, chat: &str) -> Option<ChatState> {
        self.chats.get(chat).map(|c| c.state)
    }

    pub fn chat_staff(&self, chat: &str) -> Option<&str> {
        self.chats.get(chat).and_then(|c| c.staff.as_deref())
    }

    pub fn walkup_staff(&self, walkup: WalkupId) -> Option<&str> {
        self.walkups.get(&walkup).and_then(|w| w.staff.as_deref())
    }

    pub fn open_chats(&self) -> impl Iterator<Item = (&str, ChatState)> {
        self.chats.iter().map(|(id, c)| (id.as_str(), c.state))
    }

    pub fn staff_on_duty(&self) -> usize {
        self.staff.len()
    }

    /// Whether a staff member could take a new chat now (on duty, no walk-up, under the cap).
    pub fn someone_can_take_a_chat(&self) -> bool {
        self.pick_staff_for_chat().is_some()
    }

    pub fn someone_can_take_a_walkup(&self) -> bool {
        self.pick_staff_for_walkup().is_some()
    }

    /// Whether a patron is at the desk in person: being helped by a librarian here, or waiting.
    fn someone_in_person(&self) -> bool {
        !self.walkups.is_empty()
    }

    pub fn im_staffed(&self) -> bool {
        self.staff.len() + self.others_on_duty as usize >= self.policy.min_staff_for_im as usize
    }

    pub fn im_hours_open(&self, now: DateTime<Utc>) -> bool {
        self.policy.schedule.as_ref().is_none_or(|s| s.is_open(now))
    }

    fn key(&self, walkup: bool, arrived: DateTime<Utc>, seq: u64) -> QueueKey {
        let rank = u8::from(!walkup && self.policy.order == QueueOrder::InPersonFirst);
        (rank, arrived, seq)
    }

    fn enqueue(&mut self, key: QueueKey, item: Item) {
        self.order.insert(key, item);
        self.queue_dirty = true;
    }

    fn dequeue(&mut self, key: &QueueKey) {
        if self.order.remove(key).is_some() {
            self.queue_dirty = true;
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn open_chat(
        &mut self,
        chat: ChatId,
        lang: Option<String>,
        now: DateTime<Utc>,
        out: &mut Vec<Action>,
    ) -> Option<ChatId> {
        if !self.im_hours_open(now) {
            let text = self.say(|t| &t.closed, None, lang.as_deref(), now);
            out.push(Action::AutoReply { chat: chat.clone(), kind: ReplyKind::Closed, text });
            out.push(Action::ChatClosed { chat, reason: CloseReason::OutsideHours });
            return None;
        }
        self.line_up(&chat, now);
        if let Some(c) = self.chats.get_mut(&chat) {
            c.lang = lang;
        }
        out.push(Action::ChatStateChanged { chat: chat.clone(), state: ChatState::Waiting });
        Some(chat)
    }

    /// A chat arriving now: waiting, at the end of the line.
    fn line_up(&mut self, chat: &str, now: DateTime<Utc>) {
        let seq = self.next_seq();
        let c = Chat {
            arrived: now,
            seq,
            state: ChatState::Waiting,
            staff: None,
            last_reply: None,
            last_activity: now,
            alerts: 0,
            active_since: None,
            held_by_librarian: false,
            told_paused: None,
            lang: None,
        };
        self.chats.insert(chat.to_owned(), c);
        self.enqueue(self.key(false, now, seq), Item::Chat(chat.to_owned()));
    }

    /// Puts a chat that was another desk's into this desk's line (unless it is under way here).
    fn back_in_line(&mut self, chat: &str, now: DateTime<Utc>) {
        if !self.chats.contains_key(chat) {
            self.line_up(chat, now);
        }
    }

    /// A new chat that could not be placed at once is told why and where it stands: one reply.
    fn welcome(&mut self, chat: &str, now: DateTime<Utc>, out: &mut Vec<Action>) {
        if self.chats.get(chat).map(|c| c.state) != Some(ChatState::Waiting) {
            return;
        }
        let (kind, pick): (_, fn(&Templates) -> &String) = if !self.im_staffed() {
            (ReplyKind::Unstaffed, |t| &t.unstaffed)
        } else if self.someone_in_person() {
            (ReplyKind::Queued, |t| &t.queued)
        } else {
            (ReplyKind::Queued, |t| &t.queued_chats)
        };
        let text = self.say_to(chat, pick, now);
        self.reply(chat, kind, text, now, out);
    }

    fn patron_wrote_again(&mut self, chat: &str, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(c) = self.chats.get_mut(chat) else { return };
        c.last_activity = now;
        let (state, paused) = (c.state, c.held_by_librarian);
        let due = c.last_reply.is_none_or(|t| now - t >= self.policy.reminder_interval);
        if !due || state == ChatState::Active {
            return;
        }
        let (kind, pick): (_, fn(&Templates) -> &String) = match state {
            ChatState::OnHold if paused => (ReplyKind::OnHold, |t| &t.paused),
            ChatState::OnHold => (ReplyKind::OnHold, |t| &t.on_hold),
            _ if !self.im_staffed() => (ReplyKind::Unstaffed, |t| &t.unstaffed),
            _ => (ReplyKind::Reminder, |t| &t.reminder),
        };
        let text = self.say_to(chat, pick, now);
        self.reply(chat, kind, text, now, out);
    }

    fn reply(&mut self, chat: &str, kind: ReplyKind, text: String, now: DateTime<Utc>, out: &mut Vec<Action>) {
        if let Some(c) = self.chats.get_mut(chat) {
            c.last_reply = Some(now);
        }
        out.push(Action::AutoReply { chat: chat.to_owned(), kind, text });
    }

    fn hold(&mut self, chat: &str, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(c) = self.chats.get_mut(chat).filter(|c| c.state == ChatState::Active) else { return };
        c.state = ChatState::OnHold;
        c.held_by_librarian = true;
        out.push(Action::ChatStateChanged { chat: chat.to_owned(), state: ChatState::OnHold });
        if c.told_paused.is_some_and(|t| now - t < self.policy.reminder_interval) {
            return;
        }
        c.told_paused = Some(now);
        let text = self.say_to(chat, |t| &t.paused, now);
        self.reply(chat, ReplyKind::OnHold, text, now, out);
    }

    fn resume(&mut self, chat: &str, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(c) = self.chats.get_mut(chat) else { return };
        c.state = ChatState::Active;
        c.held_by_librarian = false;
        c.last_activity = now;
        out.push(Action::ChatStateChanged { chat: chat.to_owned(), state: ChatState::Active });
    }

    fn staff_off(&mut self, staff: &str, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(s) = self.staff.remove(staff) else { return };
        if let Some(w) = s.walkup {
            self.finish_walkup(w, now);
        }
        // Their chats keep their place by arrival: they go back to the front of the queue.
        for chat in s.chats {
            if let Some(c) = self.chats.get_mut(&chat) {
                c.state = ChatState::Waiting;
                c.staff = None;
                c.active_since = None;
                c.alerts = 0;
                c.held_by_librarian = false;
                let key = (c.arrived, c.seq);
                self.enqueue(self.key(false, key.0, key.1), Item::Chat(chat.clone()));
                out.push(Action::ChatStateChanged { chat, state: ChatState::Waiting });
            }
        }
    }

    fn end_walkup(&mut self, walkup: WalkupId, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(staff) = self.finish_walkup(walkup, now) else { return };
        let on_hold: Vec<ChatId> = self
            .staff
            .get(&staff)
            .map(|s| {
                s.chats.iter().filter(|c| {
                    self.chats.get(*c).is_some_and(|c| c.state == ChatState::OnHold && !c.held_by_librarian)
                })
            })
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        for chat in on_hold {
            if let Some(c) = self.chats.get_mut(&chat) {
                c.state = ChatState::Active;
                c.last_activity = now;
                out.push(Action::ChatStateChanged { chat, state: ChatState::Active });
            }
        }
    }

    /// Removes the walk-up; returns the staff who was helping it, if any.
    fn finish_walkup(&mut self, walkup: WalkupId, now: DateTime<Utc>) -> Option<StaffId> {
        let w = self.walkups.remove(&walkup)?;
        if w.staff.is_none() {
            self.dequeue(&self.key(true, w.arrived, w.seq));
        }
        let staff = w.staff?;
        if let Some(s) = self.staff.get_mut(&staff) {
            s.walkup = None;
        }
        if let Some(started) = w.started {
            self.record_service(now - started);
        }
        Some(staff)
    }

    /// Takes a chat out of the line and off its librarian; the chat, if there was one.
    fn drop_chat(&mut self, chat: &str) -> Option<Chat> {
        let c = self.chats.remove(chat)?;
        if c.state == ChatState::Waiting {
            self.dequeue(&self.key(false, c.arrived, c.seq));
        }
        if let Some(staff) = &c.staff {
            if let Some(s) = self.staff.get_mut(staff) {
                s.chats.remove(chat);
            }
        }
        Some(c)
    }

    /// How long a chat stays another desk's without news: the idle close, else a quarter hour.
    fn elsewhere_hold(&self) -> Duration {
        self.policy.idle_close.unwrap_or(Duration::minutes(15))
    }

    /// Chats another desk on the account is answering.
    pub fn elsewhere(&self) -> impl Iterator<Item = &str> {
        self.elsewhere.keys().map(String::as_str)
    }

    fn close_chat(&mut self, chat: &str, reason: CloseReason, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(c) = self.drop_chat(chat) else { return };
        if let Some(since) = c.active_since {
            let end = if reason == CloseReason::Idle { c.last_activity } else { now };
            self.record_service(end - since);
        }
        out.push(Action::ChatClosed { chat: chat.to_owned(), reason });
    }

    fn record_service(&mut self, d: Duration) {
        if d > Duration::zero() {
            if self.service.len() == SERVICE_SAMPLES {
                self.service.pop_front();
            }
            self.service.push_back(d);
        }
    }

    fn fire_timers(&mut self, now: DateTime<Utc>, out: &mut Vec<Action>) {
        if self.timers_due.is_none_or(|t| now < t) {
            return;
        }
        let levels =
            [(0, self.policy.wait_alert, AlertLevel::Waiting), (1, self.policy.wait_escalate, AlertLevel::Escalated)];
        for (id, c) in self.chats.iter_mut().filter(|(_, c)| c.state == ChatState::Waiting) {
            let waited = now - c.arrived;
            // In order, so a late tick raises the first alert before the escalation.
            for (fired_before, after, level) in levels {
                if c.alerts == fired_before && waited >= after {
                    c.alerts = fired_before + 1;
                    out.push(Action::WaitAlert { chat: id.clone(), level, waited_secs: waited.num_seconds() });
                }
            }
        }
        if let Some(idle) = self.policy.idle_close {
            let idle_chats: Vec<ChatId> = self
                .chats
                .iter()
                .filter(|(_, c)| c.state == ChatState::Active && now - c.last_activity >= idle)
                .map(|(id, _)| id.clone())
                .collect();
            for chat in idle_chats {
                let text = self.say_to(&chat, |t| &t.idle_goodbye, now);
                self.reply(&chat, ReplyKind::Goodbye, text, now, out);
                self.close_chat(&chat, CloseReason::Idle, now, out);
            }
        }
    }

    /// Who takes a walk-up: in-person-first, anyone not already with one (their chats go on hold);
    /// first-come-first-served, someone with no chat under way either.
    fn pick_staff_for_walkup(&self) -> Option<StaffId> {
        let active = |s: &Staff| {
            s.chats.iter().filter(|c| self.chats.get(*c).is_some_and(|c| c.state == ChatState::Active)).count()
        };
        self.staff
            .iter()
            .filter(|(_, s)| s.walkup.is_none())
            .filter(|(_, s)| self.policy.order == QueueOrder::InPersonFirst || active(s) == 0)
            .min_by_key(|(id, s)| (s.chats.len(), (*id).clone()))
            .map(|(id, _)| id.clone())
    }

    fn pick_staff_for_chat(&self) -> Option<StaffId> {
        if !self.im_staffed() {
            return None;
        }
        self.staff
            .iter()
            .filter(|(_, s)| s.walkup.is_none() && s.chats.len() < self.policy.max_chats as usize)
            .min_by_key(|(id, s)| (s.chats.len(), (*id).clone()))
            .map(|(id, _)| id.clone())
    }

    /// Serves the queue in policy order while someone can take the item at its head.
    fn dispatch(&mut self, now: DateTime<Utc>, out: &mut Vec<Action>) {
        loop {
            let (for_walkup, for_chat) = (self.pick_staff_for_walkup(), self.pick_staff_for_chat());
            let im_staffed = self.im_staffed();
            let mut pick = None;
            for item in self.order.values() {
                match item {
                    Item::Walkup(_) => pick = for_walkup.clone().map(|s| (item.clone(), s)),
                    // Unstaffed IM cannot block the line at the physical desk.
                    Item::Chat(_) if !im_staffed => continue,
                    Item::Chat(_) => pick = for_chat.clone().map(|s| (item.clone(), s)),
                }
                // First come, first served: nobody overtakes the head of the line.
                if pick.is_some() || self.policy.order == QueueOrder::FirstComeFirstServed {
                    break;
                }
            }
            match pick {
                Some((Item::Walkup(w), staff)) => self.start_walkup(w, &staff, now, out),
                Some((Item::Chat(c), staff)) => self.assign_chat(&c, &staff, now, out),
                None => return,
            }
        }
    }

    fn start_walkup(&mut self, walkup: WalkupId, staff: &str, now: DateTime<Utc>, out: &mut Vec<Action>) {
        if let Some(w) = self.walkups.get_mut(&walkup) {
            w.staff = Some(staff.to_owned());
            w.started = Some(now);
            let key = (w.arrived, w.seq);
            self.dequeue(&self.key(true, key.0, key.1));
        }
        let Some(s) = self.staff.get_mut(staff) else { return };
        s.walkup = Some(walkup);
        out.push(Action::WalkupAssigned { walkup, staff: staff.to_owned() });
        if !self.policy.hold_chats_during_walkup {
            return;
        }
        let chats: Vec<ChatId> = s.chats.iter().cloned().collect();
        for chat in chats {
            if self.chats.get(&chat).map(|c| c.state) == Some(ChatState::Active) {
                if let Some(c) = self.chats.get_mut(&chat) {
                    c.state = ChatState::OnHold;
                }
                out.push(Action::ChatStateChanged { chat: chat.clone(), state: ChatState::OnHold });
                let text = self.say_to(&chat, |t| &t.on_hold, now);
                self.reply(&chat, ReplyKind::OnHold, text, now, out);
            }
        }
    }

    fn assign_chat(&mut self, chat: &str, staff: &str, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let Some(c) = self.chats.get_mut(chat) else { return };
        let was_waiting = c.state == ChatState::Waiting;
        let key = (c.arrived, c.seq);
        c.state = ChatState::Active;
        c.staff = Some(staff.to_owned());
        c.active_since = Some(now);
        c.last_activity = now;
        if was_waiting {
            self.dequeue(&self.key(false, key.0, key.1));
        }
        if let Some(s) = self.staff.get_mut(staff) {
            s.chats.insert(chat.to_owned());
        }
        out.push(Action::ChatAssigned { chat: chat.to_owned(), staff: staff.to_owned() });
        out.push(Action::ChatStateChanged { chat: chat.to_owned(), state: ChatState::Active });
    }
}
