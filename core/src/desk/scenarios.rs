//! Scenario tests of the engine in virtual time: one per policy situation a desk meets.

use chrono::{DateTime, Duration, Utc};

use super::engine::{Action, AlertLevel, ChatState, CloseReason, Engine, Event, Item, ReplyKind, Show};
use super::policy::{DeskPolicy, QueueOrder};
use super::schedule::{Opening, ScheduleConfig};

/// Monday 2026-11-23 10:00 UTC.
fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc)
}

struct Sim {
    e: Engine,
    now: DateTime<Utc>,
}

impl Sim {
    fn new(policy: DeskPolicy) -> Sim {
        Sim { e: Engine::new(policy.compile().unwrap(), t0()), now: t0() }
    }

    fn staffed(policy: DeskPolicy, names: &[&str]) -> Sim {
        let mut sim = Sim::new(policy);
        for n in names {
            sim.at(0, Event::StaffOnDuty { staff: n.to_string(), name: n.to_string() });
        }
        sim
    }

    /// Runs `ev` at t0 + `secs`, after firing any deadline that fell before it (as the shell would).
    fn at(&mut self, secs: i64, ev: Event) -> Vec<Action> {
        let when = t0() + Duration::seconds(secs);
        let mut out = self.tick_until(when);
        self.now = when;
        out.extend(self.e.handle(ev, when));
        out
    }

    fn tick_until(&mut self, until: DateTime<Utc>) -> Vec<Action> {
        let mut out = Vec::new();
        while let Some(d) = self.e.next_deadline().filter(|d| *d <= until) {
            self.now = d;
            out.extend(self.e.handle(Event::Tick, d));
        }
        out
    }
}

fn chat(id: &str) -> Event {
    Event::PatronMessage { chat: id.into(), lang: None }
}

fn replies(actions: &[Action]) -> Vec<(String, ReplyKind, String)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::AutoReply { chat, kind, text } => Some((chat.clone(), *kind, text.clone())),
            _ => None,
        })
        .collect()
}

fn presence(actions: &[Action]) -> Option<Show> {
    actions.iter().rev().find_map(|a| match a {
        Action::SetPresence { show, .. } => Some(*show),
        _ => None,
    })
}

fn fcfs() -> DeskPolicy {
    DeskPolicy { order: QueueOrder::FirstComeFirstServed, max_chats_per_librarian: 2, ..DeskPolicy::default() }
}

fn in_person_first() -> DeskPolicy {
    DeskPolicy { order: QueueOrder::InPersonFirst, ..fcfs() }
}

#[test]
fn an_im_to_a_free_desk_is_answered_without_an_auto_reply() {
    let mut sim = Sim::staffed(fcfs(), &["maria"]);
    assert_eq!(sim.e.presence().unwrap().0, Show::Available);
    let out = sim.at(5, chat("p1"));
    assert!(out.contains(&Action::ChatAssigned { chat: "p1".into(), staff: "maria".into() }));
    assert!(replies(&out).is_empty(), "no auto-reply when a librarian takes the chat: {out:?}");
}

#[test]
fn first_come_first_served_a_walkup_waits_for_the_im_that_came_first() {
    let mut sim = Sim::staffed(fcfs(), &["maria"]);
    sim.at(0, chat("p1"));
    let out = sim.at(60, Event::WalkupArrived { walkup: 1 });
    assert!(!out.iter().any(|a| matches!(a, Action::WalkupAssigned { .. })), "walk-up must wait: {out:?}");
    assert_eq!(sim.e.queue()[0].item, Item::Walkup(1));
    assert_eq!(sim.e.chat_state("p1"), Some(ChatState::Active), "the IM is not put on hold");
    // A second IM arrives after the walk-up: it must not overtake the person at the desk.
    let out = sim.at(90, chat("p2"));
    assert_eq!(sim.e.chat_state("p2"), Some(ChatState::Waiting));
    let r = replies(&out);
    assert_eq!(r.len(), 1);
    assert!(r[0].2.contains("number 2 in line"), "walk-up counts in the one queue: {}", r[0].2);
    // The first IM ends: the walk-up is next, then p2 waits for the walk-up to end.
    let out = sim.at(300, Event::CloseChat { chat: "p1".into() });
    assert!(out.contains(&Action::WalkupAssigned { walkup: 1, staff: "maria".into() }));
    assert_eq!(sim.e.chat_state("p2"), Some(ChatState::Waiting));
    let out = sim.at(500, Event::WalkupEnded { walkup: 1 });
    assert!(out.contains(&Action::ChatAssigned { chat: "p2".into(), staff: "maria".into() }));
}

