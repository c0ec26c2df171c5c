//! refdeskctl: the administrator's command line: desk database status, walk-ups, policy check and simulation.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Duration, Utc};
use refdesk_core::desk::sim::{self, LoggedEvent, Traffic};
use refdesk_core::desk::QueueOrder;
use refdesk_core::{paths, policy, store::SCHEMA_VERSION, Desk};

const USAGE: &str = "usage: refdeskctl <command>

commands:
  status [--db PATH]                 the database's location, schema version, today's desk state
  walkups [--db PATH] [--days N]     walk-ups started in the last N days (default 1), tab-separated
  log [--db PATH] [--days N]         the desk's logged events of the last N days (default 1), as JSON
                                     lines that `policy simulate --events` replays
  search [--db PATH] [--limit N] [--from DATE] [--to DATE] [--tag TAG] [--librarian NAME]
         [--account JID] [--medium chat|walkup] WORDS...
                                     transcript lines and walk-up topics with all the words (redacted
                                     text, patrons as pseudonyms), newest first: time, medium, id,
                                     patron, speaker, snippet (- where a walk-up has none); only
                                     questions that ended between two local dates (both included), with
                                     a topic tag, by a librarian (part of the name), chats on an
                                     account, or only chats or walk-ups
  purge [--db PATH] [--policy FILE]  apply the retention policy now (the app does at every start)
  export [--db PATH] [--format csv|json|html] [--days N | --from DATE [--to DATE]] [--out FILE]
                                     transcripts that ended in the last N days (default 30) or between
                                     two local dates (both included), redacted: CSV one row per line,
                                     JSON, or a self-contained HTML report
  stats [--db PATH] [--days N | --from DATE [--to DATE]] [--format text|csv|json|html] [--out FILE]
                                     reference statistics for questions that started in the last N days
                                     (default 30) or between two local dates (YYYY-MM-DD, both included):
                                     by medium, hour and weekday, waits, abandoned chats, returning
                                     patrons, READ levels and tags
  backup [--db PATH] FILE            a consistent copy of the database in FILE, made while Refdesk runs
                                     (FILE must not exist yet; readable by you only; checked after writing)
  restore [--db PATH] FILE           put the backup FILE in place of the database (quit Refdesk first);
                                     the current database is kept next to it as refdesk.db.before-restore-…
  erase [--db PATH] PATRON            delete a patron's conversations and transcripts on request;
                                     PATRON is a pseudonym (patron-…, as search shows) or an address
  redact [--explain]                 personal information in stdin replaced by [EMAIL], [PHONE], [NAME]…:
                                     one line out per line in. --explain prints each finding instead,
                                     as line<TAB>TYPE<TAB>start<TAB>end<TAB>text (byte offsets)
  policy check FILE                  validate a policy file; errors give line:column or the field
  policy admx DIR                    write Group Policy's templates for every policy setting:
                                     DIR/Refdesk.admx and DIR/en-US/Refdesk.adml (docs/deploy-windows.md)
  policy simulate [--policy FILE] [--events LOG | --seed N --days N --staff N --scale K] [--compare]
                                     run traffic through the desk rules and print waiting times per
                                     medium, abandoned chats and how often each rule fired.
                                     LOG is JSON lines {\"at\": RFC3339, \"event\": {...}}; without it,
                                     a busy library's traffic is generated from the seed (default 1).
                                     --compare runs both queue orders on the same traffic.

The database defaults to the app's ($REFDESK_DATA_DIR/refdesk.db when that is set).";

/// Writes an export readable by this user only: transcripts are redacted, but still the library's records.
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// Redacts stdin line by line. Invalid UTF-8 becomes U+FFFD rather than stopping the run, so every
/// input line still gives exactly one output line.
fn redact(explain: bool) -> Result<(), String> {
    use std::io::{BufRead, Write};
    let redactor = refdesk_core::privacy::redact::Redactor::new();
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let write_err = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            BROKEN_PIPE.to_string()
        } else {
            format!("cannot write output: {e}")
        }
    };
    for (n, raw) in stdin.split(b'\n').enumerate() {
        let raw = raw.map_err(|e| format!("cannot read input: {e}"))?;
        let line = String::from_utf8_lossy(&raw);
        let (text, cr) = match line.strip_suffix('\r') {
            Some(t) => (t, "\r"),
            None => (line.as_ref(), ""),
        };
        if explain {
            for f in redactor.find(text) {
                let found = text[f.start..f.end].replace(['\t', '\n'], " ");
                writeln!(out, "{}\t{}\t{}\t{}\t{found}", n + 1, f.kind.label(), f.start, f.end).map_err(write_err)?;
            }
        } else {
            writeln!(out, "{}{cr}", redactor.redact(text)).map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        // `refdeskctl … | head` closes the pipe early: that is the reader's choice, not an error.
        Err(msg) if msg == BROKEN_PIPE => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("refdeskctl: {msg}");
            ExitCode::from(2)
        }
    }
}

