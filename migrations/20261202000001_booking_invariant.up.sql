-- The booking invariant, enforced by the schema alone:
--
-- * a seat of a show names one booking at most (the primary key of show_seats): the last one
--   that took it, of the same show, with a line for that seat; the seat is held or booked while
--   that booking is, and free otherwise, so ending a booking frees its seats by itself;
-- * a booking's status is copied onto its lines by a foreign key that cascades, and no seat of a
--   show is on the lines of two live (held or confirmed) bookings: a partial unique index;
-- * a live booking's seats all name it, and its seat count and subtotal are those of its lines
--   (checked at commit);
-- * the hold deadline is kept once, on the booking, and "a hold past its deadline is free" is
--   written once, in booking_state() and seat_state().

-- Statuses and kinds as types: the same words in the database, on the wire and in the code.
CREATE TYPE booking_status AS ENUM ('held', 'confirmed', 'cancelled', 'expired');
CREATE TYPE seat_status AS ENUM ('available', 'held', 'booked');
CREATE TYPE seat_kind AS ENUM ('standard', 'wheelchair', 'companion');

ALTER TABLE seats DROP CONSTRAINT seats_kind_check;
ALTER TABLE seats ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE seats ALTER COLUMN kind TYPE seat_kind USING kind::seat_kind;
ALTER TABLE seats ALTER COLUMN kind SET DEFAULT 'standard';

-- Holds that ran out before this migration expire, as the sweeper would have made them, so no
-- two live bookings share a seat when the unique index below is built.
UPDATE bookings SET status = 'expired', updated_at = now()
 WHERE status = 'held' AND hold_expires_at <= now();

DROP INDEX bookings_hold_expiry;
DROP INDEX bookings_confirmed_recent;
DROP INDEX bookings_one_hold_per_user_show;
DROP INDEX bookings_show;
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings DROP CONSTRAINT bookings_confirmed_at;
ALTER TABLE bookings DROP CONSTRAINT bookings_cancelled_at;
ALTER TABLE bookings ALTER COLUMN status TYPE booking_status USING status::booking_status;
ALTER TABLE bookings
    ADD CONSTRAINT bookings_confirmed_at CHECK (status <> 'confirmed' OR confirmed_at IS NOT NULL),
    ADD CONSTRAINT bookings_cancelled_at CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL),
    -- What seats and lines name: a booking of their own show (and, for lines, its status).
    ADD CONSTRAINT bookings_of_show UNIQUE (show_id, id),
    ADD CONSTRAINT bookings_of_show_status UNIQUE (id, show_id, status);
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE status = 'held';
CREATE INDEX bookings_confirmed_recent ON bookings (confirmed_at) WHERE status = 'confirmed';
-- A user has at most one live hold per show.
CREATE UNIQUE INDEX bookings_one_hold_per_user_show ON bookings (user_id, show_id) WHERE status = 'held';

-- Lines carry their booking's show and status.
ALTER TABLE booking_seats ADD COLUMN status booking_status;
UPDATE booking_seats bs SET status = b.status FROM bookings b WHERE b.id = bs.booking_id AND b.show_id = bs.show_id;
DELETE FROM booking_seats WHERE status IS NULL;
ALTER TABLE booking_seats
    ALTER COLUMN status SET NOT NULL,
    DROP CONSTRAINT booking_seats_booking_id_fkey,
    ADD CONSTRAINT booking_seats_booking FOREIGN KEY (booking_id, show_id, status)
        REFERENCES bookings (id, show_id, status) ON UPDATE CASCADE ON DELETE CASCADE,
    ADD CONSTRAINT booking_seats_seat_booking UNIQUE (show_id, seat_id, booking_id);
DROP INDEX booking_seats_show_seat;
-- No seat of a show is sold, or held, twice.
CREATE UNIQUE INDEX booking_seats_one_live_booking ON booking_seats (show_id, seat_id)
    WHERE status IN ('held', 'confirmed');

