DROP FUNCTION outbox_settle(bigint[], text[], text[], float8, float8, integer);
DROP FUNCTION outbox_claim(bigint, float8);
