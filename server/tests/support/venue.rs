//! A small cinema for booking tests: one screen, rows of seats split by a centre aisle, one
//! show, and as many verified customers as a test needs.

use chrono::{Duration, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// Every seat costs this much (₹250) so amounts are easy to check.
pub const PRICE: i64 = 25_000;

#[derive(Clone, Debug)]
pub struct Seat {
    pub id: Uuid,
    pub label: String,
    pub grid_row: i32,
    pub grid_col: i32,
}

#[derive(Clone, Debug)]
pub struct Venue {
    pub theater_id: Uuid,
    pub screen_id: Uuid,
    pub movie_id: Uuid,
    pub show_id: Uuid,
    /// Row by row, left to right.
    pub seats: Vec<Seat>,
    pub seats_per_row: i32,
}

impl Venue {
    /// Seats by label, e.g. `ids(&["A3", "A4"])`.
    pub fn ids(&self, labels: &[&str]) -> Vec<Uuid> {
        labels
            .iter()
            .map(|label| {
                self.seats
                    .iter()
                    .find(|s| s.label == *label)
                    .unwrap_or_else(|| panic!("no seat {label}"))
                    .id
            })
            .collect()
    }

    /// Row `row` (0 = A), seats `from..from + count` by number (1-based).
    pub fn block(&self, row: i32, from: i32, count: i32) -> Vec<Uuid> {
        let row = &self.seats[(row * self.seats_per_row) as usize..][..self.seats_per_row as usize];
        row[(from - 1) as usize..][..count as usize]
            .iter()
            .map(|s| s.id)
            .collect()
    }
}

/// `rows` rows of `seats_per_row` (even) seats with an aisle in the middle; seat A1 is a
/// wheelchair space and A2 its companion seat. The show starts `starts_in` from now.
pub async fn venue(db: &PgPool, rows: i32, seats_per_row: i32, starts_in: Duration) -> Venue {
    let half = seats_per_row / 2;
    let (theater_id, screen_id): (Uuid, Uuid) = sqlx::query_as(
        "WITH city AS (
            INSERT INTO cities (slug, name, state, latitude, longitude)
            VALUES ('testville', 'Testville', 'Test', 19.07, 72.87) RETURNING id),
         theater AS (
            INSERT INTO theaters (city_id, slug, name, address, latitude, longitude)
            SELECT id, 'test-cinema', 'Test Cinema', '1 Test Road', 19.07, 72.87 FROM city RETURNING id)
         INSERT INTO screens (theater_id, name, layout_rows, layout_columns, aisle_columns)
         SELECT id, 'Screen 1', $1, $2 + 1, ARRAY[$3::int] FROM theater RETURNING theater_id, id",
    )
    .bind(rows)
    .bind(seats_per_row)
    .bind(half)
    .fetch_one(db)
    .await
    .unwrap();
    sqlx::query(
        "WITH category AS (
            INSERT INTO seat_categories (screen_id, name, rank) VALUES ($1, 'Prime', 1) RETURNING id)
         INSERT INTO seats (screen_id, category_id, row_label, number, grid_row, grid_col, kind)
         SELECT $1, category.id, chr(65 + r), n, r, n - 1 + CASE WHEN n > $3 THEN 1 ELSE 0 END,
                (CASE WHEN r = 0 AND n = 1 THEN 'wheelchair' WHEN r = 0 AND n = 2 THEN 'companion' ELSE 'standard' END)::seat_kind
           FROM category, generate_series(0, $2 - 1) r, generate_series(1, $4) n",
    )
    .bind(screen_id)
    .bind(rows)
    .bind(half)
    .bind(seats_per_row)
    .execute(db)
    .await
    .unwrap();
    let movie_id: Uuid = sqlx::query_scalar(
        "INSERT INTO movies (slug, title, runtime_minutes, languages, genres, certificate, release_date)
         VALUES ('test-movie', 'Test Movie', 120, '{English}', '{Drama}', 'UA', current_date)
         RETURNING id",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let mut venue = Venue {
        theater_id,
        screen_id,
        movie_id,
        show_id: Uuid::nil(),
        seats: Vec::new(),
        seats_per_row,
    };
    venue.show_id = add_show(db, &venue, starts_in).await;
    venue.seats = sqlx::query_as::<_, (Uuid, String, i32, i32)>(
        "SELECT id, row_label || number, grid_row, grid_col FROM seats WHERE screen_id = $1
          ORDER BY grid_row, grid_col",
    )
    .bind(screen_id)
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .map(|(id, label, grid_row, grid_col)| Seat {
        id,
        label,
        grid_row,
        grid_col,
    })
    .collect();
    venue
}

