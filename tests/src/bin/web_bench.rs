//! refdesk-web-bench: the website's chat box (issue #27). Prints figures; no pass/fail.
//! - the box's size, and gzipped;
//! - time from navigation to the chat button being there, in Chromium (median of 5 loads);
//! - many web guests at once (anonymous, over XMPP WebSocket, as the box signs in; run by Node
//!   with the box's own XMPP library, in a process of their own), each asking one question a
//!   minute: guest send → stored at the desk, p50 / p99, beside the server alone in the same run
//!   (a probe guest writing to another, five times a second);
//! - the server's memory per guest signed in.
//!
//! Run: `cargo run --release -p refdesk-tests --bin refdesk-web-bench [-- --guests N --secs S]`
//! from the repository root (after `npm --prefix widget run build`); rewrites bench/RESULTS-web.md.

use std::collections::HashMap;
use std::io::BufRead;
use std::time::{Duration, Instant};

use refdesk_core::api::AccountState;
use refdesk_core::Desk;
use refdesk_testkit::proc::{mono, p50_p99_ms};
use refdesk_testkit::service::{start_desk_with, Published};
use refdesk_testkit::webdriver::ChromeDriver;
use refdesk_testkit::{Prosody, ProsodyConfig};
use tokio::sync::mpsc;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let arg = |name: &str| std::env::args().skip_while(|a| a != name).nth(1);
    let guests: usize = arg("--guests").and_then(|v| v.parse().ok()).unwrap_or(200);
    let secs: u64 = arg("--secs").and_then(|v| v.parse().ok()).unwrap_or(120);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).expect("the site's folder");
    let prosody = Prosody::start(&ProsodyConfig {
        web_root: Some(site.clone()),
        ..ProsodyConfig::new(dir.path().join("server"))
    })
    .expect("prosody");
    prosody.register("ask", "ask-secret").expect("register");
    refdesk_testkit::site::write(&site, &prosody, "").expect("the sample site (build the box first)");

    // The box itself.
    let bundle = std::fs::read(refdesk_testkit::site::bundle()).expect("widget/dist/refdesk-chat.js");
    let gzipped = gzip_len(&bundle);
    println!("the box: {} bytes, {gzipped} gzipped", bundle.len());

    // Navigation to the button, in Chromium.
    let mut ready = Vec::new();
    for _ in 0..5 {
        {
            // A fresh browser (and profile) each time: nothing cached from the load before.
            let driver = ChromeDriver::start().expect("chromedriver");
            let s = driver.open(&prosody.site_url()).expect("the page");
            let t = (0..100).find_map(|_| {
                let v = s
                    .execute("const m = performance.getEntriesByName('refdesk-chat-ready')[0]; return m ? m.startTime : null;")
                    .ok()?;
                if v.is_null() {
                    std::thread::sleep(Duration::from_millis(50));
                }
                v.as_f64()
            });
            ready.extend(t);
        }
    }
    ready.sort_by(f64::total_cmp);
    let ready_ms = ready.get(ready.len() / 2).copied().unwrap_or(f64::NAN);
    println!("navigation to the chat button: {ready_ms:.0} ms (median of {})", ready.len());

    // The desk, and the guests.
    let desk = Desk::open(&dir.path().join("refdesk.db")).expect("a desk");
    let mut running = start_desk_with(&prosody, desk, prosody.client_config("ask"));
    running.until_state(AccountState::Online).await;
    let rss_before = rss_kib(prosody.pid());
    let mut child = std::process::Command::new("node")
        .args([
            "--experimental-websocket",
            "bench/web-guests.mjs",
            &prosody.websocket_url(),
            &prosody.guest_domain,
            &format!("ask@{}", prosody.domain),
            &guests.to_string(),
            &secs.to_string(),
            "1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("node runs the guests (scripts/setup.sh installs it)");
    let stdout = child.stdout.take().expect("its output");
    let (tx, mut said) = mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut signed_in = 0;
    let mut rss_guests = 0;
    let mut sent_at: HashMap<String, Duration> = HashMap::new();
    let mut stored_at: HashMap<String, Duration> = HashMap::new();
    let mut server = Vec::new();
    let mut done = false;
    let deadline = Instant::now() + Duration::from_secs(secs + 180);
    while !(done && stored_at.len() >= sent_at.len()) && Instant::now() < deadline {
        tokio::select! {
            line = said.recv(), if !done => match line.as_deref().map(|l| l.split_once(' ').unwrap_or((l, ""))) {
                Some(("ready", n)) => {
                    signed_in = n.parse().unwrap_or(0);
                    rss_guests = rss_kib(prosody.pid());
                    println!("{signed_in} guests signed in; asking for {secs} s");
                }
                Some(("sent", rest)) => {
                    if let Some((t, body)) = rest.split_once(' ') {
                        if let Ok(ns) = t.parse::<u64>() {
                            sent_at.insert(body.to_owned(), Duration::from_nanos(ns));
                        }
                    }
                }
                Some(("probe", t)) => server.extend(t.parse::<u64>().ok().map(Duration::from_nanos)),
                Some(("done", _)) | None => done = true,
                Some(_) => {}
            },
            p = running.published.recv() => {
                if let Some(Published::Message(m)) = p {
                    if m.incoming && m.body.starts_with("web bench ") {
                        stored_at.entry(m.body).or_insert_with(mono);
                    }
                }
            }
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut desk: Vec<Duration> =
        stored_at.iter().filter_map(|(b, s)| Some(s.saturating_sub(*sent_at.get(b)?))).collect();
    let (d50, d99) = p50_p99_ms(&mut desk);
    let (s50, s99) = p50_p99_ms(&mut server);
    let per_guest =
        if signed_in > 0 { rss_guests.saturating_sub(rss_before) as f64 / signed_in as f64 } else { f64::NAN };
    println!(
        "guest send -> stored: p50 {d50:.1} ms, p99 {d99:.1} ms ({} of {} stored); server alone p50 {s50:.1} ms, p99 {s99:.1} ms; \
         server memory {per_guest:.0} KiB per guest",
        stored_at.len(),
        sent_at.len()
    );
    let text = format!(
        "# Web chat benchmark\n\nWritten by `cargo run --release -p refdesk-tests --bin refdesk-web-bench` (see its \
         header).\n\n## Latest run\n\n{} on {}\n\n\
         | measure | figure |\n| --- | --- |\n\
         | the box (widget/dist/refdesk-chat.js) | {} bytes, {gzipped} gzipped |\n\
         | navigation → chat button, Chromium, median of {} | {ready_ms:.0} ms |\n\
         | web guests signed in at once | {signed_in} |\n\
         | questions (each guest one a minute, {secs} s) | {} sent, {} stored |\n\
         | guest send → stored at the desk, p50 / p99 | {d50:.1} / {d99:.1} ms |\n\
         | server alone (guest to guest, same run), p50 / p99 | {s50:.1} / {s99:.1} ms |\n\
         | server memory per guest signed in (RSS) | {per_guest:.0} KiB |\n\n\
         The guests are Node processes running the box's own XMPP library (@xmpp/client) over WebSocket, \
         signed in anonymously as the box does; the desk is the real IM service on its own SQLite file. \
         Send and store times are read on the system's monotonic clock in both processes.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        refdesk_testkit::proc::machine(),
        bundle.len(),
        ready.len(),
        sent_at.len(),
        stored_at.len(),
    );
    if let Err(e) = std::fs::write("bench/RESULTS-web.md", text) {
        eprintln!("could not write bench/RESULTS-web.md (run from the repository root): {e}");
    }
}

/// A process's resident memory, in KiB (0 if it cannot be read).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    let _ = child.stdin.take().expect("its input").write_all(bytes);
    child.wait_with_output().map(|o| o.stdout.len()).unwrap_or(0)
}
