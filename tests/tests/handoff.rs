//! Handing a chat to a colleague's desk on the same shared account, against a real Prosody: two
//! desks through the real account runner and service, and a patron who sees only the shared address.

use std::time::Duration;

use chrono::Utc;
use refdesk_core::api::ChatPhase;
use refdesk_core::desk::DeskPolicy;
use refdesk_core::xmpp::Session;
use refdesk_testkit::service::*;
use refdesk_testkit::Prosody;

const ASK: &str = "ask@library.test";
const PATRON: &str = "patron1@library.test";

/// Desk A has the patron's chat (its librarian answered), desk B is Maria's and A knows it.
async fn chat_at_desk_a() -> (Prosody, Running, Running, Session, [tempfile::TempDir; 3]) {
    let (p, mut a, mut b, dirs) = two_desks().await;
    b.call_myself("Maria", "business, patents").await;
    a.until_snapshot("Maria listed at desk A", |s| s.colleagues.iter().any(|c| c.name == "Maria")).await;
    let mut patron1 = patron(&p).await;
    patron1.send_message(ASK, "how do I search for a patent?").await.unwrap();
    a.until_message("the question at A", |m| m.incoming).await;
    b.until_message("the question at B", |m| m.incoming).await;
    a.reply(ASK, PATRON, "Let me find the right person for that.");
    b.until_message("A's answer at B", |m| !m.incoming).await;
    assert_eq!(b.phase_of(PATRON), Some(ChatPhase::Elsewhere));
    let got = bodies(&mut patron1, Duration::from_millis(500)).await;
    assert_eq!(got, ["Let me find the right person for that."]);
    (p, a, b, patron1, dirs)
}

#[tokio::test]
async fn a_chat_handed_to_a_colleague_moves_to_their_desk_and_the_patron_hears_them_next() {
    let (_p, mut a, mut b, mut patron1, _dirs) = chat_at_desk_a().await;
    let colleagues = a.desk.lock().unwrap().snapshot(Utc::now()).unwrap().colleagues;
    assert_eq!(colleagues.len(), 1, "{colleagues:?}");
    assert_eq!((colleagues[0].subjects.as_str(), colleagues[0].open), ("business, patents", true));

    let to = b.resource();
    a.desk.lock().unwrap().offer_chat(PATRON, &to, "patent search for a start-up", Utc::now()).unwrap();
    a.kick.notify_one();
    let told = bodies(&mut patron1, Duration::from_millis(500)).await;
    assert_eq!(told, ["I'm passing you to Maria, one moment please."]);

    let offer =
        b.until_snapshot("the offer at desk B", |s| s.handoffs.iter().any(|h| h.incoming)).await.handoffs.remove(0);
    assert!(offer.incoming && !offer.accepted, "{offer:?}");
    assert_eq!((offer.patron.as_str(), offer.note.as_str()), (PATRON, "patent search for a start-up"));
    // Meanwhile the chat is still desk A's.
    assert_eq!(a.phase_of(PATRON), Some(ChatPhase::Active));

    b.desk.lock().unwrap().answer_offer(&offer.id, true, Utc::now()).unwrap();
    b.kick.notify_one();
    b.until_snapshot("the chat is desk B's", |s| {
        s.chats.iter().any(|c| c.peer == PATRON && c.phase == ChatPhase::Active)
    })
    .await;
    a.until_snapshot("desk A let it go", |s| {
        s.handoffs.is_empty() && s.chats.iter().all(|c| c.peer != PATRON || c.phase == ChatPhase::Elsewhere)
    })
    .await;
    assert!(b.offers().is_empty());

    // Maria answers from the same shared address; the patron's next words are hers, not desk A's.
    b.reply(ASK, PATRON, "Hi, Maria here: the patent office's search is the place to start.");
    let got = bodies(&mut patron1, Duration::from_millis(800)).await;
    assert_eq!(got, ["Hi, Maria here: the patent office's search is the place to start."]);
    patron1.send_message(ASK, "thanks! and for trademarks?").await.unwrap();
    b.until_message("the follow-up at B", |m| m.body == "thanks! and for trademarks?").await;
    a.until_message("the follow-up at A", |m| m.body == "thanks! and for trademarks?").await;
    assert_eq!(b.phase_of(PATRON), Some(ChatPhase::Active));
    assert_eq!(a.phase_of(PATRON), Some(ChatPhase::Elsewhere));
    let a_snap = a.desk.lock().unwrap().snapshot(Utc::now()).unwrap();
    assert!(a_snap.queue.is_empty(), "nothing for desk A to answer: {a_snap:?}");

    // Desk A's part is on record as a transferred question, the patron under a pseudonym.
    let records = a
        .desk
        .lock()
        .unwrap()
        .store()
        .transcripts_between(Utc::now() - chrono::Duration::hours(1), Utc::now())
        .unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].reason, "transferred");
    assert!(records[0].patron.starts_with("patron-"));
}

