//! refdeskctl as an administrator runs it: the real binary, real files, its output and exit codes.

use std::process::{Command, Output};

fn ctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refdeskctl")).args(args).env_remove("REFDESK_DATA_DIR").output().unwrap()
}

/// A patron's chat message to the desk's account, as the XMPP layer hands it over.
fn chat(from: &str, id: &str, body: &str) -> refdesk_core::xmpp::ChatMessage {
    refdesk_core::xmpp::ChatMessage {
        from: from.into(),
        to: Some("ask@lib".into()),
        id: Some(id.into()),
        kind: "chat".into(),
        body: Some(body.into()),
        ..Default::default()
    }
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn policy_check_accepts_a_good_file_and_points_at_a_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("policy.toml");
    std::fs::write(&good, "[desk]\norder = \"inPersonFirst\"\nminStaffForIm = 2\n").unwrap();
    let o = ctl(&["policy", "check", good.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("ok (in-person first; IM with 2+ staff"), "{out}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[desk]\norder = \"inPersonFirst\"\n\nmaxChats = 3\n").unwrap();
    let o = ctl(&["policy", "check", bad.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("bad.toml:4:1:") && err.contains("maxChats"), "{err}");

    let o = ctl(&["policy", "check", dir.path().join("missing.toml").to_str().unwrap()]);
    assert!(text(&o).1.contains("cannot read"), "{:?}", text(&o));
}

#[test]
fn policy_simulate_compares_both_orders_on_the_same_traffic() {
    let o = ctl(&["policy", "simulate", "--seed", "42", "--days", "3", "--compare"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("== first come, first served") && out.contains("== in-person first"), "{out}");
    assert_eq!(out.matches("walk-up ").count(), 2, "{out}");
    assert!(out.contains("rules fired:"), "{out}");
    // Same seed, same figures.
    assert_eq!(text(&ctl(&["policy", "simulate", "--seed", "42", "--days", "3", "--compare"])).0, out);
}

#[test]
fn policy_simulate_replays_a_log_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("day.jsonl");
    std::fs::write(
        &log,
        concat!(
            r#"{"at":"2026-11-23T10:00:00Z","event":{"type":"staffOnDuty","staff":"m","name":"Maria"}}"#,
            "\n",
            r#"{"at":"2026-11-23T10:01:00Z","event":{"type":"walkupArrived","walkup":1}}"#,
            "\n",
            r#"{"at":"2026-11-23T10:02:00Z","event":{"type":"patronMessage","chat":"p@x"}}"#,
            "\n",
            r#"{"at":"2026-11-23T10:06:00Z","event":{"type":"walkupEnded","walkup":1}}"#,
            "\n",
        ),
    )
    .unwrap();
    let o = ctl(&["policy", "simulate", "--events", log.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.lines().any(|l| l.starts_with("IM ") && l.contains(" 4.0 ")), "the chat waited 4 minutes: {out}");

    std::fs::write(&log, "{\"at\":\"2026-11-23T10:00:00Z\",\"event\":{\"type\":\"teleport\"}}\n").unwrap();
    let o = ctl(&["policy", "simulate", "--events", log.to_str().unwrap()]);
    assert!(text(&o).1.contains("day.jsonl:1:"), "{:?}", text(&o));
}

#[test]
fn unknown_commands_print_usage_and_fail() {
    let o = ctl(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("Usage: refdeskctl"), "{:?}", text(&o));
    let o = ctl(&["policy", "simulate", "--days"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("a value is required for '--days"), "{:?}", text(&o));
    let o = ctl(&["policy", "simulate", "--staff", "51"]);
    assert!(!o.status.success() && text(&o).1.contains("51 is not in 1..=50"), "{:?}", text(&o));
}

/// Each command answers --help with its own options (not the whole usage, not an error), and a
/// shell completion script is there for bash, zsh, fish and PowerShell.
#[test]
fn each_command_has_its_own_help_and_shells_get_completions() {
    let o = ctl(&["policy", "simulate", "--help"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Usage: refdeskctl policy simulate") && out.contains("--compare"), "{out}");
    assert!(!out.contains("backup"), "only this command's options: {out}");
    let (out, _) = text(&ctl(&["--help"]));
    for command in ["status", "search", "export", "stats", "erase", "redact", "policy", "completions"] {
        assert!(out.contains(command), "{command} in the overview: {out}");
    }
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = ctl(&["completions", shell]);
        assert!(o.status.success() && text(&o).0.contains("refdeskctl"), "{shell}: {:?}", text(&o));
    }
    assert!(text(&ctl(&["completions", "bash"])).0.contains("simulate"), "subcommands complete too");
}

#[test]
fn status_reads_a_desk_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("refdesk.db");
    let mut desk = refdesk_core::Desk::open(&db).unwrap();
    desk.start_walkup(Some("tax forms"), chrono::Utc::now()).unwrap();
    drop(desk);
    let o = ctl(&["status", "--db", db.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("desk: With a patron at the desk") && out.contains("walk-ups today: 1"), "{out}");
    let o = ctl(&["walkups", "--db", db.to_str().unwrap()]);
    assert!(text(&o).0.contains("\topen\ttax forms"), "{:?}", text(&o));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_refdeskctl"))
        .args(["policy", "simulate", "--days", "30", "--compare"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes, like `| head`
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_desk_log_exports_a_day_that_simulate_replays() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("refdesk.db");
    let mut desk = refdesk_core::Desk::open(&db).unwrap();
    let t0 = chrono::Utc::now() - chrono::Duration::minutes(30);
    desk.start_walkup(None, t0).unwrap();
    desk.end_walkup(t0 + chrono::Duration::minutes(5)).unwrap();
    drop(desk);
    let o = ctl(&["log", "--db", db.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out.lines().count(), 3, "on duty, arrived, ended: {out}");
    let log = dir.path().join("day.jsonl");
    std::fs::write(&log, &out).unwrap();
    let o = ctl(&["policy", "simulate", "--events", log.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let walkups = out.lines().find(|l| l.starts_with("walk-up ")).unwrap();
    assert_eq!(walkups.split_whitespace().take(3).collect::<Vec<_>>(), ["walk-up", "1", "1"], "{out}");
}

fn ctl_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_refdeskctl"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn redact_writes_one_line_per_line_whatever_comes_in() {
    let input = b"Hi, my name is Maria Lopez\r\n\ncall 555-123-4567 about ISBN 978-0-306-40615-7\nbad \xff byte a@b.org\nlast line without newline";
    let o = ctl_stdin(&["redact"], input);
    assert!(o.status.success(), "{:?}", text(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(lines.len(), 6, "five lines and the final newline: {out:?}");
    assert_eq!(lines[0], "Hi, my name is [NAME]\r");
    assert_eq!(lines[1], "");
    assert_eq!(lines[2], "call [PHONE] about ISBN 978-0-306-40615-7");
    assert_eq!(lines[3], "bad \u{FFFD} byte [EMAIL]");
    assert_eq!(lines[4], "last line without newline");

    let o = ctl_stdin(&["redact", "--explain"], b"mail a@b.org\nnothing here\nI'm Jan, 555-123-4567\n");
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out, "1\tEMAIL\t5\t12\ta@b.org\n3\tNAME\t4\t7\tJan\n3\tPHONE\t9\t21\t555-123-4567\n");
}

#[test]
fn search_finds_closed_chats_in_their_redacted_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("refdesk.db");
    let mut desk = refdesk_core::Desk::open(&db).unwrap();
    let now = chrono::Utc::now();
    let m = chat("hal@x.org/r", "h1", "sanborn fire insurance maps, call me 555-201-3344");
    desk.receive_message("ask@lib", &m, now).unwrap();
    desk.close_chat("hal@x.org", &Default::default(), now).unwrap();
    // A walk-up about the same maps, an hour before: found too, and told apart.
    let earlier = now - chrono::Duration::hours(1);
    desk.start_walkup(Some("sanborn maps for Ruth, ruth@x.org"), earlier).unwrap();
    desk.end_walkup(earlier + chrono::Duration::minutes(5)).unwrap();
    drop(desk);
    let o = ctl(&["search", "--db", db.to_str().unwrap(), "sanborn", "maps"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 2, "the chat, then the older walk-up: {out}");
    let fields = &lines[0];
    assert_eq!(fields.len(), 6, "{out}");
    assert_eq!(fields[1], "chat");
    assert!(fields[3].starts_with("patron-") && fields[4] == "patron", "{out}");
    assert!(fields[5].contains("[sanborn]") && fields[5].contains("[PHONE]") && !fields[5].contains("3344"), "{out}");
    assert_eq!(lines[1][1..5], ["walkup", "1", "-", "-"], "{out}");
    assert!(lines[1][5].contains("[EMAIL]") && !lines[1][5].contains("ruth@"), "topics are kept redacted: {out}");
    let o = ctl(&["search", "--db", db.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    // Narrowed: by account, by a librarian who did not answer, by a day long past; a typo is refused.
    let narrowed = |extra: &[&str]| {
        let mut args = vec!["search", "--db", db.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push("sanborn");
        ctl(&args)
    };
    assert_eq!(text(&narrowed(&["--account", "ask@lib"])).0.lines().count(), 1, "a walk-up is on no account");
    assert!(text(&narrowed(&["--medium", "walkup"])).0.starts_with(&format!("{}\twalkup\t", lines[1][0])));
    assert_eq!(text(&narrowed(&["--medium", "chat"])).0.lines().count(), 1);
    let o = narrowed(&["--medium", "phone"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--medium wants chat, web or walkup"), "{}", text(&o).1);
    assert_eq!(text(&narrowed(&["--librarian", "Nobody"])).0, "");
    assert_eq!(text(&narrowed(&["--from", "2001-01-01", "--to", "2001-01-31"])).0, "");
    let o = narrowed(&["--from", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("wants a date like 2026-09-01"), "{}", text(&o).1);
    assert_eq!(narrowed(&["--tagged", "x"]).status.code(), Some(2));

    // Erasure on the patron's request, by the pseudonym the search shows.
    let pseudonym = fields[3].to_owned();
    let o = ctl(&["erase", "--db", db.to_str().unwrap(), &pseudonym]);
    assert_eq!(text(&o).0, format!("erased 1 live messages and 1 transcripts of {pseudonym}\n"));
    let left = text(&ctl(&["search", "--db", db.to_str().unwrap(), "sanborn"])).0;
    assert!(left.lines().all(|l| l.contains("\twalkup\t")), "only the walk-up is left: {left}");
    // The patron comes back later: a new chat, for the purge below.
    let mut desk = refdesk_core::Desk::open(&db).unwrap();
    let m = refdesk_core::xmpp::ChatMessage { id: Some("h2".into()), ..m };
    desk.receive_message("ask@lib", &m, now).unwrap();
    desk.close_chat("hal@x.org", &Default::default(), now).unwrap();
    drop(desk);

    // Exports: CSV by default, JSON and HTML, to stdout or to a private file.
    let csv = text(&ctl(&["export", "--db", db.to_str().unwrap()])).0;
    assert!(csv.starts_with("transcript,account,patron,") && csv.contains("[PHONE]") && !csv.contains("3344"), "{csv}");
    let json = text(&ctl(&["export", "--db", db.to_str().unwrap(), "--format", "json"])).0;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let report = dir.path().join("report.html");
    let o = ctl(&["export", "--db", db.to_str().unwrap(), "--format", "html", "--out", report.to_str().unwrap()]);
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(std::fs::read_to_string(&report).unwrap().contains("sanborn fire insurance maps"));
    assert_owner_only(&report);
    let o = ctl(&["export", "--db", db.to_str().unwrap(), "--format", "xls"]);
    assert!(text(&o).1.contains("[possible values: csv, json, html]"), "{:?}", text(&o));
    // A period by local dates: today's transcript is in today's export, not in last year's.
    let today = chrono::Local::now().date_naive().to_string();
    let json = text(&ctl(&["export", "--db", db.to_str().unwrap(), "--format", "json", "--from", &today])).0;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap().as_array().unwrap().len(), 1);
    let o = ctl(&[
        "export",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
    ]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&text(&o).0).unwrap().as_array().unwrap().len(), 0);
    let o = ctl(&["export", "--db", db.to_str().unwrap(), "--from", "2025-02-30"]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let o = ctl(&["export", "--db", db.to_str().unwrap(), "--days", "3", "--from", &today]);
    assert!(text(&o).1.contains("'--days <N>' cannot be used with '--from <DATE>'"), "{:?}", text(&o));

    // A policy that keeps no transcripts: the purge empties the search.
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[retention]\nliveHours = 0\ntranscriptDays = 0\n").unwrap();
    let o = ctl(&["purge", "--db", db.to_str().unwrap(), "--policy", policy.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.starts_with("purged 1 live messages") && out.contains(", 1 transcripts and 1 walk-ups"), "{out}");
    let o = ctl(&["search", "--db", db.to_str().unwrap(), "sanborn"]);
    assert_eq!(text(&o).0, "");
}

#[test]
fn stats_reports_the_period_in_text_csv_and_json() {
    use chrono::{Duration, Utc};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("refdesk.db");
    let mut desk = refdesk_core::Desk::open(&db).unwrap();
    let t0 = Utc::now() - Duration::hours(2);
    let m = chat("ida@x.org/r", "i1", "do you have the county atlas?");
    desk.receive_message("ask@lib", &m, t0).unwrap();
    desk.reply("ask@lib", "ida@x.org", "Yes, map room.", t0 + Duration::seconds(45)).unwrap();
    let rating = refdesk_core::api::Rating { read_level: Some(2), tags: vec!["Maps".into()] };
    desk.close_chat("ida@x.org", &rating, t0 + Duration::minutes(3)).unwrap();
    desk.start_walkup(None, t0 + Duration::minutes(10)).unwrap();
    desk.end_walkup(t0 + Duration::minutes(12)).unwrap();
    drop(desk);
    let db = db.to_str().unwrap();

    let (out, err) = text(&ctl(&["stats", "--db", db]));
    assert!(out.contains("questions: 1 IM chat, 0 web chat, 1 walk-up; 0 chats abandoned"), "{out}{err}");
    assert!(out.contains("chat wait: median 45 s") && out.contains("tags: maps 1"), "{out}");
    assert!(
        out.contains("READ scale: 1: 0, 2: 2,") && out.contains("unrated: 0"),
        "the walk-up has the default: {out}"
    );
    assert!(out.contains("chat length: median 3 min 00 s"), "from the question to the close: {out}");

    let (out, _) = text(&ctl(&["stats", "--db", db, "--format", "json", "--days", "1"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["questions"]["chat"].as_u64(), v["questions"]["walkup"].as_u64()), (Some(1), Some(1)));
    assert_eq!(v["byHour"].as_array().unwrap().len(), 24);

    let today = chrono::Local::now().date_naive();
    let (out, _) =
        text(&ctl(&["stats", "--db", db, "--format", "csv", "--from", &(today - chrono::Days::new(1)).to_string()]));
    assert!(out.starts_with("section,key,chat,walkup,web\r\nperiod,from,"), "{out}");
    assert!(out.contains("\r\nquestions,all,1,1,0\r\n") && out.contains("\r\ntag,maps,1,0,0"), "{out}");
    let (out, _) = text(&ctl(&["stats", "--db", db, "--format", "html", "--days", "1"]));
    assert!(out.starts_with("<!DOCTYPE html>") && out.ends_with("</html>\n"), "{out}");
    assert!(out.contains("<th scope=\"row\">Questions by IM chat</th><td>1</td>"), "{out}");
    assert!(out.contains("<td class=\"tag\">maps</td><td>1</td><td>0</td><td>0</td>"), "{out}");
    // A period with nothing in it is a report of zeros, not an error.
    let (out, _) = text(&ctl(&["stats", "--db", db, "--from", "2020-01-01", "--to", "2020-01-31"]));
    assert!(out.contains("questions: 0 IM chat, 0 web chat, 0 walk-up"), "{out}");

    for (args, says) in [
        (vec!["--days", "7", "--from", "2026-01-01"], "cannot be used with"),
        (vec!["--from", "01/09/2026"], "wants a date like 2026-09-01"),
        (vec!["--from", "2026-02-01", "--to", "2026-01-01"], "is before --from"),
        (vec!["--format", "xls"], "[possible values: text, csv, json, html]"),
        (vec!["--to", "2026-01-01"], "required arguments were not provided"),
    ] {
        let o = ctl(&[&["stats", "--db", db], args.as_slice()].concat());
        assert!(!o.status.success() && text(&o).1.contains(says), "{args:?}: {:?}", text(&o));
    }
}

#[test]
fn erasing_by_address_needs_the_secret_and_says_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("refdesk.db");
    let mut desk = refdesk_core::Desk::open(&db).unwrap();
    // What the app does when it moves the secret to the keyring.
    desk.set_pseudonym_secret(b"kept in the keyring".to_vec());
    desk.forget_stored_pseudonym_secret().unwrap();
    drop(desk);
    let o = ctl(&["erase", "--db", db.to_str().unwrap(), "hal@x.org"]);
    let (_, err) = text(&o);
    assert!(
        !o.status.success() && err.contains("in the desk's keyring") && err.contains("Erase by pseudonym"),
        "{err}"
    );
    let o = ctl(&["erase", "--db", db.to_str().unwrap(), "patron-0011223344556677"]);
    assert!(o.status.success(), "{:?}", text(&o));
    let desk = refdesk_core::Desk::open(&db).unwrap();
    assert_eq!(desk.stored_pseudonym_secret().unwrap(), None, "no new secret was made in the database");
}

#[test]
fn a_backup_taken_while_the_desk_writes_restores_everything_and_keeps_what_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("refdesk.db");
    let dbs = db.to_str().unwrap();
    let now = chrono::Utc::now();
    // The desk is open and has a write under way while the backup is taken.
    let mut desk = refdesk_core::Desk::open(&db).unwrap();
    desk.receive_message("ask@lib", &chat("ada@x.org/r", "a1", "do you have Babbage's notebooks?"), now).unwrap();
    desk.close_chat("ada@x.org", &Default::default(), now).unwrap();
    desk.store()
        .atomically(|_| {
            let backup = dir.path().join("backup.db");
            let o = ctl(&["backup", "--db", dbs, backup.to_str().unwrap()]);
            let (out, err) = text(&o);
            assert!(o.status.success(), "{err}");
            assert!(out.contains("written to") && out.contains("backup.db"), "{out}");
            Ok(())
        })
        .unwrap();
    let backup = dir.path().join("backup.db");
    assert_owner_only(&backup);
    // Never over an existing file.
    let o = ctl(&["backup", "--db", dbs, backup.to_str().unwrap()]);
    assert!(text(&o).1.contains("already exists"), "{:?}", text(&o));

    // Later work, then a restore (with the app closed): the backup's state comes back.
    desk.receive_message("ask@lib", &chat("bob@x.org/r", "b1", "printer jammed"), now).unwrap();
    let o = ctl(&["restore", "--db", dbs, backup.to_str().unwrap()]);
    assert!(text(&o).1.contains("quit it first"), "not while the desk has it open: {:?}", text(&o));
    drop(desk);
    let o = ctl(&["restore", "--db", dbs, backup.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let kept = out.lines().find_map(|l| l.strip_prefix("the database it replaced is kept as ")).expect(&out).to_owned();
    assert!(kept.contains("refdesk.db.before-restore-"), "{out}");
    let search = |db: &str, w: &str| text(&ctl(&["search", "--db", db, w])).0;
    assert!(search(dbs, "babbage").contains("notebooks"));
    let restored = refdesk_core::Desk::open(&db).unwrap();
    assert!(
        restored.messages("ask@lib", "bob@x.org", None, 10).unwrap().is_empty(),
        "the later message is not in the backup"
    );
    drop(restored);
    let before = refdesk_core::Desk::open(std::path::Path::new(&kept)).unwrap();
    assert_eq!(
        before.messages("ask@lib", "bob@x.org", None, 10).unwrap().len(),
        1,
        "nor lost: it is in the file kept aside"
    );
    drop(before);

    // A file that is not a backup is refused before anything moves.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database at all, just some text that is long enough to be read").unwrap();
    let o = ctl(&["restore", "--db", dbs, junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("damaged or is not a Refdesk database"), "{:?}", text(&o));
    assert!(search(dbs, "babbage").contains("notebooks"), "the database is untouched");
}

/// The file holds patrons' words: only its owner may read it (Unix modes; Windows files take their
/// folder's access list, which these tests do not set).
fn assert_owner_only(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600, "{}", path.display());
    }
    #[cfg(not(unix))]
    assert!(path.exists(), "{}", path.display());
}