#[test]
fn in_person_first_a_walkup_takes_the_librarian_and_the_im_is_told_to_hold() {
    let mut sim = Sim::staffed(in_person_first(), &["maria"]);
    sim.at(0, chat("p1"));
    let out = sim.at(60, Event::WalkupArrived { walkup: 1 });
    assert!(out.contains(&Action::WalkupAssigned { walkup: 1, staff: "maria".into() }));
    assert!(out.contains(&Action::ChatStateChanged { chat: "p1".into(), state: ChatState::OnHold }));
    let r = replies(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].1, ReplyKind::OnHold);
    assert!(r[0].2.starts_with("maria is helping someone at the desk"), "{}", r[0].2);
    assert_eq!(presence(&out), Some(Show::Busy));

    // An IM arriving during the walk-up is queued with its place in line.
    let out = sim.at(120, chat("p2"));
    let r = replies(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].1, ReplyKind::Queued);
    assert!(r[0].2.contains("number 1 in line"), "{}", r[0].2);
    assert!(r[0].2.contains("helping someone at the desk"), "the walk-up is why they wait: {}", r[0].2);

    // The walk-up ends: the held chat resumes and the queued one is taken (cap 2).
    let out = sim.at(400, Event::WalkupEnded { walkup: 1 });
    assert!(out.contains(&Action::ChatStateChanged { chat: "p1".into(), state: ChatState::Active }));
    assert!(out.contains(&Action::ChatAssigned { chat: "p2".into(), staff: "maria".into() }));
    assert!(replies(&out).is_empty(), "no auto-reply when chats resume: {out:?}");
}

#[test]
fn a_patron_waiting_for_a_full_desk_is_not_told_someone_is_at_the_desk() {
    // Nobody is at the desk in person; the one librarian has as many chats as the policy allows.
    let mut sim = Sim::staffed(DeskPolicy { max_chats_per_librarian: 1, ..fcfs() }, &["maria"]);
    sim.at(0, chat("p1"));
    let r = replies(&sim.at(30, chat("p2")));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].1, ReplyKind::Queued);
    assert!(r[0].2.contains("answering other questions") && r[0].2.contains("number 1 in line"), "{}", r[0].2);
    assert!(!r[0].2.contains("at the desk"), "no walk-up, so no one is at the desk: {}", r[0].2);

    // A walk-up comes and waits behind p2: now a person is at the desk, and the next patron hears so.
    sim.at(40, Event::WalkupArrived { walkup: 1 });
    let r = replies(&sim.at(50, chat("p3")));
    assert!(r[0].2.contains("helping someone at the desk") && r[0].2.contains("number 3 in line"), "{}", r[0].2);
}

#[test]
fn in_person_first_walkups_go_ahead_of_waiting_ims() {
    let policy = DeskPolicy { max_chats_per_librarian: 1, ..in_person_first() };
    let mut sim = Sim::staffed(policy, &["maria"]);
    sim.at(0, chat("p1"));
    sim.at(10, chat("p2"));
    sim.at(20, Event::WalkupArrived { walkup: 1 });
    sim.at(30, Event::WalkupArrived { walkup: 2 });
    let order: Vec<Item> = sim.e.queue().iter().map(|e| e.item.clone()).collect();
    assert_eq!(order, vec![Item::Walkup(2), Item::Chat("p2".into())], "walk-up 1 is being helped");
    sim.at(100, Event::WalkupEnded { walkup: 1 });
    assert_eq!(sim.e.walkup_staff(2), Some("maria"));
    assert_eq!(sim.e.chat_state("p2"), Some(ChatState::Waiting));
}

