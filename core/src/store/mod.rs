//! SQLite store: opening safely (WAL, FULL sync, checks), migrations, and the desk's tables.

mod desk_log;
mod followups;
mod messages;
mod migrate;
mod notes;
mod settings;
mod stats;
mod transcripts;
mod walkups;
mod web;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use crate::error::StoreError;

pub use crate::api::SearchHit;
pub use followups::FollowUp;
pub use messages::{NewMessage, StoredMessage, MAX_BODY_CHARS, MAX_DRAFT_CHARS};
pub use migrate::SCHEMA_VERSION;
pub use notes::NewNote;
pub use transcripts::{NewTranscript, Purged, Speaker, TranscriptFilter, TranscriptLine, TranscriptRecord};
pub use web::VisitPlace;

/// The most messages one `messages` call returns (the window pages through longer histories).
pub const MAX_PAGE: u32 = 500;

/// How long a writer waits for a lock held by another connection (refdeskctl, a backup).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection to the desk's database file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// A backup must be a sound SQLite file with a schema this version knows.
fn check_copy(path: &Path) -> Result<(), StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| classify(path, "opening the backup", e))?;
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| classify(path, "checking the backup", e))?;
    if ok != "ok" {
        return Err(StoreError::Corrupt { path: path.to_owned(), detail: ok });
    }
    let version = migrate::user_version(&conn).map_err(|e| classify(path, "reading the backup's schema", e))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { path: path.to_owned(), found: version, known: SCHEMA_VERSION });
    }
    if version == 0 {
        return Err(StoreError::Corrupt { path: path.to_owned(), detail: "no Refdesk schema in it".into() });
    }
    Ok(())
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    ///
    /// A file that is not a database, is damaged, or has a newer schema is refused with a typed
    /// error and left untouched, so nothing is lost.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        if path.exists() {
            // Catch "permission denied" and friends with the OS's own words before SQLite
            // turns them into "unable to open database file".
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .map_err(|source| StoreError::Io { path: path.to_owned(), source })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, "opening the database", e))?;
        restrict_file(path)?;
        let store = Store { conn, path: path.to_owned() };
        store.configure()?;
        store.check_integrity()?;
        migrate::apply(&store.conn, path)?;
        Ok(store)
    }

    /// A read-only connection to the database the desk has opened (and migrated) at `path`: for
    /// searches, statistics and exports, which then never wait behind the desk's writes (WAL
    /// readers see the last committed state while a write goes on).
    pub fn open_reader(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| classify(path, "opening the database to read", e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::sqlite("setting the busy timeout"))?;
        conn.execute_batch("PRAGMA query_only = ON;").map_err(|e| classify(path, "setting pragmas", e))?;
        let version = migrate::user_version(&conn).map_err(|e| classify(path, "reading the schema version", e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: path.to_owned(), found: version, known: SCHEMA_VERSION });
        }
        if version < SCHEMA_VERSION {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                detail: format!("schema {version}: open it with the desk first"),
            });
        }
        Ok(Store { conn, path: path.to_owned() })
    }

    /// Puts the backup `from` in place of the database at `path`, which is moved aside first (its
    /// new name is returned), so a restore loses nothing either. The backup is checked before
    /// anything moves: it must be a sound Refdesk database this version can open.
    pub fn restore(from: &Path, path: &Path, now: DateTime<Utc>) -> Result<Option<PathBuf>, StoreError> {
        check_copy(from)?;
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        if wal.exists() {
            return Err(StoreError::Io {
                path: wal,
                source: std::io::Error::other("Refdesk is running (or was not closed properly): quit it first"),
            });
        }
        let staged = PathBuf::from(format!("{}.restoring", path.display()));
        std::fs::copy(from, &staged).map_err(|source| StoreError::Io { path: staged.clone(), source })?;
        restrict_file(&staged)?;
        let kept = if path.exists() {
            let aside = aside_name(path, now, "before-restore");
            std::fs::rename(path, &aside).map_err(|source| StoreError::Io { path: path.to_owned(), source })?;
            Some(aside)
        } else {
            None
        };
        std::fs::rename(&staged, path).map_err(|source| StoreError::Io { path: path.to_owned(), source })?;
        Ok(kept)
    }

    /// Moves a damaged file (and its -wal/-shm companions) aside, then opens a new empty store.
    /// Returns the store and where the old file now is.
    pub fn open_fresh(path: &Path, now: DateTime<Utc>) -> Result<(Store, Option<PathBuf>), StoreError> {
        let kept = if path.exists() {
            let aside = aside_name(path, now, "damaged");
            for suffix in ["", "-wal", "-shm"] {
                let from = PathBuf::from(format!("{}{suffix}", path.display()));
                if from.exists() {
                    let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                    std::fs::rename(&from, &to).map_err(|source| StoreError::Io { path: from.clone(), source })?;
                }
            }
            Some(aside)
        } else {
            None
        };
        Ok((Store::open(path)?, kept))
    }

    /// Runs `f` in one write transaction: all of it is stored, or none of it.
    pub fn atomically<T>(&self, f: impl FnOnce(&Store) -> crate::Result<T>) -> crate::Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(StoreError::sqlite("starting a transaction"))?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT").map_err(StoreError::sqlite("committing"))?;
                Ok(v)
            }
            Err(e) => {
                if let Err(rb) = self.conn.execute_batch("ROLLBACK") {
                    tracing::error!("rollback failed after {e}: {rb}");
                }
                Err(e)
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a consistent copy of the database to `dest` while the app keeps using it (one read
    /// snapshot, compacted), readable by this user only, and checks the copy. Refuses to overwrite.
    pub fn backup_to(&self, dest: &Path) -> Result<u64, StoreError> {
        if dest.exists() {
            return Err(StoreError::Io {
                path: dest.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "already exists; not overwritten"),
            });
        }
        let text = dest.to_str().ok_or_else(|| StoreError::Io {
            path: dest.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path is not valid UTF-8"),
        })?;
        self.conn.execute("VACUUM INTO ?1", [text]).map_err(|e| classify(dest, "writing the backup", e))?;
        restrict_file(dest)?;
        check_copy(dest)?;
        std::fs::metadata(dest).map(|m| m.len()).map_err(|source| StoreError::Io { path: dest.to_owned(), source })
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        migrate::user_version(&self.conn).map_err(StoreError::sqlite("reading the schema version"))
    }

    fn configure(&self) -> Result<(), StoreError> {
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::sqlite("setting the busy timeout"))?;
        // journal_mode is the first statement that reads the header: a non-database fails here.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| classify(&self.path, "switching to WAL", e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "database did not switch to WAL mode");
        }
        // FULL: a message that arrived must survive a power cut once we said it is stored.
        // secure_delete: a purged or erased message is overwritten, not left in a free page.
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;")
            .map_err(|e| classify(&self.path, "setting pragmas", e))
    }

    /// Copies the write-ahead log into the database and empties it, so rows deleted since are
    /// gone from the log too (secure_delete has zeroed them in the pages it copies). Best effort:
    /// false when a reader (a backup under way) kept part of the log.
    pub fn checkpoint(&self) -> Result<bool, StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(StoreError::sqlite("checkpointing the database"))?;
        Ok(busy == 0)
    }

    /// Rewrites the search indexes as one segment each. Deleting from an FTS5 index only adds a
    /// "deleted" mark: the words stay in its older segments until they are merged, so an erasure
    /// merges them at once (secure_delete then zeroes the pages they were in).
    pub fn compact_search(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "INSERT INTO transcript_search (transcript_search) VALUES ('optimize');
                 INSERT INTO walkup_search (walkup_search) VALUES ('optimize');",
            )
            .map_err(StoreError::sqlite("compacting the search index"))
    }

    fn check_integrity(&self) -> Result<(), StoreError> {
        let mut stmt =
            self.conn.prepare("PRAGMA quick_check").map_err(|e| classify(&self.path, "checking integrity", e))?;
        let problems: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| classify(&self.path, "checking integrity", e))?;
        match problems.as_slice() {
            [ok] if ok == "ok" => Ok(()),
            _ => Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: problems.into_iter().take(3).collect::<Vec<_>>().join("; "),
            }),
        }
    }
}

