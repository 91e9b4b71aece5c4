-- Lines of paid orders stay on their bookings, which still add up.
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
                                 WHEN 'out_of_stock' THEN 'out_of_stock'
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

CREATE OR REPLACE FUNCTION cancel_show(p_actor uuid, p_show uuid, OUT outcome text, OUT released uuid[],
                            OUT refunds integer)
LANGUAGE plpgsql AS $$
DECLARE
    s record;
    cancelled uuid[];
BEGIN
    released := '{}';
    refunds := 0;
    SELECT sh.status, sc.theater_id INTO s
      FROM shows sh JOIN screens sc ON sc.id = sh.screen_id
     WHERE sh.id = p_show FOR UPDATE OF sh;
    IF NOT FOUND THEN
        outcome := 'not_found'; RETURN;
    ELSIF s.status = 'cancelled' THEN
        outcome := 'already_cancelled'; RETURN;
    END IF;
    UPDATE shows SET status = 'cancelled', updated_at = now() WHERE id = p_show;

    released := ARRAY(SELECT e.seat_id FROM ended_holds(
                          ARRAY(SELECT b.id FROM bookings b
                                 WHERE b.show_id = p_show AND b.status = 'held'),
                          'show_cancelled') e);

    WITH gone AS (
        UPDATE bookings b SET status = 'cancelled', cancelled_at = now(),
                              refund_due_minor = b.total_minor, updated_at = now()
         WHERE b.show_id = p_show AND b.status = 'confirmed'
        RETURNING b.id, b.payment_id, b.total_minor)
    SELECT coalesce(array_agg(g.id), '{}'),
           count(*) FILTER (WHERE g.payment_id IS NOT NULL AND g.total_minor > 0
                              AND refund_due(g.payment_id, g.total_minor, 'show_cancelled') IS NOT NULL)
      INTO cancelled, refunds
      FROM gone g;
    released := released || ARRAY(SELECT bs.seat_id FROM booking_seats bs
                                   WHERE bs.booking_id = ANY (cancelled));

    INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
    SELECT 'booking', b.id, 'booking.cancelled',
           jsonb_build_object('booking_id', b.id, 'show_id', p_show, 'reason', 'show_cancelled',
                              'refund_due', b.refund_due_minor)
      FROM bookings b WHERE b.id = ANY (cancelled)
    UNION ALL
    SELECT 'show', p_show, 'show.cancelled',
           jsonb_build_object('show_id', p_show, 'bookings_cancelled', cardinality(cancelled),
                              'refunds', refunds);
    INSERT INTO audit_log (actor_id, theater_id, action, subject_id, before, after)
    VALUES (p_actor, s.theater_id, 'show.cancelled', p_show, jsonb_build_object('status', 'scheduled'),
            jsonb_build_object('status', 'cancelled', 'bookings_cancelled', cardinality(cancelled),
                               'refunds', refunds));
    outcome := 'cancelled';
END
$$;

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
ALTER FUNCTION cancel_booking(uuid, booking_status, bigint, timestamptz)
    SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;

CREATE OR REPLACE FUNCTION booking_item_fits() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bookings b JOIN shows s ON s.id = b.show_id
                     JOIN screens sc ON sc.id = s.screen_id
                     JOIN menu_items m ON m.theater_id = sc.theater_id
                    WHERE b.id = NEW.booking_id AND b.status = 'held' AND m.id = NEW.item_id) THEN
        RAISE EXCEPTION 'item % is not for booking %', NEW.item_id, NEW.booking_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

DROP FUNCTION begin_food_payment(uuid, uuid, text);
DROP FUNCTION booking_refunds_due(uuid, bigint, text);
DROP FUNCTION food_order_paid(uuid, uuid);
ALTER TABLE booking_items
    DROP CONSTRAINT booking_items_line,
    DROP COLUMN order_id,
    ADD PRIMARY KEY (booking_id, item_id);
ALTER TABLE food_orders DROP CONSTRAINT food_orders_payment;
ALTER TABLE payments DROP COLUMN food_order_id;
DROP TABLE food_order_lines;
DROP TABLE food_orders;
DROP FUNCTION food_order_fixed();
DROP FUNCTION food_order_adds_up();
