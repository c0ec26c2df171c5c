-- Questions patrons left in the website's chat box while the desk was closed, to be answered by
-- email when it opens. Live data (the question as written and the address to answer at): a
-- follow-up answered leaves a redacted transcript and its row goes; one never answered goes after
-- FOLLOWUP_DAYS (core/src/store/followups.rs).
CREATE TABLE followups (
    id         INTEGER PRIMARY KEY,
    account    TEXT NOT NULL,
    peer       TEXT NOT NULL,
    stable_id  TEXT NOT NULL,
    question   TEXT NOT NULL CHECK (length(question) <= 65536),
    email      TEXT CHECK (length(email) <= 254),
    at         INTEGER NOT NULL,
    UNIQUE (account, stable_id)
);
CREATE INDEX followups_at ON followups (at);
