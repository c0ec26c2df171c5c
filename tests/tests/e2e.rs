//! End to end: the real app in a real WebKit webview, driven through tauri-driver, checked in its database.
//!
//! Run by scripts/test-e2e.sh (Xvfb, a D-Bus session, a release-like build); needs `REFDESK_APP`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use refdesk_core::Desk;
use refdesk_testkit::artifacts;
use refdesk_testkit::notifications::NotificationDaemon;
use refdesk_testkit::tray::{decode_png, TrayHost, TrayItem};
use refdesk_testkit::webdriver::{Session, TauriDriver};

/// The app is single-instance per desktop session: tests take turns.
static ONE_APP_AT_A_TIME: Mutex<()> = Mutex::new(());
const WAIT: Duration = Duration::from_secs(20);

fn app_path() -> PathBuf {
    let p = PathBuf::from(std::env::var("REFDESK_APP").expect("REFDESK_APP names the built app (scripts/test-e2e.sh)"));
    assert!(p.is_file(), "REFDESK_APP={} is not a file", p.display());
    p
}

struct Running {
    // Field order matters: the session ends before the driver goes.
    session: Session,
    _driver: TauriDriver,
}

fn launch(data_dir: &Path) -> Running {
    launch_with(&[("REFDESK_DATA_DIR", data_dir)])
}

/// The session's notification daemon, for every app this test run starts: owning the name before
/// the first app does keeps D-Bus from starting a real daemon in its place.
fn notifications() -> &'static NotificationDaemon {
    static DAEMON: OnceLock<NotificationDaemon> = OnceLock::new();
    DAEMON.get_or_init(|| {
        NotificationDaemon::start().expect("the test notification daemon owns the name on the session bus")
    })
}

/// The session's tray (a StatusNotifierWatcher), so the app's tray icon and menu can be read.
fn tray_host() -> &'static TrayHost {
    static HOST: OnceLock<TrayHost> = OnceLock::new();
    HOST.get_or_init(|| TrayHost::start().expect("the test tray owns the watcher name on the session bus"))
}

fn launch_with(env: &[(&str, &Path)]) -> Running {
    launch_with_args(env, &[])
}

fn launch_with_args(env: &[(&str, &Path)], args: &[&str]) -> Running {
    notifications();
    tray_host();
    // tauri-driver once refused the session right after listening (a loaded CI machine): that is
    // the harness, not the app, so a fresh driver gets two more tries. An app that fails to start
    // fails all three.
    let mut last = None;
    for _ in 0..3 {
        let driver = TauriDriver::start(env).expect("tauri-driver starts");
        match driver.launch_with_args(&app_path(), args) {
            Ok(session) => return Running { session, _driver: driver },
            Err(e) if e.0.contains("Connection refused") => last = Some(e),
            Err(e) => panic!("the app starts in a WebDriver session: {e:?}"),
        }
    }
    panic!("the app starts in a WebDriver session: {last:?}")
}

#[test]
fn the_walkup_button_records_a_walkup_in_the_database() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let app = launch(data.path());
    let s = &app.session;

    assert_eq!(s.title().unwrap(), "Refdesk");
    s.wait_for_text("[data-testid=desk-state]", WAIT, |t| t == "Available").unwrap();
    let topic = s.find("input[aria-label^='Walk-up topic']").unwrap();
    s.send_keys(&topic, "census records").unwrap();
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();

    let timer = s.wait_for_text("[data-testid=walkup-timer]", WAIT, |t| t.starts_with("With patron")).unwrap();
    assert!(timer.contains("census records"), "timer shows the topic: {timer}");
    s.wait_for_text("[data-testid=desk-state]", WAIT, |t| t == "With a patron at the desk").unwrap();
    s.save_screenshot(&artifacts().join("e2e-walkup.png"));

    let desk = Desk::open(&data.path().join("refdesk.db")).unwrap();
    let w = desk.store().active_walkup().unwrap().expect("the walk-up is in the database");
    assert_eq!(w.topic.as_deref(), Some("census records"));
    assert!(w.ended_at.is_none());

    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=walkup-button]", WAIT, |t| t.starts_with("Walk-up patron")).unwrap();
    s.wait_for_text("[data-testid=walkups-today]", WAIT, |t| t.ends_with(": 1")).unwrap();
    assert!(desk.store().active_walkup().unwrap().is_none(), "the walk-up ended in the database");
    let all = desk.walkups_between(w.started_at, w.started_at + chrono::Duration::hours(1)).unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].ended_at.is_some());
}

#[test]
fn the_presence_chosen_in_the_window_is_kept() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let app = launch(data.path());
    let s = &app.session;
    s.wait_for_text("[data-testid=desk-state]", WAIT, |t| t == "Available").unwrap();
    s.click(&s.find("[data-testid=presence]").unwrap()).unwrap();
    s.click(&s.find("[data-testid=presence] option[value=away]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=desk-state]", WAIT, |t| t == "Away").unwrap();
    let desk = Desk::open(&data.path().join("refdesk.db")).unwrap();
    assert_eq!(desk.presence().unwrap(), refdesk_core::api::Presence::Away);
}

#[test]
fn a_damaged_database_offers_a_fresh_start_and_keeps_the_old_file() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let junk = b"Patron sign-in sheet, not a database\n".repeat(100);
    std::fs::write(data.path().join("refdesk.db"), &junk).unwrap();
    let app = launch(data.path());
    let s = &app.session;

    let problem = s.wait_for_text("[data-testid=store-problem]", WAIT, |t| t.contains("cannot open")).unwrap();
    assert!(problem.contains("damaged"), "the message says what is wrong: {problem}");
    s.save_screenshot(&artifacts().join("e2e-damaged-db.png"));
    s.click(&s.find("[data-testid=start-fresh]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=walkup-button]", WAIT, |t| t.starts_with("Walk-up patron")).unwrap();

    let kept: Vec<_> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("refdesk.db.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "exactly one kept file: {kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), junk, "the old file is kept byte for byte");
    Desk::open(&data.path().join("refdesk.db")).expect("the fresh database opens");
}

#[test]
fn a_second_launch_leaves_the_first_window_running() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let app = launch(data.path());
    let s = &app.session;
    s.wait_for("[data-testid=walkup-button]", WAIT).unwrap();

    let mut second = Command::new(app_path()).env("REFDESK_DATA_DIR", data.path()).spawn().unwrap();
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(st) = second.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch kept running instead of handing over to the first");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the second launch exits cleanly: {status}");
    // The first instance still answers and still works.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
}

fn demo_file(dir: &Path, p: &refdesk_testkit::Prosody, password: &str) -> PathBuf {
    use refdesk_core::xmpp::demo::DemoAccount;
    let info = p.demo_info(vec![DemoAccount {
        jid: format!("ask@{}", p.domain),
        password: password.into(),
        role: "shared".into(),
    }]);
    let path = dir.join(format!("demo-{password}.json"));
    std::fs::write(&path, serde_json::to_string(&info).unwrap()).unwrap();
    path
}

/// A private Prosody with ask@ (and patron1@), a temp data dir, and the app signed in to ask@.
struct SignedIn {
    app: Running,
    prosody: refdesk_testkit::Prosody,
    data: tempfile::TempDir,
    demo: PathBuf,
    // Kept for its lifetime: the server's files live here until the test ends.
    _server_dir: tempfile::TempDir,
}

fn signed_in_desk(password_in_demo_file: &str) -> SignedIn {
    signed_in_desk_with(password_in_demo_file, &[])
}

fn signed_in_desk_with(password_in_demo_file: &str, env: &[(&str, &Path)]) -> SignedIn {
    let server_dir = tempfile::tempdir().unwrap();
    let prosody = refdesk_testkit::Prosody::start(&refdesk_testkit::ProsodyConfig::new(server_dir.path())).unwrap();
    prosody.register("ask", "ask-secret").unwrap();
    prosody.register("patron1", "patron-secret").unwrap();
    let data = tempfile::tempdir().unwrap();
    let demo = demo_file(server_dir.path(), &prosody, password_in_demo_file);
    let mut all_env = vec![("REFDESK_DATA_DIR", data.path()), ("REFDESK_DEMO", demo.as_path())];
    all_env.extend_from_slice(env);
    let app = launch_with(&all_env);
    SignedIn { app, prosody, data, demo, _server_dir: server_dir }
}

/// patron1@ signed in to the desk's server, as a patron's own chat client would be.
fn patron(rt: &tokio::runtime::Runtime, prosody: &refdesk_testkit::Prosody) -> refdesk_core::xmpp::Session {
    use refdesk_core::xmpp::{connect, Show};
    let cfg = prosody.client_config("patron1");
    rt.block_on(async {
        let mut s = connect(&cfg, "patron-secret").await.unwrap();
        s.send_presence(Show::Available, None).await.unwrap();
        s
    })
}

/// The next message with a body the patron receives, skipping `skip` (auto-replies, say).
fn next_message(
    rt: &tokio::runtime::Runtime,
    patron: &mut refdesk_core::xmpp::Session,
    skip: impl Fn(&str) -> bool,
) -> refdesk_core::xmpp::ChatMessage {
    use refdesk_core::xmpp::Incoming;
    rt.block_on(async {
        tokio::time::timeout(WAIT, async {
            loop {
                if let Incoming::Message(m) = patron.next().await.unwrap() {
                    if m.body.as_deref().is_some_and(|b| !skip(b)) {
                        return m;
                    }
                }
            }
        })
        .await
        .expect("the patron hears back")
    })
}

/// The next message body the patron receives, skipping `skip` (auto-replies, say).
fn next_body(
    rt: &tokio::runtime::Runtime,
    patron: &mut refdesk_core::xmpp::Session,
    skip: impl Fn(&str) -> bool,
) -> String {
    next_message(rt, patron, skip).body.unwrap_or_default()
}

#[test]
fn the_desk_signs_in_to_its_im_account_and_says_plainly_when_it_cannot() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = signed_in_desk("ask-secret");
    let text =
        desk.app.session.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    assert_eq!(text, "ask@library.test: online");
    desk.app.session.save_screenshot(&artifacts().join("e2e-signed-in.png"));
    drop(desk);

    let desk = signed_in_desk("wrong-password");
    let text =
        desk.app.session.wait_for_text("[data-testid=account-status]", WAIT, |t| t.contains("not signed in")).unwrap();
    assert!(text.contains("wrong user name or password"), "{text}");
}

#[test]
fn without_a_display_the_app_says_so_plainly_instead_of_panicking() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(app_path())
        .env("REFDESK_DATA_DIR", data.path())
        .env("DISPLAY", ":4242")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("could not open a window: no usable graphical display"), "{err}");
    assert!(!err.contains("panicked at") && !err.contains("stack backtrace"), "{err}");
}

#[test]
fn a_patron_who_writes_during_a_walkup_hears_their_place_in_line_and_is_taken_after_it() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = signed_in_desk("ask-secret");
    let (app, prosody, data) = (&desk.app, &desk.prosody, &desk.data);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();

    // A patron is at the desk.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, prosody);
    rt.block_on(patron1.send_message("ask@library.test", "hi, do you have census records from 1910?")).unwrap();
    let reply = next_body(&rt, &mut patron1, |_| false);
    assert!(reply.contains("number 1 in line"), "auto-reply: {reply}");
    // The window shows the patron in line behind the one at the desk, and their tab as waiting.
    s.wait_for_text("[data-testid=queue]", WAIT, |t| t.contains("patron1")).unwrap();
    let line: Vec<String> =
        s.find_all("[data-testid=queue-item]").unwrap().iter().map(|e| s.text(e).unwrap()).collect();
    assert_eq!(line.len(), 1, "the walk-up is being served, not waiting: {line:?}");
    assert!(line[0].starts_with("1. IM patron1"), "{line:?}");
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t.starts_with("waiting")).unwrap();

    // The walk-up ends: the chat is taken by the desk.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=walkup-button]", WAIT, |t| t.starts_with("Walk-up patron")).unwrap();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    assert!(s.find_all("[data-testid=queue]").unwrap().is_empty(), "no one is waiting any more");
    let desk = Desk::open(&data.path().join("refdesk.db")).unwrap();
    let deadline = Instant::now() + WAIT;
    while desk.store().desk_action_count("chatAssigned").unwrap() == 0 {
        assert!(Instant::now() < deadline, "the chat was never taken after the walk-up");
        std::thread::sleep(Duration::from_millis(100));
    }
    let convo = desk.store().messages_with("ask@library.test", "patron1@library.test").unwrap();
    assert!(convo.iter().any(|m| m.incoming && m.body.contains("census records")), "{convo:?}");
    assert!(convo.iter().any(|m| !m.incoming && m.auto_reply && m.body.contains("number 1 in line")), "{convo:?}");
}

