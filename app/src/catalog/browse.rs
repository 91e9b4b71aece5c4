//! The catalog service: cities, theaters, movies, shows and seat maps, read from the replica
//! when there is one. Shared by the REST API and the pages.

use super::CatalogError;
pub use super::{CategoryPrice, Layout, SeatInfo, SeatMap};
use crate::cache::{seat_map_key, Cache};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CityInfo {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub state: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
    /// Theaters with at least one show still to start.
    pub theaters_with_shows: i64,
}

pub async fn cities(db: &PgPool) -> Result<Vec<CityInfo>, CatalogError> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.slug, c.name, c.state, c.latitude, c.longitude, c.time_zone,
                count(DISTINCT t.id) FILTER (WHERE EXISTS (
                    SELECT 1 FROM screens sc JOIN shows s ON s.screen_id = sc.id
                     WHERE sc.theater_id = t.id AND s.status = 'scheduled' AND s.starts_at > now()))
                    AS theaters_with_shows
           FROM cities c LEFT JOIN theaters t ON t.city_id = c.id
          GROUP BY c.id ORDER BY c.name",
    )
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TheaterInfo {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub city_id: Uuid,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub amenities: Vec<String>,
    /// Kilometres from the point asked about, for searches near a place.
    pub distance_km: Option<f64>,
}

/// Where to look for theaters: a city, or a circle around a point.
pub enum Near {
    City(Uuid),
    Point { lat: f64, lng: f64, radius_km: f64 },
}

/// Great-circle distance in SQL (haversine, Earth radius 6371 km).
const DISTANCE_KM: &str = "6371 * 2 * asin(sqrt(
        power(sin(radians(t.latitude - $1) / 2), 2)
      + cos(radians($1)) * cos(radians(t.latitude)) * power(sin(radians(t.longitude - $2) / 2), 2)))";

