-- Every desk-engine event and the actions it produced, with its time, so a day can be replayed
-- (refdeskctl log | refdeskctl policy simulate --events -). Times are Unix milliseconds, UTC.
CREATE TABLE desk_log (
    id    INTEGER PRIMARY KEY,
    at    INTEGER NOT NULL,
    kind  TEXT NOT NULL CHECK (kind IN ('event', 'action')),
    body  TEXT NOT NULL CHECK (json_valid(body))
);
CREATE INDEX desk_log_at ON desk_log (at);
