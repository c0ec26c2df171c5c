//! The desk log: every engine event and action with its time, for replay and statistics.

use chrono::{DateTime, Utc};

use super::{from_millis, to_millis, Store};
use crate::desk::sim::LoggedEvent;
use crate::desk::{Action, Event};
use crate::error::StoreError;

impl Store {
    /// Appends one event and the actions it produced; call inside [`Store::atomically`] with the change itself.
    pub fn append_desk_log(&self, at: DateTime<Utc>, event: &Event, actions: &[Action]) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO desk_log (at, kind, body) VALUES (?1, ?2, ?3)")
            .map_err(StoreError::sqlite("writing the desk log"))?;
        let json = |v: Result<String, serde_json::Error>| {
            v.map_err(|e| StoreError::Sqlite {
                context: "encoding the desk log",
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })
        };
        let at = to_millis(at);
        stmt.execute(rusqlite::params![at, "event", json(serde_json::to_string(event))?])
            .map_err(StoreError::sqlite("writing the desk log"))?;
        for a in actions {
            stmt.execute(rusqlite::params![at, "action", json(serde_json::to_string(a))?])
                .map_err(StoreError::sqlite("writing the desk log"))?;
        }
        Ok(())
    }

    /// Logged events in `[from, to)`, oldest first, in the replay format.
    pub fn desk_events_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<LoggedEvent>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT at, body FROM desk_log WHERE kind = 'event' AND at >= ?1 AND at < ?2 ORDER BY id")
            .map_err(StoreError::sqlite("reading the desk log"))?;
        let rows: Vec<(i64, String)> = stmt
            .query_map([to_millis(from), to_millis(to)], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite("reading the desk log"))?;
        let mut out = Vec::with_capacity(rows.len());
        for (at, body) in rows {
            // A row this version cannot read (written by a newer one) is skipped, not fatal.
            match serde_json::from_str::<Event>(&body) {
                Ok(event) => out.push(LoggedEvent { at: from_millis(at), event }),
                Err(e) => tracing::warn!("skipping a desk log entry this version cannot read: {e}"),
            }
        }
        Ok(out)
    }

    /// Counts of logged actions by their type, for tests and statistics.
    pub fn desk_action_count(&self, action_type: &str) -> Result<u32, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM desk_log WHERE kind = 'action' AND json_extract(body, '$.type') = ?1",
                [action_type],
                |r| r.get(0),
            )
            .map_err(StoreError::sqlite("counting desk log actions"))
    }
}
