//! Desk traffic simulation: a seeded walk-up/IM generator, a discrete-event run through the engine, a report.
//!
//! Lets a library compare policies ("in-person first" against "first come, first served") on traffic
//! like its own before switching. Pure: virtual time only.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::engine::{Action, AlertLevel, ChatState, CloseReason, Engine, Event, ReplyKind};
use super::policy::Policy;

/// A traffic profile: arrivals per hour of the day (Poisson), service and patience times (exponential).
#[derive(Debug, Clone)]
pub struct Traffic {
    pub seed: u64,
    pub start: DateTime<Utc>,
    pub days: u32,
    pub staff: u32,
    pub walkups_per_hour: [f64; 24],
    pub ims_per_hour: [f64; 24],
    pub walkup_service_mins: f64,
    pub im_service_mins: f64,
    /// How long a waiting IM patron stays before giving up.
    pub im_patience_mins: f64,
}

impl Traffic {
    /// A public library's busy weekday: opening at 9, peaks after school; hours are those of `start`'s clock.
    pub fn busy_library(seed: u64, start: DateTime<Utc>, days: u32) -> Traffic {
        let mut walkups = [0.0; 24];
        let mut ims = [0.0; 24];
        for h in 9..21 {
            walkups[h] = if (15..18).contains(&h) { 9.0 } else { 5.0 };
            ims[h] = if (15..21).contains(&h) { 6.0 } else { 3.0 };
        }
        Traffic {
            seed,
            start,
            days,
            staff: 1,
            walkups_per_hour: walkups,
            ims_per_hour: ims,
            walkup_service_mins: 4.0,
            im_service_mins: 7.0,
            im_patience_mins: 12.0,
        }
    }

    /// The same profile with every rate multiplied by `k` (for load tests and benchmarks).
    pub fn scaled(mut self, k: f64) -> Traffic {
        for r in self.walkups_per_hour.iter_mut().chain(self.ims_per_hour.iter_mut()) {
            *r *= k;
        }
        self
    }
}

/// splitmix64: tiny, seedable, and good enough for arrival times.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    fn exp_secs(&mut self, mean_mins: f64) -> i64 {
        (-mean_mins * 60.0 * self.unit().ln()).round() as i64
    }
}

/// What happens to a simulated patron, in virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SimEv {
    WalkupArrives(i64),
    ChatArrives(i64),
    /// The patron writes again ("hello? anyone there?").
    Nudge(i64),
    GiveUp(i64),
    LibrarianWrites(i64),
    WalkupDone(i64),
    ChatDone(i64),
}

#[derive(Debug, Clone, Copy)]
struct Patron {
    arrived: DateTime<Utc>,
    service: i64,
    patience: i64,
}

/// Waiting times of one medium, in seconds, from arrival to a librarian taking it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MediumStats {
    pub arrived: u32,
    pub served: u32,
    pub waits: Vec<i64>,
}

impl MediumStats {
    /// Nearest-rank percentile of waits, in seconds.
    pub fn percentile(&self, p: f64) -> Option<i64> {
        if self.waits.is_empty() {
            return None;
        }
        let mut w = self.waits.clone();
        w.sort_unstable();
        let rank = ((p / 100.0) * w.len() as f64).ceil().max(1.0) as usize;
        w.get(rank - 1).copied()
    }
}

/// Counts from one run: waits per medium, abandoned chats, and how often each rule fired.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub events: u64,
    pub walkups: MediumStats,
    pub ims: MediumStats,
    pub abandoned: u32,
    pub rules: BTreeMap<String, u32>,
}

impl Report {
    fn fired(&mut self, rule: impl Into<String>) {
        *self.rules.entry(rule.into()).or_default() += 1;
    }

    /// Tallies one action; returns the chat or walk-up that a librarian just took, if any.
    fn observe(&mut self, a: &Action) {
        match a {
            Action::AutoReply { kind, .. } => self.fired(format!("auto-reply {}", reply_name(*kind))),
            Action::WaitAlert { level: AlertLevel::Waiting, .. } => self.fired("wait alert"),
            Action::WaitAlert { level: AlertLevel::Escalated, .. } => self.fired("wait alert escalated"),
            Action::ChatStateChanged { state: ChatState::OnHold, .. } => self.fired("chat put on hold"),
            Action::ChatClosed { reason: CloseReason::Idle, .. } => self.fired("idle chat closed"),
            Action::ChatClosed { reason: CloseReason::OutsideHours, .. } => self.fired("chat outside IM hours"),
            Action::ChatClosed { reason: CloseReason::PatronLeft, .. } => self.fired("patron left"),
            Action::SetPresence { show, .. } => self.fired(format!("presence {show:?}").to_lowercase()),
            _ => {}
        }
    }

