-- Food and drinks: each theater's menu, sold with the tickets of a show.
--
-- * every item sold for a show counts against that show's stock row (`food_stock.sold`), taken
--   and given back under the row's lock: `sold` never passes `quantity`, under any concurrency;
-- * a booking's items are priced into it (`food_minor`, `food_tax_minor` in its total); a hold
--   that lapses or is released, and a confirmed booking that is cancelled, give them back (a
--   trigger, whoever ends the booking), and a lapsed hold confirmed late takes them again or is
--   refunded (`confirm_booking`).

CREATE TYPE menu_kind AS ENUM ('item', 'combo');
-- GST on food and drinks: 5% for what a cinema serves, 18% for the rest, or none.
CREATE TYPE food_tax AS ENUM ('gst5', 'gst18', 'exempt');

CREATE FUNCTION food_tax_percent(food_tax) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE $1 WHEN 'gst5' THEN 5 WHEN 'gst18' THEN 18 ELSE 0 END
$$;

CREATE TABLE menu_items (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    theater_id      uuid NOT NULL REFERENCES theaters (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    -- "Regular", "Large": each size is an item of its own.
    size            text CHECK (length(btrim(size)) BETWEEN 1 AND 20),
    kind            menu_kind NOT NULL DEFAULT 'item',
    -- What a combo holds, or a line about the item.
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    veg             boolean NOT NULL,
    -- Before tax, in minor units of the show's currency.
    price_minor     bigint NOT NULL CHECK (price_minor > 0 AND price_minor <= 10000000),
    tax             food_tax NOT NULL DEFAULT 'gst5',
    -- Each show's stock, unless the show's row says otherwise; none: unlimited.
    stock_per_show  integer CHECK (stock_per_show BETWEEN 0 AND 100000),
    available       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (theater_id, name, size)
);

-- What each show sells of an item, written with its first order: `quantity` (none: unlimited)
-- bounds `sold`, the items of live holds and confirmed bookings.
CREATE TABLE food_stock (
    show_id   uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    item_id   uuid NOT NULL REFERENCES menu_items (id) ON DELETE CASCADE,
    quantity  integer CHECK (quantity >= 0),
    sold      integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
    PRIMARY KEY (show_id, item_id),
    CONSTRAINT food_stock_not_oversold CHECK (quantity IS NULL OR sold <= quantity)
);

CREATE TABLE booking_items (
    booking_id        uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    item_id           uuid NOT NULL REFERENCES menu_items (id) ON DELETE RESTRICT,
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 20),
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor > 0),
    tax               food_tax NOT NULL,
    -- The line's tax, rounded half up to the minor unit.
    tax_minor         bigint NOT NULL,
    -- Handed over at the counter.
    picked_up_at      timestamptz,
    PRIMARY KEY (booking_id, item_id),
    CONSTRAINT booking_items_tax
        CHECK (tax_minor = (unit_price_minor * quantity * food_tax_percent(tax) + 50) / 100)
);
CREATE INDEX booking_items_item ON booking_items (item_id);

ALTER TABLE bookings
    ADD COLUMN food_minor bigint NOT NULL DEFAULT 0 CHECK (food_minor >= 0),
    ADD COLUMN food_tax_minor bigint NOT NULL DEFAULT 0 CHECK (food_tax_minor >= 0),
    DROP CONSTRAINT bookings_total_adds_up,
    ADD CONSTRAINT bookings_total_adds_up
        CHECK (total_minor = subtotal_minor + convenience_fee_minor + tax_minor + food_minor
                             + food_tax_minor - discount_minor);

