-- Every booking transition as one function, so each costs the server one round trip and one
-- commit. The functions find the answer early and clearly (which seats are taken, why a hold
-- cannot be made); the constraints of the previous migration refuse whatever they get wrong.
-- A refusal writes nothing, so none of them has to roll back.

-- Ends held bookings: each expires (past its deadline) or is cancelled (let go before it), and
-- says so in the outbox. Their seats are free from then on; returns those that still named them.
CREATE FUNCTION end_holds(p_bookings uuid[], p_reason text) RETURNS uuid[]
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

-- Held bookings other than `p_except` that some of these seats still name. Once the seats are
-- known to be free, those holds are past their deadline, and must end before the seats are
-- taken: their lines still count as live.
CREATE FUNCTION lapsed_holders(p_show uuid, p_seats uuid[], p_except uuid) RETURNS uuid[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT b.id), '{}')
      FROM show_seats ss JOIN bookings b ON b.id = ss.booking_id
     WHERE ss.show_id = p_show AND ss.seat_id = ANY (p_seats)
       AND b.status = 'held' AND b.id IS DISTINCT FROM p_except
$$;

-- Holds `p_seats` of `p_show` for `p_user`, all or nothing, replacing the user's earlier hold on
-- the show. `p_prices` are the seats' prices. The caller judged the seat rules on `p_watch`,
-- the seats its verdict depends on, of which it took `p_taken` as not free for this user.
-- Outcomes:
--   held           booking_id, hold_expires_at, created_at; seats: claimed; released: freed
--   refused        seats: the asked-for seats someone else has; holders: who, for how long
--   stale          seats: the rows' taken seats as they are now (judge the rules again)
--   prices_changed, unknown_seats, no_show, show_cancelled, sales_closed, unknown_user,
--   email_not_verified
CREATE FUNCTION hold_seats(
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

-- Confirms a held (or expired) booking once its payment has succeeded (`p_payment` NULL only
-- for a booking that costs nothing). A hold past its deadline is confirmed only if every seat
-- is still free, taken back here. Outcomes: confirmed, already_confirmed; seats_unavailable
-- (seats: the taken ones); not_found, booking_cancelled, payment_required, payment_not_found,
-- payment_not_succeeded, payment_amount_mismatch, show_started.
CREATE FUNCTION confirm_booking(p_booking uuid, p_payment uuid,
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

-- Cancels a booking the caller has read as `p_status`: a hold is released (expired if already
-- past its deadline); a confirmed booking is cancelled with `p_refund` due, if now is before
-- `p_valid_until` (when the policy's answer would change). Outcomes: released, expired,
-- cancelled (seats: freed); unchanged (nothing to cancel); stale (read again); not_found.
CREATE FUNCTION cancel_booking(p_booking uuid, p_status booking_status, p_refund bigint,
    p_valid_until timestamptz, OUT outcome text, OUT show_id uuid, OUT seats uuid[])
LANGUAGE plpgsql AS $$
DECLARE
    b record;
BEGIN
    SELECT bk.status, bk.show_id INTO b FROM bookings bk WHERE bk.id = p_booking FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'not_found'; RETURN;
    END IF;
    show_id := b.show_id;
    IF b.status <> p_status THEN
        outcome := 'stale'; RETURN;
    ELSIF b.status = 'held' THEN
        seats := end_holds(ARRAY[p_booking], 'cancelled');
        outcome := CASE (SELECT status FROM bookings WHERE id = p_booking)
                        WHEN 'expired' THEN 'expired' ELSE 'released' END;
    ELSIF b.status = 'confirmed' THEN
        IF now() >= p_valid_until THEN
            outcome := 'stale'; RETURN;
        END IF;
        seats := ARRAY(SELECT ss.seat_id FROM booking_seats bs
                         JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_id = bs.seat_id
                        WHERE bs.booking_id = p_booking AND ss.booking_id = p_booking);
        UPDATE bookings SET status = 'cancelled', cancelled_at = now(), refund_due_minor = p_refund,
                            updated_at = now()
         WHERE id = p_booking;
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        VALUES ('booking', p_booking, 'booking.cancelled',
                jsonb_build_object('booking_id', p_booking, 'show_id', b.show_id,
                                   'refund_due', p_refund, 'seat_ids', to_jsonb(seats)));
        outcome := 'cancelled';
    ELSE
        outcome := 'unchanged';
    END IF;
END
$$;

-- Expires up to `p_batch` holds past their deadline. Rows another sweeper is working on are
-- skipped, so every instance can sweep at once and each hold expires exactly once. `changes`
-- is [[show_id, [seat_id...]]...] of the seats freed; `lag_seconds` how late the oldest was.
CREATE FUNCTION expire_holds(p_batch integer,
    OUT expired integer, OUT lag_seconds float8, OUT changes jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    due uuid[];
BEGIN
    SELECT array_agg(id), coalesce(EXTRACT(EPOCH FROM now() - min(hold_expires_at)), 0)
      INTO due, lag_seconds
      FROM (SELECT b.id, b.hold_expires_at FROM bookings b
             WHERE b.status = 'held' AND b.hold_expires_at <= now()
             ORDER BY b.hold_expires_at LIMIT p_batch FOR UPDATE SKIP LOCKED) d;
    expired := coalesce(cardinality(due), 0);
    IF expired = 0 THEN
        lag_seconds := 0; changes := '[]'; RETURN;
    END IF;
    PERFORM end_holds(due, 'expired');
    SELECT coalesce(jsonb_agg(jsonb_build_array(show_id, seats)), '[]') INTO changes
      FROM (SELECT bs.show_id, jsonb_agg(bs.seat_id) AS seats
              FROM booking_seats bs
              JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_id = bs.seat_id
             WHERE bs.booking_id = ANY (due) AND ss.booking_id = bs.booking_id
             GROUP BY bs.show_id) g;
END
$$;
