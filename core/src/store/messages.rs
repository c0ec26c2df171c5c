//! Messages of live conversations: stored once each (deduplicated by stable id) before anything else sees them.

use chrono::{DateTime, Utc};

use rusqlite::OptionalExtension;

use super::{from_millis, to_millis, Store};
use crate::api::{ConversationView, MessageStatus, MessageView};
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
    pub status: MessageStatus,
}

impl From<StoredMessage> for MessageView {
    fn from(m: StoredMessage) -> MessageView {
        MessageView {
            id: m.id,
            account: m.account,
            peer: m.peer,
            incoming: m.incoming,
            body: m.body,
            at: m.at,
            auto_reply: m.auto_reply,
            status: m.status,
        }
    }
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
    pub status: MessageStatus,
    /// The sender's own id (XEP-0359 origin-id), a second key for deduplication.
    pub origin_id: Option<&'a str>,
}

/// The longest half-typed reply we keep per conversation.
pub const MAX_DRAFT_CHARS: usize = MAX_BODY_CHARS;
/// How much of the newest message a tab shows.
const PREVIEW_CHARS: usize = 80;

pub(super) fn bounded(body: &str) -> std::borrow::Cow<'_, str> {
    match body.char_indices().nth(MAX_BODY_CHARS) {
        None => body.into(),
        Some((cut, _)) => format!("{}… [message shortened]", &body[..cut]).into(),
    }
}

/// One line, at most PREVIEW_CHARS characters, for a tab.
fn preview(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(PREVIEW_CHARS) {
        None => line,
        Some((cut, _)) => format!("{}…", &line[..cut]),
    }
}

const COLUMNS: &str =
    "id, account, peer, direction, stable_id, body, at, auto_reply, iif(delivered_at IS NULL, status, 'delivered')";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    let status: String = r.get(8)?;
    Ok(StoredMessage {
        id: r.get(0)?,
        account: r.get(1)?,
        peer: r.get(2)?,
        incoming: r.get::<_, String>(3)? == "in",
        stable_id: r.get(4)?,
        body: r.get(5)?,
        at: from_millis(r.get(6)?),
        auto_reply: r.get(7)?,
        // The column's CHECK allows only the known values.
        status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Sent),
    })
}

/// Which conversations have an open tab (in a query over `latest l` and `conversations c`).
const OPEN_TABS: &str = "l.last_id > coalesce(c.tab_closed_upto, 0)";
/// Where a tab stands: where the librarian put it, else the id of the message that opened it.
const TAB_KEY: &str = "coalesce(c.tab_order, (SELECT min(f.id) FROM messages f
     WHERE f.account = l.account AND f.peer = l.peer AND f.id > coalesce(c.tab_closed_upto, 0)))";

