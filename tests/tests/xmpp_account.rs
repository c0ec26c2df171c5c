//! The account runner against a real Prosody: stays signed in across a server restart, stops for good
//! on a wrong password, and hands incoming messages over.

use std::time::Duration;

use refdesk_core::api::AccountState;
use refdesk_core::xmpp::account::{run, AccountCommand, AccountEvent};
use refdesk_core::xmpp::{connect, AccountConfig, Incoming};
use refdesk_testkit::{Prosody, ProsodyConfig};
use tokio::sync::{mpsc, watch};

fn config(p: &Prosody, user: &str) -> AccountConfig {
    p.client_config(user)
}

/// Waits for the next status event in `want` (skipping messages and other states).
async fn until_state(rx: &mut mpsc::Receiver<AccountEvent>, want: AccountState) -> Option<String> {
    tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match rx.recv().await.expect("the runner is still running") {
                AccountEvent::Status(s) if s.state == want => return s.message,
                _ => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never reached {want:?}"))
}

#[tokio::test]
async fn a_wrong_password_fails_once_and_does_not_retry() {
    let dir = tempfile::tempdir().unwrap();
    let p = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    p.register("ask", "right").unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    let (_stop_tx, stop) = watch::channel(false);
    let (_cmd_tx, cmds) = mpsc::channel(8);
    let task = tokio::spawn(run(
        config(&p, "ask"),
        "wrong".into(),
        "Ask a librarian".into(),
        tx,
        cmds,
        stop,
        watch::channel(()).1,
    ));
    let msg = until_state(&mut rx, AccountState::Failed).await.unwrap();
    assert!(msg.contains("wrong user name or password"), "{msg}");
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("the runner gives up").unwrap();
    // Prosody logs each encrypted client stream at info level (the test kit's readiness probe
    // connects without TLS, so it does not count): one attempt, not a retry loop.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let attempts = p.log().matches("Stream encrypted").count();
    assert_eq!(attempts, 1, "connections made with the wrong password:\n{}", p.log());
}

#[tokio::test]
async fn messages_arrive_and_a_server_restart_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    p.register("ask", "ask-secret").unwrap();
    p.register("patron1", "patron-secret").unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let (stop_tx, stop) = watch::channel(false);
    let (cmd_tx, cmds) = mpsc::channel(8);
    let task = tokio::spawn(run(
        config(&p, "ask"),
        "ask-secret".into(),
        "Ask a librarian".into(),
        tx,
        cmds,
        stop,
        watch::channel(()).1,
    ));
    until_state(&mut rx, AccountState::Online).await;

    let mut patron = connect(&config(&p, "patron1"), "patron-secret").await.unwrap();
    patron.send_message("ask@library.test", "is the library open late tonight?").await.unwrap();
    let body = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(AccountEvent::Message(m)) = rx.recv().await {
                if let Some(b) = m.body {
                    return b;
                }
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(body, "is the library open late tonight?");
    drop(patron);

    // The server goes down: the desk says it is reconnecting, then comes back by itself.
    p.stop();
    until_state(&mut rx, AccountState::Reconnecting).await;
    // A reply asked for while offline waits, and goes out once the account is back.
    cmd_tx
        .send(AccountCommand::Send {
            to: "patron1@library.test".into(),
            id: "rd-offline-1".into(),
            body: "back online".into(),
            auto: false,
        })
        .await
        .unwrap();
    p.restart().unwrap();
    until_state(&mut rx, AccountState::Online).await;
    let sent = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(AccountEvent::Sent { id }) = rx.recv().await {
                return id;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(sent, "rd-offline-1", "sent under the id it was stored with");

    stop_tx.send(true).unwrap();
    until_state(&mut rx, AccountState::SignedOut).await;
    tokio::time::timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}

/// Resumes a stopped process when dropped, so a failing test never leaves the server frozen.
struct Frozen(u32);

impl Frozen {
    fn new(pid: u32) -> Frozen {
        // SAFETY: kill(2) with a pid we own and a standard signal; no memory is involved.
        assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGSTOP) }, 0);
        Frozen(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::kill(self.0 as libc::pid_t, libc::SIGCONT) };
    }
}

