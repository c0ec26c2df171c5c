//! Load and hostile input: five hundred patrons at once, a flooding contact, text made to break the window.

use super::*;

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