pub async fn theaters(db: &PgPool, near: Near) -> Result<Vec<TheaterInfo>, CatalogError> {
    let columns =
        "t.id, t.slug, t.name, t.city_id, t.address, t.latitude, t.longitude, t.amenities";
    let rows = match near {
        Near::City(city_id) => {
            if !exists(db, "cities", city_id).await? {
                return Err(CatalogError::field("city_id", "There is no such city."));
            }
            sqlx::query_as(&format!(
                "SELECT {columns}, NULL::float8 AS distance_km FROM theaters t WHERE t.city_id = $1 ORDER BY t.name"
            ))
            .bind(city_id)
            .fetch_all(db)
            .await?
        }
        Near::Point {
            lat,
            lng,
            radius_km,
        } => {
            sqlx::query_as(&format!(
                "SELECT * FROM (SELECT {columns}, {DISTANCE_KM} AS distance_km FROM theaters t) near
                  WHERE distance_km <= $3 ORDER BY distance_km"
            ))
            .bind(lat)
            .bind(lng)
            .bind(radius_km)
            .fetch_all(db)
            .await?
        }
    };
    Ok(rows)
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ScreenInfo {
    pub id: Uuid,
    pub name: String,
    pub formats: Vec<String>,
    pub seats: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TheaterDetails {
    #[serde(flatten)]
    pub theater: TheaterInfo,
    pub screens: Vec<ScreenInfo>,
    /// Shows on the theater's local today that have not started yet.
    pub todays_shows: Vec<ShowInfo>,
}

pub async fn theater(db: &PgPool, id: Uuid) -> Result<TheaterDetails, CatalogError> {
    let theater: TheaterInfo = sqlx::query_as(
        "SELECT t.id, t.slug, t.name, t.city_id, t.address, t.latitude, t.longitude, t.amenities,
                NULL::float8 AS distance_km
           FROM theaters t WHERE t.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or(CatalogError::NotFound)?;
    let screens = sqlx::query_as(
        "SELECT sc.id, sc.name, sc.formats, (SELECT count(*) FROM seats s WHERE s.screen_id = sc.id) AS seats
           FROM screens sc WHERE sc.theater_id = $1 ORDER BY sc.name",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let todays_shows = shows(
        db,
        &ShowFilter {
            theater_id: Some(id),
            today_only: true,
            ..ShowFilter::default()
        },
    )
    .await?;
    Ok(TheaterDetails {
        theater,
        screens,
        todays_shows,
    })
}

#[derive(Debug, Default)]
pub struct ShowFilter {
    pub movie_id: Option<Uuid>,
    pub city_id: Option<Uuid>,
    pub theater_id: Option<Uuid>,
    /// A calendar day in the theater's time zone.
    pub date: Option<NaiveDate>,
    pub today_only: bool,
}

#[derive(Debug, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ShowInfo {
    pub id: Uuid,
    pub movie_id: Uuid,
    pub movie_title: String,
    pub movie_slug: String,
    pub theater_id: Uuid,
    pub theater_name: String,
    pub screen_id: Uuid,
    pub screen_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub language: String,
    pub format: String,
    pub price_min: i64,
    pub price_max: i64,
    pub currency: String,
    /// available, filling_fast, almost_full or sold_out.
    pub availability: String,
}

/// Scheduled shows still to start, soonest first. A seat held past its deadline counts as free.
pub async fn shows(db: &PgPool, filter: &ShowFilter) -> Result<Vec<ShowInfo>, CatalogError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.movie_id, m.title AS movie_title, m.slug AS movie_slug, t.id AS theater_id, t.name AS theater_name,
                sc.id AS screen_id, sc.name AS screen_name, s.starts_at, s.ends_at, s.language, s.format,
                p.price_min, p.price_max, s.currency::text AS currency,
                CASE WHEN a.free = 0 THEN 'sold_out'
                     WHEN a.free * 5 <= a.total THEN 'almost_full'
                     WHEN a.free * 2 <= a.total THEN 'filling_fast'
                     ELSE 'available' END AS availability
           FROM shows s
           JOIN movies m ON m.id = s.movie_id
           JOIN screens sc ON sc.id = s.screen_id
           JOIN theaters t ON t.id = sc.theater_id
           JOIN cities c ON c.id = t.city_id
           CROSS JOIN LATERAL (SELECT min(price_minor) AS price_min, max(price_minor) AS price_max
                                 FROM show_prices WHERE show_id = s.id) p
           CROSS JOIN LATERAL (SELECT count(*) AS total,
                                      count(*) FILTER (WHERE ss.status = 'available'
                                                   OR (ss.status = 'held' AND ss.held_until < now())) AS free
                                 FROM show_seats ss WHERE ss.show_id = s.id) a
          WHERE s.status = 'scheduled' AND s.starts_at > now()
            AND ($1::uuid IS NULL OR s.movie_id = $1)
            AND ($2::uuid IS NULL OR t.city_id = $2)
            AND ($3::uuid IS NULL OR t.id = $3)
            AND ($4::date IS NULL OR (s.starts_at AT TIME ZONE c.time_zone)::date = $4)
            AND (NOT $5 OR (s.starts_at AT TIME ZONE c.time_zone)::date = (now() AT TIME ZONE c.time_zone)::date)
          ORDER BY s.starts_at, t.name, sc.name",
    )
    .bind(filter.movie_id)
    .bind(filter.city_id)
    .bind(filter.theater_id)
    .bind(filter.date)
    .bind(filter.today_only)
    .fetch_all(db)
    .await?)
}

async fn exists(db: &PgPool, table: &'static str, id: Uuid) -> Result<bool, CatalogError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"
    ))
    .bind(id)
    .fetch_one(db)
    .await?)
}

#[derive(Debug, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MovieInfo {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub synopsis: String,
    pub runtime_minutes: i32,
    pub languages: Vec<String>,
    pub genres: Vec<String>,
    pub certificate: String,
    pub release_date: NaiveDate,
    pub poster_url: Option<String>,
    pub trailer_url: Option<String>,
    /// Average of 1-10 ratings, when there are any.
    pub rating: Option<f64>,
    pub rating_count: i64,
}

const MOVIE_COLUMNS: &str =
    "m.id, m.slug, m.title, m.synopsis, m.runtime_minutes, m.languages, m.genres,
        m.certificate, m.release_date, m.poster_url, m.trailer_url,
        (SELECT avg(r.rating)::float8 FROM reviews r WHERE r.movie_id = m.id) AS rating,
        (SELECT count(*) FROM reviews r WHERE r.movie_id = m.id) AS rating_count";

