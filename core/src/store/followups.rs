//! Questions left in the website's chat box while the desk was closed (see
//! `migrations/0017_followups.sql`, `0018_followups_answered.sql`).

use chrono::{DateTime, Utc};

use super::messages::bounded;
use super::{from_millis, to_millis, Store};
use crate::api::FollowUpView;
use crate::error::StoreError;

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
            .prepare_cached(
                "SELECT id, account, at, question, email, peer FROM followups WHERE answered_at IS NULL ORDER BY at, id",
            )
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
            .prepare_cached("SELECT count(*) FROM followups WHERE answered_at IS NULL")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(StoreError::sqlite("counting follow-up questions"))
    }

    /// Takes a follow-up out of the list (answered at `at`): what it was, if it was listed, and its
    /// stable id (for the other desks). What stays is the stable id, so the same message brought
    /// again is not listed again.
    pub fn take_followup(&self, id: i64, at: DateTime<Utc>) -> Result<Option<(FollowUp, String)>, StoreError> {
        use rusqlite::OptionalExtension;
        let context = "taking a follow-up question";
        let found = self
            .conn
            .prepare_cached(
                "SELECT id, account, at, question, email, peer, stable_id FROM followups
                 WHERE id = ?1 AND answered_at IS NULL",
            )
            .and_then(|mut s| s.query_row([id], |r| Ok((row(r)?, r.get::<_, String>(6)?))).optional())
            .map_err(StoreError::sqlite(context))?;
        if found.is_some() {
            self.forget_followup(id, at).map_err(StoreError::sqlite(context))?;
        }
        Ok(found)
    }

    /// Another desk of `account` answered the follow-up with `stable_id`: it leaves the list here
    /// too, or, not here yet (a desk that was away), is known when it comes. True if it was listed.
    pub fn followup_answered_elsewhere(
        &self,
        account: &str,
        stable_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let context = "noting a follow-up another desk answered";
        let at = to_millis(at);
        let listed = self
            .conn
            .prepare_cached(
                "UPDATE followups SET peer = '', question = '', email = NULL, answered_at = ?3
                 WHERE account = ?1 AND stable_id = ?2 AND answered_at IS NULL",
            )
            .and_then(|mut s| s.execute((account, stable_id, at)))
            .map_err(StoreError::sqlite(context))?;
        if listed == 0 {
            self.conn
                .prepare_cached(
                    "INSERT OR IGNORE INTO followups (account, peer, stable_id, question, email, at, answered_at)
                     VALUES (?1, '', ?2, '', NULL, ?3, ?3)",
                )
                .and_then(|mut s| s.execute((account, stable_id, at)))
                .map_err(StoreError::sqlite(context))?;
        }
        Ok(listed > 0)
    }

    fn forget_followup(&self, id: i64, at: DateTime<Utc>) -> rusqlite::Result<usize> {
        self.conn
            .prepare_cached(
                "UPDATE followups SET peer = '', question = '', email = NULL, answered_at = ?2 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute((id, to_millis(at))))
    }

    /// Takes out the follow-ups left unanswered since before `before` (their time is up), and
    /// drops what is kept of those answered by then.
    pub fn expire_followups(&self, before: DateTime<Utc>) -> Result<Vec<FollowUp>, StoreError> {
        let context = "ending follow-up questions nobody answered";
        let expired = self
            .conn
            .prepare_cached(
                "DELETE FROM followups WHERE at < ?1 AND answered_at IS NULL
                 RETURNING id, account, at, question, email, peer",
            )
            .and_then(|mut s| s.query_map([to_millis(before)], row)?.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(StoreError::sqlite(context))?;
        self.conn
            .execute("DELETE FROM followups WHERE at < ?1", [to_millis(before)])
            .map_err(StoreError::sqlite(context))?;
        Ok(expired)
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
        let expired = s.expire_followups(t0 - chrono::Duration::days(30)).unwrap();
        assert_eq!(expired.iter().map(|f| f.view.question.as_str()).collect::<Vec<_>>(), ["Lost card"]);
        assert!(s.take_followup(b.unwrap(), t0).unwrap().is_none(), "purged");
        let (taken, stable) = s.take_followup(a.unwrap(), t0).unwrap().unwrap();
        assert_eq!(
            (taken.peer.as_str(), taken.view.question.as_str(), stable.as_str()),
            ("g1@guest", "Sunday hours?", "s1")
        );
        assert!(s.followups().unwrap().is_empty());
        assert!(s.take_followup(a.unwrap(), t0).unwrap().is_none(), "once");
        // The same message brought again (the archive) is not listed again, and nothing of it stays.
        assert_eq!(s.add_followup("ask@lib", "g1@guest", "s1", "Sunday hours?", None, t0).unwrap(), None);
        assert_eq!(s.count_followups().unwrap(), 0);
        let kept: (String, String, Option<String>) = s
            .conn
            .query_row("SELECT peer, question, email FROM followups WHERE stable_id = 's1'", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(kept, (String::new(), String::new(), None), "no address or question stays");
    }

    #[test]
    fn a_follow_up_answered_at_another_desk_leaves_the_list_or_is_never_listed() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("d.sqlite3")).unwrap();
        let t0 = Utc::now();
        s.add_followup("ask@lib", "g1@guest", "s1", "Sunday hours?", Some("ann@example.org"), t0).unwrap();
        assert!(s.followup_answered_elsewhere("ask@lib", "s1", t0).unwrap(), "it was listed");
        assert_eq!(s.count_followups().unwrap(), 0);
        assert!(!s.followup_answered_elsewhere("ask@lib", "s1", t0).unwrap(), "once");
        // Heard of before it came here: when it comes, it is known.
        assert!(!s.followup_answered_elsewhere("ask@lib", "s2", t0).unwrap());
        assert_eq!(s.add_followup("ask@lib", "g2@guest", "s2", "Lost card", None, t0).unwrap(), None);
        // Another account's follow-up with the same id is another follow-up.
        assert!(s.add_followup("help@lib", "g2@guest", "s2", "Lost card", None, t0).unwrap().is_some());
        assert_eq!(s.count_followups().unwrap(), 1);
    }
}
