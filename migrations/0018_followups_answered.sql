-- A follow-up answered (here or at another desk of the account) stays as a row with no question,
-- no email and no address: the same message brought again (offline storage, the archive, a desk
-- that was away) is then known and not listed again. It goes with the others after FOLLOWUP_DAYS.
ALTER TABLE followups ADD COLUMN answered_at INTEGER;
