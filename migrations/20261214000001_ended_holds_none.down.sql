-- Back to 20261204000006_show_cancellation's ended_holds.
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
