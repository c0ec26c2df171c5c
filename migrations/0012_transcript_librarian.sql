-- Who answered: the name the desk's librarian gave ("Your name…" in the header) when the chat
-- closed, so the history can be searched by librarian. Staff, not patrons: no redaction.
ALTER TABLE transcripts ADD COLUMN librarian TEXT NOT NULL DEFAULT '';
