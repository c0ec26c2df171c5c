-- The transcript layer: what stays after a chat closes, for statistics, training and search.
-- Written redacted (privacy::redact) with the patron as a keyed pseudonym: the patron's address
-- and the personal details they typed never reach these tables or their full-text index.
CREATE TABLE transcripts (
    id          INTEGER PRIMARY KEY,
    account     TEXT NOT NULL,
    patron      TEXT NOT NULL,              -- pseudonym (patron-<hex>), never an address
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER NOT NULL,
    reason      TEXT NOT NULL,              -- why it closed: byLibrarian, idle, patronLeft, outsideHours
    read_level  INTEGER CHECK (read_level BETWEEN 1 AND 6),
    tags        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transcripts_ended ON transcripts (ended_at);
CREATE INDEX transcripts_patron ON transcripts (patron);

CREATE TABLE transcript_lines (
    id          INTEGER PRIMARY KEY,
    transcript  INTEGER NOT NULL REFERENCES transcripts (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    speaker     TEXT NOT NULL CHECK (speaker IN ('patron', 'librarian', 'auto')),
    body        TEXT NOT NULL               -- redacted
);
CREATE INDEX transcript_lines_transcript ON transcript_lines (transcript, id);

CREATE VIRTUAL TABLE transcript_search USING fts5 (body, content = 'transcript_lines', content_rowid = 'id');
CREATE TRIGGER transcript_lines_indexed AFTER INSERT ON transcript_lines BEGIN
    INSERT INTO transcript_search (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER transcript_lines_unindexed AFTER DELETE ON transcript_lines BEGIN
    INSERT INTO transcript_search (transcript_search, rowid, body) VALUES ('delete', old.id, old.body);
END;

-- How far each conversation has been written to transcripts (a message id).
ALTER TABLE conversations ADD COLUMN transcribed_upto INTEGER NOT NULL DEFAULT 0;
