-- Back to 20261204000004_replaced_holds_cancelled's hold_seats_many.
CREATE OR REPLACE FUNCTION hold_seats_many(p_asks hold_ask[], p_ttl interval, p_sales_close interval,
                                p_verified_only boolean)
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
               s.screen_id, s.currency,
               (SELECT u.email_verified_at IS NOT NULL FROM users u WHERE u.id = a.user_id) AS verified,
               (SELECT b.id FROM bookings b
                 WHERE b.user_id = a.user_id AND b.show_id = a.show_id AND b.status = 'held') AS own,
               (SELECT count(*) FROM unnest(locked_shows) l WHERE l = a.show_id) AS found
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
               CASE WHEN c.show_status IS NULL THEN 'no_show'
                    WHEN c.show_status <> 'scheduled' THEN 'show_cancelled'
                    WHEN NOT c.on_sale THEN 'sales_closed'
                    WHEN c.verified IS NULL THEN 'unknown_user'
                    WHEN p_verified_only AND NOT c.verified THEN 'email_not_verified'
                    -- A hold with a payment in flight stays until the payment settles.
                    WHEN EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = c.own
                                    AND p.status IN ('created', 'pending')) THEN 'payment_pending'
                    WHEN c.found <> cardinality(a.seats) THEN 'unknown_seats'
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
               CASE WHEN j.outcome = 'held' THEN j.own END)::hold_verdict)
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

ALTER FUNCTION hold_seats_many(hold_ask[], interval, interval, boolean)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
    SET enable_hashjoin = off SET enable_mergejoin = off;

-- Back to 20261204000002_payments' confirm_booking.
CREATE OR REPLACE FUNCTION confirm_booking(p_booking uuid, p_payment uuid, OUT outcome text,
                                           OUT show_id uuid, OUT seats uuid[], OUT released uuid[])
LANGUAGE plpgsql AS $$
DECLARE
    b record;
    paid record;
BEGIN
    SELECT bk.status, bk.show_id, bk.total_minor, bk.currency, s.starts_at <= now() AS started,
           s.status <> 'scheduled' AS called_off
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
        SELECT p.status, p.amount_minor, p.currency INTO paid FROM payments p
         WHERE p.id = p_payment AND p.booking_id = p_booking;
        IF NOT FOUND THEN
            outcome := 'payment_not_found'; RETURN;
        ELSIF paid.status <> 'succeeded' THEN
            outcome := 'payment_not_succeeded'; RETURN;
        -- Exactly the booking's total: anything else is refunded and looked into.
        ELSIF paid.amount_minor <> b.total_minor OR paid.currency <> b.currency THEN
            outcome := 'payment_amount_mismatch'; RETURN;
        END IF;
    END IF;
    IF b.called_off THEN
        outcome := 'show_cancelled'; RETURN;
    ELSIF b.started THEN
        outcome := 'show_started'; RETURN;
    END IF;

    PERFORM 1 FROM show_seats ss WHERE ss.show_id = b.show_id AND ss.seat_id = ANY (seats)
      ORDER BY ss.seat_id FOR UPDATE;
    -- Seats are looked up one by one (joined to the list, never `= ANY` of it: a plan made
    -- once would rather read every seat of the show and filter).
    IF EXISTS (SELECT 1 FROM unnest(seats) s (seat)
                 JOIN seat_states st ON st.show_id = b.show_id AND st.seat_id = s.seat
                WHERE st.status <> 'available' AND st.booking_id <> p_booking) THEN
        outcome := 'seats_unavailable';
        seats := ARRAY(SELECT st.seat_id FROM unnest(seats) s (seat)
                         JOIN seat_states st ON st.show_id = b.show_id AND st.seat_id = s.seat
                        WHERE st.status <> 'available' AND st.booking_id <> p_booking
                        ORDER BY st.seat_id);
        RETURN;
    END IF;
    -- Held bookings with live lines on these seats are past their deadline: they end first.
    released := end_holds(ARRAY(SELECT l.booking_id FROM unnest(seats) s (seat),
                                LATERAL (SELECT bs.booking_id, bs.status FROM booking_seats bs
                                          WHERE bs.show_id = b.show_id AND bs.seat_id = s.seat
                                            AND bs.status IN ('held', 'confirmed') OFFSET 0) l
                                 WHERE l.status = 'held' AND l.booking_id <> p_booking), 'expired');
    UPDATE bookings SET status = 'confirmed', confirmed_at = now(), payment_id = p_payment,
                        updated_at = now()
     WHERE id = p_booking;
    INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
    VALUES ('booking', p_booking, 'booking.confirmed',
            jsonb_build_object('booking_id', p_booking, 'show_id', b.show_id,
                               'payment_id', p_payment, 'seat_ids', to_jsonb(seats)));
    outcome := 'confirmed';
