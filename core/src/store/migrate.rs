//! Numbered SQL migrations from `migrations/`, applied in order under `PRAGMA user_version`.

use std::path::Path;

use rusqlite::Connection;

use crate::error::StoreError;

/// Each entry is (version, file name, SQL); versions are 1, 2, 3… with no gaps.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "0001_init.sql", include_str!("../../../migrations/0001_init.sql")),
    (2, "0002_desk_log.sql", include_str!("../../../migrations/0002_desk_log.sql")),
    (3, "0003_messages.sql", include_str!("../../../migrations/0003_messages.sql")),
    (4, "0004_conversations.sql", include_str!("../../../migrations/0004_conversations.sql")),
    (5, "0005_transcripts.sql", include_str!("../../../migrations/0005_transcripts.sql")),
    (6, "0006_statistics.sql", include_str!("../../../migrations/0006_statistics.sql")),
    (7, "0007_receipts.sql", include_str!("../../../migrations/0007_receipts.sql")),
    (8, "0008_tabs.sql", include_str!("../../../migrations/0008_tabs.sql")),
    (9, "0009_origin_ids.sql", include_str!("../../../migrations/0009_origin_ids.sql")),
    (10, "0010_notes.sql", include_str!("../../../migrations/0010_notes.sql")),
    (11, "0011_message_pages.sql", include_str!("../../../migrations/0011_message_pages.sql")),
    (12, "0012_transcript_librarian.sql", include_str!("../../../migrations/0012_transcript_librarian.sql")),
    (13, "0013_tab_order.sql", include_str!("../../../migrations/0013_tab_order.sql")),
    (14, "0014_walkup_search.sql", include_str!("../../../migrations/0014_walkup_search.sql")),
    (15, "0015_web_visits.sql", include_str!("../../../migrations/0015_web_visits.sql")),
    (16, "0016_patron_ratings.sql", include_str!("../../../migrations/0016_patron_ratings.sql")),
    (17, "0017_followups.sql", include_str!("../../../migrations/0017_followups.sql")),
    (18, "0018_followups_answered.sql", include_str!("../../../migrations/0018_followups_answered.sql")),
];

/// The newest schema this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub(super) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

pub(super) fn apply(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found = user_version(conn).map_err(StoreError::sqlite("reading the schema version"))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { path: path.to_owned(), found, known: SCHEMA_VERSION });
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > found) {
        // The version bump commits with the migration: a crash leaves the old version, not half of one.
        let tx = conn.unchecked_transaction().map_err(StoreError::sqlite("starting a migration"))?;
        tx.execute_batch(sql).map_err(StoreError::sqlite("applying a migration"))?;
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))
            .map_err(StoreError::sqlite("recording the schema version"))?;
        tx.commit().map_err(StoreError::sqlite("committing a migration"))?;
        tracing::info!(migration = name, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_without_gaps() {
        for (i, (version, name, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
            assert!(name.starts_with(&format!("{version:04}_")), "{name} does not match version {version}");
        }
    }
}