-- A booking's food and its tax are its lines' sums, checked when the transaction commits.
CREATE FUNCTION booking_food_adds_up() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    booking uuid;
BEGIN
    -- Each branch is compiled only when taken: the two tables' rows differ.
    IF TG_TABLE_NAME = 'bookings' THEN
        booking := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        booking := OLD.booking_id;
    ELSE
        booking := NEW.booking_id;
    END IF;
    IF EXISTS (SELECT 1 FROM bookings b,
                      LATERAL (SELECT coalesce(sum(bi.unit_price_minor * bi.quantity), 0) AS food,
                                      coalesce(sum(bi.tax_minor), 0) AS tax
                                 FROM booking_items bi WHERE bi.booking_id = booking) lines
                WHERE b.id = booking
                  AND (b.food_minor <> lines.food OR b.food_tax_minor <> lines.tax)) THEN
        RAISE EXCEPTION 'the food of booking % does not add up to its lines', booking
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER booking_items_add_up AFTER INSERT OR UPDATE OR DELETE ON booking_items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION booking_food_adds_up();
CREATE CONSTRAINT TRIGGER bookings_food_adds_up AFTER UPDATE OF food_minor, food_tax_minor ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.food_minor <> OLD.food_minor OR NEW.food_tax_minor <> OLD.food_tax_minor)
    EXECUTE FUNCTION booking_food_adds_up();

-- Items are ordered with held seats only, from the menu of the show's theater.
CREATE FUNCTION booking_item_fits() RETURNS trigger
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
CREATE TRIGGER booking_items_fit BEFORE INSERT OR UPDATE OF item_id, quantity, unit_price_minor, tax
    ON booking_items FOR EACH ROW EXECUTE FUNCTION booking_item_fits();

ALTER TABLE refunds
    DROP CONSTRAINT refunds_reason_check,
    ADD CONSTRAINT refunds_reason_check CHECK (reason IN (
        'cancelled_by_user', 'hold_expired', 'seats_taken', 'show_cancelled', 'show_started',
        'booking_cancelled', 'duplicate_payment', 'amount_mismatch', 'offer_exhausted',
        'out_of_stock', 'other'));