-- A seat names the booking that took it last; its state is that booking's.
UPDATE show_seats SET booking_id = NULL WHERE status = 'available';
DROP INDEX show_seats_booking;
DROP INDEX show_seats_hold_expiry;
ALTER TABLE show_seats
    DROP CONSTRAINT show_seats_state,
    DROP CONSTRAINT show_seats_booking_id_fkey,
    DROP COLUMN status,
    DROP COLUMN held_until,
    ADD CONSTRAINT show_seats_booking FOREIGN KEY (booking_id, show_id) REFERENCES bookings (id, show_id),
    ADD CONSTRAINT show_seats_booking_line FOREIGN KEY (show_id, seat_id, booking_id)
        REFERENCES booking_seats (show_id, seat_id, booking_id);
-- A hold writes no indexed column of show_seats, so its seats stay on their page (HOT updates).
ALTER TABLE show_seats SET (fillfactor = 80);

-- A hold past its deadline is free: the one place this rule is written.
CREATE FUNCTION booking_state(status booking_status, hold_expires_at timestamptz)
RETURNS booking_status LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status = 'held' AND hold_expires_at <= now()
                THEN 'expired'::booking_status ELSE status END
$$;

-- A seat's state, from the booking it names (none: available).
CREATE FUNCTION seat_state(booking_status booking_status, hold_expires_at timestamptz)
RETURNS seat_status LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE booking_state(booking_status, hold_expires_at)
                WHEN 'held' THEN 'held'::seat_status
                WHEN 'confirmed' THEN 'booked'::seat_status
                ELSE 'available'::seat_status END
$$;

-- Every seat of every show as it stands, with who holds it and until when (none when free).
CREATE VIEW seat_states AS
SELECT ss.show_id, ss.seat_id, seat_state(b.status, b.hold_expires_at) AS status,
       CASE WHEN seat_state(b.status, b.hold_expires_at) <> 'available' THEN b.id END AS booking_id,
       CASE WHEN seat_state(b.status, b.hold_expires_at) <> 'available' THEN b.user_id END AS holder,
       CASE WHEN seat_state(b.status, b.hold_expires_at) = 'held' THEN b.hold_expires_at END AS held_until
  FROM show_seats ss LEFT JOIN bookings b ON b.id = ss.booking_id;

-- A booking's seat count and subtotal are those of its lines, and a live booking's seats all
-- name it. Checked at commit, once the booking and its lines are written.
CREATE FUNCTION booking_adds_up() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    booking uuid;
    b record;
    lines integer;
    subtotal bigint;
    seated integer;
BEGIN
    IF TG_TABLE_NAME = 'bookings' THEN
        booking := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        booking := OLD.booking_id;
    ELSE
        booking := NEW.booking_id;
    END IF;
    SELECT status, seat_count, subtotal_minor INTO b FROM bookings WHERE id = booking;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT count(*), coalesce(sum(bs.price_minor), 0), count(*) FILTER (WHERE ss.booking_id = booking)
      INTO lines, subtotal, seated
      FROM booking_seats bs JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_id = bs.seat_id
     WHERE bs.booking_id = booking;
    IF lines <> b.seat_count OR subtotal <> b.subtotal_minor THEN
        RAISE EXCEPTION 'booking % has % lines worth %, not % seats worth %',
                        booking, lines, subtotal, b.seat_count, b.subtotal_minor
              USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_lines_add_up';
    END IF;
    IF b.status IN ('held', 'confirmed') AND seated <> lines THEN
        RAISE EXCEPTION 'live booking % holds % of its % seats', booking, seated, lines
              USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_seats_held';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER bookings_add_up
    AFTER INSERT ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION booking_adds_up();
CREATE CONSTRAINT TRIGGER bookings_stay_whole
    AFTER UPDATE OF status, seat_count, subtotal_minor ON bookings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.seat_count <> OLD.seat_count OR NEW.subtotal_minor <> OLD.subtotal_minor
          OR (NEW.status IN ('held', 'confirmed') AND NEW.status <> OLD.status))
    EXECUTE FUNCTION booking_adds_up();
CREATE CONSTRAINT TRIGGER booking_seats_add_up
    AFTER INSERT OR DELETE ON booking_seats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION booking_adds_up();
CREATE CONSTRAINT TRIGGER booking_seats_stay_whole
    AFTER UPDATE OF booking_id, seat_id, price_minor ON booking_seats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((NEW.booking_id, NEW.seat_id, NEW.price_minor) IS DISTINCT FROM (OLD.booking_id, OLD.seat_id, OLD.price_minor))
    EXECUTE FUNCTION booking_adds_up();
