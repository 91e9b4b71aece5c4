//! The schema carries the invariants: these inserts must fail in the database itself.

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
async fn seat_state_and_references_are_consistent(db: PgPool) {
    let (show, _, seat, _) = any_show(&db).await;
    // Held without a booking or a deadline is not a state a seat can be in.
    let err =
        sqlx::query("UPDATE show_seats SET status = 'held' WHERE show_id = $1 AND seat_id = $2")
            .bind(show)
            .bind(seat)
            .execute(&db)
            .await
            .unwrap_err();
    assert_eq!(violated(err), "show_seats_state");
    // A seat from another screen cannot join this show.
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
