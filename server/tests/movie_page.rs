//! The movie page: its date strip offers the days with shows in the moviegoer's city, however
//! far ahead they are, and each day lists its showtimes by theater.

mod support;

use chrono::NaiveDate;
use http::StatusCode;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{app, get, seed};

const MUMBAI: &[(&str, &str)] = &[("cookie", "city=mumbai")];

/// Days (Mumbai time) with a show of the movie still to start in Mumbai, soonest first.
async fn show_days_in_mumbai(db: &PgPool, slug: &str) -> Vec<NaiveDate> {
    sqlx::query_scalar(
        "SELECT DISTINCT (s.starts_at AT TIME ZONE 'Asia/Kolkata')::date AS day
           FROM shows s JOIN movies m ON m.id = s.movie_id
           JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
           JOIN cities c ON c.id = t.city_id
          WHERE m.slug = $1 AND c.slug = 'mumbai' AND s.status = 'scheduled'
            AND s.starts_at > now()
          ORDER BY day",
    )
    .bind(slug)
    .fetch_all(db)
    .await
    .unwrap()
}

/// Theaters in Mumbai with a show of the movie still to start on `date` (theater time).
async fn theaters_in_mumbai(db: &PgPool, slug: &str, date: NaiveDate) -> usize {
    let count: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT t.id) FROM shows s JOIN movies m ON m.id = s.movie_id
           JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
           JOIN cities c ON c.id = t.city_id
          WHERE m.slug = $1 AND c.slug = 'mumbai' AND s.status = 'scheduled'
            AND s.starts_at > now() AND (s.starts_at AT TIME ZONE 'Asia/Kolkata')::date = $2",
    )
    .bind(slug)
    .bind(date)
    .fetch_one(db)
    .await
    .unwrap();
    count as usize
}

/// The strip's days in order, and the one marked current.
fn strip(body: &str) -> (Vec<NaiveDate>, Option<NaiveDate>) {
    let date = |at: &str| NaiveDate::parse_from_str(&at[..10], "%Y-%m-%d").unwrap();
    let days = body.split(r#"data-date=""#).skip(1).map(date).collect();
    let current = body
        .split("<a ")
        .find(|tag| tag.contains(r#"aria-current="date""#))
        .and_then(|tag| tag.split(r#"data-date=""#).nth(1))
        .map(date);
    (days, current)
}

fn theater_cards(body: &str) -> usize {
    body.matches(r#"data-testid="theater-showtimes""#).count()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_strip_offers_the_days_with_shows_and_each_lists_its_theaters(db: PgPool) {
    seed(&db).await;
    let app = app(db.clone());
    let page = get(&app, "/movies/orbitfall?city=mumbai", MUMBAI).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("<title>Orbitfall · Showtimes in Mumbai · District</title>"));
    assert!(
        page.body
            .contains("India&#x27;s first crewed lunar station")
            || page.body.contains("India's first crewed lunar station")
    );
    let days = show_days_in_mumbai(&db, "orbitfall").await;
    assert!(
        !days.is_empty(),
        "the seed has shows of Orbitfall in Mumbai"
    );
    let (strip_days, current) = strip(&page.body);
    assert_eq!(strip_days, days, "one chip per day with shows");
    assert_eq!(current, Some(days[0]), "the first day with shows is chosen");
    assert_eq!(
        theater_cards(&page.body),
        theaters_in_mumbai(&db, "orbitfall", days[0]).await
    );

    let last = *days.last().unwrap();
    let later = get(&app, &format!("/movies/orbitfall?date={last}"), MUMBAI).await;
    assert_eq!(strip(&later.body).1, Some(last));
    // Prices are shown the way Indians read them.
    assert!(later.body.contains("from ₹"), "a price in rupees");
    assert_eq!(
        theater_cards(&later.body),
        theaters_in_mumbai(&db, "orbitfall", last).await
    );

    let missing = get(&app, "/movies/no-such-movie", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let home = get(&app, "/", &[]).await;
    assert!(
        home.body.contains(r#"href="/movies/orbitfall""#),
        "cards link to their movie"
    );
}

/// A movie opening in a month, on sale already: its page leads with its first show day, which
/// a strip of the next seven days could not reach.
#[sqlx::test(migrator = "MIGRATOR")]
async fn an_advance_booking_is_on_the_movie_page_from_the_first_day(db: PgPool) {
    seed(&db).await;
    let show: uuid::Uuid = sqlx::query_scalar(
        "UPDATE shows SET movie_id = (SELECT id FROM movies WHERE slug = 'quiet-waters'),
                starts_at = starts_at + interval '30 days', ends_at = ends_at + interval '30 days'
          WHERE id = (SELECT s.id FROM shows s JOIN screens sc ON sc.id = s.screen_id
                        JOIN theaters t ON t.id = sc.theater_id JOIN cities c ON c.id = t.city_id
                       WHERE c.slug = 'mumbai' AND s.starts_at > now()
                       ORDER BY s.starts_at LIMIT 1)
        RETURNING id",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let days = show_days_in_mumbai(&db, "quiet-waters").await;
    assert_eq!(days.len(), 1, "one show, a month out");
    let app = app(db.clone());

    // Asked for no day, for today, or for a day without shows: the show's day it is.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    for query in [
        String::new(),
        format!("?date={today}"),
        "?date=nonsense".into(),
    ] {
        let page = get(&app, &format!("/movies/quiet-waters{query}"), MUMBAI).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(strip(&page.body), (days.clone(), Some(days[0])), "{query}");
        assert_eq!(theater_cards(&page.body), 1, "{query}");
        assert!(page.body.contains(&format!("/shows/{show}")), "{query}");
    }

    // A movie with no show in the city: no strip, and a message saying so.
    let none = get(&app, "/movies/iron-monsoon-2", MUMBAI).await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(strip(&none.body), (Vec::new(), None));
    assert!(none.body.contains("No shows in this city yet"));
}
