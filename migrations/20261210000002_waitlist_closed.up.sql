-- A show called off closes its waiting list: nobody waits for seats that will never be sold.
CREATE FUNCTION waitlist_closed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE waitlist_entries SET status = 'left' WHERE show_id = NEW.id AND status = 'waiting';
    RETURN NULL;
END
$$;
CREATE TRIGGER shows_waitlist_closed AFTER UPDATE OF status ON shows
    FOR EACH ROW WHEN (OLD.status = 'scheduled' AND NEW.status <> 'scheduled')
    EXECUTE FUNCTION waitlist_closed();