#[tokio::test]
async fn a_server_that_stops_answering_is_noticed_by_pings_and_the_desk_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let p = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    p.register("ask", "ask-secret").unwrap();
    let cfg =
        AccountConfig { keepalive: Duration::from_secs(1), ping_timeout: Duration::from_secs(1), ..config(&p, "ask") };
    let (tx, mut rx) = mpsc::channel(64);
    let (_stop_tx, stop) = watch::channel(false);
    let (_cmd_tx, cmds) = mpsc::channel(8);
    tokio::spawn(run(cfg, "ask-secret".into(), "Ask a librarian".into(), tx, cmds, stop, watch::channel(()).1));
    until_state(&mut rx, AccountState::Online).await;
    // Quiet but alive: pings are answered and the desk stays online.
    tokio::time::sleep(Duration::from_secs(3)).await;
    while let Ok(ev) = rx.try_recv() {
        assert!(!matches!(ev, AccountEvent::Status(ref s) if s.state != AccountState::Online), "{ev:?}");
    }
    // The server freezes: the TCP connection stays open, nothing answers. Only pings can tell.
    let frozen = Frozen::new(p.pid());
    until_state(&mut rx, AccountState::Reconnecting).await;
    drop(frozen);
    until_state(&mut rx, AccountState::Online).await;
}

/// The next event matching `pred`, with every event seen on the way.
async fn until_event(
    rx: &mut mpsc::Receiver<AccountEvent>,
    what: &str,
    seen: &mut Vec<AccountEvent>,
    pred: impl Fn(&AccountEvent) -> bool,
) -> AccountEvent {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let ev = rx.recv().await.expect("the runner is still running");
            if pred(&ev) {
                return ev;
            }
            seen.push(ev);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never saw {what}; saw {seen:#?}"))
}

fn body_of(ev: &AccountEvent) -> Option<&str> {
    match ev {
        AccountEvent::Message(m) => m.body.as_deref(),
        _ => None,
    }
}

#[tokio::test]
async fn a_dropped_link_is_resumed_and_what_was_in_flight_either_way_arrives_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    p.register("ask", "ask-secret").unwrap();
    p.register("patron1", "patron-secret").unwrap();
    let proxy = refdesk_testkit::Proxy::start(p.c2s_port).unwrap();
    dropped_links_resume(p.client_config_via("ask", &proxy), config(&p, "patron1"), &proxy).await;
}

/// The same against ejabberd, whose stream management is its own implementation.
#[tokio::test]
async fn ejabberd_resumes_a_dropped_link_and_what_was_in_flight_arrives_once() {
    assert!(refdesk_testkit::ejabberd::installed(), "ejabberd is not installed: run scripts/setup.sh");
    let dir = tempfile::tempdir().unwrap();
    let e = refdesk_testkit::ejabberd::Ejabberd::start(dir.path()).unwrap();
    e.register("ask", "ask-secret").unwrap();
    e.register("patron1", "patron-secret").unwrap();
    let proxy = refdesk_testkit::Proxy::start(e.c2s_port).unwrap();
    let via = refdesk_core::xmpp::AccountConfig {
        port: Some(proxy.port),
        keepalive: Duration::from_secs(1),
        ping_timeout: Duration::from_secs(1),
        ..e.client_config("ask")
    };
    dropped_links_resume(via, e.client_config("patron1"), &proxy).await;
}

