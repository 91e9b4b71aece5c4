-- A claim's lease gets a column of its own, which no index covers: the claim then changes no
-- indexed column, so PostgreSQL writes the claimed row beside the old one on its page (a HOT
-- update) and adds no entry to any of the table's indexes. New pages are left half empty so
-- there is room for that (pages written before fill as they are pruned). A claimed event's
-- next_attempt_at stays where it was, so leased rows stay at the head of the due index, and a
-- claim steps over those of the other relays' batches in flight.
--
-- And the claim finds each candidate's earlier undelivered events with one index look-up,
-- whatever the table's statistics say (below).
ALTER TABLE outbox_events
    ADD COLUMN leased_until timestamptz,
    SET (fillfactor = 50);

CREATE OR REPLACE FUNCTION outbox_claim(batch bigint, lease_seconds float8)
RETURNS SETOF outbox_events LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT e.id FROM outbox_events e
         WHERE e.published_at IS NULL AND e.dead_at IS NULL AND e.next_attempt_at <= now()
           AND (e.leased_until IS NULL OR e.leased_until <= now())
           -- The first undelivered event of its aggregate. Asked as one look-up in the
           -- unsettled index per candidate; as NOT EXISTS the planner could, with statistics
           -- taken while the table was nearly empty (before a rush), read the whole index for
           -- every candidate.
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

-- As before, and a settled event's lease ends: a failed one comes back after its backoff, not
-- after the lease.
CREATE OR REPLACE FUNCTION outbox_settle(ids bigint[], took text[], errors text[],
                                         max_backoff float8, backoff float8, max_attempts integer)
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH settled AS (
    UPDATE outbox_events o
       SET delivered_to = o.delivered_to || string_to_array(nullif(r.took, ''), ','),
           published_at = CASE WHEN r.error IS NULL THEN now() END,
           last_error = r.error,
           leased_until = NULL,
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
