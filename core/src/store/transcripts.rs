//! Transcripts: closed conversations as kept for statistics and search, redacted before they are written.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::messages::StoredMessage;
use super::{from_millis, to_millis, Store};
use crate::api::{Medium, SearchHit, SnippetPart};
use crate::error::StoreError;

/// Who said a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Patron,
    Librarian,
    /// The desk rules' automatic replies.
    Auto,
}

impl Speaker {
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Patron => "patron",
            Speaker::Librarian => "librarian",
            Speaker::Auto => "auto",
        }
    }
}

/// A transcript to write. Every `body` must already be redacted and `patron` a pseudonym.
#[derive(Debug, Clone)]
pub struct NewTranscript<'a> {
    pub account: &'a str,
    /// The conversation's peer, only to mark how far it has been transcribed; not written.
    pub peer: &'a str,
    pub patron: &'a str,
    pub reason: &'a str,
    /// The librarian's name at this desk, if they gave one.
    pub librarian: &'a str,
    pub lines: Vec<(DateTime<Utc>, Speaker, String)>,
    /// The newest message id the lines cover.
    pub upto: i64,
    /// When the chat closed (its end, for handling times); never before its last line.
    pub closed_at: DateTime<Utc>,
}

/// Which transcripts a search looks in; `None` lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranscriptFilter {
    /// Chats that ended at or after this…
    pub ended_from: Option<DateTime<Utc>>,
    /// …and before this.
    pub ended_before: Option<DateTime<Utc>>,
    /// One of the topic tags given at closing (whole tag, any case).
    pub tag: Option<String>,
    /// Part of the librarian's name (any case).
    pub librarian: Option<String>,
    /// The IM account the chat came in on (walk-ups have none: they are left out).
    pub account: Option<String>,
    /// Only IM chats, only web chats, or only walk-ups.
    pub medium: Option<Medium>,
}

/// A whole transcript, for export and the history view. Its text is redacted and its patron a pseudonym.
pub type TranscriptRecord = crate::api::TranscriptView;
pub type TranscriptLine = crate::api::TranscriptLineView;

impl Store {
    /// A conversation's messages not yet in a transcript, oldest first.
    pub fn untranscribed(&self, account: &str, peer: &str) -> Result<Vec<StoredMessage>, StoreError> {
        let upto: i64 = self
            .conn
            .prepare_cached("SELECT transcribed_upto FROM conversations WHERE account = ?1 AND peer = ?2")
            .and_then(|mut s| s.query_row((account, peer), |r| r.get(0)).optional())
            .map_err(StoreError::sqlite("reading a transcript mark"))?
            .unwrap_or(0);
        Ok(self.messages_with(account, peer)?.into_iter().filter(|m| m.id > upto).collect())
    }

