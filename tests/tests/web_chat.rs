//! The patrons' chat box for the library's website (widget/), in a real browser (Debian's Chromium
//! through ChromeDriver) on the demo's page (a strict CSP) served by the real Prosody, with a real
//! desk answering (the IM service run headless on its own database, as the app runs it).

use std::time::{Duration, Instant};

use chrono::Utc;
use refdesk_core::api::AccountState;
use refdesk_core::desk::Policy;
use refdesk_core::xmpp::{connect, Incoming, Show};
use refdesk_core::Desk;
use refdesk_testkit::service::{config, signed_in_desk};
use refdesk_testkit::webdriver::{ChromeDriver, Session, WebKitDriver};
use refdesk_testkit::{artifacts, Prosody, ProsodyConfig};

const WAIT: Duration = Duration::from_secs(30);
const HOST: &str = "#refdesk-chat";

/// Site CSS that would restyle every button and list of the chat box, could it reach them.
const HOSTILE_CSS: &str = "button, li { background: rgb(255, 0, 0) !important; font-size: 40px !important; }\n";

/// Polls `f` until it gives `Some`, or fails saying `what` was never seen.
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "never saw {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Reads inside the chat box's shadow root, as the page's own scripts cannot style or reach it.
fn in_box(s: &Session, expr: &str) -> serde_json::Value {
    s.execute(&format!("const root = document.querySelector('{HOST}').shadowRoot; return {expr};")).unwrap()
}

/// (who, text) of each line shown in the chat box.
fn lines(s: &Session) -> Vec<(String, String)> {
    let v = in_box(
        s,
        "[...root.querySelectorAll('[data-testid=line]')].map(l => [l.classList.contains('you') ? 'you' : 'desk', l.querySelector('[data-testid=body]').textContent])",
    );
    serde_json::from_value(v).unwrap()
}

/// A library's server (with the guests' host and the sample page, styled by `site_css`) and its
/// desk signed in to ask@, with `users` registered besides.
struct Library {
    desk: refdesk_testkit::service::Running,
    p: Prosody,
    rt: tokio::runtime::Runtime,
    data: tempfile::TempDir,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

/// The library's server and site, with no desk signed in yet.
struct Server {
    p: Prosody,
    rt: tokio::runtime::Runtime,
    data: tempfile::TempDir,
    dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn server(site_css: &str, users: &[(&str, &str)]) -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (server_dir, site, data) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let p = Prosody::start(&ProsodyConfig {
        web_root: Some(site.path().to_owned()),
        ..ProsodyConfig::new(server_dir.path())
    })
    .unwrap();
    p.register("ask", "ask-secret").unwrap();
    for (user, password) in users {
        p.register(user, password).unwrap();
    }
    refdesk_testkit::site::write(site.path(), &p, site_css).unwrap();
    Server { p, rt, data, dirs: (server_dir, site) }
}

fn library(site_css: &str, users: &[(&str, &str)]) -> Library {
    let Server { p, rt, data, dirs } = server(site_css, users);
    let desk = rt.block_on(async {
        let mut d = signed_in_desk(&p, data.path()).await;
        d.until_state(AccountState::Online).await;
        d
    });
    Library { rt, p, desk, data, _dirs: dirs }
}

#[test]
fn a_question_from_the_library_website_reaches_the_desk_and_the_answer_comes_back_as_text() {
    // (Bound whole: what is left of a struct pattern is dropped at once, and the server's folders with it.)
    let Library { rt, p, data, mut desk, _dirs } = library(HOSTILE_CSS, &[]);
    // The website's status address says the desk is open once it has told the server so.
    let status = format!("http://127.0.0.1:{}/status/ask@{}/text", p.http_port, p.domain);
    wait_for("the desk online on the status address", || {
        ureq::get(&status).call().ok()?.into_string().ok().filter(|s| s.trim() == "online")
    });

    let driver = ChromeDriver::start().unwrap();
    let s = driver.open(&p.site_url()).unwrap();

    // Before writing: the desk's state, from the status address (no XMPP session yet).
    let launcher = s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap();
    wait_for("the desk's state on the button", || {
        let t = in_box(&s, "root.querySelector('[data-testid=desk-status]').textContent");
        (t == "Librarians are online").then_some(())
    });
    // The site's CSS does not reach into the chat box (it would make every button red).
    let bg = in_box(&s, "getComputedStyle(root.querySelector('[data-testid=launcher]')).backgroundColor");
    assert_ne!(bg, "rgb(255, 0, 0)", "the site's CSS restyled the chat box");
    s.click(&launcher).unwrap();
    // The library's privacy notice is there before the first message.
    let notice = in_box(&s, "root.querySelector('[data-testid=privacy]').textContent");
    assert!(notice.as_str().unwrap().contains("No cookies"), "{notice}");

    // The patron asks, as a patron types: markup in it is text.
    let question = "Do you have <b>Beloved</b> by Toni Morrison?";
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, &format!("{question}\u{E007}")).unwrap();

