//! The inserts of the seed, one per kind of row; each skips what exists and says how many
//! rows it added.

use super::{
    data::{CitySeed, AMENITIES, CITIES, MOVIES},
    id, movie_id, pick, schedule, slugify, Screen, DEMO_ADMIN, DEMO_CUSTOMER, DEMO_THEATER_ADMIN,
    TIME_ZONE,
};
use chrono::NaiveDate;
use sqlx::{Postgres, Transaction};
use std::collections::HashSet;
use uuid::Uuid;

pub(super) async fn insert_city(
    tx: &mut Transaction<'_, Postgres>,
    city: &CitySeed,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "INSERT INTO cities (id, slug, name, state, latitude, longitude, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(id(&["city", city.slug]))
    .bind(city.slug)
    .bind(city.name)
    .bind(city.state)
    .bind(city.lat)
    .bind(city.lng)
    .bind(TIME_ZONE.name())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

pub(super) async fn insert_theater(
    tx: &mut Transaction<'_, Postgres>,
    city: &CitySeed,
    index: usize,
    theater_id: Uuid,
) -> sqlx::Result<u64> {
    let theater = &city.theaters[index];
    let name = format!("{}: {}", theater.chain, theater.area);
    let seed = pick(&["amenities", &name]);
    let amenities: Vec<&str> = AMENITIES
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 2 || seed >> i & 1 == 1)
        .map(|(_, a)| *a)
        .collect();
    let done = sqlx::query(
        "INSERT INTO theaters (id, city_id, slug, name, address, latitude, longitude, amenities)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(theater_id)
    .bind(id(&["city", city.slug]))
    .bind(slugify(&format!(
        "{} {} {}",
        theater.chain, theater.area, city.slug
    )))
    .bind(&name)
    .bind(format!(
        "{}, {}, {}",
        theater.address, city.name, city.state
    ))
    .bind(theater.lat)
    .bind(theater.lng)
    .bind(&amenities)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Inserts a screen with its categories and seats; an existing screen is left as it is.
pub(super) async fn insert_screen(
    tx: &mut Transaction<'_, Postgres>,
    screen: &Screen,
) -> sqlx::Result<(u64, u64)> {
    let template = screen.template;
    let seats = template.seats();
    let added = sqlx::query(
        "INSERT INTO screens (id, theater_id, name, layout_rows, layout_columns, aisle_columns, formats)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(screen.id)
    .bind(screen.theater_id)
    .bind(&screen.name)
    .bind(template.grid_rows())
    .bind(template.grid_columns())
    .bind(template.aisle_columns())
    .bind(template.formats())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if added == 0 {
        return Ok((0, 0));
    }
    for (rank, band) in template.categories().iter().enumerate() {
        sqlx::query(
            "INSERT INTO seat_categories (id, screen_id, name, rank) VALUES ($1, $2, $3, $4)",
        )
        .bind(screen.category_id(band))
        .bind(screen.id)
        .bind(band)
        .bind(rank as i32 + 1)
        .execute(&mut **tx)
        .await?;
    }
    let screen_key = screen.id.to_string();
    let ids: Vec<Uuid> = seats
        .iter()
        .map(|s| id(&["seat", &screen_key, &s.label()]))
        .collect();
    let categories: Vec<Uuid> = seats
        .iter()
        .map(|s| screen.category_id(s.category))
        .collect();
    let rows: Vec<&str> = seats.iter().map(|s| s.row_label.as_str()).collect();
    let numbers: Vec<i32> = seats.iter().map(|s| s.number).collect();
    let grid_rows: Vec<i32> = seats.iter().map(|s| s.grid_row).collect();
    let grid_cols: Vec<i32> = seats.iter().map(|s| s.grid_col).collect();
    let kinds: Vec<&str> = seats.iter().map(|s| s.kind).collect();
    let inserted = sqlx::query(
        "INSERT INTO seats (id, screen_id, category_id, row_label, number, grid_row, grid_col, kind)
         SELECT u.id, $2, u.category_id, u.row_label, u.number, u.grid_row, u.grid_col, u.kind::seat_kind
           FROM UNNEST($1::uuid[], $3::uuid[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[])
                AS u(id, category_id, row_label, number, grid_row, grid_col, kind)",
    )
    .bind(&ids)
    .bind(screen.id)
    .bind(&categories)
    .bind(&rows)
    .bind(&numbers)
    .bind(&grid_rows)
    .bind(&grid_cols)
    .bind(&kinds)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((1, inserted))
}

pub(super) async fn insert_movies(
    tx: &mut Transaction<'_, Postgres>,
    today: NaiveDate,
) -> sqlx::Result<u64> {
    let mut added = 0;
    for movie in MOVIES {
        let slug = slugify(movie.title);
        let release = today + chrono::TimeDelta::days(movie.release_in_days);
        added += sqlx::query(
            "INSERT INTO movies (id, slug, title, synopsis, runtime_minutes, languages, genres,
                                 certificate, release_date, poster_url, trailer_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
        )
        .bind(movie_id(movie))
        .bind(&slug)
        .bind(movie.title)
        .bind(movie.synopsis)
        .bind(movie.runtime)
        .bind(movie.languages)
        .bind(movie.genres)
        .bind(movie.certificate)
        .bind(release)
        .bind(format!("/posters/{slug}.svg"))
        .bind(format!(
            "https://www.youtube-nocookie.com/embed/district-{slug}"
        ))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(added)
}

/// Inserts the shows that are new, with their prices and one available seat row per seat.
pub(super) async fn insert_shows(
    tx: &mut Transaction<'_, Postgres>,
    shows: &[schedule::Show],
) -> sqlx::Result<(u64, u64)> {
    let new: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO shows (id, movie_id, screen_id, starts_at, ends_at, language, format)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[],
                              $5::timestamptz[], $6::text[], $7::text[])
         ON CONFLICT DO NOTHING
         RETURNING id",
    )
    .bind(shows.iter().map(|s| s.id).collect::<Vec<_>>())
    .bind(shows.iter().map(|s| s.movie_id).collect::<Vec<_>>())
    .bind(shows.iter().map(|s| s.screen_id).collect::<Vec<_>>())
    .bind(shows.iter().map(|s| s.starts_at).collect::<Vec<_>>())
    .bind(shows.iter().map(|s| s.ends_at).collect::<Vec<_>>())
    .bind(shows.iter().map(|s| s.language.clone()).collect::<Vec<_>>())
    .bind(shows.iter().map(|s| s.format).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?;
    if new.is_empty() {
        return Ok((0, 0));
    }
    let fresh: HashSet<Uuid> = new.iter().copied().collect();
    let prices: Vec<(Uuid, Uuid, i64)> = shows
        .iter()
        .filter(|s| fresh.contains(&s.id))
        .flat_map(|s| {
            s.prices
                .iter()
                .map(move |(category, price)| (s.id, *category, *price))
        })
        .collect();
    sqlx::query(
        "INSERT INTO show_prices (show_id, category_id, price_minor)
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::bigint[])",
    )
    .bind(prices.iter().map(|p| p.0).collect::<Vec<_>>())
    .bind(prices.iter().map(|p| p.1).collect::<Vec<_>>())
    .bind(prices.iter().map(|p| p.2).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    let seats = sqlx::query(
        "INSERT INTO show_seats (show_id, seat_id, screen_id)
         SELECT sh.id, se.id, sh.screen_id
           FROM shows sh JOIN seats se ON se.screen_id = sh.screen_id AND se.retired_at IS NULL
          WHERE sh.id = ANY($1)",
    )
    .bind(&new)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((new.len() as u64, seats))
}

/// The three demo accounts; the theater admin runs every theater of the first city.
pub(super) async fn insert_demo_users(
    tx: &mut Transaction<'_, Postgres>,
    password: &str,
) -> anyhow::Result<u64> {
    let users = [
        (DEMO_CUSTOMER, "Asha Customer", "customer"),
        (DEMO_THEATER_ADMIN, "Ravi Theater Admin", "theater_admin"),
        (DEMO_ADMIN, "Meera Platform Admin", "admin"),
    ];
    let mut added = 0;
    for (email, name, role) in users {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
                .bind(email)
                .fetch_one(&mut **tx)
                .await?;
        if exists {
            continue;
        }
        let hash = app::account::password::hash(password)?;
        added += sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, role, email_verified_at)
             VALUES ($1, $2, $3, $4, $5, now())",
        )
        .bind(id(&["user", email]))
        .bind(email)
        .bind(name)
        .bind(hash)
        .bind(role)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    sqlx::query(
        "INSERT INTO theater_admins (user_id, theater_id)
         SELECT u.id, t.id FROM users u, theaters t
          WHERE u.email = $1 AND t.city_id = $2
         ON CONFLICT DO NOTHING",
    )
    .bind(DEMO_THEATER_ADMIN)
    .bind(id(&["city", CITIES[0].slug]))
    .execute(&mut **tx)
    .await?;
    Ok(added)
}
