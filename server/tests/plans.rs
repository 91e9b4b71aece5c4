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
/// on this connection; its outcome and booking.
async fn hold(
    conn: &mut PgConnection,
    show: &Show,
    user: Uuid,
    seats: &[usize],
) -> (String, Option<Uuid>) {
    let (ids, prices): (Vec<Uuid>, Vec<i64>) = seats.iter().map(|i| show.seats[*i]).unzip();
    sqlx::query_as(
        "SELECT outcome, booking_id FROM hold_seats_many(
             ARRAY[ROW($1, $2, $3::uuid[], $4::bigint[], $3::uuid[], '{}'::uuid[],
                       upper(substr(md5(random()::text), 1, 8)), 0, 0)::hold_ask],
             interval '10 minutes', interval '0', true, 4)",
    )
    .bind(user)
    .bind(show.id)
    .bind(ids)
    .bind(prices)
    .fetch_one(conn)
    .await
    .unwrap()
}

/// Pays for `booking` (a succeeded payment of its total) and confirms it on this connection.
async fn pay_and_confirm(conn: &mut PgConnection, booking: Uuid) -> String {
    sqlx::query_scalar(
        "WITH paid AS (
            INSERT INTO payments (booking_id, gateway, amount_minor, currency, status, succeeded_at)
            SELECT id, 'sandbox', total_minor, currency, 'succeeded', now()
              FROM bookings WHERE id = $1
            RETURNING id)
         SELECT c.outcome FROM paid, confirm_booking($1, paid.id) c",
    )
    .bind(booking)
    .fetch_one(conn)
    .await
    .unwrap()
}

/// Cancels `booking`, found `status`, on this connection.
async fn cancel(conn: &mut PgConnection, booking: Uuid, status: &str) -> String {
    sqlx::query_scalar(
        "SELECT outcome FROM cancel_booking($1, $2::booking_status, 0, now() + interval '1 day')",
    )
    .bind(booking)
    .bind(status)
    .fetch_one(conn)
    .await
    .unwrap()
}

/// Index entries of bookings, their lines and show seats read so far by this connection's
/// transaction, and their rows read by sequential scans.
async fn entries_read(conn: &mut PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(pg_stat_get_xact_tuples_returned(oid)), 0)::bigint
           FROM pg_class
          WHERE oid IN ('bookings'::regclass, 'booking_seats'::regclass, 'show_seats'::regclass)
             OR oid IN (SELECT indexrelid FROM pg_index
                         WHERE indrelid IN ('bookings'::regclass, 'booking_seats'::regclass,
                                            'show_seats'::regclass))",
    )
    .fetch_one(conn)
    .await
    .unwrap()
}