#[derive(Debug, Default)]
pub struct MovieFilter {
    pub city_id: Option<Uuid>,
    pub language: Option<String>,
    pub genre: Option<String>,
    pub format: Option<String>,
    pub date: Option<NaiveDate>,
}

/// Movies with at least one upcoming show matching every filter, newest releases first.
pub async fn movies(
    db: &PgPool,
    filter: &MovieFilter,
    page: u32,
    per_page: u32,
) -> Result<(Vec<MovieInfo>, i64), CatalogError> {
    let matching = "FROM movies m WHERE EXISTS (
            SELECT 1 FROM shows s
              JOIN screens sc ON sc.id = s.screen_id
              JOIN theaters t ON t.id = sc.theater_id
              JOIN cities c ON c.id = t.city_id
             WHERE s.movie_id = m.id AND s.status = 'scheduled' AND s.starts_at > now()
               AND ($1::uuid IS NULL OR t.city_id = $1)
               AND ($2::text IS NULL OR lower(s.language) = lower($2))
               AND ($4::text IS NULL OR lower(s.format) = lower($4))
               AND ($5::date IS NULL OR (s.starts_at AT TIME ZONE c.time_zone)::date = $5))
          AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM unnest(m.genres) g WHERE lower(g) = lower($3)))";
    let total: i64 = sqlx::query_scalar(&format!("SELECT count(*) {matching}"))
        .bind(filter.city_id)
        .bind(&filter.language)
        .bind(&filter.genre)
        .bind(&filter.format)
        .bind(filter.date)
        .fetch_one(db)
        .await?;
    let items = sqlx::query_as(&format!(
        "SELECT {MOVIE_COLUMNS} {matching} ORDER BY m.release_date DESC, m.title LIMIT $6 OFFSET $7"
    ))
    .bind(filter.city_id)
    .bind(&filter.language)
    .bind(&filter.genre)
    .bind(&filter.format)
    .bind(filter.date)
    .bind(i64::from(per_page))
    .bind(i64::from(page.saturating_sub(1)) * i64::from(per_page))
    .fetch_all(db)
    .await?;
    Ok((items, total))
}

pub async fn movie(db: &PgPool, id: Uuid) -> Result<MovieInfo, CatalogError> {
    sqlx::query_as(&format!(
        "SELECT {MOVIE_COLUMNS} FROM movies m WHERE m.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or(CatalogError::NotFound)
}

/// Releases still to come, soonest first.
pub async fn upcoming(db: &PgPool) -> Result<Vec<MovieInfo>, CatalogError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {MOVIE_COLUMNS} FROM movies m WHERE m.release_date > current_date ORDER BY m.release_date, m.title"
    ))
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TrendingMovie {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub movie: MovieInfo,
    /// Confirmed bookings in the last 7 days (in the city, when one is given).
    pub recent_bookings: i64,
}

/// Movies now showing, ranked by confirmed bookings in the last 7 days, ties by rating.
pub async fn trending(
    db: &PgPool,
    city_id: Option<Uuid>,
) -> Result<Vec<TrendingMovie>, CatalogError> {
    if let Some(city) = city_id {
        if !exists(db, "cities", city).await? {
            return Err(CatalogError::field("city_id", "There is no such city."));
        }
    }
    Ok(sqlx::query_as(&format!(
        "SELECT * FROM (
            SELECT {MOVIE_COLUMNS},
                   (SELECT count(*) FROM bookings b
                      JOIN shows s ON s.id = b.show_id
                      JOIN screens sc ON sc.id = s.screen_id
                      JOIN theaters t ON t.id = sc.theater_id
                     WHERE s.movie_id = m.id AND b.status = 'confirmed'
                       AND b.confirmed_at > now() - interval '7 days'
                       AND ($1::uuid IS NULL OR t.city_id = $1)) AS recent_bookings
              FROM movies m
             WHERE m.release_date <= current_date) ranked
          ORDER BY recent_bookings DESC, rating DESC NULLS LAST, title
          LIMIT 20"
    ))
    .bind(city_id)
    .fetch_all(db)
    .await?)
}

