//! The rows reference statistics are made of: ratings set on chats and walk-ups, and questions read back.

use super::{from_millis, to_millis, Store};
use crate::error::StoreError;
use crate::stats::{join_tags, split_tags, Medium, Question};
use chrono::{DateTime, Utc};

impl Store {
    /// Rates an open conversation; its transcript takes the rating when it is written.
    pub fn rate_conversation(
        &self,
        account: &str,
        peer: &str,
        level: Option<u8>,
        tags: &[String],
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO conversations (account, peer, read_level, tags) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account, peer) DO UPDATE SET read_level = excluded.read_level, tags = excluded.tags",
            )
            .and_then(|mut s| s.execute((account, peer, level, join_tags(tags))))
            .map_err(StoreError::sqlite("rating a conversation"))?;
        Ok(())
    }

    /// A patron's own rating of their chat (the comment already redacted): kept on the open
    /// conversation when `open` (it goes into the transcript when that is written), else put on
    /// the transcript written last for it. False when there is nothing to put it on.
    pub fn rate_by_patron(
        &self,
        account: &str,
        peer: &str,
        score: u8,
        comment: &str,
        open: bool,
    ) -> Result<bool, StoreError> {
        let context = "keeping a patron's rating";
        let n = if open {
            self.conn
                .prepare_cached(
                    "INSERT INTO conversations (account, peer, patron_rating, patron_comment) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (account, peer) DO UPDATE
                       SET patron_rating = excluded.patron_rating, patron_comment = excluded.patron_comment",
                )
                .and_then(|mut s| s.execute((account, peer, score, comment)))
        } else {
            self.conn
                .prepare_cached(
                    "UPDATE transcripts SET patron_rating = ?3, patron_comment = ?4
                     WHERE id = (SELECT last_transcript FROM conversations WHERE account = ?1 AND peer = ?2)",
                )
                .and_then(|mut s| s.execute((account, peer, score, comment)))
        };
        Ok(n.map_err(StoreError::sqlite(context))? == 1)
    }

    /// Rates a walk-up; false if there is no such walk-up.
    pub fn rate_walkup(&self, id: i64, level: Option<u8>, tags: &[String]) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("UPDATE walkups SET read_level = ?2, tags = ?3 WHERE id = ?1", (id, level, join_tags(tags)))
            .map_err(StoreError::sqlite("rating a walk-up"))?;
        Ok(n == 1)
    }

    /// Chats (transcripts) and walk-ups that started in `[from, to)`.
    pub fn questions_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Question>, StoreError> {
        let context = "reading questions for statistics";
        let range = (to_millis(from), to_millis(to));
        let mut out = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT started_at, ended_at, answered_at, patron, read_level, tags, medium, patron_rating FROM transcripts
                 WHERE started_at >= ?1 AND started_at < ?2",
            )
            .map_err(StoreError::sqlite(context))?;
        let chats = stmt
            .query_map(range, |r| {
                Ok(Question {
                    medium: Medium::of_chat(&r.get::<_, String>(6)?),
                    started_at: from_millis(r.get(0)?),
                    ended_at: Some(from_millis(r.get(1)?)),
                    answered_at: r.get::<_, Option<i64>>(2)?.map(from_millis),
                    patron: Some(r.get(3)?),
                    read_level: r.get(4)?,
                    tags: split_tags(&r.get::<_, String>(5)?),
                    patron_rating: r.get(7)?,
                })
            })
            .map_err(StoreError::sqlite(context))?;
        for q in chats {
            out.push(q.map_err(StoreError::sqlite(context))?);
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT started_at, ended_at, read_level, tags FROM walkups WHERE started_at >= ?1 AND started_at < ?2",
            )
            .map_err(StoreError::sqlite(context))?;
        let walkups = stmt
            .query_map(range, |r| {
                Ok(Question {
                    medium: Medium::Walkup,
                    started_at: from_millis(r.get(0)?),
                    ended_at: r.get::<_, Option<i64>>(1)?.map(from_millis),
                    answered_at: None,
                    patron: None,
                    read_level: r.get(2)?,
                    tags: split_tags(&r.get::<_, String>(3)?),
                    patron_rating: None,
                })
            })
            .map_err(StoreError::sqlite(context))?;
        for q in walkups {
            out.push(q.map_err(StoreError::sqlite(context))?);
        }
        Ok(out)
    }
}
