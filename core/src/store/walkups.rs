//! Walk-up patrons: one row per person helped in person at the desk.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row};

use super::transcripts::{HIT_CLOSE, HIT_OPEN};
use super::{from_millis, to_millis, Store};
use crate::api::WalkUp;
use crate::error::StoreError;
use crate::{Error, Result};

const COLUMNS: &str = "id, started_at, ended_at, topic";

fn walkup(r: &Row<'_>) -> rusqlite::Result<WalkUp> {
    Ok(WalkUp {
        id: r.get(0)?,
        started_at: from_millis(r.get(1)?),
        ended_at: r.get::<_, Option<i64>>(2)?.map(from_millis),
        topic: r.get(3)?,
    })
}

impl Store {
    /// Records a new walk-up, helped by `librarian` (the desk's name for them, or empty); refused
    /// while another is open (the database enforces one at a time). `topic` must be redacted.
    pub fn start_walkup(&self, topic: Option<&str>, librarian: &str, now: DateTime<Utc>) -> Result<WalkUp> {
        let sql = format!("INSERT INTO walkups (started_at, topic, librarian) VALUES (?1, ?2, ?3) RETURNING {COLUMNS}");
        // The search's match marks are never part of the text.
        let topic = topic.map(|t| t.replace([HIT_OPEN, HIT_CLOSE], ""));
        self.conn.query_row(&sql, rusqlite::params![to_millis(now), topic, librarian], walkup).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                Error::WalkupAlreadyActive
            } else {
                StoreError::Sqlite { context: "recording a walk-up", source: e }.into()
            }
        })
    }

    /// Ends the open walk-up. A clock that stepped back cannot make it end before it started.
    pub fn end_walkup(&self, now: DateTime<Utc>) -> Result<WalkUp> {
        let sql =
            format!("UPDATE walkups SET ended_at = max(?1, started_at) WHERE ended_at IS NULL RETURNING {COLUMNS}");
        self.conn
            .query_row(&sql, [to_millis(now)], walkup)
            .optional()
            .map_err(StoreError::sqlite("ending a walk-up"))?
            .ok_or(Error::NoActiveWalkup)
    }

    pub fn active_walkup(&self) -> Result<Option<WalkUp>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM walkups WHERE ended_at IS NULL");
        self.conn.query_row(&sql, [], walkup).optional().map_err(StoreError::sqlite("reading the open walk-up"))
    }

    /// Walk-ups that started in `[from, to)`, oldest first.
    pub fn walkups_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<WalkUp>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM walkups WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at, id");
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::sqlite("listing walk-ups"))?;
        let rows = stmt
            .query_map([to_millis(from), to_millis(to)], walkup)
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite("listing walk-ups"))?;
        Ok(rows)
    }

    /// Rewrites every walk-up topic through `redact`; returns how many changed. For topics written
    /// before topics were redacted on the way in.
    pub fn redact_walkup_topics(&self, redact: impl Fn(&str) -> String) -> Result<usize, StoreError> {
        let context = "redacting walk-up topics";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, topic FROM walkups WHERE topic IS NOT NULL")
            .map_err(StoreError::sqlite(context))?;
        let topics: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite(context))?;
        let mut update = self
            .conn
            .prepare_cached("UPDATE walkups SET topic = ?2 WHERE id = ?1")
            .map_err(StoreError::sqlite(context))?;
        let mut changed = 0;
        for (id, topic) in topics {
            let redacted = redact(&topic);
            if redacted != topic {
                update.execute(rusqlite::params![id, redacted]).map_err(StoreError::sqlite(context))?;
                changed += 1;
            }
        }
        if changed > 0 {
            // The search index keeps a replaced topic's words in its segments until it merges
            // them: built again from the redacted topics, it holds only those.
            self.conn
                .execute("INSERT INTO walkup_search (walkup_search) VALUES ('rebuild')", [])
                .map_err(StoreError::sqlite(context))?;
        }
        Ok(changed)
    }

    pub fn count_walkups_since(&self, from: DateTime<Utc>) -> Result<u32, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM walkups WHERE started_at >= ?1", [to_millis(from)], |r| r.get(0))
            .map_err(StoreError::sqlite("counting walk-ups"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("refdesk.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn a_walkup_is_recorded_and_ended() {
        let (_d, s) = store();
        let t0 = at("2026-11-23T14:00:00Z");
        let w = s.start_walkup(Some("microfilm reader"), "", t0).unwrap();
        assert_eq!(w.started_at, t0);
        assert_eq!(w.ended_at, None);
        assert_eq!(s.active_walkup().unwrap(), Some(w.clone()));
        let ended = s.end_walkup(t0 + Duration::minutes(7)).unwrap();
        assert_eq!(ended.id, w.id);
        assert_eq!(ended.ended_at, Some(t0 + Duration::minutes(7)));
        assert_eq!(ended.topic.as_deref(), Some("microfilm reader"));
        assert_eq!(s.active_walkup().unwrap(), None);
    }

    #[test]
    fn only_one_walkup_at_a_time() {
        let (_d, s) = store();
        let t0 = at("2026-11-23T14:00:00Z");
        s.start_walkup(None, "", t0).unwrap();
        let err = s.start_walkup(None, "", t0 + Duration::seconds(5)).unwrap_err();
        assert!(matches!(err, Error::WalkupAlreadyActive), "got {err:?}");
        assert_eq!(s.walkups_between(t0, t0 + Duration::hours(1)).unwrap().len(), 1);
    }

    #[test]
    fn ending_without_a_walkup_says_so() {
        let (_d, s) = store();
        let err = s.end_walkup(at("2026-11-23T14:00:00Z")).unwrap_err();
        assert!(matches!(err, Error::NoActiveWalkup), "got {err:?}");
    }

    #[test]
    fn a_clock_stepping_back_cannot_end_a_walkup_before_it_started() {
        let (_d, s) = store();
        let t0 = at("2026-11-23T14:00:00Z");
        s.start_walkup(None, "", t0).unwrap();
        let w = s.end_walkup(t0 - Duration::minutes(3)).unwrap();
        assert_eq!(w.ended_at, Some(t0));
    }

    #[test]
    fn walkups_are_listed_and_counted_by_start_time() {
        let (_d, s) = store();
        let day = at("2026-11-23T00:00:00Z");
        for h in [8, 9, 13, 17] {
            let t = day + Duration::hours(h);
            s.start_walkup(None, "", t).unwrap();
            s.end_walkup(t + Duration::minutes(4)).unwrap();
        }
        let morning = s.walkups_between(day, day + Duration::hours(12)).unwrap();
        assert_eq!(
            morning.iter().map(|w| w.started_at).collect::<Vec<_>>(),
            vec![day + Duration::hours(8), day + Duration::hours(9)]
        );
        assert_eq!(s.count_walkups_since(day + Duration::hours(9)).unwrap(), 3);
    }
}
