DROP FUNCTION expire_holds(integer);
DROP FUNCTION cancel_booking(uuid, booking_status, bigint, timestamptz);
DROP FUNCTION confirm_booking(uuid, uuid);
DROP FUNCTION hold_seats(uuid, uuid, uuid[], bigint[], uuid[], uuid[], text, interval, interval, boolean, bigint, bigint);
DROP FUNCTION lapsed_holders(uuid, uuid[], uuid);
DROP FUNCTION end_holds(uuid[], text);