const BROKEN_PIPE: &str = "\0broken pipe";

/// Writes a line to stdout without panicking when the reader has gone away.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, $($arg)*).map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                BROKEN_PIPE.to_string()
            } else {
                format!("cannot write output: {e}")
            }
        })?;
    }};
}

/// Removes `--name VALUE` from `args` and returns VALUE.
fn take_opt(args: &mut Vec<String>, name: &str) -> Result<Option<String>, String> {
    let Some(i) = args.iter().position(|a| a == name) else { return Ok(None) };
    args.remove(i);
    if i >= args.len() || args[i].starts_with("--") {
        return Err(format!("{name} needs a value"));
    }
    Ok(Some(args.remove(i)))
}

fn take_flag(args: &mut Vec<String>, name: &str) -> bool {
    let found = args.iter().position(|a| a == name).map(|i| args.remove(i));
    found.is_some()
}

fn parse_num<T: std::str::FromStr>(v: Option<String>, name: &str, default: T) -> Result<T, String> {
    match v {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| format!("{name} wants a number, not {s:?}")),
    }
}

fn parse_medium(v: &str) -> Result<refdesk_core::api::Medium, String> {
    match v {
        "chat" => Ok(refdesk_core::api::Medium::Chat),
        "walkup" | "walk-up" => Ok(refdesk_core::api::Medium::Walkup),
        _ => Err(format!("--medium wants chat or walkup, not {v:?}")),
    }
}