impl Store {
    /// Stores a message unless one with the same stable id is already there; its row id if it was new.
    pub fn insert_message(&self, m: NewMessage<'_>) -> Result<Option<i64>, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO messages (account, peer, direction, stable_id, body, at, auto_reply, status, origin_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut s| {
                s.execute(rusqlite::params![
                    m.account,
                    m.peer,
                    if m.incoming { "in" } else { "out" },
                    m.stable_id,
                    bounded(m.body),
                    to_millis(m.at),
                    m.auto_reply,
                    m.status.as_str(),
                    m.origin_id,
                ])
            })
            .map_err(StoreError::sqlite("storing a message"))?;
        Ok((n == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Whether an incoming message with this stable id, or this sender's origin-id, is stored.
    pub fn has_incoming(
        &self,
        account: &str,
        peer: &str,
        stable_id: &str,
        origin_id: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM messages WHERE account = ?1 AND stable_id = ?2)
                     OR EXISTS (SELECT 1 FROM messages WHERE account = ?1 AND peer = ?3 AND direction = 'in' AND origin_id = ?4)",
            )
            .and_then(|mut s| s.query_row(rusqlite::params![account, stable_id, peer, origin_id], |r| r.get(0)))
            .map_err(StoreError::sqlite("looking up a message"))
    }

    fn query_messages(
        &self,
        sql_tail: &str,
        params: impl rusqlite::Params,
        context: &'static str,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM messages {sql_tail}"))
            .map_err(StoreError::sqlite(context))?;
        let rows = stmt.query_map(params, row).and_then(|rows| rows.collect()).map_err(StoreError::sqlite(context))?;
        Ok(rows)
    }

    pub fn message(&self, id: i64) -> Result<Option<StoredMessage>, StoreError> {
        Ok(self.query_messages("WHERE id = ?1", [id], "reading a message")?.pop())
    }

    /// A conversation's messages, oldest first.
    pub fn messages_with(&self, account: &str, peer: &str) -> Result<Vec<StoredMessage>, StoreError> {
        self.query_messages("WHERE account = ?1 AND peer = ?2 ORDER BY id", (account, peer), "reading messages")
    }

    /// Every message not yet in a transcript, in the order they happened: the chats still under way.
    pub fn untranscribed_messages(&self) -> Result<Vec<StoredMessage>, StoreError> {
        self.query_messages(
            "WHERE id > coalesce((SELECT transcribed_upto FROM conversations c
                                  WHERE c.account = messages.account AND c.peer = messages.peer), 0)
             ORDER BY at, id",
            [],
            "reading the chats under way",
        )
    }

    /// Up to `limit` messages of a conversation older than `before` (or the newest), oldest first.
    pub fn messages_page(
        &self,
        account: &str,
        peer: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let mut page = self.query_messages(
            "WHERE account = ?1 AND peer = ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4",
            (account, peer, before.unwrap_or(i64::MAX), limit),
            "reading messages",
        )?;
        page.reverse();
        Ok(page)
    }

    /// Our messages on `account` stored but not yet written to the server, oldest first.
    pub fn pending_messages(&self, account: &str) -> Result<Vec<StoredMessage>, StoreError> {
        self.query_messages(
            "WHERE account = ?1 AND status = 'pending' ORDER BY id",
            [account],
            "reading unsent messages",
        )
    }

    /// Marks our message `stable_id` as written to the server; its row id, if it was pending.
    pub fn mark_sent(&self, account: &str, stable_id: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE messages SET status = 'sent' WHERE account = ?1 AND stable_id = ?2 AND status = 'pending'
                 RETURNING id",
            )
            .and_then(|mut s| s.query_row((account, stable_id), |r| r.get(0)).optional())
            .map_err(StoreError::sqlite("marking a message sent"))
    }

    /// Our message `stable_id` to `peer` reached their device; its row id, the first time only.
    /// Only the patron it was sent to can confirm it: a receipt from anyone else changes nothing.
    pub fn mark_delivered(
        &self,
        account: &str,
        peer: &str,
        stable_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        self.conn
            .prepare_cached(
                // A receipt can overtake the runner's own report that the message went out.
                "UPDATE messages SET delivered_at = ?4, status = iif(status = 'pending', 'sent', status)
                 WHERE account = ?1 AND peer = ?2 AND stable_id = ?3 AND direction = 'out' AND delivered_at IS NULL
                 RETURNING id",
            )
            .and_then(|mut s| s.query_row((account, peer, stable_id, to_millis(at)), |r| r.get(0)).optional())
            .map_err(StoreError::sqlite("marking a message delivered"))
    }

    /// The account a patron last wrote to (where a reply to them goes).
    pub fn account_of(&self, peer: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT account FROM messages WHERE peer = ?1 AND direction = 'in' ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row([peer], |r| r.get(0)).optional())
            .map_err(StoreError::sqlite("finding a patron's account"))
    }

    /// Every conversation with an open tab, in tab order: where the librarian put it, else in the
    /// order the tabs opened (a new message never moves a tab, so Alt+1…9 keep their meaning).
    pub fn conversations(&self) -> Result<Vec<ConversationView>, StoreError> {
        self.conversations_where(OPEN_TABS, &format!("{TAB_KEY}, l.last_id"), u32::MAX)
    }

    /// Puts a conversation's tab at position `to` among the open tabs (0 is the first; past the
    /// end is the last) and returns the tabs in their new order, or None when it has no open tab.
    pub fn move_tab(&self, account: &str, peer: &str, to: usize) -> Result<Option<Vec<ConversationView>>, StoreError> {
        let context = "moving a tab";
        let tx = self.conn.unchecked_transaction().map_err(StoreError::sqlite(context))?;
        let mut tabs: Vec<(String, String, f64)> = tx
            .prepare_cached(&format!(
                "WITH latest AS (SELECT account, peer, max(id) AS last_id FROM messages GROUP BY account, peer)
                 SELECT l.account, l.peer, {TAB_KEY} FROM latest l
                 LEFT JOIN conversations c ON c.account = l.account AND c.peer = l.peer
                 WHERE {OPEN_TABS} ORDER BY {TAB_KEY}, l.last_id"
            ))
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(StoreError::sqlite(context))?;
        let Some(from) = tabs.iter().position(|(a, p, _)| a == account && p == peer) else {
            return Ok(None);
        };
        // The tabs keep the keys they had, dealt out again in the new order: every key stays below
        // the id of any message still to come, so tabs opened later still go last.
        let keys: Vec<f64> = tabs.iter().map(|t| t.2).collect();
        let moved = tabs.remove(from);
        tabs.insert(to.min(tabs.len()), moved);
        {
            let mut set = tx
                .prepare_cached(
                    "INSERT INTO conversations (account, peer, tab_order) VALUES (?1, ?2, ?3)
                     ON CONFLICT (account, peer) DO UPDATE SET tab_order = excluded.tab_order",
                )
                .map_err(StoreError::sqlite(context))?;
            for ((a, p, _), key) in tabs.iter().zip(keys) {
                set.execute((a, p, key)).map_err(StoreError::sqlite(context))?;
            }
        }
        tx.commit().map_err(StoreError::sqlite(context))?;
        self.conversations().map(Some)
    }

    /// Conversations whose tab the librarian closed (and the patron has not written since), the
    /// most recently active first.
    pub fn closed_tabs(&self, limit: u32) -> Result<Vec<ConversationView>, StoreError> {
        self.conversations_where("l.last_id <= coalesce(c.tab_closed_upto, 0)", "l.last_id DESC", limit)
    }

    /// Closes a conversation's tab (up to its newest message) and forgets where it stood: if the
    /// patron writes again, the tab opens anew after the others. False when there is no such
    /// conversation.
    pub fn close_tab(&self, account: &str, peer: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO conversations (account, peer, tab_closed_upto)
                 SELECT ?1, ?2, max(id) FROM messages WHERE account = ?1 AND peer = ?2 HAVING count(*) > 0
                 ON CONFLICT (account, peer) DO UPDATE SET tab_closed_upto = excluded.tab_closed_upto,
                                                           tab_order = NULL",
            )
            .and_then(|mut s| s.execute((account, peer)))
            .map_err(StoreError::sqlite("closing a tab"))?;
        Ok(n == 1)
    }

    /// Opens a closed tab again, after the open ones (between the newest message and the next).
    pub fn reopen_tab(&self, account: &str, peer: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE conversations
                 SET tab_closed_upto = 0, tab_order = (SELECT max(id) FROM messages) + 0.5
                 WHERE account = ?1 AND peer = ?2",
                (account, peer),
            )
            .map(drop)
            .map_err(StoreError::sqlite("reopening a tab"))
    }

    fn conversations_where(
        &self,
        condition: &str,
        order: &str,
        limit: u32,
    ) -> Result<Vec<ConversationView>, StoreError> {
        let context = "listing conversations";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "WITH latest AS (
                     SELECT account, peer, max(id) AS last_id FROM messages GROUP BY account, peer
                 )
                 SELECT l.account, l.peer, l.last_id, m.at, m.body,
                        (SELECT count(*) FROM messages u
                          WHERE u.account = l.account AND u.peer = l.peer AND u.direction = 'in'
                            AND u.id > coalesce(c.read_upto, 0)),
                        coalesce(c.draft, ''),
                        EXISTS (SELECT 1 FROM web_visits w WHERE w.account = l.account AND w.peer = l.peer)
                 FROM latest l JOIN messages m ON m.id = l.last_id
                 LEFT JOIN conversations c ON c.account = l.account AND c.peer = l.peer
                 WHERE {condition}
                 ORDER BY {order} LIMIT ?1"
            ))
            .map_err(StoreError::sqlite(context))?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(ConversationView {
                    account: r.get(0)?,
                    peer: r.get(1)?,
                    last_id: r.get(2)?,
                    last_at: from_millis(r.get(3)?),
                    preview: preview(&r.get::<_, String>(4)?),
                    unread: r.get(5)?,
                    draft: r.get(6)?,
                    medium: if r.get(7)? { crate::api::Medium::Web } else { crate::api::Medium::Chat },
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(StoreError::sqlite(context))?;
        Ok(rows)
    }

    /// The librarian has seen the conversation up to message `upto` (never moves back).
    pub fn mark_read(&self, account: &str, peer: &str, upto: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO conversations (account, peer, read_upto) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account, peer) DO UPDATE SET read_upto = max(read_upto, excluded.read_upto)",
            )
            .and_then(|mut s| s.execute((account, peer, upto)))
            .map_err(StoreError::sqlite("marking a conversation read"))?;
        Ok(())
    }

    /// Keeps the half-typed reply of a conversation (empty clears it).
    pub fn save_draft(&self, account: &str, peer: &str, draft: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO conversations (account, peer, draft) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account, peer) DO UPDATE SET draft = excluded.draft",
            )
            .and_then(|mut s| s.execute((account, peer, draft)))
            .map_err(StoreError::sqlite("keeping a draft"))?;
        Ok(())
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
            status: MessageStatus::Received,
            origin_id: None,
        };
        assert!(s.insert_message(m).unwrap().is_some());
        assert!(s.insert_message(m).unwrap().is_none(), "live, carbon, offline and archive copies are one message");
        assert!(s.insert_message(NewMessage { account: "other@lib", ..m }).unwrap().is_some(), "ids are per account");
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
            status: MessageStatus::Received,
            origin_id: None,
        };
        s.insert_message(m).unwrap();
        let got = &s.messages_with("a", "p").unwrap()[0].body;
        assert!(got.ends_with("[message shortened]"));
        assert_eq!(got.chars().filter(|c| *c == 'é').count(), MAX_BODY_CHARS);
    }

    fn msg<'a>(peer: &'a str, incoming: bool, id: &'a str, body: &'a str) -> NewMessage<'a> {
        NewMessage {
            account: "ask@lib",
            peer,
            incoming,
            stable_id: id,
            body,
            at: Utc::now(),
            auto_reply: false,
            status: if incoming { MessageStatus::Received } else { MessageStatus::Pending },
            origin_id: None,
        }
    }

    #[test]
    fn conversations_list_the_newest_first_with_unread_counts_and_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        let a1 = s.insert_message(msg("anna@x", true, "a1", "hello")).unwrap().unwrap();
        s.insert_message(msg("ben@x", true, "b1", "is the\n   library   open?")).unwrap();
        let a2 = s.insert_message(msg("anna@x", true, "a2", &"long ".repeat(40))).unwrap().unwrap();
        let c = s.conversations().unwrap();
        assert_eq!(c.iter().map(|c| c.peer.as_str()).collect::<Vec<_>>(), ["anna@x", "ben@x"]);
        assert_eq!((c[0].last_id, c[0].unread, c[1].unread), (a2, 2, 1));
        assert_eq!(c[1].preview, "is the library open?");
        assert!(c[0].preview.ends_with('…') && c[0].preview.chars().count() == PREVIEW_CHARS + 1);

        s.mark_read("ask@lib", "anna@x", a1).unwrap();
        s.save_draft("ask@lib", "anna@x", "Let me look that up").unwrap();
        assert_eq!(s.conversations().unwrap()[0].unread, 1);
        s.mark_read("ask@lib", "anna@x", a2).unwrap();
        s.mark_read("ask@lib", "anna@x", a1).unwrap();
        let anna = &s.conversations().unwrap()[0];
        assert_eq!((anna.unread, anna.draft.as_str()), (0, "Let me look that up"), "read never moves back");
        // Our own reply is never unread.
        s.insert_message(msg("anna@x", false, "r1", "one moment")).unwrap();
        assert_eq!(s.conversations().unwrap()[0].unread, 0);
    }

    #[test]
    fn tabs_stay_where_they_opened_until_the_librarian_moves_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        let s = Store::open(&path).unwrap();
        let order = |s: &Store| s.conversations().unwrap().into_iter().map(|c| c.peer).collect::<Vec<_>>();
        for (peer, id) in [("anna@x", "a1"), ("ben@x", "b1"), ("cy@x", "c1")] {
            s.insert_message(msg(peer, true, id, "hello")).unwrap();
        }
        s.insert_message(msg("anna@x", true, "a2", "still there?")).unwrap();
        assert_eq!(order(&s), ["anna@x", "ben@x", "cy@x"], "a new message does not move a tab");

        let moved = s.move_tab("ask@lib", "cy@x", 0).unwrap().unwrap();
        assert_eq!(moved.iter().map(|c| c.peer.as_str()).collect::<Vec<_>>(), ["cy@x", "anna@x", "ben@x"]);
        s.move_tab("ask@lib", "anna@x", 99).unwrap().unwrap();
        assert_eq!(order(&s), ["cy@x", "ben@x", "anna@x"]);
        s.insert_message(msg("dee@x", true, "d1", "hi")).unwrap();
        s.insert_message(msg("ben@x", true, "b2", "hello?")).unwrap();
        assert_eq!(order(&s), ["cy@x", "ben@x", "anna@x", "dee@x"], "a new tab goes after the arranged ones");
        drop(s);
        let s = Store::open(&path).unwrap();
        assert_eq!(order(&s), ["cy@x", "ben@x", "anna@x", "dee@x"], "kept across a restart");

        // A closed tab forgets its place: it opens anew after the others when the patron writes
        // again, or when the librarian reopens it.
        s.close_tab("ask@lib", "ben@x").unwrap();
        assert_eq!(order(&s), ["cy@x", "anna@x", "dee@x"]);
        s.insert_message(msg("ben@x", true, "b3", "me again")).unwrap();
        assert_eq!(order(&s), ["cy@x", "anna@x", "dee@x", "ben@x"]);
        s.close_tab("ask@lib", "cy@x").unwrap();
        s.reopen_tab("ask@lib", "cy@x").unwrap();
        s.insert_message(msg("eve@x", true, "e1", "hi")).unwrap();
        assert_eq!(order(&s), ["anna@x", "dee@x", "ben@x", "cy@x", "eve@x"]);
        s.move_tab("ask@lib", "eve@x", 1).unwrap().unwrap();
        s.move_tab("ask@lib", "cy@x", 0).unwrap().unwrap();
        assert_eq!(order(&s), ["cy@x", "anna@x", "eve@x", "dee@x", "ben@x"]);

        assert!(s.move_tab("ask@lib", "nobody@x", 0).unwrap().is_none());
        s.close_tab("ask@lib", "dee@x").unwrap();
        assert!(s.move_tab("ask@lib", "dee@x", 0).unwrap().is_none(), "a closed tab has no place");
    }

    #[test]
    fn a_reply_stays_pending_until_sent_and_pages_come_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("refdesk.db")).unwrap();
        s.insert_message(msg("anna@x", true, "a1", "hello")).unwrap();
        let r1 = s.insert_message(msg("anna@x", false, "rd-1", "hi Anna")).unwrap().unwrap();
        s.insert_message(msg("anna@x", false, "rd-2", "one moment")).unwrap();
        let pending: Vec<_> = s.pending_messages("ask@lib").unwrap().into_iter().map(|m| m.stable_id).collect();
        assert_eq!(pending, ["rd-1", "rd-2"]);
        assert_eq!(s.mark_sent("ask@lib", "rd-1").unwrap(), Some(r1));
        assert_eq!(s.mark_sent("ask@lib", "rd-1").unwrap(), None, "already sent");
        assert_eq!(s.message(r1).unwrap().unwrap().status, MessageStatus::Sent);
        assert_eq!(s.pending_messages("ask@lib").unwrap().len(), 1);
        assert!(s.pending_messages("other@lib").unwrap().is_empty());

        let newest = s.messages_page("ask@lib", "anna@x", None, 2).unwrap();
        assert_eq!(newest.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["hi Anna", "one moment"]);
        let older = s.messages_page("ask@lib", "anna@x", Some(newest[0].id), 2).unwrap();
        assert_eq!(older.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["hello"]);
        assert_eq!(s.account_of("anna@x").unwrap().as_deref(), Some("ask@lib"));
        assert_eq!(s.account_of("nobody@x").unwrap(), None);
    }
}
