-- Theater admins put shows on sale. A screen needs cleaning between shows; every admin action
-- is written to the audit log in the transaction that does it.

ALTER TABLE screens ADD COLUMN cleaning_minutes integer NOT NULL DEFAULT 15
    CONSTRAINT screens_cleaning_minutes CHECK (cleaning_minutes BETWEEN 0 AND 120);

-- Who did what, when, to what, with the subject before and after.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    theater_id  uuid REFERENCES theaters (id) ON DELETE SET NULL,
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    subject_id  uuid,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_theater ON audit_log (theater_id, at DESC);

-- Schedules one show of a movie on a screen, with a price for each seat category the screen
-- has (`p_prices`: category name -> minor units), and creates its seats; in one transaction
-- with its audit entry. The screen's row is locked, so two schedules of one screen queue and
-- each sees the other's show. Outcomes: created, no_screen, no_movie, unsupported_format,
-- unknown_language, unknown_category (detail: the name), missing_price (detail: the name),
-- overlap (conflict_id: the show in the way, cleaning time included), in_the_past.
CREATE FUNCTION schedule_show(p_actor uuid, p_movie uuid, p_screen uuid, p_starts timestamptz,
                              p_language text, p_format text, p_prices jsonb,
                              OUT outcome text, OUT show_id uuid, OUT detail text,
                              OUT conflict_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
    sc record;
    mv record;
    ends timestamptz;
    cleaning interval;
BEGIN
    SELECT s.theater_id, s.cleaning_minutes, s.formats INTO sc
      FROM screens s WHERE s.id = p_screen FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'no_screen'; RETURN;
    END IF;
    SELECT m.runtime_minutes, m.languages INTO mv FROM movies m WHERE m.id = p_movie;
    IF NOT FOUND THEN
        outcome := 'no_movie'; RETURN;
    END IF;
    IF p_starts <= now() THEN
        outcome := 'in_the_past'; RETURN;
    END IF;
    IF NOT p_format = ANY (sc.formats) THEN
        outcome := 'unsupported_format'; detail := array_to_string(sc.formats, ', '); RETURN;
    END IF;
    IF NOT p_language = ANY (mv.languages) THEN
        outcome := 'unknown_language'; detail := array_to_string(mv.languages, ', '); RETURN;
    END IF;
    SELECT k INTO detail FROM jsonb_object_keys(p_prices) k
     WHERE k NOT IN (SELECT c.name FROM seat_categories c WHERE c.screen_id = p_screen)
     ORDER BY k LIMIT 1;
    IF detail IS NOT NULL THEN
        outcome := 'unknown_category'; RETURN;
    END IF;
    SELECT c.name INTO detail FROM seat_categories c
     WHERE c.screen_id = p_screen AND NOT p_prices ? c.name
       AND EXISTS (SELECT 1 FROM seats se WHERE se.category_id = c.id)
     ORDER BY c.rank LIMIT 1;
    IF detail IS NOT NULL THEN
        outcome := 'missing_price'; RETURN;
    END IF;

    ends := p_starts + make_interval(mins => mv.runtime_minutes);
    cleaning := make_interval(mins => sc.cleaning_minutes);
    SELECT s.id INTO conflict_id FROM shows s
     WHERE s.screen_id = p_screen AND s.status = 'scheduled'
       AND tstzrange(s.starts_at, s.ends_at + cleaning) && tstzrange(p_starts, ends + cleaning)
     ORDER BY s.starts_at LIMIT 1;
    IF conflict_id IS NOT NULL THEN
        outcome := 'overlap'; RETURN;
    END IF;

    INSERT INTO shows (movie_id, screen_id, starts_at, ends_at, language, format)
    VALUES (p_movie, p_screen, p_starts, ends, p_language, p_format)
    RETURNING id INTO show_id;
    INSERT INTO show_prices (show_id, category_id, price_minor)
    SELECT show_id, c.id, (p_prices ->> c.name)::bigint
      FROM seat_categories c WHERE c.screen_id = p_screen AND p_prices ? c.name;
    INSERT INTO show_seats (show_id, seat_id, screen_id)
    SELECT show_id, se.id, p_screen FROM seats se WHERE se.screen_id = p_screen;
    INSERT INTO audit_log (actor_id, theater_id, action, subject_id, after)
    SELECT p_actor, sc.theater_id, 'show.created', show_id,
           jsonb_build_object('movie_id', p_movie, 'screen_id', p_screen, 'starts_at', p_starts,
                              'ends_at', ends, 'language', p_language, 'format', p_format,
                              'prices', p_prices);
    outcome := 'created';
END
$$;