    // It reaches the desk as a patron's chat, from a random guest on the guests' host.
    let arrived = rt.block_on(desk.until_message("the web patron's question", |m| m.incoming && m.body == question));
    let guest = arrived.peer.clone();
    assert!(guest.ends_with(&format!("@{}", p.guest_domain)), "{guest}");

    // The librarian answers; hostile markup from the desk's side is shown as text too.
    let answer = "Yes: 813.54 MOR, second floor. <img src=x onerror=\"document.title='owned'\">";
    desk.reply(&arrived.account, &guest, answer);
    let shown = wait_for("the answer in the chat box", || {
        let l = lines(&s);
        l.iter().any(|(_, t)| t == answer).then_some(l)
    });
    assert_eq!(shown.iter().filter(|(_, t)| t == answer).count(), 1, "the answer is shown once: {shown:?}");
    assert_eq!(shown.iter().filter(|(who, t)| who == "you" && t == question).count(), 1, "{shown:?}");
    assert_eq!(in_box(&s, "root.querySelectorAll('img, b').length"), 0, "no element made from chat text");
    assert_ne!(s.title().unwrap(), "owned");
    s.save_screenshot(&artifacts().join("web-chat.png"));
    // axe-core over the page with the conversation open: nothing serious or critical.
    let violations = s.accessibility_violations();
    assert!(violations.is_empty(), "accessibility violations:\n{}", violations.join("\n"));

    // The patron saves their own copy, made in the browser (nothing is mailed or sent for it).
    s.click(&s.find_in_shadow(HOST, "[data-testid=download]").unwrap()).unwrap();
    let saved = driver.downloads().join("library-chat.txt");
    let copy =
        wait_for("the transcript download", || std::fs::read_to_string(&saved).ok().filter(|t| t.contains(answer)));
    assert!(copy.contains(&format!("You: {question}")) && copy.contains(&format!("Librarian: {answer}")), "{copy}");

    // The patron ends the chat: the box says so.
    s.click(&s.find_in_shadow(HOST, "[data-testid=end]").unwrap()).unwrap();
    wait_for("the chat ended", || {
        (in_box(&s, "root.querySelector('[data-testid=typing]').textContent") == "Chat ended. Thank you!").then_some(())
    });
    // The desk hears it: the chat closes as the patron's to end (its transcript a web chat's), and
    // the window says so on the tab.
    let snapshot = rt.block_on(desk.until_snapshot("the patron's chat ended", |d| d.left.contains(&guest)));
    assert!(!snapshot.chats.iter().any(|c| c.peer == guest), "{:?}", snapshot.chats);
    let hits = desk.desk.lock().unwrap().search_transcripts("Morrison", 10).unwrap();
    let closed = desk.desk.lock().unwrap().store().transcript(hits[0].id).unwrap().unwrap();
    assert_eq!((closed.reason.as_str(), closed.medium), ("patronLeft", refdesk_core::api::Medium::Web));

