//! `district seed` is idempotent and produces the catalog the product needs.

mod support;

use server::{db::MIGRATOR, seed};
use sqlx::PgPool;

const TABLES: &[&str] = &[
    "cities",
    "theaters",
    "screens",
    "seat_categories",
    "seats",
    "movies",
    "shows",
    "show_prices",
    "show_seats",
    "users",
    "theater_admins",
];

async fn counts(db: &PgPool) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(db)
            .await
            .unwrap();
        counts.push((table.to_string(), n));
    }
    counts
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn seeding_twice_changes_nothing(db: PgPool) {
    let first = support::seed(&db).await;
    assert!(
        first.shows > 0 && first.show_seats > 0 && first.users == 3,
        "{first:?}"
    );
    let before = counts(&db).await;
    let checksum: String = sqlx::query_scalar(
        "SELECT md5(string_agg(id::text || starts_at::text, ',' ORDER BY id)) FROM shows",
    )
    .fetch_one(&db)
    .await
    .unwrap();

    let second = support::seed(&db).await;
    assert_eq!(second, seed::Report::default(), "a second run adds nothing");
    assert_eq!(counts(&db).await, before);
    let again: String = sqlx::query_scalar(
        "SELECT md5(string_agg(id::text || starts_at::text, ',' ORDER BY id)) FROM shows",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(checksum, again);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn demo_data_is_varied_and_complete(db: PgPool) {
    support::seed(&db).await;
    let cities: i64 = sqlx::query_scalar("SELECT count(*) FROM cities")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(cities >= 6);
    let (min_theaters, max_theaters): (i64, i64) = sqlx::query_as(
        "SELECT min(n), max(n) FROM (SELECT count(*) n FROM theaters GROUP BY city_id) t",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(min_theaters >= 2 && max_theaters <= 5);
    let (min_screens, max_screens): (i64, i64) = sqlx::query_as(
        "SELECT min(n), max(n) FROM (SELECT count(*) n FROM screens GROUP BY theater_id) s",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(min_screens >= 2 && max_screens <= 6);
    let (min_seats, max_seats, layouts): (i64, i64, i64) = sqlx::query_as(
        "SELECT min(n), max(n), count(DISTINCT n) FROM (SELECT count(*) n FROM seats GROUP BY screen_id) s",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        min_seats >= 80 && max_seats <= 400 && layouts >= 3,
        "{min_seats}..{max_seats}, {layouts}"
    );
    let wheelchair: i64 =
        sqlx::query_scalar("SELECT count(*) FROM seats WHERE kind = 'wheelchair'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(wheelchair > 0);
    let upcoming: i64 =
        sqlx::query_scalar("SELECT count(*) FROM movies WHERE release_date > current_date")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(upcoming >= 2);
    // Every show has a price for every category of its screen and a seat row per seat.
    let unpriced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM shows s JOIN seat_categories c ON c.screen_id = s.screen_id
          LEFT JOIN show_prices p ON p.show_id = s.id AND p.category_id = c.id WHERE p.show_id IS NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(unpriced, 0);
    let missing_seats: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM shows s JOIN seats se ON se.screen_id = s.screen_id
          LEFT JOIN show_seats ss ON ss.show_id = s.id AND ss.seat_id = se.id WHERE ss.show_id IS NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(missing_seats, 0);
    // Shows run at realistic local times.
    let (earliest, latest): (f64, f64) = sqlx::query_as(
        "SELECT min(extract(hour FROM starts_at AT TIME ZONE 'Asia/Kolkata'))::float8,
                max(extract(hour FROM starts_at AT TIME ZONE 'Asia/Kolkata'))::float8 FROM shows",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(earliest >= 9.0 && latest <= 22.0, "{earliest}..{latest}");
    // The demo theater admin runs every theater of the first city, and only those.
    let managed: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.slug FROM theater_admins ta JOIN users u ON u.id = ta.user_id
           JOIN theaters t ON t.id = ta.theater_id JOIN cities c ON c.id = t.city_id
          WHERE u.email = $1",
    )
    .bind(seed::DEMO_THEATER_ADMIN)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(managed, ["mumbai"]);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn demo_users_sign_in_with_the_demo_password(db: PgPool) {
    support::seed(&db).await;
    for (email, role) in [
        (seed::DEMO_CUSTOMER, "customer"),
        (seed::DEMO_THEATER_ADMIN, "theater_admin"),
        (seed::DEMO_ADMIN, "admin"),
    ] {
        let (hash, stored_role): (String, String) =
            sqlx::query_as("SELECT password_hash, role FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(stored_role, role);
        assert!(
            app::account::password::verify(seed::DEFAULT_DEMO_PASSWORD, &hash),
            "{email}"
        );
    }
}