#[tokio::test]
async fn a_declined_offer_leaves_the_chat_with_the_first_librarian_and_the_patron_is_told() {
    let (_p, a, mut b, mut patron1, _dirs) = chat_at_desk_a().await;
    a.desk.lock().unwrap().offer_chat(PATRON, &b.resource(), "", Utc::now()).unwrap();
    a.kick.notify_one();
    let offer =
        b.until_snapshot("the offer at desk B", |s| s.handoffs.iter().any(|h| h.incoming)).await.handoffs.remove(0);
    b.desk.lock().unwrap().answer_offer(&offer.id, false, Utc::now()).unwrap();
    b.kick.notify_one();

    let got = bodies(&mut patron1, Duration::from_secs(1)).await;
    assert_eq!(
        got,
        [
            "I'm passing you to Maria, one moment please.",
            "Sorry, Maria can't take this just now. I'm still here to help you."
        ]
    );
    assert!(a.offers().is_empty() && b.offers().is_empty());
    assert_eq!(a.phase_of(PATRON), Some(ChatPhase::Active), "still desk A's");
    assert_eq!(b.phase_of(PATRON), Some(ChatPhase::Elsewhere));
    // A second offer is possible once the first is settled; the declined one cannot be taken back.
    assert!(b.desk.lock().unwrap().answer_offer(&offer.id, true, Utc::now()).is_err());
}

#[tokio::test]
async fn an_offer_nobody_answers_in_time_is_withdrawn_and_the_chat_stays() {
    let (_p, a, mut b, mut patron1, _dirs) = chat_at_desk_a().await;
    // The library gives colleagues ten seconds at desk A (desk B keeps the default minute).
    let policy = DeskPolicy { handoff_answer_secs: 10, ..DeskPolicy::default() }.compile().unwrap();
    a.desk.lock().unwrap().set_policy(policy);
    a.desk.lock().unwrap().offer_chat(PATRON, &b.resource(), "", Utc::now()).unwrap();
    a.kick.notify_one();
    let offer =
        b.until_snapshot("the offer at desk B", |s| s.handoffs.iter().any(|h| h.incoming)).await.handoffs.remove(0);

    let got = bodies(&mut patron1, Duration::from_secs(12)).await;
    assert_eq!(
        got.last().map(String::as_str),
        Some("Sorry, Maria can't take this just now. I'm still here to help you.")
    );
    assert!(a.offers().is_empty());

    // Desk A withdrew the offer when it gave up: it is gone from desk B, and Maria's late click
    // takes nothing (an acceptance crossing the withdrawal is answered "withdrawn": unit-tested).
    b.until_snapshot("desk B drops the withdrawn offer", |s| s.handoffs.is_empty()).await;
    let late = b.desk.lock().unwrap().answer_offer(&offer.id, true, Utc::now()).unwrap_err();
    assert!(late.to_string().contains("no longer open"), "{late}");
    assert_eq!(b.phase_of(PATRON), Some(ChatPhase::Elsewhere));
    assert_eq!(a.phase_of(PATRON), Some(ChatPhase::Active));
    assert!(bodies(&mut patron1, Duration::from_millis(500)).await.is_empty(), "the patron hears nothing more");
}

