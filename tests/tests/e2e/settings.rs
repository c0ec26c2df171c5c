//! Settings and accessibility: the glossary, a desk's own rules, text size and contrast, axe on every view.

use super::*;

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
