-- Booking ids in time order (UUID version 7: the first 48 bits are the Unix time in
-- milliseconds, the rest random), so a new booking and its lines go to the right edge of their
-- indexes instead of a random page each. After a checkpoint, every first write to a page puts
-- the whole page in the WAL (docs/PERFORMANCE.md has what this saves per hold).
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
RETURN encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                      PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                                      FROM 1 FOR 6),
                              52, 1), 53, 1), 'hex')::uuid;

ALTER TABLE bookings ALTER COLUMN id SET DEFAULT uuid_v7();