#[test]
fn im_only_when_double_staffed() {
    let policy = DeskPolicy { min_staff_for_im: 2, ..fcfs() };
    let mut sim = Sim::staffed(policy, &["maria"]);
    assert_eq!(sim.e.presence().unwrap().0, Show::Away);
    let out = sim.at(10, chat("p1"));
    assert_eq!(replies(&out)[0].1, ReplyKind::Unstaffed);
    assert_eq!(sim.e.chat_state("p1"), Some(ChatState::Waiting), "the chat waits, it is not lost");
    // A walk-up is still served by the one librarian: unstaffed IM does not block the desk.
    let out = sim.at(20, Event::WalkupArrived { walkup: 1 });
    assert!(out.contains(&Action::WalkupAssigned { walkup: 1, staff: "maria".into() }));
    sim.at(60, Event::WalkupEnded { walkup: 1 });

    let out = sim.at(100, Event::StaffOnDuty { staff: "joost".into(), name: "Joost".into() });
    assert!(out.iter().any(|a| matches!(a, Action::ChatAssigned { chat, .. } if chat == "p1")));
    assert_eq!(presence(&out), Some(Show::Available));

    // Joost goes on break: back to one librarian, the desk goes away and his chat returns to the queue.
    let staff = sim.e.chat_staff("p1").unwrap().to_owned();
    let out = sim.at(200, Event::StaffOffDuty { staff: "joost".into() });
    assert_eq!(presence(&out), Some(Show::Away));
    if staff == "joost" {
        assert_eq!(sim.e.chat_state("p1"), Some(ChatState::Waiting));
        assert_eq!(sim.e.queue()[0].item, Item::Chat("p1".into()));
    }
}

/// Double-staffing across desks: the second librarian is at another desk signed in to the
/// account. They count for IM, but this desk never gives them its chats.
#[test]
fn a_librarian_at_another_desk_counts_for_double_staffing() {
    let policy = DeskPolicy { min_staff_for_im: 2, ..fcfs() };
    let mut sim = Sim::staffed(policy, &["maria"]);
    let out = sim.at(10, chat("p1"));
    assert_eq!(replies(&out)[0].1, ReplyKind::Unstaffed);
    let out = sim.at(20, Event::OtherDesksOnDuty { count: 1 });
    assert_eq!(presence(&out), Some(Show::Available));
    assert!(out.contains(&Action::ChatAssigned { chat: "p1".into(), staff: "maria".into() }));
    let out = sim.at(30, chat("p2"));
    assert!(replies(&out).is_empty(), "staffed: no 'short-staffed' reply");
    assert!(
        out.contains(&Action::ChatAssigned { chat: "p2".into(), staff: "maria".into() }),
        "only ever this desk's own"
    );
    // The other desk goes on break: one librarian again.
    let out = sim.at(40, Event::OtherDesksOnDuty { count: 0 });
    assert_eq!(presence(&out), Some(Show::Away));
    let out = sim.at(50, chat("p3"));
    assert_eq!(replies(&out)[0].1, ReplyKind::Unstaffed);
}

#[test]
fn the_cap_on_simultaneous_chats_queues_the_rest() {
    let mut sim = Sim::staffed(fcfs(), &["maria"]);
    sim.at(0, chat("p1"));
    let out = sim.at(1, chat("p2"));
    assert_eq!(presence(&out), Some(Show::Busy), "at the cap the desk shows busy");
    let out = sim.at(2, chat("p3"));
    assert_eq!(sim.e.chat_state("p3"), Some(ChatState::Waiting));
    assert!(replies(&out)[0].2.contains("number 1 in line"));
    let out = sim.at(200, Event::CloseChat { chat: "p1".into() });
    assert!(out.contains(&Action::ChatAssigned { chat: "p3".into(), staff: "maria".into() }));
}

#[test]
fn a_patron_who_writes_again_gets_at_most_one_reminder_per_interval() {
    // No idle close here: p1 must stay open for the whole run so p2 keeps waiting.
    let policy = DeskPolicy { max_chats_per_librarian: 1, idle_close_secs: 0, ..fcfs() };
    let mut sim = Sim::staffed(policy, &["maria"]);
    sim.at(0, chat("p1"));
    let first = sim.at(5, chat("p2"));
    assert_eq!(replies(&first).len(), 1);
    let mut sent = Vec::new();
    for s in (10..1000).step_by(10) {
        sent.extend(replies(&sim.at(s, chat("p2"))));
    }
    // Reminders every 180 s at most: at 185, 365, 545, 725, 905.
    let kinds: Vec<_> = sent.iter().map(|r| r.1).collect();
    assert_eq!(kinds, vec![ReplyKind::Reminder; 5], "{sent:?}");
    assert!(sent[0].2.contains("number 1"));
}

