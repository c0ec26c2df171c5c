//! The website chat box's visits: which chat a browser tab's conversation is at the desk, and the
//! guest address it writes from now (see `migrations/0015_web_visits.sql`).

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use super::{to_millis, Store};
use crate::error::StoreError;

/// Where a visit's message belongs, once its token is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitPlace {
    /// The chat at the desk: the address the visit first wrote from.
    pub peer: String,
    /// The guest address is a new one (the box signed in again): replies go there from now on.
    pub moved: bool,
}

impl Store {
    /// The chat a visit's message from `address` (a bare guest address) belongs to. A new visit
    /// starts a chat of its own. A known one keeps its chat when the box signs in again as a new
    /// guest on the same server; from anywhere else the token is not honoured (a patron cannot
    /// step into another's chat with a token they saw), and the message is its sender's own.
    /// Only a `current` message (written just now, not history from the archive) moves where the
    /// visit is written to: an old line from an address the box has left must not bring it back.
    pub fn web_visit(
        &self,
        account: &str,
        token: &str,
        address: &str,
        current: bool,
        at: DateTime<Utc>,
    ) -> Result<VisitPlace, StoreError> {
        let context = "reading a web chat visit";
        let known: Option<(String, String)> = self
            .conn
            .prepare_cached("SELECT peer, address FROM web_visits WHERE account = ?1 AND visit = ?2")
            .and_then(|mut s| s.query_row((account, token), |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(StoreError::sqlite(context))?;
        let own = VisitPlace { peer: address.to_owned(), moved: false };
        match known {
            None => {
                // A guest address is one visit's only; a second token from it changes nothing.
                self.conn
                    .prepare_cached(
                        "INSERT OR IGNORE INTO web_visits (account, visit, peer, address, started_at)
                         VALUES (?1, ?2, ?3, ?3, ?4)",
                    )
                    .and_then(|mut s| s.execute((account, token, address, to_millis(at))))
                    .map_err(StoreError::sqlite("starting a web chat visit"))?;
                Ok(own)
            }
            Some((peer, now_at)) if now_at == address => Ok(VisitPlace { peer, moved: false }),
            Some((peer, _)) if domain(&peer) == domain(address) && !current => Ok(VisitPlace { peer, moved: false }),
            Some((peer, _)) if domain(&peer) == domain(address) => {
                self.conn
                    .prepare_cached("UPDATE web_visits SET address = ?3 WHERE account = ?1 AND visit = ?2")
                    .and_then(|mut s| s.execute((account, token, address)))
                    .map_err(StoreError::sqlite("moving a web chat visit"))?;
                Ok(VisitPlace { peer, moved: true })
            }
            Some(_) => Ok(own),
        }
    }

    /// Where to write to `peer` now: the guest address its web visit moved to, else `peer` itself.
    pub fn address_of(&self, account: &str, peer: &str) -> Result<String, StoreError> {
        let moved: Option<String> = self
            .conn
            .prepare_cached("SELECT address FROM web_visits WHERE account = ?1 AND peer = ?2")
            .and_then(|mut s| s.query_row((account, peer), |r| r.get(0)).optional())
            .map_err(StoreError::sqlite("reading a web chat's address"))?;
        Ok(moved.unwrap_or_else(|| peer.to_owned()))
    }

    /// Whether `peer` wrote from the website's chat box.
    pub fn is_web_chat(&self, account: &str, peer: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM web_visits WHERE account = ?1 AND peer = ?2")
            .and_then(|mut s| s.exists((account, peer)))
            .map_err(StoreError::sqlite("reading a chat's medium"))
    }

    /// Sends again what the desk wrote to `peer` after its message `last` (all of it when `last`
    /// is unknown or none): the box came back as a new guest and may have missed it. Each goes
    /// again under its own id, so a box that has it already shows it once. How many.
    pub fn resend_after(&self, account: &str, peer: &str, last: Option<&str>) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE messages SET status = 'pending'
                 WHERE account = ?1 AND peer = ?2 AND direction = 'out' AND status = 'sent'
                   AND id > coalesce((SELECT id FROM messages WHERE account = ?1 AND peer = ?2
                                      AND direction = 'out' AND stable_id = ?3), 0)",
            )
            .and_then(|mut s| s.execute((account, peer, last)))
            .map_err(StoreError::sqlite("sending a web chat's missed answers again"))
    }
}