/// The desk's account (`desk`, through `proxy`) loses its link three times; a patron (`patron`)
/// writes meanwhile: each time the stream is resumed and nothing is lost or doubled.
async fn dropped_links_resume(
    desk: refdesk_core::xmpp::AccountConfig,
    patron: refdesk_core::xmpp::AccountConfig,
    proxy: &refdesk_testkit::Proxy,
) {
    let (tx, mut rx) = mpsc::channel(64);
    let (_stop_tx, stop) = watch::channel(false);
    let (cmd_tx, cmds) = mpsc::channel(8);
    tokio::spawn(run(desk, "ask-secret".into(), "Ask a librarian".into(), tx, cmds, stop, watch::channel(()).1));
    until_state(&mut rx, AccountState::Online).await;
    let mut patron = connect(&patron, "patron-secret").await.unwrap();
    patron.send_presence(refdesk_core::xmpp::Show::Available, None).await.unwrap();

    // The link goes quiet: a reply the desk writes and a question the server forwards both vanish
    // into it, and then it breaks.
    proxy.go_silent();
    let reply = AccountCommand::Send {
        to: "patron1@library.test".into(),
        id: "rd-1".into(),
        body: "one moment".into(),
        auto: false,
    };
    cmd_tx.send(reply).await.unwrap();
    patron.send_message("ask@library.test", "are you there?").await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut seen = Vec::new();
    proxy.cut();
    until_event(&mut rx, "the resumed stream", &mut seen, |e| matches!(e, AccountEvent::Resumed)).await;
    assert!(
        !seen.iter().any(|e| matches!(e, AccountEvent::Sent { .. }) || body_of(e).is_some()),
        "nothing counts as sent or received over the dead link: {seen:#?}"
    );
    until_state(&mut rx, AccountState::Online).await;
    // No archive query was made: the resumed stream itself hands over what the dead link swallowed.
    let first = until_event(&mut rx, "the question", &mut seen, |e| body_of(e).is_some()).await;
    assert_eq!(body_of(&first), Some("are you there?"));
    until_event(
        &mut rx,
        "the reply acknowledged",
        &mut seen,
        |e| matches!(e, AccountEvent::Sent { id } if id == "rd-1"),
    )
    .await;
    let mut got = Vec::new();
    while let Ok(Ok(ev)) = tokio::time::timeout(Duration::from_secs(2), patron.next()).await {
        if let refdesk_core::xmpp::Incoming::Message(m) = ev {
            got.extend(m.body);
        }
    }
    assert_eq!(got, vec!["one moment".to_owned()], "the patron gets the reply once");

    // Not stored yet (no `Stored` told): the next resume hands the question over again…
    let AccountEvent::Message(m) = first else { unreachable!() };
    let seq = m.stream_seq.expect("a managed stream numbers what it delivers");
    proxy.cut();
    until_event(&mut rx, "the second resume", &mut seen, |e| matches!(e, AccountEvent::Resumed)).await;
    let again = until_event(&mut rx, "the question again", &mut seen, |e| body_of(e).is_some()).await;
    assert_eq!(body_of(&again), Some("are you there?"), "an unstored message is not acknowledged");
    let AccountEvent::Message(again) = again else { unreachable!() };
    // …and once stored, never again.
    cmd_tx.send(AccountCommand::Stored(again.stream_seq.unwrap())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.cut();
    until_event(&mut rx, "the third resume", &mut seen, |e| matches!(e, AccountEvent::Resumed)).await;
    until_state(&mut rx, AccountState::Online).await;
    let mut after = Vec::new();
    while let Ok(Some(ev)) = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await {
        after.push(ev);
    }
    assert!(!after.iter().any(|e| body_of(e).is_some()), "a stored message came back: {after:#?}");
    assert!(seq >= 1);
    assert_eq!(proxy.connections(), 4, "one sign-in and three resumes");
}

/// Reading the server races the desk's commands: a stanza half read when a command wins the race
/// must not lose its bytes. (It did: under load a cut-off read dropped part of a tag or a body,
/// which broke the stream and forced a reconnect every second.) Large messages over a link that
/// delivers them in small pieces make "half read" the common case.
#[tokio::test]
async fn a_stream_read_in_pieces_between_commands_loses_nothing_and_stays_connected() {
    const N: usize = 60;
    let dir = tempfile::tempdir().unwrap();
    let p = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    p.register("ask", "ask-secret").unwrap();
    p.register("patron1", "patron-secret").unwrap();
    let proxy = refdesk_testkit::Proxy::start(p.c2s_port).unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let (_stop_tx, stop) = watch::channel(false);
    let (cmd_tx, cmds) = mpsc::channel(512);
    let cfg = AccountConfig { port: Some(proxy.port), ..config(&p, "ask") };
    tokio::spawn(run(cfg, "ask-secret".into(), "Ask a librarian".into(), tx, cmds, stop, watch::channel(()).1));
    until_state(&mut rx, AccountState::Online).await;
    proxy.trickle(true);
    let mut patron = connect(&config(&p, "patron1"), "patron-secret").await.unwrap();
    let body = |i: usize| format!("question {i}: {}", "where are the county maps kept? ".repeat(300 + 37 * i));
    let sender = tokio::spawn(async move {
        for i in 0..N {
            patron.send_message("ask@library.test", &body(i)).await.unwrap();
        }
        patron
    });
    let mut got = Vec::new();
    let mut other = Vec::new();
    // Commands all the while: each message confirmed, and a ping to the runner's command queue
    // between them, so commands keep winning races against reads that are half done.
    let nudger = {
        let cmd_tx = cmd_tx.clone();
        tokio::spawn(async move {
            loop {
                let show = refdesk_core::xmpp::Show::Available;
                if cmd_tx.send(AccountCommand::Presence { show, status: "busy desk".into() }).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };
    tokio::time::timeout(Duration::from_secs(90), async {
        while got.len() < N {
            match rx.recv().await.expect("the runner is still running") {
                AccountEvent::Message(m) => {
                    if let Some(seq) = m.stream_seq {
                        cmd_tx.send(AccountCommand::Stored(seq)).await.unwrap();
                    }
                    got.extend(m.body);
                }
                ev => other.push(ev),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("only {} of {N} arrived; other events: {other:#?}", got.len()));
    nudger.abort();
    drop(sender.await.unwrap());
    assert!(
        !other.iter().any(|e| matches!(e, AccountEvent::Status(s) if s.state != AccountState::Online)),
        "the connection was lost on the way: {other:#?}"
    );
    for (i, b) in got.iter().enumerate() {
        assert!(*b == body(i), "message {i} came changed: {} bytes instead of {}", b.len(), body(i).len());
    }
    assert_eq!(proxy.connections(), 1, "never reconnected");
}

/// The machine wakes (or its network comes back) with a link that died while it slept: the desk
/// asks the server at once and, without an answer, reconnects and gets what was sent meanwhile,
/// instead of waiting out its keepalive (ten minutes here). A live link just answers and stays.
#[tokio::test]
async fn a_wake_up_checks_the_link_at_once_and_replaces_a_dead_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    p.register("ask", "ask-secret").unwrap();
    p.register("patron1", "patron-secret").unwrap();
    let proxy = refdesk_testkit::Proxy::start(p.c2s_port).unwrap();
    let cfg = AccountConfig {
        keepalive: Duration::from_secs(600),
        ping_timeout: Duration::from_secs(600),
        ..p.client_config_via("ask", &proxy)
    };
    let (tx, mut rx) = mpsc::channel(64);
    let (_stop_tx, stop) = watch::channel(false);
    let (_cmd_tx, cmds) = mpsc::channel(8);
    let (wake, woken) = watch::channel(());
    tokio::spawn(run(cfg, "ask-secret".into(), "Ask a librarian".into(), tx, cmds, stop, woken));
    until_state(&mut rx, AccountState::Online).await;
    let mut patron = connect(&config(&p, "patron1"), "patron-secret").await.unwrap();
    patron.send_presence(refdesk_core::xmpp::Show::Available, None).await.unwrap();

    // Awake with a live link: the server answers the check and nothing changes.
    wake.send(()).unwrap();
    tokio::time::sleep(Duration::from_secs(7)).await;
    while let Ok(ev) = rx.try_recv() {
        assert!(!matches!(ev, AccountEvent::Status(ref s) if s.state != AccountState::Online), "{ev:?}");
    }
    assert_eq!(proxy.connections(), 1);

    // Asleep: the link went dead without a word. Nothing is sent on it, so neither side would
    // notice for ten minutes; the wake-up makes the desk ask, and give up on it.
    proxy.go_silent();
    wake.send(()).unwrap();
    let mut seen = Vec::new();
    until_event(
        &mut rx,
        "the dead link given up",
        &mut seen,
        |e| matches!(e, AccountEvent::Status(s) if s.state != AccountState::Online),
    )
    .await;
    // A patron wrote meanwhile (the server still sends into the old link). New links go through
    // again; the dead one stays dead.
    patron.send_message("ask@library.test", "anyone there after lunch?").await.unwrap();
    proxy.cut();
    let got = until_event(&mut rx, "the question sent while asleep", &mut seen, |e| body_of(e).is_some()).await;
    assert_eq!(body_of(&got), Some("anyone there after lunch?"));
    assert!(proxy.connections() >= 2, "a new link was made");
    assert!(seen.iter().any(|e| matches!(e, AccountEvent::Status(s) if s.state == AccountState::Online)), "{seen:#?}");
}

/// What the OS says on its bus (logind's PrepareForSleep, NetworkManager's StateChanged, here on a
/// private bus) pokes the accounts on waking and on getting connected, and on nothing else: not on
/// going to sleep, not on a network going down, not on a malformed signal from anyone on the bus.
#[tokio::test]
async fn waking_up_or_getting_connected_pokes_the_accounts_and_nothing_else_does() {
    let bus = refdesk_testkit::bus::PrivateBus::start().unwrap();
    let connect = || async { zbus::connection::Builder::address(bus.address.as_str()).unwrap().build().await.unwrap() };
    let listener = connect().await;
    let (tx, mut pokes) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        refdesk_core::wake::listen_on(&listener, move || {
            let _ = tx.send(());
        })
        .await
    });
    let os = connect().await;
    let sleep = |start: bool| {
        let os = os.clone();
        async move {
            os.emit_signal(
                None::<()>,
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                &start,
            )
            .await
            .unwrap()
        }
    };
    let network = |state: u32| {
        let os = os.clone();
        async move {
            os.emit_signal(None::<()>, "/org/freedesktop", "org.freedesktop.NetworkManager", "StateChanged", &state)
                .await
                .unwrap()
        }
    };
    // The listener subscribes in its own time: wake it until it hears.
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            sleep(false).await;
            if tokio::time::timeout(Duration::from_millis(200), pokes.recv()).await.is_ok() {
                return;
            }
        }
    })
    .await
    .expect("the listener hears the bus");
    tokio::time::sleep(Duration::from_millis(300)).await;
    while pokes.try_recv().is_ok() {}

    sleep(true).await;
    network(20).await; // disconnected
    network(50).await; // connected, local only
    os.emit_signal(None::<()>, "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep", &"yes")
        .await
        .unwrap();
    network(70).await; // connected, with a route out
    sleep(false).await;
    let mut n = 0;
    while n < 2 {
        tokio::time::timeout(Duration::from_secs(10), pokes.recv()).await.expect("two pokes").unwrap();
        n += 1;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(pokes.try_recv().is_err(), "only waking and getting connected poke the accounts");
}

/// Starts the account runner for `cfg`; returns its events, commands and stop switch.
fn start_runner(
    cfg: AccountConfig,
    password: &str,
) -> (mpsc::Receiver<AccountEvent>, mpsc::Sender<AccountCommand>, watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(64);
    let (stop_tx, stop) = watch::channel(false);
    let (cmd_tx, cmds) = mpsc::channel(8);
    let task = tokio::spawn(run(cfg, password.into(), "Ask a librarian".into(), tx, cmds, stop, watch::channel(()).1));
    (rx, cmd_tx, stop_tx, task)
}

/// The next presence from the library's account on `s` that `want` accepts.
async fn library_presence(
    s: &mut refdesk_core::xmpp::Session,
    want: impl Fn(&refdesk_core::xmpp::PresenceUpdate) -> bool,
) {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Incoming::Presence(p) = s.next().await.unwrap() {
                if p.from.starts_with("ask@") && want(&p) {
                    return;
                }
            }
        }
    })
    .await
    .expect("the library's presence as wanted");
}

