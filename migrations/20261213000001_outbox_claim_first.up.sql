-- Each candidate's "first unsettled event of its aggregate" asked in the order of
-- outbox_events_unsettled (aggregate_id, id), so that index answers it in one look-up. Asked
-- as min(id), the planner, with statistics taken while the table was nearly empty, could as
-- well scan outbox_events_due for every candidate (same estimated cost), reading the whole
-- backlog each time: a quarter of a second a claim at 6,500 events, and the relay fell behind.
CREATE OR REPLACE FUNCTION outbox_claim(batch bigint, lease_seconds float8)
RETURNS SETOF outbox_events LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT e.id FROM outbox_events e
         WHERE e.published_at IS NULL AND e.dead_at IS NULL AND e.next_attempt_at <= now()
           AND (e.leased_until IS NULL OR e.leased_until <= now())
           AND e.id = (SELECT p.id FROM outbox_events p
                        WHERE p.aggregate_id = e.aggregate_id
                          AND p.published_at IS NULL AND p.dead_at IS NULL
                        ORDER BY p.aggregate_id, p.id
                        LIMIT 1)
         ORDER BY e.next_attempt_at, e.id
         LIMIT batch
         FOR UPDATE SKIP LOCKED)
    UPDATE outbox_events o
       SET attempts = o.attempts + 1,
           leased_until = now() + make_interval(secs => lease_seconds)
      FROM due WHERE o.id = due.id
    RETURNING o.*;
END $$;
