-- The given seats as they stand, each with its version: what a seat change is announced with
-- (app/src/booking/announce.rs). By the rules of the `seat_states` view, from each seat's live
-- line and that line's booking, each found by key on a plan made once per connection, whatever
-- the statistics said then (the settings below, and OFFSET 0, as in the booking writes). A
-- live line is written after every earlier line of its seat ended (the live-line index allows
-- one at a time), so by 20261208000001_seat_versions' ordering it carries the seat's greatest
-- version: only a seat without one looks among its ended lines. `seat_version`, which looked
-- up both for every seat, goes.
CREATE FUNCTION seats_as_they_stand(p_shows uuid[], p_seats uuid[])
RETURNS TABLE (show_id uuid, seat_id uuid, status seat_status, holder uuid,
               held_until timestamptz, version bigint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT DISTINCT ON (l.show_id, l.seat_id)
           l.show_id, l.seat_id, seat_state(b.status, b.hold_expires_at),
           CASE WHEN seat_state(b.status, b.hold_expires_at) <> 'available' THEN b.user_id END,
           CASE WHEN seat_state(b.status, b.hold_expires_at) = 'held' THEN b.hold_expires_at END,
           coalesce(live.version,
                    (SELECT max(e.version) FROM booking_seats e
                      WHERE e.show_id = l.show_id AND e.seat_id = l.seat_id
                        AND e.status NOT IN ('held', 'confirmed')),
                    0)
      FROM unnest(p_shows, p_seats) AS l (show_id, seat_id)
      LEFT JOIN LATERAL (SELECT bs.booking_id, bs.version FROM booking_seats bs
                          WHERE bs.show_id = l.show_id AND bs.seat_id = l.seat_id
                            AND bs.status IN ('held', 'confirmed') LIMIT 1) live ON true
      LEFT JOIN LATERAL (SELECT b.status, b.user_id, b.hold_expires_at FROM bookings b
                          WHERE b.id = live.booking_id OFFSET 0) b ON true
     ORDER BY l.show_id, l.seat_id;
END
$$;

DROP FUNCTION seat_version(uuid, uuid);
