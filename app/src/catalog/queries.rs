//! Catalog SQL. Reads only; callers pass the read pool.

use super::{City, MovieCard};
use sqlx::PgPool;
use uuid::Uuid;

/// Cities with the busiest first, so the default city is the one with the most to offer.
pub async fn cities(db: &PgPool) -> sqlx::Result<Vec<City>> {
    sqlx::query_as(
        "SELECT c.id, c.slug, c.name, c.state, c.time_zone
           FROM cities c
           LEFT JOIN theaters t ON t.city_id = c.id
          GROUP BY c.id
          ORDER BY count(t.id) DESC, c.name",
    )
    .fetch_all(db)
    .await
}

/// Movies with at least one scheduled show still to start in the city.
pub async fn now_showing(db: &PgPool, city_id: Uuid) -> sqlx::Result<Vec<MovieCard>> {
    sqlx::query_as(
        "SELECT m.id, m.slug, m.title, m.certificate, m.runtime_minutes,
                m.languages, m.genres, m.poster_url
           FROM movies m
          WHERE EXISTS (
                SELECT 1
                  FROM shows s
                  JOIN screens sc ON sc.id = s.screen_id
                  JOIN theaters t ON t.id = sc.theater_id
                 WHERE s.movie_id = m.id
                   AND t.city_id = $1
                   AND s.status = 'scheduled'
                   AND s.starts_at > now())
          ORDER BY m.release_date DESC, m.title",
    )
    .bind(city_id)
    .fetch_all(db)
    .await
}

pub async fn movie_id(db: &PgPool, slug: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT id FROM movies WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await
}

/// A theater's id and its city's time zone.
pub async fn theater_id(db: &PgPool, slug: &str) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query_as("SELECT t.id, c.time_zone FROM theaters t JOIN cities c ON c.id = t.city_id WHERE t.slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await
}
