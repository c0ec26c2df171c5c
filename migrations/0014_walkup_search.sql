-- Walk-ups in the history search beside chat transcripts: their topics get a full-text index of
-- their own, and a walk-up records who helped (the name the desk's librarian gave), as a
-- transcript does. Topics are redacted before they are written (core::Desk::start_walkup); the
-- ones written before that are redacted once when the database is opened (core::Desk::open).
ALTER TABLE walkups ADD COLUMN librarian TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE walkup_search USING fts5 (topic, content = 'walkups', content_rowid = 'id');
CREATE TRIGGER walkups_indexed AFTER INSERT ON walkups WHEN new.topic IS NOT NULL BEGIN
    INSERT INTO walkup_search (rowid, topic) VALUES (new.id, new.topic);
END;
CREATE TRIGGER walkups_unindexed AFTER DELETE ON walkups WHEN old.topic IS NOT NULL BEGIN
    INSERT INTO walkup_search (walkup_search, rowid, topic) VALUES ('delete', old.id, old.topic);
END;
CREATE TRIGGER walkups_reindexed AFTER UPDATE OF topic ON walkups BEGIN
    INSERT INTO walkup_search (walkup_search, rowid, topic) SELECT 'delete', old.id, old.topic WHERE old.topic IS NOT NULL;
    INSERT INTO walkup_search (rowid, topic) SELECT new.id, new.topic WHERE new.topic IS NOT NULL;
END;
INSERT INTO walkup_search (rowid, topic) SELECT id, topic FROM walkups WHERE topic IS NOT NULL;

-- Retention purges walk-ups with transcripts (by when they ended); this finds them.
CREATE INDEX walkups_ended ON walkups (ended_at);
