DROP FUNCTION seats_as_they_stand(uuid[], uuid[]);

-- As in 20261208000001_seat_versions.
CREATE FUNCTION seat_version(p_show uuid, p_seat uuid) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(greatest(
        (SELECT max(bs.version) FROM booking_seats bs
          WHERE bs.show_id = p_show AND bs.seat_id = p_seat AND bs.status IN ('held', 'confirmed')),
        (SELECT max(bs.version) FROM booking_seats bs
          WHERE bs.show_id = p_show AND bs.seat_id = p_seat
            AND bs.status NOT IN ('held', 'confirmed'))), 0)
$$;
