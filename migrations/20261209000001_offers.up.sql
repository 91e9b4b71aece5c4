-- Offers and vouchers: codes giving a discount on a booking, within limits the database keeps.
--
-- * an offer applied to a held booking is a claim: claims of live holds and redemptions
--   together stay within the offer's limits (checked under the offer's row lock when applied);
-- * an offer is redeemed in the transaction that confirms its booking (`confirm_booking`), and
--   `offers.redeemed` can never pass `max_uses`: a booking whose claim lapsed and whose offer
--   ran out meanwhile is not confirmed, and its payment is refunded;
-- * a confirmed booking that is cancelled gives its uses back (a trigger, whoever cancels).

CREATE TYPE offer_kind AS ENUM ('percent', 'flat');
-- What the discount is taken from: the ticket prices, or the total with fee and tax.
CREATE TYPE offer_base AS ENUM ('tickets', 'total');

CREATE TABLE offers (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,23}$'),
    description        text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    kind               offer_kind NOT NULL,
    -- Percent (1 to 100) or minor units.
    value              bigint NOT NULL CHECK (value > 0),
    max_discount_minor bigint CHECK (max_discount_minor > 0),
    min_order_minor    bigint NOT NULL DEFAULT 0 CHECK (min_order_minor >= 0),
    max_uses           integer CHECK (max_uses > 0),
    per_user_limit     integer CHECK (per_user_limit > 0),
    valid_from         timestamptz NOT NULL,
    valid_to           timestamptz NOT NULL,
    -- Scope: each one set narrows where the offer applies.
    city_id            uuid REFERENCES cities (id) ON DELETE RESTRICT,
    theater_id         uuid REFERENCES theaters (id) ON DELETE RESTRICT,
    movie_id           uuid REFERENCES movies (id) ON DELETE RESTRICT,
    show_id            uuid REFERENCES shows (id) ON DELETE RESTRICT,
    seat_category      text CHECK (length(seat_category) BETWEEN 1 AND 40),
    gateway            text CHECK (gateway IN ('stripe', 'razorpay', 'sandbox')),
    stackable          boolean NOT NULL DEFAULT false,
    base               offer_base NOT NULL DEFAULT 'tickets',
    -- A booking made with a non-cancellable offer cannot be cancelled.
    cancellable        boolean NOT NULL DEFAULT true,
    paused             boolean NOT NULL DEFAULT false,
    redeemed           integer NOT NULL DEFAULT 0 CHECK (redeemed >= 0),
    created_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT offers_percent CHECK (kind <> 'percent' OR value <= 100),
    CONSTRAINT offers_window CHECK (valid_to > valid_from),
    CONSTRAINT offers_within_limit CHECK (max_uses IS NULL OR redeemed <= max_uses),
    CONSTRAINT offers_category_on_tickets CHECK (seat_category IS NULL OR base = 'tickets')
);
CREATE INDEX offers_theater ON offers (theater_id);

CREATE TABLE booking_offers (
    booking_id     uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    offer_id       uuid NOT NULL REFERENCES offers (id) ON DELETE RESTRICT,
    discount_minor bigint NOT NULL CHECK (discount_minor > 0),
    applied_at     timestamptz NOT NULL DEFAULT now(),
    redeemed_at    timestamptz,
    -- The use given back by a cancellation.
    released_at    timestamptz,
    PRIMARY KEY (booking_id, offer_id),
    CHECK (released_at IS NULL OR redeemed_at IS NOT NULL)
);
CREATE INDEX booking_offers_offer ON booking_offers (offer_id);

ALTER TABLE bookings
    ADD COLUMN discount_minor bigint NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
    DROP CONSTRAINT bookings_total_adds_up,
    ADD CONSTRAINT bookings_total_adds_up
        CHECK (total_minor = subtotal_minor + convenience_fee_minor + tax_minor - discount_minor),
    ADD CONSTRAINT bookings_total_not_negative CHECK (total_minor >= 0);

ALTER TABLE refunds
    DROP CONSTRAINT refunds_reason_check,
    ADD CONSTRAINT refunds_reason_check CHECK (reason IN (
        'cancelled_by_user', 'hold_expired', 'seats_taken', 'show_cancelled', 'show_started',
        'booking_cancelled', 'duplicate_payment', 'amount_mismatch', 'offer_exhausted', 'other'));

-- Uses of `p_offer` that count against its limits besides `p_except`: redemptions not given
-- back, and claims of holds still live (of `p_user` alone when given).
CREATE FUNCTION offer_uses(p_offer uuid, p_user uuid, p_except uuid) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM booking_offers bo JOIN bookings b ON b.id = bo.booking_id
     WHERE bo.offer_id = p_offer AND bo.booking_id <> p_except
       AND (p_user IS NULL OR b.user_id = p_user)
       AND ((bo.redeemed_at IS NOT NULL AND bo.released_at IS NULL)
            OR (b.status = 'held' AND b.hold_expires_at > now()))
$$;

