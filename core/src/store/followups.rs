//! Questions left in the website's chat box while the desk was closed (see
//! `migrations/0017_followups.sql`).

use chrono::{DateTime, Utc};

use super::messages::bounded;
use super::{from_millis, to_millis, Store};
use crate::api::FollowUpView;
use crate::error::StoreError;

/// A follow-up nobody marked answered goes after this many days, with the address in it.
pub const FOLLOWUP_DAYS: i64 = 30;

/// A follow-up as it is kept, with the patron's address (for the transcript's pseudonym).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub view: FollowUpView,
    pub peer: String,
}

impl Store {
    /// Keeps a follow-up once, however often its message comes (offline storage and the archive
    /// both bring it). Its id, the first time.
    pub fn add_followup(
        &self,
        account: &str,
        peer: &str,
        stable_id: &str,
        question: &str,
        email: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO followups (account, peer, stable_id, question, email, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| s.execute((account, peer, stable_id, bounded(question), email, to_millis(at))))
            .map_err(StoreError::sqlite("keeping a follow-up question"))?;
        Ok((n == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// The follow-ups waiting for an answer, oldest first.
    pub fn followups(&self) -> Result<Vec<FollowUpView>, StoreError> {
        let context = "listing follow-up questions";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, account, at, question, email, peer FROM followups ORDER BY at, id")
            .map_err(StoreError::sqlite(context))?;
        let rows = stmt
            .query_map([], |r| row(r).map(|f| f.view))
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite(context))?;
        Ok(rows)
    }

    /// How many follow-ups wait for an answer.
    pub fn count_followups(&self) -> Result<u32, StoreError> {
        self.conn
            .prepare_cached("SELECT count(*) FROM followups")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(StoreError::sqlite("counting follow-up questions"))
    }

    /// Takes a follow-up out of the list (answered): what it was, if it was there.
    pub fn take_followup(&self, id: i64) -> Result<Option<FollowUp>, StoreError> {
        use rusqlite::OptionalExtension;
        self.conn
            .prepare_cached("DELETE FROM followups WHERE id = ?1 RETURNING id, account, at, question, email, peer")
            .and_then(|mut s| s.query_row([id], row).optional())
            .map_err(StoreError::sqlite("taking a follow-up question"))
    }

    /// Drops follow-ups left unanswered since before `before`; how many.
    pub fn purge_followups(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.conn
            .execute("DELETE FROM followups WHERE at < ?1", [to_millis(before)])
            .map_err(StoreError::sqlite("purging old follow-up questions"))
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        view: FollowUpView {
            id: r.get(0)?,
            account: r.get(1)?,
            at: from_millis(r.get(2)?),
            question: r.get(3)?,
            email: r.get(4)?,
        },
        peer: r.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_up_is_kept_once_listed_oldest_first_taken_when_answered_and_dropped_when_old() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("d.sqlite3")).unwrap();
        let t0 = Utc::now();
        let a = s.add_followup("ask@lib", "g1@guest", "s1", "Sunday hours?", Some("ann@example.org"), t0).unwrap();
        assert!(a.is_some());
        assert_eq!(s.add_followup("ask@lib", "g1@guest", "s1", "Sunday hours?", None, t0).unwrap(), None, "again");
        let b =
            s.add_followup("ask@lib", "g2@guest", "s2", "Lost card", None, t0 - chrono::Duration::days(40)).unwrap();
        let listed: Vec<_> = s.followups().unwrap().into_iter().map(|f| (f.question, f.email)).collect();
        assert_eq!(listed, [("Lost card".into(), None), ("Sunday hours?".into(), Some("ann@example.org".into()))]);
        assert_eq!(s.count_followups().unwrap(), 2);
        assert_eq!(s.purge_followups(t0 - chrono::Duration::days(FOLLOWUP_DAYS)).unwrap(), 1);
        assert!(s.take_followup(b.unwrap()).unwrap().is_none(), "purged");
        let taken = s.take_followup(a.unwrap()).unwrap().unwrap();
        assert_eq!((taken.peer.as_str(), taken.view.question.as_str()), ("g1@guest", "Sunday hours?"));
        assert!(s.followups().unwrap().is_empty());
        assert!(s.take_followup(a.unwrap()).unwrap().is_none(), "once");
    }
}
