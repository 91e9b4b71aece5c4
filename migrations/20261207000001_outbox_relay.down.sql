DROP TRIGGER outbox_wake ON outbox_events;
DROP FUNCTION outbox_wake();
DROP INDEX outbox_events_dead;
DROP INDEX outbox_events_unsettled;
DROP INDEX outbox_events_due;
CREATE INDEX outbox_events_pending ON outbox_events (next_attempt_at, id) WHERE published_at IS NULL;
ALTER TABLE outbox_events DROP COLUMN dead_at, DROP COLUMN delivered_to, DROP COLUMN schema_version;
