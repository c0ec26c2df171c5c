-- A conversation is read a page at a time, newest first (`messages_page`): this index answers
-- "the page before message N" directly, where the (account, peer, at) index had to sort the whole
-- conversation for every page (a 50,000-message conversation scrolled back 100 pages).
CREATE INDEX messages_page ON messages (account, peer, id);