-- Redeems a booking's offers, locking them in key order; false (and nothing changed) when one
-- is used up in total or by this user.
CREATE FUNCTION offers_redeemed(p_booking uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    holder uuid := (SELECT user_id FROM bookings WHERE id = p_booking);
BEGIN
    PERFORM 1 FROM offers o JOIN booking_offers bo ON bo.offer_id = o.id
      WHERE bo.booking_id = p_booking AND bo.redeemed_at IS NULL ORDER BY o.id FOR UPDATE OF o;
    IF EXISTS (SELECT 1 FROM offers o JOIN booking_offers bo ON bo.offer_id = o.id
                WHERE bo.booking_id = p_booking AND bo.redeemed_at IS NULL
                  AND ((o.max_uses IS NOT NULL AND o.redeemed >= o.max_uses)
                       OR (o.per_user_limit IS NOT NULL
                           AND (SELECT count(*) FROM booking_offers mine
                                  JOIN bookings b ON b.id = mine.booking_id
                                 WHERE mine.offer_id = o.id AND b.user_id = holder
                                   AND mine.redeemed_at IS NOT NULL AND mine.released_at IS NULL)
                               >= o.per_user_limit))) THEN
        RETURN false;
    END IF;
    UPDATE offers o SET redeemed = o.redeemed + 1, updated_at = now()
      FROM booking_offers bo
     WHERE bo.offer_id = o.id AND bo.booking_id = p_booking AND bo.redeemed_at IS NULL;
    UPDATE booking_offers SET redeemed_at = now() WHERE booking_id = p_booking AND redeemed_at IS NULL;
    RETURN true;
END
$$;

-- A confirmed booking cancelled (by its owner, the theater, or a show called off) gives back
-- the uses of its offers.
CREATE FUNCTION offer_uses_given_back() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- In key order, as redemptions lock them, so the two queue rather than deadlock.
    PERFORM 1 FROM offers o JOIN booking_offers bo ON bo.offer_id = o.id
      WHERE bo.booking_id = NEW.id ORDER BY o.id FOR UPDATE OF o;
    UPDATE offers o SET redeemed = o.redeemed - 1, updated_at = now()
      FROM booking_offers bo
     WHERE bo.offer_id = o.id AND bo.booking_id = NEW.id
       AND bo.redeemed_at IS NOT NULL AND bo.released_at IS NULL;
    UPDATE booking_offers SET released_at = now()
     WHERE booking_id = NEW.id AND redeemed_at IS NOT NULL AND released_at IS NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER bookings_offer_uses_given_back AFTER UPDATE OF status ON bookings
    FOR EACH ROW WHEN (OLD.status = 'confirmed' AND NEW.status = 'cancelled')
    EXECUTE FUNCTION offer_uses_given_back();

-- As last written (20261204000002_payments, and confirm_booking in
-- 20261204000007_sales_pause_and_retired_seats), but with offers: a payment through a gateway
-- an applied offer is not for is refused, and one whose booking's offer ran out is refunded.
CREATE OR REPLACE FUNCTION begin_payment(p_booking uuid, p_user uuid, p_gateway text, p_grace interval,
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
    ELSIF EXISTS (SELECT 1 FROM booking_offers bo JOIN offers o ON o.id = bo.offer_id
                   WHERE bo.booking_id = p_booking AND o.gateway <> p_gateway) THEN
        outcome := 'offer_gateway'; RETURN;
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

CREATE OR REPLACE FUNCTION payment_succeeded(p_gateway text, p_event text, p_payment uuid, p_amount bigint,
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
                                 WHEN 'offer_exhausted' THEN 'offer_exhausted'
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
    -- A seat taken by someone else, or taken out of the layout since the hold lapsed.
    IF EXISTS (SELECT 1 FROM unnest(seats) s (seat)
                 JOIN seat_states st ON st.show_id = b.show_id AND st.seat_id = s.seat
                 JOIN seats se ON se.id = s.seat
                WHERE (st.status <> 'available' AND st.booking_id <> p_booking)
                   OR se.retired_at IS NOT NULL) THEN
        outcome := 'seats_unavailable';
        seats := ARRAY(SELECT st.seat_id FROM unnest(seats) s (seat)
                         JOIN seat_states st ON st.show_id = b.show_id AND st.seat_id = s.seat
                         JOIN seats se ON se.id = s.seat
                        WHERE (st.status <> 'available' AND st.booking_id <> p_booking)
                           OR se.retired_at IS NOT NULL
                        ORDER BY st.seat_id);
        RETURN;
    END IF;
    -- Its offers are redeemed now, under their rows' locks: past an offer's limits (a lapsed
    -- hold's claim no longer counted, and others redeemed it since) the booking is not
    -- confirmed, and the payment is refunded.
    IF EXISTS (SELECT 1 FROM booking_offers bo WHERE bo.booking_id = p_booking) THEN
        IF NOT offers_redeemed(p_booking) THEN
            outcome := 'offer_exhausted'; RETURN;
        END IF;
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
