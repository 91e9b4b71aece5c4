-- The booking writes as 20261202000002_booking_writes left them.
ALTER FUNCTION hold_seats(uuid, uuid, uuid[], bigint[], uuid[], uuid[], text, interval, interval, boolean, bigint, bigint) RESET plan_cache_mode RESET enable_seqscan;
ALTER FUNCTION end_holds(uuid[], text) RESET plan_cache_mode RESET enable_seqscan;
ALTER FUNCTION confirm_booking(uuid, uuid) RESET plan_cache_mode RESET enable_seqscan;
ALTER FUNCTION cancel_booking(uuid, booking_status, bigint, timestamptz) RESET plan_cache_mode RESET enable_seqscan;
ALTER FUNCTION expire_holds(integer) RESET plan_cache_mode RESET enable_seqscan;
ALTER FUNCTION booking_adds_up() RESET plan_cache_mode RESET enable_seqscan;

CREATE FUNCTION lapsed_holders(p_show uuid, p_seats uuid[], p_except uuid) RETURNS uuid[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT b.id), '{}')
      FROM show_seats ss JOIN bookings b ON b.id = ss.booking_id
     WHERE ss.show_id = p_show AND ss.seat_id = ANY (p_seats)
       AND b.status = 'held' AND b.id IS DISTINCT FROM p_except
$$;

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
    released := end_holds(lapsed_holders(b.show_id, seats, p_booking), 'expired');
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

CREATE OR REPLACE FUNCTION hold_seats(
    p_user uuid, p_show uuid, p_seats uuid[], p_prices bigint[], p_watch uuid[], p_taken uuid[],
    p_code text, p_ttl interval, p_sales_close interval, p_verified_only boolean,
    p_fee bigint, p_tax bigint,
    OUT outcome text, OUT booking_id uuid, OUT hold_expires_at timestamptz,
    OUT created_at timestamptz, OUT seats uuid[], OUT released uuid[], OUT holders jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    v_show record;
    verified boolean;
    own uuid;
    locked integer;
    taken uuid[];
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
      FROM (SELECT ss.seat_id FROM show_seats ss
             WHERE ss.show_id = p_show AND ss.seat_id = ANY (p_seats)
             ORDER BY ss.seat_id FOR UPDATE) l;
    IF locked <> cardinality(p_seats) THEN
        outcome := 'unknown_seats'; RETURN;
    END IF;

    -- Someone else has some of them: refused, and nothing is written.
    SELECT array_agg(st.seat_id ORDER BY st.seat_id),
           jsonb_agg(jsonb_build_object('seat', st.seat_id, 'by', st.holder,
               'held_ms', (EXTRACT(EPOCH FROM st.held_until - now()) * 1000)::bigint))
      INTO seats, holders
      FROM seat_states st
     WHERE st.show_id = p_show AND st.seat_id = ANY (p_seats)
       AND st.status <> 'available' AND st.booking_id IS DISTINCT FROM own;
    IF seats IS NOT NULL THEN
        outcome := 'refused'; RETURN;
    END IF;

    IF EXISTS (SELECT 1 FROM unnest(p_seats, p_prices) AS asked (seat, price)
                 JOIN seats se ON se.id = asked.seat
                 LEFT JOIN show_prices sp ON sp.show_id = p_show AND sp.category_id = se.category_id
                WHERE sp.price_minor IS DISTINCT FROM asked.price) THEN
        outcome := 'prices_changed'; RETURN;
    END IF;

    SELECT coalesce(array_agg(st.seat_id ORDER BY st.seat_id), '{}') INTO taken
      FROM seat_states st
     WHERE st.show_id = p_show AND st.seat_id = ANY (p_watch)
       AND st.status <> 'available' AND st.booking_id IS DISTINCT FROM own;
    IF NOT (taken @> p_taken AND taken <@ p_taken) THEN
        -- The rules must be judged again, on the whole rows as they are now.
        SELECT coalesce(array_agg(st.seat_id ORDER BY st.seat_id), '{}') INTO seats
          FROM seats se JOIN seat_states st ON st.show_id = p_show AND st.seat_id = se.id
         WHERE se.screen_id = v_show.screen_id
           AND se.grid_row IN (SELECT r.grid_row FROM seats r WHERE r.id = ANY (p_seats))
           AND se.id <> ALL (p_seats)
           AND st.status <> 'available' AND st.booking_id IS DISTINCT FROM own;
        outcome := 'stale'; RETURN;
    END IF;

    released := end_holds(lapsed_holders(p_show, p_seats, own) || own, 'replaced');
    INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                          subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
    SELECT p_code, p_user, p_show, 'held', now() + p_ttl, cardinality(p_seats),
           sum(price), p_fee, p_tax, sum(price) + p_fee + p_tax, v_show.currency
      FROM unnest(p_prices) AS price
    RETURNING bookings.id, bookings.hold_expires_at, bookings.created_at
         INTO booking_id, hold_expires_at, created_at;
    INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
    SELECT hold_seats.booking_id, p_show, asked.seat, asked.price, 'held'
      FROM unnest(p_seats, p_prices) AS asked (seat, price);
    UPDATE show_seats ss SET booking_id = hold_seats.booking_id, version = ss.version + 1, updated_at = now()
     WHERE ss.show_id = p_show AND ss.seat_id = ANY (p_seats);
    INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
    VALUES ('booking', hold_seats.booking_id, 'booking.held',
            jsonb_build_object('booking_id', hold_seats.booking_id, 'show_id', p_show,
                               'user_id', p_user, 'seat_ids', to_jsonb(p_seats),
                               'hold_expires_at', hold_seats.hold_expires_at));
    outcome := 'held';
    seats := p_seats;
END
$$;

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
    SELECT status, seat_count, subtotal_minor INTO b FROM bookings WHERE id = booking;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT count(*), coalesce(sum(bs.price_minor), 0), count(*) FILTER (WHERE ss.booking_id = booking)
      INTO lines, subtotal, seated
      FROM booking_seats bs JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_id = bs.seat_id
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
    AFTER UPDATE OF status, seat_count, subtotal_minor ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.seat_count <> OLD.seat_count OR NEW.subtotal_minor <> OLD.subtotal_minor
          OR (NEW.status IN ('held', 'confirmed') AND NEW.status <> OLD.status))
    EXECUTE FUNCTION booking_adds_up();

ALTER TABLE show_seats ADD CONSTRAINT show_seats_booking FOREIGN KEY (booking_id, show_id) REFERENCES bookings (id, show_id);

CREATE OR REPLACE FUNCTION booking_state(status booking_status, hold_expires_at timestamptz)
RETURNS booking_status LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status = 'held' AND hold_expires_at <= now()
                THEN 'expired'::booking_status ELSE status END
$$;

CREATE OR REPLACE FUNCTION seat_state(booking_status booking_status, hold_expires_at timestamptz)
RETURNS seat_status LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE booking_state(booking_status, hold_expires_at)
                WHEN 'held' THEN 'held'::seat_status
                WHEN 'confirmed' THEN 'booked'::seat_status
                ELSE 'available'::seat_status END
$$;
