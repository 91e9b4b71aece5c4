-- Payments: attempts at paying for a held booking through a gateway, the gateways' events
-- (each processed once, in the transaction of its effect), and refunds tracked to completion.
--
-- * a payment moves forward only: created (ours, before the gateway knows it) -> pending (the
--   gateway has it) -> succeeded, or failed / cancelled (given up), and a failed payment may
--   still succeed later (a card retried on the gateway's page); succeeded is final;
-- * a booking has at most one open payment per gateway, and while one is open its live hold is
--   pinned: its user can neither replace nor release it, and the sweeper leaves it to the
--   gateway's answer;
-- * a succeeded payment ends as the booking it confirmed or as a refund recorded in the same
--   transaction (`payment_succeeded`); every payment is refunded at most once.

ALTER TABLE payments
    ADD COLUMN checkout jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN received_minor bigint,
    ADD COLUMN received_currency char(3),
    ADD COLUMN review_reason text,
    ADD COLUMN checked_at timestamptz,
    DROP CONSTRAINT payments_gateway_check,
    ADD CONSTRAINT payments_gateway_check CHECK (gateway IN ('stripe', 'razorpay', 'sandbox'));
CREATE UNIQUE INDEX payments_one_open ON payments (booking_id, gateway)
    WHERE status IN ('created', 'pending');
-- Open payments, for the job that asks gateways about those no webhook settled.
CREATE INDEX payments_open ON payments (updated_at) WHERE status IN ('created', 'pending');

-- The payment that confirmed a booking; a hold's deadline is extended once, when first pinned.
ALTER TABLE bookings
    ADD COLUMN payment_id uuid REFERENCES payments (id) ON DELETE RESTRICT,
    ADD COLUMN pinned_at timestamptz,
    -- When the ticket was first used at the door, and by whom.
    ADD COLUMN checked_in_at timestamptz,
    ADD COLUMN checked_in_by uuid REFERENCES users (id) ON DELETE SET NULL;

ALTER TABLE refunds
    DROP CONSTRAINT refunds_reason_check,
    ADD CONSTRAINT refunds_reason_check CHECK (reason IN (
        'cancelled_by_user', 'hold_expired', 'seats_taken', 'show_cancelled', 'show_started',
        'booking_cancelled', 'duplicate_payment', 'amount_mismatch', 'other')),
    -- pending: due, not yet accepted by the gateway; issued: accepted, not yet settled.
    DROP CONSTRAINT refunds_status_check,
    ADD CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'issued', 'succeeded', 'failed')),
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN last_error text;
DROP INDEX refunds_pending;
CREATE INDEX refunds_open ON refunds (next_attempt_at) WHERE status IN ('pending', 'issued');
CREATE UNIQUE INDEX refunds_gateway_ref ON refunds (gateway_ref) WHERE gateway_ref IS NOT NULL;

-- Every gateway event we acted on, so a replay changes nothing.
CREATE TABLE gateway_events (
    gateway      text NOT NULL CHECK (gateway IN ('stripe', 'razorpay', 'sandbox')),
    event_id     text NOT NULL CHECK (char_length(event_id) BETWEEN 1 AND 255),
    kind         text NOT NULL,
    payment_id   uuid REFERENCES payments (id) ON DELETE RESTRICT,
    outcome      text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (gateway, event_id)
);

-- The sandbox gateway's own books: what it was asked to charge and refund. It stands apart from
-- ours the way a real gateway's do (no keys to our tables).
CREATE TABLE sandbox_charges (
    payment_id    uuid PRIMARY KEY,
    amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
    currency      char(3) NOT NULL,
    description   text NOT NULL,
    -- Where the checkout page sends the moviegoer back to.
    return_path   text NOT NULL,
    status        text NOT NULL CHECK (status IN ('open', 'succeeded', 'failed')),
    card_last4    text,
    -- A delayed success is settled (and told) from this time on.
    settles_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sandbox_refunds (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    idempotency_key  text NOT NULL UNIQUE,
    payment_id       uuid NOT NULL REFERENCES sandbox_charges (payment_id),
    amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
    created_at       timestamptz NOT NULL DEFAULT now()
);
-- Its webhooks, signed when sent and sent again until we accept them.
CREATE TABLE sandbox_deliveries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body        bytea NOT NULL,
    deliver_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 0
);
CREATE INDEX sandbox_deliveries_due ON sandbox_deliveries (deliver_at);