pub const MAX_QUERY: usize = 100;

/// Typo-tolerant search over titles, genres and languages: full-text matches and trigram
/// similarity, with an exact title first.
pub async fn search(db: &PgPool, query: &str) -> Result<Vec<MovieInfo>, CatalogError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(CatalogError::field("q", "Type something to search for."));
    }
    if query.chars().count() > MAX_QUERY {
        return Err(CatalogError::field("q", "Use at most 100 characters."));
    }
    Ok(sqlx::query_as(&format!(
        "SELECT {MOVIE_COLUMNS} FROM movies m,
                websearch_to_tsquery('simple', $1) q,
                LATERAL (SELECT to_tsvector('simple', m.title || ' ' || array_to_string(m.genres, ' ')
                                                  || ' ' || array_to_string(m.languages, ' ')) AS doc) d
          WHERE d.doc @@ q
             OR similarity(lower(m.title), lower($1)) > 0.3
             OR word_similarity(lower($1), lower(m.title)) > 0.5
          ORDER BY lower(m.title) = lower($1) DESC,
                   ts_rank(d.doc, q) + similarity(lower(m.title), lower($1)) DESC,
                   m.title
          LIMIT 20"
    ))
    .bind(query)
    .fetch_all(db)
    .await?)
}

/// The seat map with every seat's live state. The layout (seats, categories, prices) comes
/// through the cache; the states are always read fresh.
pub async fn seat_map(db: &PgPool, cache: &Cache, show_id: Uuid) -> Result<SeatMap, CatalogError> {
    let mut map = cache
        .get_or_load(&seat_map_key(show_id), || seat_layout(db, show_id))
        .await?;
    let states: std::collections::HashMap<Uuid, String> = sqlx::query_as(
        "SELECT seat_id, CASE WHEN status = 'held' AND held_until < now() THEN 'available' ELSE status END
           FROM show_seats WHERE show_id = $1",
    )
    .bind(show_id)
    .fetch_all(db)
    .await?
    .into_iter()
    .collect();
    for seat in &mut map.seats {
        if let Some(state) = states.get(&seat.id) {
            seat.status.clone_from(state);
        }
    }
    Ok(map)
}

/// Changes what a seat category costs at one show, and drops the cached seat map so the next
/// read shows the new price.
pub async fn set_show_price(
    db: &PgPool,
    cache: &Cache,
    show_id: Uuid,
    category: &str,
    price_minor: i64,
) -> Result<(), CatalogError> {
    if price_minor <= 0 {
        return Err(CatalogError::field("price", "A price must be above zero."));
    }
    let changed = sqlx::query(
        "UPDATE show_prices p SET price_minor = $3
          FROM seat_categories c
         WHERE p.category_id = c.id AND p.show_id = $1 AND c.name = $2",
    )
    .bind(show_id)
    .bind(category)
    .bind(price_minor)
    .execute(db)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(CatalogError::NotFound);
    }
    cache.changed(&[seat_map_key(show_id)]).await;
    Ok(())
}

