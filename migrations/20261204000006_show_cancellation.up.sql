-- A theater cancels a show: it comes off sale, its holds end (a payment in flight with them is
-- refunded when it settles), every confirmed booking is cancelled with a refund of all it
-- paid, through the payment that confirmed it, once (refunds are one per payment).

-- As 20261204000004_replaced_holds_cancelled wrote it, but a cancelled show ends even a hold
-- with a payment in flight.
CREATE OR REPLACE FUNCTION ended_holds(p_bookings uuid[], p_reason text)
RETURNS TABLE (show_id uuid, seat_id uuid)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH ended AS (
        UPDATE bookings b
           SET status = CASE WHEN p_reason = 'expired' AND booking_state(b.status, b.hold_expires_at) = 'expired'
                             THEN 'expired' ELSE 'cancelled' END::booking_status,
               cancelled_at = CASE WHEN p_reason <> 'expired' OR booking_state(b.status, b.hold_expires_at) = 'held'
                                   THEN now() END,
               updated_at = now()
         -- By key (the status compared as text, so the index of every held booking, which a
         -- plan made while there were none would read whole, is no candidate).
         WHERE b.id = ANY (p_bookings) AND b.status::text = 'held'
           -- A live hold with a payment in flight is neither replaced nor released by its user;
           -- its lapse or its show's cancellation ends it (a late payment is then refunded).
           AND (p_reason IN ('expired', 'show_cancelled')
                OR booking_state(b.status, b.hold_expires_at) <> 'held'
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
ALTER FUNCTION ended_holds(uuid[], text) SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;

-- Cancels a show for `p_actor`, in one transaction with its audit entry. Outcomes: cancelled,
-- already_cancelled, not_found. `released`: the seats given back; `refunds`: refunds recorded.
CREATE FUNCTION cancel_show(p_actor uuid, p_show uuid, OUT outcome text, OUT released uuid[],
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
