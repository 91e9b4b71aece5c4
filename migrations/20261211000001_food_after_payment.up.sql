-- Food and drinks ordered after a booking is paid, until the cut-off before the show: each
-- order is paid on its own (`payments.food_order_id`).
--
-- * an order is priced when placed (`food_order_lines`, the same tax rule as a booking's lines)
--   and takes its stock when its payment succeeds (`food_order_paid`): under the stock rows'
--   locks, all or none; sold out meanwhile, or the booking cancelled, the payment is refunded;
-- * a paid order's lines join the booking's (`booking_items.order_id`) and its amounts the
--   booking's total, so the pickup list, the ticket, the stock given back on cancellation and
--   the reports read one set of lines;
-- * a cancellation's refund goes back through every payment that paid for the booking
--   (`booking_refunds_due`): its orders' first, then the one that confirmed it, each at most
--   what it took.

CREATE TABLE food_orders (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    booking_id      uuid NOT NULL REFERENCES bookings (id) ON DELETE RESTRICT,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
    food_minor      bigint NOT NULL CHECK (food_minor > 0),
    food_tax_minor  bigint NOT NULL CHECK (food_tax_minor >= 0),
    total_minor     bigint NOT NULL,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- Who may still pay (a payment in flight after this is given up by reconciliation).
    pay_by          timestamptz NOT NULL,
    -- The payment that paid it.
    payment_id      uuid,
    paid_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT food_orders_total CHECK (total_minor = food_minor + food_tax_minor),
    CONSTRAINT food_orders_paid CHECK ((status = 'paid') = (paid_at IS NOT NULL AND payment_id IS NOT NULL))
);
CREATE INDEX food_orders_booking ON food_orders (booking_id);

CREATE TABLE food_order_lines (
    order_id          uuid NOT NULL REFERENCES food_orders (id) ON DELETE CASCADE,
    item_id           uuid NOT NULL REFERENCES menu_items (id) ON DELETE RESTRICT,
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 20),
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor > 0),
    tax               food_tax NOT NULL,
    tax_minor         bigint NOT NULL,
    PRIMARY KEY (order_id, item_id),
    CONSTRAINT food_order_lines_tax
        CHECK (tax_minor = (unit_price_minor * quantity * food_tax_percent(tax) + 50) / 100)
);

-- An order's amounts are its lines' sums, checked when the transaction commits.
CREATE FUNCTION food_order_adds_up() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    food_order uuid;
BEGIN
    -- Each branch is compiled only when taken: the two tables' rows differ.
    IF TG_TABLE_NAME = 'food_orders' THEN
        food_order := NEW.id;
    ELSE
        food_order := NEW.order_id;
    END IF;
    IF EXISTS (SELECT 1 FROM food_orders fo,
                      LATERAL (SELECT coalesce(sum(l.unit_price_minor * l.quantity), 0) AS food,
                                      coalesce(sum(l.tax_minor), 0) AS tax
                                 FROM food_order_lines l WHERE l.order_id = food_order) lines
                WHERE fo.id = food_order
                  AND (fo.food_minor <> lines.food OR fo.food_tax_minor <> lines.tax)) THEN
        RAISE EXCEPTION 'food order % does not add up to its lines', food_order
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER food_orders_add_up AFTER INSERT ON food_orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION food_order_adds_up();
CREATE CONSTRAINT TRIGGER food_order_lines_add_up AFTER INSERT ON food_order_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION food_order_adds_up();
-- Placed once: a line or an amount never changes after.
CREATE FUNCTION food_order_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a placed food order is not changed' USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER food_order_lines_fixed BEFORE UPDATE OR DELETE ON food_order_lines
    FOR EACH ROW EXECUTE FUNCTION food_order_fixed();
CREATE TRIGGER food_orders_fixed BEFORE UPDATE OF booking_id, food_minor, food_tax_minor, total_minor, currency
    ON food_orders FOR EACH ROW EXECUTE FUNCTION food_order_fixed();

ALTER TABLE payments ADD COLUMN food_order_id uuid REFERENCES food_orders (id) ON DELETE RESTRICT;
CREATE INDEX payments_food_order ON payments (food_order_id) WHERE food_order_id IS NOT NULL;
ALTER TABLE food_orders ADD CONSTRAINT food_orders_payment FOREIGN KEY (payment_id) REFERENCES payments (id);