fn run(mut args: Vec<String>) -> Result<(), String> {
    let db = take_opt(&mut args, "--db")?.map(PathBuf::from).unwrap_or_else(paths::db_path);
    let cmd: Vec<&str> = args.iter().map(String::as_str).collect();
    match cmd.as_slice() {
        ["status"] => status(&db),
        ["search", rest @ ..] => {
            let mut rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            let limit = parse_num(take_opt(&mut rest, "--limit")?, "--limit", 20u32)?;
            let filter = refdesk_core::api::SearchFilter {
                from: take_opt(&mut rest, "--from")?,
                to: take_opt(&mut rest, "--to")?,
                tag: take_opt(&mut rest, "--tag")?,
                librarian: take_opt(&mut rest, "--librarian")?,
                account: take_opt(&mut rest, "--account")?,
                medium: take_opt(&mut rest, "--medium")?.map(|m| parse_medium(&m)).transpose()?,
            };
            if let Some(flag) = rest.iter().find(|a| a.starts_with("--")) {
                return Err(format!("search does not know {flag}"));
            }
            if rest.is_empty() {
                return Err("search needs words to look for".into());
            }
            let desk = open(&db)?;
            let hits = desk.search_transcripts_in(&rest.join(" "), &filter, &chrono::Local, limit);
            for h in hits.map_err(|e| e.to_string())? {
                let when = h.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
                let medium = match h.medium {
                    refdesk_core::api::Medium::Chat => "chat",
                    refdesk_core::api::Medium::Walkup => "walkup",
                };
                let or_dash = |s: &str| if s.is_empty() { "-".to_owned() } else { s.to_owned() };
                out!(
                    "{when}\t{medium}\t{}\t{}\t{}\t{}",
                    h.id,
                    or_dash(&h.patron),
                    or_dash(&h.speaker),
                    h.marked("[", "]").replace(['\t', '\n'], " ")
                );
            }
            Ok(())
        }
        ["purge", rest @ ..] => {
            let mut rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            let file = take_opt(&mut rest, "--policy")?.map(PathBuf::from).or_else(policy::policy_path);
            no_leftovers(&rest)?;
            let retention = match &file {
                Some(f) => policy::load(f).map_err(|e| e.to_string())?.file.retention,
                None => policy::RetentionPolicy::default(),
            };
            let mut desk = open(&db)?;
            let n = desk.purge(&retention, Utc::now()).map_err(|e| e.to_string())?;
            out!(
                "purged {} live messages (transcribed, older than {} h), {} transcripts and {} walk-ups (older than {} days)",
                n.messages,
                retention.live_hours,
                n.transcripts,
                n.walkups,
                retention.transcript_days
            );
            Ok(())
        }
        ["export", rest @ ..] => {
            let mut rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            let format = take_opt(&mut rest, "--format")?.unwrap_or_else(|| "csv".into());
            let (from, to) = period(&mut rest)?;
            let out_file = take_opt(&mut rest, "--out")?;
            no_leftovers(&rest)?;
            let desk = open(&db)?;
            let records = desk.store().transcripts_between(from, to).map_err(|e| e.to_string())?;
            let day = |t: DateTime<Utc>| t.with_timezone(&chrono::Local).date_naive();
            let title = format!("Refdesk transcripts, {} to {}", day(from), day(to - Duration::seconds(1)));
            let text = match format.as_str() {
                "csv" => refdesk_core::export::csv(&records),
                "json" => refdesk_core::export::json(&records),
                "html" => refdesk_core::export::html(&records, &title),
                other => return Err(format!("--format {other}: use csv, json or html")),
            };
            deliver(out_file.as_deref(), &text)
        }
        ["stats", rest @ ..] => {
            let mut rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            let format = take_opt(&mut rest, "--format")?.unwrap_or_else(|| "text".into());
            let (from, to) = period(&mut rest)?;
            let out_file = take_opt(&mut rest, "--out")?;
            no_leftovers(&rest)?;
            let stats = open(&db)?.statistics(from, to, &chrono::Local).map_err(|e| e.to_string())?;
            let text = match format.as_str() {
                "text" => refdesk_core::export::stats_text(&stats),
                "csv" => refdesk_core::export::stats_csv(&stats),
                "json" => serde_json::to_string_pretty(&stats).map_err(|e| e.to_string())?,
                "html" => refdesk_core::export::stats_html(&stats, "Reference statistics"),
                other => return Err(format!("--format {other}: use text, csv, json or html")),
            };
            deliver(out_file.as_deref(), &text)
        }
        ["erase", who] => {
            let mut desk = open(&db)?;
            if !who.starts_with("patron-") && desk.pseudonym_secret_in_keyring().map_err(|e| e.to_string())? {
                return Err(format!(
                    "{who} is an address; the secret that turns addresses into pseudonyms is in the desk's \
                     keyring, not the database. Erase by pseudonym (patron-…, as `refdeskctl search` shows)"
                ));
            }
            let (messages, transcripts) = desk.erase_patron(who, Utc::now()).map_err(|e| e.to_string())?;
            out!("erased {messages} live messages and {transcripts} transcripts of {who}");
            Ok(())
        }
        ["backup", file] => {
            let desk = open(&db)?;
            let dest = Path::new(file);
            let bytes = desk.store().backup_to(dest).map_err(|e| e.to_string())?;
            out!("backup of {} written to {} ({} KiB)", db.display(), dest.display(), bytes.div_ceil(1024));
            if desk.pseudonym_secret_in_keyring().map_err(|e| e.to_string())? {
                out!("note: the patron pseudonym secret is in this user's keyring, not in the backup");
            }
            Ok(())
        }
        ["restore", file] => {
            let kept =
                refdesk_core::store::Store::restore(Path::new(file), &db, Utc::now()).map_err(|e| e.to_string())?;
            out!("restored {} from {file}", db.display());
            if let Some(k) = kept {
                out!("the database it replaced is kept as {}", k.display());
            }
            Ok(())
        }
        ["redact"] => redact(false),
        ["redact", "--explain"] => redact(true),
        ["walkups", rest @ ..] => {
            let mut rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            let days = parse_num(take_opt(&mut rest, "--days")?, "--days", 1u32)?;
            no_leftovers(&rest)?;
            walkups(&db, days)
        }
        ["log", rest @ ..] => {
            let mut rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            let days = parse_num(take_opt(&mut rest, "--days")?, "--days", 1u32)?;
            no_leftovers(&rest)?;
            let desk = open(&db)?;
            let now = Utc::now();
            let events = desk
                .desk_events_between(now - Duration::days(i64::from(days)), now + Duration::seconds(1))
                .map_err(|e| e.to_string())?;
            for e in events {
                out!("{}", serde_json::to_string(&e).map_err(|e| e.to_string())?);
            }
            Ok(())
        }
        ["policy", "check", file] => {
            let p = policy::load(Path::new(file)).map_err(|e| e.to_string())?;
            let d = &p.file.desk;
            let order = match d.order {
                QueueOrder::FirstComeFirstServed => "first come, first served",
                QueueOrder::InPersonFirst => "in-person first",
            };
            let hours =
                d.schedule.as_ref().map(|s| format!("IM hours in {}", s.timezone)).unwrap_or("IM at all hours".into());
            out!(
                "{file}: ok ({order}; IM with {}+ staff; up to {} chats each; {hours})",
                d.min_staff_for_im,
                d.max_chats_per_librarian
            );
            Ok(())
        }
        ["policy", "admx", dir] => {
            // Group Policy's administrative templates, generated from the policy schema.
            let dir = Path::new(dir);
            let lang = dir.join("en-US");
            std::fs::create_dir_all(&lang).map_err(|e| format!("{}: cannot create: {e}", lang.display()))?;
            for (path, text) in [
                (dir.join("Refdesk.admx"), policy::managed::admx()),
                (lang.join("Refdesk.adml"), policy::managed::adml()),
            ] {
                std::fs::write(&path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
                out!("{}", path.display());
            }
            Ok(())
        }
        ["policy", "simulate", rest @ ..] => {
            let mut rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            simulate(&mut rest)
        }
        ["-h" | "--help" | "help"] => {
            out!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

fn no_leftovers(rest: &[String]) -> Result<(), String> {
    match rest.first() {
        None => Ok(()),
        Some(x) => Err(format!("unexpected {x:?}\n\n{USAGE}")),
    }
}

fn simulate(rest: &mut Vec<String>) -> Result<(), String> {
    let file = take_opt(rest, "--policy")?;
    let events = take_opt(rest, "--events")?;
    let seed = parse_num(take_opt(rest, "--seed")?, "--seed", 1u64)?;
    let days = parse_num(take_opt(rest, "--days")?, "--days", 1u32)?;
    let staff = parse_num(take_opt(rest, "--staff")?, "--staff", 1u32)?;
    let scale = parse_num(take_opt(rest, "--scale")?, "--scale", 1.0f64)?;
    let compare = take_flag(rest, "--compare");
    no_leftovers(rest)?;
    if !(1..=3650).contains(&days) || !(1..=50).contains(&staff) || !(0.0..=100.0).contains(&scale) {
        return Err("--days 1..3650, --staff 1..50, --scale 0..100".into());
    }
    let base = match &file {
        Some(f) => policy::load(Path::new(f)).map_err(|e| e.to_string())?.file.desk,
        None => Default::default(),
    };
    let log = match &events {
        Some(path) => Some(read_log(Path::new(path))?),
        None => None,
    };
    let orders: Vec<QueueOrder> =
        if compare { vec![QueueOrder::FirstComeFirstServed, QueueOrder::InPersonFirst] } else { vec![base.order] };
    // Generated days start at the local midnight of the first day the schedule (if any) knows.
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-01-05T00:00:00Z").map_err(|e| e.to_string())?.into();
    for order in orders {
        let desk = refdesk_core::desk::DeskPolicy { order, ..base.clone() };
        let compiled = desk.compile().map_err(|e| format!("desk.{e}"))?;
        let report = match &log {
            Some(log) => sim::replay(compiled, log),
            None => {
                let traffic = Traffic { staff, ..Traffic::busy_library(seed, start, days).scaled(scale) };
                sim::simulate(compiled, &traffic)
            }
        };
        let label = match order {
            QueueOrder::FirstComeFirstServed => "first come, first served",
            QueueOrder::InPersonFirst => "in-person first",
        };
        out!("== {label}");
        out!("{}", report.render().trim_end());
    }
    Ok(())
}

fn read_log(path: &Path) -> Result<Vec<LoggedEvent>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut log = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let e: LoggedEvent = serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        if log.last().is_some_and(|p: &LoggedEvent| e.at < p.at) {
            return Err(format!("{}:{}: events must be in time order", path.display(), i + 1));
        }
        log.push(e);
    }
    Ok(log)
}

/// An export or report: to `--out FILE` (readable by this user only), else to stdout.
fn deliver(out_file: Option<&str>, text: &str) -> Result<(), String> {
    match out_file {
        Some(path) => write_private(Path::new(path), text),
        None => {
            out!("{}", text.trim_end());
            Ok(())
        }
    }
}

/// `--days N` back from now (default 30), or `--from DATE [--to DATE]` as local calendar days.
fn period(args: &mut Vec<String>) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let days = take_opt(args, "--days")?;
    let from = take_opt(args, "--from")?;
    let to = take_opt(args, "--to")?;
    let now = Utc::now();
    match (days, from, to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err("use either --days or --from/--to, not both".into()),
        (None, None, Some(_)) => Err("--to needs --from".into()),
        (days, None, None) => {
            let days = parse_num(days, "--days", 30u32)?;
            Ok((now - Duration::days(i64::from(days)), now + Duration::seconds(1)))
        }
        (None, Some(from), to) => {
            let first = refdesk_core::days::parse_day(&from, "--from")?;
            let last = match to {
                Some(to) => refdesk_core::days::parse_day(&to, "--to")?,
                None => chrono::Local::now().date_naive(),
            };
            if last < first {
                return Err(format!("--to {last} is before --from {first}"));
            }
            let midnight = |d| refdesk_core::days::midnight(d, &chrono::Local);
            Ok((midnight(first)?, midnight(last + chrono::Days::new(1))?))
        }
    }
}

fn open(db: &Path) -> Result<Desk, String> {
    if !db.exists() {
        return Err(format!("no database at {} (has Refdesk run on this account?)", db.display()));
    }
    Desk::open(db).map_err(|e| e.to_string())
}

fn status(db: &Path) -> Result<(), String> {
    let desk = open(db)?;
    let version = desk.store().schema_version().map_err(|e| e.to_string())?;
    let snap = desk.snapshot(Utc::now()).map_err(|e| e.to_string())?;
    out!("database: {}", db.display());
    out!("schema: {version} (this refdeskctl knows up to {SCHEMA_VERSION})");
    out!("desk: {}", snap.state.label());
    out!("walk-ups today: {}", snap.walkups_today);
    Ok(())
}

fn walkups(db: &Path, days: u32) -> Result<(), String> {
    let desk = open(db)?;
    let now = Utc::now();
    let list = desk
        .walkups_between(now - Duration::days(i64::from(days)), now + Duration::seconds(1))
        .map_err(|e| e.to_string())?;
    for w in list {
        let ended = w.ended_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "open".into());
        out!("{}\t{}\t{}\t{}", w.id, w.started_at.to_rfc3339(), ended, w.topic.unwrap_or_default());
    }
    Ok(())
}
