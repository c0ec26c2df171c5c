-- The library website's chat box: each browser-tab conversation (a "visit", named by a random
-- token the box makes) and the guest address it last wrote from. A reload or another page of the
-- site signs in again as a new anonymous guest; the visit keeps it the same chat at the desk
-- (`peer`, the first address) while replies go to where the patron is now (`address`).
-- No personal data: the token is random, the addresses are the server's made-up guest names.
CREATE TABLE web_visits (
    account     TEXT NOT NULL,
    visit       TEXT NOT NULL CHECK (length(visit) BETWEEN 16 AND 64),
    peer        TEXT NOT NULL,
    address     TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    PRIMARY KEY (account, visit)
) WITHOUT ROWID;
CREATE UNIQUE INDEX web_visits_peer ON web_visits (account, peer);

-- How the question came: an IM client ('chat') or the website's chat box ('web').
ALTER TABLE transcripts ADD COLUMN medium TEXT NOT NULL DEFAULT 'chat' CHECK (medium IN ('chat', 'web'));
