DROP INDEX bookings_hold_expiry;
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE status = 'held';

CREATE OR REPLACE FUNCTION hold_seats_many(p_asks hold_ask[], p_ttl interval, p_sales_close interval,
                                p_verified_only boolean, p_max_holds integer,
                                p_budget interval DEFAULT interval '20 minutes')
RETURNS TABLE (ask bigint, outcome text, booking_id uuid, hold_expires_at timestamptz,
               created_at timestamptz, seats uuid[], released uuid[], holders jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    verdicts hold_verdict[];
    locked_shows uuid[];
    freed_shows uuid[];
    freed_seats uuid[];
BEGIN
    IF (SELECT count(DISTINCT a.show_id) <> count(*) FROM unnest(p_asks) a) THEN
        RAISE EXCEPTION 'two holds of one show in one call' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Each asking user, locked in key order until the commit (an advisory lock: no row is
    -- written): a concurrent hold of theirs commits first, and the judgement below, a later
    -- statement, sees it among their holds.
    PERFORM pg_advisory_xact_lock(l.k)
       FROM (SELECT DISTINCT ('x' || left(md5(a.user_id::text), 16))::bit(64)::bigint AS k
               FROM unnest(p_asks) a ORDER BY k) l;

    -- Every asked-for seat, locked in (show, seat) order, so rival writes queue instead of
    -- deadlocking (and instead of one of them failing on the lines' unique index). A show's
    -- entries count the asked-for seats it has (each show is asked once per call).
    locked_shows := ARRAY(SELECT l.show_id FROM (
                       SELECT ss.show_id FROM unnest(p_asks) a
                         JOIN show_seats ss ON ss.show_id = a.show_id AND ss.seat_id = ANY (a.seats)
                        ORDER BY ss.show_id, ss.seat_id FOR UPDATE OF ss) l);

    -- Once locked, each ask judged on its show, its user and its seats as they stand, read once:
    -- who has them (the live line of each), and which held bookings other than the user's own
    -- still have lines on the asked-for ones (once the seats are known to be free, those are
    -- past their deadline).
    WITH a AS (
        SELECT * FROM unnest(p_asks) WITH ORDINALITY
                        AS a (user_id, show_id, seats, prices, watch, taken, code, fee, tax, ask)),
    ctx AS (
        SELECT a.ask, s.status AS show_status, s.starts_at - p_sales_close > now() AS on_sale,
               s.sales_paused AS paused,
               s.screen_id, s.currency,
               (SELECT u.email_verified_at IS NOT NULL FROM users u WHERE u.id = a.user_id) AS verified,
               (SELECT b.id FROM bookings b
                 WHERE b.user_id = a.user_id AND b.show_id = a.show_id AND b.status = 'held') AS own,
               (SELECT count(*) FROM bookings b
                 WHERE b.user_id = a.user_id AND b.show_id <> a.show_id AND b.status = 'held'
                   AND b.hold_expires_at > now())
               -- and the user's asks for other shows earlier in this call
               + count(*) OVER (PARTITION BY a.user_id ORDER BY a.ask) - 1 AS other_holds,
               (SELECT count(*) FROM unnest(locked_shows) l WHERE l = a.show_id) AS found,
               -- How long the user has held seats of this show lately, read in the order of
               -- its index so that index is the plan's choice even while bookings is empty.
               (SELECT coalesce(sum(least(coalesce(r.cancelled_at, r.hold_expires_at), now())
                                    - r.created_at), interval '0')
                  FROM (SELECT b.cancelled_at, b.hold_expires_at, b.created_at FROM bookings b
                         WHERE b.user_id = a.user_id AND b.show_id = a.show_id
                           AND b.created_at > now() - 3 * p_budget AND b.status <> 'confirmed'
                         ORDER BY b.user_id, b.show_id, b.created_at OFFSET 0) r) AS used
          FROM a LEFT JOIN shows s ON s.id = a.show_id),
    st AS (
        SELECT x.ask,
               array_agg(x.seat ORDER BY x.seat) FILTER (WHERE x.asked AND x.taken) AS refused,
               jsonb_agg(jsonb_build_object('seat', x.seat, 'by', x.holder,
                   'held_ms', (EXTRACT(EPOCH FROM x.held_until - now()) * 1000)::bigint))
                   FILTER (WHERE x.asked AND x.taken) AS holders,
               coalesce(array_agg(x.seat) FILTER (WHERE x.watched AND x.taken), '{}') AS watched,
               coalesce(array_agg(x.booking) FILTER (WHERE x.asked AND x.lapsed), '{}') AS lapsed
          FROM (SELECT s.ask, s.seat, s.asked, s.watched, (s.b).id AS booking, (s.b).user_id AS holder,
                       CASE WHEN seat_state((s.b).status, (s.b).hold_expires_at) = 'held'
                            THEN (s.b).hold_expires_at END AS held_until,
                       seat_state((s.b).status, (s.b).hold_expires_at) <> 'available'
                       AND (s.b).id IS DISTINCT FROM s.own AS taken,
                       (s.b).status = 'held' AND (s.b).id IS DISTINCT FROM s.own AS lapsed
                  -- Each seat's holder found by key, whatever the statistics say (OFFSET 0 keeps
                  -- the lookups per seat: joined, a plan made while bookings was empty would
                  -- read all of it for every seat).
                  FROM (SELECT a.ask, w.seat, w.seat = ANY (a.seats) AS asked,
                               w.seat = ANY (a.watch) AS watched, c.own,
                               (SELECT b FROM bookings b
                                 WHERE b.id = (SELECT bs.booking_id FROM booking_seats bs
                                                WHERE bs.show_id = a.show_id AND bs.seat_id = w.seat
                                                  AND bs.status IN ('held', 'confirmed')
                                                LIMIT 1)) AS b
                          FROM a JOIN ctx c ON c.ask = a.ask
                          CROSS JOIN LATERAL (SELECT DISTINCT w.seat FROM unnest(a.seats || a.watch) w (seat)) w
                        OFFSET 0) s) x
         GROUP BY x.ask),
    judged AS MATERIALIZED (
        SELECT a.ask, a.seats, a.show_id, c.screen_id, c.own, c.currency, st.lapsed, st.refused, st.holders,
               now() + p_budget - c.used AS budget_until,
               CASE WHEN c.show_status IS NULL THEN 'no_show'
                    WHEN c.show_status <> 'scheduled' THEN 'show_cancelled'
                    WHEN NOT c.on_sale THEN 'sales_closed'
                    WHEN c.paused THEN 'sales_paused'
                    WHEN c.verified IS NULL THEN 'unknown_user'
                    WHEN p_verified_only AND NOT c.verified THEN 'email_not_verified'
                    WHEN c.other_holds >= p_max_holds THEN 'too_many_holds'
                    WHEN p_budget - c.used < interval '1 minute' THEN 'hold_time_used'
                    -- A hold with a payment in flight stays until the payment settles.
                    WHEN EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = c.own
                                    AND p.status IN ('created', 'pending')) THEN 'payment_pending'
                    WHEN c.found <> cardinality(a.seats) THEN 'unknown_seats'
                    -- Read once the seats are locked, so a layout edit that retired one while
                    -- this hold waited is seen.
                    WHEN EXISTS (SELECT 1 FROM unnest(a.seats) asked (seat)
                                   JOIN seats se ON se.id = asked.seat
                                  WHERE se.retired_at IS NOT NULL) THEN 'unknown_seats'
                    WHEN st.refused IS NOT NULL THEN 'refused'
                    WHEN EXISTS (SELECT 1 FROM unnest(a.seats, a.prices) AS asked (seat, price)
                                   JOIN seats se ON se.id = asked.seat
                                   LEFT JOIN show_prices sp ON sp.show_id = a.show_id
                                                           AND sp.category_id = se.category_id
                                  WHERE sp.price_minor IS DISTINCT FROM asked.price) THEN 'prices_changed'
                    WHEN NOT (st.watched @> a.taken AND st.watched <@ a.taken) THEN 'stale'
                    ELSE 'held' END AS outcome
          FROM a JOIN ctx c ON c.ask = a.ask LEFT JOIN st ON st.ask = a.ask)
    SELECT array_agg(ROW(
               j.ask, j.outcome,
               CASE WHEN j.outcome = 'held' THEN j.lapsed END,
               CASE j.outcome
                    WHEN 'refused' THEN j.refused
                    -- The rules must be judged again, on the whole rows as they are now.
                    WHEN 'stale' THEN (
                        SELECT coalesce(array_agg(ss.seat_id ORDER BY ss.seat_id), '{}')
                          FROM seats se JOIN seat_states ss ON ss.show_id = j.show_id AND ss.seat_id = se.id
                         WHERE se.screen_id = j.screen_id
                           AND se.grid_row IN (SELECT r.grid_row FROM seats r WHERE r.id = ANY (j.seats))
                           AND se.id <> ALL (j.seats)
                           AND ss.status <> 'available' AND ss.booking_id IS DISTINCT FROM j.own)
                    WHEN 'held' THEN j.seats END,
               CASE WHEN j.outcome = 'refused' THEN j.holders END,
               j.currency,
               CASE WHEN j.outcome = 'held' THEN j.own END,
               j.budget_until)::hold_verdict)
      INTO verdicts FROM judged j;

    -- The lapsed holds (expired) and the users' earlier ones (cancelled: replaced) end first:
    -- their lines still count as live. (Apart from the rest, since only at the end of its
    -- statement do their lines follow.)
    SELECT coalesce(array_agg(e.show_id), '{}'), coalesce(array_agg(e.seat_id), '{}')
      INTO freed_shows, freed_seats
      FROM (SELECT * FROM ended_holds(ARRAY(SELECT unnest(v.ending) FROM unnest(verdicts) v
                                             WHERE v.outcome = 'held'), 'expired')
            UNION ALL
            SELECT * FROM ended_holds(ARRAY(SELECT v.replaced FROM unnest(verdicts) v
                                             WHERE v.outcome = 'held' AND v.replaced IS NOT NULL),
                                      'replaced')) e;

    RETURN QUERY
    WITH a AS (
        SELECT * FROM unnest(p_asks) WITH ORDINALITY
                        AS a (user_id, show_id, seats, prices, watch, taken, code, fee, tax, ask)),
    go AS (
        SELECT a.*, v.currency, (SELECT sum(p) FROM unnest(a.prices) p) AS subtotal,
               -- A re-hold keeps the deadline of the hold it replaces: it never extends one.
               (SELECT least(now() + p_ttl, r.hold_expires_at) FROM bookings r
                 WHERE r.id = v.replaced AND r.hold_expires_at > now()) AS kept_until,
               -- Nor does any hold outlast what is left of the user's time for the show.
               v.hold_until
          FROM a JOIN unnest(verdicts) v ON v.ask = a.ask
         WHERE v.outcome = 'held'),
    booking AS (
        INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                              subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
        SELECT go.code, go.user_id, go.show_id, 'held',
               least(coalesce(go.kept_until, now() + p_ttl), go.hold_until),
               cardinality(go.seats),
               go.subtotal, go.fee, go.tax, go.subtotal + go.fee + go.tax, go.currency
          FROM go
        RETURNING id, show_id, user_id, hold_expires_at, created_at),
    lines AS (
        INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
        SELECT booking.id, go.show_id, asked.seat, asked.price, 'held'
          FROM booking JOIN go ON go.show_id = booking.show_id,
               unnest(go.seats, go.prices) AS asked (seat, price)),
    event AS (
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        SELECT 'booking', booking.id, 'booking.held',
               jsonb_build_object('booking_id', booking.id, 'show_id', booking.show_id,
                                  'user_id', booking.user_id, 'seat_ids', to_jsonb(go.seats),
                                  'hold_expires_at', booking.hold_expires_at)
          FROM booking JOIN go ON go.show_id = booking.show_id)
    SELECT v.ask, v.outcome, b.id, b.hold_expires_at, b.created_at, v.seats,
           CASE WHEN v.outcome = 'held'
                THEN ARRAY(SELECT f.seat FROM unnest(freed_shows, freed_seats) AS f (show, seat)
                            WHERE f.show = a.show_id) END,
           v.holders
      FROM unnest(verdicts) v
      LEFT JOIN a ON a.ask = v.ask
      LEFT JOIN booking b ON b.show_id = a.show_id
     ORDER BY v.ask;
END
$$;

ALTER FUNCTION hold_seats_many(hold_ask[], interval, interval, boolean, integer, interval)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
    SET enable_hashjoin = off SET enable_mergejoin = off;