    // The box asks how the chat was; the patron gives 4 of 5 and a comment, by keyboard and click.
    wait_for("the rating form", || {
        (in_box(&s, "root.querySelector('[data-testid=rate]').hidden") == false).then_some(())
    });
    let violations = s.accessibility_violations();
    assert!(violations.is_empty(), "accessibility violations with the rating form:\n{}", violations.join("\n"));
    s.click(&s.find_in_shadow(HOST, "[data-testid=score-4]").unwrap()).unwrap();
    let comment = s.find_in_shadow(HOST, "[data-testid=rate-comment]").unwrap();
    s.send_keys(&comment, "Very helpful <3, mail me at toni.fan@example.org").unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=rate-send]").unwrap()).unwrap();
    wait_for("the thanks for the rating", || {
        let said = in_box(&s, "root.querySelector('[data-testid=typing]').textContent");
        (said == "Thank you for your rating.").then_some(())
    });
    // The desk keeps it with the chat, redacted like every line.
    let rated = wait_for("the rating at the desk", || {
        let t = desk.desk.lock().unwrap().store().transcript(hits[0].id).unwrap()?;
        t.patron_rating.is_some().then_some(t)
    });
    assert_eq!(rated.patron_rating, Some(4));
    assert_eq!(rated.patron_comment, "Very helpful <3, mail me at [EMAIL]");

    // A reload (or another page of the site, in the same tab) shows the conversation again.
    s.goto(&p.site_url()).unwrap();
    let again = wait_for("the conversation after a reload", || {
        let l = lines(&s);
        (l.len() >= 2).then_some(l)
    });
    assert!(again.iter().any(|(_, t)| t == question) && again.iter().any(|(_, t)| t == answer), "{again:?}");

    // The desk keeps the web chat as any other: the question is in its database.
    let stored = Desk::open(&data.path().join("refdesk.db")).unwrap();
    let convo = stored.store().messages_page(&arrived.account, &guest, None, 10).unwrap();
    assert!(convo.iter().any(|m| m.incoming && m.body == question), "the desk stored the question: {convo:?}");
}

/// A web patron who has to wait sees their place in line and the expected wait, and sees it move
/// as the line moves (the desk's place payload; a patron's own XMPP client gets the plain-text
/// reply and ignores the payload). On a phone-sized screen the chat box takes the screen.
#[test]
fn a_web_patron_waiting_in_line_sees_their_place_move_up() {
    let Library { rt, p, mut desk, data: _data, _dirs } = library("", &[("reader", "reader-secret")]);
    // One chat at a time, and the librarian is with someone at the desk.
    {
        let mut d = desk.desk.lock().unwrap();
        d.set_policy(Policy { max_chats: 1, ..Policy::default() });
        d.start_walkup(None, Utc::now()).unwrap();
    }
    desk.kick.notify_one();

    // A patron with their own client asks first: number 1.
    let mut reader = rt.block_on(async {
        let mut s = connect(&config(&p, "reader"), "reader-secret").await.unwrap();
        s.send_presence(Show::Available, None).await.unwrap();
        s.send_message(&format!("ask@{}", p.domain), "Is the map room open?").await.unwrap();
        s
    });
    rt.block_on(desk.until_message("the first patron's question", |m| m.incoming && m.body.contains("map room")));

    // The web patron asks next: number 2, told in words they can read and a screen reader hears.
    let driver = ChromeDriver::start().unwrap();
    let s = driver.open(&p.site_url()).unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "Where are the atlases?\u{E007}").unwrap();
    let place = |s: &Session| {
        in_box(s, "root.querySelector('[data-testid=place]').hidden ? '' : root.querySelector('[data-testid=place]').textContent")
    };
    let shown = wait_for("the web patron's place in line", || {
        let t = place(&s);
        t.as_str().filter(|t| t.starts_with("You are number 2 in line")).map(str::to_owned)
    });
    assert!(shown.contains("(about "), "{shown}");
    assert_eq!(in_box(&s, "root.querySelector('[data-testid=place]').getAttribute('role')"), "status");
    s.save_screenshot(&artifacts().join("web-chat-place.png"));

    // The walk-up ends and the librarian takes the first chat: the web patron moves up.
    desk.desk.lock().unwrap().end_walkup(Utc::now()).unwrap();
    desk.kick.notify_one();
    wait_for("the web patron moved up to number 1", || {
        place(&s).as_str().is_some_and(|t| t.starts_with("You are number 1 in line")).then_some(())
    });

    // The patron with their own client got a plain-text reply and nothing it cannot show.
    let texts = rt.block_on(async {
        let mut bodies = Vec::new();
        while let Ok(Ok(ev)) = tokio::time::timeout(Duration::from_secs(2), reader.next()).await {
            if let Incoming::Message(m) = ev {
                bodies.push(m.body.unwrap_or_default());
            }
        }
        bodies
    });
    assert!(texts.iter().any(|b| b.contains("in line") || b.contains("number")), "the plain-text reply: {texts:?}");

    // On a phone-sized screen the chat takes the screen, its controls big enough for a thumb, and
    // axe still finds nothing serious.
    s.set_window_size(390, 844).unwrap();
    let fit = wait_for("the chat box fitted to a phone's screen", || {
        let v = in_box(
            &s,
            "(() => { const p = root.querySelector('.panel').getBoundingClientRect(); \
             const small = [...root.querySelectorAll('.panel button')].filter(b => b.getClientRects().length > 0 && b.getBoundingClientRect().height < 44).length; \
             const field = parseFloat(getComputedStyle(root.querySelector('textarea')).fontSize); \
             return [Math.round(p.left), Math.round(p.width), window.innerWidth, small, field]; })()",
        );
        let v: (f64, f64, f64, u32, f64) = serde_json::from_value(v).ok()?;
        (v.1 == v.2).then_some(v)
    });
    assert_eq!((fit.0, fit.3), (0.0, 0), "the whole width, every button at least 44 px tall: {fit:?}");
    assert!(fit.4 >= 16.0, "a field a phone does not zoom into: {fit:?}");
    s.save_screenshot(&artifacts().join("web-chat-phone.png"));
    let violations = s.accessibility_violations();
    assert!(violations.is_empty(), "accessibility violations on a phone:\n{}", violations.join("\n"));

    // The librarian answers the web patron: they are no longer waiting, and the line is gone.
    let guest_host = format!("@{}", p.guest_domain);
    let conversations = desk.desk.lock().unwrap().conversations().unwrap();
    let guest = conversations.into_iter().find(|c| c.peer.ends_with(&guest_host)).expect("the web patron's chat");
    desk.reply(&guest.account, &guest.peer, "The atlases are on the second floor.");
    wait_for("the place line gone once a librarian has the chat", || (place(&s) == "").then_some(()));
}

