-- Reference statistics: the effort each question took on the READ scale (1-6) and the librarian's
-- topic tags, for chats and walk-ups alike, and when a chat was first answered (its wait).
-- Tags are stored lower-case, comma-separated, already cleaned (core::stats::clean_tags).

-- Set on the open conversation (before or as it closes) and carried into its transcript.
ALTER TABLE conversations ADD COLUMN read_level INTEGER CHECK (read_level BETWEEN 1 AND 6);
ALTER TABLE conversations ADD COLUMN tags TEXT NOT NULL DEFAULT '' CHECK (length(tags) <= 1000);

ALTER TABLE walkups ADD COLUMN read_level INTEGER CHECK (read_level BETWEEN 1 AND 6);
ALTER TABLE walkups ADD COLUMN tags TEXT NOT NULL DEFAULT '' CHECK (length(tags) <= 1000);

-- The first line a librarian (not the rules' auto-reply) wrote; NULL: the patron was never answered.
ALTER TABLE transcripts ADD COLUMN answered_at INTEGER;
UPDATE transcripts SET answered_at =
    (SELECT min(at) FROM transcript_lines l WHERE l.transcript = transcripts.id AND l.speaker = 'librarian');
CREATE INDEX transcripts_started ON transcripts (started_at);