/// Another show of the same movie on the same screen, with every seat available.
pub async fn add_show(db: &PgPool, venue: &Venue, starts_in: Duration) -> Uuid {
    add_show_lasting(db, venue, starts_in, Duration::hours(2)).await
}

/// The same, `length` long: short shows can start minutes apart on one screen.
pub async fn add_show_lasting(
    db: &PgPool,
    venue: &Venue,
    starts_in: Duration,
    length: Duration,
) -> Uuid {
    let starts_at = Utc::now() + starts_in;
    sqlx::query_scalar(
        "WITH show AS (
            INSERT INTO shows (movie_id, screen_id, starts_at, ends_at, language, format)
            VALUES ($1, $2, $3, $3 + $5, 'English', '2D') RETURNING id, screen_id),
         prices AS (
            INSERT INTO show_prices (show_id, category_id, price_minor)
            SELECT show.id, c.id, $4 FROM show, seat_categories c WHERE c.screen_id = show.screen_id),
         states AS (
            INSERT INTO show_seats (show_id, seat_id, screen_id)
            SELECT show.id, s.id, s.screen_id FROM show, seats s WHERE s.screen_id = show.screen_id)
         SELECT id FROM show",
    )
    .bind(venue.movie_id)
    .bind(venue.screen_id)
    .bind(starts_at)
    .bind(PRICE)
    .bind(length)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Moves one row of seats into a category of its own at `price` for every show of the screen.
pub async fn price_row(db: &PgPool, venue: &Venue, row: char, category: &str, price: i64) {
    sqlx::query(
        "WITH category AS (
            INSERT INTO seat_categories (screen_id, name, rank)
            SELECT $1, $3, 1 + max(rank) FROM seat_categories WHERE screen_id = $1 RETURNING id),
         moved AS (
            UPDATE seats SET category_id = category.id FROM category
             WHERE screen_id = $1 AND row_label = $2)
         INSERT INTO show_prices (show_id, category_id, price_minor)
         SELECT shows.id, category.id, $4 FROM shows, category WHERE shows.screen_id = $1",
    )
    .bind(venue.screen_id)
    .bind(row.to_string())
    .bind(category)
    .bind(price)
    .execute(db)
    .await
    .unwrap();
}

/// `count` customers with verified email addresses.
pub async fn customers(db: &PgPool, count: i32) -> Vec<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, email_verified_at)
         SELECT 'fan' || g || '-' || gen_random_uuid() || '@example.com', 'Fan ' || g, 'unused', now()
           FROM generate_series(1, $1) g
         RETURNING id",
    )
    .bind(count)
    .fetch_all(db)
    .await
    .unwrap()
}

/// A succeeded payment for the booking's total, as the payment flow records it.
pub async fn paid(db: &PgPool, booking_id: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO payments (booking_id, gateway, gateway_ref, amount_minor, currency, status, succeeded_at)
         SELECT id, 'sandbox', 'pay_' || gen_random_uuid(), total_minor, currency, 'succeeded', now()
           FROM bookings WHERE id = $1
         RETURNING id",
    )
    .bind(booking_id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Moves a booking's hold deadline into the past, as if its time had run out.
pub async fn run_out(db: &PgPool, booking_id: Uuid) {
    sqlx::query("UPDATE bookings SET hold_expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(booking_id)
        .execute(db)
        .await
        .unwrap();
}

/// A seat's state as everyone sees it: available, held or booked.
pub async fn seat_status(db: &PgPool, show: Uuid, seat: Uuid) -> String {
    sqlx::query_scalar("SELECT status::text FROM seat_states WHERE show_id = $1 AND seat_id = $2")
        .bind(show)
        .bind(seat)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Breaches of the booking and money invariants, described; empty when they hold.
pub async fn invariant_breaches(db: &PgPool) -> Vec<String> {
    server::invariants::invariant_breaches(db).await.unwrap()
}

/// No seat is on the lines of two live bookings.
pub async fn seat_breaches(db: &PgPool) -> Vec<String> {
    server::invariants::seat_breaches(db).await.unwrap()
}

/// The money adds up (`server::invariants::money_breaches`).
pub async fn money_breaches(db: &PgPool) -> Vec<String> {
    server::invariants::money_breaches(db).await.unwrap()
}