/// A patron on the library's Dutch page is answered in Dutch where the library wrote its replies in
/// Dutch: the chat box says the page's language with each question (`xml:lang`).
#[test]
fn a_patron_on_a_dutch_page_gets_the_desk_s_dutch_replies() {
    let Library { rt: _rt, p, desk, data: _data, _dirs: dirs } = library("", &[]);
    let mut policy = refdesk_core::desk::DeskPolicy { max_chats_per_librarian: 1, ..Default::default() };
    policy.languages.insert(
        "nl".into(),
        refdesk_core::desk::policy::LocalTemplates {
            queued: Some(
                "Bedankt! Een bibliothecaris helpt iemand aan de balie; u bent nummer {position} ({wait}).".into(),
            ),
            ..Default::default()
        },
    );
    {
        let mut d = desk.desk.lock().unwrap();
        d.set_policy(policy.compile().unwrap());
        d.start_walkup(None, Utc::now()).unwrap();
    }
    desk.kick.notify_one();
    let site = dirs.1.path();
    let page = std::fs::read_to_string(site.join("index.html"))
        .unwrap()
        .replace("<html lang=\"en\">", "<html lang=\"nl-BE\">");
    assert!(page.contains("lang=\"nl-BE\""), "the sample page names its language");
    std::fs::write(site.join("nl.html"), page).unwrap();

    let driver = ChromeDriver::start().unwrap();
    let s = driver.open(&format!("{}nl.html", p.site_url())).unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "Waar staan de atlassen?\u{E007}").unwrap();
    let reply = wait_for("the desk's reply in Dutch", || {
        lines(&s).into_iter().find(|(who, _)| who == "desk").map(|(_, text)| text)
    });
    assert!(
        reply.starts_with("Bedankt! Een bibliothecaris helpt iemand aan de balie; u bent nummer 1 (ongeveer "),
        "{reply}"
    );
    assert!(reply.ends_with(" minuten).") || reply.ends_with("een minuut)."), "the wait in Dutch words: {reply}");
}

