//! Starting the app: its database, a second launch, no display, a bad policy file, starting at login, presence kept.

use super::*;

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
