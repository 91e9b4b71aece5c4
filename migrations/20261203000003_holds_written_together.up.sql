-- Holds written together: the holds that wait at one moment go to PostgreSQL in one call, one
-- statement per step for all of them and one commit, instead of a call, its statements and a
-- commit each. Each hold is still all or nothing on its own: one that is refused, stale or
-- priced wrong writes nothing, and the others go ahead.

-- One hold to write: `seats` of `show_id` for `user_id` at `prices`; the caller judged the seat
-- rules on `watch`, of which it took `taken` as not free for this user.
CREATE TYPE hold_ask AS (
    user_id uuid, show_id uuid, seats uuid[], prices bigint[], watch uuid[], taken uuid[],
    code text, fee bigint, tax bigint);

-- What the checks said of one ask, before anything is written.
CREATE TYPE hold_verdict AS (
    ask bigint, outcome text, ending uuid[], seats uuid[], holders jsonb, currency char(3));

-- Ends held bookings (the lapsed become expired, the others cancelled, each with its event) and
-- gives back the seats that still named them, with their show.
CREATE FUNCTION ended_holds(p_bookings uuid[], p_reason text)
RETURNS TABLE (show_id uuid, seat_id uuid)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH ended AS (
        UPDATE bookings b
           SET status = CASE WHEN booking_state(b.status, b.hold_expires_at) = 'expired'
                             THEN 'expired' ELSE 'cancelled' END::booking_status,
               cancelled_at = CASE WHEN booking_state(b.status, b.hold_expires_at) = 'held' THEN now() END,
               updated_at = now()
         WHERE b.id = ANY (p_bookings) AND b.status = 'held'
        RETURNING b.id, b.show_id, b.user_id, b.status),
    events AS (
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        SELECT 'booking', id, CASE status WHEN 'expired' THEN 'booking.expired' ELSE 'booking.released' END,
               jsonb_build_object('booking_id', id, 'show_id', show_id, 'user_id', user_id,
                                  'reason', CASE status WHEN 'expired' THEN 'expired' ELSE p_reason END)
          FROM ended)
    SELECT ss.show_id, ss.seat_id
      FROM ended e
      JOIN booking_seats bs ON bs.booking_id = e.id
      JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_id = bs.seat_id AND ss.booking_id = e.id;
END
$$;

CREATE OR REPLACE FUNCTION end_holds(p_bookings uuid[], p_reason text) RETURNS uuid[]
LANGUAGE sql VOLATILE
RETURN (SELECT coalesce(array_agg(e.seat_id), '{}') FROM ended_holds(p_bookings, p_reason) e);

-- Writes `p_asks` (each on a show of its own), each all or nothing, and answers one row per
-- ask in their order. Outcomes:
--   held           booking_id, hold_expires_at, created_at; seats: claimed; released: freed
--   refused        seats: the asked-for seats someone else has; holders: who, for how long
--   stale          seats: the rows' taken seats as they are now (judge the rules again)
--   prices_changed, unknown_seats, no_show, show_cancelled, sales_closed, unknown_user,
--   email_not_verified
CREATE FUNCTION hold_seats_many(p_asks hold_ask[], p_ttl interval, p_sales_close interval,
                                p_verified_only boolean)
