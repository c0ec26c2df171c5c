-- Walk-up patrons recorded at the desk, and small key/value settings of this desk.
-- Times are Unix milliseconds, UTC.
CREATE TABLE walkups (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    topic       TEXT CHECK (topic IS NULL OR length(topic) <= 200),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
-- One librarian runs one walk-up at a time; the database enforces it, not just the UI.
CREATE UNIQUE INDEX walkups_one_open ON walkups ((ended_at IS NULL)) WHERE ended_at IS NULL;
CREATE INDEX walkups_started ON walkups (started_at);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
