//! refdeskctl: the administrator's command line for a desk's database (status, walk-up listing).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{Duration, Utc};
use refdesk_core::{paths, store::SCHEMA_VERSION, Desk};

const USAGE: &str = "usage: refdeskctl [--db PATH] <command>

commands:
  status              where the database is, its schema version, today's desk state
  walkups [--days N]  walk-ups started in the last N days (default 1), one per line, tab-separated

The database defaults to the app's ($REFDESK_DATA_DIR/refdesk.db when that is set).";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("refdeskctl: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(mut args: Vec<String>) -> Result<(), String> {
    let mut db = paths::db_path();
    if let Some(i) = args.iter().position(|a| a == "--db") {
        args.remove(i);
        if i >= args.len() {
            return Err("--db needs a path".into());
        }
        db = PathBuf::from(args.remove(i));
    }
    match args.first().map(String::as_str) {
        Some("status") if args.len() == 1 => status(db),
        Some("walkups") => {
            let days = match args.get(1..) {
                Some([flag, n]) if flag == "--days" => {
                    n.parse::<u32>().map_err(|_| format!("--days wants a whole number of days, not {n:?}"))?
                }
                Some([]) => 1,
                _ => return Err(USAGE.into()),
            };
            walkups(db, days)
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

fn open(db: &Path) -> Result<Desk, String> {
    if !db.exists() {
        return Err(format!("no database at {} (has Refdesk run on this account?)", db.display()));
    }
    Desk::open(db).map_err(|e| e.to_string())
}

fn status(db: PathBuf) -> Result<(), String> {
    let desk = open(&db)?;
    let version = desk.store().schema_version().map_err(|e| e.to_string())?;
    let snap = desk.snapshot(Utc::now()).map_err(|e| e.to_string())?;
    println!("database: {}", db.display());
    println!("schema: {version} (this refdeskctl knows up to {SCHEMA_VERSION})");
    println!("desk: {}", snap.state.label());
    println!("walk-ups today: {}", snap.walkups_today);
    Ok(())
}

fn walkups(db: PathBuf, days: u32) -> Result<(), String> {
    let desk = open(&db)?;
    let now = Utc::now();
    let list = desk
        .walkups_between(now - Duration::days(i64::from(days)), now + Duration::seconds(1))
        .map_err(|e| e.to_string())?;
    for w in list {
        let ended = w.ended_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "open".into());
        println!("{}\t{}\t{}\t{}", w.id, w.started_at.to_rfc3339(), ended, w.topic.unwrap_or_default());
    }
    Ok(())
}