    /// A plain-text table for the terminal.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mins = |v: Option<i64>| v.map(|x| format!("{:.1}", x as f64 / 60.0)).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            s,
            "{:<10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "medium", "arrived", "served", "p50 min", "p90 min", "p99 min", "max min"
        );
        for (name, m) in [("walk-up", &self.walkups), ("IM", &self.ims)] {
            let _ = writeln!(
                s,
                "{:<10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
                name,
                m.arrived,
                m.served,
                mins(m.percentile(50.0)),
                mins(m.percentile(90.0)),
                mins(m.percentile(99.0)),
                mins(m.percentile(100.0))
            );
        }
        let _ = writeln!(s, "IM patrons who gave up waiting: {}", self.abandoned);
        let _ = writeln!(s, "engine events: {}", self.events);
        let _ = writeln!(s, "rules fired:");
        for (rule, n) in &self.rules {
            let _ = writeln!(s, "  {rule:<28} {n:>6}");
        }
        s
    }
}

fn reply_name(k: ReplyKind) -> &'static str {
    match k {
        ReplyKind::Queued => "queued",
        ReplyKind::Reminder => "reminder",
        ReplyKind::OnHold => "on hold",
        ReplyKind::Unstaffed => "unstaffed",
        ReplyKind::Closed => "closed hours",
        ReplyKind::Goodbye => "idle goodbye",
    }
}

fn chat_id(n: i64) -> String {
    format!("patron{n}@sim.invalid")
}

/// Runs generated traffic through the engine: librarians take what the engine assigns and finish
/// after the patron's service time; waiting patrons nudge once and give up after their patience.
pub fn simulate(policy: Policy, traffic: &Traffic) -> Report {
    let mut rng = Rng(traffic.seed);
    let mut agenda: BinaryHeap<Reverse<(DateTime<Utc>, SimEv)>> = BinaryHeap::new();
    let mut patrons: HashMap<i64, Patron> = HashMap::new();
    let mut report = Report::default();
    let mut next_id = 0i64;
    for hour in 0..i64::from(traffic.days) * 24 {
        let base = traffic.start + Duration::hours(hour);
        for (rates, walkup) in [(&traffic.walkups_per_hour, true), (&traffic.ims_per_hour, false)] {
            let rate = rates[(hour % 24) as usize];
            if rate <= 0.0 {
                continue;
            }
            let mut t = 0i64;
            loop {
                t += rng.exp_secs(60.0 / rate);
                if t >= 3600 {
                    break;
                }
                next_id += 1;
                let mean = if walkup { traffic.walkup_service_mins } else { traffic.im_service_mins };
                let p = Patron {
                    arrived: base + Duration::seconds(t),
                    service: rng.exp_secs(mean).max(30),
                    patience: rng.exp_secs(traffic.im_patience_mins).max(60),
                };
                patrons.insert(next_id, p);
                let ev = if walkup { SimEv::WalkupArrives(next_id) } else { SimEv::ChatArrives(next_id) };
                agenda.push(Reverse((p.arrived, ev)));
            }
        }
    }

    let mut engine = Engine::new(policy, traffic.start);
    for s in 0..traffic.staff {
        let ev = Event::StaffOnDuty { staff: format!("librarian{s}"), name: format!("Librarian {}", s + 1) };
        for a in engine.handle(ev, traffic.start) {
            report.observe(&a);
        }
    }
    let mut taken: HashMap<i64, bool> = HashMap::new();

    while let Some(Reverse((at, ev))) = agenda.pop() {
        // Timers due before this patron event fire first, as the shell would fire them.
        while let Some(d) = engine.next_deadline().filter(|d| *d <= at) {
            let out = engine.handle(Event::Tick, d);
            report.events += 1;
            after(&out, d, &patrons, &mut taken, &mut agenda, &mut report);
        }
        let chat_open = |id: i64, e: &Engine| e.chat_state(&chat_id(id));
        let event = match ev {
            SimEv::WalkupArrives(id) => {
                report.walkups.arrived += 1;
                Some(Event::WalkupArrived { walkup: id })
            }
            SimEv::ChatArrives(id) => {
                report.ims.arrived += 1;
                let p = patrons[&id];
                agenda.push(Reverse((at + Duration::seconds(150), SimEv::Nudge(id))));
                agenda.push(Reverse((at + Duration::seconds(p.patience), SimEv::GiveUp(id))));
                Some(Event::PatronMessage { chat: chat_id(id), lang: None })
            }
            SimEv::Nudge(id) => (chat_open(id, &engine) == Some(ChatState::Waiting))
                .then(|| Event::PatronMessage { chat: chat_id(id), lang: None }),
            SimEv::GiveUp(id) => (chat_open(id, &engine) == Some(ChatState::Waiting)).then(|| {
                report.abandoned += 1;
                Event::PatronLeft { chat: chat_id(id) }
            }),
            SimEv::LibrarianWrites(id) => {
                chat_open(id, &engine).is_some().then(|| Event::StaffMessage { chat: chat_id(id) })
            }
            SimEv::WalkupDone(id) => Some(Event::WalkupEnded { walkup: id }),
            SimEv::ChatDone(id) => chat_open(id, &engine).is_some().then(|| Event::CloseChat { chat: chat_id(id) }),
        };
        if let Some(event) = event {
            let out = engine.handle(event, at);
            report.events += 1;
            after(&out, at, &patrons, &mut taken, &mut agenda, &mut report);
        }
    }
    report
}

