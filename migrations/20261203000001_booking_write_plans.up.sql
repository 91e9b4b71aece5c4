-- The booking writes at the cost of their work, not of planning it: every statement of these
-- functions runs on a plan made once per connection (a custom plan per call cost more than
-- the write itself), and each of their queries is shaped so that its generic plan is the
-- right one whatever the statistics say. Every one of them finds its rows by key, so no plan
-- may scan a table: a plan made while a table was small would otherwise keep scanning it for
-- the life of the connection. The hold reads its seats once after locking them.

-- Bodies stored parsed, so inlining them into a query costs no parsing.
CREATE OR REPLACE FUNCTION booking_state(status booking_status, hold_expires_at timestamptz)
RETURNS booking_status LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN status = 'held' AND hold_expires_at <= now()
            THEN 'expired'::booking_status ELSE status END;

CREATE OR REPLACE FUNCTION seat_state(booking_status booking_status, hold_expires_at timestamptz)
RETURNS seat_status LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE booking_state(booking_status, hold_expires_at)
            WHEN 'held' THEN 'held'::seat_status
            WHEN 'confirmed' THEN 'booked'::seat_status
            ELSE 'available'::seat_status END;

-- A seat names a booking of its own show through its line (`show_seats_booking_line`, whose
-- line names a booking of the line's show), so this key checked nothing more on every claim.
ALTER TABLE show_seats DROP CONSTRAINT show_seats_booking;

-- As before, but a line written with its booking is checked once, with the booking, and each
-- line's seat is looked up by its key (a hash join over every seat was the generic plan).
CREATE OR REPLACE FUNCTION booking_adds_up() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    booking uuid;
    b record;
    lines integer;
    subtotal bigint;
    seated integer;
BEGIN
    IF TG_TABLE_NAME = 'bookings' THEN
        booking := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        booking := OLD.booking_id;
    ELSE
        booking := NEW.booking_id;
    END IF;
    SELECT bk.status, bk.seat_count, bk.subtotal_minor,
           bk.created_at = now()
           AND bk.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text AS created_now
      INTO b FROM bookings bk WHERE bk.id = booking;
    IF NOT FOUND OR (b.created_now AND TG_TABLE_NAME = 'booking_seats' AND TG_OP = 'INSERT') THEN
        -- Gone, or inserted by this transaction (or given its time by it, which is checked on
        -- its own): the booking's check covers its new lines.
        RETURN NULL;
    END IF;
    SELECT count(*), coalesce(sum(bs.price_minor), 0),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM show_seats ss
                                           WHERE ss.show_id = bs.show_id AND ss.seat_id = bs.seat_id
                                             AND ss.booking_id = booking))
      INTO lines, subtotal, seated
      FROM booking_seats bs
     WHERE bs.booking_id = booking;
    IF lines <> b.seat_count OR subtotal <> b.subtotal_minor THEN
        RAISE EXCEPTION 'booking % has % lines worth %, not % seats worth %',
                        booking, lines, subtotal, b.seat_count, b.subtotal_minor
              USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_lines_add_up';
    END IF;
    IF b.status IN ('held', 'confirmed') AND seated <> lines THEN
        RAISE EXCEPTION 'live booking % holds % of its % seats', booking, seated, lines
              USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_seats_held';
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER bookings_stay_whole ON bookings;
CREATE CONSTRAINT TRIGGER bookings_stay_whole
    AFTER UPDATE OF status, seat_count, subtotal_minor, created_at ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.seat_count <> OLD.seat_count OR NEW.subtotal_minor <> OLD.subtotal_minor
          OR NEW.created_at <> OLD.created_at
          OR (NEW.status IN ('held', 'confirmed') AND NEW.status <> OLD.status))
    EXECUTE FUNCTION booking_adds_up();

