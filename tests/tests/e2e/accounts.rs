//! IM accounts: signing in, the policy's accounts and a desk's own, passwords only in the keyring, reconnecting.

use super::*;

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

#[test]
fn under_ask_the_librarian_allows_or_declines_who_may_see_when_the_desk_is_open() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let (server_dir, prosody, account) = server_for_a_policy_account();
    for u in ["dan", "eve"] {
        prosody.register(u, "patron-secret").unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    let policy = server_dir.path().join("policy.toml");
    std::fs::write(&policy, format!("{account}buddies = \"ask\"\n")).unwrap();
    let env = [("REFDESK_DATA_DIR", data.path()), ("REFDESK_POLICY", policy.as_path())];
    let app = launch_with(&env);
    let s = &app.session;
    // The password may be in the keyring already (an earlier test of this run signed this account
    // in): then the desk signs in by itself.
    let status = s
        .wait_for_text("[data-testid=account-status]", WAIT, |t| {
            t.ends_with("needs its password") || t.ends_with(": online")
        })
        .unwrap();
    if status.ends_with("needs its password") {
        s.send_keys(&s.find("[data-testid=account-password]").unwrap(), "correct horse battery").unwrap();
        s.click(&s.find("[data-testid=sign-in]").unwrap()).unwrap();
    }
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t == "ask@library.test: online").unwrap();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for (who, button, want) in [("dan", "buddy-allow", "to"), ("eve", "buddy-decline", "none")] {
        let mut patron = rt.block_on(async {
            use refdesk_core::xmpp::{connect, Show};
            let mut p = connect(&prosody.client_config(who), "patron-secret").await.unwrap();
            p.request_roster().await.unwrap();
            p.send_presence(Show::Available, None).await.unwrap();
            p.request_subscription("ask@library.test").await.unwrap();
            p
        });
        // The window asks the librarian, showing the address as text.
        let asked = s
            .wait_for_text("[data-testid=buddy-request]", WAIT, |t| t.contains(&format!("{who}@library.test")))
            .unwrap();
        assert!(asked.contains("wants to see when the desk is open"), "{asked}");
        s.click(&s.find(&format!("[data-testid={button}]")).unwrap()).unwrap();
        let got = rt.block_on(refdesk_testkit::roster::library_subscription(&mut patron));
        assert_eq!(got, want, "{who}");
        wait_until("the request answered", || s.find_all("[data-testid=buddy-request]").is_ok_and(|v| v.is_empty()));
    }
}
