-- The outbox relay: each event's schema version, the consumers that have it, and when the relay
-- gave up on it (a dead letter, retried by a platform admin).
ALTER TABLE outbox_events
    ADD COLUMN schema_version smallint NOT NULL DEFAULT 1,
    ADD COLUMN delivered_to text[] NOT NULL DEFAULT '{}',
    ADD COLUMN dead_at timestamptz;

-- What the relay claims next, and what an event of the same aggregate waits for: events of one
-- booking or show go out in the order they were written.
DROP INDEX outbox_events_pending;
CREATE INDEX outbox_events_due ON outbox_events (next_attempt_at, id)
    WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_events_unsettled ON outbox_events (aggregate_id, id)
    WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_events_dead ON outbox_events (dead_at) WHERE dead_at IS NOT NULL;

-- Wakes the relays at commit. Holds and releases come in rushes and are left to the relays'
-- polling: a transaction that notifies takes a database-wide lock while it commits.
CREATE FUNCTION outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('district_outbox', '');
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_wake AFTER INSERT ON outbox_events
    FOR EACH ROW WHEN (NEW.event_type NOT IN ('booking.held', 'booking.released'))
    EXECUTE FUNCTION outbox_wake();
