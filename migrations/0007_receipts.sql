-- XEP-0184 delivery receipts: when the patron's device confirmed one of our messages arrived.
-- A column beside `status` (whose CHECK cannot change in place): a delivered message shows as
-- 'delivered' whatever its status says. Unix milliseconds, UTC.
ALTER TABLE messages ADD COLUMN delivered_at INTEGER;