/// Tells damage apart from other failures, so the UI can offer to start fresh only for damage.
fn classify(path: &Path, context: &'static str, e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e.sqlite_error_code() {
        Some(NotADatabase) | Some(DatabaseCorrupt) => {
            StoreError::Corrupt { path: path.to_owned(), detail: e.to_string() }
        }
        _ => StoreError::Sqlite { context, source: e },
    }
}

/// A free name next to `path` for a file moved aside: `refdesk.db.<why>-<time>`.
fn aside_name(path: &Path, now: DateTime<Utc>, why: &str) -> PathBuf {
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut candidate = PathBuf::from(format!("{}.{why}-{stamp}", path.display()));
    let mut n = 1;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{}.{why}-{stamp}-{n}", path.display()));
        n += 1;
    }
    candidate
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io { path: dir.to_owned(), source };
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map_err(io)
    }
}

/// Patron conversations live in this file: only the user may read it.
fn restrict_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|source| StoreError::Io { path: path.to_owned(), source })?;
    }
    let _ = path;
    Ok(())
}

pub(crate) fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    // Out-of-range values only come from a hand-edited file; clamp rather than fail a whole list.
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StoreError;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_new_store_is_migrated_and_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sub/refdesk.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = store.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "synchronous must be FULL");
        let fk: i64 = store.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_folder_are_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("data/refdesk.db");
        Store::open(&db).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(db.parent().unwrap()), 0o700);
    }

    #[test]
    fn reopening_keeps_data_and_does_not_migrate_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        {
            let store = Store::open(&path).unwrap();
            store.set_setting("k", "v").unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.setting("k").unwrap().as_deref(), Some("v"));
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        let junk = b"this is a shopping list, not a database\n".repeat(200);
        std::fs::write(&path, &junk).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "got {err:?}");
        assert!(err.to_string().contains("damaged"), "message: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), junk, "the file must not be changed");
    }

    #[test]
    fn a_newer_schema_is_refused_not_downgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        {
            let store = Store::open(&path).unwrap();
            store.conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 5)).unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        match err {
            StoreError::NewerSchema { found, known, .. } => {
                assert_eq!(found, SCHEMA_VERSION + 5);
                assert_eq!(known, SCHEMA_VERSION);
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION + 5, "the version must be left as found");
    }

    #[test]
    fn a_damaged_page_is_found_by_the_integrity_check() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        {
            let store = Store::open(&path).unwrap();
            for i in 0..2000 {
                store.set_setting(&format!("key-{i}"), &"x".repeat(100)).unwrap();
            }
            store.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        }
        // Scribble over the middle of the file, past the header and schema page.
        let mut bytes = std::fs::read(&path).unwrap();
        assert!(bytes.len() > 64 * 1024);
        for b in &mut bytes[8192..40960] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "got {err:?}");
    }

    #[test]
    fn starting_fresh_keeps_the_old_file_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        std::fs::write(&path, b"not a database at all, but someone's precious file").unwrap();
        let (store, kept) = Store::open_fresh(&path, now()).unwrap();
        let kept = kept.expect("the old file is kept");
        assert_eq!(std::fs::read(&kept).unwrap(), b"not a database at all, but someone's precious file");
        assert!(kept.file_name().unwrap().to_string_lossy().starts_with("refdesk.db.damaged-20261123T100000Z"));
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        // A second reset in the same second does not overwrite the first kept file.
        drop(store);
        std::fs::write(&path, b"second bad file").unwrap();
        let (_store, kept2) = Store::open_fresh(&path, now()).unwrap();
        let kept2 = kept2.unwrap();
        assert_ne!(kept, kept2);
        assert_eq!(std::fs::read(&kept).unwrap(), b"not a database at all, but someone's precious file");
    }
}
