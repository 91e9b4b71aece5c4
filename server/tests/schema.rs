//! The schema carries the invariants: these inserts must fail in the database itself. Long: one
//! test per invariant, each writing its violation in raw SQL.

mod support;

use server::db::MIGRATOR;
use sqlx::{PgPool, Row};
use uuid::Uuid;

#[sqlx::test(migrations = false)]
async fn migrations_apply_and_revert_on_an_empty_database(db: PgPool) {
    MIGRATOR.run(&db).await.unwrap();
    assert!(server::db::pending_migrations(&db)
        .await
        .unwrap()
        .is_empty());
    let tables = table_count(&db).await;
    assert!(tables >= 20, "{tables} tables");

    MIGRATOR.undo(&db, 0).await.unwrap();
    assert_eq!(
        table_count(&db).await,
        1,
        "only the migrations ledger remains"
    );
    assert_eq!(
        server::db::pending_migrations(&db).await.unwrap().len(),
        MIGRATOR
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .count()
    );

    MIGRATOR.run(&db).await.unwrap();
    assert_eq!(table_count(&db).await, tables, "re-applies cleanly");
}

async fn table_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        .fetch_one(db)
        .await
        .unwrap()
}

/// One seeded show: its id, screen, a seat on that screen and a category price row.
async fn any_show(db: &PgPool) -> (Uuid, Uuid, Uuid, Uuid) {
    support::seed(db).await;
    let row = sqlx::query(
        "SELECT ss.show_id, ss.screen_id, ss.seat_id, s.movie_id
           FROM show_seats ss JOIN shows s ON s.id = ss.show_id LIMIT 1",
    )
    .fetch_one(db)
    .await
    .unwrap();
    (row.get(0), row.get(1), row.get(2), row.get(3))
}

async fn columns(db: &PgPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1",
    )
    .bind(table)
    .fetch_all(db)
    .await
    .unwrap()
}

