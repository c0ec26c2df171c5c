//! Stores filled for tests and benchmarks: what a desk's database holds after years of use.

use std::path::Path;

/// A store at `db` (created if need be) with one conversation of `total` messages between
/// ask@library.test and `peer`, alternating patron and librarian, numbered "message 1" to
/// "message N" in order; every 37th is a long paragraph, so rows differ in height as in real chats.
pub fn long_conversation(db: &Path, peer: &str, total: u32) -> Result<(), Box<dyn std::error::Error>> {
    // The app's own migrations make the schema.
    drop(refdesk_core::Desk::open(db)?);
    let conn = rusqlite::Connection::open(db)?;
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO messages (account, peer, direction, stable_id, body, at, status)
         SELECT 'ask@library.test', ?1, CASE WHEN i % 2 THEN 'in' ELSE 'out' END, ?1 || '/' || i,
                'message ' || i || CASE WHEN i % 37 = 0 THEN ' ' || replace(hex(zeroblob(300)), '0', 'word ') ELSE '' END,
                1700000000000 + i * 1000, CASE WHEN i % 2 THEN 'received' ELSE 'sent' END
         FROM n",
        (peer, total),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_conversation_is_stored_in_order_with_some_long_messages() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("refdesk.db");
        super::long_conversation(&db, "p@library.test", 100).unwrap();
        let desk = refdesk_core::Desk::open(&db).unwrap();
        let all = desk.messages("ask@library.test", "p@library.test", None, 500).unwrap();
        assert_eq!(all.len(), 100);
        assert!(all[0].body == "message 1" && all[0].incoming && !all[1].incoming);
        assert!(all[36].body.starts_with("message 37 word word"), "{}", all[36].body);
        assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    }
}
