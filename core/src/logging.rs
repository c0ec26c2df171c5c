//! Logging to a daily-rotated file in the log folder (and stderr); message bodies are never logged.

use std::path::Path;

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

use crate::{Error, Result};

/// Keep two weeks of logs: enough to look into a problem reported after a weekend.
const KEEP_FILES: usize = 14;

/// Flushes the file writer when dropped: hold it for the life of the process.
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Sets the global subscriber; `RUST_LOG` overrides the default level (info).
pub fn init(log_dir: &Path) -> Result<LogGuard> {
    std::fs::create_dir_all(log_dir).map_err(|source| Error::Logging { path: log_dir.to_owned(), source })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("refdesk")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(log_dir)
        .map_err(|e| Error::Logging { path: log_dir.to_owned(), source: std::io::Error::other(e) })?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init (tests, or a host that already set one) is harmless: keep the first.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(writer).with_ansi(false))
        .with(fmt::layer().with_writer(std::io::stderr))
        .try_init();
    Ok(LogGuard(guard))
}
