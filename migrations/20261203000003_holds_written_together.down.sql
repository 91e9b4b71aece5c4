-- The holds written one call each, as 20261203000001_booking_write_plans left them.
DROP FUNCTION hold_seats_many(hold_ask[], interval, interval, boolean);

CREATE OR REPLACE FUNCTION end_holds(p_bookings uuid[], p_reason text) RETURNS uuid[]
LANGUAGE plpgsql AS $$
DECLARE
    freed uuid[];
BEGIN
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
    SELECT coalesce(array_agg(ss.seat_id), '{}') INTO freed
      FROM ended e
      JOIN booking_seats bs ON bs.booking_id = e.id
      JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_id = bs.seat_id AND ss.booking_id = e.id;
    RETURN freed;
END
$$;
DROP FUNCTION ended_holds(uuid[], text);
DROP TYPE hold_verdict;
DROP TYPE hold_ask;

-- hold_seats as 20261203000001_booking_write_plans left it.
CREATE FUNCTION hold_seats(
    p_user uuid, p_show uuid, p_seats uuid[], p_prices bigint[], p_watch uuid[], p_taken uuid[],
    p_code text, p_ttl interval, p_sales_close interval, p_verified_only boolean,
    p_fee bigint, p_tax bigint,
    OUT outcome text, OUT booking_id uuid, OUT hold_expires_at timestamptz,
    OUT created_at timestamptz, OUT seats uuid[], OUT released uuid[], OUT holders jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_show record;
    own uuid;
    locked integer;
    st record;
    ending uuid[];
BEGIN
    SELECT s.status, s.currency, s.screen_id, s.starts_at - p_sales_close > now() AS on_sale,
           (SELECT u.email_verified_at IS NOT NULL FROM users u WHERE u.id = p_user) AS verified,
           (SELECT b.id FROM bookings b
             WHERE b.user_id = p_user AND b.show_id = p_show AND b.status = 'held') AS own
      INTO v_show FROM shows s WHERE s.id = p_show;
    IF NOT FOUND THEN
        outcome := 'no_show'; RETURN;
    ELSIF v_show.status <> 'scheduled' THEN
        outcome := 'show_cancelled'; RETURN;
    ELSIF NOT v_show.on_sale THEN
        outcome := 'sales_closed'; RETURN;
    ELSIF v_show.verified IS NULL THEN
        outcome := 'unknown_user'; RETURN;
    ELSIF p_verified_only AND NOT v_show.verified THEN
        outcome := 'email_not_verified'; RETURN;
    END IF;
    own := v_show.own;

    -- The asked-for seats, locked in seat order so rival holds queue instead of deadlocking.
    SELECT count(*) INTO locked
      FROM (SELECT 1 FROM show_seats ss
             WHERE ss.show_id = p_show AND ss.seat_id = ANY (p_seats)
             ORDER BY ss.seat_id FOR UPDATE) l;
    IF locked <> cardinality(p_seats) THEN
        outcome := 'unknown_seats'; RETURN;
    END IF;

    -- Once locked, the asked-for and watched seats as they stand, read once: who has them, and
    -- which held bookings other than the user's own still name the asked-for ones (once the
    -- seats are known to be free, those are past their deadline).
    SELECT array_agg(x.seat ORDER BY x.seat) FILTER (WHERE x.asked AND x.taken) AS refused,
           jsonb_agg(jsonb_build_object('seat', x.seat, 'by', x.holder,
               'held_ms', (EXTRACT(EPOCH FROM x.held_until - now()) * 1000)::bigint))
               FILTER (WHERE x.asked AND x.taken) AS holders,
           coalesce(array_agg(x.seat ORDER BY x.seat) FILTER (WHERE x.watched AND x.taken), '{}') AS watched,
           coalesce(array_agg(DISTINCT x.booking) FILTER (WHERE x.asked AND x.lapsed), '{}') AS lapsed
      INTO st
      FROM (SELECT ss.seat_id AS seat, ss.seat_id = ANY (p_seats) AS asked,
                   ss.seat_id = ANY (p_watch) AS watched, b.id AS booking, b.user_id AS holder,
                   CASE WHEN seat_state(b.status, b.hold_expires_at) = 'held' THEN b.hold_expires_at END AS held_until,
                   seat_state(b.status, b.hold_expires_at) <> 'available' AND b.id IS DISTINCT FROM own AS taken,
                   b.status = 'held' AND b.id IS DISTINCT FROM own AS lapsed
              FROM show_seats ss LEFT JOIN bookings b ON b.id = ss.booking_id
             WHERE ss.show_id = p_show AND ss.seat_id = ANY (p_seats || p_watch)) x;
    IF st.refused IS NOT NULL THEN
        -- Someone else has some of them: refused, and nothing is written.
        outcome := 'refused'; seats := st.refused; holders := st.holders; RETURN;
    END IF;

    IF EXISTS (SELECT 1 FROM unnest(p_seats, p_prices) AS asked (seat, price)
                 JOIN seats se ON se.id = asked.seat
                 LEFT JOIN show_prices sp ON sp.show_id = p_show AND sp.category_id = se.category_id
                WHERE sp.price_minor IS DISTINCT FROM asked.price) THEN
        outcome := 'prices_changed'; RETURN;
    END IF;

    IF NOT (st.watched @> p_taken AND st.watched <@ p_taken) THEN
        -- The rules must be judged again, on the whole rows as they are now.
        SELECT coalesce(array_agg(st.seat_id ORDER BY st.seat_id), '{}') INTO seats
          FROM seats se JOIN seat_states st ON st.show_id = p_show AND st.seat_id = se.id
         WHERE se.screen_id = v_show.screen_id
           AND se.grid_row IN (SELECT r.grid_row FROM seats r WHERE r.id = ANY (p_seats))
           AND se.id <> ALL (p_seats)
           AND st.status <> 'available' AND st.booking_id IS DISTINCT FROM own;
        outcome := 'stale'; RETURN;
    END IF;

    -- The user's earlier hold and the lapsed ones end first: their lines still count as live.
    ending := st.lapsed;
    IF own IS NOT NULL THEN
        ending := ending || own;
    END IF;
    released := CASE WHEN ending = '{}' THEN '{}' ELSE end_holds(ending, 'replaced') END;
    WITH booking AS (
        INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                              subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
        SELECT p_code, p_user, p_show, 'held', now() + p_ttl, cardinality(p_seats),
               sum(price), p_fee, p_tax, sum(price) + p_fee + p_tax, v_show.currency
          FROM unnest(p_prices) AS price
        RETURNING id, hold_expires_at, created_at),
    lines AS (
        INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
        SELECT booking.id, p_show, asked.seat, asked.price, 'held'
          FROM booking, unnest(p_seats, p_prices) AS asked (seat, price)),
    claimed AS (
        UPDATE show_seats ss SET booking_id = booking.id, version = ss.version + 1, updated_at = now()
          FROM booking WHERE ss.show_id = p_show AND ss.seat_id = ANY (p_seats)),
    event AS (
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        SELECT 'booking', booking.id, 'booking.held',
               jsonb_build_object('booking_id', booking.id, 'show_id', p_show, 'user_id', p_user,
                                  'seat_ids', to_jsonb(p_seats), 'hold_expires_at', booking.hold_expires_at)
          FROM booking)
    SELECT booking.id, booking.hold_expires_at, booking.created_at
      INTO hold_seats.booking_id, hold_seats.hold_expires_at, hold_seats.created_at FROM booking;
    outcome := 'held';
    seats := p_seats;
END
$$;

ALTER FUNCTION hold_seats(uuid, uuid, uuid[], bigint[], uuid[], uuid[], text, interval, interval, boolean, bigint, bigint) SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
ALTER FUNCTION end_holds(uuid[], text) SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
