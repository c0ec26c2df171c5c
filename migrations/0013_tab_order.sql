-- Where the librarian put a conversation's tab. NULL: where it appeared (tabs open in arrival order,
-- keyed by the id of the message that opened them). Values are taken from that same id space, so a
-- tab that opens later always lands after every tab the librarian arranged.
ALTER TABLE conversations ADD COLUMN tab_order REAL;