/// Writes `count` cancelled bookings of one line each on `seat`, made over the last hour as
/// real ones are (their times rising with their order): history, seen by statistics.
async fn past_bookings(db: &PgPool, show: &Show, user: Uuid, seat: Uuid, count: i32) {
    sqlx::query(
        "WITH b AS (
            INSERT INTO bookings (code, user_id, show_id, status, created_at, hold_expires_at,
                                  seat_count, subtotal_minor, convenience_fee_minor, tax_minor,
                                  total_minor, currency, cancelled_at)
            SELECT 'X' || md5(random()::text), $1, $2, 'cancelled', t.at, t.at + interval '10 minutes',
                   1, 100, 0, 0, 100, 'INR', t.at + interval '1 minute'
              FROM generate_series(1, $4) n,
                   LATERAL (SELECT now() - interval '1 hour' + n * interval '1 hour' / $4 AS at) t
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

/// What PostgreSQL knows of the bookings tables once they were emptied.
#[derive(Clone, Copy)]
enum Known {
    /// That they are empty: never analyzed while full, they have no columns' statistics.
    Empty,
    /// That they are empty, with the columns' statistics of the full tables (an empty table's
    /// ANALYZE keeps them; autovacuum analyzes a table as it fills).
    EmptyWithFullStatistics,
}

/// Bookings were written and are gone (a test reset, a purge).
async fn emptied(db: &PgPool, show: &Show, user: Uuid, known: Known) {
    past_bookings(db, show, user, show.seats[3].0, 30_000).await;
    if let Known::EmptyWithFullStatistics = known {
        vacuum(db).await;
    }
    sqlx::query("DELETE FROM bookings")
        .execute(db)
        .await
        .unwrap();
    vacuum(db).await;
}

/// Many bookings come and go (ended ones keep their lines), and many are held, before
/// statistics catch up (new statistics would make the plans anew).
async fn grown(db: &PgPool, show: &Show, user: Uuid) {
    past_bookings(db, show, user, show.seats[3].0, 5000).await;
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
    .execute(db)
    .await
    .unwrap();
}

/// Opens a transaction on `conn` and counts the entries and rows it reads until [`counted`].
async fn counting(conn: &mut PgConnection) -> i64 {
    sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
    entries_read(conn).await
}

async fn counted(conn: &mut PgConnection, from: i64) -> i64 {
    let read = entries_read(&mut *conn).await - from;
    sqlx::query("COMMIT").execute(conn).await.unwrap();
    read
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hold_reads_by_key_on_plans_made_while_bookings_were_empty(db: PgPool) {
    a_hold_reads_by_key(db, Known::Empty).await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hold_reads_by_key_on_plans_made_while_bookings_were_empty_with_full_statistics(
    db: PgPool,
) {
    a_hold_reads_by_key(db, Known::EmptyWithFullStatistics).await;
}

async fn a_hold_reads_by_key(db: PgPool, known: Known) {
    let show = a_show(&db).await;
    let users = customers(&db, 2).await;
    emptied(&db, &show, users[1], known).await;
    let mut conn = db.acquire().await.unwrap();
    // The first hold on this connection plans every statement while no booking exists.
    assert_eq!(hold(&mut conn, &show, users[0], &[0, 1]).await.0, "held");
    grown(&db, &show, users[1]).await;
    // A hold replacing the first, on the same plans: a few entries by key, not thousands.
    let from = counting(&mut conn).await;
    let (outcome, _) = hold(&mut conn, &show, users[0], &[2, 3]).await;
    let read = counted(&mut conn, from).await;
    assert_eq!(outcome, "held");
    assert!(read < 40, "{read} entries read for one hold");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn confirm_and_cancel_read_by_key_on_plans_made_while_bookings_were_empty(db: PgPool) {
    confirm_and_cancel_read_by_key(db, Known::Empty).await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn confirm_and_cancel_read_by_key_on_plans_made_while_bookings_were_empty_with_full_statistics(
    db: PgPool,
) {
    confirm_and_cancel_read_by_key(db, Known::EmptyWithFullStatistics).await;
}

async fn confirm_and_cancel_read_by_key(db: PgPool, known: Known) {
    let show = a_show(&db).await;
    let users = customers(&db, 3).await;
    emptied(&db, &show, users[2], known).await;
    let mut conn = db.acquire().await.unwrap();
    // A confirmation and a release plan their statements while no booking exists.
    let (_, paid) = hold(&mut conn, &show, users[0], &[0]).await;
    assert_eq!(pay_and_confirm(&mut conn, paid.unwrap()).await, "confirmed");
    let (_, dropped) = hold(&mut conn, &show, users[1], &[1]).await;
    assert_eq!(
        cancel(&mut conn, dropped.unwrap(), "held").await,
        "released"
    );
    grown(&db, &show, users[2]).await;
    let (_, booking) = hold(&mut conn, &show, users[1], &[1, 2]).await;
    let booking = booking.unwrap();

    let from = counting(&mut conn).await;
    let outcome = pay_and_confirm(&mut conn, booking).await;
    let read = counted(&mut conn, from).await;
    assert_eq!(outcome, "confirmed");
    assert!(read < 40, "{read} entries read for one confirmation");

    let from = counting(&mut conn).await;
    let outcome = cancel(&mut conn, booking, "confirmed").await;
    let read = counted(&mut conn, from).await;
    assert_eq!(outcome, "cancelled");
    assert!(read < 40, "{read} entries read for one cancellation");
}

fn seat_ids(show: &Show) -> Vec<Uuid> {
    show.seats.iter().map(|(seat, _)| *seat).collect()
}

/// The show's four seats as an announcement reads them back, on this connection: each seat's
/// state, holder and version.
async fn read_back(conn: &mut PgConnection, show: &Show) -> Vec<(String, Option<Uuid>, i64)> {
    let seats = seat_ids(show);
    sqlx::query_as("SELECT status::text, holder, version FROM seats_as_they_stand($1, $2)")
        .bind(vec![show.id; seats.len()])
        .bind(&seats)
        .fetch_all(conn)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_seats_read_back_reads_by_key_on_plans_made_while_bookings_were_empty(db: PgPool) {
    the_seats_read_back_reads_by_key(db, Known::Empty).await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_seats_read_back_reads_by_key_on_plans_made_while_bookings_were_empty_with_full_statistics(
    db: PgPool,
) {
    the_seats_read_back_reads_by_key(db, Known::EmptyWithFullStatistics).await;
}

async fn the_seats_read_back_reads_by_key(db: PgPool, known: Known) {
    let show = a_show(&db).await;
    let users = customers(&db, 3).await;
    emptied(&db, &show, users[1], known).await;
    let mut conn = db.acquire().await.unwrap();
    // Reads while no booking exists, more than a prepared statement needs to keep a plan.
    for _ in 0..6 {
        read_back(&mut conn, &show).await;
    }
    assert_eq!(hold(&mut conn, &show, users[0], &[0, 1]).await.0, "held");
    grown(&db, &show, users[1]).await;
    // Seat 3 held again after its thousands of ended lines.
    let mut other = db.acquire().await.unwrap();
    assert_eq!(hold(&mut other, &show, users[2], &[3]).await.0, "held");

    let from = counting(&mut conn).await;
    let seats = read_back(&mut conn, &show).await;
    let read = counted(&mut conn, from).await;
    // Each seat's version is the greatest of its lines'.
    let newest: Vec<i64> = sqlx::query_scalar(
        "SELECT coalesce(max(bs.version), 0) FROM unnest($2::uuid[]) WITH ORDINALITY s (id, n)
           LEFT JOIN booking_seats bs ON bs.show_id = $1 AND bs.seat_id = s.id
          GROUP BY s.n ORDER BY s.n",
    )
    .bind(show.id)
    .bind(seat_ids(&show))
    .fetch_all(&db)
    .await
    .unwrap();
    let states = [
        ("held", Some(users[0])),
        ("held", Some(users[0])),
        ("available", None),
        ("held", Some(users[2])),
    ];
    let expected: Vec<(String, Option<Uuid>, i64)> = states
        .into_iter()
        .zip(newest)
        .map(|((status, holder), version)| (status.to_owned(), holder, version))
        .collect();
    assert_eq!(seats, expected);
    assert!(expected[3].2 > 0 && expected[2].2 == 0, "{expected:?}");
    // A held seat's live line and its booking; an available one's newest ended line, if any.
    assert!(read <= 8, "{read} entries read for four seats");
}