#[test]
fn the_librarian_takes_the_next_chat_during_a_walkup_and_puts_it_on_hold_and_back() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = signed_in_desk("ask-secret");
    let (app, prosody, data) = (&desk.app, &desk.prosody, &desk.data);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    // The name patrons read in automatic replies.
    s.click(&s.find("[data-testid=desk-card-button]").unwrap()).unwrap();
    s.send_keys(&s.wait_for("[data-testid=desk-card-name]", WAIT).unwrap(), "Maria").unwrap();
    s.click(&s.find("[data-testid=desk-card-save]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=desk-card-button]", WAIT, |t| t == "You: Maria").unwrap();

    // A walk-up holds the librarian; a patron's IM waits in line.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, prosody);
    rt.block_on(patron1.send_message("ask@library.test", "is the microfilm reader free?")).unwrap();
    assert!(next_body(&rt, &mut patron1, |_| false).contains("number 1 in line"));
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t.starts_with("waiting")).unwrap();

    // F3 (the "Take next chat" key) takes it while the walk-up goes on, and opens its tab.
    s.wait_for("[data-testid=take-next]", WAIT).unwrap();
    let key = s.execute("return document.querySelector('[data-testid=take-next]').getAttribute('aria-keyshortcuts')");
    assert_eq!(key.unwrap(), "F3", "the button names its key");
    s.send_keys(&s.find("body").unwrap(), "\u{E033}").unwrap();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    assert!(s.find_all("[data-testid=queue]").unwrap().is_empty(), "no one is waiting any more");
    assert!(s.find_all("[data-testid=take-next]").unwrap().is_empty());
    s.wait_for_text(".pane-head .peer", WAIT, |t| t == "patron1@library.test").unwrap();
    s.find("[data-testid=walkup-timer]").expect("the walk-up goes on");

    // Hold: the patron is told once, in the librarian's name; Resume takes it back.
    s.click(&s.wait_for("[data-testid=hold-chat]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t.starts_with("on hold")).unwrap();
    assert_eq!(
        next_body(&rt, &mut patron1, |_| false),
        "Maria is looking into this and will be back with you in a moment."
    );
    s.click(&s.wait_for("[data-testid=resume-chat]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    // The walk-up ends: the chat stays with the librarian, and the reply reaches the patron next
    // (nothing else was said to them in between).
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=walkup-button]", WAIT, |t| t.starts_with("Walk-up patron")).unwrap();
    let composer = s.find("[data-testid=composer]").unwrap();
    s.send_keys(&composer, "Yes, it is free until three.\u{E007}").unwrap();
    assert_eq!(next_body(&rt, &mut patron1, |_| false), "Yes, it is free until three.");
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    let desk = Desk::open(&data.path().join("refdesk.db")).unwrap();
    assert!(desk.store().desk_action_count("chatAssigned").unwrap() >= 1);
}

#[test]
fn a_question_opens_a_tab_the_reply_reaches_the_patron_and_a_draft_survives_a_restart() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    // The librarian's default web browser, as xdg-open finds it (the user's mimeapps.list naming a
    // desktop entry; $BROWSER where none is named): it writes down what it was given. The machine's
    // own default (a browser the tests installed, say) is not asked.
    let browser_dir = tempfile::tempdir().unwrap();
    let browser = browser_dir.path().join("browser.sh");
    let opened = browser_dir.path().join("opened.txt");
    std::fs::write(&browser, format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&browser, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (config_home, data_home) = (browser_dir.path().join("config"), browser_dir.path().join("data"));
    std::fs::create_dir_all(data_home.join("applications")).unwrap();
    std::fs::create_dir_all(&config_home).unwrap();
    std::fs::write(
        data_home.join("applications/test-browser.desktop"),
        format!("[Desktop Entry]\nType=Application\nName=Test browser\nExec={} %u\n", browser.display()),
    )
    .unwrap();
    std::fs::write(
        config_home.join("mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/http=test-browser.desktop\nx-scheme-handler/https=test-browser.desktop\n",
    )
    .unwrap();
    let browser_env =
        [("BROWSER", browser.as_path()), ("XDG_CONFIG_HOME", &config_home), ("XDG_DATA_HOME", &data_home)];
    let SignedIn { app, prosody, data, demo, _server_dir } = signed_in_desk_with("ask-secret", &browser_env);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &prosody);

    // The question opens a tab with one unread message; it does not open by itself, nor take the
    // cursor from where the librarian is typing.
    let focused = "return document.activeElement?.dataset?.testid ?? null";
    s.click(&s.find("[data-testid=walkup-topic]").unwrap()).unwrap();
    assert_eq!(s.execute(focused).unwrap(), "walkup-topic");
    rt.block_on(patron1.send_message("ask@library.test", "Do you have <b>Beloved</b> by Toni Morrison?")).unwrap();
    s.wait_for_text("[data-testid=tab]", WAIT, |t| t.contains("patron1")).unwrap();
    s.wait_for_text("[data-testid=unread]", WAIT, |t| t == "1").unwrap();
    assert!(s.find_all("[data-testid=message]").unwrap().is_empty(), "a new chat does not take over the window");
    assert_eq!(s.execute(focused).unwrap(), "walkup-topic", "a new chat does not take the focus");

    // Choosing the tab puts the cursor in its reply box: typing goes to the patron at once.
    s.click(&s.find("[data-testid=tab]").unwrap()).unwrap();
    wait_until("the reply box has the focus", || s.execute(focused).is_ok_and(|v| v == "composer"));
    // Patron text is shown as typed, markup and all: never as HTML.
    let shown = s.wait_for_text("[data-testid=message]", WAIT, |t| t.contains("Beloved")).unwrap();
    assert!(shown.contains("Do you have <b>Beloved</b> by Toni Morrison?"), "{shown}");
    assert!(s.find_all("[data-testid=message] b").unwrap().is_empty(), "no element made from patron text");
    assert!(s.find_all("[data-testid=unread]").unwrap().is_empty(), "opening the tab reads it");

    // Shift+Enter starts a new line, Enter sends.
    let composer = s.find("[data-testid=composer]").unwrap();
    // (Each call releases its modifiers at the end: Shift is held for the one Enter only.)
    s.send_keys(&composer, "Yes, two copies.").unwrap();
    s.send_keys(&composer, "\u{E008}\u{E007}").unwrap();
    s.send_keys(&composer, "Call number 813.54 MOR.").unwrap();
    s.send_keys(&composer, "\u{E007}").unwrap();
    let got = next_message(&rt, &mut patron1, |_| false);
    assert_eq!(got.body.as_deref(), Some("Yes, two copies.\nCall number 813.54 MOR."));

    // The patron typing shows on their tab, and stops showing when they pause.
    let state = |s: &str| {
        format!(
            "<message to='ask@library.test' type='chat'><{s} xmlns='http://jabber.org/protocol/chatstates'/></message>"
        )
    };
    rt.block_on(patron1.send_raw(&state("composing"))).unwrap();
    s.wait_for_text("[data-testid=tab-typing]", WAIT, |t| t == "typing…").unwrap();
    rt.block_on(patron1.send_raw(&state("paused"))).unwrap();
    wait_until("typing… is gone", || s.find_all("[data-testid=tab-typing]").is_ok_and(|v| v.is_empty()));
    s.wait_for_text("[data-testid=message]:last-child [data-testid=message-status]", WAIT, |t| t == "sent").unwrap();
    // The patron's device confirms it arrived (XEP-0184): the reply shows as delivered.
    assert!(got.receipt_request, "the reply asks for a receipt");
    let receipt = format!(
        "<message to='ask@library.test'><received xmlns='urn:xmpp:receipts' id='{}'/></message>",
        got.id.as_deref().unwrap()
    );
    rt.block_on(patron1.send_raw(&receipt)).unwrap();
    s.wait_for_text("[data-testid=message]:last-child [data-testid=message-status]", WAIT, |t| t == "delivered")
        .unwrap();
    assert_eq!(s.property(&composer, "value").unwrap(), "", "the composer is empty after sending");

    // Closing the chat takes it off the desk's count; the conversation stays to read.
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    s.click(&s.find("[data-testid=close-chat]").unwrap()).unwrap();
    // (A lookup can meet an element being replaced mid-render: that counts as "not yet".)
    wait_until("the chat is closed", || s.find_all("[data-testid=tab-phase]").is_ok_and(|v| v.is_empty()));
    assert!(s.find_all("[data-testid=close-chat]").unwrap().is_empty());
    assert_eq!(s.find_all("[data-testid=message]").unwrap().len(), 2);

    // A half-typed reply is kept in the store and comes back after a restart, with the history.
    // Meanwhile the patron's client is told the librarian is typing.
    s.send_keys(&composer, "They are on the second fl").unwrap();
    let state = rt.block_on(async {
        tokio::time::timeout(WAIT, async {
            loop {
                if let refdesk_core::xmpp::Incoming::Message(m) = patron1.next().await.unwrap() {
                    if m.body.is_none() {
                        if let Some(state) = m.chat_state {
                            return state;
                        }
                    }
                }
            }
        })
        .await
        .expect("the patron hears the librarian typing")
    });
    assert_eq!(state, "composing");
    let db = data.path().join("refdesk.db");
    let deadline = Instant::now() + WAIT;
    while Desk::open(&db).unwrap().conversations().unwrap().first().map(|c| c.draft.clone()).unwrap_or_default()
        != "They are on the second fl"
    {
        assert!(Instant::now() < deadline, "the draft was never kept");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The patron asks again: a chat under way when the app stops is under way when it starts.
    rt.block_on(patron1.send_message("ask@library.test", "And the audiobook?")).unwrap();
    let under_way = |t: &str| t == "with you" || t.starts_with("waiting");
    s.wait_for_text("[data-testid=tab-phase]", WAIT, under_way).unwrap();
    drop(app);
    let mut env = vec![("REFDESK_DATA_DIR", data.path()), ("REFDESK_DEMO", demo.as_path())];
    env.extend_from_slice(&browser_env);
    let app = launch_with(&env);
    let s = &app.session;
    s.wait_for_text("[data-testid=tab-phase]", WAIT, under_way).unwrap();
    s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=messages]", WAIT, |t| t.contains("813.54 MOR") && t.contains("And the audiobook?"))
        .unwrap();
    let composer = s.find("[data-testid=composer]").unwrap();
    assert_eq!(s.property(&composer, "value").unwrap(), "They are on the second fl");
    s.save_screenshot(&artifacts().join("e2e-conversation.png"));

    // A web link is a link that opens in the system's browser after a click; other schemes stay text.
    let text = "record: https://catalog.example.org/record/7. not this: javascript:alert(1)";
    rt.block_on(patron1.send_message("ask@library.test", text)).unwrap();
    s.wait_for_text("[data-testid=message]:last-child", WAIT, |t| t.contains("javascript:alert(1)")).unwrap();
    let links = s.find_all("[data-testid=message]:last-child [data-testid=message-link]").unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(s.property(&links[0], "href").unwrap(), "https://catalog.example.org/record/7");
    assert!(!opened.exists(), "nothing opens before a click");
    s.click(&links[0]).unwrap();
    wait_until("the browser is given the link", || {
        std::fs::read_to_string(&opened).is_ok_and(|t| t == "https://catalog.example.org/record/7\n")
    });
    assert_eq!(s.title().unwrap(), "Refdesk", "the window itself never navigates");

    // The chat restored after the restart closes like any other; the patron keeps their pseudonym
    // across the restart, from a secret kept in the keyring and not in the database.
    s.click(&s.find("[data-testid=close-chat]").unwrap()).unwrap();
    wait_until("the chat is closed", || s.find_all("[data-testid=tab-phase]").is_ok_and(|v| v.is_empty()));
    let desk = Desk::open(&data.path().join("refdesk.db")).unwrap();
    let day = chrono::Duration::days(1);
    let now = chrono::Utc::now();
    let t = desk.store().transcripts_between(now - day, now + day).unwrap();
    assert_eq!(t.len(), 2, "before and after the restart");
    assert_eq!(t[0].patron, t[1].patron);
    assert_eq!(desk.stored_pseudonym_secret().unwrap(), None);
    assert!(desk.pseudonym_secret_in_keyring().unwrap());
}

fn window_state() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/x11-window.py");
    let out = Command::new("/usr/bin/python3").arg(&script).args(["state", "Refdesk"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn wait_window(want: &str) {
    let deadline = Instant::now() + WAIT;
    while window_state() != want {
        assert!(Instant::now() < deadline, "the window never became {want}; it is {}", window_state());
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn close_window() {
    // What the window manager does when the librarian clicks the close button.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/x11-window.py");
    let out = Command::new("/usr/bin/python3").arg(&script).args(["close", "Refdesk"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    wait_window("hidden");
}

#[test]
fn a_question_while_the_window_is_hidden_is_announced_once_with_its_markup_escaped() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let daemon = notifications();
    let policy_dir = tempfile::tempdir().unwrap();
    let policy = policy_dir.path().join("policy.toml");
    std::fs::write(&policy, "[notifications]\nmessageText = true\n").unwrap();
    let desk = signed_in_desk_with("ask-secret", &[("REFDESK_POLICY", &policy)]);
    let s = &desk.app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    wait_window("visible");
    close_window();
    let before = daemon.shown().len();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &desk.prosody);
    rt.block_on(patron1.send_message("ask@library.test", "<b>Is</b> the <a href='x'>library</a> open & free?"))
        .unwrap();
    let n = daemon.wait_for(before, WAIT, |n| n.summary == "IM from patron1").expect("a notification for the question");
    assert_eq!(n.app_name, "Refdesk");
    assert_eq!(n.body, "&lt;b&gt;Is&lt;/b&gt; the &lt;a href=&#39;x&#39;&gt;library&lt;/a&gt; open &amp; free?");
    assert_eq!(n.urgency, Some(1));

    // The same patron writing again straight away is in the window, not in another notification.
    rt.block_on(patron1.send_message("ask@library.test", "hello??")).unwrap();
    s.wait_for_text("[data-testid=unread]", WAIT, |t| t == "2").unwrap();
    let announced = daemon.shown().iter().skip(before).filter(|n| n.summary == "IM from patron1").count();
    assert_eq!(announced, 1, "{:?}", daemon.shown());

    // A click on the notification brings the window back with the patron's chat open.
    assert_eq!(n.actions, [("default".to_owned(), "Open the chat".to_owned())]);
    daemon.click(n.id).unwrap();
    wait_window("visible");
    wait_until("the patron's chat is open", || {
        s.find_all("[data-testid=message]")
            .is_ok_and(|all| all.iter().any(|m| s.text(m).is_ok_and(|t| t.contains("hello??"))))
    });
    wait_until("its messages are read", || s.find_all("[data-testid=unread]").is_ok_and(|u| u.is_empty()));
}

/// With the window in front, a message in a background tab (or a new chat) is announced; one in
/// the chat the librarian is reading is not.
#[test]
fn with_the_window_in_front_only_chats_in_background_tabs_are_announced() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let daemon = notifications();
    let desk = signed_in_desk("ask-secret");
    let s = &desk.app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    wait_window("visible");
    desk.prosody.register("patron2", "patron-secret").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &desk.prosody);
    let mut patron2 =
        rt.block_on(refdesk_core::xmpp::connect(&desk.prosody.client_config("patron2"), "patron-secret")).unwrap();
    let start = daemon.shown().len();
    rt.block_on(patron1.send_message("ask@library.test", "first question")).unwrap();
    let first = daemon.wait_for(start, WAIT, |n| n.summary == "IM from patron1").expect("a new chat is announced");
    let first_at = Instant::now();
    s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=message]", WAIT, |t| t.contains("first question")).unwrap();
    let before = daemon.shown().len();

    // patron2's new chat is in a background tab: announced. Coming soon after patron1's, it updates
    // that notification ("2 patrons wrote") instead of adding one; after a quiet spell it is its own.
    rt.block_on(patron2.send_message("ask@library.test", "another question")).unwrap();
    let sent_after = first_at.elapsed();
    let n = daemon
        .wait_for(before, WAIT, |n| n.summary == "IM from patron2" || n.body.contains("patron2"))
        .expect("the background tab's message is announced");
    if sent_after < Duration::from_secs(8) {
        assert_eq!((n.summary.as_str(), n.body.as_str()), ("2 patrons wrote", "patron1 and patron2"));
        assert!(n.replaced && n.id == first.id, "the burst's notification is updated in place: {n:?} {first:?}");
    } else if sent_after > Duration::from_secs(12) {
        assert!(n.summary == "IM from patron2" && !n.replaced, "{n:?}");
    }
    // patron1 writes again, in the chat on screen (past the per-patron pause): not announced.
    std::thread::sleep(Duration::from_secs(31));
    rt.block_on(patron1.send_message("ask@library.test", "still there?")).unwrap();
    wait_until("the message is on screen", || {
        s.find_all("[data-testid=message]")
            .is_ok_and(|all| all.iter().any(|m| s.text(m).is_ok_and(|t| t.contains("still there?"))))
    });
    std::thread::sleep(Duration::from_millis(500));
    let announced: Vec<String> = daemon.shown().iter().skip(before).map(|n| n.summary.clone()).collect();
    assert_eq!(announced, [n.summary], "the chat on screen is not announced");
}

#[test]
fn closing_the_window_hides_it_to_the_tray_and_launching_again_brings_it_back() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let app = launch(data.path());
    let s = &app.session;
    s.wait_for("[data-testid=walkup-button]", WAIT).unwrap();
    wait_window("visible");

    close_window();
    // Still running, still signed in to its work: the page answers and a walk-up can be recorded.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
    // Hidden in the tray, the page knows it and its clocks stop: no work for nobody to see.
    assert_eq!(s.execute("return document.visibilityState").unwrap(), "hidden");
    let timer_text = || s.execute("return document.querySelector('[data-testid=walkup-timer]').textContent").unwrap();
    let shown = timer_text();
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(timer_text(), shown, "the walk-up timer ticked while the window was hidden");

    // Starting Refdesk again shows the hidden window instead of opening a second one; its clock runs again.
    let status = Command::new(app_path()).env("REFDESK_DATA_DIR", data.path()).status().unwrap();
    assert!(status.success());
    wait_window("visible");
    let deadline = Instant::now() + WAIT;
    while timer_text() == shown {
        assert!(Instant::now() < deadline, "the walk-up timer never ran again: {shown:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_canned_reply_goes_out_and_the_chat_and_a_walkup_are_rated_for_the_statistics() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let policy_dir = tempfile::tempdir().unwrap();
    let policy = policy_dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[desk]\nlibraryName = \"Ford Library\"\n\n[statistics]\ndefaultReadLevel = 2\ntags = [\"genealogy\", \"maps\"]\n\n\
         [glossary.terms]\nILL = \"interlibrary loan\"\n\n\
         [[cannedReplies]]\ntitle = \"Goodbye\"\ntext = \"Bye!\"\n\n\
         [[cannedReplies]]\ntitle = \"Microfilm\"\ntext = \"The microfilm room at {library} is on the second floor.\"\n",
    )
    .unwrap();
    let SignedIn { app, prosody, data, _server_dir, .. } =
        signed_in_desk_with("ask-secret", &[("REFDESK_POLICY", &policy)]);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &prosody);

    rt.block_on(patron1.send_message("ask@library.test", "Where are the 1910 census reels? ruth@home.example"))
        .unwrap();
    s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=message]", WAIT, |t| t.contains("census reels")).unwrap();

    // IM shorthand is explained where it stands, from the built-in glossary and the library's.
    rt.block_on(patron1.send_message("ask@library.test", "ty!! brb, also need an ILL form")).unwrap();
    let marked = "return [...document.querySelectorAll('[data-testid=slang]')].map(e => e.textContent + '=' + e.title)";
    wait_until("the shorthand is marked", || {
        s.execute(marked).is_ok_and(|v| v.as_array().is_some_and(|a| a.len() == 3))
    });
    let terms = s.execute(marked).unwrap();
    assert_eq!(terms, serde_json::json!(["ty=thank you", "brb=be right back", "ILL=interlibrary loan"]));
    // Selecting a term says what it means, in words a screen reader announces.
    s.execute(
        "const e = [...document.querySelectorAll('[data-testid=slang]')].find(e => e.textContent === 'brb'); \
         const r = document.createRange(); r.selectNodeContents(e); \
         getSelection().removeAllRanges(); getSelection().addRange(r); return true;",
    )
    .unwrap();
    s.wait_for_text("[data-testid=slang-meaning]", WAIT, |t| t == "brb: be right back").unwrap();

    // The library's canned reply, found from the composer with Ctrl+K, filled in, then sent.
    let composer = s.find("[data-testid=composer]").unwrap();
    s.send_keys(&composer, "Yes! ").unwrap();
    s.send_keys(&composer, "\u{E009}k").unwrap();
    let search = s.wait_for("[data-testid=canned-search]", WAIT).unwrap();
    s.wait_for_text("[data-testid=canned-item]", WAIT, |t| t.starts_with("Goodbye")).unwrap();
    s.send_keys(&search, "micro\u{E007}").unwrap();
    wait_until("the picker closes", || s.find_all("[data-testid=canned]").is_ok_and(|v| v.is_empty()));
    let want = "Yes! The microfilm room at Ford Library is on the second floor.";
    assert_eq!(s.property(&composer, "value").unwrap(), want);
    s.send_keys(&composer, "\u{E007}").unwrap();
    assert_eq!(next_body(&rt, &mut patron1, |_| false), want);

    // The library's default level is marked; one click on another closes the chat with it.
    let default = s.find("[data-testid=close-read-2]").unwrap();
    assert!(s.property(&default, "className").unwrap().as_str().unwrap_or("").contains("default"));
    s.send_keys(&s.find("[data-testid=close-tags]").unwrap(), "Genealogy, census").unwrap();
    s.click(&s.find("[data-testid=close-read-4]").unwrap()).unwrap();
    wait_until("the chat is closed", || s.find_all("[data-testid=tab-phase]").is_ok_and(|v| v.is_empty()));

    // Its tab can go too, and come back from the closed tabs.
    s.click(&s.wait_for("[data-testid=tab-close]", WAIT).unwrap()).unwrap();
    wait_until("the tab is gone", || s.find_all("[data-testid=tab]").is_ok_and(|v| v.is_empty()));
    s.click(&s.find("[data-testid=reopen-button]").unwrap()).unwrap();
    s.click(&s.wait_for("[data-testid=reopen-item]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=tab]", WAIT, |t| t.contains("patron1")).unwrap();

    // A walk-up, rated as it ends. Its topic is kept like a transcript: redacted.
    let button = s.find("[data-testid=walkup-button]").unwrap();
    s.send_keys(&s.find("[data-testid=walkup-topic]").unwrap(), "microfilm reader, mail ruth.k@x.org").unwrap();
    // Where each header control is: a walk-up starting must not move any of them (a click aimed at
    // Statistics a moment later once landed on History).
    let header_places = "return Object.fromEntries([...document.querySelectorAll('header button, header select')]
        .map(e => [e.dataset.testid ?? e.textContent, (r => [r.left, r.top, r.width])(e.getBoundingClientRect())]))";
    let places_before = s.execute(header_places).unwrap();
    s.click(&button).unwrap();
    let timer = s.wait_for_text("[data-testid=walkup-timer]", WAIT, |t| t.contains("microfilm")).unwrap();
    assert!(timer.ends_with(": microfilm reader, mail [EMAIL]"), "{timer}");
    s.wait_for_text("[data-testid=desk-state]", WAIT, |t| t == "With a patron at the desk").unwrap();
    let places_during = s.execute(header_places).unwrap();
    for name in ["history-button", "stats-button", "settings-button", "presence", "walkup-button"] {
        assert!(places_before.get(name).is_some(), "{name} is in the header: {places_before}");
        assert_eq!(places_during.get(name), places_before.get(name), "{name} moved when the walk-up started");
    }
    // (The timer shows on the desk's event, a moment before the button is enabled again.)
    wait_until("the button is enabled", || s.property(&button, "disabled").is_ok_and(|d| d == false));
    let tab_top = "return document.querySelector('[data-testid=tab]').getBoundingClientRect().top";
    let before = s.execute(tab_top).unwrap();
    s.click(&button).unwrap();
    // (WebKitWebDriver cannot read the text of an element holding a <datalist>: read its parts.)
    s.wait_for_text("[data-testid=walkup-ended]", WAIT, |t| t.starts_with("Walk-up ended after")).unwrap();
    // The rating strip comes in below the tabs: a tab is still where the librarian saw it.
    assert_eq!(s.execute(tab_top).unwrap(), before, "the tabs moved when the rating strip came");
    s.send_keys(&s.find("[data-testid=walkup-tags]").unwrap(), "directions").unwrap();
    s.click(&s.find("[data-testid=walkup-read-1]").unwrap()).unwrap();
    wait_until("the rating strip goes", || s.find_all("[data-testid=rate-walkup]").is_ok_and(|v| v.is_empty()));

    // The statistics view counts both, with their topics.
    s.click(&s.find("[data-testid=stats-button]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=stats-chats]", WAIT, |t| t == "1").unwrap();
    s.wait_for_text("[data-testid=stats-walkups]", WAIT, |t| t == "1").unwrap();
    assert_eq!(s.text(&s.find("[data-testid=stats-abandoned]").unwrap()).unwrap(), "0");
    let tags: Vec<String> = s.find_all("[data-testid=stats-tag]").unwrap().iter().map(|e| s.text(e).unwrap()).collect();
    for want in ["genealogy 1", "census 1", "directions 1"] {
        assert!(tags.iter().any(|t| t == want), "{want} in {tags:?}");
    }
    // The legend's two swatches are the same small square; every bar says its count on the page,
    // and the same figures come as tables at a click.
    let swatch = |id: &str| {
        s.execute(&format!(
            "const r = document.querySelector('[data-testid={id}]').getBoundingClientRect(); return [r.width, r.height]"
        ))
        .unwrap()
    };
    assert_eq!(swatch("legend-walkup"), swatch("legend-chat"), "the legend's swatches match");
    // (Read by script: WebKitWebDriver reads no text under aria-hidden, which hides the drawn bars
    // from screen readers, who get the table. Counted only where laid out with a size.)
    let bar_values = |chart: &str| -> Vec<String> {
        let script = format!(
            "return [...document.querySelectorAll('[data-testid={chart}] [data-testid=bar-value]')]
                .filter(e => {{ const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }})
                .map(e => e.textContent.trim()).filter(t => t !== '')"
        );
        serde_json::from_value(s.execute(&script).unwrap()).unwrap()
    };
    s.save_screenshot(&artifacts().join("e2e-statistics.png"));
    // One chat and one walk-up today: one bar of 2 by weekday (an hour's bars may be one or two).
    assert_eq!(bar_values("stats-weekdays"), ["2"]);
    let hours: u32 = bar_values("stats-hours").iter().map(|v| v.parse::<u32>().unwrap()).sum();
    assert_eq!(hours, 2, "the hour bars' counts add up to the day's questions");
    s.click(&s.find("[data-testid=stats-as-table]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=stats-weekdays-row]", WAIT, |t| !t.is_empty()).unwrap();
    let cells = "return [...document.querySelector('[data-testid=stats-weekdays-row]').cells].map(c => c.textContent)";
    let row: Vec<String> = serde_json::from_value(s.execute(cells).unwrap()).unwrap();
    assert_eq!(row[1..], ["1", "1", "2"], "weekday row: chat, walk-up, total: {row:?}");
    let shown = "return document.querySelector('[data-testid=stats-read-table]').getBoundingClientRect().width";
    assert!(s.execute(shown).unwrap().as_f64().unwrap() > 100.0, "the table is shown on the page");
    assert!(s.find_all("[data-testid=bar-value]").unwrap().is_empty(), "tables instead of the charts");
    s.save_screenshot(&artifacts().join("e2e-statistics-tables.png"));
    s.click(&s.find("[data-testid=stats-as-table]").unwrap()).unwrap();
    s.click(&s.find("[data-testid=stats-period-today]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=stats-chats]", WAIT, |t| t == "1").unwrap();

    // The history finds the chat by its words, redacted, and opens the whole transcript.
    s.click(&s.find("[data-testid=history-button]").unwrap()).unwrap();
    let search = s.wait_for("[data-testid=history-search]", WAIT).unwrap();
    s.send_keys(&search, "census reels\u{E007}").unwrap();
    let hit = s.wait_for_text("[data-testid=history-hit]", WAIT, |t| t.contains("census")).unwrap();
    assert!(hit.contains("[EMAIL]") && !hit.contains("ruth"), "{hit}");
    let marks: Vec<String> =
        s.find_all("[data-testid=history-hit] mark").unwrap().iter().map(|e| s.text(e).unwrap()).collect();
    assert_eq!(marks, ["census", "reels"]);
    s.click(&s.find("[data-testid=history-hit]").unwrap()).unwrap();
    let first = s.wait_for_text("[data-testid=history-line]", WAIT, |t| t.contains("census reels")).unwrap();
    assert!(first.contains("[EMAIL]"), "{first}");
    let head = s.text(&s.find("[data-testid=history-transcript] .meta").unwrap()).unwrap();
    assert!(head.contains("READ 4") && head.contains("genealogy, census"), "{head}");
    s.send_keys(&search, "\u{E009}a").unwrap();
    s.send_keys(&search, "\u{E003}zebra unicorn\u{E007}").unwrap();
    s.wait_for("[data-testid=history-none]", WAIT).unwrap();
    // Narrowed to a topic tag (any case): the chat's own tag finds it, another tag does not.
    s.send_keys(&search, "\u{E009}a").unwrap();
    s.send_keys(&search, "\u{E003}census reels").unwrap();
    let tag = s.find("[data-testid=history-tag]").unwrap();
    s.send_keys(&tag, "Genealogy\u{E007}").unwrap();
    s.wait_for_text("[data-testid=history-hit]", WAIT, |t| t.contains("census")).unwrap();
    s.send_keys(&tag, "\u{E009}a").unwrap();
    s.send_keys(&tag, "\u{E003}directions\u{E007}").unwrap();
    s.wait_for("[data-testid=history-none]", WAIT).unwrap();
    // The walk-up is found by its topic (and its tag), marked as one; narrowed to chats, it is not.
    s.send_keys(&search, "\u{E009}a").unwrap();
    s.send_keys(&search, "\u{E003}microfilm\u{E007}").unwrap();
    let hit = s.wait_for_text("[data-testid=history-hit]", WAIT, |t| t.contains("microfilm")).unwrap();
    assert!(hit.contains("walk-up at the desk") && hit.ends_with("microfilm reader, mail [EMAIL]"), "{hit}");
    s.click(&s.find("[data-testid=history-medium] option[value=chat]").unwrap()).unwrap();
    s.click(&s.find("[data-testid=history-go]").unwrap()).unwrap();
    s.wait_for("[data-testid=history-none]", WAIT).unwrap();
    s.click(&s.find("[data-testid=history-medium] option[value=walkup]").unwrap()).unwrap();
    s.click(&s.find("[data-testid=history-go]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=history-hit]", WAIT, |t| t.contains("microfilm")).unwrap();

    // What was stored: the transcript and the walk-up carry their levels and tags; no address.
    let desk = Desk::open(&data.path().join("refdesk.db")).unwrap();
    let now = chrono::Utc::now();
    let day = chrono::Duration::days(1);
    let t = desk.store().transcripts_between(now - day, now + day).unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!((t[0].read_level, t[0].tags.clone()), (Some(4), vec!["genealogy".to_owned(), "census".to_owned()]));
    assert!(t[0].lines[0].text.contains("[EMAIL]") && !t[0].lines[0].text.contains("ruth"), "{:?}", t[0].lines);
    let st = desk.statistics(now - day, now + day, &chrono::Utc).unwrap();
    assert_eq!((st.read_levels[3].chat, st.read_levels[0].walkup), (1, 1));
}

/// Five hundred patrons open a chat at once (#9): each question is stored once and put in line,
/// no patron gets more than one automatic reply, the window keeps working, and the app's memory
/// (its process and WebKit's, PSS) grows by a bounded amount.
#[test]
fn five_hundred_patrons_opening_chats_at_once_leave_the_desk_usable_and_its_memory_bounded() {
    const PATRONS: usize = 500;
    /// What 500 chats (a tab, a line in the queue and a message each) may add to the app: about
    /// 60 MiB for the window showing them (measured on a fresh start with 500 tabs), plus what a
    /// burst leaves behind: measured 86 to 89 MiB in all since the window fetches the desk's state
    /// instead of being sent it as script (128 to 149 before, 173 once with a build beside it).
    const GROWTH_BOUND_MIB: u64 = 140;
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, data, _server_dir, .. } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let memory = MemoryWatch::start();

    let users: Vec<String> = (0..PATRONS).map(|i| format!("crowd{i:03}")).collect();
    prosody.register_many(&users, "crowd-secret").unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Everyone signs in and asks at once (at most 50 sign-ins under way at a time).
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(50));
    let patrons: Vec<refdesk_core::xmpp::Session> = rt.block_on(async {
        let mut tasks = Vec::new();
        for (i, user) in users.iter().enumerate() {
            let (cfg, gate) = (prosody.client_config(user), gate.clone());
            tasks.push(tokio::spawn(async move {
                let _slot = gate.acquire_owned().await.unwrap();
                let mut p = refdesk_core::xmpp::connect(&cfg, "crowd-secret").await.unwrap();
                p.send_message("ask@library.test", &format!("question number {i}: where is the atlas?")).await.unwrap();
                p
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    // (500 sign-ins and questions: on a loaded machine this takes longer than one step.)
    wait_until_within(Duration::from_secs(90), "a tab for every patron", || {
        s.find_all("[data-testid=tab]").is_ok_and(|t| t.len() == PATRONS)
    });

    // The window still answers: a walk-up starts and ends, a chat opens with its question.
    let button = s.find("[data-testid=walkup-button]").unwrap();
    s.click(&button).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
    wait_until("the button is enabled", || s.property(&button, "disabled").is_ok_and(|d| d == false));
    s.click(&button).unwrap();
    // (The walk-up's rating strip comes in above the tabs: a click on a tab as it comes in may
    // land on nothing. The first tab: one far down a 500-tab strip may be under another part of
    // the window.)
    s.wait_for("[data-testid=walkup-ended]", WAIT).unwrap();
    s.click(&s.find("[data-testid=tab]").unwrap()).unwrap();
    wait_until("the chat shows its question", || {
        s.find_all("[data-testid=message]")
            .is_ok_and(|all| all.iter().any(|m| s.text(m).is_ok_and(|t| t.contains("where is the atlas?"))))
    });

    memory.assert_grown_at_most(GROWTH_BOUND_MIB, &format!("{PATRONS} chats"));

    // Nothing lost, nothing twice, and at most one automatic reply each (read from the app's database).
    let db = rusqlite::Connection::open_with_flags(
        data.path().join("refdesk.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let (questions, askers): (i64, i64) = db
        .query_row("SELECT count(*), count(DISTINCT peer) FROM messages WHERE direction = 'in'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((questions, askers), (PATRONS as i64, PATRONS as i64));
    let most: i64 = db
        .query_row(
            "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM messages WHERE direction = 'out' AND auto_reply = 1 GROUP BY peer)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(most <= 1, "a patron got {most} automatic replies");
    drop(patrons);
}

/// The app's memory (PSS summed over its processes) from the moment it is taken, to be held under
/// a bound.
struct MemoryWatch {
    tree: refdesk_testkit::proc::Tree,
    before_kib: u64,
}

impl MemoryWatch {
    fn start() -> MemoryWatch {
        let tree = app_processes();
        let before_kib = refdesk_testkit::proc::pss_kib(&tree.refresh());
        println!("memory before: {:?}", refdesk_testkit::proc::pss_each(&tree.refresh()));
        MemoryWatch { tree, before_kib }
    }

    /// Asserts the app's growth since `start` comes down to at most `bound_mib` within half a
    /// minute (`what` names the load): memory kept, not garbage WebKit has yet to collect. The
    /// figures go to the test's output.
    fn assert_grown_at_most(&self, bound_mib: u64, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let procs = self.tree.refresh();
            let grown_mib = refdesk_testkit::proc::pss_kib(&procs).saturating_sub(self.before_kib) / 1024;
            if grown_mib <= bound_mib || Instant::now() >= deadline {
                println!("memory after: {:?}", refdesk_testkit::proc::pss_each(&procs));
                println!("{what}: the app's PSS grew by {grown_mib} MiB (bound {bound_mib} MiB)");
                assert!(grown_mib <= bound_mib, "{what} left the app {grown_mib} MiB larger after 30 s");
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

/// The running app's processes (its own and WebKit's), for memory bounds (one app at a time).
fn app_processes() -> refdesk_testkit::proc::Tree {
    let exe = app_path().canonicalize().unwrap();
    refdesk_testkit::proc::tree_of(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|e| e == exe))
        .expect("the app runs")
}

/// A patron sending 1,000 messages in a second (#9): marked as flooding, the desk stays usable,
/// and the app's memory (PSS of its processes) grows by a bounded amount.
#[test]
fn a_flooding_contact_is_marked_on_its_tab_and_the_desk_stays_usable() {
    /// (Measured 13 to 14 MiB: the flood is dropped after its first burst.)
    const GROWTH_BOUND_MIB: u64 = 40;
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, _server_dir, .. } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let memory = MemoryWatch::start();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut bot = patron(&rt, &prosody);
    let flood: String = (0..1000)
        .map(|i| format!("<message to='ask@library.test' type='chat' id='f{i}'><body>spam {i}</body></message>"))
        .collect();
    rt.block_on(bot.send_raw(&flood)).unwrap();
    s.wait_for_text("[data-testid=tab-flooding]", WAIT, |t| t.starts_with("flooding:")).unwrap();
    // The desk still answers at once.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
    s.click(&s.find("[data-testid=tab]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=message]:first-child", WAIT, |t| t.contains("spam 0")).unwrap();
    // The first burst only (and what the bucket refilled while the flood was arriving).
    let shown = s.find_all("[data-testid=message]").unwrap().len();
    assert!((30..100).contains(&shown), "{shown} of 1000 shown");
    memory.assert_grown_at_most(GROWTH_BOUND_MIB, "a flood of 1,000 messages");
}

#[test]
fn a_tab_shows_the_librarys_name_for_a_patron_never_the_one_the_patron_gives_itself() {
    use refdesk_testkit::roster::{admin_session, name_contact};
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, _server_dir, .. } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The library names patron1 on the shared account's roster, from another client of the account.
    rt.block_on(async {
        let mut library = admin_session(&prosody, "ask", "ask-secret").await;
        name_contact(&mut library, "patron1@library.test", "Quinten Vlaar", &["Patrons"]).await;
    });
    // The patron's client calls them something else; the tab keeps the library's name.
    let mut bot = patron(&rt, &prosody);
    rt.block_on(bot.send_raw(
        "<message to='ask@library.test' type='chat' id='n1'><body>hello, anyone there?</body>\
         <nick xmlns='http://jabber.org/protocol/nick'>Library Director</nick></message>",
    ))
    .unwrap();
    s.wait_for_text("[data-testid=tab-who]", WAIT, |t| t == "Quinten Vlaar").unwrap();
    let title = s.property(&s.find("[data-testid=tab]").unwrap(), "title").unwrap();
    let title = title.as_str().unwrap_or_default();
    assert!(title.starts_with("patron1@library.test on ask@library.test"), "the address is still there: {title}");
}

#[test]
fn pass_on_lists_the_librarians_of_the_roster_group_with_their_presence() {
    use refdesk_core::xmpp::Show;
    use refdesk_testkit::roster::{add_librarian, admin_session};
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, _server_dir, .. } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    prosody.register("maria", "maria-secret").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The library puts Maria in its "Librarians" group, subscribed both ways; she signs in.
    let mut maria = rt.block_on(async {
        let mut library = admin_session(&prosody, "ask", "ask-secret").await;
        add_librarian(&prosody, &mut library, "maria", "maria-secret", "Maria Jansen", "business, patents").await
    });
    // A patron writes; in the chat, Pass on… shows Maria as online with her status.
    let mut bot = patron(&rt, &prosody);
    rt.block_on(bot.send_message("ask@library.test", "who knows about patents?")).unwrap();
    s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
    let pass_on = s.wait_for("[data-testid=handoff-button]", WAIT).unwrap();
    wait_until("Pass on… usable with the directory alone", || s.property(&pass_on, "disabled").unwrap() == false);
    s.click(&pass_on).unwrap();
    s.wait_for_text("[data-testid=directory-entry]", WAIT, |t| {
        t.contains("Maria Jansen") && t.contains("online") && t.contains("business, patents")
    })
    .unwrap();
    // She steps away: the list says so, and keeps her status.
    rt.block_on(maria.send_presence(Show::Away, Some("lunch until 1"))).unwrap();
    s.wait_for_text("[data-testid=directory-entry]", WAIT, |t| t.contains("away") && t.contains("lunch until 1"))
        .unwrap();
    // The search narrows it.
    let search = s.find("[data-testid=colleague-search]").unwrap();
    s.send_keys(&search, "nobody-by-that-name").unwrap();
    wait_until("no match", || s.find_all("[data-testid=directory-entry]").unwrap().is_empty());

    // Maria takes patent questions on her own account: the librarian refers the patron to her.
    s.send_keys(&search, "\u{E009}a\u{E003}patents").unwrap();
    s.click(&s.wait_for("[data-testid=directory-choose]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=refer-hint]", WAIT, |t| t.contains("from their own account")).unwrap();
    s.send_keys(&s.find("[data-testid=handoff-note]").unwrap(), "wants patents since 1990").unwrap();
    let refer = s.find("[data-testid=handoff-offer]").unwrap();
    assert_eq!(s.text(&refer).unwrap(), "Refer patron");
    s.click(&refer).unwrap();
    // The patron is told who writes next, and from where; the chat ends at the desk.
    let told = next_body(&rt, &mut bot, |_| false);
    assert_eq!(
        told,
        "I'm passing your question to Maria Jansen, who will message you from maria@library.test in a moment."
    );
    wait_until("the chat has ended at the desk", || s.find_all("[data-testid=tab-phase]").is_ok_and(|v| v.is_empty()));
    // Maria has the patron's address, the question and the note, from the shared account.
    let referral = next_message(&rt, &mut maria, |_| false);
    assert_eq!(refdesk_core::xmpp::session::bare(&referral.from), "ask@library.test");
    let text = referral.body.unwrap();
    assert!(
        text.contains("xmpp:patron1@library.test")
            && text.contains("“who knows about patents?”")
            && text.contains("Note: wants patents since 1990"),
        "{text}"
    );
    // She writes to the patron herself: the patron hears her on her own address.
    rt.block_on(maria.send_message("patron1@library.test", "Hello, Maria here: patents since 1990?")).unwrap();
    let hers = next_message(&rt, &mut bot, |_| false);
    assert_eq!(refdesk_core::xmpp::session::bare(&hers.from), "maria@library.test");
    // Her thanks to the shared account is a colleague talking: shown, never put in line.
    rt.block_on(maria.send_message("ask@library.test", "On it, thanks!")).unwrap();
    wait_until("Maria's words are shown in her conversation", || {
        s.execute("return [...document.querySelectorAll('[data-testid=tab]')].map(t => t.textContent).join('|')")
            .is_ok_and(|v| v.as_str().is_some_and(|t| t.contains("Maria Jansen") && t.contains("On it, thanks!")))
    });
    assert!(s.find_all("[data-testid=tab-phase]").unwrap().is_empty(), "nobody waits: Maria is no patron");
}

/// Text patrons (or their clients, or a server) might send to break the window: each must show as
/// the text it is, run nothing, load nothing, and be kept.
fn hostile_bodies() -> Vec<String> {
    let mut v: Vec<String> = [
        "<script>window.__pwned=1</script>",
        "<img src=x onerror=\"window.__pwned=2\">",
        "<svg onload=window.__pwned=3>",
        "<iframe srcdoc=\"<script>parent.__pwned=4</script>\"></iframe>",
        "<a href=\"javascript:window.__pwned=5\">click me</a>",
        "javascript:window.__pwned=6",
        "JaVaScRiPt:window.__pwned=7",
        "data:text/html,<script>window.__pwned=8</script>",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "tel:+15551234567 and sms:5551234567",
        "ms-settings:privacy and refdesk://evil",
        "https://example.org/\"><script>window.__pwned=9</script>",
        "http://evil.example/?q=<img src=x onerror=window.__pwned=10>",
        "<style>body{display:none}</style>",
        "<link rel=stylesheet href=https://evil.example/x.css>",
        "<meta http-equiv=refresh content=\"0;url=https://evil.example\">",
        "<base href=\"https://evil.example/\">",
        "<form action=https://evil.example><input name=q></form>",
        "<object data=\"data:text/html,x\"></object>",
        "<embed src=\"data:text/html,x\">",
        "<details open ontoggle=window.__pwned=11>",
        "<math><mi xlink:href=\"javascript:window.__pwned=12\">x</mi></math>",
        "&lt;script&gt;window.__pwned=13&lt;/script&gt;",
        "&#60;img src=x onerror=window.__pwned=14&#62;",
        "{@html '<b>x</b>'}",
        "{{constructor.constructor('window.__pwned=15')()}}",
        "${window.__pwned=16}",
        "`${window.__pwned=17}`",
        "__proto__ constructor prototype",
        "'); DROP TABLE messages; --",
        "\" OR 1=1 -- census NEAR( \"x\" *",
        "\u{202E}gnp.exe\u{202C} harmless.png",
        "\u{2066}isolated\u{2069} \u{2067}rtl\u{2069} \u{2068}first\u{2069}",
        "zero\u{200B}width\u{200C}joiners\u{200D}and\u{FEFF}bom",
        "مرحبا، هل لديكم كتب عن التاريخ؟",
        "שלום, יש לכם ספרים?",
        "mixed עברית and English and العربية",
        "emoji 📚🏳️‍🌈👩🏽‍🔬 and flags 🇳🇱🇪🇸",
        "combining: Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍A̴̵̜̰͔ͫ͗͢L̠ͨͧͩ͘G̴̻͈͍͔̹̑͗̎̅͛́Ǫ̵̹̻̝̳͂̌̌͘",
        "line one\nline two\n\n\nline five",
        "    leading and trailing spaces    ",
        "tab\tseparated\tvalues",
        "[EMAIL] [PHONE] [NAME] placeholders typed by a patron",
        "\u{E000}census\u{E001} private-use marks",
        "https://catalog.example.org/record/1 fine link",
        "mailto:ask@library.example fine mail link",
        "www.example.org bare domain",
        "<b>bold</b> <i>italic</i> <u>u</u>",
        "</li></ol></main><h1>broken out</h1>",
        "<!-- comment --> <![CDATA[ cdata ]]>",
        "%3Cscript%3Ewindow.__pwned=18%3C/script%3E",
        "\\u003cscript\\u003e escaped unicode",
        "onmouseover=window.__pwned=19 style=position:fixed;inset:0",
        "<a href=https://example.org onclick=window.__pwned=20>x</a>",
        "a".repeat(5000).as_str(),
        "<scr<script>ipt>window.__pwned=21</scr</script>ipt>",
        "<body onload=window.__pwned=22>",
        "<input autofocus onfocus=window.__pwned=23>",
        "<video><source onerror=window.__pwned=24></video>",
        "<marquee onstart=window.__pwned=25>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(100_000)); // an unbroken 100 KB string
    v.push("word ".repeat(4000)); // long, wrapping
    v.push((0..2000).map(|i| format!("line {i}\n")).collect()); // two thousand lines
    v
}

#[test]
fn hostile_messages_show_as_text_run_nothing_and_are_all_kept() {
    /// What the hostile cases (among them 100 KB of one unbroken string and 2,000 lines) may add
    /// (measured 22 to 24 MiB).
    const GROWTH_BOUND_MIB: u64 = 60;
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, data, _server_dir, .. } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let memory = MemoryWatch::start();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let bodies = hostile_bodies();
    assert!(bodies.len() >= 60, "{} cases", bodies.len());
    // Three patrons, each well inside the flood limit, so every case must be kept.
    let names = ["patron1", "patron2", "patron3"];
    for n in &names[1..] {
        prosody.register(n, "patron-secret").unwrap();
    }
    let mut patrons: Vec<_> = names
        .iter()
        .map(|n| {
            let cfg = prosody.client_config(n);
            rt.block_on(refdesk_core::xmpp::connect(&cfg, "patron-secret")).unwrap()
        })
        .collect();
    for (i, body) in bodies.iter().enumerate() {
        rt.block_on(patrons[i % 3].send_message("ask@library.test", body)).unwrap();
    }
    // Every case is stored (each once) before anything else is checked.
    let db = data.path().join("refdesk.db");
    let stored = || {
        let d = Desk::open(&db).unwrap();
        names
            .iter()
            .map(|n| {
                let all = d.messages("ask@library.test", &format!("{n}@library.test"), None, 500).unwrap();
                // (The desk rules may have told a patron to wait: that is not one of theirs.)
                all.iter().filter(|m| m.incoming).count()
            })
            .sum::<usize>()
    };
    wait_until("every hostile message is stored", || stored() >= bodies.len());
    assert_eq!(stored(), bodies.len(), "each once");

    // Each conversation shows its messages as text; nothing ran, nothing was loaded.
    for n in names {
        let tab = s
            .find_all("[data-testid=tab]")
            .unwrap()
            .into_iter()
            .find(|t| s.text(t).is_ok_and(|x| x.contains(n)))
            .unwrap_or_else(|| panic!("a tab for {n}"));
        s.click(&tab).unwrap();
        let want = bodies.iter().skip(names.iter().position(|x| *x == n).unwrap()).step_by(3).count();
        wait_until(&format!("{n}'s messages"), || {
            s.find_all("[data-testid=message].in").is_ok_and(|m| m.len() == want)
        });
        let made = s
            .execute(
                "const m = document.querySelector('[data-testid=messages]'); \
                 return m.querySelectorAll('script,img,iframe,svg,style,link,meta,base,form,object,embed,details,math,b,i,u,h1,body,input,video,source,marquee').length",
            )
            .unwrap();
        assert_eq!(made, 0, "an element was made from patron text in {n}'s conversation");
        let hrefs =
            s.execute("return [...document.querySelectorAll('[data-testid=messages] a')].map(a => a.href)").unwrap();
        for h in hrefs.as_array().unwrap() {
            let h = h.as_str().unwrap();
            assert!(h.starts_with("https://") || h.starts_with("http://") || h.starts_with("mailto:"), "a link to {h}");
        }
    }
    assert_eq!(s.execute("return window.__pwned === undefined").unwrap(), true, "a payload ran");
    assert_eq!(s.title().unwrap(), "Refdesk", "the window never navigated");
    // The payloads read back as the text they are (the last conversation opened is still shown).
    wait_until("a payload shown as text", || {
        s.find_all("[data-testid=message] .body").is_ok_and(|bodies| {
            bodies.iter().filter_map(|e| s.text(e).ok()).any(|t| {
                t.contains("<script>") || t.contains("onerror=") || t.contains("onload=") || t.contains("javascript:")
            })
        })
    });
    // Payloads where a message carries more than a body: the nickname a client gives (XEP-0172),
    // a subject, and the resource a patron signs in with (its full address). Each is kept as the
    // message it came with and none of it runs or becomes an element.
    let tricks = [
        "<nick xmlns='http://jabber.org/protocol/nick'>&lt;img src=x onerror=window.__pwned=31&gt;</nick>",
        "<subject>&lt;script&gt;window.__pwned=32&lt;/script&gt;</subject>",
    ];
    for (i, extra) in tricks.iter().enumerate() {
        let stanza =
            format!("<message to='ask@library.test' type='chat' id='trick{i}'><body>trick {i}</body>{extra}</message>");
        rt.block_on(patrons[0].send_raw(&stanza)).unwrap();
    }
    let cfg = refdesk_core::xmpp::AccountConfig {
        resource: "<svg onload=window.__pwned=33>".into(),
        ..prosody.client_config("patron2")
    };
    let mut odd = rt.block_on(refdesk_core::xmpp::connect(&cfg, "patron-secret")).unwrap();
    assert!(odd.jid().ends_with("/<svg onload=window.__pwned=33>"), "the server kept the resource: {}", odd.jid());
    rt.block_on(odd.send_message("ask@library.test", "trick 2")).unwrap();
    wait_until("the tricks are stored", || stored() == bodies.len() + 3);
    let tab = s
        .find_all("[data-testid=tab]")
        .unwrap()
        .into_iter()
        .find(|t| s.text(t).is_ok_and(|x| x.contains("patron1")))
        .unwrap();
    s.click(&tab).unwrap();
    s.wait_for_text("[data-testid=message].in:last-child", WAIT, |t| t.contains("trick 1")).unwrap();
    let named = s.text(&tab).unwrap();
    assert!(named.contains("patron1") && !named.contains("onerror"), "named by address, not by its nickname: {named}");
    let made = s.execute("return document.querySelectorAll('main img, main svg, main script').length").unwrap();
    assert_eq!(made, 0, "an element was made from a nickname, subject or resource");
    assert_eq!(s.execute("return window.__pwned === undefined").unwrap(), true, "a payload ran");

    // The desk still answers at once.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
    s.save_screenshot(&artifacts().join("e2e-hostile.png"));
    memory.assert_grown_at_most(GROWTH_BOUND_MIB, &format!("{} hostile messages", bodies.len()));
}

#[test]
fn a_bad_policy_file_does_not_stop_the_desk_and_the_window_says_why() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let policy = data.path().join("policy.toml");
    std::fs::write(&policy, "[desk]\norder = \"whoever shouts loudest\"\n").unwrap();
    let app = launch_with(&[("REFDESK_DATA_DIR", data.path()), ("REFDESK_POLICY", &policy)]);
    let s = &app.session;
    let text = s.wait_for_text("[data-testid=policy-warning]", WAIT, |t| t.contains("policy.toml:2:")).unwrap();
    assert!(text.contains("default desk rules"), "{text}");
    // The desk works regardless.
    s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
}

/// Polls `f` until it holds; `what` names it in the failure.
fn wait_until(what: &str, f: impl Fn() -> bool) {
    wait_until_within(WAIT, what, f)
}

/// As `wait_until`, for up to `timeout` (a load that takes longer than one step of a librarian).
fn wait_until_within(timeout: Duration, what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn icon_file(name: &str) -> (u32, u32, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../icons").join(name);
    decode_png(&std::fs::read(&path).unwrap()).unwrap()
}

/// The tray shows `label` as its first line and the icon drawn in `icon`.
fn wait_tray(item: &TrayItem, label: &str, icon: &str) {
    let want = icon_file(icon);
    wait_until(&format!("the tray says {label:?}"), || {
        item.menu_entries().ok().and_then(|m| m.first().map(|e| e.label.clone())).as_deref() == Some(label)
    });
    wait_until(&format!("the tray icon is {icon}"), || item.icon_rgba().ok().as_ref() == Some(&want));
}

#[test]
fn the_tray_shows_the_desk_state_and_its_menu_changes_it() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let host = tray_host();
    let before = host.registered();
    let data = tempfile::tempdir().unwrap();
    let app = launch(data.path());
    let s = &app.session;
    s.wait_for_text("[data-testid=desk-state]", WAIT, |t| t == "Available").unwrap();
    let item = host.wait_item(before, WAIT).expect("the app puts an icon in the tray");
    wait_tray(&item, "Refdesk: Available", "tray-available.png");

    item.click("Start walk-up patron").unwrap();
    s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
    wait_tray(&item, "Refdesk: With a patron at the desk", "tray-with-patron.png");
    assert!(item.menu_entries().unwrap().iter().any(|e| e.label == "End walk-up patron" && e.enabled));
    item.click("End walk-up patron").unwrap();
    s.wait_for_text("[data-testid=walkup-button]", WAIT, |t| t.starts_with("Walk-up patron")).unwrap();

    item.click("Away").unwrap();
    s.wait_for_text("[data-testid=desk-state]", WAIT, |t| t == "Away").unwrap();
    wait_tray(&item, "Refdesk: Away", "tray-away.png");
    item.click("Offline").unwrap();
    wait_tray(&item, "Refdesk: Offline", "tray-offline.png");
    item.click("Available for IM").unwrap();
    wait_tray(&item, "Refdesk: Available", "tray-available.png");
    let desk = Desk::open(&data.path().join("refdesk.db")).unwrap();
    assert_eq!(desk.snapshot(chrono::Utc::now()).unwrap().walkups_today, 1, "the tray's walk-up is in the database");

    item.click("Show or hide window").unwrap();
    wait_window("hidden");
    item.click("Show or hide window").unwrap();
    wait_window("visible");

    item.click("Quit Refdesk").unwrap();
    wait_until("the app has quit", || !item.alive());
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A private server whose ask@ has the password "correct horse battery" (typed by the tests), and
/// the policy file's `[[accounts]]` entry that points a desk at it.
fn server_for_a_policy_account() -> (tempfile::TempDir, refdesk_testkit::Prosody, String) {
    let server_dir = tempfile::tempdir().unwrap();
    let prosody = refdesk_testkit::Prosody::start(&refdesk_testkit::ProsodyConfig::new(server_dir.path())).unwrap();
    prosody.register("ask", "correct horse battery").unwrap();
    let account = format!(
        "[[accounts]]\njid = \"ask@library.test\"\nhost = \"127.0.0.1\"\nport = {}\ncaFile = \"{}\"\n",
        prosody.c2s_port,
        prosody.ca.ca_cert.display()
    );
    (server_dir, prosody, account)
}

#[test]
fn an_account_from_the_policy_signs_in_with_a_password_kept_only_in_the_keyring() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let (server_dir, _prosody, account) = server_for_a_policy_account();
    let data = tempfile::tempdir().unwrap();
    let policy = server_dir.path().join("policy.toml");
    std::fs::write(&policy, account).unwrap();
    let env = [("REFDESK_DATA_DIR", data.path()), ("REFDESK_POLICY", policy.as_path())];
    let app = launch_with(&env);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: needs its password").unwrap();

    // A mistyped password says so, and the librarian can try again.
    s.send_keys(&s.find("[data-testid=account-password]").unwrap(), "correct horse batery").unwrap();
    s.click(&s.find("[data-testid=sign-in]").unwrap()).unwrap();
    let text = s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.contains("not signed in")).unwrap();
    assert!(text.contains("wrong user name or password"), "{text}");
    // The server refused it, so it was not remembered: the next start asks again.
    drop(app);
    let app = launch_with(&env);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: needs its password").unwrap();
    s.send_keys(&s.find("[data-testid=account-password]").unwrap(), "correct horse batery").unwrap();
    s.click(&s.find("[data-testid=sign-in]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.contains("wrong user name or password")).unwrap();
    s.send_keys(&s.wait_for("[data-testid=account-password]", WAIT).unwrap(), "correct horse battery").unwrap();
    s.click(&s.find("[data-testid=sign-in]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: online").unwrap();
    assert!(s.find_all("[data-testid=sign-in-form]").unwrap().is_empty());
    drop(app);

    // The next start signs in by itself: the keyring has the password.
    let app = launch_with(&env);
    app.session.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: online").unwrap();
    drop(app);
    // And only the keyring: not the database, its journal, the settings or the logs.
    let files = files_under(data.path());
    assert!(files.iter().any(|f| f.ends_with("refdesk.db")), "{files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let found = bytes.windows(b"correct horse".len()).any(|w| w == b"correct horse");
        assert!(!found, "a password is written in {}", f.display());
    }
}

/// A desk without a policy file adds its own IM account in Settings: it signs in, the password is
/// kept only in the keyring, the account is back after a restart, and removing it signs it out.
#[test]
fn a_desk_adds_its_own_account_in_settings_and_removes_it() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let (_server_dir, prosody, _) = server_for_a_policy_account();
    let data = tempfile::tempdir().unwrap();
    let env = [("REFDESK_DATA_DIR", data.path())];
    let app = launch_with(&env);
    let s = &app.session;
    s.click(&s.wait_for("[data-testid=settings-button]", WAIT).unwrap()).unwrap();
    // (The form comes once the accounts are read, a moment after the section.)
    s.send_keys(&s.wait_for("[data-testid=account-jid]", WAIT).unwrap(), "ask@library.test").unwrap();
    s.send_keys(&s.find("[data-testid=account-new-password]").unwrap(), "correct horse battery").unwrap();
    s.click(&s.find("[data-testid=account-more]").unwrap()).unwrap();
    s.send_keys(&s.wait_for("[data-testid=account-host]", WAIT).unwrap(), "127.0.0.1").unwrap();
    s.send_keys(&s.find("[data-testid=account-port]").unwrap(), &prosody.c2s_port.to_string()).unwrap();
    s.send_keys(&s.find("[data-testid=account-ca]").unwrap(), &prosody.ca.ca_cert.display().to_string()).unwrap();
    s.click(&s.find("[data-testid=account-add]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: online").unwrap();
    s.wait_for_text("[data-testid=account-entry]", WAIT, |t| t.starts_with("ask@library.test")).unwrap();
    // The same address twice is refused, with the reason.
    s.send_keys(&s.find("[data-testid=account-jid]").unwrap(), "ask@library.test").unwrap();
    s.send_keys(&s.find("[data-testid=account-new-password]").unwrap(), "x").unwrap();
    s.click(&s.find("[data-testid=account-add]").unwrap()).unwrap();
    let why = s.wait_for_text("[data-testid=account-settings-error]", WAIT, |t| !t.is_empty()).unwrap();
    assert!(why.contains("already one of this desk's accounts"), "{why}");
    drop(app);

    // Back after a restart, signed in from the keyring.
    let app = launch_with(&env);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: online").unwrap();
    s.click(&s.find("[data-testid=settings-button]").unwrap()).unwrap();
    s.click(&s.wait_for("[data-testid=account-remove]", WAIT).unwrap()).unwrap();
    wait_until("the account leaves the header", || {
        s.find_all("[data-testid=account-status]").is_ok_and(|v| v.is_empty())
    });
    assert!(s.find_all("[data-testid=account-entry]").unwrap().is_empty());
    drop(app);
    // Gone for good, and its password was never written to the desk's files.
    let app = launch_with(&env);
    app.session.wait_for("[data-testid=walkup-button]", WAIT).unwrap();
    std::thread::sleep(Duration::from_secs(1));
    assert!(app.session.find_all("[data-testid=account-status]").unwrap().is_empty());
    drop(app);
    for f in files_under(data.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!bytes.windows(b"correct horse".len()).any(|w| w == b"correct horse"), "{}", f.display());
    }
}

/// Two desks on the shared account: this window (Maria's) and Anna's, run headless by the test kit
/// on its own database. Anna hands a chat to Maria, who accepts it in the window and answers; then
/// Maria passes it back from the window, finding Anna by subject.
#[test]
fn a_chat_is_handed_between_this_desk_and_a_colleagues_desk_both_ways() {
    const ASK: &str = "ask@library.test";
    const PATRON: &str = "patron1@library.test";
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = signed_in_desk("ask-secret");
    let (app, prosody) = (&desk.app, &desk.prosody);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();

    // The librarian at this desk says who she is.
    s.click(&s.find("[data-testid=desk-card-button]").unwrap()).unwrap();
    s.send_keys(&s.wait_for("[data-testid=desk-card-name]", WAIT).unwrap(), "Maria").unwrap();
    s.send_keys(&s.find("[data-testid=desk-card-subjects]").unwrap(), "business, patents").unwrap();
    s.click(&s.find("[data-testid=desk-card-save]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=desk-card-button]", WAIT, |t| t == "You: Maria").unwrap();

    // Anna's desk (multi-threaded runtime: it keeps running between the test's calls).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let anna_data = tempfile::tempdir().unwrap();
    let mut anna = rt.block_on(refdesk_testkit::service::signed_in_desk(prosody, anna_data.path()));
    rt.block_on(anna.call_myself("Anna", "maps, local history"));
    let seen =
        rt.block_on(anna.until_snapshot("Maria at Anna's desk", |s| s.colleagues.iter().any(|c| c.name == "Maria")));
    let maria = seen.colleagues.iter().find(|c| c.name == "Maria").unwrap();
    assert_eq!(maria.subjects, "business, patents");

    // A patron asks; Anna answers first, then offers the chat to Maria.
    let mut patron1 = patron(&rt, prosody);
    rt.block_on(patron1.send_message(ASK, "who knows about patents?")).unwrap();
    rt.block_on(anna.until_message("the question at Anna's desk", |m| m.incoming));
    anna.reply(ASK, PATRON, "Good question, one moment.");
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "at another desk").unwrap();
    anna.desk.lock().unwrap().add_note(ASK, PATRON, "Wants patents since 1990.", chrono::Utc::now()).unwrap();
    anna.desk.lock().unwrap().offer_chat(PATRON, &maria.resource, "patent question", chrono::Utc::now()).unwrap();
    anna.kick.notify_one();

    let offer = s.wait_for_text("[data-testid=offer-text]", WAIT, |t| t.contains("Anna")).unwrap();
    assert_eq!(offer, "Anna offers you the chat with patron1@library.test: “patent question”");
    s.click(&s.find("[data-testid=offer-accept]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    assert!(s.find_all("[data-testid=offer]").unwrap().is_empty(), "the offer is settled");
    assert_eq!(next_body(&rt, &mut patron1, |_| false), "Good question, one moment.");
    assert_eq!(next_body(&rt, &mut patron1, |_| false), "I'm passing you to Maria, one moment please.");

    // Maria opens the chat: Anna's note is there; her own note goes to Anna's desk.
    s.click(&s.find("[data-testid=tab]").unwrap()).unwrap();
    let note = s.wait_for_text("[data-testid=note]", WAIT, |t| t.contains("1990")).unwrap();
    assert!(note.starts_with("Anna, ") && note.ends_with("Wants patents since 1990."), "{note}");
    s.send_keys(&s.find("[data-testid=note-input]").unwrap(), "Sent the patent office link.\u{E007}").unwrap();
    let sent = rt.block_on(anna.until(
        "Maria's note at Anna's desk",
        |p| matches!(p, refdesk_testkit::service::Published::Note(n) if n.body == "Sent the patent office link."),
    ));
    let refdesk_testkit::service::Published::Note(sent) = sent else { unreachable!() };
    assert_eq!(sent.author, "Maria");
    // Anna's desk may hear of the note before this window redraws: wait for it here too.
    wait_until("both notes shown at Maria's desk", || s.find_all("[data-testid=note]").is_ok_and(|n| n.len() == 2));

    // Maria answers from the window; the patron hears her on the same address.
    let composer = s.wait_for("[data-testid=composer]", WAIT).unwrap();
    s.send_keys(&composer, "Maria here: start with the patent office's search.\u{E007}").unwrap();
    let got = next_message(&rt, &mut patron1, |_| false);
    assert_eq!(got.body.as_deref(), Some("Maria here: start with the patent office's search."));
    assert_eq!(refdesk_core::xmpp::session::bare(&got.from), ASK);
    assert_eq!(anna.phase_of(PATRON), Some(refdesk_core::api::ChatPhase::Elsewhere));

    // Now the patron needs a map: Maria finds Anna by subject and passes the chat back.
    s.click(&s.find("[data-testid=handoff-button]").unwrap()).unwrap();
    s.send_keys(&s.wait_for("[data-testid=colleague-search]", WAIT).unwrap(), "MAPS").unwrap();
    let listed = s.wait_for_text("[data-testid=colleague]", WAIT, |t| t.contains("Anna")).unwrap();
    assert!(listed.contains("maps, local history") && listed.contains("open"), "{listed}");
    assert_eq!(s.find_all("[data-testid=colleague]").unwrap().len(), 1);
    s.click(&s.find("[data-testid=colleague]").unwrap()).unwrap();
    s.send_keys(&s.find("[data-testid=handoff-note]").unwrap(), "needs a 1900 town map").unwrap();
    s.click(&s.find("[data-testid=handoff-offer]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=handoff-pending]", WAIT, |t| t.contains("Offered to Anna")).unwrap();
    assert_eq!(next_body(&rt, &mut patron1, |_| false), "I'm passing you to Anna, one moment please.");

    let offered =
        rt.block_on(anna.until_snapshot("the offer at Anna's desk", |s| s.handoffs.iter().any(|h| h.incoming)));
    let offer = offered.handoffs.iter().find(|h| h.incoming).unwrap();
    assert_eq!((offer.note.as_str(), offer.colleague.as_str()), ("needs a 1900 town map", "Maria"));
    anna.desk.lock().unwrap().answer_offer(&offer.id, true, chrono::Utc::now()).unwrap();
    anna.kick.notify_one();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "at another desk").unwrap();
    s.wait_for_text("[data-testid=elsewhere]", WAIT, |t| t == "Anna's desk is answering this patron.").unwrap();
    assert!(s.find_all("[data-testid=handoff-pending]").unwrap().is_empty());
    // Maria cannot answer over Anna by accident: the composer is closed for this chat.
    assert_eq!(s.property(&s.find("[data-testid=composer]").unwrap(), "disabled").unwrap(), serde_json::json!(true));
    s.save_screenshot(&artifacts().join("e2e-handoff.png"));
}

/// The slang glossary edited in Settings: a term of the desk's own, a built-in one given another
/// meaning and one hidden; the library's term cannot be changed. The chats explain with it, and
/// the next start keeps it.
#[test]
fn the_librarian_edits_the_slang_glossary_and_the_chats_explain_with_it() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let policy_dir = tempfile::tempdir().unwrap();
    let policy = policy_dir.path().join("policy.toml");
    std::fs::write(&policy, "[glossary.terms]\nILL = \"interlibrary loan\"\n").unwrap();
    let SignedIn { app, prosody, data, demo, _server_dir } =
        signed_in_desk_with("ask-secret", &[("REFDESK_POLICY", &policy)]);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rows_script = "return [...document.querySelectorAll('[data-testid=glossary-row]')]\
                       .map(r => [...r.cells].slice(0, 3).map(c => c.textContent.trim()).join(' | '))";
    let rows = |s: &refdesk_testkit::webdriver::Session| -> Vec<String> {
        serde_json::from_value(s.execute(rows_script).unwrap()).unwrap()
    };
    let row_of = |s: &refdesk_testkit::webdriver::Session, term: &str| {
        rows(s).into_iter().find(|r| r.starts_with(&format!("{term} |"))).unwrap_or_default()
    };

    s.click(&s.wait_for("[data-testid=settings-button]", WAIT).unwrap()).unwrap();
    s.wait_for("[data-testid=glossary-row]", WAIT).unwrap();
    assert_eq!(row_of(s, "ill"), "ill | interlibrary loan | set by your library");
    assert_eq!(row_of(s, "brb"), "brb | be right back | built in");
    let save = |term: &str, meaning: &str| {
        s.send_keys(&s.find("[data-testid=glossary-term]").unwrap(), term).unwrap();
        s.send_keys(&s.find("[data-testid=glossary-meaning]").unwrap(), meaning).unwrap();
        s.click(&s.find("[data-testid=glossary-save]").unwrap()).unwrap();
    };
    save("OPAC", "the online catalogue");
    wait_until("the new term is listed", || row_of(s, "opac") == "opac | the online catalogue | this desk's");
    save("ty", "thanks!");
    wait_until("the built-in term has the desk's meaning", || row_of(s, "ty") == "ty | thanks! | this desk's");
    // Hiding brb: found with the filter, hidden from its row.
    s.send_keys(&s.find("[data-testid=glossary-find]").unwrap(), "brb").unwrap();
    wait_until("the filter finds brb", || rows(s).len() == 1);
    s.click(&s.find("[data-testid=glossary-hide]").unwrap()).unwrap();
    wait_until("brb is hidden", || row_of(s, "brb") == "brb | hidden at this desk | this desk's");
    // The library's term is not the desk's to change, however it is asked.
    save("ill", "sick");
    let err = s.wait_for_text("[data-testid=settings] [role=alert]", WAIT, |t| !t.is_empty()).unwrap();
    assert!(err.contains("set by your library"), "{err}");
    s.send_keys(&s.find("[data-testid=glossary-find]").unwrap(), "\u{E009}a\u{E003}").unwrap();
    wait_until("the whole list is back", || rows(s).len() > 30);
    assert_eq!(row_of(s, "ill"), "ill | interlibrary loan | set by your library");

    // A patron's shorthand is explained with this desk's glossary.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &prosody);
    rt.block_on(patron1.send_message("ask@library.test", "ty, brb: is the opac down? need an ILL")).unwrap();
    s.click(&s.find("[data-testid=settings-button]").unwrap()).unwrap();
    s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
    let marked = "return [...document.querySelectorAll('[data-testid=slang]')].map(e => e.textContent + '=' + e.title)";
    wait_until("the shorthand is marked", || {
        s.execute(marked).is_ok_and(|v| v.as_array().is_some_and(|a| a.len() == 3))
    });
    assert_eq!(
        s.execute(marked).unwrap(),
        serde_json::json!(["ty=thanks!", "opac=the online catalogue", "ILL=interlibrary loan"])
    );
    drop(app);

    // The next start has it too.
    let env = [("REFDESK_DATA_DIR", data.path()), ("REFDESK_DEMO", demo.as_path()), ("REFDESK_POLICY", &policy)];
    let app = launch_with(&env);
    let s = &app.session;
    s.click(&s.wait_for("[data-testid=settings-button]", WAIT).unwrap()).unwrap();
    s.wait_for("[data-testid=glossary-row]", WAIT).unwrap();
    assert_eq!(row_of(s, "opac"), "opac | the online catalogue | this desk's");
    assert_eq!(row_of(s, "brb"), "brb | hidden at this desk | this desk's");
    // Shown again, brb is the built-in term once more.
    s.send_keys(&s.find("[data-testid=glossary-find]").unwrap(), "brb").unwrap();
    wait_until("the filter finds brb", || rows(s).len() == 1);
    s.click(&s.find("[data-testid=glossary-drop]").unwrap()).unwrap();
    wait_until("brb is back", || row_of(s, "brb") == "brb | be right back | built in");
    s.send_keys(&s.find("[data-testid=glossary-find]").unwrap(), "\u{E009}a\u{E003}").unwrap();
    s.save_screenshot(&artifacts().join("e2e-glossary.png"));
}

/// Starting at login: the librarian's choice writes and removes the desktop's login entry; a
/// library's policy decides it for them (shown locked), and can start the desk hidden in the tray.
#[test]
fn starting_at_login_is_the_librarians_choice_unless_the_library_decides() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let entry = config.path().join("autostart/org.refdesk.desk.desktop");
    let app = launch_with(&[("REFDESK_DATA_DIR", data.path()), ("XDG_CONFIG_HOME", config.path())]);
    let s = &app.session;
    s.click(&s.wait_for("[data-testid=settings-button]", WAIT).unwrap()).unwrap();
    let tick = s.wait_for("[data-testid=autostart]", WAIT).unwrap();
    assert_eq!(s.property(&tick, "checked").unwrap(), serde_json::json!(false), "off until the librarian says");
    assert!(!entry.exists());
    s.click(&tick).unwrap();
    wait_until("the login entry is written", || entry.exists());
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains(&format!("Exec=\"{}\"\n", app_path().display())), "{text}");
    s.click(&s.find("[data-testid=autostart]").unwrap()).unwrap();
    wait_until("the login entry is removed", || !entry.exists());
    drop(app);

    // The library turns it on for everyone, hidden in the tray.
    let policy = data.path().join("policy.toml");
    std::fs::write(&policy, "[startup]\nautostart = \"on\"\nhidden = true\n").unwrap();
    let env = [("REFDESK_DATA_DIR", data.path()), ("XDG_CONFIG_HOME", config.path()), ("REFDESK_POLICY", &policy)];
    let app = launch_with(&env);
    let s = &app.session;
    wait_until("the library's login entry is written at start", || entry.exists());
    assert!(std::fs::read_to_string(&entry).unwrap().contains(" --hidden\n"));
    s.click(&s.wait_for("[data-testid=settings-button]", WAIT).unwrap()).unwrap();
    let tick = s.wait_for("[data-testid=autostart]", WAIT).unwrap();
    assert_eq!(s.property(&tick, "checked").unwrap(), serde_json::json!(true));
    assert_eq!(s.property(&tick, "disabled").unwrap(), serde_json::json!(true));
    assert_eq!(s.text(&s.find("[data-testid=autostart-locked]").unwrap()).unwrap(), "set by your library");
    // The library's rules in words, each saying where it comes from.
    s.wait_for_text("[data-testid=library-settings]", WAIT, |t| t.contains("Start at login")).unwrap();
    let rows = s
        .execute(
            "return [...document.querySelectorAll('[data-testid=library-setting]')]\
             .map(r => [...r.cells].map(c => c.textContent.trim()).join(' | '))",
        )
        .unwrap();
    let rows: Vec<String> = serde_json::from_value(rows).unwrap();
    let row = |label: &str| rows.iter().find(|r| r.starts_with(label)).cloned().unwrap_or_default();
    assert_eq!(row("Start at login"), "Start at login | always | set by your library", "{rows:?}");
    assert_eq!(row("Transcripts kept"), "Transcripts kept | 365 days | Refdesk default", "{rows:?}");
    drop(app);

    // Started the way the login entry starts it: in the tray, no window, the desk working.
    let app = launch_with_args(&env, &["--hidden"]);
    std::thread::sleep(Duration::from_secs(1));
    assert_ne!(window_state(), "visible", "no window at login");
    app.session.wait_for("[data-testid=walkup-button]", WAIT).unwrap();
}

/// Where no keyring is available the desk says so plainly and, by default, does not sign in; a
/// library that allows it lets the librarian type the password for this run only, and nothing
/// of it is written anywhere.
#[test]
fn without_a_keyring_the_desk_refuses_unless_the_library_allows_a_password_per_session() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let (server_dir, _prosody, account) = server_for_a_policy_account();
    let data = tempfile::tempdir().unwrap();
    let policy = server_dir.path().join("policy.toml");
    // A D-Bus session with no keyring on it (and nothing to start one): what a kiosk or
    // locked-down session offers.
    let bus = refdesk_testkit::bus::PrivateBus::start().unwrap();
    let bus_address = Path::new(&bus.address);
    let env = [
        ("REFDESK_DATA_DIR", data.path()),
        ("REFDESK_POLICY", policy.as_path()),
        ("DBUS_SESSION_BUS_ADDRESS", bus_address),
    ];

    // The default: no keyring, no sign-in, and the window says what to do.
    std::fs::write(&policy, &account).unwrap();
    let app = launch_with(&env);
    let s = &app.session;
    let text = s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.contains("not signed in")).unwrap();
    assert!(text.contains("system keyring could not be used") && text.contains("GNOME Keyring"), "{text}");
    drop(app);

    // The library allows a password for this run only.
    std::fs::write(&policy, format!("{account}\n[keyring]\nfallback = \"session\"\n")).unwrap();
    let app = launch_with(&env);
    let s = &app.session;
    let status = s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with("needs its password")).unwrap();
    assert_eq!(status, "ask@library.test: needs its password");
    let why = s.property(&s.find("[data-testid=account-status]").unwrap(), "title").unwrap();
    assert!(why.as_str().unwrap().contains("no keyring on this computer"), "{why}");
    s.send_keys(&s.find("[data-testid=account-password]").unwrap(), "correct horse battery").unwrap();
    s.click(&s.find("[data-testid=sign-in]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: online").unwrap();
    drop(app);
    // The next start asks again, and the password is nowhere on disk.
    let app = launch_with(&env);
    app.session.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with("needs its password")).unwrap();
    drop(app);
    for f in files_under(data.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!bytes.windows(13).any(|w| w == b"correct horse"), "a password is written in {}", f.display());
    }
}

#[test]
fn every_main_view_passes_an_accessibility_check_in_light_and_dark() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut found = Vec::new();
    for (theme, dark) in [("Adwaita", false), ("Adwaita:dark", true)] {
        let shade = if dark { "dark" } else { "light" };
        let desk = signed_in_desk_with("ask-secret", &[("GTK_THEME", Path::new(theme))]);
        let s = &desk.app.session;
        s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
        assert_eq!(
            s.execute("return matchMedia('(prefers-color-scheme: dark)').matches").unwrap(),
            dark,
            "the page follows the desktop's {shade} theme"
        );
        // A busy desk: a walk-up under way, a patron waiting in line, their conversation open.
        s.click(&s.find("[data-testid=walkup-button]").unwrap()).unwrap();
        s.wait_for("[data-testid=walkup-timer]", WAIT).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut patron1 = patron(&rt, &desk.prosody);
        rt.block_on(patron1.send_message("ask@library.test", "do you have the 1920 city directory?")).unwrap();
        next_body(&rt, &mut patron1, |_| false);
        s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
        s.wait_for_text("[data-testid=messages]", WAIT, |t| t.contains("city directory")).unwrap();
        for view in ["desk", "history", "stats", "settings"] {
            let toggle = format!("[data-testid={view}-button]");
            if view != "desk" {
                s.click(&s.find(&toggle).unwrap()).unwrap();
                s.wait_for(&format!("{toggle}[aria-pressed=true]"), WAIT).unwrap();
                // Each view loads its figures or list once shown.
                std::thread::sleep(Duration::from_millis(500));
            }
            s.save_screenshot(&artifacts().join(format!("e2e-{view}-{shade}.png")));
            found.extend(s.accessibility_violations().into_iter().map(|v| format!("{view} ({shade}): {v}")));
            if view != "desk" {
                s.click(&s.find(&toggle).unwrap()).unwrap();
            }
        }
    }
    assert!(found.is_empty(), "{} accessibility violations:\n{}", found.len(), found.join("\n"));
}

/// A desk changes its own rules and replies in Settings, and they apply at once and after a
/// restart; what the library's policy file sets is shown as the library's and cannot be changed;
/// the library's `[defaults]` are starting values; a refused value says why and is not kept.
#[test]
fn a_desk_changes_its_rules_and_replies_in_settings_but_not_what_the_library_locked() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let policy_dir = tempfile::tempdir().unwrap();
    let policy = policy_dir.path().join("policy.toml");
    std::fs::write(&policy, "[desk]\nholdChatsDuringWalkup = false\n\n[defaults.desk]\nmaxChatsPerLibrarian = 3\n")
        .unwrap();
    let SignedIn { app, prosody, data, demo, _server_dir } =
        signed_in_desk_with("ask-secret", &[("REFDESK_POLICY", &policy)]);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let row = |key: &str| format!("[data-testid=desk-setting][data-key='{key}']");
    let input = |s: &Session, key: &str| s.find(&format!("{} [data-testid=desk-setting-input]", row(key))).unwrap();
    let source = |s: &Session, key: &str| {
        s.text(&s.find(&format!("{} [data-testid=desk-setting-source]", row(key))).unwrap()).unwrap()
    };
    let retype = |s: &Session, el: &refdesk_testkit::webdriver::Element, text: &str| {
        s.send_keys(el, "\u{E009}a").unwrap();
        s.send_keys(el, &format!("\u{E003}{text}\u{E004}")).unwrap();
    };
    s.click(&s.find("[data-testid=settings-button]").unwrap()).unwrap();
    s.wait_for(&row("desk.maxChatsPerLibrarian"), WAIT).unwrap();

    // Locked by the library: shown, marked, not editable.
    let hold = input(s, "desk.holdChatsDuringWalkup");
    assert_eq!(s.property(&hold, "disabled").unwrap(), serde_json::json!(true));
    assert_eq!(s.property(&hold, "checked").unwrap(), serde_json::json!(false));
    assert_eq!(source(s, "desk.holdChatsDuringWalkup"), "set by your library");
    // A starting value from the library, then this desk's own.
    let cap = input(s, "desk.maxChatsPerLibrarian");
    assert_eq!(s.property(&cap, "value").unwrap(), serde_json::json!("3"));
    assert_eq!(source(s, "desk.maxChatsPerLibrarian"), "your library's starting value");
    retype(s, &cap, "1");
    s.wait_for_text(&format!("{} [data-testid=desk-setting-source]", row("desk.maxChatsPerLibrarian")), WAIT, |t| {
        t == "changed at this desk"
    })
    .unwrap();
    // A value the rules refuse says why, and the field shows the value in force again.
    retype(s, &input(s, "desk.maxChatsPerLibrarian"), "0");
    let why = s.wait_for("[data-testid=desk-setting-error]", WAIT).unwrap();
    assert!(s.text(&why).unwrap().contains("at least 1"), "{}", s.text(&why).unwrap());
    assert_eq!(s.property(&input(s, "desk.maxChatsPerLibrarian"), "value").unwrap(), serde_json::json!("1"));
    // The reply a patron in line gets.
    let queued = input(s, "desk.templates.queued");
    retype(s, &queued, "Set at this desk: you are number {position}.");
    s.wait_for_text(&format!("{} [data-testid=desk-setting-source]", row("desk.templates.queued")), WAIT, |t| {
        t == "changed at this desk"
    })
    .unwrap();

    s.execute("document.querySelector('[data-testid=desk-settings]').scrollIntoView()").unwrap();
    s.save_screenshot(&artifacts().join("e2e-desk-settings.png"));

    // At once: with one chat per librarian, a second patron waits and is told so in those words.
    prosody.register("patron2", "patron-secret").unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut patron1 = patron(&rt, &prosody);
    rt.block_on(patron1.send_message("ask@library.test", "first question")).unwrap();
    s.click(&s.find("[data-testid=settings-button]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    let mut patron2 = rt.block_on(async {
        let mut p = refdesk_core::xmpp::connect(&prosody.client_config("patron2"), "patron-secret").await.unwrap();
        // (Online, or the server keeps what is sent to them until they are.)
        p.send_presence(refdesk_core::xmpp::Show::Available, None).await.unwrap();
        p.send_message("ask@library.test", "second question").await.unwrap();
        p
    });
    assert_eq!(next_body(&rt, &mut patron2, |_| false), "Set at this desk: you are number 1.");

    // After a restart the desk's choices are still in force, and one goes back to the library's.
    drop(app);
    let app = launch_with(&[("REFDESK_DATA_DIR", data.path()), ("REFDESK_DEMO", &demo), ("REFDESK_POLICY", &policy)]);
    let s = &app.session;
    s.click(&s.wait_for("[data-testid=settings-button]", WAIT).unwrap()).unwrap();
    s.wait_for(&row("desk.maxChatsPerLibrarian"), WAIT).unwrap();
    assert_eq!(s.property(&input(s, "desk.maxChatsPerLibrarian"), "value").unwrap(), serde_json::json!("1"));
    assert_eq!(source(s, "desk.templates.queued"), "changed at this desk");
    s.click(&s.find(&format!("{} [data-testid=desk-setting-reset]", row("desk.maxChatsPerLibrarian"))).unwrap())
        .unwrap();
    s.wait_for_text(&format!("{} [data-testid=desk-setting-source]", row("desk.maxChatsPerLibrarian")), WAIT, |t| {
        t == "your library's starting value"
    })
    .unwrap();
    assert_eq!(s.property(&input(s, "desk.maxChatsPerLibrarian"), "value").unwrap(), serde_json::json!("3"));

    // IM hours: open only on a day two days from now, so the desk is closed now and says so.
    use chrono::Datelike;
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [(chrono::Utc::now().weekday().num_days_from_monday() as usize + 2) % 7];
    s.click(&s.find("[data-testid=hours-start]").unwrap()).unwrap();
    retype(s, &s.wait_for("[data-testid=hours-zone]", WAIT).unwrap(), "UTC");
    s.click(&s.find(&format!("[data-testid=hours-day][data-day={day}] [data-testid=hours-add]")).unwrap()).unwrap();
    s.click(&s.find("[data-testid=hours-save]").unwrap()).unwrap();
    s.wait_for_text(&format!("{} [data-testid=desk-setting-source]", row("desk.schedule")), WAIT, |t| {
        t == "changed at this desk"
    })
    .unwrap();
    s.execute("document.querySelector('[data-testid=hours-editor]').scrollIntoView()").unwrap();
    s.save_screenshot(&artifacts().join("e2e-im-hours.png"));
    prosody.register("patron3", "patron-secret").unwrap();
    let mut patron3 = rt.block_on(async {
        let mut p = refdesk_core::xmpp::connect(&prosody.client_config("patron3"), "patron-secret").await.unwrap();
        p.send_presence(refdesk_core::xmpp::Show::Available, None).await.unwrap();
        p.send_message("ask@library.test", "are you there?").await.unwrap();
        p
    });
    let closed = next_body(&rt, &mut patron3, |_| false);
    assert!(closed.contains("chat is closed now and opens again"), "{closed}");
}

#[test]
fn text_size_and_high_contrast_are_the_librarians_choice_and_survive_a_restart() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    let root_size = |s: &Session| s.execute("return getComputedStyle(document.documentElement).fontSize").unwrap();
    let walkup_width =
        |s: &Session| s.execute("return document.querySelector('[data-testid=walkup-button]').offsetWidth").unwrap();
    {
        let app = launch(data.path());
        let s = &app.session;
        s.wait_for("[data-testid=walkup-button]", WAIT).unwrap();
        assert_eq!(root_size(s), "15px");
        let normal = walkup_width(s).as_f64().unwrap();
        s.click(&s.find("[data-testid=settings-button]").unwrap()).unwrap();
        s.click(&s.wait_for("[data-testid=text-size] option[value='150']", WAIT).unwrap()).unwrap();
        s.click(&s.find("[data-testid=high-contrast]").unwrap()).unwrap();
        let deadline = Instant::now() + WAIT;
        while root_size(s) != "22.5px" {
            assert!(Instant::now() < deadline, "the text never grew: {}", root_size(s));
            std::thread::sleep(Duration::from_millis(100));
        }
        // Everything grows with the text, not only the letters.
        assert!(walkup_width(s).as_f64().unwrap() > normal * 1.3, "the walk-up button kept its size");
        assert_eq!(s.execute("return document.documentElement.classList.contains('high-contrast')").unwrap(), true);
        assert_eq!(
            s.execute("return getComputedStyle(document.body).color").unwrap(),
            "rgb(0, 0, 0)",
            "black text in high contrast"
        );
        s.save_screenshot(&artifacts().join("e2e-settings-high-contrast.png"));
        let found = s.accessibility_violations();
        assert!(found.is_empty(), "high contrast, large text: {found:#?}");
        // Ctrl+Minus steps down one size, and the Settings view follows.
        s.send_keys(&s.find("body").unwrap(), "\u{E009}-\u{E000}").unwrap();
        let deadline = Instant::now() + WAIT;
        while root_size(s) != "19.5px" {
            assert!(Instant::now() < deadline, "Ctrl+Minus did nothing: {}", root_size(s));
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(s.property(&s.find("[data-testid=text-size]").unwrap(), "value").unwrap(), "130");
    }
    let app = launch(data.path());
    let s = &app.session;
    s.wait_for("[data-testid=walkup-button]", WAIT).unwrap();
    let deadline = Instant::now() + WAIT;
    while root_size(s) != "19.5px" {
        assert!(Instant::now() < deadline, "the text size was not kept: {}", root_size(s));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(s.execute("return document.documentElement.classList.contains('high-contrast')").unwrap(), true);
}

/// A conversation of 50,000 messages (a patron who chats with the library for years): the page
/// holds only the rows near what is on screen, the librarian scrolls from the newest to the very
/// first message, loading earlier pages keeps the place being read, and the middle shows the
/// right rows with nothing skipped.
#[test]
fn a_fifty_thousand_message_conversation_scrolls_end_to_end_with_few_rows_in_the_page() {
    const TOTAL: u32 = 50_000;
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let data = tempfile::tempdir().unwrap();
    refdesk_testkit::fixtures::long_conversation(&data.path().join("refdesk.db"), "longtalker@library.test", TOTAL)
        .unwrap();

    let app = launch(data.path());
    let s = &app.session;
    let tab = s.wait_for_text("[data-testid=tab]", WAIT, |t| t.contains("longtalker")).unwrap();
    assert!(tab.contains("longtalker"));
    s.click(&s.find("[data-testid=tab]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=message]:last-child", WAIT, |t| t.starts_with(&format!("message {TOTAL}"))).unwrap();

    // Numbers of the rows in the page, top to bottom, and the number of the row at the top edge
    // of the visible area.
    let rows = || -> Vec<i64> {
        let v = s
            .execute(
                "return [...document.querySelectorAll('[data-testid=message] .body')]
                   .map(b => Number(b.textContent.split(' ')[1]))",
            )
            .unwrap();
        v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect()
    };
    // The row at the top edge of what is on screen: its number, and its place among the messages
    // loaded (aria-posinset, once the list is windowed; 0 before).
    let at_top = || -> (i64, i64) {
        let v = s
            .execute(
                "const top = document.querySelector('.scroller').getBoundingClientRect().top + 30;
                 const li = [...document.querySelectorAll('[data-testid=message]')]
                   .find(li => li.getBoundingClientRect().bottom > top);
                 return li && li.getBoundingClientRect().top < top + 100
                   ? [Number(li.querySelector('.body').textContent.split(' ')[1]),
                      Number(li.getAttribute('aria-posinset') ?? 0)] : [-1, -1]",
            )
            .unwrap();
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    };
    // For a failure's message: the list's geometry.
    let geometry = || {
        s.execute(
            "const sc = document.querySelector('.scroller'); const sp = sc.querySelectorAll('.spacer');
             const li = sc.querySelectorAll('[data-testid=message]');
             return {scrollTop: sc.scrollTop, scrollHeight: sc.scrollHeight, clientHeight: sc.clientHeight,
                     padTop: sp[0]?.offsetHeight, padBottom: sp[1]?.offsetHeight, rows: li.length,
                     first: li[0]?.getAttribute('aria-posinset'), firstTop: li[0]?.offsetTop,
                     tops: [...li].map(l => [l.getAttribute('aria-posinset'),
                       Math.round(l.getBoundingClientRect().top - sc.getBoundingClientRect().top)])}",
        )
        .unwrap()
    };
    // Waits until what is on screen stops changing (a page on its way, rows being measured).
    let settled = || -> (i64, i64) {
        let mut last = (-2, -2);
        let mut same = 0;
        let deadline = Instant::now() + WAIT;
        while same < 3 {
            assert!(Instant::now() < deadline, "the list never settled (at {last:?}): {}", geometry());
            std::thread::sleep(Duration::from_millis(80));
            let now = at_top();
            if now == last && now.0 > 0 {
                same += 1;
            } else {
                same = 0;
                last = now;
            }
        }
        last
    };

    // Up to the very first message: at the top, the next page of earlier messages comes, and the
    // message that was at the top stays there with the new page above it (not thrown down).
    let mut most = rows().len();
    let mut loads = 0;
    loop {
        s.execute("document.querySelector('.scroller').scrollTop = 0").unwrap();
        let (top, place) = settled();
        let shown = rows();
        most = most.max(shown.len());
        assert!(shown.windows(2).all(|w| w[1] == w[0] + 1), "rows in the page skip or repeat: {shown:?}");
        if top == 1 {
            break;
        }
        loads += 1;
        assert!(loads <= 200, "never reached the first message; at {top}");
        // A page is 500 messages; the last one holds what is left, so message N is then row N.
        let want = if s.find_all("[data-testid=load-earlier]").unwrap().is_empty() { top } else { 501 };
        assert_eq!(place, want, "message {top} is not where the reader left it: {place} rows down; {}", geometry());
    }
    assert!(loads >= 10, "only {loads} pages were loaded on the way up");
    assert!(most <= 250, "{most} rows were in the page at once");
    assert!(s.find_all("[data-testid=load-earlier]").unwrap().is_empty(), "nothing earlier is offered");

    // The middle: the row on screen is the one the scroll position says, neighbours contiguous.
    s.execute("const sc = document.querySelector('.scroller'); sc.scrollTop = sc.scrollHeight / 2;").unwrap();
    let half = i64::from(TOTAL / 2);
    wait_until("the middle rows in the page", || (half - 4000..half + 4000).contains(&at_top().0));
    let middle = rows();
    assert!(middle.len() < 120, "{} rows in the page in the middle", middle.len());
    assert!(middle.windows(2).all(|w| w[1] == w[0] + 1), "rows skip or repeat: {middle:?}");

    // And back to the newest, which is where new messages show.
    s.execute("const sc = document.querySelector('.scroller'); sc.scrollTop = sc.scrollHeight;").unwrap();
    wait_until("the newest message in the page", || rows().last() == Some(&i64::from(TOTAL)));
    s.save_screenshot(&artifacts().join("e2e-long-conversation.png"));
}

/// The app's process, killed without warning (a crash, a power cut, IT's kill -9): what it had
/// and what arrived while it was dead is all there after a restart, each message once; a reply
/// stored while the server was away goes out once the app is back and the server is too.
#[test]
fn a_desk_killed_mid_conversation_loses_nothing_and_repeats_nothing() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, mut prosody, data, demo, _server_dir } = signed_in_desk_with("ask-secret", &[]);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &prosody);
    let db = data.path().join("refdesk.db");
    let kill_app = || {
        let tree = app_processes();
        // SAFETY: a signal to a process this test started; no memory is shared.
        assert_eq!(unsafe { libc::kill(tree.root as libc::pid_t, libc::SIGKILL) }, 0);
    };
    let questions = |d: &Desk| -> Vec<String> {
        let all = d.store().messages_with("ask@library.test", "patron1@library.test").unwrap();
        all.into_iter().filter(|m| m.incoming).map(|m| m.body).collect()
    };

    // Questions at a fast typist's pace (faster is a flood, dropped by design, however it arrives);
    // the desk dies once the first are stored, while more are on their way, and the rest come
    // while it is dead.
    let pace = || std::thread::sleep(Duration::from_millis(300));
    let mut app = Some(app);
    for i in 1..=40 {
        rt.block_on(patron1.send_message("ask@library.test", &format!("question {i}"))).unwrap();
        pace();
        if i == 8 {
            wait_until("the first questions are stored", || !questions(&Desk::open(&db).unwrap()).is_empty());
            kill_app();
            drop(app.take());
        }
    }
    let app = launch_with(&[("REFDESK_DATA_DIR", data.path()), ("REFDESK_DEMO", &demo)]);
    let s = &app.session;
    let want: Vec<String> = (1..=40).map(|i| format!("question {i}")).collect();
    wait_until("all forty questions are stored", || questions(&Desk::open(&db).unwrap()).len() >= 40);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(questions(&Desk::open(&db).unwrap()), want, "each question once, in order");
    s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=message]:last-child", WAIT, |t| t.contains("question 40")).unwrap();

    // The server goes away; the librarian answers anyway (kept as pending), and the desk dies.
    prosody.stop();
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| !t.ends_with(": online")).unwrap();
    let composer = s.find("[data-testid=composer]").unwrap();
    s.send_keys(&composer, "Answered while the server was down.\u{E007}").unwrap();
    s.wait_for_text("[data-testid=message]:last-child [data-testid=message-status]", WAIT, |t| {
        t == "waiting for the connection"
    })
    .unwrap();
    kill_app();
    drop(app);
    prosody.restart().unwrap();
    let mut patron1 = patron(&rt, &prosody);
    let app = launch_with(&[("REFDESK_DATA_DIR", data.path()), ("REFDESK_DEMO", &demo)]);
    app.session.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let got = next_message(&rt, &mut patron1, |b| b != "Answered while the server was down.");
    assert_eq!(got.body.as_deref(), Some("Answered while the server was down."));
    // Once: nothing more with that text comes in the next two seconds.
    let again = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(2), async {
            loop {
                if let refdesk_core::xmpp::Incoming::Message(m) = patron1.next().await.unwrap() {
                    if m.body.as_deref() == Some("Answered while the server was down.") {
                        return;
                    }
                }
            }
        })
        .await
    });
    assert!(again.is_err(), "the reply reached the patron twice");
    let d = Desk::open(&db).unwrap();
    let replies: Vec<_> = d
        .store()
        .messages_with("ask@library.test", "patron1@library.test")
        .unwrap()
        .into_iter()
        .filter(|m| !m.incoming && !m.auto_reply)
        .collect();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_ne!(replies[0].status, refdesk_core::api::MessageStatus::Pending, "{replies:?}");
}

/// Tabs stay where they opened while patrons keep writing (so Alt+1…9 keep their meaning); the
/// librarian moves them by dragging or from the keyboard, and the order survives a restart.
#[test]
fn tabs_stay_put_and_move_by_drag_or_keys_and_keep_their_order() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, data, demo, _server_dir } = signed_in_desk_with("ask-secret", &[]);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let names = ["patron1", "patron2", "patron3"];
    for n in &names[1..] {
        prosody.register(n, "patron-secret").unwrap();
    }
    let mut patrons: Vec<_> = names
        .iter()
        .map(|n| rt.block_on(refdesk_core::xmpp::connect(&prosody.client_config(n), "patron-secret")).unwrap())
        .collect();
    let order = |s: &Session| -> Vec<String> {
        let v = s.execute("return [...document.querySelectorAll('[data-testid=tab] .who')].map(e => e.textContent)");
        serde_json::from_value(v.unwrap()).unwrap()
    };
    let tab = |s: &Session, who: &str| {
        s.find_all("[data-testid=tab]")
            .unwrap()
            .into_iter()
            .find(|t| s.text(t).is_ok_and(|x| x.starts_with(who)))
            .unwrap()
    };
    for (i, p) in patrons.iter_mut().enumerate() {
        rt.block_on(p.send_message("ask@library.test", "hello")).unwrap();
        wait_until("the patron's tab", || order(s).len() == i + 1);
    }
    assert_eq!(order(s), names);
    rt.block_on(patrons[0].send_message("ask@library.test", "are you there?")).unwrap();
    s.wait_for_text(".tab-wrap:first-child [data-testid=unread]", WAIT, |t| t == "2").unwrap();
    assert_eq!(order(s), names, "a new message does not move a tab");

    // patron3's tab dragged onto the left half of patron1's goes first.
    s.drag(&tab(s, "patron3"), &tab(s, "patron1"), -40).unwrap();
    wait_until("the dragged tab goes first", || order(s) == ["patron3", "patron1", "patron2"]);
    // patron1's tab, opened, moves right from the keyboard.
    s.click(&tab(s, "patron1")).unwrap();
    let composer = s.wait_for("[data-testid=composer]", WAIT).unwrap();
    s.send_keys(&composer, "\u{E009}\u{E008}\u{E00F}\u{E000}").unwrap();
    wait_until("the open tab moves right", || order(s) == ["patron3", "patron2", "patron1"]);
    // Said to screen readers (a status region that is not shown, so read from the page).
    let said = || s.execute("return document.querySelector('[data-testid=tab-moved]').textContent").unwrap();
    wait_until("the move is announced", || said() != "");
    assert_eq!(said(), "Tab of patron1 moved to position 3 of 3");
    // Already last: nothing moves further.
    s.send_keys(&composer, "\u{E009}\u{E008}\u{E00F}\u{E000}").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(order(s), ["patron3", "patron2", "patron1"]);
    s.save_screenshot(&artifacts().join("e2e-tabs-moved.png"));

    drop(app);
    let app = launch_with(&[("REFDESK_DATA_DIR", data.path()), ("REFDESK_DEMO", &demo)]);
    let s = &app.session;
    wait_until("the tabs after a restart", || order(s).len() == 3);
    assert_eq!(order(s), ["patron3", "patron2", "patron1"], "the order is kept across a restart");
}