async fn seat_layout(db: &PgPool, show_id: Uuid) -> Result<SeatMap, CatalogError> {
    let layout: (i32, i32, Vec<i32>) = sqlx::query_as(
        "SELECT sc.layout_rows, sc.layout_columns, sc.aisle_columns
           FROM shows s JOIN screens sc ON sc.id = s.screen_id WHERE s.id = $1",
    )
    .bind(show_id)
    .fetch_optional(db)
    .await?
    .ok_or(CatalogError::NotFound)?;
    let categories = sqlx::query_as(
        "SELECT c.name, p.price_minor AS price, s.currency::text AS currency
           FROM show_prices p JOIN seat_categories c ON c.id = p.category_id JOIN shows s ON s.id = p.show_id
          WHERE p.show_id = $1 ORDER BY c.rank",
    )
    .bind(show_id)
    .fetch_all(db)
    .await?;
    let seats = sqlx::query_as(
        "SELECT se.id, se.row_label || se.number AS label, se.row_label AS row, se.number,
                c.name AS category, p.price_minor AS price, s.currency::text AS currency, se.kind,
                CASE WHEN ss.status = 'held' AND ss.held_until < now() THEN 'available' ELSE ss.status END AS status,
                se.grid_row, se.grid_col
           FROM show_seats ss
           JOIN seats se ON se.id = ss.seat_id
           JOIN seat_categories c ON c.id = se.category_id
           JOIN shows s ON s.id = ss.show_id
           JOIN show_prices p ON p.show_id = ss.show_id AND p.category_id = se.category_id
          WHERE ss.show_id = $1
          ORDER BY se.grid_row, se.grid_col",
    )
    .bind(show_id)
    .fetch_all(db)
    .await?;
    Ok(SeatMap {
        show_id,
        layout: Layout {
            rows: layout.0,
            columns: layout.1,
            aisles: layout.2,
        },
        categories,
        seats,
    })
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Review {
    pub id: Uuid,
    pub movie_id: Uuid,
    pub author: String,
    pub rating: i16,
    pub body: String,
    /// The author has a confirmed booking for this movie.
    pub verified: bool,
    pub helpful_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const MAX_REVIEW: usize = 2000;

/// Adds the user's review of a movie, or edits the one they already wrote.
pub async fn save_review(
    db: &PgPool,
    user_id: Uuid,
    movie_id: Uuid,
    rating: i16,
    body: &str,
) -> Result<Review, CatalogError> {
    let mut errors = std::collections::BTreeMap::new();
    if !(1..=10).contains(&rating) {
        errors.insert("rating".to_owned(), "Rate from 1 to 10.".to_owned());
    }
    let body = body.trim();
    if body.chars().count() > MAX_REVIEW {
        errors.insert(
            "body".to_owned(),
            format!("Use at most {MAX_REVIEW} characters."),
        );
    }
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    if !exists(db, "movies", movie_id).await? {
        return Err(CatalogError::NotFound);
    }
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO reviews (user_id, movie_id, rating, body, verified)
         VALUES ($1, $2, $3, $4, EXISTS (
             SELECT 1 FROM bookings b JOIN shows s ON s.id = b.show_id
              WHERE b.user_id = $1 AND s.movie_id = $2 AND b.status = 'confirmed'))
         ON CONFLICT (user_id, movie_id) DO UPDATE
            SET rating = EXCLUDED.rating, body = EXCLUDED.body, verified = EXCLUDED.verified, updated_at = now()
         RETURNING id",
    )
    .bind(user_id)
    .bind(movie_id)
    .bind(rating)
    .bind(body)
    .fetch_one(db)
    .await?;
    Ok(sqlx::query_as(&format!("{REVIEWS} WHERE r.id = $1"))
        .bind(id)
        .fetch_one(db)
        .await?)
}

const REVIEWS: &str =
    "SELECT r.id, r.movie_id, u.name AS author, r.rating, r.body, r.verified, r.helpful_count,
        r.created_at, r.updated_at
   FROM reviews r JOIN users u ON u.id = r.user_id";

/// A page of a movie's reviews, newest or most helpful first.
pub async fn reviews(
    db: &PgPool,
    movie_id: Uuid,
    most_helpful: bool,
    page: u32,
    per_page: u32,
) -> Result<(Vec<Review>, i64), CatalogError> {
    if !exists(db, "movies", movie_id).await? {
        return Err(CatalogError::NotFound);
    }
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews WHERE movie_id = $1")
        .bind(movie_id)
        .fetch_one(db)
        .await?;
    let order = if most_helpful {
        "r.helpful_count DESC, r.created_at DESC"
    } else {
        "r.created_at DESC"
    };
    let items = sqlx::query_as(&format!(
        "{REVIEWS} WHERE r.movie_id = $1 ORDER BY {order} LIMIT $2 OFFSET $3"
    ))
    .bind(movie_id)
    .bind(i64::from(per_page))
    .bind(i64::from(page.saturating_sub(1)) * i64::from(per_page))
    .fetch_all(db)
    .await?;
    Ok((items, total))
}
