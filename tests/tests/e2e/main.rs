//! End to end: the real app in a real WebKit webview, driven through tauri-driver, checked in its database.
//!
//! Run by scripts/test-e2e.sh (Xvfb, a D-Bus session, a release-like build); needs `REFDESK_APP`.
//!
//! One test binary, its tests by feature in the modules below; the helpers they share are here.

use refdesk_core::Desk;
use refdesk_testkit::artifacts;
use refdesk_testkit::notifications::NotificationDaemon;
use refdesk_testkit::tray::{decode_png, TrayHost, TrayItem};
use refdesk_testkit::webdriver::{Session, TauriDriver};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

mod accounts;
mod chats;
mod colleagues;
mod robustness;
mod settings;
mod startup;
mod window;

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

/// The running app's processes (its own and WebKit's), for memory bounds (one app at a time).
fn app_processes() -> refdesk_testkit::proc::Tree {
    let exe = app_path().canonicalize().unwrap();
    refdesk_testkit::proc::tree_of(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|e| e == exe))
        .expect("the app runs")
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
