-- Internal notes on a conversation: written by a librarian for colleagues (kept here and sent to
-- the other desks of the account), never sent to the patron. Part of the live layer: purged with
-- the live messages, erased with the patron. `stable_id` is the writing desk's id, so a note that
-- reaches a desk twice is kept once.
CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  peer TEXT NOT NULL,
  stable_id TEXT NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  at INTEGER NOT NULL,
  UNIQUE (account, stable_id)
);
CREATE INDEX notes_by_conversation ON notes (account, peer, at);