#[test]
fn a_patron_who_leaves_the_queue_is_removed_and_counted() {
    let mut sim = Sim::staffed(DeskPolicy { max_chats_per_librarian: 1, ..fcfs() }, &["maria"]);
    sim.at(0, chat("p1"));
    sim.at(5, chat("p2"));
    sim.at(6, chat("p3"));
    let out = sim.at(30, Event::PatronLeft { chat: "p2".into() });
    assert!(out.contains(&Action::ChatClosed { chat: "p2".into(), reason: CloseReason::PatronLeft }));
    assert_eq!(sim.e.queue().len(), 1);
    // p3 moved up: a reminder now says number 1.
    let r = replies(&sim.at(400, chat("p3")));
    assert!(r[0].2.contains("number 1"), "{r:?}");
}

#[test]
fn waiting_alerts_fire_once_each_and_escalate() {
    let mut sim = Sim::staffed(DeskPolicy { max_chats_per_librarian: 1, ..fcfs() }, &["maria"]);
    sim.at(0, chat("p1"));
    sim.at(0, chat("p2"));
    assert_eq!(sim.e.next_deadline(), Some(t0() + Duration::seconds(120)));
    let out = sim.tick_until(t0() + Duration::seconds(1000));
    let alerts: Vec<_> = out
        .iter()
        .filter_map(|a| match a {
            Action::WaitAlert { chat, level, waited_secs } => Some((chat.clone(), *level, *waited_secs)),
            _ => None,
        })
        .collect();
    assert_eq!(alerts, vec![("p2".into(), AlertLevel::Waiting, 120), ("p2".into(), AlertLevel::Escalated, 300)]);
}

#[test]
fn an_idle_chat_is_closed_with_a_goodbye() {
    let mut sim = Sim::staffed(fcfs(), &["maria"]);
    sim.at(0, chat("p1"));
    sim.at(100, Event::StaffMessage { chat: "p1".into() });
    assert_eq!(sim.e.next_deadline(), Some(t0() + Duration::seconds(1000)));
    let out = sim.tick_until(t0() + Duration::seconds(999));
    assert!(out.is_empty());
    let out = sim.tick_until(t0() + Duration::seconds(1000));
    assert_eq!(replies(&out)[0].1, ReplyKind::Goodbye);
    assert!(out.contains(&Action::ChatClosed { chat: "p1".into(), reason: CloseReason::Idle }));
}

fn weekday_hours() -> DeskPolicy {
    let hours = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| Opening { day: d.to_string(), open: "09:00".into(), close: "17:00".into() })
        .collect();
    DeskPolicy {
        library_name: "Ford Library".into(),
        schedule: Some(ScheduleConfig {
            timezone: "Europe/Amsterdam".into(),
            hours,
            closed_dates: vec!["2026-12-25".into()],
        }),
        ..fcfs()
    }
}

#[test]
fn outside_im_hours_new_chats_get_the_next_opening_time() {
    let mut sim = Sim::staffed(weekday_hours(), &["maria"]);
    // Monday 17:30 Amsterdam = 16:30Z.
    let out = sim.at(6 * 3600 + 30 * 60, chat("p1"));
    let r = replies(&out);
    assert_eq!(r[0].1, ReplyKind::Closed);
    assert_eq!(r[0].2, "Thanks for your message! Ford Library chat is closed now and opens again tomorrow at 09:00.");
    assert!(out.contains(&Action::ChatClosed { chat: "p1".into(), reason: CloseReason::OutsideHours }));
    assert_eq!(sim.e.presence().unwrap(), &(Show::Away, "Closed; opens tomorrow at 09:00".to_owned()));
}

fn in_dutch(id: &str, lang: &str) -> Event {
    Event::PatronMessage { chat: id.into(), lang: Some(lang.into()) }
}

