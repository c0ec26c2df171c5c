-- The live conversation layer: messages as they were exchanged, kept only as long as the retention
-- policy allows (transcripts, redacted, are a separate layer). Times are Unix milliseconds, UTC.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    account     TEXT NOT NULL,
    peer        TEXT NOT NULL,             -- the other side's bare JID
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    stable_id   TEXT NOT NULL,             -- server stanza-id, else origin-id, else id, else a hash
    body        TEXT NOT NULL CHECK (length(body) <= 65536),
    at          INTEGER NOT NULL,
    auto_reply  INTEGER NOT NULL DEFAULT 0 CHECK (auto_reply IN (0, 1)),
    UNIQUE (account, stable_id)            -- one message is stored once, however often it arrives
);
CREATE INDEX messages_peer ON messages (account, peer, at);
