//! refdeskctl: the administrator's command line: desk database status, walk-ups, policy check and simulation.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use refdesk_core::api::Medium;

use chrono::{DateTime, Duration, Utc};
use refdesk_core::desk::sim::{self, LoggedEvent, Traffic};
use refdesk_core::desk::QueueOrder;
use refdesk_core::{paths, policy, store::SCHEMA_VERSION, Desk};

/// The administrator's command line for Refdesk, the library reference desk.
#[derive(Debug, Parser)]
#[command(name = "refdeskctl", version, about, after_help = AFTER_HELP, propagate_version = true)]
struct Cli {
    /// The desk's database [default: the app's; $REFDESK_DATA_DIR/refdesk.db when that is set]
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

const AFTER_HELP: &str = "Each command has its own help: refdeskctl <command> --help.";

#[derive(Debug, Subcommand)]
enum Command {
    /// The database's location, schema version and today's desk state
    Status,
    /// Walk-ups started in the last N days, tab-separated
    Walkups {
        #[arg(long, value_name = "N", default_value_t = 1)]
        days: u32,
    },
    /// The desk's logged events of the last N days, as JSON lines that `policy simulate --events` replays
    Log {
        #[arg(long, value_name = "N", default_value_t = 1)]
        days: u32,
    },
    /// Transcript lines and walk-up topics with all the words (redacted text, patrons as
    /// pseudonyms), newest first: time, medium, id, patron, speaker, snippet (- where a walk-up has none)
    Search {
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: u32,
        /// Only questions that ended on or after this local day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// …and on or before this one
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// With this topic tag
        #[arg(long)]
        tag: Option<String>,
        /// By a librarian (part of the name)
        #[arg(long, value_name = "NAME")]
        librarian: Option<String>,
        /// Chats on this account
        #[arg(long, value_name = "JID")]
        account: Option<String>,
        /// Only IM chats (chat), web chats (web) or walk-ups (walkup)
        #[arg(long, value_parser = parse_medium)]
        medium: Option<Medium>,
        /// The words to look for
        #[arg(required = true, value_name = "WORDS")]
        words: Vec<String>,
    },
    /// Apply the retention policy now (the app does at every start)
    Purge {
        /// The policy file [default: the app's]
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Transcripts that ended in the period, redacted: CSV one row per line, JSON, or a
    /// self-contained HTML report
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        #[command(flatten)]
        period: Period,
        /// Write to FILE (readable by you only) instead of the terminal
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Reference statistics for questions that started in the period: by medium, hour and weekday,
    /// waits, abandoned chats, returning patrons, READ levels and tags
    Stats {
        #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
        format: StatsFormat,
        #[command(flatten)]
        period: Period,
        /// Write to FILE (readable by you only) instead of the terminal
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// A consistent copy of the database in FILE, made while Refdesk runs (FILE must not exist
    /// yet; readable by you only; checked after writing)
    Backup { file: PathBuf },
    /// Put the backup FILE in place of the database (quit Refdesk first); the current database is
    /// kept next to it as refdesk.db.before-restore-…
    Restore { file: PathBuf },
    /// Delete a patron's conversations and transcripts on request
    Erase {
        /// A pseudonym (patron-…, as search shows) or an address
        patron: String,
    },
    /// Personal information in stdin replaced by [EMAIL], [PHONE], [NAME]…: one line out per line in
    Redact {
        /// Print each finding instead, as line<TAB>TYPE<TAB>start<TAB>end<TAB>text (byte offsets)
        #[arg(long)]
        explain: bool,
    },
    /// The library's policy file: check it, simulate its rules, or make Group Policy templates
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Print a completion script for your shell (e.g. refdeskctl completions bash > /etc/bash_completion.d/refdeskctl)
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate a policy file; errors give line:column or the field
    Check { file: PathBuf },
    /// Write Group Policy's templates for every policy setting: DIR/Refdesk.admx and
    /// DIR/en-US/Refdesk.adml (docs/deploy-windows.md)
    Admx { dir: PathBuf },
    /// Run traffic through the desk rules and print waiting times per medium, abandoned chats and
    /// how often each rule fired
    Simulate {
        /// The policy whose desk rules to run [default: Refdesk's]
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Replay this log (JSON lines {"at": RFC3339, "event": {...}}, as `refdeskctl log` prints)
        /// instead of generating a busy library's traffic
        #[arg(long, value_name = "LOG", conflicts_with_all = ["seed", "days", "staff", "scale"])]
        events: Option<PathBuf>,
        /// Seed of the generated traffic (the same seed, the same day)
        #[arg(long, value_name = "N", default_value_t = 1)]
        seed: u64,
        /// Days of generated traffic, 1 to 3650
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
        /// Librarians at the desk, 1 to 50
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=50))]
        staff: u32,
        /// Traffic multiplier, 0 to 100
        #[arg(long, value_name = "K", default_value_t = 1.0, value_parser = parse_scale)]
        scale: f64,
        /// Run both queue orders on the same traffic
        #[arg(long)]
        compare: bool,
    },
}