/// A patron who reloads the page, or opens another page of the site, is a new anonymous guest each
/// time; the chat box's visit keeps them in the same chat at the desk, and what the librarian wrote
/// while no page was open arrives once when one is. The closed chat counts as a web chat.
#[test]
fn a_web_patron_who_reloads_or_changes_page_stays_in_their_chat_and_misses_nothing() {
    let Library { rt, p, mut desk, data: _data, _dirs } = library("", &[]);
    let driver = ChromeDriver::start().unwrap();
    let s = driver.open(&p.site_url()).unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "Do you lend e-readers?\u{E007}").unwrap();
    let first = rt.block_on(desk.until_message("the question", |m| m.incoming && m.body.contains("e-readers")));
    let (account, chat) = (first.account.clone(), first.peer.clone());
    desk.reply(&account, &chat, "Yes, for three weeks.");
    wait_for("the first answer", || lines(&s).iter().any(|(_, t)| t == "Yes, for three weeks.").then_some(()));

    // The patron leaves the site for a moment; the librarian writes meanwhile (to a guest address
    // that is gone by now).
    s.goto("about:blank").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    desk.reply(&account, &chat, "You need a library card.");
    rt.block_on(desk.until_message("the second answer sent", |m| {
        !m.incoming && m.body == "You need a library card." && m.status != refdesk_core::api::MessageStatus::Pending
    }));

    // Back on another page of the site: the conversation is there, and the answer it missed comes.
    s.goto(&format!("{}catalogue.html", p.site_url())).unwrap();
    let shown = wait_for("the missed answer after changing page", || {
        let l = lines(&s);
        l.iter().any(|(_, t)| t == "You need a library card.").then_some(l)
    });
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "Can I get one online?\u{E007}").unwrap();
    // The new guest's words are the same chat at the desk, and the answer reaches where they are now.
    let next = rt.block_on(desk.until_message("the follow-up", |m| m.incoming && m.body.contains("online?")));
    assert_eq!(next.peer, chat, "the same chat at the desk");
    // The librarian's typing reaches the box where it is now.
    rt.block_on(desk.start_typing(&chat));
    wait_for("the librarian typing in the box", || {
        (in_box(&s, "root.querySelector('[data-testid=typing]').textContent") == "The librarian is typing…")
            .then_some(())
    });
    desk.reply(&account, &chat, "Yes: library.example/join");
    // A reload as well, after the answer is shown.
    wait_for("the third answer", || lines(&s).iter().any(|(_, t)| t == "Yes: library.example/join").then_some(()));
    s.goto(&p.site_url()).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let all = wait_for("the whole conversation after a reload", || {
        let l = lines(&s);
        (l.len() >= 5).then_some(l)
    });
    let texts: Vec<&str> = all.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Do you lend e-readers?",
            "Yes, for three weeks.",
            "You need a library card.",
            "Can I get one online?",
            "Yes: library.example/join"
        ],
        "each line once, in order (before: {shown:?})"
    );

    // One chat at the desk, marked as from the website; closed, it is a web chat in the statistics.
    let d = desk.desk.lock().unwrap();
    let tabs = d.conversations().unwrap();
    let guest_host = format!("@{}", p.guest_domain);
    let web: Vec<_> = tabs.iter().filter(|c| c.peer.ends_with(&guest_host)).collect();
    assert_eq!(web.len(), 1, "{tabs:?}");
    assert_eq!(web[0].medium, refdesk_core::api::Medium::Web);
    drop(d);
    let now = Utc::now();
    desk.desk.lock().unwrap().close_chat(&chat, &refdesk_core::api::Rating::default(), now).unwrap();
    let stats = desk
        .desk
        .lock()
        .unwrap()
        .statistics(now - chrono::Duration::hours(1), now + chrono::Duration::hours(1), &Utc)
        .unwrap();
    assert_eq!((stats.questions.web, stats.questions.chat), (1, 0));
}