/// The weekday hours, with the replies a library translated into Dutch (not all of them).
fn with_dutch() -> DeskPolicy {
    let mut p = weekday_hours();
    p.languages.insert(
        "nl".into(),
        super::policy::LocalTemplates {
            queued_chats: Some("Bedankt! U bent nummer {position} ({wait}).".into()),
            reminder: Some("U staat nog steeds als nummer {position} in de rij.".into()),
            closed: Some("{library} is gesloten en gaat weer open {opens}.".into()),
            ..Default::default()
        },
    );
    p
}

#[test]
fn a_patron_writing_in_a_language_the_policy_has_is_answered_in_it() {
    let mut sim = Sim::staffed(DeskPolicy { max_chats_per_librarian: 1, ..with_dutch() }, &["maria"]);
    sim.at(1, in_dutch("first", "nl"));
    // Waiting behind the first: the Dutch reply, its wait in Dutch; the English patron in English.
    let r = replies(&sim.at(2, in_dutch("anke", "nl-be")));
    assert_eq!(r[0].2, "Bedankt! U bent nummer 1 (ongeveer 4 minuten).");
    let r = replies(&sim.at(3, chat("bob")));
    assert!(r[0].2.starts_with("Thanks for your question!") && r[0].2.ends_with("(about 8 minutes)."), "{r:?}");
    let r = replies(&sim.at(400, in_dutch("anke", "nl")));
    assert_eq!(r[0].2, "U staat nog steeds als nummer 1 in de rij.");
    // A patron whose client says nothing of their language keeps the one they last wrote in.
    let r = replies(&sim.at(800, chat("anke")));
    assert_eq!(r[0].2, "U staat nog steeds als nummer 1 in de rij.");
    // What the library did not translate is said in its main language, with its words.
    let r = replies(&sim.at(6 * 3600, Event::Tick));
    let to_first: Vec<_> = r.iter().filter(|(c, ..)| c == "first").collect();
    assert_eq!(to_first[0].1, ReplyKind::Goodbye, "{r:?}");
    assert!(to_first[0].2.starts_with("It looks like we're done"), "{r:?}");
    // Outside hours: the closed reply, with the opening time in Dutch words.
    let r = replies(&sim.at(6 * 3600 + 30 * 60, in_dutch("cor", "nl")));
    assert_eq!(r[0].2, "Ford Library is gesloten en gaat weer open morgen om 09:00.", "{r:?}");
    // A language the policy does not have: the main replies.
    let r = replies(&sim.at(6 * 3600 + 31 * 60, in_dutch("sven", "sv")));
    assert_eq!(r[0].2, "Thanks for your message! Ford Library chat is closed now and opens again tomorrow at 09:00.");
}

#[test]
fn a_library_writing_its_replies_in_dutch_fills_them_in_with_dutch_words() {
    let mut p = weekday_hours();
    p.language = "nl".into();
    p.templates.closed = "{library} is gesloten; weer open {opens}.".into();
    p.templates.status_closed = "Gesloten; open {opens}".into();
    let mut sim = Sim::staffed(p, &["maria"]);
    let r = replies(&sim.at(6 * 3600 + 30 * 60, chat("cor")));
    assert_eq!(r[0].2, "Ford Library is gesloten; weer open morgen om 09:00.");
    assert_eq!(sim.e.presence().unwrap().1, "Gesloten; open morgen om 09:00");
}

#[test]
fn the_desk_opens_and_closes_on_schedule_across_midnight_and_holidays() {
    let mut sim = Sim::staffed(weekday_hours(), &["maria"]);
    assert_eq!(sim.e.presence().unwrap().0, Show::Available, "Monday 11:00 local is open");
    // Closing at 17:00 local (16:00Z) is a deadline.
    assert_eq!(sim.e.next_deadline(), Some(t0() + Duration::hours(6)));
    let out = sim.tick_until(t0() + Duration::hours(6));
    assert_eq!(presence(&out), Some(Show::Away));
    // Through midnight nothing changes; Tuesday 09:00 local (08:00Z) opens.
    let out = sim.tick_until(t0() + Duration::hours(21) + Duration::minutes(59));
    assert_eq!(presence(&out), None);
    let out = sim.tick_until(t0() + Duration::hours(22));
    assert_eq!(presence(&out), Some(Show::Available));
    // Christmas (a Friday) stays closed; Thursday evening says Monday.
    let thu_evening = DateTime::parse_from_rfc3339("2026-12-24T18:00:00Z").unwrap().with_timezone(&Utc);
    let out = sim.at((thu_evening - t0()).num_seconds(), chat("p9"));
    assert!(replies(&out)[0].2.ends_with("opens again on Monday at 09:00."), "{:?}", replies(&out));
}

