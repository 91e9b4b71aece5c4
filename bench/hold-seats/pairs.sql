-- Seat pairs for pgbench to hold with hold_seats() alone, shaped like `make bench`'s many-shows
-- scenario: 32 clients, 13 shows each, 10 pairs per show, one bench user per client. Load into
-- the bench database after a `make bench` run (it leaves the demo data and bench users there),
-- or after `synthetic.sql`.
DROP TABLE IF EXISTS bench_pairs;
CREATE TABLE bench_pairs AS
WITH u AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS client FROM users WHERE email LIKE 'bench-%' ORDER BY id LIMIT 32),
 s AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM shows WHERE starts_at > now() + interval '3 hours' AND status = 'scheduled' ORDER BY id LIMIT 416),
 cs AS (SELECT u.client, u.id AS user_id, s.id AS show_id, s.n % 13 AS k FROM u JOIN s ON s.n / 13 = u.client),
 seat_rows AS (SELECT cs.*, ss.seat_id, sp.price_minor, row_number() OVER (PARTITION BY cs.show_id ORDER BY ss.seat_id) - 1 AS r
                 FROM cs JOIN show_seats ss ON ss.show_id = cs.show_id JOIN seats se ON se.id = ss.seat_id
                 JOIN show_prices sp ON sp.show_id = cs.show_id AND sp.category_id = se.category_id)
SELECT client, k, r / 2 AS p, user_id, show_id, array_agg(seat_id ORDER BY seat_id) AS seats, array_agg(price_minor ORDER BY seat_id) AS prices
  FROM seat_rows WHERE r < 20 GROUP BY client, k, r / 2, user_id, show_id;
CREATE INDEX ON bench_pairs (client, k, p);
ANALYZE bench_pairs;
SELECT count(*) FROM bench_pairs;