RETURNS TABLE (ask bigint, outcome text, booking_id uuid, hold_expires_at timestamptz,
               created_at timestamptz, seats uuid[], released uuid[], holders jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    verdicts hold_verdict[];
    freed_shows uuid[];
    freed_seats uuid[];
BEGIN
    IF (SELECT count(DISTINCT a.show_id) <> count(*) FROM unnest(p_asks) a) THEN
        RAISE EXCEPTION 'two holds of one show in one call' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Every asked-for seat, locked in (show, seat) order, so rival writes queue instead of
    -- deadlocking.
    PERFORM 1 FROM (SELECT 1 FROM unnest(p_asks) a
                      JOIN show_seats ss ON ss.show_id = a.show_id AND ss.seat_id = ANY (a.seats)
                     ORDER BY ss.show_id, ss.seat_id FOR UPDATE OF ss) l;

    -- Once locked, each ask judged on its show, its user and its seats as they stand, read once:
    -- who has them, and which held bookings other than the user's own still name the asked-for
    -- ones (once the seats are known to be free, those are past their deadline).
    WITH a AS (
        SELECT * FROM unnest(p_asks) WITH ORDINALITY
                        AS a (user_id, show_id, seats, prices, watch, taken, code, fee, tax, ask)),
    ctx AS (
        SELECT a.ask, s.status AS show_status, s.starts_at - p_sales_close > now() AS on_sale,
               s.screen_id, s.currency,
               (SELECT u.email_verified_at IS NOT NULL FROM users u WHERE u.id = a.user_id) AS verified,
               (SELECT b.id FROM bookings b
                 WHERE b.user_id = a.user_id AND b.show_id = a.show_id AND b.status = 'held') AS own
          FROM a LEFT JOIN shows s ON s.id = a.show_id),
    st AS (
        SELECT x.ask, count(*) FILTER (WHERE x.asked) AS found,
               array_agg(x.seat ORDER BY x.seat) FILTER (WHERE x.asked AND x.taken) AS refused,
               jsonb_agg(jsonb_build_object('seat', x.seat, 'by', x.holder,
                   'held_ms', (EXTRACT(EPOCH FROM x.held_until - now()) * 1000)::bigint))
                   FILTER (WHERE x.asked AND x.taken) AS holders,
               coalesce(array_agg(x.seat ORDER BY x.seat) FILTER (WHERE x.watched AND x.taken), '{}') AS watched,
               coalesce(array_agg(DISTINCT x.booking) FILTER (WHERE x.asked AND x.lapsed), '{}') AS lapsed
          FROM (SELECT a.ask, ss.seat_id AS seat, ss.seat_id = ANY (a.seats) AS asked,
                       ss.seat_id = ANY (a.watch) AS watched, b.id AS booking, b.user_id AS holder,
                       CASE WHEN seat_state(b.status, b.hold_expires_at) = 'held' THEN b.hold_expires_at END AS held_until,
                       seat_state(b.status, b.hold_expires_at) <> 'available' AND b.id IS DISTINCT FROM c.own AS taken,
                       b.status = 'held' AND b.id IS DISTINCT FROM c.own AS lapsed
                  FROM a JOIN ctx c ON c.ask = a.ask
                  JOIN show_seats ss ON ss.show_id = a.show_id AND ss.seat_id = ANY (a.seats || a.watch)
                  LEFT JOIN bookings b ON b.id = ss.booking_id) x
         GROUP BY x.ask),
    judged AS (
        SELECT a.ask, a.seats, a.show_id, c.screen_id, c.own, c.currency, st.lapsed, st.refused, st.holders,
               CASE WHEN c.show_status IS NULL THEN 'no_show'
                    WHEN c.show_status <> 'scheduled' THEN 'show_cancelled'
                    WHEN NOT c.on_sale THEN 'sales_closed'
                    WHEN c.verified IS NULL THEN 'unknown_user'
                    WHEN p_verified_only AND NOT c.verified THEN 'email_not_verified'
                    WHEN coalesce(st.found, 0) <> cardinality(a.seats) THEN 'unknown_seats'
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
               CASE WHEN j.outcome = 'held' THEN j.lapsed || j.own END,
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
               j.currency)::hold_verdict ORDER BY j.ask)
      INTO verdicts FROM judged j;

    -- The users' earlier holds and the lapsed ones end first: their lines still count as live.
    SELECT coalesce(array_agg(e.show_id), '{}'), coalesce(array_agg(e.seat_id), '{}')
      INTO freed_shows, freed_seats
      FROM ended_holds(ARRAY(SELECT unnest(v.ending) FROM unnest(verdicts) v WHERE v.outcome = 'held'),
                       'replaced') e;

    RETURN QUERY
    WITH a AS (
        SELECT * FROM unnest(p_asks) WITH ORDINALITY
                        AS a (user_id, show_id, seats, prices, watch, taken, code, fee, tax, ask)),
    go AS (
        SELECT a.*, v.currency, (SELECT sum(p) FROM unnest(a.prices) p) AS subtotal
          FROM a JOIN unnest(verdicts) v ON v.ask = a.ask
         WHERE v.outcome = 'held'),
    booking AS (
        INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                              subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
        SELECT go.code, go.user_id, go.show_id, 'held', now() + p_ttl, cardinality(go.seats),
               go.subtotal, go.fee, go.tax, go.subtotal + go.fee + go.tax, go.currency
          FROM go
        RETURNING id, show_id, user_id, hold_expires_at, created_at),
    lines AS (
        INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
        SELECT booking.id, go.show_id, asked.seat, asked.price, 'held'
          FROM booking JOIN go ON go.show_id = booking.show_id,
               unnest(go.seats, go.prices) AS asked (seat, price)),
    claimed AS (
        UPDATE show_seats ss SET booking_id = booking.id, version = ss.version + 1, updated_at = now()
          FROM booking JOIN go ON go.show_id = booking.show_id
         WHERE ss.show_id = go.show_id AND ss.seat_id = ANY (go.seats)),
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

-- One hold is a call with one ask.
DROP FUNCTION hold_seats(uuid, uuid, uuid[], bigint[], uuid[], uuid[], text, interval, interval,
                         boolean, bigint, bigint);

ALTER FUNCTION hold_seats_many(hold_ask[], interval, interval, boolean)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;
ALTER FUNCTION end_holds(uuid[], text)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;
ALTER FUNCTION ended_holds(uuid[], text)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;
