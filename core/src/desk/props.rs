//! Property tests over random event sequences: nothing lost, no reply floods, order and presence honest.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::engine::{Action, Engine, Event, Item, ReplyKind, Show};
use super::policy::{DeskPolicy, QueueOrder};
use super::schedule::{Opening, ScheduleConfig};

#[derive(Debug, Clone)]
enum Op {
    OnDuty(u8),
    OffDuty(u8),
    WalkupArrive(u8),
    WalkupEnd(u8),
    Patron(u8),
    StaffWrites(u8),
    Accept(u8, u8),
    TakeNext(u8),
    Hold(u8),
    Resume(u8),
    Close(u8),
    Left(u8),
    Tick,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..3u8).prop_map(Op::OnDuty),
        1 => (0..3u8).prop_map(Op::OffDuty),
        2 => (0..4u8).prop_map(Op::WalkupArrive),
        2 => (0..4u8).prop_map(Op::WalkupEnd),
        6 => (0..8u8).prop_map(Op::Patron),
        2 => (0..8u8).prop_map(Op::StaffWrites),
        1 => (0..8u8, 0..3u8).prop_map(|(c, s)| Op::Accept(c, s)),
        1 => (0..3u8).prop_map(Op::TakeNext),
        1 => (0..8u8).prop_map(Op::Hold),
        1 => (0..8u8).prop_map(Op::Resume),
        2 => (0..8u8).prop_map(Op::Close),
        1 => (0..8u8).prop_map(Op::Left),
        1 => Just(Op::Tick),
    ]
}

fn policy() -> impl Strategy<Value = DeskPolicy> {
    (any::<bool>(), 1..=2u32, 1..=3u32, any::<bool>(), prop_oneof![Just(0u32), Just(600u32)], any::<bool>()).prop_map(
        |(ipf, min_staff, cap, hold, idle, scheduled)| DeskPolicy {
            order: if ipf { QueueOrder::InPersonFirst } else { QueueOrder::FirstComeFirstServed },
            min_staff_for_im: min_staff,
            max_chats_per_librarian: cap,
            hold_chats_during_walkup: hold,
            idle_close_secs: idle,
            schedule: scheduled.then(|| ScheduleConfig {
                timezone: "Europe/Amsterdam".into(),
                hours: ["mon", "tue", "wed", "thu", "fri"]
                    .iter()
                    .map(|d| Opening { day: d.to_string(), open: "09:00".into(), close: "17:00".into() })
                    .collect(),
                closed_dates: vec![],
            }),
            ..DeskPolicy::default()
        },
    )
}

fn event(op: &Op) -> Event {
    let chat = |c: &u8| format!("patron{c}@example.org");
    match op {
        Op::OnDuty(s) => Event::StaffOnDuty { staff: format!("s{s}"), name: format!("Librarian {s}") },
        Op::OffDuty(s) => Event::StaffOffDuty { staff: format!("s{s}") },
        Op::WalkupArrive(w) => Event::WalkupArrived { walkup: i64::from(*w) },
        Op::WalkupEnd(w) => Event::WalkupEnded { walkup: i64::from(*w) },
        Op::Patron(c) => Event::PatronMessage { chat: chat(c), lang: None },
        Op::StaffWrites(c) => Event::StaffMessage { chat: chat(c) },
        Op::Accept(c, s) => Event::AcceptChat { chat: chat(c), staff: format!("s{s}") },
        Op::TakeNext(s) => Event::TakeNext { staff: format!("s{s}") },
        Op::Hold(c) => Event::HoldChat { chat: chat(c) },
        Op::Resume(c) => Event::ResumeChat { chat: chat(c) },
        Op::Close(c) => Event::CloseChat { chat: chat(c) },
        Op::Left(c) => Event::PatronLeft { chat: chat(c) },
        Op::Tick => Event::Tick,
    }
}

/// What an observer of the actions alone believes, checked against the engine after every step.
#[derive(Default)]
struct Observer {
    open: BTreeSet<String>,
    last_reply: BTreeMap<String, DateTime<Utc>>,
    changed_since_reply: BTreeSet<String>,
}

