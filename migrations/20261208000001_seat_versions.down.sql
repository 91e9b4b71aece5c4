DROP FUNCTION show_seat_versions(uuid);
DROP FUNCTION seat_version(uuid, uuid);
DROP TRIGGER booking_seats_version ON booking_seats;
DROP FUNCTION booking_seat_versioned();
ALTER TABLE booking_seats DROP COLUMN version;
