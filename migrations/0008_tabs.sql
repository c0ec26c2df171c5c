-- Tabs the librarian closed: a conversation's tab is hidden while its newest message is at or
-- below this id, and comes back by itself when the patron writes again (or when reopened).
ALTER TABLE conversations ADD COLUMN tab_closed_upto INTEGER NOT NULL DEFAULT 0;
