ALTER TABLE bookings ADD CONSTRAINT bookings_of_show UNIQUE (show_id, id);
ALTER TABLE bookings ALTER COLUMN id SET DEFAULT gen_random_uuid();
DROP FUNCTION uuid_v7();