#[tokio::test]
async fn when_the_colleagues_desk_signs_out_mid_offer_the_chat_stays_at_once() {
    let (_p, mut a, b, mut patron1, _dirs) = chat_at_desk_a().await;
    a.desk.lock().unwrap().offer_chat(PATRON, &b.resource(), "", Utc::now()).unwrap();
    a.kick.notify_one();
    a.until_snapshot("the offer out", |s| s.handoffs.len() == 1).await;
    b.stop.send(true).unwrap();
    a.until_snapshot("desk B gone from the colleagues", |s| s.colleagues.is_empty() && s.handoffs.is_empty()).await;
    let got = bodies(&mut patron1, Duration::from_secs(1)).await;
    assert_eq!(
        got,
        [
            "I'm passing you to Maria, one moment please.",
            "Sorry, Maria can't take this just now. I'm still here to help you."
        ]
    );
    assert_eq!(a.phase_of(PATRON), Some(ChatPhase::Active));
    // And a desk that is not signed in cannot be offered anything.
    let err = a.desk.lock().unwrap().offer_chat(PATRON, "refdesk-gone", "", Utc::now()).unwrap_err();
    assert!(err.to_string().contains("no longer signed in"), "{err}");
}

#[tokio::test]
async fn a_handoff_signal_from_anyone_but_another_desk_of_the_account_changes_nothing() {
    let (p, a, mut b, _patron1, _dirs) = chat_at_desk_a().await;
    // Mallory, a patron, forges a "done" and an offer at desk B's full address.
    p.register("mallory", "mallory-secret").unwrap();
    let mut mallory = refdesk_core::xmpp::connect(&config(&p, "mallory"), "mallory-secret").await.unwrap();
    let to = format!("{ASK}/{}", b.resource());
    let offer = refdesk_core::handoff::Signal::Offer {
        id: "h-forged".into(),
        patron: PATRON.into(),
        from_name: "Boss".into(),
        note: "give me this chat".into(),
    };
    mallory.send_handoff(&to, &offer).await.unwrap();
    mallory.send_handoff(&to, &refdesk_core::handoff::Signal::Done { id: "h-forged".into() }).await.unwrap();
    // A real signal after them, from desk A, shows they were all read.
    a.desk.lock().unwrap().offer_chat(PATRON, &b.resource(), "real one", Utc::now()).unwrap();
    a.kick.notify_one();
    let snap = b.until_snapshot("desk A's offer at B", |s| !s.handoffs.is_empty()).await;
    assert_eq!(snap.handoffs.len(), 1, "{:?}", snap.handoffs);
    assert_eq!(snap.handoffs[0].note, "real one");
    assert_eq!(b.phase_of(PATRON), Some(ChatPhase::Elsewhere));
}