#[test]
fn schedule_hours_follow_the_dst_change() {
    // Friday 2026-03-27 after closing; DST starts Sunday; Monday opens 09:00 CEST = 07:00Z.
    let fri = DateTime::parse_from_rfc3339("2026-03-27T17:00:00Z").unwrap().with_timezone(&Utc);
    let mut e = Engine::new(weekday_hours().compile().unwrap(), fri);
    e.handle(Event::StaffOnDuty { staff: "m".into(), name: "M".into() }, fri);
    assert_eq!(e.presence().unwrap().0, Show::Away);
    let mon_open = DateTime::parse_from_rfc3339("2026-03-30T07:00:00Z").unwrap().with_timezone(&Utc);
    assert_eq!(e.next_deadline(), Some(mon_open));
    e.handle(Event::Tick, mon_open);
    assert_eq!(e.presence().unwrap().0, Show::Available);
}

#[test]
fn estimated_wait_learns_from_handling_times() {
    let policy = DeskPolicy { max_chats_per_librarian: 1, default_service_secs: 240, ..fcfs() };
    let mut sim = Sim::staffed(policy, &["maria"]);
    sim.at(0, chat("p1"));
    let r = replies(&sim.at(1, chat("p2")));
    assert!(r[0].2.contains("about 4 minutes"), "default estimate: {}", r[0].2);
    // p1 took 10 minutes; p2 is taken; the next one waits about 10 minutes.
    sim.at(600, Event::CloseChat { chat: "p1".into() });
    let r = replies(&sim.at(601, chat("p3")));
    assert!(r[0].2.contains("about 10 minutes"), "learned estimate: {}", r[0].2);
}

#[test]
fn a_librarian_leaving_mid_walkup_frees_the_desk_and_returns_chats_to_the_queue() {
    let mut sim = Sim::staffed(in_person_first(), &["maria", "joost"]);
    sim.at(0, chat("p1"));
    let helper = sim.e.chat_staff("p1").unwrap().to_owned();
    sim.at(10, Event::StaffOffDuty { staff: helper.clone() });
    let other = if helper == "maria" { "joost" } else { "maria" };
    assert_eq!(sim.e.chat_staff("p1"), Some(other), "the remaining librarian picks the chat up");
}

#[test]
fn a_chat_another_desk_answered_leaves_this_desks_line_until_it_goes_quiet() {
    let mut sim = Sim::staffed(fcfs(), &["ann"]);
    sim.at(0, Event::WalkupArrived { walkup: 1 });
    let queued = sim.at(10, chat("p@x"));
    assert_eq!(replies(&queued).len(), 1, "told to wait, as usual");
    // Desk 2 on the same account answers: gone from this desk's line, without a word or a close.
    let taken = sim.at(20, Event::TakenElsewhere { chat: "p@x".into() });
    assert!(sim.e.queue().iter().all(|q| q.item != Item::Chat("p@x".into())), "{:?}", sim.e.queue());
    assert!(!taken.iter().any(|a| matches!(a, Action::AutoReply { .. } | Action::ChatClosed { .. })), "{taken:?}");
    assert_eq!(sim.e.elsewhere().collect::<Vec<_>>(), ["p@x"]);
    // The patron goes on with desk 2: no reminders, no new chat here.
    let more = sim.at(60, chat("p@x"));
    assert!(replies(&more).is_empty() && sim.e.chat_state("p@x").is_none(), "{more:?}");
    // A quiet hour later they are back with a new question: this desk's again.
    let later = sim.at(3700, chat("p@x"));
    assert_eq!(sim.e.chat_state("p@x"), Some(ChatState::Waiting), "{later:?}");
    assert!(sim.e.elsewhere().next().is_none());
}

