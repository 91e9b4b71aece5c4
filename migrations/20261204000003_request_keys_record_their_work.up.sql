-- What the work behind an Idempotency-Key made, written in the transaction that made it, so a
-- claim taken over after a crash answers with it instead of doing the work again.
ALTER TABLE idempotency_keys ADD COLUMN resource_id uuid;
