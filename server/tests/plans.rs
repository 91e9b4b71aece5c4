//! The booking writes run on plans made once per connection, possibly while their tables were
//! empty (a new database, a connection opened before the first sale). Such a plan must still
//! find each row by key once the tables have grown: the work of a hold may not grow with them.

mod support;

use server::db::MIGRATOR;
use sqlx::{PgConnection, PgPool};
use support::venue::customers;
use uuid::Uuid;

/// A show of the demo catalog on sale, and four of its seats with their prices.
struct Show {
    id: Uuid,
    seats: Vec<(Uuid, i64)>,
}

async fn a_show(db: &PgPool) -> Show {
    support::seed(db).await;
    let id = sqlx::query_scalar(
        "SELECT id FROM shows WHERE starts_at > now() + interval '6 hours' ORDER BY id LIMIT 1",
    )
    .fetch_one(db)
    .await
    .unwrap();
    let seats = sqlx::query_as(
        "SELECT ss.seat_id, sp.price_minor FROM show_seats ss JOIN seats se ON se.id = ss.seat_id
           JOIN show_prices sp ON sp.show_id = ss.show_id AND sp.category_id = se.category_id
          WHERE ss.show_id = $1 ORDER BY ss.seat_id LIMIT 4",
    )
    .bind(id)
    .fetch_all(db)
    .await
    .unwrap();
    Show { id, seats }
}

/// One hold of `seats` (indexes into the show's four) for `user`, written by `hold_seats_many`
/// on this connection; its outcome.
async fn hold(conn: &mut PgConnection, show: &Show, user: Uuid, seats: &[usize]) -> String {
    let (ids, prices): (Vec<Uuid>, Vec<i64>) = seats.iter().map(|i| show.seats[*i]).unzip();
    sqlx::query_scalar(
        "SELECT outcome FROM hold_seats_many(
             ARRAY[ROW($1, $2, $3::uuid[], $4::bigint[], $3::uuid[], '{}'::uuid[],
                       upper(substr(md5(random()::text), 1, 8)), 0, 0)::hold_ask],
             interval '10 minutes', interval '0', true)",
    )
    .bind(user)
    .bind(show.id)
    .bind(ids)
    .bind(prices)
    .fetch_one(conn)
    .await
    .unwrap()
}

/// Index entries of bookings and their lines read so far by this connection's transaction.
async fn entries_read(conn: &mut PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(indexrelid)), 0)::bigint
           FROM pg_index WHERE indrelid IN ('bookings'::regclass, 'booking_seats'::regclass)",
    )
    .fetch_one(conn)
    .await
    .unwrap()
}

/// Writes `count` cancelled bookings of one line each on `seat`: history, seen by statistics.
async fn past_bookings(db: &PgPool, show: &Show, user: Uuid, seat: Uuid, count: i32) {
    sqlx::query(
        "WITH b AS (
            INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                                  subtotal_minor, convenience_fee_minor, tax_minor, total_minor,
                                  currency, cancelled_at)
            SELECT 'X' || md5(random()::text), $1, $2, 'cancelled', now(), 1, 100, 0, 0, 100,
                   'INR', now()
              FROM generate_series(1, $4) n
            RETURNING id)
         INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
         SELECT b.id, $2, $3, 100, 'cancelled' FROM b",
    )
    .bind(user)
    .bind(show.id)
    .bind(seat)
    .bind(count)
    .execute(db)
    .await
    .unwrap();
}

async fn vacuum(db: &PgPool) {
    sqlx::query("VACUUM ANALYZE").execute(db).await.unwrap();
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hold_reads_by_key_on_plans_made_while_bookings_were_empty(db: PgPool) {
    let show = a_show(&db).await;
    let users = customers(&db, 2).await;
    let (seat, user) = (show.seats[3].0, users[1]);
    // Bookings were written and are gone (a test reset, a purge): the tables are known empty.
    past_bookings(&db, &show, user, seat, 30_000).await;
    sqlx::query("DELETE FROM bookings")
        .execute(&db)
        .await
        .unwrap();
    vacuum(&db).await;
    let mut conn = db.acquire().await.unwrap();
    // The first hold on this connection plans every statement while no booking exists.
    assert_eq!(hold(&mut conn, &show, users[0], &[0, 1]).await, "held");
    // Then many bookings come and go (ended ones keep their lines), and many are held, before
    // statistics catch up (new statistics would make the plans anew).
    past_bookings(&db, &show, user, seat, 5000).await;
    sqlx::query(
        "WITH s AS (
            SELECT DISTINCT ON (ss.show_id) ss.show_id, ss.seat_id, sp.price_minor
              FROM show_seats ss JOIN seats se ON se.id = ss.seat_id
              JOIN show_prices sp ON sp.show_id = ss.show_id AND sp.category_id = se.category_id
             WHERE ss.show_id <> $2 ORDER BY ss.show_id, ss.seat_id LIMIT 500),
         b AS (
            INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                                  subtotal_minor, convenience_fee_minor, tax_minor, total_minor,
                                  currency)
            SELECT 'H' || md5(random()::text), $1, s.show_id, 'held', now() + interval '10 minutes',
                   1, s.price_minor, 0, 0, s.price_minor, 'INR'
              FROM s
            RETURNING id, show_id)
         INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
         SELECT b.id, b.show_id, s.seat_id, s.price_minor, 'held' FROM b JOIN s USING (show_id)",
    )
    .bind(user)
    .bind(show.id)
    .execute(&db)
    .await
    .unwrap();
    // A hold replacing the first, on the same plans: a few entries by key, not thousands.
    sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
    let before = entries_read(&mut conn).await;
    let outcome = hold(&mut conn, &show, users[0], &[2, 3]).await;
    let read = entries_read(&mut conn).await - before;
    sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
    assert_eq!(outcome, "held");
    assert!(read < 100, "{read} index entries read for one hold");
}
