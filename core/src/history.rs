//! What the window reads back while the desk works: history search, transcripts and reference
//! statistics, over a read-only connection of their own, so a search or a statistics page never
//! waits behind a message being stored. The desk's own methods for the same run the same code.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::api::{SearchFilter, Statistics, TranscriptView};
use crate::store::MAX_PAGE;
use crate::store::{self, SearchHit, Store};
use crate::{days, stats, Error, Result};

/// The read-only side of the desk's database.
#[derive(Debug)]
pub struct History {
    store: Store,
}

impl History {
    /// Opens the database the desk has opened at `db` (it must be there and migrated).
    pub fn open(db: &Path) -> Result<History> {
        Ok(History { store: Store::open_reader(db)? })
    }

    pub fn search<Tz: chrono::TimeZone>(
        &self,
        query: &str,
        filter: &SearchFilter,
        tz: &Tz,
        limit: u32,
    ) -> Result<Vec<SearchHit>> {
        search(&self.store, query, filter, tz, limit)
    }

    pub fn transcript(&self, id: i64) -> Result<TranscriptView> {
        transcript(&self.store, id)
    }

    pub fn statistics<Tz: chrono::TimeZone>(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: &Tz,
    ) -> Result<Statistics> {
        statistics(&self.store, from, to, tz)
    }
}

/// Transcript lines and walk-up topics with all the words, narrowed by `filter` (local days in `tz`).
pub(crate) fn search<Tz: chrono::TimeZone>(
    store: &Store,
    query: &str,
    filter: &SearchFilter,
    tz: &Tz,
    limit: u32,
) -> Result<Vec<SearchHit>> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let day = |v: &Option<String>, name: &str| {
        text(v).map(|d| days::parse_day(&d, name)).transpose().map_err(Error::InvalidInput)
    };
    let (ended_from, ended_before) =
        days::span(day(&filter.from, "from")?, day(&filter.to, "to")?, tz).map_err(Error::InvalidInput)?;
    let resolved = store::TranscriptFilter {
        ended_from,
        ended_before,
        tag: text(&filter.tag),
        librarian: text(&filter.librarian),
        account: text(&filter.account),
        medium: filter.medium,
    };
    Ok(store.search_transcripts(query, &resolved, limit.clamp(1, MAX_PAGE))?)
}

pub(crate) fn transcript(store: &Store, id: i64) -> Result<TranscriptView> {
    store
        .transcript(id)?
        .ok_or_else(|| Error::InvalidInput(format!("there is no transcript {id} (it may have been purged)")))
}

pub(crate) fn statistics<Tz: chrono::TimeZone>(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: &Tz,
) -> Result<Statistics> {
    if to < from {
        return Err(Error::InvalidInput("the period ends before it starts".into()));
    }
    Ok(stats::compute(&store.questions_between(from, to)?, from, to, tz))
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::tests::desk;

    /// A search on the reader answers while the desk is in the middle of a write (a message being
    /// stored holds the write lock): it reads what was committed before, and waits for nothing.
    #[test]
    fn a_search_answers_while_the_desk_is_writing() {
        let (dir, mut d) = desk();
        let now = Utc::now();
        d.start_walkup(Some("census maps"), now).unwrap();
        d.end_walkup(now).unwrap();
        let db = dir.path().join("refdesk.db");
        let history = History::open(&db).unwrap();
        let (in_write, done) = (mpsc::channel(), mpsc::channel::<()>());
        let writer = std::thread::spawn(move || {
            d.store()
                .atomically(|s| {
                    s.set_setting("probe", "1")?;
                    in_write.0.send(()).unwrap();
                    done.1.recv().unwrap();
                    Ok(())
                })
                .unwrap();
        });
        in_write.1.recv().unwrap();
        let (answer_tx, answer_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let hits = history.search("census", &SearchFilter::default(), &Utc, 10).map(|h| h.len());
            let stats = history.statistics(now - chrono::Duration::hours(1), now + chrono::Duration::hours(1), &Utc);
            answer_tx.send((hits, stats.map(|s| s.questions.walkup))).unwrap();
        });
        // Waiting here would be a deadlock (the write goes on until the answer comes): the answer
        // has to come while the write is still open.
        let answer = answer_rx.recv_timeout(Duration::from_secs(20)).expect("the reader answered during the write");
        assert_eq!((answer.0.unwrap(), answer.1.unwrap()), (1, 1));
        done.0.send(()).unwrap();
        writer.join().unwrap();
    }

    #[test]
    fn the_reader_cannot_write_and_refuses_a_database_the_desk_has_not_opened() {
        let (dir, _d) = desk();
        let history = History::open(&dir.path().join("refdesk.db")).unwrap();
        assert!(history.store.set_setting("x", "1").is_err(), "read-only");
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        assert!(History::open(&empty).is_err());
        assert!(History::open(&dir.path().join("missing.db")).is_err());
    }
}