#[test]
fn a_referred_chat_closes_here_as_referred_and_the_patron_may_come_back() {
    let mut sim = Sim::staffed(fcfs(), &["ann"]);
    sim.at(0, chat("p@x"));
    let out = sim.at(60, Event::Referred { chat: "p@x".into() });
    assert!(
        out.iter().any(|a| matches!(a, Action::ChatClosed { chat, reason: CloseReason::Referred } if chat == "p@x")),
        "{out:?}"
    );
    assert!(replies(&out).is_empty(), "no goodbye: the librarian has told the patron who writes next");
    // The colleague answers from their own address; a later question here is a new chat.
    sim.at(600, chat("p@x"));
    assert_eq!(sim.e.chat_state("p@x"), Some(ChatState::Active));
}

#[test]
fn a_chat_handed_to_a_colleague_closes_here_as_transferred_and_the_patron_stays_with_them() {
    let mut sim = Sim::staffed(fcfs(), &["ann"]);
    sim.at(0, chat("p@x"));
    assert_eq!(sim.e.chat_state("p@x"), Some(ChatState::Active));
    let out = sim.at(60, Event::HandedOver { chat: "p@x".into() });
    assert!(
        out.iter().any(|a| matches!(a, Action::ChatClosed { chat, reason: CloseReason::Transferred } if chat == "p@x")),
        "{out:?}"
    );
    assert!(replies(&out).is_empty(), "no goodbye: the colleague goes on");
    // The patron's next words are the colleague's business, not a new chat here.
    let more = sim.at(90, chat("p@x"));
    assert!(replies(&more).is_empty() && sim.e.chat_state("p@x").is_none(), "{more:?}");
}

#[test]
fn a_chat_handed_in_is_the_librarians_at_once_even_over_the_cap_and_after_another_desk_had_it() {
    let mut sim = Sim::staffed(fcfs(), &["ann"]);
    // Ann is at her cap of two, and p@x was another desk's.
    sim.at(0, chat("a@x"));
    sim.at(1, chat("b@x"));
    sim.at(2, chat("p@x"));
    sim.at(3, Event::TakenElsewhere { chat: "p@x".into() });
    let out = sim.at(10, Event::HandedIn { chat: "p@x".into(), staff: "ann".into() });
    assert_eq!(sim.e.chat_state("p@x"), Some(ChatState::Active), "{out:?}");
    assert_eq!(sim.e.chat_staff("p@x"), Some("ann"));
    assert!(replies(&out).is_empty(), "the patron hears from the librarian, not the rules");
    assert!(sim.e.elsewhere().next().is_none());
    assert!(sim.e.queue().is_empty());
}

#[test]
fn a_chat_whose_desk_left_comes_back_into_line_here_without_a_word_to_the_patron() {
    let mut sim = Sim::staffed(fcfs(), &["ann"]);
    sim.at(0, Event::WalkupArrived { walkup: 1 });
    sim.at(1, chat("p@x"));
    sim.at(2, Event::TakenElsewhere { chat: "p@x".into() });
    assert_eq!(sim.e.chat_state("p@x"), None);
    let out = sim.at(70, Event::ReleasedElsewhere { chat: "p@x".into() });
    assert_eq!(sim.e.chat_state("p@x"), Some(ChatState::Waiting), "{out:?}");
    assert!(replies(&out).is_empty(), "{out:?}");
    assert!(sim.e.queue().iter().any(|q| q.item == Item::Chat("p@x".into())));
    // Only a chat that was elsewhere: releasing one under way here changes nothing.
    let again = sim.at(80, Event::ReleasedElsewhere { chat: "p@x".into() });
    assert!(again.iter().all(|a| !matches!(a, Action::ChatStateChanged { .. })), "{again:?}");
}