/// Nobody at the desk: the chat box says the chat is closed and takes a question with an email
/// address; the library's server keeps it, and the desk that signs in later lists it as a
/// follow-up to answer by email. Answered, it leaves a redacted transcript and the address goes.
#[test]
fn a_question_left_while_the_desk_is_closed_reaches_the_desk_as_a_follow_up() {
    let Server { p, rt, data, dirs: _dirs } = server("", &[("reader", "reader-secret")]);
    // A desk with a timetable signed in earlier (and published its hours), then left.
    let hours = refdesk_core::desk::schedule::ScheduleConfig {
        timezone: "UTC".into(),
        hours: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| refdesk_core::desk::schedule::Opening {
                day: (*d).into(),
                open: "09:00".into(),
                close: "17:00".into(),
            })
            .collect(),
        closed_dates: vec![],
    };
    let earlier = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let mut d = Desk::open(&earlier.path().join("refdesk.db")).unwrap();
        d.set_policy(Policy { schedule: Some(hours.compile("schedule").unwrap()), ..Policy::default() });
        let mut desk = refdesk_testkit::service::start_desk(&p, d);
        desk.until_state(AccountState::Online).await;
        // Published once a reader's query of the account's hours node finds it.
        let mut reader = connect(&config(&p, "reader"), "reader-secret").await.unwrap();
        let query = |id: &str| {
            format!(
                "<iq type='get' id='{id}' to='ask@{}'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
                 <items node='urn:x-refdesk:hours:0'/></pubsub></iq>",
                p.domain
            )
        };
        let mut published = false;
        for i in 0..100 {
            reader.send_raw(&query(&format!("h{i}"))).await.unwrap();
            while let Ok(Ok(ev)) = tokio::time::timeout(Duration::from_secs(2), reader.next()).await {
                if let Incoming::IqResponse { id, error, .. } = ev {
                    published = id == format!("h{i}") && error.is_none();
                    break;
                }
            }
            if published {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(published, "the desk published its opening hours");
        desk.stop.send(true).unwrap();
    });
    let status = format!("http://127.0.0.1:{}/status/ask@{}/text", p.http_port, p.domain);
    wait_for("the desk gone from the status address", || {
        ureq::get(&status).call().ok()?.into_string().ok().filter(|s| s.trim() == "offline")
    });
    let driver = ChromeDriver::start().unwrap();
    let s = driver.open(&p.site_url()).unwrap();
    wait_for("the desk's state on the button", || {
        (in_box(&s, "root.querySelector('[data-testid=desk-status]').textContent") == "Chat is closed now")
            .then_some(())
    });
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    wait_for("the closed notice", || {
        (in_box(&s, "root.querySelector('[data-testid=closed]').hidden") == false).then_some(())
    });
    // It says when the desk opens next, from the hours the desk published (09:00 to 17:00 UTC).
    let notice = wait_for("the next opening in the closed notice", || {
        let t = in_box(&s, "root.querySelector('[data-testid=closed]').textContent");
        t.as_str().filter(|t| t.contains("Next open:")).map(str::to_owned)
    });
    assert!(notice.contains("17:00") || notice.contains("05:00 PM"), "{notice}");
    let violations = s.accessibility_violations();
    assert!(violations.is_empty(), "accessibility violations on the closed box:\n{}", violations.join("\n"));
    let email = s.find_in_shadow(HOST, "[data-testid=email]").unwrap();
    s.send_keys(&email, "sam.reader@example.org").unwrap();
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "Can I renew <i>Middlemarch</i> once more?\u{E007}").unwrap();
    wait_for("the question saved", || {
        let said = in_box(&s, "root.querySelector('[data-testid=typing]').textContent");
        said.as_str().is_some_and(|t| t.contains("will write to sam.reader@example.org")).then_some(())
    });

    // The desk signs in later: the question is a follow-up, not a chat in the line.
    let mut desk = rt.block_on(async {
        let mut d = signed_in_desk(&p, data.path()).await;
        d.until_state(AccountState::Online).await;
        d
    });
    let snapshot = rt.block_on(desk.until_snapshot("the follow-up at the desk", |d| d.followups == 1));
    assert!(snapshot.queue.is_empty() && snapshot.chats.is_empty(), "{snapshot:?}");
    let list = desk.desk.lock().unwrap().followups().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].question, "Can I renew <i>Middlemarch</i> once more?");
    assert_eq!(list[0].email.as_deref(), Some("sam.reader@example.org"));

    // A second desk signs in to the account: the server's archive brings it the question too.
    let second_data = tempfile::tempdir().unwrap();
    let mut second = rt.block_on(async {
        let mut b = signed_in_desk(&p, second_data.path()).await;
        b.until_snapshot("the follow-up at the second desk", |d| d.followups == 1).await;
        b.call_myself("Maria", "").await;
        desk.until_snapshot("the second desk known at the first", |s| s.colleagues.iter().any(|c| c.name == "Maria"))
            .await;
        b
    });

    // Answered at the first desk, it leaves the list at both.
    desk.desk.lock().unwrap().answer_followup(list[0].id, Utc::now()).unwrap();
    desk.kick.notify_one();
    rt.block_on(second.until_snapshot("the follow-up gone at the second desk", |d| d.followups == 0));
    assert!(second.desk.lock().unwrap().followups().unwrap().is_empty());
    let d = desk.desk.lock().unwrap();
    assert!(d.followups().unwrap().is_empty());
    let hits = d.search_transcripts("Middlemarch", 10).unwrap();
    let t = d.store().transcript(hits[0].id).unwrap().unwrap();
    assert_eq!((t.reason.as_str(), t.medium), ("followUp", refdesk_core::api::Medium::Web));
}

