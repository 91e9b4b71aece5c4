-- A synthetic many-shows data set for hold_seats(): 32 screens of 15 x 20 seats, 13 shows each,
-- one verified user per pgbench client.
INSERT INTO cities (slug, name, state, latitude, longitude) VALUES ('bench', 'Bench', 'Bench', 0, 0);
INSERT INTO theaters (city_id, slug, name, address, latitude, longitude)
SELECT id, 'bench', 'Bench', 'Bench', 0, 0 FROM cities WHERE slug = 'bench';
INSERT INTO screens (theater_id, name, layout_rows, layout_columns)
SELECT t.id, 'Screen ' || n, 15, 20 FROM theaters t, generate_series(1, 32) n WHERE t.slug = 'bench';
INSERT INTO seat_categories (screen_id, name, rank) SELECT id, 'Classic', 1 FROM screens;
INSERT INTO seats (screen_id, category_id, row_label, number, grid_row, grid_col)
SELECT sc.id, c.id, chr(65 + r), col + 1, r, col
  FROM screens sc JOIN seat_categories c ON c.screen_id = sc.id,
       generate_series(0, 14) r, generate_series(0, 19) col;
INSERT INTO movies (slug, title, runtime_minutes, languages, certificate, release_date)
VALUES ('bench', 'Bench', 120, '{English}', 'U', current_date);
INSERT INTO shows (movie_id, screen_id, starts_at, ends_at, language, format)
SELECT m.id, sc.id, now() + interval '1 day' + k * interval '3 hours',
       now() + interval '1 day' + k * interval '3 hours' + interval '2 hours', 'English', '2D'
  FROM movies m, screens sc, generate_series(0, 12) k WHERE m.slug = 'bench';
INSERT INTO show_prices (show_id, category_id, price_minor)
SELECT s.id, c.id, 25000 FROM shows s JOIN seat_categories c ON c.screen_id = s.screen_id;
INSERT INTO show_seats (show_id, seat_id, screen_id)
SELECT s.id, se.id, s.screen_id FROM shows s JOIN seats se ON se.screen_id = s.screen_id;
INSERT INTO users (email, name, password_hash, email_verified_at)
SELECT 'bench-' || n || '@example.com', 'Bench ' || n, 'x', now() FROM generate_series(1, 32) n;
VACUUM ANALYZE;