-- A line ordered with the seats has no order; a paid order's lines name it.
ALTER TABLE booking_items
    ADD COLUMN order_id uuid REFERENCES food_orders (id) ON DELETE RESTRICT,
    DROP CONSTRAINT booking_items_pkey,
    ADD CONSTRAINT booking_items_line UNIQUE NULLS NOT DISTINCT (booking_id, item_id, order_id);

-- Items are ordered with held seats, from the menu of the show's theater; a paid order's lines
-- join its confirmed booking.
CREATE OR REPLACE FUNCTION booking_item_fits() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM bookings b JOIN shows s ON s.id = b.show_id
                     JOIN screens sc ON sc.id = s.screen_id
                     JOIN menu_items m ON m.theater_id = sc.theater_id
                    WHERE b.id = NEW.booking_id AND m.id = NEW.item_id
                      AND CASE WHEN NEW.order_id IS NULL THEN b.status = 'held'
                               ELSE b.status = 'confirmed'
                                    AND EXISTS (SELECT 1 FROM food_orders fo
                                                 WHERE fo.id = NEW.order_id
                                                   AND fo.booking_id = b.id
                                                   AND fo.status = 'paid') END) THEN
        RAISE EXCEPTION 'item % is not for booking %', NEW.item_id, NEW.booking_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

-- Pays food order `p_order` with `p_payment` (succeeded): its items are taken from the show's
-- stock and its lines and amounts join the booking. Outcomes as `confirm_booking`'s:
-- confirmed, already_confirmed (paid by another payment), booking_cancelled, show_cancelled,
-- show_started, out_of_stock; all but the first leave everything as it was.
CREATE FUNCTION food_order_paid(p_order uuid, p_payment uuid, OUT outcome text,
                                OUT show_id uuid, OUT seats uuid[], OUT released uuid[])
LANGUAGE plpgsql AS $$
DECLARE
    booking uuid := (SELECT fo.booking_id FROM food_orders fo WHERE fo.id = p_order);
    b record;
    o record;
BEGIN
    -- The show, the booking, the order, then the stock rows in key order: calling a show off
    -- locks it before its bookings, and new stock rows need it.
    PERFORM 1 FROM shows s JOIN bookings bk ON bk.show_id = s.id
      WHERE bk.id = booking FOR KEY SHARE OF s;
    SELECT bk.status, bk.show_id, s.starts_at <= now() AS started,
           s.status <> 'scheduled' AS called_off
      INTO b FROM bookings bk JOIN shows s ON s.id = bk.show_id
     WHERE bk.id = booking FOR UPDATE OF bk;
    SELECT fo.status, fo.food_minor, fo.food_tax_minor, fo.total_minor INTO o
      FROM food_orders fo WHERE fo.id = p_order FOR UPDATE;
    IF o.status = 'paid' THEN
        outcome := 'already_confirmed'; RETURN;
    ELSIF b.status <> 'confirmed' THEN
        outcome := 'booking_cancelled'; RETURN;
    ELSIF b.called_off THEN
        outcome := 'show_cancelled'; RETURN;
    ELSIF b.started THEN
        outcome := 'show_started'; RETURN;
    END IF;
    INSERT INTO food_stock (show_id, item_id, quantity)
    SELECT b.show_id, l.item_id, m.stock_per_show
      FROM food_order_lines l JOIN menu_items m ON m.id = l.item_id
     WHERE l.order_id = p_order ORDER BY l.item_id
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM food_stock fs JOIN food_order_lines l ON l.item_id = fs.item_id
      WHERE l.order_id = p_order AND fs.show_id = b.show_id ORDER BY fs.item_id FOR UPDATE OF fs;
    IF EXISTS (SELECT 1 FROM food_stock fs JOIN food_order_lines l ON l.item_id = fs.item_id
                WHERE l.order_id = p_order AND fs.show_id = b.show_id
                  AND fs.quantity IS NOT NULL AND fs.sold + l.quantity > fs.quantity) THEN
        outcome := 'out_of_stock'; RETURN;
    END IF;
    UPDATE food_stock fs SET sold = fs.sold + l.quantity
      FROM food_order_lines l
     WHERE l.order_id = p_order AND fs.show_id = b.show_id AND fs.item_id = l.item_id;
    UPDATE food_orders SET status = 'paid', paid_at = now(), payment_id = p_payment
     WHERE id = p_order;
    INSERT INTO booking_items (booking_id, order_id, item_id, quantity, unit_price_minor, tax, tax_minor)
    SELECT booking, p_order, l.item_id, l.quantity, l.unit_price_minor, l.tax, l.tax_minor
      FROM food_order_lines l WHERE l.order_id = p_order;
    UPDATE bookings SET food_minor = food_minor + o.food_minor,
                        food_tax_minor = food_tax_minor + o.food_tax_minor,
                        total_minor = total_minor + o.total_minor, updated_at = now()
     WHERE id = booking;
    INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
    VALUES ('booking', booking, 'food_order.paid',
            jsonb_build_object('booking_id', booking, 'order_id', p_order, 'show_id', b.show_id,
                               'payment_id', p_payment, 'amount', o.total_minor));
    outcome := 'confirmed';