/// Reacts to what the engine decided: a librarian who takes a patron finishes after the service time.
fn after(
    out: &[Action],
    now: DateTime<Utc>,
    patrons: &HashMap<i64, Patron>,
    taken: &mut HashMap<i64, bool>,
    agenda: &mut BinaryHeap<Reverse<(DateTime<Utc>, SimEv)>>,
    report: &mut Report,
) {
    for a in out {
        report.observe(a);
        let (id, walkup) = match a {
            Action::WalkupAssigned { walkup, .. } => (*walkup, true),
            Action::ChatAssigned { chat, .. } => {
                match chat.strip_prefix("patron").and_then(|s| s.split('@').next()).and_then(|n| n.parse().ok()) {
                    Some(id) => (id, false),
                    None => continue,
                }
            }
            _ => continue,
        };
        if taken.insert(id, true).is_some() {
            continue;
        }
        let Some(p) = patrons.get(&id) else { continue };
        let stats = if walkup { &mut report.walkups } else { &mut report.ims };
        stats.served += 1;
        stats.waits.push((now - p.arrived).num_seconds());
        let done = now + Duration::seconds(p.service);
        if walkup {
            agenda.push(Reverse((done, SimEv::WalkupDone(id))));
        } else {
            // The librarian types every few minutes, so a long answer is not closed as idle.
            let mut t = now + Duration::minutes(4);
            while t < done {
                agenda.push(Reverse((t, SimEv::LibrarianWrites(id))));
                t += Duration::minutes(4);
            }
            agenda.push(Reverse((done, SimEv::ChatDone(id))));
        }
    }
}

/// One line of a recorded event log: an event and when it happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggedEvent {
    pub at: DateTime<Utc>,
    pub event: Event,
}