#[tokio::test]
async fn a_chat_whose_desk_signs_out_comes_back_to_the_other_desk_after_the_librarys_wait() {
    let (p, mut a, mut b, _dirs) = two_desks().await;
    // The library gives a vanished desk ten seconds at desk B.
    let policy = DeskPolicy { claim_release_secs: 10, ..DeskPolicy::default() }.compile().unwrap();
    b.desk.lock().unwrap().set_policy(policy);
    a.call_myself("Anna", "maps").await;
    b.until_snapshot("Anna listed at desk B", |s| s.colleagues.iter().any(|c| c.name == "Anna")).await;

    let mut patron1 = patron(&p).await;
    patron1.send_message(ASK, "is the map room open?").await.unwrap();
    a.until_message("the question at A", |m| m.incoming).await;
    a.reply(ASK, PATRON, "Yes, until five.");
    // Desk B says whose the chat is.
    let snap = b
        .until_snapshot("desk B names Anna's desk", |s| {
            s.chats
                .iter()
                .any(|c| c.peer == PATRON && c.phase == ChatPhase::Elsewhere && c.desk.as_deref() == Some("Anna"))
        })
        .await;
    assert!(snap.queue.is_empty());

    // Anna's desk goes away mid-conversation and does not come back.
    a.stop.send(true).unwrap();
    let left = std::time::Instant::now();
    // (Desk B is free, so the desk rules give it to its librarian at once.)
    b.until_snapshot("the chat back at desk B", |s| {
        s.chats.iter().any(|c| c.peer == PATRON && c.phase == ChatPhase::Active)
    })
    .await;
    assert!(left.elapsed() >= Duration::from_secs(9), "not before the library's wait: {:?}", left.elapsed());
    // Nobody told the patron anything meanwhile; desk B now answers.
    assert_eq!(bodies(&mut patron1, Duration::from_millis(300)).await, ["Yes, until five."]);
    b.reply(ASK, PATRON, "Picking this up: the map room closes at five.");
    assert_eq!(bodies(&mut patron1, Duration::from_secs(1)).await, ["Picking this up: the map room closes at five."]);
}

