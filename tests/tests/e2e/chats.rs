//! Chats and walk-ups at the desk: the line, tabs, replies, drafts, rating, long conversations, a crash.

use super::*;

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
    assert_eq!(s.text(&s.find("[data-testid=stats-web]").unwrap()).unwrap(), "0", "an IM chat is not a web chat");
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
    assert_eq!(swatch("legend-web"), swatch("legend-chat"), "the legend's swatches match");
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
    assert_eq!(row[1..], ["1", "0", "1", "2"], "weekday row: IM chat, web chat, walk-up, total: {row:?}");
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

#[test]
fn a_web_chat_is_marked_on_its_tab_and_says_when_the_patron_ended_it() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, data: _data, demo: _demo, _server_dir } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &prosody);
    // What the website's chat box sends (docs/web-chat.md): its visit marker with every message.
    let web = "<web xmlns='urn:x-refdesk:web:0' visit='0123456789abcdef0123456789abcdef'/>";
    let question = format!(
        "<message to='ask@library.test' type='chat' id='w1'><body>Is the reading room open?</body>{web}</message>"
    );
    rt.block_on(patron1.send_raw(&question)).unwrap();
    s.wait_for_text("[data-testid=tab]", WAIT, |t| t.contains("patron1")).unwrap();
    s.wait_for_text("[data-testid=tab-web]", WAIT, |t| t == "web").unwrap();
    assert!(s.find_all("[data-testid=tab-left]").unwrap().is_empty());

    // "End chat" in the box: the tab says the patron ended it, and the chat is no longer under way.
    let gone = format!(
        "<message to='ask@library.test' type='chat'><gone xmlns='http://jabber.org/protocol/chatstates'/>{web}</message>"
    );
    rt.block_on(patron1.send_raw(&gone)).unwrap();
    s.wait_for_text("[data-testid=tab-left]", WAIT, |t| t == "ended the chat").unwrap();
    assert!(s.find_all("[data-testid=tab-phase]").unwrap().is_empty(), "no longer waiting or active");
    // Writing again starts a new question: the mark goes.
    rt.block_on(patron1.send_message("ask@library.test", "One more question")).unwrap();
    wait_until("the ended mark gone", || s.find_all("[data-testid=tab-left]").is_ok_and(|v| v.is_empty()));
}

#[test]
fn a_question_left_while_the_desk_was_closed_is_listed_as_a_follow_up_and_marked_answered() {
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, data: _data, demo: _demo, _server_dir } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut patron1 = patron(&rt, &prosody);
    // What the website's chat box sends when the desk is closed (docs/web-chat.md).
    let left =
        "<message to='ask@library.test' type='chat' id='f1'><body>Do you have &lt;b&gt;Dutch&lt;/b&gt; courses?</body>\
        <followup xmlns='urn:x-refdesk:web:0' email='sam@example.org'/>\
        <web xmlns='urn:x-refdesk:web:0' visit='0123456789abcdef0123456789abcdee'/></message>";
    rt.block_on(patron1.send_raw(left)).unwrap();
    s.wait_for_text("[data-testid=followups-count]", WAIT, |t| t == "1").unwrap();
    assert!(s.find_all("[data-testid=tab]").unwrap().is_empty(), "a follow-up is not a chat");
    s.click(&s.find("[data-testid=followups-button]").unwrap()).unwrap();
    let q = s.wait_for_text("[data-testid=followup-question]", WAIT, |t| t.contains("courses")).unwrap();
    assert_eq!(q, "Do you have <b>Dutch</b> courses?", "patron text is text");
    assert!(s.find_all("[data-testid=followup-question] b").unwrap().is_empty());
    let email = s.text(&s.find("[data-testid=followup-email]").unwrap()).unwrap();
    assert!(email.contains("sam@example.org"), "{email}");
    s.click(&s.find("[data-testid=followup-done]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=followups-empty]", WAIT, |t| t.contains("No questions")).unwrap();
    wait_until("the count gone", || s.find_all("[data-testid=followups-count]").is_ok_and(|v| v.is_empty()));
}