END
$$;

ALTER FUNCTION confirm_booking(uuid, uuid)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
    SET enable_hashjoin = off SET enable_mergejoin = off;

-- Back to 20261204000005_show_scheduling's schedule_show; retired seats go (this fails if
-- past tickets name a retired seat: such a rollback would lose history).
CREATE OR REPLACE FUNCTION schedule_show(p_actor uuid, p_movie uuid, p_screen uuid, p_starts timestamptz,
                              p_language text, p_format text, p_prices jsonb,
                              OUT outcome text, OUT show_id uuid, OUT detail text,
                              OUT conflict_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
    sc record;
    mv record;
    ends timestamptz;
    cleaning interval;
BEGIN
    SELECT s.theater_id, s.cleaning_minutes, s.formats INTO sc
      FROM screens s WHERE s.id = p_screen FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'no_screen'; RETURN;
    END IF;
    SELECT m.runtime_minutes, m.languages INTO mv FROM movies m WHERE m.id = p_movie;
    IF NOT FOUND THEN
        outcome := 'no_movie'; RETURN;
    END IF;
    IF p_starts <= now() THEN
        outcome := 'in_the_past'; RETURN;
    END IF;
    IF NOT p_format = ANY (sc.formats) THEN
        outcome := 'unsupported_format'; detail := array_to_string(sc.formats, ', '); RETURN;
    END IF;
    IF NOT p_language = ANY (mv.languages) THEN
        outcome := 'unknown_language'; detail := array_to_string(mv.languages, ', '); RETURN;
    END IF;
    SELECT k INTO detail FROM jsonb_object_keys(p_prices) k
     WHERE k NOT IN (SELECT c.name FROM seat_categories c WHERE c.screen_id = p_screen)
     ORDER BY k LIMIT 1;
    IF detail IS NOT NULL THEN
        outcome := 'unknown_category'; RETURN;
    END IF;
    SELECT c.name INTO detail FROM seat_categories c
     WHERE c.screen_id = p_screen AND NOT p_prices ? c.name
       AND EXISTS (SELECT 1 FROM seats se WHERE se.category_id = c.id)
     ORDER BY c.rank LIMIT 1;
    IF detail IS NOT NULL THEN
        outcome := 'missing_price'; RETURN;
    END IF;

    ends := p_starts + make_interval(mins => mv.runtime_minutes);
    cleaning := make_interval(mins => sc.cleaning_minutes);
    SELECT s.id INTO conflict_id FROM shows s
     WHERE s.screen_id = p_screen AND s.status = 'scheduled'
       AND tstzrange(s.starts_at, s.ends_at + cleaning) && tstzrange(p_starts, ends + cleaning)
     ORDER BY s.starts_at LIMIT 1;
    IF conflict_id IS NOT NULL THEN
        outcome := 'overlap'; RETURN;
    END IF;

    INSERT INTO shows (movie_id, screen_id, starts_at, ends_at, language, format)
    VALUES (p_movie, p_screen, p_starts, ends, p_language, p_format)
    RETURNING id INTO show_id;
    INSERT INTO show_prices (show_id, category_id, price_minor)
    SELECT show_id, c.id, (p_prices ->> c.name)::bigint
      FROM seat_categories c WHERE c.screen_id = p_screen AND p_prices ? c.name;
    INSERT INTO show_seats (show_id, seat_id, screen_id)
    SELECT show_id, se.id, p_screen FROM seats se WHERE se.screen_id = p_screen;
    INSERT INTO audit_log (actor_id, theater_id, action, subject_id, after)
    SELECT p_actor, sc.theater_id, 'show.created', show_id,
           jsonb_build_object('movie_id', p_movie, 'screen_id', p_screen, 'starts_at', p_starts,
                              'ends_at', ends, 'language', p_language, 'format', p_format,
                              'prices', p_prices);
    outcome := 'created';
END
$$;

DROP FUNCTION show_capacity(uuid);
DELETE FROM show_seats ss USING seats se WHERE se.id = ss.seat_id AND se.retired_at IS NOT NULL;
DELETE FROM seats WHERE retired_at IS NOT NULL;
DROP INDEX seats_label_in_use, seats_cell_in_use;
ALTER TABLE seats ADD CONSTRAINT seats_screen_id_row_label_number_key UNIQUE (screen_id, row_label, number),
                  ADD CONSTRAINT seats_screen_id_grid_row_grid_col_key UNIQUE (screen_id, grid_row, grid_col);
ALTER TABLE seats DROP COLUMN retired_at;

ALTER TABLE shows DROP COLUMN sales_paused;