#[test]
fn a_librarian_puts_a_chat_on_hold_the_patron_is_told_once_and_writing_resumes_it() {
    let mut sim = Sim::staffed(DeskPolicy { idle_close_secs: 600, ..fcfs() }, &["maria"]);
    sim.at(0, chat("p1"));
    assert_eq!(sim.e.chat_state("p1"), Some(ChatState::Active));
    let out = sim.at(30, Event::HoldChat { chat: "p1".into() });
    assert!(out.contains(&Action::ChatStateChanged { chat: "p1".into(), state: ChatState::OnHold }));
    let r = replies(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].2, "maria is looking into this and will be back with you in a moment.");
    // Holding again, the patron writing at once, or the librarian toggling hold says nothing more.
    assert!(replies(&sim.at(40, Event::HoldChat { chat: "p1".into() })).is_empty());
    assert!(replies(&sim.at(50, chat("p1"))).is_empty());
    sim.at(60, Event::ResumeChat { chat: "p1".into() });
    let out = sim.at(70, Event::HoldChat { chat: "p1".into() });
    assert!(out.contains(&Action::ChatStateChanged { chat: "p1".into(), state: ChatState::OnHold }));
    assert!(replies(&out).is_empty(), "told 40 s ago");
    // A held chat is not closed for silence, however long the look in the stacks takes.
    sim.at(3000, Event::Tick);
    assert_eq!(sim.e.chat_state("p1"), Some(ChatState::OnHold));
    // The librarian writes: they are back with the patron.
    let out = sim.at(3010, Event::StaffMessage { chat: "p1".into() });
    assert!(out.contains(&Action::ChatStateChanged { chat: "p1".into(), state: ChatState::Active }));
    assert!(replies(&out).is_empty());
}

#[test]
fn a_chat_the_librarian_held_stays_on_hold_when_a_walkup_ends_and_resumes_on_request() {
    let mut sim = Sim::staffed(in_person_first(), &["maria"]);
    sim.at(0, chat("p1"));
    sim.at(0, chat("p2"));
    sim.at(10, Event::HoldChat { chat: "p1".into() });
    // A walk-up puts p2 on hold too; when it ends, only p2 comes back by itself.
    sim.at(20, Event::WalkupArrived { walkup: 1 });
    assert_eq!(sim.e.chat_state("p2"), Some(ChatState::OnHold));
    let out = sim.at(200, Event::WalkupEnded { walkup: 1 });
    assert!(out.contains(&Action::ChatStateChanged { chat: "p2".into(), state: ChatState::Active }));
    assert_eq!(sim.e.chat_state("p1"), Some(ChatState::OnHold));
    let out = sim.at(210, Event::ResumeChat { chat: "p1".into() });
    assert!(out.contains(&Action::ChatStateChanged { chat: "p1".into(), state: ChatState::Active }));
    assert!(replies(&out).is_empty(), "resuming says nothing: the librarian writes next");
    // Only an active chat can be held; resuming an active chat changes nothing.
    assert!(sim.at(220, Event::ResumeChat { chat: "p1".into() }).is_empty());
    assert!(sim.at(230, Event::HoldChat { chat: "nobody".into() }).is_empty());
}

#[test]
fn take_next_gives_the_librarian_the_first_chat_in_line_even_over_the_cap_passing_walkups() {
    let policy = DeskPolicy { max_chats_per_librarian: 1, ..in_person_first() };
    let mut sim = Sim::staffed(policy, &["maria"]);
    sim.at(0, chat("p1"));
    sim.at(10, chat("p2"));
    sim.at(20, chat("p3"));
    assert_eq!(sim.e.chat_state("p2"), Some(ChatState::Waiting));
    let out = sim.at(30, Event::TakeNext { staff: "maria".into() });
    assert!(out.contains(&Action::ChatAssigned { chat: "p2".into(), staff: "maria".into() }));
    assert_eq!(sim.e.chat_state("p3"), Some(ChatState::Waiting));
    // A walk-up at the head of the line (in person first) is not an IM to take: p3 is.
    sim.at(40, Event::WalkupArrived { walkup: 7 });
    sim.at(41, Event::WalkupArrived { walkup: 8 });
    let out = sim.at(50, Event::TakeNext { staff: "maria".into() });
    assert!(out.contains(&Action::ChatAssigned { chat: "p3".into(), staff: "maria".into() }));
    // Nothing waiting: nothing happens; someone not at the desk takes nothing.
    assert!(!sim
        .at(60, Event::TakeNext { staff: "maria".into() })
        .iter()
        .any(|a| matches!(a, Action::ChatAssigned { .. })));
    sim.at(70, chat("p4"));
    let out = sim.at(80, Event::TakeNext { staff: "anna".into() });
    assert!(!out.iter().any(|a| matches!(a, Action::ChatAssigned { .. })));
}