/// Patrons put the library's screen name on their buddy list so "they know when we're online":
/// under "everyone" (the default) anyone's request is allowed and they see the desk go away and
/// sign out; under "listed" only contacts on the account's roster are, and the others are told no.
#[tokio::test]
async fn a_patron_who_adds_the_library_sees_the_desk_come_and_go_as_the_policy_allows() {
    use refdesk_core::xmpp::roster::Buddies;
    use refdesk_core::xmpp::Show;

    let dir = tempfile::tempdir().unwrap();
    let p = Prosody::start(&ProsodyConfig::new(dir.path())).unwrap();
    p.register("ask", "ask-secret").unwrap();
    for u in ["ana", "ben", "cas", "dan", "eve"] {
        p.register(u, "patron-secret").unwrap();
    }
    let patron = |u: &'static str| {
        let cfg = config(&p, u);
        async move {
            let mut s = connect(&cfg, "patron-secret").await.unwrap();
            // (An interested resource: the server pushes its roster's changes to it.)
            s.request_roster().await.unwrap();
            s.send_presence(Show::Available, None).await.unwrap();
            s
        }
    };

    // Everyone: Ana adds the library and sees the desk open, then away, then gone.
    let (mut rx, cmds, stop, task) = start_runner(config(&p, "ask"), "ask-secret");
    until_state(&mut rx, AccountState::Online).await;
    let mut ana = patron("ana").await;
    ana.request_subscription("ask@library.test").await.unwrap();
    library_presence(&mut ana, |p| p.available && p.show.is_none()).await;
    cmds.send(AccountCommand::Presence { show: Show::Away, status: "Helping someone at the desk".into() })
        .await
        .unwrap();
    library_presence(&mut ana, |p| p.show.as_deref() == Some("away")).await;
    stop.send(true).unwrap();
    library_presence(&mut ana, |p| !p.available).await;
    task.await.unwrap();

    // Listed: Ben is not on the library's roster and is told no; Cas is, and is allowed.
    let mut admin = refdesk_testkit::roster::admin_session(&p, "ask", "ask-secret").await;
    refdesk_testkit::roster::name_contact(&mut admin, "cas@library.test", "Cas (book club)", &[]).await;
    let cfg = AccountConfig { buddies: Buddies::Listed, ..config(&p, "ask") };
    let (mut rx, _cmds, stop, task) = start_runner(cfg, "ask-secret");
    until_state(&mut rx, AccountState::Online).await;
    let mut ben = patron("ben").await;
    ben.request_subscription("ask@library.test").await.unwrap();
    assert_eq!(refdesk_testkit::roster::library_subscription(&mut ben).await, "none", "refused");
    let mut cas = patron("cas").await;
    cas.request_subscription("ask@library.test").await.unwrap();
    assert_eq!(refdesk_testkit::roster::library_subscription(&mut cas).await, "to", "allowed");
    library_presence(&mut cas, |p| p.available).await;
    stop.send(true).unwrap();
    task.await.unwrap();

    // Ask: Dan and Eve are not listed, so the librarian is asked; Dan is allowed, Eve is not.
    let cfg = AccountConfig { buddies: Buddies::Ask, ..config(&p, "ask") };
    let (mut rx, cmds, stop, task) = start_runner(cfg, "ask-secret");
    until_state(&mut rx, AccountState::Online).await;
    for (who, allow) in [("dan", true), ("eve", false)] {
        let mut s = patron(who).await;
        s.request_subscription("ask@library.test").await.unwrap();
        let from = format!("{who}@library.test");
        let asked = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                match rx.recv().await {
                    Some(AccountEvent::BuddyRequest { from: f }) if f == from => return true,
                    Some(_) => {}
                    None => return false,
                }
            }
        })
        .await;
        assert_eq!(asked, Ok(true), "the librarian is asked about {who}");
        cmds.send(AccountCommand::AnswerBuddy { to: from, allow }).await.unwrap();
        let want = if allow { "to" } else { "none" };
        assert_eq!(refdesk_testkit::roster::library_subscription(&mut s).await, want, "{who}");
        if allow {
            library_presence(&mut s, |p| p.available).await;
        }
    }
    stop.send(true).unwrap();
    task.await.unwrap();
}
