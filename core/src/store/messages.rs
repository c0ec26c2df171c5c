//! Messages of live conversations: stored once each (deduplicated by stable id) before anything else sees them.

use chrono::{DateTime, Utc};

use super::{from_millis, to_millis, Store};
use crate::error::StoreError;

/// The longest body we keep; longer ones are cut with a marker (the XML layer already bounds stanzas).
pub const MAX_BODY_CHARS: usize = 16_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub id: i64,
    pub account: String,
    pub peer: String,
    pub incoming: bool,
    pub stable_id: String,
    pub body: String,
    pub at: DateTime<Utc>,
    pub auto_reply: bool,
}

/// A message to store.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub account: &'a str,
    pub peer: &'a str,
    pub incoming: bool,
    pub stable_id: &'a str,
    pub body: &'a str,
    pub at: DateTime<Utc>,
    pub auto_reply: bool,
}

fn bounded(body: &str) -> std::borrow::Cow<'_, str> {
    match body.char_indices().nth(MAX_BODY_CHARS) {
        None => body.into(),
        Some((cut, _)) => format!("{}… [message shortened]", &body[..cut]).into(),
    }
}

impl Store {
    /// Stores a message unless one with the same stable id is already there; true if it was new.
    pub fn insert_message(&self, m: NewMessage<'_>) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO messages (account, peer, direction, stable_id, body, at, auto_reply)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(rusqlite::params![
                    m.account,
                    m.peer,
                    if m.incoming { "in" } else { "out" },
                    m.stable_id,
                    bounded(m.body),
                    to_millis(m.at),
                    m.auto_reply
                ])
            })
            .map_err(StoreError::sqlite("storing a message"))?;
        Ok(n == 1)
    }

    /// A conversation's messages, oldest first.
    pub fn messages_with(&self, account: &str, peer: &str) -> Result<Vec<StoredMessage>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, account, peer, direction, stable_id, body, at, auto_reply FROM messages
                 WHERE account = ?1 AND peer = ?2 ORDER BY at, id",
            )
            .map_err(StoreError::sqlite("reading messages"))?;
        let rows = stmt
            .query_map([account, peer], |r| {
                Ok(StoredMessage {
                    id: r.get(0)?,
                    account: r.get(1)?,
                    peer: r.get(2)?,
                    incoming: r.get::<_, String>(3)? == "in",
                    stable_id: r.get(4)?,
                    body: r.get(5)?,
                    at: from_millis(r.get(6)?),
                    auto_reply: r.get(7)?,
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite("reading messages"))?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_stored_once_however_often_it_arrives() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let m = NewMessage {
            account: "ask@lib",
            peer: "p@x",
            incoming: true,
            stable_id: "sid-1",
            body: "hello <b>",
            at: Utc::now(),
            auto_reply: false,
        };
        assert!(s.insert_message(m).unwrap());
        assert!(!s.insert_message(m).unwrap(), "live, carbon, offline and archive copies are one message");
        assert!(s.insert_message(NewMessage { account: "other@lib", ..m }).unwrap(), "ids are per account");
        let got = s.messages_with("ask@lib", "p@x").unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, "hello <b>");
    }

    #[test]
    fn a_huge_body_is_shortened_not_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let body = "é".repeat(MAX_BODY_CHARS + 50);
        let m = NewMessage {
            account: "a",
            peer: "p",
            incoming: true,
            stable_id: "x",
            body: &body,
            at: Utc::now(),
            auto_reply: false,
        };
        s.insert_message(m).unwrap();
        let got = &s.messages_with("a", "p").unwrap()[0].body;
        assert!(got.ends_with("[message shortened]"));
        assert_eq!(got.chars().filter(|c| *c == 'é').count(), MAX_BODY_CHARS);
    }
}
