-- Back to the lease in next_attempt_at.
ALTER TABLE outbox_events RESET (fillfactor);

CREATE OR REPLACE FUNCTION outbox_claim(batch bigint, lease_seconds float8)
RETURNS SETOF outbox_events LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT e.id FROM outbox_events e
         WHERE e.published_at IS NULL AND e.dead_at IS NULL AND e.next_attempt_at <= now()
           AND NOT EXISTS (
               SELECT 1 FROM outbox_events p
                WHERE p.aggregate_id = e.aggregate_id AND p.id < e.id
                  AND p.published_at IS NULL AND p.dead_at IS NULL)
         ORDER BY e.next_attempt_at, e.id
         LIMIT batch
         FOR UPDATE SKIP LOCKED)
    UPDATE outbox_events o
       SET attempts = o.attempts + 1,
           next_attempt_at = now() + make_interval(secs => lease_seconds)
      FROM due WHERE o.id = due.id
    RETURNING o.*;
END $$;

-- Records a pass: the consumers that took each event (comma-separated) and its first error.
-- A failed event waits its backoff, with jitter so one outage's failures do not all come back
-- at once, or, out of attempts, is parked; answers the ids parked.
CREATE OR REPLACE FUNCTION outbox_settle(ids bigint[], took text[], errors text[], max_backoff float8,
                              backoff float8, max_attempts integer)
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH settled AS (
    UPDATE outbox_events o
       SET delivered_to = o.delivered_to || string_to_array(nullif(r.took, ''), ','),
           published_at = CASE WHEN r.error IS NULL THEN now() END,
           last_error = r.error,
           next_attempt_at = CASE WHEN r.error IS NULL THEN o.next_attempt_at
               ELSE now() + make_interval(secs => least(max_backoff,
                                                        backoff * power(2, o.attempts - 1))
                                                  * (0.75 + random() / 2)) END,
           dead_at = CASE WHEN r.error IS NOT NULL AND o.attempts >= max_attempts THEN now() END
      FROM unnest(ids, took, errors) AS r (id, took, error)
     WHERE o.id = r.id
    RETURNING o.id, o.dead_at)
    SELECT settled.id FROM settled WHERE settled.dead_at IS NOT NULL;
END $$;

-- Batches in flight stay leased.
UPDATE outbox_events SET next_attempt_at = leased_until
 WHERE leased_until > next_attempt_at AND published_at IS NULL AND dead_at IS NULL;
ALTER TABLE outbox_events DROP COLUMN leased_until;
