//! The Desk's own tests: walk-ups, chats, transcripts, pseudonyms, tabs and restarts, on real SQLite files.

use super::walkups::clean_topic;
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
    assert_eq!(topics[2], "Mrs [NAME] wants [PHONE] called back");
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
    assert!(desk.receive_message("ask@library.test", &m, t0 + Duration::seconds(6)).unwrap().is_none(), "duplicate");
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
    assert_eq!((r.body.as_str(), r.status, r.incoming), ("Hi Ben, one moment please.", MessageStatus::Pending, false));
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
        vec![api::ChatStatusView { peer: "cy@x.org".into(), phase: api::ChatPhase::Elsewhere, desk: None, name: None }]
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
    let m = chat("gina@student.example/phone", "g1", "I'm Gina, gina.r@student.example, 555-201-3344: 1910 census?");
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
    let terms: Vec<String> =
        conn.prepare("SELECT term FROM temp.terms").unwrap().query_map([], |r| r.get(0)).unwrap().flatten().collect();
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
    let retention = policy::RetentionPolicy { live_hours: 1, transcript_days: 365, ..Default::default() };
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
    assert!(desk.take_actions().iter().all(|a| !matches!(a, desk::Action::AutoReply { .. })), "nothing is said twice");
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
    desk.receive_message("ask@library.test", &chat("kim@x.org/r", "k2", "hello?"), t0 + Duration::minutes(20)).unwrap();
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
    assert_eq!(s.questions, api::ByMedium { chat: 2, web: 0, walkup: 1 });
    assert_eq!(s.abandoned, 1);
    assert_eq!(s.chat_wait.map(|w| (w.count, w.p50)), Some((1, 75)), "from the question to the first answer");
    assert_eq!(s.walkup_handling.map(|w| w.p50), Some(240));
    assert_eq!((s.patrons, s.repeat_patrons), (1, 1));
    assert_eq!(s.read_levels[2], api::ByMedium { chat: 1, web: 0, walkup: 0 });
    assert_eq!(s.read_levels[0], api::ByMedium { chat: 0, web: 0, walkup: 1 });
    assert_eq!(s.unrated, api::ByMedium { chat: 1, web: 0, walkup: 0 });
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
