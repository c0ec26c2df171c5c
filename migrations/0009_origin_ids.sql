-- The sender's own id of a message (XEP-0359 origin-id), kept beside the stable id: one message
-- that reaches the desk by two roads, once keyed by the server's archive id and once without it
-- (offline delivery racing the archive catch-up), is still stored once. Scoped to the conversation
-- and direction, so one patron's ids can never hide another's messages.
ALTER TABLE messages ADD COLUMN origin_id TEXT;
CREATE UNIQUE INDEX messages_origin ON messages (account, peer, direction, origin_id) WHERE origin_id IS NOT NULL;
