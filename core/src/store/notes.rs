//! Internal notes on conversations: librarians' words for colleagues, never for the patron.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::{from_millis, to_millis, Store, StoreError};
use crate::api::NoteView;

/// A note to keep.
pub struct NewNote<'a> {
    pub account: &'a str,
    pub peer: &'a str,
    pub stable_id: &'a str,
    pub author: &'a str,
    pub body: &'a str,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Keeps a note; `None` if this desk already has it (the same id from the same account).
    pub fn insert_note(&self, n: &NewNote<'_>) -> Result<Option<NoteView>, StoreError> {
        let context = "keeping a note";
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO notes (account, peer, stable_id, author, body, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account, stable_id) DO NOTHING",
            )
            .and_then(|mut s| s.execute((n.account, n.peer, n.stable_id, n.author, n.body, to_millis(n.at))))
            .map_err(StoreError::sqlite(context))?;
        if inserted == 0 {
            return Ok(None);
        }
        let id = self.conn.last_insert_rowid();
        self.conn
            .query_row("SELECT id, account, peer, author, body, at FROM notes WHERE id = ?1", [id], note_row)
            .optional()
            .map_err(StoreError::sqlite(context))
    }

    /// The notes on one conversation, oldest first.
    pub fn notes(&self, account: &str, peer: &str) -> Result<Vec<NoteView>, StoreError> {
        let context = "reading notes";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, account, peer, author, body, at FROM notes WHERE account = ?1 AND peer = ?2 ORDER BY at, id",
            )
            .map_err(StoreError::sqlite(context))?;
        let rows = stmt.query_map((account, peer), note_row).map_err(StoreError::sqlite(context))?;
        rows.collect::<Result<_, _>>().map_err(StoreError::sqlite(context))
    }
}

fn note_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NoteView> {
    Ok(NoteView {
        id: r.get(0)?,
        account: r.get(1)?,
        peer: r.get(2)?,
        author: r.get(3)?,
        body: r.get(4)?,
        at: from_millis(r.get(5)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_kept_once_and_goes_with_the_live_layer_and_with_the_patron() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let note = |id: &'static str, peer: &'static str, at| NewNote {
            account: "ask@lib",
            peer,
            stable_id: id,
            author: "Anna",
            body: "card expired, sent to circulation",
            at,
        };
        assert!(store.insert_note(&note("n1", "p@x", t0)).unwrap().is_some());
        assert!(store.insert_note(&note("n1", "p@x", t0)).unwrap().is_none(), "the same note twice");
        store.insert_note(&note("n2", "p@x", t0 + chrono::Duration::hours(30))).unwrap();
        store.insert_note(&note("n3", "q@x", t0 + chrono::Duration::hours(30))).unwrap();
        assert_eq!(store.notes("ask@lib", "p@x").unwrap().len(), 2);

        // Retention: live data older than the cut goes, notes included.
        store.purge(t0 + chrono::Duration::hours(1), t0 - chrono::Duration::days(1)).unwrap();
        let left: Vec<_> = store.notes("ask@lib", "p@x").unwrap().into_iter().map(|n| n.at).collect();
        assert_eq!(left, [t0 + chrono::Duration::hours(30)]);
        // Erasure of a patron takes their notes, and nobody else's.
        store.erase_patron("patron-none", &["p@x".to_owned()]).unwrap();
        assert!(store.notes("ask@lib", "p@x").unwrap().is_empty());
        assert_eq!(store.notes("ask@lib", "q@x").unwrap().len(), 1);
    }
}
