-- What the librarian does with conversations: replies are stored before they are sent (status
-- 'pending' until written to the server), and each conversation keeps how far it was read and the
-- half-typed reply, so neither is lost across a restart.
ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'
    CHECK (status IN ('received', 'pending', 'sent'));
UPDATE messages SET status = 'received' WHERE direction = 'in';
CREATE INDEX messages_pending ON messages (account, id) WHERE status = 'pending';

CREATE TABLE conversations (
    account    TEXT NOT NULL,
    peer       TEXT NOT NULL,
    read_upto  INTEGER NOT NULL DEFAULT 0,   -- id of the newest message the librarian has seen
    draft      TEXT NOT NULL DEFAULT '' CHECK (length(draft) <= 65536),
    PRIMARY KEY (account, peer)
) WITHOUT ROWID;
