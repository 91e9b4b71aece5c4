-- Back to min(id).
CREATE OR REPLACE FUNCTION outbox_claim(batch bigint, lease_seconds float8)
RETURNS SETOF outbox_events LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT e.id FROM outbox_events e
         WHERE e.published_at IS NULL AND e.dead_at IS NULL AND e.next_attempt_at <= now()
           AND (e.leased_until IS NULL OR e.leased_until <= now())
           AND e.id = (SELECT min(p.id) FROM outbox_events p
                        WHERE p.aggregate_id = e.aggregate_id
                          AND p.published_at IS NULL AND p.dead_at IS NULL)
         ORDER BY e.next_attempt_at, e.id
         LIMIT batch
         FOR UPDATE SKIP LOCKED)
    UPDATE outbox_events o
       SET attempts = o.attempts + 1,
           leased_until = now() + make_interval(secs => lease_seconds)
      FROM due WHERE o.id = due.id
    RETURNING o.*;
END $$;