/// With the server gone, the header counts down to the next attempt once the waits grow; the
/// librarian who knows the server is back again need not wait: "Try now" reconnects at once.
#[test]
fn a_desk_waiting_to_reconnect_counts_down_and_tries_now_on_request() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, mut prosody, _server_dir, .. } = signed_in_desk_with("ask-secret", &[]);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    prosody.stop();
    let seconds_left =
        |t: &str| -> Option<u64> { t.split_once("reconnecting in ")?.1.strip_suffix(" s")?.parse().ok() };
    // The first retries come a second apart; then the waits double and the countdown shows, and
    // counts down.
    let label = s
        .wait_for_text("[data-testid=account-status]", Duration::from_secs(90), |t| {
            seconds_left(t).is_some_and(|n| n >= 5)
        })
        .unwrap();
    let first = seconds_left(&label).unwrap();
    s.wait_for_text("[data-testid=account-status]", Duration::from_secs(3), |t| {
        seconds_left(t).is_some_and(|n| n < first)
    })
    .unwrap();
    prosody.restart().unwrap();
    let label = s.wait_for_text("[data-testid=account-status]", WAIT, |t| seconds_left(t).is_some()).unwrap();
    let left = seconds_left(&label).unwrap();
    assert!(left >= 3, "{label}");
    s.click(&s.find("[data-testid=retry-now]").unwrap()).unwrap();
    // Back well before the countdown would have ended.
    s.wait_for_text("[data-testid=account-status]", Duration::from_secs(left - 1), |t| t.ends_with(": online"))
        .unwrap();
    assert!(s.find_all("[data-testid=retry-now]").unwrap().is_empty(), "nothing to retry once online");
}