-- Takes a booking's items from its show's stock, all or none: false (and nothing changed) when
-- one has too few left. Rows are locked in key order, as every writer of stock locks them.
CREATE FUNCTION food_taken(p_booking uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    show uuid := (SELECT show_id FROM bookings WHERE id = p_booking);
BEGIN
    INSERT INTO food_stock (show_id, item_id, quantity)
    SELECT show, bi.item_id, m.stock_per_show
      FROM booking_items bi JOIN menu_items m ON m.id = bi.item_id
     WHERE bi.booking_id = p_booking
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM food_stock fs JOIN booking_items bi ON bi.item_id = fs.item_id
      WHERE bi.booking_id = p_booking AND fs.show_id = show ORDER BY fs.item_id FOR UPDATE OF fs;
    IF EXISTS (SELECT 1 FROM food_stock fs JOIN booking_items bi ON bi.item_id = fs.item_id
                WHERE bi.booking_id = p_booking AND fs.show_id = show
                  AND fs.quantity IS NOT NULL AND fs.sold + bi.quantity > fs.quantity) THEN
        RETURN false;
    END IF;
    UPDATE food_stock fs SET sold = fs.sold + bi.quantity
      FROM booking_items bi
     WHERE bi.booking_id = p_booking AND fs.show_id = show AND fs.item_id = bi.item_id;
    RETURN true;
END
$$;

-- Gives a booking's items back to its show's stock.
CREATE FUNCTION food_given_back(p_booking uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    show uuid := (SELECT show_id FROM bookings WHERE id = p_booking);
BEGIN
    PERFORM 1 FROM food_stock fs JOIN booking_items bi ON bi.item_id = fs.item_id
      WHERE bi.booking_id = p_booking AND fs.show_id = show ORDER BY fs.item_id FOR UPDATE OF fs;
    UPDATE food_stock fs SET sold = fs.sold - bi.quantity
      FROM booking_items bi
     WHERE bi.booking_id = p_booking AND fs.show_id = show AND fs.item_id = bi.item_id;
END
$$;

-- Gives back the items of every booking a statement ended (a held booking that lapsed or was
-- released, a confirmed one cancelled), whoever ended it: summed per show and item, and taken
-- from the stock rows in key order, however many bookings the statement ended. (A lapsed hold
-- confirmed late takes its items again in `confirm_booking`.)
CREATE FUNCTION food_returned() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    back record;
BEGIN
    FOR back IN
        SELECT n.show_id, bi.item_id, sum(bi.quantity)::integer AS quantity
          FROM ended_after n JOIN ended_before o ON o.id = n.id
          JOIN booking_items bi ON bi.booking_id = n.id
         WHERE o.status IN ('held', 'confirmed') AND n.status IN ('expired', 'cancelled')
           AND n.food_minor > 0
         GROUP BY n.show_id, bi.item_id
         ORDER BY n.show_id, bi.item_id
    LOOP
        UPDATE food_stock SET sold = sold - back.quantity
         WHERE show_id = back.show_id AND item_id = back.item_id;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER bookings_food_returned AFTER UPDATE ON bookings
    REFERENCING OLD TABLE AS ended_before NEW TABLE AS ended_after
    FOR EACH STATEMENT EXECUTE FUNCTION food_returned();

-- As in 20261209000001_offers, with `out_of_stock`: a lapsed hold confirmed late takes its food
-- again, or is not confirmed and its payment is refunded.
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

CREATE OR REPLACE FUNCTION confirm_booking(p_booking uuid, p_payment uuid, OUT outcome text,
                                           OUT show_id uuid, OUT seats uuid[], OUT released uuid[])
LANGUAGE plpgsql AS $$
DECLARE
    b record;
    paid record;
    ending uuid[];
BEGIN
    SELECT bk.status, bk.show_id, bk.total_minor, bk.currency, bk.food_minor, s.starts_at <= now() AS started,
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
        -- Refunded already (it could not confirm when it arrived): it never confirms later.
        ELSIF EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = p_payment) THEN
            outcome := 'payment_refunded'; RETURN;
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
    -- Held bookings with live lines on these seats are past their deadline: they end below.
    ending := ARRAY(SELECT l.booking_id FROM unnest(seats) s (seat),
                    LATERAL (SELECT bs.booking_id, bs.status FROM booking_seats bs
                              WHERE bs.show_id = b.show_id AND bs.seat_id = s.seat
                                AND bs.status IN ('held', 'confirmed') OFFSET 0) l
                     WHERE l.status = 'held' AND l.booking_id <> p_booking);
    -- The stock rows this may touch (its own items, those the ended holds give back), locked
    -- at once in key order, as every writer of stock locks them.
    IF b.food_minor > 0 OR cardinality(ending) > 0 THEN
        PERFORM 1 FROM food_stock fs
          WHERE fs.show_id = b.show_id
            AND fs.item_id IN (SELECT bi.item_id FROM booking_items bi
                                WHERE bi.booking_id = p_booking OR bi.booking_id = ANY (ending))
          ORDER BY fs.item_id FOR UPDATE;
    END IF;
    -- A lapsed hold gave its food and drinks back: they are taken again now, or, sold out
    -- meanwhile, the booking is not confirmed and the payment is refunded.
    IF b.status = 'expired' AND b.food_minor > 0 THEN
        IF NOT food_taken(p_booking) THEN
            outcome := 'out_of_stock'; RETURN;
        END IF;
    END IF;
    -- Its offers are redeemed now, under their rows' locks: past an offer's limits (a lapsed
    -- hold's claim no longer counted, and others redeemed it since) the booking is not
    -- confirmed, and the payment is refunded.
    IF EXISTS (SELECT 1 FROM booking_offers bo WHERE bo.booking_id = p_booking) THEN
        IF NOT offers_redeemed(p_booking) THEN
            IF b.status = 'expired' AND b.food_minor > 0 THEN
                PERFORM food_given_back(p_booking);
            END IF;
            outcome := 'offer_exhausted'; RETURN;
        END IF;
    END IF;
    released := end_holds(ending, 'expired');
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