/// Replays a recorded log through the engine (deadlines fired in between) and reports the same figures.
pub fn replay(policy: Policy, log: &[LoggedEvent]) -> Report {
    let mut report = Report::default();
    let Some(first) = log.first() else { return report };
    let mut engine = Engine::new(policy, first.at);
    let mut arrived: HashMap<String, DateTime<Utc>> = HashMap::new();
    let record =
        |out: &[Action], now: DateTime<Utc>, report: &mut Report, arrived: &mut HashMap<String, DateTime<Utc>>| {
            for a in out {
                report.observe(a);
                let key = match a {
                    Action::WalkupAssigned { walkup, .. } => format!("w{walkup}"),
                    Action::ChatAssigned { chat, .. } => format!("c{chat}"),
                    _ => continue,
                };
                if let Some(t) = arrived.remove(&key) {
                    let stats = if key.starts_with('w') { &mut report.walkups } else { &mut report.ims };
                    stats.served += 1;
                    stats.waits.push((now - t).num_seconds());
                }
            }
        };
    for entry in log {
        while let Some(d) = engine.next_deadline().filter(|d| *d <= entry.at) {
            let out = engine.handle(Event::Tick, d);
            report.events += 1;
            record(&out, d, &mut report, &mut arrived);
        }
        match &entry.event {
            Event::WalkupArrived { walkup } => {
                report.walkups.arrived += 1;
                arrived.insert(format!("w{walkup}"), entry.at);
            }
            Event::PatronMessage { chat, .. } if engine.chat_state(chat).is_none() => {
                report.ims.arrived += 1;
                arrived.insert(format!("c{chat}"), entry.at);
            }
            Event::PatronLeft { chat } if engine.chat_state(chat) == Some(ChatState::Waiting) => report.abandoned += 1,
            _ => {}
        }
        let out = engine.handle(entry.event.clone(), entry.at);
        report.events += 1;
        record(&out, entry.at, &mut report, &mut arrived);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::policy::{DeskPolicy, QueueOrder};

    fn monday() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn policy(order: QueueOrder) -> Policy {
        DeskPolicy { order, ..DeskPolicy::default() }.compile().unwrap()
    }

    #[test]
    fn the_generator_is_reproducible_from_its_seed() {
        let t = Traffic::busy_library(7, monday(), 1);
        let a = simulate(policy(QueueOrder::FirstComeFirstServed), &t);
        let b = simulate(policy(QueueOrder::FirstComeFirstServed), &t);
        assert_eq!(a.walkups.waits, b.walkups.waits);
        assert_eq!(a.ims.waits, b.ims.waits);
        let c = simulate(policy(QueueOrder::FirstComeFirstServed), &Traffic::busy_library(8, monday(), 1));
        assert_ne!(a.ims.waits, c.ims.waits, "another seed gives other traffic");
    }

    #[test]
    fn arrivals_follow_the_hourly_rates() {
        // 30 days of the busy profile: 12 open hours, ~78 walk-ups and ~54 IMs a day on average.
        let r = simulate(policy(QueueOrder::FirstComeFirstServed), &Traffic::busy_library(1, monday(), 30));
        let per_day = |n: u32| f64::from(n) / 30.0;
        assert!((70.0..86.0).contains(&per_day(r.walkups.arrived)), "walk-ups/day {}", per_day(r.walkups.arrived));
        assert!((47.0..61.0).contains(&per_day(r.ims.arrived)), "IMs/day {}", per_day(r.ims.arrived));
    }

    #[test]
    fn every_patron_is_served_or_gives_up() {
        let r = simulate(policy(QueueOrder::InPersonFirst), &Traffic::busy_library(3, monday(), 2));
        assert_eq!(r.walkups.served, r.walkups.arrived, "walk-ups never give up in this model");
        assert_eq!(r.ims.served + r.abandoned, r.ims.arrived);
    }

    #[test]
    fn in_person_first_shortens_walkup_waits_at_the_cost_of_ims() {
        let t = Traffic::busy_library(11, monday(), 10);
        let fcfs = simulate(policy(QueueOrder::FirstComeFirstServed), &t);
        let ipf = simulate(policy(QueueOrder::InPersonFirst), &t);
        let mean = |m: &MediumStats| m.waits.iter().sum::<i64>() as f64 / m.waits.len().max(1) as f64;
        assert!(
            mean(&ipf.walkups) < mean(&fcfs.walkups),
            "walk-ups: ipf {} fcfs {}",
            mean(&ipf.walkups),
            mean(&fcfs.walkups)
        );
        assert!(ipf.rules.get("chat put on hold").copied().unwrap_or(0) > 0);
        assert!(fcfs.rules.get("chat put on hold").copied().unwrap_or(0) == 0, "FCFS never interrupts a chat");
    }

    #[test]
    fn a_replayed_log_gives_waits_and_abandonments() {
        let t0 = monday() + Duration::hours(10);
        let at = |s: i64| t0 + Duration::seconds(s);
        let chat = |c: &str| c.to_string();
        let log = vec![
            LoggedEvent { at: at(0), event: Event::StaffOnDuty { staff: "m".into(), name: "Maria".into() } },
            LoggedEvent { at: at(10), event: Event::WalkupArrived { walkup: 1 } },
            LoggedEvent { at: at(20), event: Event::PatronMessage { chat: chat("a"), lang: None } },
            LoggedEvent { at: at(30), event: Event::PatronMessage { chat: chat("b"), lang: None } },
            LoggedEvent { at: at(40), event: Event::PatronLeft { chat: chat("b") } },
            LoggedEvent { at: at(310), event: Event::WalkupEnded { walkup: 1 } },
        ];
        let r = replay(policy(QueueOrder::FirstComeFirstServed), &log);
        assert_eq!(r.walkups.waits, vec![0]);
        assert_eq!(r.ims.waits, vec![290], "chat a waited for the walk-up to end");
        assert_eq!(r.abandoned, 1);
        assert_eq!(r.ims.arrived, 2);
        assert!(r.render().contains("IM patrons who gave up waiting: 1"));
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let m = MediumStats { arrived: 4, served: 4, waits: vec![40, 10, 30, 20] };
        assert_eq!(m.percentile(50.0), Some(20));
        assert_eq!(m.percentile(99.0), Some(40));
        assert_eq!(MediumStats::default().percentile(50.0), None);
    }
}
