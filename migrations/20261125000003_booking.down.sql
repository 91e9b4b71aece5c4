DROP TABLE outbox_events;
DROP TABLE idempotency_keys;
DROP TABLE refunds;
DROP TABLE payments;
DROP TABLE booking_seats;
DROP TABLE show_seats;
DROP TABLE bookings;