fn violated(err: sqlx::Error) -> String {
    err.as_database_error()
        .and_then(|e| e.constraint().map(str::to_owned))
        .unwrap_or_else(|| panic!("expected a constraint violation, got {err}"))
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_show_seat_exists_once(db: PgPool) {
    let (show, screen, seat, _) = any_show(&db).await;
    let err =
        sqlx::query("INSERT INTO show_seats (show_id, seat_id, screen_id) VALUES ($1, $2, $3)")
            .bind(show)
            .bind(seat)
            .bind(screen)
            .execute(&db)
            .await
            .unwrap_err();
    assert_eq!(violated(err), "show_seats_pkey");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn shows_on_one_screen_never_overlap(db: PgPool) {
    let (show, screen, _, movie) = any_show(&db).await;
    let err = sqlx::query(
        "INSERT INTO shows (movie_id, screen_id, starts_at, ends_at, language, format)
         SELECT $1, $2, starts_at + interval '30 minutes', ends_at + interval '30 minutes', language, format
           FROM shows WHERE id = $3",
    )
    .bind(movie)
    .bind(screen)
    .bind(show)
    .execute(&db)
    .await
    .unwrap_err();
    assert_eq!(violated(err), "shows_no_overlap");

    // A cancelled show frees its slot.
    sqlx::query("UPDATE shows SET status = 'cancelled' WHERE id = $1")
        .bind(show)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO shows (movie_id, screen_id, starts_at, ends_at, language, format)
         SELECT $1, $2, starts_at, ends_at, language, format FROM shows WHERE id = $3",
    )
    .bind(movie)
    .bind(screen)
    .bind(show)
    .execute(&db)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn prices_are_positive(db: PgPool) {
    let (show, _, _, _) = any_show(&db).await;
    for bad in [-100i64, 0] {
        let err = sqlx::query("UPDATE show_prices SET price_minor = $1 WHERE show_id = $2")
            .bind(bad)
            .bind(show)
            .execute(&db)
            .await
            .unwrap_err();
        assert_eq!(violated(err), "show_prices_positive");
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_show_takes_only_its_screens_seats(db: PgPool) {
    let (show, _, _, _) = any_show(&db).await;
    let foreign_seat: Uuid = sqlx::query_scalar(
        "SELECT se.id FROM seats se WHERE se.screen_id <> (SELECT screen_id FROM shows WHERE id = $1) LIMIT 1",
    )
    .bind(show)
    .fetch_one(&db)
    .await
    .unwrap();
    let err = sqlx::query(
        "INSERT INTO show_seats (show_id, seat_id, screen_id) SELECT $1, $2, screen_id FROM shows WHERE id = $1",
    )
    .bind(show)
    .bind(foreign_seat)
    .execute(&db)
    .await
    .unwrap_err();
    assert_eq!(violated(err), "show_seats_seat_id_screen_id_fkey");
}

/// Raw writes of bookings, the way only a broken program (or a person at a SQL prompt) would.
struct Raw {
    db: PgPool,
    show: Uuid,
    user: Uuid,
}

impl Raw {
    async fn new(db: &PgPool) -> Self {
        let (show, _, _, _) = any_show(db).await;
        let user = sqlx::query_scalar("SELECT id FROM users LIMIT 1")
            .fetch_one(db)
            .await
            .unwrap();
        Self {
            db: db.clone(),
            show,
            user,
        }
    }

    /// `count` seats of the show that no live booking has.
    async fn free_seats(&self, show: Uuid, count: i64) -> Vec<Uuid> {
        sqlx::query_scalar(
            "SELECT seat_id FROM seat_states WHERE show_id = $1 AND status = 'available'
              ORDER BY seat_id LIMIT $2",
        )
        .bind(show)
        .bind(count)
        .fetch_all(&self.db)
        .await
        .unwrap()
    }

    /// A booking of `show` in `status` (deadline ten minutes on), each seat priced 100, with
    /// `seat_count` and `subtotal` as given.
    async fn booking(
        &self,
        tx: &mut sqlx::PgConnection,
        show: Uuid,
        status: &str,
        seat_count: i32,
        subtotal: i64,
    ) -> Result<Uuid, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                                   subtotal_minor, convenience_fee_minor, tax_minor, total_minor,
                                   currency, confirmed_at)
             VALUES (substr(md5(random()::text), 1, 10), $1, $2, $3::booking_status,
                     now() + interval '10 minutes', $4, $5, 0, 0, $5, 'INR',
                     CASE WHEN $3 = 'confirmed' THEN now() END)
             RETURNING id",
        )
        .bind(self.user)
        .bind(show)
        .bind(status)
        .bind(seat_count)
        .bind(subtotal)
        .fetch_one(tx)
        .await
    }

    async fn lines(
        &self,
        tx: &mut sqlx::PgConnection,
        booking: Uuid,
        show: Uuid,
        seats: &[Uuid],
        status: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
             SELECT $1, $2, seat, 100, $4::booking_status FROM unnest($3::uuid[]) seat",
        )
        .bind(booking)
        .bind(show)
        .bind(seats)
        .bind(status)
        .execute(tx)
        .await
        .map(|_| ())
    }

    /// A whole, valid booking of these seats, committed.
    async fn held(&self, seats: &[Uuid], status: &str) -> Uuid {
        let mut tx = self.db.begin().await.unwrap();
        let n = seats.len();
        let booking = self
            .booking(&mut tx, self.show, status, n as i32, 100 * n as i64)
            .await
            .unwrap();
        self.lines(&mut tx, booking, self.show, seats, status)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        booking
    }

    async fn another_show(&self) -> Uuid {
        sqlx::query_scalar("SELECT id FROM shows WHERE id <> $1 LIMIT 1")
            .bind(self.show)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_seat_is_on_the_lines_of_one_live_booking_at_most(db: PgPool) {
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 2).await;
    raw.held(&seats, "confirmed").await;
    // A second booking of one of those seats, held or confirmed: refused by the schema alone.
    for status in ["held", "confirmed"] {
        let mut tx = db.begin().await.unwrap();
        let second = raw
            .booking(&mut tx, raw.show, status, 1, 100)
            .await
            .unwrap();
        let err = raw
            .lines(&mut tx, second, raw.show, &seats[1..], status)
            .await
            .unwrap_err();
        assert_eq!(violated(err), "booking_seats_one_live_booking", "{status}");
    }
    // A booking that has ended may keep its lines: they no longer count.
    let mut tx = db.begin().await.unwrap();
    let old = raw
        .booking(&mut tx, raw.show, "expired", 1, 100)
        .await
        .unwrap();
    raw.lines(&mut tx, old, raw.show, &seats[1..], "expired")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // And it cannot come back to life over a live booking's seat: its lines follow its status.
    let err = sqlx::query("UPDATE bookings SET status = 'held' WHERE id = $1")
        .bind(old)
        .execute(&db)
        .await
        .unwrap_err();
    assert_eq!(violated(err), "booking_seats_one_live_booking");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn lines_only_name_bookings_and_seats_of_their_own_show(db: PgPool) {
    let raw = Raw::new(&db).await;
    let elsewhere = raw.another_show().await;
    let seats = raw.free_seats(raw.show, 1).await;
    // A line of this show's seat for a booking of another show.
    let mut tx = db.begin().await.unwrap();
    let foreign = raw
        .booking(&mut tx, elsewhere, "held", 1, 100)
        .await
        .unwrap();
    let err = raw
        .lines(&mut tx, foreign, raw.show, &seats, "held")
        .await
        .unwrap_err();
    assert_eq!(violated(err), "booking_seats_booking");
    drop(tx);
    // A line of this show's booking naming a seat that is not one of this show's.
    let other_seats: Vec<Uuid> = sqlx::query_scalar(
        "SELECT se.id FROM seats se
          WHERE se.screen_id <> (SELECT screen_id FROM shows WHERE id = $1) LIMIT 1",
    )
    .bind(raw.show)
    .fetch_all(&db)
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    let booking = raw
        .booking(&mut tx, raw.show, "held", 1, 100)
        .await
        .unwrap();
    let err = raw
        .lines(&mut tx, booking, raw.show, &other_seats, "held")
        .await
        .unwrap_err();
    assert_eq!(violated(err), "booking_seats_show_id_seat_id_fkey");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_seat_has_one_record_of_who_has_it(db: PgPool) {
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 1).await;
    let state = || {
        sqlx::query_as::<_, (String, Option<Uuid>)>(
            "SELECT status::text, booking_id FROM seat_states WHERE show_id = $1 AND seat_id = $2",
        )
        .bind(raw.show)
        .bind(seats[0])
        .fetch_one(&db)
    };
    // The live line of the booking that has it: no column of the seat's own says so.
    let held = raw.held(&seats, "held").await;
    assert_eq!(state().await.unwrap(), ("held".into(), Some(held)));
    sqlx::query("UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE id = $1")
        .bind(held)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(state().await.unwrap(), ("available".into(), None));
    let sold = raw.held(&seats, "confirmed").await;
    assert_eq!(state().await.unwrap(), ("booked".into(), Some(sold)));
    let columns = columns(&db, "show_seats").await;
    assert!(
        !columns
            .iter()
            .any(|c| c.contains("booking") || c.contains("status")),
        "{columns:?}"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn seat_states_stay_readable_where_the_guard_is_missing(db: PgPool) {
    // The concurrency tests' control drops the one-live-line index to show what it prevents:
    // a seat sold twice there must still read as taken, not fail the read.
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 1).await;
    sqlx::query("DROP INDEX booking_seats_one_live_booking")
        .execute(&db)
        .await
        .unwrap();
    let first = raw.held(&seats, "confirmed").await;
    let second = raw.held(&seats, "confirmed").await;
    let (status, holder): (String, Option<Uuid>) = sqlx::query_as(
        "SELECT status::text, booking_id FROM seat_states WHERE show_id = $1 AND seat_id = $2",
    )
    .bind(raw.show)
    .bind(seats[0])
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(status, "booked");
    assert!(
        holder == Some(first) || holder == Some(second),
        "{holder:?}"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn lines_carry_their_bookings_status(db: PgPool) {
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 1).await;
    let mut tx = db.begin().await.unwrap();
    let booking = raw.booking(&mut tx, raw.show, "cancelled", 1, 100).await;
    // (cancelled needs its date: the booking itself is refused first.)
    assert_eq!(violated(booking.unwrap_err()), "bookings_cancelled_at");
    drop(tx);
    let mut tx = db.begin().await.unwrap();
    let booking = raw
        .booking(&mut tx, raw.show, "expired", 1, 100)
        .await
        .unwrap();
    // A line claiming to be live for a booking that is not.
    let err = raw
        .lines(&mut tx, booking, raw.show, &seats, "held")
        .await
        .unwrap_err();
    assert_eq!(violated(err), "booking_seats_booking");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_booking_is_its_lines(db: PgPool) {
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 2).await;
    // Checked at commit: the seat count and the subtotal are those of the lines.
    for (count, subtotal) in [(3, 200), (1, 200), (2, 250), (2, 150)] {
        let mut tx = db.begin().await.unwrap();
        let booking = raw
            .booking(&mut tx, raw.show, "held", count, subtotal)
            .await
            .unwrap();
        raw.lines(&mut tx, booking, raw.show, &seats, "held")
            .await
            .unwrap();
        let err = tx.commit().await.unwrap_err();
        assert_eq!(
            violated(err),
            "bookings_lines_add_up",
            "{count} seats, {subtotal}"
        );
    }
    // A line taken away later, or a count changed later, is checked the same way.
    let booking = raw.held(&seats, "held").await;
    let changes = [
        "DELETE FROM booking_seats WHERE booking_id = $1 AND seat_id = (SELECT seat_id FROM booking_seats WHERE booking_id = $1 LIMIT 1)",
        "UPDATE bookings SET seat_count = 3 WHERE id = $1",
        "UPDATE booking_seats SET price_minor = 150 WHERE booking_id = $1",
    ];
    for change in changes {
        let mut tx = db.begin().await.unwrap();
        sqlx::query(change)
            .bind(booking)
            .execute(&mut *tx)
            .await
            .unwrap();
        assert_eq!(
            violated(tx.commit().await.unwrap_err()),
            "bookings_lines_add_up",
            "{change}"
        );
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_line_added_to_a_booking_later_is_checked_with_it(db: PgPool) {
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 2).await;
    // A line of a booking written earlier counts, even when this transaction touches the
    // booking first or gives it this transaction's time.
    let touches = [
        "SELECT 1 WHERE $1::uuid IS NOT NULL",
        "UPDATE bookings SET updated_at = now() WHERE id = $1",
        "UPDATE bookings SET created_at = now() WHERE id = $1",
    ];
    for touch in touches {
        let booking = raw.held(&seats[..1], "held").await;
        let mut tx = db.begin().await.unwrap();
        sqlx::query(touch)
            .bind(booking)
            .execute(&mut *tx)
            .await
            .unwrap();
        raw.lines(&mut tx, booking, raw.show, &seats[1..], "held")
            .await
            .unwrap();
        assert_eq!(
            violated(tx.commit().await.unwrap_err()),
            "bookings_lines_add_up",
            "{touch}"
        );
        sqlx::query("UPDATE bookings SET status = 'cancelled', cancelled_at = now() WHERE id = $1")
            .bind(booking)
            .execute(&db)
            .await
            .unwrap();
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hold_past_its_deadline_is_free_everywhere(db: PgPool) {
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 2).await;
    let booking = raw.held(&seats, "held").await;
    let state = |seat: Uuid| {
        sqlx::query_scalar::<_, String>(
            "SELECT status::text FROM seat_states WHERE show_id = $1 AND seat_id = $2",
        )
        .bind(raw.show)
        .bind(seat)
        .fetch_one(&db)
    };
    assert_eq!(state(seats[0]).await.unwrap(), "held");
    sqlx::query("UPDATE bookings SET hold_expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(booking)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(state(seats[0]).await.unwrap(), "available");
    let read: String = sqlx::query_scalar(
        "SELECT booking_state(status, hold_expires_at)::text FROM bookings WHERE id = $1",
    )
    .bind(booking)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(read, "expired");
    // The deadline is kept once: seats and lines have no copy of it to disagree.
    for table in ["show_seats", "booking_seats"] {
        let columns = columns(&db, table).await;
        assert!(
            !columns
                .iter()
                .any(|c| c.contains("until") || c.contains("expires")),
            "{table}: {columns:?}"
        );
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn booking_ids_follow_the_time_they_were_made(db: PgPool) {
    let raw = Raw::new(&db).await;
    let seats = raw.free_seats(raw.show, 2).await;
    let first = raw.held(&seats[..1], "held").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = raw.held(&seats[1..], "confirmed").await;
    // Version 7: the Unix time in milliseconds comes first.
    let secs = |id: Uuid| id.get_timestamp().expect("a timestamp").to_unix().0;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for id in [first, second] {
        assert_eq!(id.get_version_num(), 7, "{id}");
        assert!(now.abs_diff(secs(id)) < 60, "{id} is not of now");
    }
    assert!(second > first, "{second} sorts before {first}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn reviews_are_one_per_user_and_movie_within_range(db: PgPool) {
    let (_, _, _, movie) = any_show(&db).await;
    let user: Uuid = sqlx::query_scalar("SELECT id FROM users LIMIT 1")
        .fetch_one(&db)
        .await
        .unwrap();
    let insert = |rating: i16| {
        sqlx::query("INSERT INTO reviews (user_id, movie_id, rating) VALUES ($1, $2, $3)")
            .bind(user)
            .bind(movie)
            .bind(rating)
            .execute(&db)
    };
    assert_eq!(
        violated(insert(11).await.unwrap_err()),
        "reviews_rating_range"
    );
    assert_eq!(
        violated(insert(0).await.unwrap_err()),
        "reviews_rating_range"
    );
    insert(8).await.unwrap();
    assert_eq!(
        violated(insert(9).await.unwrap_err()),
        "reviews_one_per_user_movie"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn emails_are_stored_normalized(db: PgPool) {
    let err = sqlx::query(
        "INSERT INTO users (email, name, password_hash) VALUES ('Someone@Example.com', 'S', 'x')",
    )
    .execute(&db)
    .await
    .unwrap_err();
    assert_eq!(violated(err), "users_email_normalized");
}
