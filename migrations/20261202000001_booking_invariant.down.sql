DROP TRIGGER booking_seats_stay_whole ON booking_seats;
DROP TRIGGER booking_seats_add_up ON booking_seats;
DROP TRIGGER bookings_stay_whole ON bookings;
DROP TRIGGER bookings_add_up ON bookings;
DROP FUNCTION booking_adds_up();

-- Seats keep their own state and deadline again.
ALTER TABLE show_seats
    ADD COLUMN status text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'held', 'booked')),
    ADD COLUMN held_until timestamptz;
UPDATE show_seats ss SET status = CASE b.status WHEN 'held' THEN 'held' ELSE 'booked' END,
       held_until = CASE b.status WHEN 'held' THEN b.hold_expires_at END
  FROM bookings b WHERE b.id = ss.booking_id AND b.status IN ('held', 'confirmed');
UPDATE show_seats SET booking_id = NULL WHERE status = 'available';
DROP VIEW seat_states;
DROP FUNCTION seat_state(booking_status, timestamptz);
DROP FUNCTION booking_state(booking_status, timestamptz);
ALTER TABLE show_seats
    DROP CONSTRAINT show_seats_booking_line,
    DROP CONSTRAINT show_seats_booking,
    ADD CONSTRAINT show_seats_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE RESTRICT,
    ADD CONSTRAINT show_seats_state CHECK (
        (status = 'available' AND booking_id IS NULL AND held_until IS NULL)
        OR (status = 'held' AND booking_id IS NOT NULL AND held_until IS NOT NULL)
        OR (status = 'booked' AND booking_id IS NOT NULL AND held_until IS NULL)
    );
ALTER TABLE show_seats RESET (fillfactor);
CREATE INDEX show_seats_booking ON show_seats (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX show_seats_hold_expiry ON show_seats (held_until) WHERE status = 'held';

DROP INDEX booking_seats_one_live_booking;
ALTER TABLE booking_seats
    DROP CONSTRAINT booking_seats_seat_booking,
    DROP CONSTRAINT booking_seats_booking,
    DROP COLUMN status,
    ADD CONSTRAINT booking_seats_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES bookings (id) ON DELETE CASCADE;
CREATE INDEX booking_seats_show_seat ON booking_seats (show_id, seat_id);

DROP INDEX bookings_one_hold_per_user_show;
DROP INDEX bookings_confirmed_recent;
DROP INDEX bookings_hold_expiry;
ALTER TABLE bookings
    DROP CONSTRAINT bookings_of_show_status,
    DROP CONSTRAINT bookings_of_show,
    DROP CONSTRAINT bookings_cancelled_at,
    DROP CONSTRAINT bookings_confirmed_at;
ALTER TABLE bookings ALTER COLUMN status TYPE text USING status::text;
ALTER TABLE bookings
    ADD CONSTRAINT bookings_status_check CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
    ADD CONSTRAINT bookings_confirmed_at CHECK (status <> 'confirmed' OR confirmed_at IS NOT NULL),
    ADD CONSTRAINT bookings_cancelled_at CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL);
CREATE INDEX bookings_show ON bookings (show_id);
CREATE INDEX bookings_hold_expiry ON bookings (hold_expires_at) WHERE status = 'held';
CREATE INDEX bookings_confirmed_recent ON bookings (confirmed_at) WHERE status = 'confirmed';
CREATE UNIQUE INDEX bookings_one_hold_per_user_show ON bookings (user_id, show_id) WHERE status = 'held';

ALTER TABLE seats ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE seats ALTER COLUMN kind TYPE text USING kind::text;
ALTER TABLE seats ALTER COLUMN kind SET DEFAULT 'standard';
ALTER TABLE seats ADD CONSTRAINT seats_kind_check CHECK (kind IN ('standard', 'wheelchair', 'companion'));

DROP TYPE seat_kind;
DROP TYPE seat_status;
DROP TYPE booking_status;