END
$$;

-- Records refunds of `p_amount` of a booking through the payments that paid for it: its food
-- orders' (newest first), then the one that confirmed it, each at most what it took. Answers
-- how many refunds it recorded.
CREATE FUNCTION booking_refunds_due(p_booking uuid, p_amount bigint, p_reason text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    owed bigint := p_amount;
    paid record;
    share bigint;
    made integer := 0;
BEGIN
    FOR paid IN
        SELECT p.id, p.amount_minor, 0 AS rank, fo.paid_at
          FROM food_orders fo JOIN payments p ON p.id = fo.payment_id
         WHERE fo.booking_id = p_booking AND fo.status = 'paid'
        UNION ALL
        SELECT p.id, p.amount_minor, 1, NULL
          FROM bookings b JOIN payments p ON p.id = b.payment_id
         WHERE b.id = p_booking
        ORDER BY 3, 4 DESC
    LOOP
        EXIT WHEN owed <= 0;
        share := least(owed, paid.amount_minor);
        IF refund_due(paid.id, share, p_reason) IS NOT NULL THEN
            made := made + 1;
        END IF;
        owed := owed - share;
    END LOOP;
    RETURN made;
END
$$;

-- Starts paying food order `p_order` of `p_user`'s through `p_gateway`. Outcomes: created,
-- existing (an open payment there), not_found, already_paid, booking_cancelled, too_late.
CREATE FUNCTION begin_food_payment(p_order uuid, p_user uuid, p_gateway text,
                                   OUT outcome text, OUT payment_id uuid, OUT booking_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
    o record;
BEGIN
    SELECT fo.status, fo.booking_id, fo.total_minor, fo.currency, fo.pay_by, b.user_id,
           b.status AS booking_status
      INTO o FROM food_orders fo JOIN bookings b ON b.id = fo.booking_id
     WHERE fo.id = p_order FOR UPDATE OF fo;
    IF NOT FOUND OR o.user_id <> p_user THEN
        outcome := 'not_found'; RETURN;
    ELSIF o.status = 'paid' THEN
        outcome := 'already_paid'; RETURN;
    ELSIF o.booking_status <> 'confirmed' THEN
        outcome := 'booking_cancelled'; RETURN;
    ELSIF o.pay_by <= now() THEN
        outcome := 'too_late'; RETURN;
    END IF;
    booking_id := o.booking_id;
    SELECT p.id INTO payment_id FROM payments p
     WHERE p.food_order_id = p_order AND p.gateway = p_gateway AND p.status IN ('created', 'pending');
    IF FOUND THEN
        outcome := 'existing'; RETURN;
    END IF;
    INSERT INTO payments (booking_id, food_order_id, gateway, amount_minor, currency, status)
    VALUES (o.booking_id, p_order, p_gateway, o.total_minor, o.currency, 'created')
    RETURNING id INTO payment_id;
    outcome := 'created';
END
$$;

-- As in 20261204000002_payments, refunding through every payment of the booking.
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
        -- The policy's refund goes back through the payments that paid for the booking.
        IF p_refund > 0 THEN
            PERFORM booking_refunds_due(p_booking, p_refund, 'cancelled_by_user');
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

-- As in 20261204000006_show_cancellation, refunding through every payment of each booking.
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
           coalesce(sum(booking_refunds_due(g.id, g.total_minor, 'show_cancelled'))
                        FILTER (WHERE g.total_minor > 0), 0)
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

-- As in 20261210000001_food, a food order's payment paying its order.
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
    SELECT py.id, py.booking_id, py.food_order_id, py.status, py.amount_minor, py.currency INTO p
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
        IF p.food_order_id IS NULL THEN
            SELECT * INTO c FROM confirm_booking(p.booking_id, p_payment);
        ELSE
            SELECT * INTO c FROM food_order_paid(p.food_order_id, p_payment);
        END IF;
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
