DROP TRIGGER bookings_food_returned ON bookings;
DROP FUNCTION food_returned();
DROP TRIGGER booking_items_fit ON booking_items;
DROP FUNCTION booking_item_fits();
DROP TRIGGER bookings_food_adds_up ON bookings;
DROP TRIGGER booking_items_add_up ON booking_items;
DROP FUNCTION booking_food_adds_up();
DROP FUNCTION food_given_back(uuid);
DROP FUNCTION food_taken(uuid);
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

ALTER TABLE refunds
    DROP CONSTRAINT refunds_reason_check,
    ADD CONSTRAINT refunds_reason_check CHECK (reason IN (
        'cancelled_by_user', 'hold_expired', 'seats_taken', 'show_cancelled', 'show_started',
        'booking_cancelled', 'duplicate_payment', 'amount_mismatch', 'offer_exhausted', 'other'));
ALTER TABLE bookings
    DROP CONSTRAINT bookings_total_adds_up,
    ADD CONSTRAINT bookings_total_adds_up
        CHECK (total_minor = subtotal_minor + convenience_fee_minor + tax_minor - discount_minor),
    DROP COLUMN food_tax_minor,
    DROP COLUMN food_minor;
DROP TABLE booking_items;
DROP TABLE food_stock;
DROP TABLE menu_items;
DROP FUNCTION food_tax_percent(food_tax);
DROP TYPE food_tax;
DROP TYPE menu_kind;
