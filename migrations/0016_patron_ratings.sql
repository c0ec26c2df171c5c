-- Patrons rate their chat at its end in the website's chat box: 1 (poor) to 5 (excellent), with an
-- optional comment, redacted like every line before it is written. A rating that comes while the
-- chat is open waits on the conversation and goes into its transcript; one that comes after the
-- chat closed goes into the transcript written last for that conversation.
ALTER TABLE transcripts ADD COLUMN patron_rating INTEGER CHECK (patron_rating BETWEEN 1 AND 5);
ALTER TABLE transcripts ADD COLUMN patron_comment TEXT NOT NULL DEFAULT '' CHECK (length(patron_comment) <= 4000);
ALTER TABLE conversations ADD COLUMN patron_rating INTEGER CHECK (patron_rating BETWEEN 1 AND 5);
ALTER TABLE conversations ADD COLUMN patron_comment TEXT NOT NULL DEFAULT '' CHECK (length(patron_comment) <= 4000);
ALTER TABLE conversations ADD COLUMN last_transcript INTEGER;