/// Each of `names` (registered with `password`) asks a question; returns once both desks have all
/// of them (their sessions, kept open by the caller, and their addresses).
async fn questions_at_both(
    p: &Prosody,
    a: &Running,
    b: &Running,
    names: &[String],
    password: &str,
) -> (Vec<refdesk_core::xmpp::Session>, Vec<String>) {
    let mut sessions = Vec::new();
    for n in names {
        let mut s = refdesk_core::xmpp::connect(&config(p, n), password).await.unwrap();
        s.send_message(ASK, "a question").await.unwrap();
        sessions.push(s);
    }
    let peers: Vec<String> = names.iter().map(|n| format!("{n}@library.test")).collect();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !peers.iter().all(|p| a.phase_of(p).is_some() && b.phase_of(p).is_some()) {
        assert!(tokio::time::Instant::now() < deadline, "questions did not reach both desks");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (sessions, peers)
}

/// Two hundred patrons, and for each both desks start answering at the same moment: every race
/// ends with exactly one desk keeping the chat, and stays so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_simultaneous_claims_each_end_with_exactly_one_desk() {
    const RACES: usize = 200;
    const BATCH: usize = 20;
    let (p, a, b, _dirs) = two_desks().await;
    let names: Vec<String> = (0..RACES).map(|i| format!("racer{i}")).collect();
    std::thread::scope(|s| {
        for chunk in names.chunks(RACES / 8) {
            let p = &p;
            s.spawn(move || {
                for n in chunk {
                    p.register(n, "racer-secret").unwrap();
                }
            });
        }
    });
    let count_elsewhere = |peer: &str| {
        [a.phase_of(peer), b.phase_of(peer)].iter().filter(|ph| **ph == Some(ChatPhase::Elsewhere)).count()
    };
    for batch in names.chunks(BATCH) {
        let (sessions, peers) = questions_at_both(&p, &a, &b, batch, "racer-secret").await;
        // Both librarians start on each patron at once.
        for peer in &peers {
            tokio::join!(a.start_typing(peer), b.start_typing(peer));
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let counts: Vec<usize> = peers.iter().map(|p| count_elsewhere(p)).collect();
            assert!(counts.iter().all(|c| *c < 2), "both desks let a patron go: {counts:?}");
            if counts.iter().all(|c| *c == 1) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "no desk let the other have some chats: {counts:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(sessions);
    }
    // A late claim would show now: every chat still has exactly one desk.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let owners: Vec<usize> = names.iter().map(|n| count_elsewhere(&format!("{n}@library.test"))).collect();
    assert!(owners.iter().all(|c| *c == 1), "{owners:?}");
}

/// Patrons may be subscribed to the shared account's presence (a library contact in their roster):
/// they see it open, busy or away, never who staffs a desk. Only the other desks get the card.
#[tokio::test]
async fn who_staffs_a_desk_goes_to_the_other_desks_never_to_a_patron_watching_the_account() {
    use refdesk_core::xmpp::{connect, AccountConfig, Incoming, Show};
    let (p, a, mut b, _dirs) = two_desks().await;
    // patron1 asks to see the library's presence; a helper of the account approves it.
    let mut patron1 = connect(&config(&p, "patron1"), "patron-secret").await.unwrap();
    patron1.send_presence(Show::Available, None).await.unwrap();
    let helper_cfg = AccountConfig { resource: "approver".into(), ..config(&p, "ask") };
    let mut helper = connect(&helper_cfg, "ask-secret").await.unwrap();
    helper.send_raw("<presence><priority>-1</priority></presence>").await.unwrap();
    patron1.send_raw(&format!("<presence type='subscribe' to='{ASK}'/>")).await.unwrap();
    // (The server holds the request for the account; the helper approves it a moment later.)
    tokio::time::sleep(Duration::from_millis(500)).await;
    helper.send_raw(&format!("<presence type='subscribed' to='{PATRON}'/>")).await.unwrap();
    helper.close().await.unwrap();

    a.call_myself("Anna", "maps").await;
    b.until_snapshot("Anna's card at desk B", |s| s.colleagues.iter().any(|c| c.name == "Anna")).await;
    // Everything the patron saw of the account in the meantime, and a little after.
    let mut seen = Vec::new();
    while let Ok(Ok(ev)) = tokio::time::timeout(Duration::from_secs(2), patron1.next()).await {
        if let Incoming::Presence(pr) = ev {
            seen.push(pr);
        }
    }
    let from_desks: Vec<_> = seen.iter().filter(|pr| pr.from.starts_with("ask@")).collect();
    assert!(!from_desks.is_empty(), "the patron sees the account's presence: {seen:?}");
    assert!(from_desks.iter().all(|pr| pr.card.is_none()), "a desk card reached a patron: {from_desks:?}");
}

/// What the library's website would show: the server's web presence page for the shared account.
fn web_status(p: &Prosody, format: &str) -> String {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(("127.0.0.1", p.http_port)).unwrap();
    write!(c, "GET /status/{ASK}/{format} HTTP/1.0\r\nHost: {}\r\n\r\n", p.domain).unwrap();
    let mut reply = String::new();
    c.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    assert!(head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"), "{head}");
    body.to_owned()
}

async fn until_web_status(p: &Prosody, want: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = web_status(p, "text");
        if now == want {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the web status stayed {now:?}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// "Ask a librarian: online now" on the library's website follows the desks: open while any desk
/// is open, busy while every desk is with a patron, offline once no desk is signed in; and it
/// never says who is at the desk.
#[tokio::test]
async fn the_website_status_follows_the_desks_and_names_nobody() {
    let (p, a, b, _dirs) = two_desks().await;
    a.call_myself("Anna", "maps").await;
    until_web_status(&p, "online").await;

    // Both librarians are called to the desk: busy.
    for d in [&a, &b] {
        d.desk.lock().unwrap().start_walkup(None, Utc::now()).unwrap();
        d.kick.notify_one();
    }
    until_web_status(&p, "dnd").await;
    let json = web_status(&p, "json");
    assert!(json.contains("\"show\":\"dnd\""), "{json}");
    assert!(!json.contains("Anna") && !json.contains("refdesk-"), "the page names a desk: {json}");

    // One of them is free again: open, whichever desk the server lists first.
    b.desk.lock().unwrap().end_walkup(Utc::now()).unwrap();
    b.kick.notify_one();
    until_web_status(&p, "online").await;

    // Everyone signs out: offline.
    a.stop.send(true).unwrap();
    b.stop.send(true).unwrap();
    until_web_status(&p, "offline").await;
}

/// A note on a conversation reaches the other desks of the account, line breaks and all, and
/// never the patron.
#[tokio::test]
async fn an_internal_note_reaches_the_colleagues_desk_and_never_the_patron() {
    let (_p, a, mut b, mut patron1, _dirs) = chat_at_desk_a().await;
    a.call_myself("Anna", "maps").await;
    let kept = a
        .desk
        .lock()
        .unwrap()
        .add_note(ASK, PATRON, "Wants patents since 1990.\nAlready tried Espacenet.", Utc::now())
        .unwrap();
    a.kick.notify_one();
    let got = match b.until("the note at desk B", |p| matches!(p, Published::Note(_))).await {
        Published::Note(n) => n,
        _ => unreachable!(),
    };
    assert_eq!((got.peer.as_str(), got.author.as_str()), (PATRON, "Anna"));
    assert_eq!(got.body, "Wants patents since 1990.\nAlready tried Espacenet.");
    assert_eq!(b.desk.lock().unwrap().notes(ASK, PATRON).unwrap().len(), 1, "kept at desk B");
    assert_eq!(a.desk.lock().unwrap().notes(ASK, PATRON).unwrap(), [kept], "and at desk A");
    assert!(bodies(&mut patron1, Duration::from_millis(800)).await.is_empty(), "the patron hears nothing of it");
    // An empty or oversized note is refused with the reason, and nothing is kept.
    let mut desk = a.desk.lock().unwrap();
    assert!(desk.add_note(ASK, PATRON, "  \n ", Utc::now()).unwrap_err().to_string().contains("empty"));
    assert!(desk
        .add_note(ASK, PATRON, &"x".repeat(1001), Utc::now())
        .unwrap_err()
        .to_string()
        .contains("keep it to 1000"));
    assert_eq!(desk.notes(ASK, PATRON).unwrap().len(), 1);
}

/// An answer outweighs typing: when one librarian starts typing just as the other desk's answer
/// goes out, the desk that answered keeps the chat; when two answers cross, one desk keeps it.
/// Either way exactly one desk has the chat (before, both could let it go and nobody answered).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_against_an_answer_and_two_crossing_answers_each_leave_exactly_one_desk() {
    let (p, a, b, _dirs) = two_desks().await;
    let names: Vec<String> = (0..20).map(|i| format!("crosser{i}")).collect();
    for n in &names {
        p.register(n, "crosser-secret").unwrap();
    }
    let (_sessions, peers) = questions_at_both(&p, &a, &b, &names, "crosser-secret").await;
    for (i, peer) in peers.iter().enumerate() {
        if i % 2 == 0 {
            // Desk A starts typing as desk B's answer goes out.
            tokio::join!(a.start_typing(peer), async { b.reply(ASK, peer, "Here is your answer.") });
        } else {
            tokio::join!(async { a.reply(ASK, peer, "Answer from A.") }, async {
                b.reply(ASK, peer, "Answer from B.")
            });
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (i, peer) in peers.iter().enumerate() {
        let phases = [a.phase_of(peer), b.phase_of(peer)];
        let elsewhere = phases.iter().filter(|ph| **ph == Some(ChatPhase::Elsewhere)).count();
        assert_eq!(elsewhere, 1, "{peer}: {phases:?}");
        if i % 2 == 0 {
            assert_ne!(phases[1], Some(ChatPhase::Elsewhere), "{peer}: desk B answered, so it keeps the chat");
        }
    }
}

/// The desk that would win a tie sees the other desk's claim first, and only then its librarian
/// types: the chat has gone already, so that typing is not sent (it would make the other desk let
/// go too, leaving the patron with nobody: seen once in 200 races before this was fixed).
#[tokio::test]
async fn a_desk_that_let_a_chat_go_does_not_claim_it_back_by_typing() {
    let (p, a, b, _dirs) = two_desks().await;
    p.register("latecomer", "late-secret").unwrap();
    let (_sessions, peers) = questions_at_both(&p, &a, &b, &["latecomer".to_owned()], "late-secret").await;
    let peer = &peers[0];
    let (first, second) = if a.resource() < b.resource() { (&a, &b) } else { (&b, &a) };
    second.start_typing(peer).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while first.phase_of(peer) != Some(ChatPhase::Elsewhere) {
        assert!(tokio::time::Instant::now() < deadline, "the first desk never saw the other's claim");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.start_typing(peer).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(first.phase_of(peer), Some(ChatPhase::Elsewhere));
    assert!(
        second.phase_of(peer).is_some_and(|ph| ph != ChatPhase::Elsewhere),
        "the desk that claimed first keeps the chat: {:?}",
        second.phase_of(peer)
    );
}

/// Three desks on the account: Anna hands the chat to Carla; Bob's desk, which only watched,
/// follows who has it and never takes it into its own line.
#[tokio::test]
async fn with_three_desks_the_third_follows_the_handoff_and_leaves_the_chat_alone() {
    let (p, mut anna, mut bob, dirs) = two_desks().await;
    let carla_dir = tempfile::tempdir().unwrap();
    let mut carla = signed_in_desk(&p, carla_dir.path()).await;
    for (d, name) in [(&anna, "Anna"), (&bob, "Bob"), (&carla, "Carla")] {
        d.call_myself(name, "").await;
    }
    for d in [&mut anna, &mut bob, &mut carla] {
        d.until_snapshot("all three desks listed", |s| s.colleagues.iter().filter(|c| !c.name.is_empty()).count() == 2)
            .await;
    }
    let mut patron1 = patron(&p).await;
    patron1.send_message(ASK, "who can help with local history?").await.unwrap();
    for d in [&mut anna, &mut bob, &mut carla] {
        d.until_message("the question", |m| m.incoming).await;
    }
    anna.reply(ASK, PATRON, "Let me find our local history librarian.");
    bob.until_snapshot("Bob sees Anna has it", |s| s.chats.iter().any(|c| c.desk.as_deref() == Some("Anna"))).await;

    let carla_resource = carla.resource();
    anna.desk.lock().unwrap().offer_chat(PATRON, &carla_resource, "1900s town records", Utc::now()).unwrap();
    anna.kick.notify_one();
    let offer = carla.until_snapshot("the offer at Carla's", |s| s.handoffs.iter().any(|h| h.incoming)).await;
    assert!(bob.offers().is_empty(), "the offer went to Carla's desk only");
    carla.desk.lock().unwrap().answer_offer(&offer.handoffs[0].id, true, Utc::now()).unwrap();
    carla.kick.notify_one();
    carla
        .until_snapshot("Carla has it", |s| s.chats.iter().any(|c| c.peer == PATRON && c.phase == ChatPhase::Active))
        .await;
    carla.reply(ASK, PATRON, "Carla here, I can help.");
    bob.until_snapshot("Bob sees Carla has it", |s| s.chats.iter().any(|c| c.desk.as_deref() == Some("Carla"))).await;

    // The patron hears Anna, the handoff, then Carla, and nobody else.
    let got = bodies(&mut patron1, Duration::from_secs(1)).await;
    assert_eq!(
        got,
        [
            "Let me find our local history librarian.",
            "I'm passing you to Carla, one moment please.",
            "Carla here, I can help."
        ]
    );
    patron1.send_message(ASK, "great, thanks").await.unwrap();
    bob.until_message("the follow-up at Bob's", |m| m.body == "great, thanks").await;
    let snap = bob.desk.lock().unwrap().snapshot(Utc::now()).unwrap();
    assert!(snap.queue.is_empty() && snap.chats.iter().all(|c| c.phase == ChatPhase::Elsewhere), "{snap:?}");
    assert_eq!(anna.phase_of(PATRON), Some(ChatPhase::Elsewhere));
    drop(dirs);
}