-- As before (the outcomes are listed in 20261202000002_booking_writes).
CREATE OR REPLACE FUNCTION hold_seats(
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


-- As before, with the lapsed holders found in place.
CREATE OR REPLACE FUNCTION confirm_booking(p_booking uuid, p_payment uuid,
    OUT outcome text, OUT show_id uuid, OUT seats uuid[], OUT released uuid[])
LANGUAGE plpgsql AS $$
DECLARE
    b record;
    paid record;
BEGIN
    SELECT bk.status, bk.show_id, bk.total_minor, s.starts_at <= now() AS started
      INTO b FROM bookings bk JOIN shows s ON s.id = bk.show_id
     WHERE bk.id = p_booking FOR UPDATE OF bk;
    IF NOT FOUND THEN
        outcome := 'not_found'; RETURN;
    END IF;
    show_id := b.show_id;
    seats := ARRAY(SELECT bs.seat_id FROM booking_seats bs WHERE bs.booking_id = p_booking ORDER BY bs.seat_id);
    IF b.status = 'confirmed' THEN
        outcome := 'already_confirmed'; RETURN;
    ELSIF b.status = 'cancelled' THEN
        outcome := 'booking_cancelled'; RETURN;
    END IF;
    IF p_payment IS NULL THEN
        IF b.total_minor <> 0 THEN
            outcome := 'payment_required'; RETURN;
        END IF;
    ELSE
        SELECT p.status, p.amount_minor INTO paid FROM payments p
         WHERE p.id = p_payment AND p.booking_id = p_booking;
        IF NOT FOUND THEN
            outcome := 'payment_not_found'; RETURN;
        ELSIF paid.status <> 'succeeded' THEN
            outcome := 'payment_not_succeeded'; RETURN;
        ELSIF paid.amount_minor < b.total_minor THEN
            outcome := 'payment_amount_mismatch'; RETURN;
        END IF;
    END IF;
    IF b.started THEN
        outcome := 'show_started'; RETURN;
    END IF;

    PERFORM 1 FROM show_seats ss WHERE ss.show_id = b.show_id AND ss.seat_id = ANY (seats)
      ORDER BY ss.seat_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM seat_states st
                WHERE st.show_id = b.show_id AND st.seat_id = ANY (seats)
                  AND st.status <> 'available' AND st.booking_id <> p_booking) THEN
        outcome := 'seats_unavailable';
        seats := ARRAY(SELECT st.seat_id FROM seat_states st
                        WHERE st.show_id = b.show_id AND st.seat_id = ANY (seats)
                          AND st.status <> 'available' AND st.booking_id <> p_booking
                        ORDER BY st.seat_id);
        RETURN;
    END IF;
    -- Held bookings that the seats still name are past their deadline: they end first.
    released := end_holds(ARRAY(SELECT DISTINCT lapsed.id FROM show_seats ss
                                  JOIN bookings lapsed ON lapsed.id = ss.booking_id
                                 WHERE ss.show_id = b.show_id AND ss.seat_id = ANY (seats)
                                   AND lapsed.status = 'held' AND lapsed.id <> p_booking), 'expired');
    UPDATE show_seats ss SET booking_id = p_booking, version = ss.version + 1, updated_at = now()
     WHERE ss.show_id = b.show_id AND ss.seat_id = ANY (seats) AND ss.booking_id IS DISTINCT FROM p_booking;
    UPDATE bookings SET status = 'confirmed', confirmed_at = now(), updated_at = now()
     WHERE id = p_booking;
    INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
    VALUES ('booking', p_booking, 'booking.confirmed',
            jsonb_build_object('booking_id', p_booking, 'show_id', b.show_id,
                               'payment_id', p_payment, 'seat_ids', to_jsonb(seats)));
    outcome := 'confirmed';
END
$$;
DROP FUNCTION lapsed_holders(uuid, uuid[], uuid);

ALTER FUNCTION hold_seats(uuid, uuid, uuid[], bigint[], uuid[], uuid[], text, interval, interval, boolean, bigint, bigint) SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
ALTER FUNCTION end_holds(uuid[], text) SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
ALTER FUNCTION confirm_booking(uuid, uuid) SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
ALTER FUNCTION cancel_booking(uuid, booking_status, bigint, timestamptz) SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
ALTER FUNCTION expire_holds(integer) SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
ALTER FUNCTION booking_adds_up() SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off;
