-- Every change of a seat's state gets a version, so a live seat map can tell a newer change from
-- an older one that reached it late. A seat's state is its live line's, so its version is the
-- greatest of its lines': a line takes a new one when it is written and whenever its status
-- changes (a booking's status reaches its lines through their key, so that counts too).
--
-- A version is drawn once the writer holds what orders rival writes of the seat (the seat's row
-- for a hold, the line's row for any later change, which the trigger below fires after
-- locking), and a write that depends on an earlier one draws after that one committed. So of
-- two changes of one seat, the later always has the greater version, whatever order they
-- are announced in.
CREATE SEQUENCE seat_versions;
ALTER TABLE booking_seats ADD COLUMN version bigint NOT NULL DEFAULT nextval('seat_versions');
ALTER SEQUENCE seat_versions OWNED BY booking_seats.version;
-- A seat's version is its live line's (found by the live-line index) or the greatest of its
-- ended lines', found by this one. A hold never reads it, since its predicate excludes the
-- lines holds look for, and a line enters it once, when it ends (a change of status that was
-- never a HOT update, the status being in the live-line index's predicate).
CREATE INDEX booking_seats_ended ON booking_seats (show_id, seat_id, version)
    WHERE status NOT IN ('held', 'confirmed');

CREATE FUNCTION seat_version(p_show uuid, p_seat uuid) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(greatest(
        (SELECT max(bs.version) FROM booking_seats bs
          WHERE bs.show_id = p_show AND bs.seat_id = p_seat AND bs.status IN ('held', 'confirmed')),
        (SELECT max(bs.version) FROM booking_seats bs
          WHERE bs.show_id = p_show AND bs.seat_id = p_seat
            AND bs.status NOT IN ('held', 'confirmed'))), 0)
$$;

-- Every seat of a show that ever changed, with its version.
CREATE FUNCTION show_seat_versions(p_show uuid) RETURNS TABLE (seat_id uuid, version bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT l.seat_id, max(l.version)
      FROM (SELECT bs.seat_id, bs.version FROM booking_seats bs
             WHERE bs.show_id = p_show AND bs.status IN ('held', 'confirmed')
            UNION ALL
            SELECT bs.seat_id, bs.version FROM booking_seats bs
             WHERE bs.show_id = p_show AND bs.status NOT IN ('held', 'confirmed')) l
     GROUP BY l.seat_id
$$;

CREATE FUNCTION booking_seat_versioned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('seat_versions');
    RETURN NEW;
END
$$;
CREATE TRIGGER booking_seats_version
    BEFORE UPDATE OF status ON booking_seats
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION booking_seat_versioned();