/// `--days N` back from now (default 30), or `--from DATE [--to DATE]` as local calendar days.
#[derive(Debug, Args)]
struct Period {
    /// The last N days [default: 30]
    #[arg(long, value_name = "N", conflicts_with_all = ["from", "to"])]
    days: Option<u32>,
    /// From this local day (YYYY-MM-DD), included
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// To this local day, included [default: today]
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StatsFormat {
    Text,
    Csv,
    Json,
    Html,
}

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
    // Usage mistakes, --help and --version are clap's to print (usage errors exit with 2).
    let cli = Cli::parse();
    match run(cli) {
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

fn parse_medium(v: &str) -> Result<Medium, String> {
    match v {
        "chat" | "im" => Ok(Medium::Chat),
        "web" => Ok(Medium::Web),
        "walkup" | "walk-up" => Ok(Medium::Walkup),
        _ => Err(format!("--medium wants chat, web or walkup, not {v:?}")),
    }
}

fn parse_scale(v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(k) if (0.0..=100.0).contains(&k) => Ok(k),
        _ => Err(format!("--scale wants a number from 0 to 100, not {v:?}")),
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let db = cli.db.unwrap_or_else(paths::db_path);
    match cli.command {
        Command::Status => status(&db),
        Command::Search { limit, from, to, tag, librarian, account, medium, words } => {
            let filter = refdesk_core::api::SearchFilter { from, to, tag, librarian, account, medium };
            let desk = open(&db)?;
            let hits = desk.search_transcripts_in(&words.join(" "), &filter, &chrono::Local, limit);
            for h in hits.map_err(|e| e.to_string())? {
                let when = h.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
                let medium = h.medium.as_str();
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
        Command::Purge { policy: file } => {
            let file = file.or_else(policy::policy_path);
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
        Command::Export { format, period: p, out } => {
            let (from, to) = period(&p)?;
            let desk = open(&db)?;
            let records = desk.store().transcripts_between(from, to).map_err(|e| e.to_string())?;
            let day = |t: DateTime<Utc>| t.with_timezone(&chrono::Local).date_naive();
            let title = format!("Refdesk transcripts, {} to {}", day(from), day(to - Duration::seconds(1)));
            let text = match format {
                ExportFormat::Csv => refdesk_core::export::csv(&records),
                ExportFormat::Json => refdesk_core::export::json(&records),
                ExportFormat::Html => refdesk_core::export::html(&records, &title),
            };
            deliver(out.as_deref(), &text)
        }
        Command::Stats { format, period: p, out } => {
            let (from, to) = period(&p)?;
            let stats = open(&db)?.statistics(from, to, &chrono::Local).map_err(|e| e.to_string())?;
            let text = match format {
                StatsFormat::Text => refdesk_core::export::stats_text(&stats),
                StatsFormat::Csv => refdesk_core::export::stats_csv(&stats),
                StatsFormat::Json => serde_json::to_string_pretty(&stats).map_err(|e| e.to_string())?,
                StatsFormat::Html => refdesk_core::export::stats_html(&stats, "Reference statistics"),
            };
            deliver(out.as_deref(), &text)
        }
        Command::Erase { patron: who } => {
            let mut desk = open(&db)?;
            if !who.starts_with("patron-") && desk.pseudonym_secret_in_keyring().map_err(|e| e.to_string())? {
                return Err(format!(
                    "{who} is an address; the secret that turns addresses into pseudonyms is in the desk's \
                     keyring, not the database. Erase by pseudonym (patron-…, as `refdeskctl search` shows)"
                ));
            }
            let (messages, transcripts) = desk.erase_patron(&who, Utc::now()).map_err(|e| e.to_string())?;
            out!("erased {messages} live messages and {transcripts} transcripts of {who}");
            Ok(())
        }
        Command::Backup { file: dest } => {
            let desk = open(&db)?;
            let bytes = desk.store().backup_to(&dest).map_err(|e| e.to_string())?;
            out!("backup of {} written to {} ({} KiB)", db.display(), dest.display(), bytes.div_ceil(1024));
            if desk.pseudonym_secret_in_keyring().map_err(|e| e.to_string())? {
                out!("note: the patron pseudonym secret is in this user's keyring, not in the backup");
            }
            Ok(())
        }
        Command::Restore { file } => {
            let kept = refdesk_core::store::Store::restore(&file, &db, Utc::now()).map_err(|e| e.to_string())?;
            out!("restored {} from {}", db.display(), file.display());
            if let Some(k) = kept {
                out!("the database it replaced is kept as {}", k.display());
            }
            Ok(())
        }
        Command::Redact { explain } => redact(explain),
        Command::Walkups { days } => walkups(&db, days),
        Command::Log { days } => {
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
        Command::Policy(PolicyCommand::Check { file }) => {
            let p = policy::load(&file).map_err(|e| e.to_string())?;
            let d = &p.file.desk;
            let order = match d.order {
                QueueOrder::FirstComeFirstServed => "first come, first served",
                QueueOrder::InPersonFirst => "in-person first",
            };
            let hours =
                d.schedule.as_ref().map(|s| format!("IM hours in {}", s.timezone)).unwrap_or("IM at all hours".into());
            out!(
                "{}: ok ({order}; IM with {}+ staff; up to {} chats each; {hours})",
                file.display(),
                d.min_staff_for_im,
                d.max_chats_per_librarian
            );
            Ok(())
        }
        Command::Policy(PolicyCommand::Admx { dir }) => {
            // Group Policy's administrative templates, generated from the policy schema.
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
        Command::Policy(PolicyCommand::Simulate { policy, events, seed, days, staff, scale, compare }) => {
            simulate(policy.as_deref(), events.as_deref(), seed, days, staff, scale, compare)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "refdeskctl", &mut script);
            out!("{}", String::from_utf8_lossy(&script).trim_end());
            Ok(())
        }
    }
}

fn simulate(
    file: Option<&Path>,
    events: Option<&Path>,
    seed: u64,
    days: u32,
    staff: u32,
    scale: f64,
    compare: bool,
) -> Result<(), String> {
    let base = match file {
        Some(f) => policy::load(f).map_err(|e| e.to_string())?.file.desk,
        None => Default::default(),
    };
    let log = match events {
        Some(path) => Some(read_log(path)?),
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
fn deliver(out_file: Option<&Path>, text: &str) -> Result<(), String> {
    match out_file {
        Some(path) => write_private(path, text),
        None => {
            out!("{}", text.trim_end());
            Ok(())
        }
    }
}

/// The period asked for: `--days N` back from now (default 30), or `--from DATE [--to DATE]` as
/// local calendar days (clap refuses both at once, and --to without --from).
fn period(p: &Period) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let now = Utc::now();
    let Some(from) = &p.from else {
        let days = p.days.unwrap_or(30);
        return Ok((now - Duration::days(i64::from(days)), now + Duration::seconds(1)));
    };
    let first = refdesk_core::days::parse_day(from, "--from")?;
    let last = match &p.to {
        Some(to) => refdesk_core::days::parse_day(to, "--to")?,
        None => chrono::Local::now().date_naive(),
    };
    if last < first {
        return Err(format!("--to {last} is before --from {first}"));
    }
    let midnight = |d| refdesk_core::days::midnight(d, &chrono::Local);
    Ok((midnight(first)?, midnight(last + chrono::Days::new(1))?))
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