/// The status line of a WebSocket upgrade to the server's XMPP endpoint from a page of `origin`.
fn upgrade_status(p: &Prosody, origin: Option<&str>) -> String {
    upgrade_status_at(p.http_port, origin)
}

/// The status line a WebSocket upgrade on loopback `port` gets, from `origin`.
fn upgrade_status_at(port: u16, origin: Option<&str>) -> String {
    use std::io::{BufRead, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let origin = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
    write!(
        s,
        "GET /xmpp-websocket HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: xmpp\r\n{origin}\r\n",
        port
    )
    .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(s).read_line(&mut line).unwrap();
    line.trim().to_owned()
}

/// A page of another site that embeds the library's chat box (served here on another port): the
/// server refuses its WebSocket, so it cannot open guest sessions from its visitors' browsers; the
/// library's own page still can.
#[test]
fn a_page_of_another_site_cannot_open_a_guest_session() {
    let Library { rt: _rt, p, desk: _desk, data: _data, _dirs } = library("", &[]);
    let refused = upgrade_status(&p, Some("https://evil.example"));
    assert!(refused.contains(" 403 "), "another site: {refused}\n{}", p.log());
    let own = format!("http://127.0.0.1:{}", p.http_port);
    assert!(upgrade_status(&p, Some(&own)).contains(" 101 "), "the library's own page");
    assert!(upgrade_status(&p, None).contains(" 101 "), "a client that is not a browser");

    // In a real browser: the same chat box on another site's page cannot reach the library.
    let other = tempfile::tempdir().unwrap();
    refdesk_testkit::site::write(other.path(), &p, "").unwrap();
    let port = refdesk_testkit::site::serve(other.path()).unwrap();
    let driver = ChromeDriver::start().unwrap();
    let s = driver.open(&format!("http://127.0.0.1:{port}/")).unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "hello from another site\u{E007}").unwrap();
    wait_for("the box saying it cannot reach the library", || {
        let said = in_box(&s, "root.querySelector('[data-testid=typing]').textContent");
        said.as_str().is_some_and(|t| t.contains("could not reach the library")).then_some(())
    });
    assert_eq!(lines(&s).len(), 0, "nothing was sent");
}

/// The second engine: WebKit (Safari's, every iPhone's) in WebKitGTK's MiniBrowser. The same box
/// on the same page: privacy notice, a question to the desk, the answer once and as text, a change
/// of page that keeps the conversation and brings the answer written meanwhile, End chat at the
/// desk, and axe.
#[test]
fn the_chat_box_works_in_webkit_too() {
    let Library { rt, p, mut desk, data: _data, _dirs } = library(HOSTILE_CSS, &[]);
    let driver = WebKitDriver::start().unwrap();
    let s = driver.open(&p.site_url()).unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    let notice = in_box(&s, "root.querySelector('[data-testid=privacy]').textContent");
    assert!(notice.as_str().unwrap().contains("No cookies"), "{notice}");
    let bg = in_box(&s, "getComputedStyle(root.querySelector('[data-testid=launcher]')).backgroundColor");
    assert_ne!(bg, "rgb(255, 0, 0)", "the site's CSS restyled the chat box");
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "Is <b>the atlas</b> on loan?\u{E007}").unwrap();
    let asked = rt.block_on(desk.until_message("the question from WebKit", |m| m.incoming && m.body.contains("atlas")));
    assert_eq!(asked.body, "Is <b>the atlas</b> on loan?");
    let answer = "Yes <img src=x onerror=\"document.title='owned'\">, back on Friday.";
    desk.reply(&asked.account, &asked.peer, answer);
    wait_for("the answer in WebKit", || lines(&s).iter().any(|(_, t)| t == answer).then_some(()));
    assert_eq!(in_box(&s, "root.querySelectorAll('img, b').length"), 0, "no element made from chat text");
    assert_ne!(s.title().unwrap(), "owned");
    let violations = s.accessibility_violations();
    assert!(violations.is_empty(), "accessibility violations in WebKit:\n{}", violations.join("\n"));

    // Away from the site while the librarian writes, then back on another page.
    s.goto("about:blank").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    desk.reply(&asked.account, &asked.peer, "Shall I reserve it?");
    rt.block_on(desk.until_message("the second answer sent", |m| {
        !m.incoming && m.body == "Shall I reserve it?" && m.status != refdesk_core::api::MessageStatus::Pending
    }));
    s.goto(&format!("{}catalogue.html", p.site_url())).unwrap();
    let shown = wait_for("the conversation and the missed answer in WebKit", || {
        let l = lines(&s);
        l.iter().any(|(_, t)| t == "Shall I reserve it?").then_some(l)
    });
    let texts: Vec<&str> = shown.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(texts, ["Is <b>the atlas</b> on loan?", answer, "Shall I reserve it?"]);

    // End chat: the desk closes it as the patron's to end.
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=end]").unwrap()).unwrap();
    rt.block_on(desk.until_snapshot("the chat ended from WebKit", |d| d.left.contains(&asked.peer)));
}