-- Records a refund of `p_amount` of a succeeded payment as due, with its event; answers it.
-- The one refund a payment may have: asked twice, the first stands.
CREATE FUNCTION refund_due(p_payment uuid, p_amount bigint, p_reason text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    refund uuid;
BEGIN
    INSERT INTO refunds (payment_id, booking_id, amount_minor, currency, reason, status)
    SELECT p.id, p.booking_id, p_amount, coalesce(p.received_currency, p.currency), p_reason, 'pending'
      FROM payments p WHERE p.id = p_payment
    ON CONFLICT (payment_id) DO NOTHING
    RETURNING id INTO refund;
    IF refund IS NOT NULL THEN
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        SELECT 'payment', p_payment, 'refund.due',
               jsonb_build_object('refund_id', refund, 'payment_id', p_payment,
                                  'booking_id', r.booking_id, 'amount', r.amount_minor,
                                  'currency', r.currency, 'reason', p_reason)
          FROM refunds r WHERE r.id = refund;
    END IF;
    RETURN refund;
END
$$;

-- Starts paying for a held booking of `p_user` through `p_gateway`, or answers the payment
-- already open there. The first payment pins the hold and extends its deadline by `p_grace`.
-- Outcomes: created, existing, not_found, already_confirmed, booking_cancelled, hold_expired,
-- nothing_to_pay.
CREATE FUNCTION begin_payment(p_booking uuid, p_user uuid, p_gateway text, p_grace interval,
                              OUT outcome text, OUT payment_id uuid, OUT hold_expires_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    b record;
BEGIN
    SELECT bk.status, bk.user_id, bk.hold_expires_at, bk.total_minor, bk.currency, bk.pinned_at
      INTO b FROM bookings bk WHERE bk.id = p_booking FOR UPDATE;
    IF NOT FOUND OR b.user_id <> p_user THEN
        outcome := 'not_found'; RETURN;
    END IF;
    hold_expires_at := b.hold_expires_at;
    IF b.status = 'confirmed' THEN
        outcome := 'already_confirmed'; RETURN;
    ELSIF b.status = 'cancelled' THEN
        outcome := 'booking_cancelled'; RETURN;
    ELSIF b.status = 'expired' OR b.hold_expires_at <= now() THEN
        outcome := 'hold_expired'; RETURN;
    ELSIF b.total_minor = 0 THEN
        outcome := 'nothing_to_pay'; RETURN;
    END IF;
    SELECT p.id INTO payment_id FROM payments p
     WHERE p.booking_id = p_booking AND p.gateway = p_gateway AND p.status IN ('created', 'pending');
    IF FOUND THEN
        outcome := 'existing'; RETURN;
    END IF;
    INSERT INTO payments (booking_id, gateway, amount_minor, currency, status)
    VALUES (p_booking, p_gateway, b.total_minor, b.currency, 'created')
    RETURNING id INTO payment_id;
    IF b.pinned_at IS NULL THEN
        UPDATE bookings bk SET hold_expires_at = bk.hold_expires_at + p_grace, pinned_at = now(),
                               updated_at = now()
         WHERE bk.id = p_booking
        RETURNING bk.hold_expires_at INTO begin_payment.hold_expires_at;
    END IF;
    outcome := 'created';
END
$$;

-- A gateway says a payment succeeded: once per event, the payment is recorded and its booking
-- confirmed, or, when it cannot be, a refund of what was paid is recorded as due.
-- Outcomes: confirmed, refund_due (refund_id, reason), already_succeeded, duplicate_event,
-- unknown_payment.
CREATE FUNCTION payment_succeeded(p_gateway text, p_event text, p_payment uuid, p_amount bigint,
                                  p_currency text, OUT outcome text, OUT booking_id uuid,
                                  OUT show_id uuid, OUT seats uuid[], OUT released uuid[],
                                  OUT holder uuid, OUT refund_id uuid, OUT reason text)
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    known boolean;
    c record;
BEGIN
    SELECT py.id, py.booking_id, py.status, py.amount_minor, py.currency INTO p
      FROM payments py WHERE py.id = p_payment AND py.gateway = p_gateway FOR UPDATE;
    known := FOUND;
    INSERT INTO gateway_events (gateway, event_id, kind, payment_id, outcome)
    VALUES (p_gateway, p_event, 'payment.succeeded', CASE WHEN known THEN p_payment END,
            CASE WHEN NOT known THEN 'unknown_payment'
                 WHEN p.status = 'succeeded' THEN 'already_succeeded' ELSE 'recorded' END)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        outcome := 'duplicate_event'; RETURN;
    ELSIF NOT known THEN
        outcome := 'unknown_payment'; RETURN;
    END IF;
    booking_id := p.booking_id;
    IF p.status = 'succeeded' THEN
        outcome := 'already_succeeded'; RETURN;
    END IF;
    UPDATE payments SET status = 'succeeded', succeeded_at = now(), received_minor = p_amount,
                        received_currency = p_currency, failure_reason = NULL, updated_at = now()
     WHERE id = p_payment;
    INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
    VALUES ('payment', p_payment, 'payment.succeeded',
            jsonb_build_object('payment_id', p_payment, 'booking_id', p.booking_id,
                               'gateway', p_gateway, 'amount', p_amount, 'currency', p_currency));
    IF p_amount <> p.amount_minor OR p_currency <> p.currency THEN
        UPDATE payments SET review_reason = format('received %s %s, asked %s %s',
                                                   p_amount, p_currency, p.amount_minor, p.currency)
         WHERE id = p_payment;
        reason := 'amount_mismatch';
    ELSE
        SELECT * INTO c FROM confirm_booking(p.booking_id, p_payment);
        show_id := c.show_id;
        seats := c.seats;
        released := c.released;
        IF c.outcome = 'confirmed' THEN
            SELECT bk.user_id INTO holder FROM bookings bk WHERE bk.id = p.booking_id;
            outcome := 'confirmed'; RETURN;
        END IF;
        reason := CASE c.outcome WHEN 'seats_unavailable' THEN 'seats_taken'
                                 WHEN 'already_confirmed' THEN 'duplicate_payment'
                                 WHEN 'booking_cancelled' THEN 'booking_cancelled'
                                 WHEN 'show_cancelled' THEN 'show_cancelled'
                                 WHEN 'show_started' THEN 'show_started'
                                 WHEN 'payment_amount_mismatch' THEN 'amount_mismatch'
                                 ELSE 'other' END;
        IF reason = 'amount_mismatch' THEN
            UPDATE payments SET review_reason = 'the booking''s total differs from the payment'
             WHERE id = p_payment;
        END IF;
    END IF;
    IF p_amount > 0 THEN
        refund_id := refund_due(p_payment, p_amount, reason);
    END IF;
    outcome := 'refund_due';
END
$$;

-- A gateway says a payment failed: once per event, an open payment becomes failed (which unpins
-- its hold). A succeeded or given-up payment stays as it is. Outcomes: failed, unchanged,
-- duplicate_event, unknown_payment.
CREATE FUNCTION payment_failed(p_gateway text, p_event text, p_payment uuid, p_reason text,
                               OUT outcome text, OUT booking_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    known boolean;
BEGIN
    SELECT py.booking_id, py.status IN ('created', 'pending') AS open INTO p
      FROM payments py WHERE py.id = p_payment AND py.gateway = p_gateway FOR UPDATE;
    known := FOUND;
    outcome := CASE WHEN NOT known THEN 'unknown_payment' WHEN p.open THEN 'failed' ELSE 'unchanged' END;
    INSERT INTO gateway_events (gateway, event_id, kind, payment_id, outcome)
    VALUES (p_gateway, p_event, 'payment.failed', CASE WHEN known THEN p_payment END, outcome)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        outcome := 'duplicate_event'; RETURN;
    END IF;
    booking_id := p.booking_id;
    IF outcome = 'failed' THEN
        UPDATE payments SET status = 'failed', failure_reason = left(p_reason, 500), updated_at = now()
         WHERE id = p_payment;
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        VALUES ('payment', p_payment, 'payment.failed',
                jsonb_build_object('payment_id', p_payment, 'booking_id', p.booking_id,
                                   'gateway', p_gateway, 'reason', p_reason));
    END IF;
END
$$;

-- A gateway says a payment's refund settled: once per event, an open refund becomes succeeded
-- or failed. Outcomes: succeeded, failed, unchanged, duplicate_event, unknown_refund.
CREATE FUNCTION refund_settled(p_gateway text, p_event text, p_payment uuid, p_gateway_ref text,
                               p_succeeded boolean, OUT outcome text, OUT refund_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    known boolean;
BEGIN
    SELECT rf.id, rf.status IN ('pending', 'issued') AS open INTO r
      FROM refunds rf JOIN payments p ON p.id = rf.payment_id
     WHERE rf.payment_id = p_payment AND p.gateway = p_gateway FOR UPDATE OF rf;
    known := FOUND;
    outcome := CASE WHEN NOT known THEN 'unknown_refund' WHEN NOT r.open THEN 'unchanged'
                    WHEN p_succeeded THEN 'succeeded' ELSE 'failed' END;
    INSERT INTO gateway_events (gateway, event_id, kind, payment_id, outcome)
    VALUES (p_gateway, p_event, 'refund', CASE WHEN known THEN p_payment END, outcome)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        outcome := 'duplicate_event'; RETURN;
    END IF;
    refund_id := r.id;
    IF outcome IN ('succeeded', 'failed') THEN
        UPDATE refunds SET status = outcome, gateway_ref = coalesce(gateway_ref, p_gateway_ref),
                           updated_at = now()
         WHERE id = r.id;
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        VALUES ('payment', p_payment, 'refund.' || outcome,
                jsonb_build_object('refund_id', r.id, 'payment_id', p_payment));
    END IF;
END
$$;
-- As before, but a live hold with an open payment is ended only by its lapse.
CREATE OR REPLACE FUNCTION ended_holds(p_bookings uuid[], p_reason text)
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
         -- By key (the status compared as text, so the index of every held booking, which a
         -- plan made while there were none would read whole, is no candidate).
         WHERE b.id = ANY (p_bookings) AND b.status::text = 'held'
           -- A live hold with a payment in flight is neither replaced nor released by its user.
           AND (p_reason = 'expired' OR booking_state(b.status, b.hold_expires_at) <> 'held'
                OR NOT EXISTS (SELECT 1 FROM payments p
                                WHERE p.booking_id = b.id AND p.status IN ('created', 'pending')))
        RETURNING b.id, b.show_id, b.user_id, b.status),
    events AS (
        INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
        SELECT 'booking', id, CASE status WHEN 'expired' THEN 'booking.expired' ELSE 'booking.released' END,
               jsonb_build_object('booking_id', id, 'show_id', show_id, 'user_id', user_id,
                                  'reason', CASE status WHEN 'expired' THEN 'expired' ELSE p_reason END)
          FROM ended)
    SELECT bs.show_id, bs.seat_id FROM booking_seats bs
     WHERE bs.booking_id = ANY (ARRAY(SELECT e.id FROM ended e));
END
$$;

-- As 20261204000001_leaner_hold_write wrote it, with one more outcome: payment_pending, for a
-- user whose hold on the show has a payment in flight (it is neither replaced nor released).
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
               j.currency)::hold_verdict)
      INTO verdicts FROM judged j;

    -- The users' earlier holds and the lapsed ones end first: their lines still count as live.
    -- (Apart from the rest, since only at the end of its statement do their lines follow.)
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

-- As before, but strict: exactly the booking's total and currency, never a cancelled show; the
-- booking then names the payment that confirmed it.
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

-- As before, but a hold with a payment in flight is not released (payment_pending), and a paid
-- booking's policy refund is recorded as due.
CREATE OR REPLACE FUNCTION cancel_booking(p_booking uuid, p_status booking_status, p_refund bigint,
                                          p_valid_until timestamptz, OUT outcome text,
                                          OUT show_id uuid, OUT seats uuid[])
LANGUAGE plpgsql AS $$
DECLARE
    b record;
BEGIN
    SELECT bk.status, bk.show_id, bk.hold_expires_at, bk.payment_id
      INTO b FROM bookings bk WHERE bk.id = p_booking FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'not_found'; RETURN;
    END IF;
    show_id := b.show_id;
    IF b.status <> p_status THEN
        outcome := 'stale'; RETURN;
    ELSIF b.status = 'held' AND booking_state(b.status, b.hold_expires_at) = 'held'
          AND EXISTS (SELECT 1 FROM payments p
                       WHERE p.booking_id = p_booking AND p.status IN ('created', 'pending')) THEN
        outcome := 'payment_pending'; RETURN;
    ELSIF b.status = 'held' THEN
        seats := end_holds(ARRAY[p_booking], 'cancelled');
        outcome := CASE (SELECT status FROM bookings WHERE id = p_booking)
                        WHEN 'expired' THEN 'expired' ELSE 'released' END;
    ELSIF b.status = 'confirmed' THEN
        IF now() >= p_valid_until THEN
            outcome := 'stale'; RETURN;
        END IF;
        seats := ARRAY(SELECT bs.seat_id FROM booking_seats bs WHERE bs.booking_id = p_booking);
        UPDATE bookings SET status = 'cancelled', cancelled_at = now(), refund_due_minor = p_refund,
                            updated_at = now()
         WHERE id = p_booking;
        -- The policy's refund goes back through the payment that confirmed the booking.
        IF p_refund > 0 AND b.payment_id IS NOT NULL THEN
            PERFORM refund_due(b.payment_id, p_refund, 'cancelled_by_user');
        END IF;
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

-- As before, but holds with a payment in flight wait for the gateway's answer.
CREATE OR REPLACE FUNCTION expire_holds(p_batch integer, OUT expired integer,
                                        OUT lag_seconds double precision, OUT changes jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    due uuid[];
BEGIN
    SELECT array_agg(id), coalesce(EXTRACT(EPOCH FROM now() - min(hold_expires_at)), 0)
      INTO due, lag_seconds
      FROM (SELECT b.id, b.hold_expires_at FROM bookings b
             WHERE b.status = 'held' AND b.hold_expires_at <= now()
               -- Held for a payment in flight: the gateway is asked first (`payments` settles it).
               AND NOT EXISTS (SELECT 1 FROM payments p
                                WHERE p.booking_id = b.id AND p.status IN ('created', 'pending'))
             ORDER BY b.hold_expires_at LIMIT p_batch FOR UPDATE SKIP LOCKED) d;
    expired := coalesce(cardinality(due), 0);
    IF expired = 0 THEN
        lag_seconds := 0; changes := '[]'; RETURN;
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_array(g.show_id, g.seats)), '[]') INTO changes
      FROM (SELECT e.show_id, jsonb_agg(e.seat_id) AS seats
              FROM ended_holds(due, 'expired') e GROUP BY e.show_id) g;
END
$$;
-- Replaced functions keep their plans made once (20261203000001_booking_write_plans).
ALTER FUNCTION ended_holds(uuid[], text) SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;
ALTER FUNCTION hold_seats_many(hold_ask[], interval, interval, boolean)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
    SET enable_hashjoin = off SET enable_mergejoin = off;
ALTER FUNCTION confirm_booking(uuid, uuid)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
    SET enable_hashjoin = off SET enable_mergejoin = off;
ALTER FUNCTION cancel_booking(uuid, booking_status, bigint, timestamptz)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;
ALTER FUNCTION expire_holds(integer) SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;