impl Observer {
    fn see(&mut self, e: &Event, actions: &[Action], now: DateTime<Utc>, reminder: Duration) -> Result<(), String> {
        if let Event::PatronMessage { chat, .. } = e {
            if !self.open.contains(chat)
                && !actions.iter().any(|a| matches!(a, Action::ChatClosed { chat: c, .. } if c == chat))
            {
                self.open.insert(chat.clone());
            }
        }
        for a in actions {
            match a {
                Action::ChatStateChanged { chat, .. } => {
                    self.changed_since_reply.insert(chat.clone());
                }
                Action::ChatClosed { chat, .. } => {
                    self.open.remove(chat);
                    self.last_reply.remove(chat);
                    self.changed_since_reply.remove(chat);
                }
                Action::AutoReply { chat, kind, .. } => {
                    let closing = matches!(kind, ReplyKind::Goodbye | ReplyKind::Closed);
                    if let Some(last) = self.last_reply.get(chat) {
                        if !closing && !self.changed_since_reply.contains(chat) && now - *last < reminder {
                            return Err(format!(
                                "{chat} got {kind:?} {}s after the last auto-reply",
                                (now - *last).num_seconds()
                            ));
                        }
                    }
                    self.last_reply.insert(chat.clone(), now);
                    self.changed_since_reply.remove(chat);
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn check(e: &Engine, obs: &Observer, now: DateTime<Utc>) -> Result<(), String> {
    // Nothing lost: the engine holds exactly the chats that were opened and not closed.
    let held: BTreeSet<String> = e.open_chats().map(|(c, _)| c.to_owned()).collect();
    if held != obs.open {
        return Err(format!("engine holds {held:?}, actions say {:?}", obs.open));
    }
    // Every waiting chat is in the queue, every other one has a librarian on duty.
    for (chat, state) in e.open_chats() {
        let queued = e.queue().iter().any(|q| q.item == Item::Chat(chat.to_owned()));
        if (state == super::ChatState::Waiting) != queued {
            return Err(format!("{chat} is {state:?} but queued={queued}"));
        }
    }
    // The queue obeys the policy's order.
    let key = |q: &super::QueueEntry| {
        let medium = match (&q.item, e.policy().order) {
            (Item::Walkup(_), QueueOrder::InPersonFirst) => 0,
            (Item::Chat(_), QueueOrder::InPersonFirst) => 1,
            _ => 0,
        };
        (medium, q.arrived)
    };
    if e.queue().windows(2).any(|w| key(&w[0]) > key(&w[1])) {
        return Err(format!("queue out of order: {:?}", e.queue()));
    }
    // Nobody waits who could be served now.
    for q in e.queue() {
        let servable = match q.item {
            Item::Walkup(_) => e.someone_can_take_a_walkup(),
            Item::Chat(_) if !e.im_staffed() => continue,
            Item::Chat(_) => e.someone_can_take_a_chat(),
        };
        if servable {
            return Err(format!("{:?} waits although someone could take it", q.item));
        }
        if e.policy().order == QueueOrder::FirstComeFirstServed {
            break;
        }
    }
    // Presence tells the truth.
    let (show, _) = e.presence().ok_or("no presence set")?;
    let closed = !e.im_hours_open(now) || !e.im_staffed();
    let chat_waiting = e.queue().iter().any(|q| matches!(q.item, Item::Chat(_)));
    match show {
        Show::Away if !closed => return Err("away while open and staffed".into()),
        Show::Available if closed || chat_waiting || !e.someone_can_take_a_chat() => {
            return Err("available while a patron would have to wait".into())
        }
        Show::Busy if closed => return Err("busy while closed".into()),
        _ => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_desk_days_keep_every_promise(
        policy in policy(),
        steps in prop::collection::vec((op(), 0..900i64), 1..150),
        start_hour in 0..168i64,
    ) {
        let compiled = policy.compile().unwrap();
        let reminder = compiled.reminder_interval;
        let t0: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z").unwrap().with_timezone(&Utc)
            + Duration::hours(start_hour);
        let mut engine = Engine::new(compiled, t0);
        let mut obs = Observer::default();
        let mut now = t0;
        for (op, gap) in steps {
            now += Duration::seconds(gap);
            while let Some(d) = engine.next_deadline().filter(|d| *d <= now) {
                let out = engine.handle(Event::Tick, d);
                obs.see(&Event::Tick, &out, d, reminder).map_err(TestCaseError::fail)?;
                // A deadline may lie in the past (a chat back in the queue): the engine keeps its own later time.
                check(&engine, &obs, engine.now()).map_err(TestCaseError::fail)?;
            }
            let ev = event(&op);
            let out = engine.handle(ev.clone(), now);
            obs.see(&ev, &out, now, reminder).map_err(TestCaseError::fail)?;
            check(&engine, &obs, now).map_err(|m| TestCaseError::fail(format!("after {ev:?}: {m}")))?;
        }
    }

    #[test]
    fn the_same_events_give_the_same_actions(
        policy in policy(),
        steps in prop::collection::vec((op(), 0..600i64), 1..80),
    ) {
        let t0: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z").unwrap().with_timezone(&Utc);
        let run = || {
            let mut e = Engine::new(policy.compile().unwrap(), t0);
            let mut now = t0;
            let mut all = Vec::new();
            for (op, gap) in &steps {
                now += Duration::seconds(*gap);
                all.extend(e.handle(event(op), now));
            }
            all
        };
        prop_assert_eq!(run(), run());
    }
}
