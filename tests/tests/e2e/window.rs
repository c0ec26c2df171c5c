//! The window and the tray: notifications while hidden or in the background, hiding to the tray, the tray's state and menu.

use super::*;

fn close_window() {
    // What the window manager does when the librarian clicks the close button.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/x11-window.py");
    let out = Command::new("/usr/bin/python3").arg(&script).args(["close", "Refdesk"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    wait_window("hidden");
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