fn domain(bare: &str) -> &str {
    bare.rsplit_once('@').map_or(bare, |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MessageStatus;
    use crate::store::NewMessage;

    const A: &str = "ask@lib";
    const VISIT: &str = "v0123456789abcdef";

    fn out(s: &Store, peer: &str, id: &str) {
        let m = NewMessage {
            account: A,
            peer,
            incoming: false,
            stable_id: id,
            body: id,
            at: Utc::now(),
            auto_reply: false,
            status: MessageStatus::Sent,
            origin_id: Some(id),
        };
        s.insert_message(m).unwrap().unwrap();
    }

    #[test]
    fn a_visit_keeps_its_chat_when_the_box_signs_in_again_and_only_from_the_same_server() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("d.sqlite3")).unwrap();
        let now = Utc::now();
        let first = s.web_visit(A, VISIT, "g1@guest.lib", true, now).unwrap();
        assert_eq!(first, VisitPlace { peer: "g1@guest.lib".into(), moved: false });
        assert!(s.is_web_chat(A, "g1@guest.lib").unwrap());
        assert!(!s.is_web_chat(A, "patron@im.example").unwrap());
        assert_eq!(s.web_visit(A, VISIT, "g1@guest.lib", true, now).unwrap(), first, "the same guest again");

        let back = s.web_visit(A, VISIT, "g2@guest.lib", true, now).unwrap();
        assert_eq!(back, VisitPlace { peer: "g1@guest.lib".into(), moved: true });
        assert_eq!(s.address_of(A, "g1@guest.lib").unwrap(), "g2@guest.lib");
        assert_eq!(s.address_of(A, "patron@im.example").unwrap(), "patron@im.example");
        // A line of the first address found in the archive later is the visit's, and moves nothing.
        let old = s.web_visit(A, VISIT, "g1@guest.lib", false, now).unwrap();
        assert_eq!(old, VisitPlace { peer: "g1@guest.lib".into(), moved: false });
        assert_eq!(s.address_of(A, "g1@guest.lib").unwrap(), "g2@guest.lib", "still where the box is");

        let stranger = s.web_visit(A, VISIT, "mallory@im.example", true, now).unwrap();
        assert_eq!(stranger, VisitPlace { peer: "mallory@im.example".into(), moved: false }, "another server");
        assert_eq!(s.address_of(A, "g1@guest.lib").unwrap(), "g2@guest.lib", "unchanged by the stranger");
        assert!(!s.is_web_chat(A, "mallory@im.example").unwrap());
    }

    #[test]
    fn a_visit_goes_with_its_chat_when_retention_or_an_erasure_removes_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("d.sqlite3")).unwrap();
        let now = Utc::now();
        s.web_visit(A, VISIT, "g1@guest.lib", true, now).unwrap();
        s.web_visit(A, "w0123456789abcdef", "g9@guest.lib", true, now).unwrap();
        out(&s, "g1@guest.lib", "o1");
        out(&s, "g9@guest.lib", "o9");
        s.purge(now - chrono::Duration::days(1), now - chrono::Duration::days(1)).unwrap();
        assert!(s.is_web_chat(A, "g1@guest.lib").unwrap(), "its messages are still kept");
        s.erase_patron("patron-x", &["g1@guest.lib".to_owned()]).unwrap();
        assert!(!s.is_web_chat(A, "g1@guest.lib").unwrap());
        assert!(s.is_web_chat(A, "g9@guest.lib").unwrap(), "another's stays");
        s.conn.execute("DELETE FROM messages WHERE peer = 'g9@guest.lib'", []).unwrap();
        s.purge(now, now - chrono::Duration::days(1)).unwrap();
        assert!(!s.is_web_chat(A, "g9@guest.lib").unwrap(), "no messages left: the visit goes too");
    }

    #[test]
    fn what_the_box_missed_goes_again_from_after_the_last_it_has() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("d.sqlite3")).unwrap();
        for id in ["o1", "o2", "o3"] {
            out(&s, "g1@guest.lib", id);
        }
        out(&s, "other@guest.lib", "x1");
        assert_eq!(s.resend_after(A, "g1@guest.lib", Some("o1")).unwrap(), 2);
        let pending: Vec<String> = s.pending_messages(A).unwrap().into_iter().map(|m| m.stable_id).collect();
        assert_eq!(pending, ["o2", "o3"]);
        assert_eq!(s.resend_after(A, "g1@guest.lib", Some("o1")).unwrap(), 0, "already going");
        for id in ["o2", "o3"] {
            s.mark_sent(A, id).unwrap();
        }
        assert_eq!(s.resend_after(A, "g1@guest.lib", None).unwrap(), 3, "nothing shown yet: all of it");
        assert_eq!(s.resend_after(A, "g1@guest.lib", Some("never-sent")).unwrap(), 0, "all pending already");
    }
}