/// The ejabberd configuration docs/web-chat.md gives a library (guests' host with SASL ANONYMOUS,
/// WebSocket open to the site's origin only, guests' rate, nothing archived for guests), run for
/// real: the box on the site's page reaches a desk signed in to ejabberd and shows its answer.
#[test]
fn the_chat_box_works_with_ejabberd_configured_as_the_docs_say() {
    assert!(refdesk_testkit::ejabberd::installed(), "ejabberd is not installed: run scripts/setup.sh");
    let (dir, site, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The library's site on its own web server; the XMPP server lets only its pages in.
    let site_port = refdesk_testkit::site::serve(site.path()).unwrap();
    let site_url = format!("http://127.0.0.1:{site_port}/");
    let e = refdesk_testkit::ejabberd::Ejabberd::start_web(dir.path(), site_url.trim_end_matches('/')).unwrap();
    e.register("ask", "ask-secret").unwrap();
    let web = e.web.clone().unwrap();
    refdesk_testkit::site::write_for(site.path(), &web.websocket_url(), &web.guest_domain, &e.domain, false, "")
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut desk = rt.block_on(async {
        let d = Desk::open(&data.path().join("refdesk.db")).unwrap();
        let mut desk = refdesk_testkit::service::start_desk_on(&e.domain, d, e.client_config("ask"));
        desk.until_state(AccountState::Online).await;
        desk
    });

    // Only the library's own pages may open guest sessions.
    assert!(upgrade_status_at(web.http_port, Some("https://evil.example")).contains(" 403"), "a foreign origin");
    assert!(upgrade_status_at(web.http_port, Some(&web.origin)).contains(" 101"), "the site's own origin");

    let driver = ChromeDriver::start().unwrap();
    let s = driver.open(&site_url).unwrap();
    s.click(&s.find_in_shadow(HOST, "[data-testid=launcher]").unwrap()).unwrap();
    let input = s.find_in_shadow(HOST, "[data-testid=question]").unwrap();
    s.send_keys(&input, "Do you have <i>Ulysses</i>?\u{E007}").unwrap();
    let asked = rt.block_on(desk.until_message("the question over ejabberd", |m| m.incoming));
    assert_eq!(asked.body, "Do you have <i>Ulysses</i>?");
    assert!(asked.peer.ends_with(&format!("@{}", web.guest_domain)), "a guest of the guests' host: {}", asked.peer);
    desk.reply(&asked.account, &asked.peer, "Yes, two copies.");
    wait_for("the answer over ejabberd", || {
        lines(&s).iter().filter(|(who, t)| who == "desk" && t == "Yes, two copies.").count().eq(&1).then_some(())
    });
    let conversations = desk.desk.lock().unwrap().conversations().unwrap();
    let chat = conversations.iter().find(|c| c.peer == asked.peer).expect("the chat at the desk");
    assert_eq!(chat.medium, refdesk_core::api::Medium::Web);
}
