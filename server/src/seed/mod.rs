//! Demo data: seven cities, their theaters and screens with real seat layouts, a slate of
//! movies, a week of shows and the demo users.
//!
//! Ids are derived from names (UUID v5) and every insert skips what exists, so seeding twice
//! changes nothing and seeding on a later day only adds that day's shows.

mod data;
mod layout;
mod schedule;

use chrono::{NaiveDate, Utc};
use data::{CitySeed, MovieSeed, AMENITIES, CITIES, MOVIES};
use layout::Template;
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::HashSet;
use uuid::Uuid;

/// The demo cities' time zone: "today" and show times are Indian Standard Time.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::Asia::Kolkata;

pub const DEMO_CUSTOMER: &str = "customer@demo.district.test";
pub const DEMO_THEATER_ADMIN: &str = "theater.admin@demo.district.test";
pub const DEMO_ADMIN: &str = "admin@demo.district.test";
pub const DEFAULT_DEMO_PASSWORD: &str = "district-demo";

#[derive(Clone, Debug)]
pub struct Options {
    /// The first day of shows, in the cities' local calendar.
    pub today: NaiveDate,
    pub days: u32,
    pub demo_password: String,
}

impl Options {
    pub fn for_today(days: u32, demo_password: Option<String>) -> Self {
        Self {
            today: Utc::now().with_timezone(&TIME_ZONE).date_naive(),
            days,
            demo_password: demo_password.unwrap_or_else(|| DEFAULT_DEMO_PASSWORD.to_owned()),
        }
    }
}

/// How many rows each step added; all zeros on a repeated run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub cities: u64,
    pub theaters: u64,
    pub screens: u64,
    pub seats: u64,
    pub movies: u64,
    pub shows: u64,
    pub show_seats: u64,
    pub users: u64,
}

/// Loads the demo data in one transaction.
pub async fn run(db: &PgPool, options: &Options) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut tx = db.begin().await?;
    let mut screens = Vec::new();
    for city in CITIES {
        report.cities += insert_city(&mut tx, city).await?;
        for (index, theater) in city.theaters.iter().enumerate() {
            let theater_id = id(&["theater", city.slug, theater.chain, theater.area]);
            report.theaters += insert_theater(&mut tx, city, index, theater_id).await?;
            for (number, template) in layout::screens_for(theater_id, index == 0)
                .into_iter()
                .enumerate()
            {
                let screen = Screen::new(theater_id, number + 1, template);
                let (screens_added, seats_added) = insert_screen(&mut tx, &screen).await?;
                report.screens += screens_added;
                report.seats += seats_added;
                screens.push(screen);
            }
        }
    }
    report.movies = insert_movies(&mut tx, options.today).await?;
    let movies: Vec<schedule::Movie> = MOVIES
        .iter()
        .filter(|m| m.release_in_days <= 0)
        .map(|m| schedule::Movie::from_seed(movie_id(m), m))
        .collect();
    for day in 0..options.days {
        let date = options.today + chrono::Days::new(day.into());
        let shows: Vec<schedule::Show> = screens
            .iter()
            .flat_map(|screen| schedule::day(screen, &movies, date))
            .collect();
        let (shows_added, seats_added) = insert_shows(&mut tx, &shows).await?;
        report.shows += shows_added;
        report.show_seats += seats_added;
    }
    report.users = insert_demo_users(&mut tx, &options.demo_password).await?;
    tx.commit().await?;
    Ok(report)
}

/// A stable id for a named thing, so every run of the seed refers to the same rows.
fn id(parts: &[&str]) -> Uuid {
    const NAMESPACE: Uuid = Uuid::from_u128(0x8f1e_4c1a_9d4b_4f0e_b2a7_5d3c_6e21_d150);
    Uuid::new_v5(&NAMESPACE, parts.join("/").as_bytes())
}

/// A small deterministic hash for choices that should look varied but repeat exactly.
fn pick(parts: &[&str]) -> u64 {
    id(parts).as_u64_pair().0
}

pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn movie_id(movie: &MovieSeed) -> Uuid {
    id(&["movie", &slugify(movie.title)])
}

/// A screen as the scheduler needs it: its id, categories and what it can project.
pub struct Screen {
    pub id: Uuid,
    pub theater_id: Uuid,
    pub name: String,
    pub template: &'static Template,
}

impl Screen {
    fn new(theater_id: Uuid, number: usize, template: &'static Template) -> Self {
        let name = if template.imax {
            "IMAX".to_owned()
        } else {
            format!("Audi {number}")
        };
        Self {
            id: id(&["screen", &theater_id.to_string(), &number.to_string()]),
            theater_id,
            name,
            template,
        }
    }

    fn category_id(&self, name: &str) -> Uuid {
        id(&["category", &self.id.to_string(), name])
    }
}

async fn insert_city(tx: &mut Transaction<'_, Postgres>, city: &CitySeed) -> sqlx::Result<u64> {
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

async fn insert_theater(
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
async fn insert_screen(
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
         SELECT u.id, $2, u.category_id, u.row_label, u.number, u.grid_row, u.grid_col, u.kind
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

async fn insert_movies(tx: &mut Transaction<'_, Postgres>, today: NaiveDate) -> sqlx::Result<u64> {
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
async fn insert_shows(
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
           FROM shows sh JOIN seats se ON se.screen_id = sh.screen_id
          WHERE sh.id = ANY($1)",
    )
    .bind(&new)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok((new.len() as u64, seats))
}

/// The three demo accounts; the theater admin runs every theater of the first city.
async fn insert_demo_users(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Chai & Chaos"), "chai-chaos");
        assert_eq!(
            slugify("The Cartographer's Daughter"),
            "the-cartographer-s-daughter"
        );
        assert_eq!(slugify("Rudra: The Awakening"), "rudra-the-awakening");
    }

    #[test]
    fn demo_catalog_meets_its_brief() {
        assert!(CITIES.len() >= 6);
        assert!(CITIES.iter().all(|c| (2..=5).contains(&c.theaters.len())));
        assert!(MOVIES.len() >= 15);
        assert!(
            MOVIES.iter().any(|m| m.release_in_days > 0),
            "some upcoming movies"
        );
        let slugs: HashSet<String> = MOVIES.iter().map(|m| slugify(m.title)).collect();
        assert_eq!(slugs.len(), MOVIES.len(), "movie slugs are unique");
    }
}