    /// Says how transcript `id` came (a follow-up is a web question whatever visits are left).
    pub fn set_transcript_medium(&self, id: i64, medium: Medium) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE transcripts SET medium = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute((id, medium.as_str())))
            .map_err(StoreError::sqlite("setting a transcript's medium"))?;
        Ok(())
    }

    /// Writes a transcript and moves the conversation's mark past it; `None` when there were no lines.
    /// The rating the librarian set on the conversation goes with it, and the conversation starts
    /// unrated again.
    pub fn write_transcript(&self, t: &NewTranscript<'_>) -> Result<Option<i64>, StoreError> {
        let (Some(first), Some(last)) = (t.lines.first(), t.lines.last()) else { return Ok(None) };
        let context = "writing a transcript";
        let answered = t.lines.iter().find(|l| l.1 == Speaker::Librarian).map(|l| to_millis(l.0));
        self.conn
            .prepare_cached(
                "INSERT INTO transcripts (account, patron, started_at, ended_at, reason, answered_at, read_level, tags, librarian, medium,
                   patron_rating, patron_comment)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, c.read_level, coalesce(c.tags, ''), ?8,
                   iif(EXISTS (SELECT 1 FROM web_visits w WHERE w.account = ?1 AND w.peer = ?7), 'web', 'chat'),
                   c.patron_rating, coalesce(c.patron_comment, '')
                 FROM (SELECT 1) LEFT JOIN conversations c ON c.account = ?1 AND c.peer = ?7",
            )
            .and_then(|mut s| {
                s.execute((
                    t.account,
                    t.patron,
                    to_millis(first.0),
                    to_millis(t.closed_at.max(last.0)),
                    t.reason,
                    answered,
                    t.peer,
                    t.librarian,
                ))
            })
            .map_err(StoreError::sqlite(context))?;
        let id = self.conn.last_insert_rowid();
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO transcript_lines (transcript, at, speaker, body) VALUES (?1, ?2, ?3, ?4)")
            .map_err(StoreError::sqlite(context))?;
        for (at, speaker, body) in &t.lines {
            // The search's match marks are never part of the text.
            let body = body.replace([HIT_OPEN, HIT_CLOSE], "");
            insert.execute((id, to_millis(*at), speaker.as_str(), body)).map_err(StoreError::sqlite(context))?;
        }
        self.conn
            .prepare_cached(
                "INSERT INTO conversations (account, peer, transcribed_upto, last_transcript) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account, peer) DO UPDATE SET transcribed_upto = max(transcribed_upto, excluded.transcribed_upto),
                   read_level = NULL, tags = '', patron_rating = NULL, patron_comment = '',
                   last_transcript = excluded.last_transcript",
            )
            .and_then(|mut s| s.execute((t.account, t.peer, t.upto, id)))
            .map_err(StoreError::sqlite(context))?;
        Ok(Some(id))
    }

    /// Marks a conversation as needing no transcript here up to its newest message (another desk
    /// answered it and keeps the record), so retention still purges it.
    pub fn skip_transcript(&self, peer: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO conversations (account, peer, transcribed_upto)
                 SELECT account, peer, max(id) FROM messages WHERE peer = ?1 GROUP BY account
                 ON CONFLICT (account, peer) DO UPDATE SET transcribed_upto = max(transcribed_upto, excluded.transcribed_upto)",
            )
            .and_then(|mut s| s.execute([peer]))
            .map_err(StoreError::sqlite("marking a conversation as another desk's"))?;
        Ok(())
    }

    /// Transcript lines and walk-up topics matching all the words of `query` (as words, not search
    /// syntax) among the questions `filter` lets through, the newest first (each search index walks
    /// backwards and stops at `limit`, so a word in every chat costs no more than a rare one).
    pub fn search_transcripts(
        &self,
        query: &str,
        filter: &TranscriptFilter,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some(fts) = fts_query(query) else { return Ok(Vec::new()) };
        let mut hits = Vec::new();
        if filter.medium != Some(Medium::Walkup) {
            hits.extend(self.search_chats(&fts, filter, limit)?);
        }
        // A walk-up came in on no account.
        if filter.medium.is_none_or(|m| m == Medium::Walkup) && filter.account.is_none() {
            hits.extend(self.search_walkups(&fts, filter, limit)?);
        }
        // Stable: lines of one transcript written at the same instant keep their order.
        hits.sort_by_key(|h| std::cmp::Reverse(h.at));
        hits.truncate(limit as usize);
        Ok(hits)
    }

    fn search_chats(&self, fts: &str, filter: &TranscriptFilter, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let context = "searching transcripts";
        let filters = (
            filter.ended_from.map(to_millis),
            filter.ended_before.map(to_millis),
            filter.tag.as_deref(),
            filter.librarian.as_deref(),
            filter.account.as_deref(),
            filter.medium.map(Medium::as_str),
        );
        // Walking the index's matches backwards and checking each against the filter is quick
        // unless the filter lets few through: then a common word is checked in every chat it is
        // in. A narrow filter's transcripts are searched one by one instead, newest first.
        if filters != (None, None, None, None, None, None) {
            let sql = format!(
                "SELECT t.id FROM transcripts t WHERE {} AND {CHAT_FILTER} ORDER BY t.id DESC LIMIT ?1",
                filter_sql("t", "t.ended_at")
            );
            let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::sqlite(context))?;
            let (from, before, tag, librarian, account, medium) = filters;
            let params = rusqlite::params![
                FEW_TRANSCRIPTS + 1,
                None::<i64>,
                None::<i64>,
                None::<i64>,
                from,
                before,
                tag,
                librarian,
                account,
                medium
            ];
            let few: Vec<i64> = stmt
                .query_map(params, |r| r.get(0))
                .and_then(|rows| rows.collect())
                .map_err(StoreError::sqlite(context))?;
            if few.len() <= FEW_TRANSCRIPTS as usize {
                let mut hits = Vec::new();
                for transcript in few {
                    let left = limit.saturating_sub(hits.len() as u32);
                    if left == 0 {
                        break;
                    }
                    hits.extend(self.search_one_transcript(fts, transcript, left)?);
                }
                return Ok(hits);
            }
        }
        let sql = format!(
            "SELECT {CHAT_HIT}
             FROM transcript_search JOIN transcript_lines l ON l.id = transcript_search.rowid
             JOIN transcripts t ON t.id = l.transcript
             WHERE transcript_search MATCH ?1 AND {} AND {CHAT_FILTER}
             ORDER BY transcript_search.rowid DESC LIMIT ?2",
            filter_sql("t", "t.ended_at")
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::sqlite(context))?;
        let (from, before, tag, librarian, account, medium) = filters;
        let params =
            (fts, limit, HIT_OPEN.to_string(), HIT_CLOSE.to_string(), from, before, tag, librarian, account, medium);
        let hits =
            stmt.query_map(params, chat_hit).and_then(|rows| rows.collect()).map_err(StoreError::sqlite(context))?;
        Ok(hits)
    }

    /// The lines of one transcript that match, newest first.
    fn search_one_transcript(&self, fts: &str, transcript: i64, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let context = "searching a transcript";
        // Its lines were written together, so their ids are one range: the index seeks to it.
        let sql = format!(
            "SELECT {CHAT_HIT}
             FROM transcript_search JOIN transcript_lines l ON l.id = transcript_search.rowid
             JOIN transcripts t ON t.id = l.transcript
             WHERE transcript_search MATCH ?1 AND l.transcript = ?5
               AND transcript_search.rowid BETWEEN (SELECT min(id) FROM transcript_lines WHERE transcript = ?5)
                                               AND (SELECT max(id) FROM transcript_lines WHERE transcript = ?5)
             ORDER BY transcript_search.rowid DESC LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::sqlite(context))?;
        let params = (fts, limit, HIT_OPEN.to_string(), HIT_CLOSE.to_string(), transcript);
        let hits =
            stmt.query_map(params, chat_hit).and_then(|rows| rows.collect()).map_err(StoreError::sqlite(context))?;
        Ok(hits)
    }

    fn search_walkups(&self, fts: &str, filter: &TranscriptFilter, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        let context = "searching walk-ups";
        // One still at the desk has not ended: its start stands in for the day filters.
        let sql = format!(
            "SELECT w.id, w.started_at, snippet(walkup_search, 0, ?3, ?4, '…', 12)
             FROM walkup_search JOIN walkups w ON w.id = walkup_search.rowid
             WHERE walkup_search MATCH ?1 AND {}
             ORDER BY walkup_search.rowid DESC LIMIT ?2",
            filter_sql("w", "coalesce(w.ended_at, w.started_at)")
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::sqlite(context))?;
        let params = (
            fts,
            limit,
            HIT_OPEN.to_string(),
            HIT_CLOSE.to_string(),
            filter.ended_from.map(to_millis),
            filter.ended_before.map(to_millis),
            filter.tag.as_deref(),
            filter.librarian.as_deref(),
        );
        let hits = stmt
            .query_map(params, |r| {
                Ok(SearchHit {
                    medium: Medium::Walkup,
                    id: r.get(0)?,
                    patron: String::new(),
                    at: from_millis(r.get(1)?),
                    speaker: String::new(),
                    snippet: snippet_parts(&r.get::<_, String>(2)?),
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite(context))?;
        Ok(hits)
    }

    /// Transcripts that ended in `[from, to)`, oldest first, with their lines.
    pub fn transcripts_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<TranscriptRecord>, StoreError> {
        self.transcripts_where("ended_at >= ?1 AND ended_at < ?2", (to_millis(from), to_millis(to)))
    }

    /// Transcripts matching `condition` (SQL over the transcripts table), oldest first, with their lines.
    fn transcripts_where(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<TranscriptRecord>, StoreError> {
        let context = "reading transcripts";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT id, account, patron, started_at, ended_at, reason, read_level, tags, librarian, medium, patron_rating,
                   patron_comment FROM transcripts
                 WHERE {condition} ORDER BY ended_at, id"
            ))
            .map_err(StoreError::sqlite(context))?;
        let mut records: Vec<TranscriptRecord> = stmt
            .query_map(params, |r| {
                Ok(TranscriptRecord {
                    id: r.get(0)?,
                    account: r.get(1)?,
                    patron: r.get(2)?,
                    started_at: from_millis(r.get(3)?),
                    ended_at: from_millis(r.get(4)?),
                    reason: r.get(5)?,
                    read_level: r.get(6)?,
                    tags: crate::stats::split_tags(&r.get::<_, String>(7)?),
                    librarian: r.get(8)?,
                    medium: Medium::of_chat(&r.get::<_, String>(9)?),
                    patron_rating: r.get(10)?,
                    patron_comment: r.get(11)?,
                    lines: Vec::new(),
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite(context))?;
        for t in &mut records {
            t.lines = self
                .transcript_lines(t.id)?
                .into_iter()
                .map(|(at, speaker, text)| TranscriptLine { at, speaker, text })
                .collect();
        }
        Ok(records)
    }

    /// One transcript with its lines, if it is (still) kept.
    pub fn transcript(&self, id: i64) -> Result<Option<TranscriptRecord>, StoreError> {
        let mut t = self.transcripts_where("id = ?1", [id])?;
        Ok(t.pop())
    }

    /// A transcript's lines as (time, speaker, redacted text), in order.
    pub fn transcript_lines(&self, transcript: i64) -> Result<Vec<(DateTime<Utc>, String, String)>, StoreError> {
        let context = "reading a transcript";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT at, speaker, body FROM transcript_lines WHERE transcript = ?1 ORDER BY id")
            .map_err(StoreError::sqlite(context))?;
        let lines = stmt
            .query_map([transcript], |r| Ok((from_millis(r.get(0)?), r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite(context))?;
        Ok(lines)
    }
}

/// What a retention purge deleted: counts are all that is logged of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub messages: usize,
    pub transcripts: usize,
    pub walkups: usize,
}

impl Store {
    /// Deletes live messages already transcribed and older than `live_before`, and transcripts
    /// and walk-ups that ended before `transcripts_before` (both are the record of a question).
    pub fn purge(&self, live_before: DateTime<Utc>, transcripts_before: DateTime<Utc>) -> Result<Purged, StoreError> {
        let context = "purging old conversations";
        let messages = self
            .conn
            .execute(
                // One not sent yet still has to go (the link may have been down since).
                "DELETE FROM messages WHERE at < ?1 AND status != 'pending'
                   AND id <= coalesce((SELECT transcribed_upto FROM conversations c
                   WHERE c.account = messages.account AND c.peer = messages.peer), 0)",
                [to_millis(live_before)],
            )
            .map_err(StoreError::sqlite(context))?;
        // A web chat's visit goes with the last of its messages (its transcript keeps the medium).
        self.conn
            .execute(
                "DELETE FROM web_visits WHERE NOT EXISTS
                   (SELECT 1 FROM messages m WHERE m.account = web_visits.account AND m.peer = web_visits.peer)",
                [],
            )
            .map_err(StoreError::sqlite(context))?;
        // Notes are live data too (librarians' words about a patron, unredacted).
        self.conn
            .execute("DELETE FROM notes WHERE at < ?1", [to_millis(live_before)])
            .map_err(StoreError::sqlite(context))?;
        // Lines first, so the index's delete trigger sees each one.
        self.conn
            .execute(
                "DELETE FROM transcript_lines WHERE transcript IN (SELECT id FROM transcripts WHERE ended_at < ?1)",
                [to_millis(transcripts_before)],
            )
            .map_err(StoreError::sqlite(context))?;
        let transcripts = self
            .conn
            .execute("DELETE FROM transcripts WHERE ended_at < ?1", [to_millis(transcripts_before)])
            .map_err(StoreError::sqlite(context))?;
        let walkups = self
            .conn
            .execute("DELETE FROM walkups WHERE ended_at < ?1", [to_millis(transcripts_before)])
            .map_err(StoreError::sqlite(context))?;
        Ok(Purged { messages, transcripts, walkups })
    }
}

impl Store {
    /// Deletes a patron's transcripts (by pseudonym) and the live conversations of `peers` (the
    /// addresses that hash to it); returns (messages, transcripts) deleted.
    pub fn erase_patron(&self, pseudonym: &str, peers: &[String]) -> Result<(usize, usize), StoreError> {
        let context = "erasing a patron";
        self.conn
            .execute(
                "DELETE FROM transcript_lines WHERE transcript IN (SELECT id FROM transcripts WHERE patron = ?1)",
                [pseudonym],
            )
            .map_err(StoreError::sqlite(context))?;
        let transcripts = self
            .conn
            .execute("DELETE FROM transcripts WHERE patron = ?1", [pseudonym])
            .map_err(StoreError::sqlite(context))?;
        let mut messages = 0;
        for peer in peers {
            messages += self
                .conn
                .execute("DELETE FROM messages WHERE peer = ?1", [peer])
                .map_err(StoreError::sqlite(context))?;
            self.conn
                .execute("DELETE FROM conversations WHERE peer = ?1", [peer])
                .map_err(StoreError::sqlite(context))?;
            self.conn.execute("DELETE FROM notes WHERE peer = ?1", [peer]).map_err(StoreError::sqlite(context))?;
            self.conn.execute("DELETE FROM web_visits WHERE peer = ?1", [peer]).map_err(StoreError::sqlite(context))?;
        }
        Ok((messages, transcripts))
    }

    /// Every patron address in the live layer.
    pub fn peers(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT peer FROM messages")
            .map_err(StoreError::sqlite("listing patrons"))?;
        let peers = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite("listing patrons"))?;
        Ok(peers)
    }
}

/// Marks around the matches in a snippet: private-use characters, taken out of transcript text
/// when it is written, so nothing a patron typed is mistaken for them.
pub(super) const HIT_OPEN: char = '\u{E000}';
pub(super) const HIT_CLOSE: char = '\u{E001}';

/// A snippet with marks, as text pieces.
fn snippet_parts(marked: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    let mut rest = marked;
    while let Some(i) = rest.find(HIT_OPEN) {
        if i > 0 {
            parts.push(SnippetPart { text: rest[..i].to_owned(), hit: false });
        }
        let after = &rest[i + HIT_OPEN.len_utf8()..];
        let end = after.find(HIT_CLOSE).unwrap_or(after.len());
        parts.push(SnippetPart { text: after[..end].to_owned(), hit: true });
        rest = after.get(end + HIT_CLOSE.len_utf8()..).unwrap_or("");
    }
    if !rest.is_empty() {
        parts.push(SnippetPart { text: rest.to_owned(), hit: false });
    }
    parts
}

/// The words of a search box as an FTS5 query: each quoted (so `-`, `*`, `:` and `"` are plain
/// text, never syntax), all required.
/// A filter letting through at most this many transcripts has them searched one by one.
const FEW_TRANSCRIPTS: u32 = 400;

/// What a chat's search hit is made of, as [`chat_hit`] reads it.
const CHAT_HIT: &str = "t.id, t.patron, l.at, l.speaker, snippet(transcript_search, 0, ?3, ?4, '…', 12), t.medium";

/// The filters only chats have: the account (?9) and IM or web (?10), each NULL for any.
const CHAT_FILTER: &str = "(?9 IS NULL OR t.account = ?9) AND (?10 IS NULL OR t.medium = ?10)";

fn chat_hit(r: &rusqlite::Row<'_>) -> rusqlite::Result<SearchHit> {
    Ok(SearchHit {
        medium: Medium::of_chat(&r.get::<_, String>(5)?),
        id: r.get(0)?,
        patron: r.get(1)?,
        at: from_millis(r.get(2)?),
        speaker: r.get(3)?,
        snippet: snippet_parts(&r.get::<_, String>(4)?),
    })
}

/// The search filters both kinds of question share, over the table `alias` (its `tags` and
/// `librarian`) and its end time `ended`: parameters ?5 to ?8, each NULL to let everything through.
fn filter_sql(alias: &str, ended: &str) -> String {
    format!(
        "(?5 IS NULL OR {ended} >= ?5) AND (?6 IS NULL OR {ended} < ?6)
         AND (?7 IS NULL OR instr(',' || lower({alias}.tags) || ',', ',' || lower(?7) || ',') > 0)
         AND (?8 IS NULL OR instr(lower({alias}.librarian), lower(?8)) > 0)"
    )
}

fn fts_query(query: &str) -> Option<String> {
    let words: Vec<String> = query
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcripts_are_searchable_by_word_and_search_syntax_is_plain_text() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let t0 = Utc::now();
        let t = NewTranscript {
            account: "ask@lib",
            peer: "p@x",
            patron: "patron-0011223344556677",
            reason: "byLibrarian",
            librarian: "",
            lines: vec![
                (t0, Speaker::Patron, "do you have the 1910 census for Ohio? I'm [NAME]".into()),
                (t0, Speaker::Librarian, "Yes: microfilm, second floor.".into()),
            ],
            upto: 7,
            closed_at: t0,
        };
        let id = s.write_transcript(&t).unwrap().unwrap();
        assert_eq!(s.transcript_lines(id).unwrap().len(), 2);
        let hits = s.search_transcripts("Ohio census", &TranscriptFilter::default(), 10).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].speaker.as_str(), hits[0].patron.as_str()), ("patron", "patron-0011223344556677"));
        let marked = hits[0].marked("[", "]");
        assert!(marked.contains("[census]") && marked.contains("[Ohio]") && marked.contains("[NAME]"), "{marked}");
        assert_eq!(hits[0].snippet.iter().filter(|p| p.hit).count(), 2, "{:?}", hits[0].snippet);
        assert!(
            s.search_transcripts("census kansas", &TranscriptFilter::default(), 10).unwrap().is_empty(),
            "all words are required"
        );
        for hostile in ["\"", "census\" OR \"x", "NEAR(", "-", "*", "col:census", "'); DROP TABLE transcripts; --"] {
            assert!(
                s.search_transcripts(hostile, &TranscriptFilter::default(), 10).is_ok(),
                "{hostile:?} is text, not syntax"
            );
        }
        assert!(s.untranscribed("ask@lib", "p@x").unwrap().is_empty(), "nothing after the mark");
        assert_eq!(s.transcript(id).unwrap().map(|t| t.lines.len()), Some(2));
        assert_eq!(s.transcript(id + 1).unwrap(), None);

        // Text that looks like the search's own marks is plain text.
        let lines = vec![(t0, Speaker::Patron, "odd \u{E001}\u{E000}maps\u{E001} here".to_owned())];
        let odd = NewTranscript { lines, peer: "q@x", ..t.clone() };
        s.write_transcript(&odd).unwrap();
        let hits = s.search_transcripts("maps", &TranscriptFilter::default(), 10).unwrap();
        assert_eq!(hits[0].marked("[", "]"), "odd [maps] here");
        assert_eq!(s.write_transcript(&NewTranscript { lines: vec![], ..t }).unwrap(), None);
    }

    #[test]
    fn a_search_can_be_narrowed_to_days_a_tag_a_librarian_and_an_account() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let day = |d: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 9, d, 12, 0, 0).unwrap();
        // Three chats about maps: 1 Sept by Maria (tagged), 3 Sept by Anna, 5 Sept on another account.
        for (n, (d, librarian, tags, account)) in [
            (1, "Maria Lopez", "Maps,genealogy", "ask@lib"),
            (3, "Anna", "", "ask@lib"),
            (5, "Maria", "maps", "branch@lib"),
        ]
        .into_iter()
        .enumerate()
        {
            let peer = format!("p{n}@x");
            s.rate_conversation(account, &peer, Some(2), &crate::stats::split_tags(tags)).unwrap();
            let t = NewTranscript {
                account,
                peer: &peer,
                patron: "patron-00",
                reason: "byLibrarian",
                librarian,
                lines: vec![(day(d), Speaker::Patron, format!("town maps please ({d})"))],
                upto: n as i64 + 1,
                closed_at: day(d),
            };
            s.write_transcript(&t).unwrap();
        }
        let found = |f: TranscriptFilter| -> Vec<String> {
            let hits = s.search_transcripts("maps", &f, 10).unwrap();
            hits.iter().map(|h| h.marked("", "").replace("town maps please ", "")).collect()
        };
        assert_eq!(found(TranscriptFilter::default()), ["(5)", "(3)", "(1)"]);
        let f = TranscriptFilter { ended_from: Some(day(2)), ended_before: Some(day(4)), ..Default::default() };
        assert_eq!(found(f), ["(3)"]);
        assert_eq!(found(TranscriptFilter { tag: Some("MAPS".into()), ..Default::default() }), ["(5)", "(1)"]);
        assert_eq!(
            found(TranscriptFilter { tag: Some("map".into()), ..Default::default() }),
            Vec::<String>::new(),
            "whole tags"
        );
        assert_eq!(found(TranscriptFilter { librarian: Some("maria".into()), ..Default::default() }), ["(5)", "(1)"]);
        assert_eq!(found(TranscriptFilter { account: Some("branch@lib".into()), ..Default::default() }), ["(5)"]);
        let both =
            TranscriptFilter { librarian: Some("maria".into()), account: Some("ask@lib".into()), ..Default::default() };
        assert_eq!(found(both), ["(1)"]);
        assert_eq!(s.transcripts_between(day(1), day(2)).unwrap()[0].librarian, "Maria Lopez");
    }

    #[test]
    fn narrow_and_wide_filters_find_the_same_lines_a_plain_reading_would() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let t0 = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 9, 0, 0).unwrap();
        let librarians = ["Anna", "Maria", "Anna"];
        let n = 3 * FEW_TRANSCRIPTS as usize;
        s.atomically(|s| {
            for i in 0..n {
                // Sam answered four chats; the others alternate. "atlas" is in every seventh.
                let librarian = if i % 300 == 5 { "Sam" } else { librarians[i % 3] };
                let at = t0 + chrono::Duration::minutes(i as i64);
                let word = if i % 7 == 0 { "atlas" } else { "book" };
                let lines = (0..3).map(|k| (at, Speaker::Patron, format!("{word} question {i} part {k}"))).collect();
                let peer = format!("p{i}@x");
                let t = NewTranscript {
                    account: "ask@lib",
                    peer: &peer,
                    patron: "patron-00",
                    reason: "idle",
                    librarian,
                    lines,
                    upto: i as i64,
                    closed_at: at,
                };
                s.write_transcript(&t)?;
            }
            Ok(())
        })
        .unwrap();
        // What the search must return, read plainly: every part of every matching chat, newest first.
        let expected = |word: &str, by: &dyn Fn(usize) -> bool, limit: usize| -> Vec<String> {
            (0..n)
                .rev()
                .filter(|&i| by(i) && (i % 7 == 0) == (word == "atlas"))
                .flat_map(|i| (0..3).rev().map(move |k| format!("{word} question {i} part {k}")))
                .take(limit)
                .collect()
        };
        let found = |word: &str, librarian: &str, limit: u32| -> Vec<String> {
            let f = TranscriptFilter { librarian: Some(librarian.into()), ..Default::default() };
            s.search_transcripts(word, &f, limit).unwrap().iter().map(|h| h.marked("", "")).collect()
        };
        let sam = |i: usize| i % 300 == 5;
        let anna = |i: usize| !sam(i) && i % 3 != 1;
        // Sam's four chats are few: searched one by one. Anna's are many: the index is walked.
        assert_eq!(found("book", "sam", 100), expected("book", &sam, 100));
        assert_eq!(found("atlas", "sam", 100), expected("atlas", &sam, 100), "none of Sam's is about atlases");
        assert_eq!(found("book", "sam", 4), expected("book", &sam, 4), "the limit holds across transcripts");
        assert_eq!(found("atlas", "anna", 50), expected("atlas", &anna, 50));
        assert_eq!(found("book", "anna", 50), expected("book", &anna, 50));
        assert!(found("book", "nobody", 10).is_empty());
    }

    #[test]
    fn walkup_topics_are_found_beside_chats_and_the_medium_narrows_to_one() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let day = |d: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, d, 12, 0, 0).unwrap();
        let t = NewTranscript {
            account: "ask@lib",
            peer: "p@x",
            patron: "patron-00",
            reason: "byLibrarian",
            librarian: "Joost",
            lines: vec![(day(3), Speaker::Patron, "census maps of 1910?".into())],
            upto: 1,
            closed_at: day(3),
        };
        s.write_transcript(&t).unwrap();
        for (d, topic, librarian, tags) in
            [(2, "census \u{E000}maps", "Maria", "genealogy"), (4, "parking", "Maria", "")]
        {
            let w = s.start_walkup(Some(topic), librarian, day(d)).unwrap();
            s.end_walkup(day(d) + chrono::Duration::minutes(5)).unwrap();
            s.rate_walkup(w.id, Some(2), &crate::stats::split_tags(tags)).unwrap();
        }
        s.start_walkup(Some("census of a parish, still at the desk"), "Maria", day(5)).unwrap();
        let found = |f: TranscriptFilter| -> Vec<(Medium, String)> {
            let hits = s.search_transcripts("census", &f, 10).unwrap();
            hits.iter().map(|h| (h.medium, h.marked("[", "]"))).collect()
        };
        let chat = (Medium::Chat, "[census] maps of 1910?".to_owned());
        let open = (Medium::Walkup, "[census] of a parish, still at the desk".to_owned());
        let walkup = (Medium::Walkup, "[census] maps".to_owned());
        assert_eq!(found(TranscriptFilter::default()), [open.clone(), chat.clone(), walkup.clone()], "newest first");
        let only = |medium| TranscriptFilter { medium: Some(medium), ..Default::default() };
        assert_eq!(found(only(Medium::Walkup)), [open.clone(), walkup.clone()]);
        assert_eq!(found(only(Medium::Chat)), vec![chat.clone()]);
        let by = |name: &str| TranscriptFilter { librarian: Some(name.into()), ..Default::default() };
        assert_eq!(found(by("MARIA")), [open.clone(), walkup.clone()]);
        assert_eq!(found(by("joost")), vec![chat.clone()]);
        let tagged = TranscriptFilter { tag: Some("Genealogy".into()), ..Default::default() };
        assert_eq!(found(tagged), vec![walkup.clone()]);
        let on_account = TranscriptFilter { account: Some("ask@lib".into()), ..Default::default() };
        assert_eq!(found(on_account), vec![chat.clone()], "a walk-up came in on no account");
        // Days: a walk-up by when it ended; the one still at the desk by when it started.
        let days = |from, to| TranscriptFilter {
            ended_from: Some(day(from)),
            ended_before: Some(day(to)),
            ..Default::default()
        };
        assert_eq!(found(days(1, 3)), vec![walkup.clone()]);
        assert_eq!(found(days(5, 6)), vec![open.clone()]);
        let hits = s.search_transcripts("parking", &TranscriptFilter::default(), 10).unwrap();
        assert_eq!((hits[0].patron.as_str(), hits[0].speaker.as_str()), ("", ""), "nobody is recorded");
        assert_eq!(hits[0].at, day(4));

        // Retention takes walk-ups with transcripts, from the index too; not the one still open.
        let purged = s.purge(day(1), day(5)).unwrap();
        assert_eq!((purged.transcripts, purged.walkups), (1, 2));
        assert_eq!(found(TranscriptFilter::default()), [open]);
        assert!(s.search_transcripts("parking", &TranscriptFilter::default(), 10).unwrap().is_empty());
    }

    #[test]
    fn a_purge_removes_old_transcripts_from_the_index_and_keeps_what_is_not_transcribed() {
        use super::super::messages::NewMessage;
        use crate::api::MessageStatus;
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let old = Utc::now() - chrono::Duration::days(400);
        let msg = |id: &'static str, peer: &'static str| NewMessage {
            account: "ask@lib",
            peer,
            incoming: true,
            stable_id: id,
            body: "atlas question",
            at: old,
            auto_reply: false,
            status: MessageStatus::Received,
            origin_id: None,
        };
        let done = s.insert_message(msg("a", "done@x")).unwrap().unwrap();
        s.insert_message(msg("b", "open@x")).unwrap();
        let lines = vec![(old, Speaker::Patron, "atlas question".to_owned())];
        let t = NewTranscript {
            account: "ask@lib",
            peer: "done@x",
            patron: "patron-1",
            reason: "idle",
            librarian: "",
            lines,
            upto: done,
            closed_at: old,
        };
        s.write_transcript(&t).unwrap();
        assert_eq!(s.search_transcripts("atlas", &TranscriptFilter::default(), 10).unwrap().len(), 1);

        let now = Utc::now();
        let purged = s.purge(now - chrono::Duration::hours(24), now - chrono::Duration::days(365)).unwrap();
        assert_eq!(purged, Purged { messages: 1, transcripts: 1, walkups: 0 });
        assert!(
            s.search_transcripts("atlas", &TranscriptFilter::default(), 10).unwrap().is_empty(),
            "gone from the index too"
        );
        assert!(s.messages_with("ask@lib", "done@x").unwrap().is_empty());
        assert_eq!(s.messages_with("ask@lib", "open@x").unwrap().len(), 1, "never transcribed: kept");
        assert_eq!(s.purge(now, now).unwrap(), Purged::default());
    }
}
