//! Catalog SQL. Reads only; callers pass the read pool.

use super::City;
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

/// Languages, genres and formats of the shows still to start in a city.
pub async fn filter_options(
    db: &PgPool,
    city_id: Uuid,
) -> sqlx::Result<(Vec<String>, Vec<String>, Vec<String>)> {
    sqlx::query_as(
        "WITH upcoming AS (
            SELECT s.movie_id, s.language, s.format FROM shows s
              JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
             WHERE t.city_id = $1 AND s.status = 'scheduled' AND s.starts_at > now())
         SELECT coalesce(array_agg(DISTINCT s.language ORDER BY s.language), '{}'),
                coalesce((SELECT array_agg(DISTINCT g ORDER BY g) FROM movies m, unnest(m.genres) g
                           WHERE m.id IN (SELECT movie_id FROM upcoming)), '{}'),
                coalesce(array_agg(DISTINCT s.format ORDER BY s.format), '{}')
           FROM upcoming s",
    )
    .bind(city_id)
    .fetch_one(db)
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
