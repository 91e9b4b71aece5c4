DROP TRIGGER shows_waitlist_closed ON shows;
DROP FUNCTION waitlist_closed();
