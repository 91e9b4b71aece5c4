//! Shows still to start, with their price range and how full they are.

use super::{Availability, Catalog, CatalogError};
use crate::ids::ShowId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Default, Serialize)]
pub struct ShowFilter {
    pub movie_id: Option<Uuid>,
    pub city_id: Option<Uuid>,
    pub theater_id: Option<Uuid>,
    /// A calendar day in the theater's time zone.
    pub date: Option<NaiveDate>,
    pub today_only: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShowInfo {
    pub id: ShowId,
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
    pub availability: Availability,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: ShowId,
    movie_id: Uuid,
    movie_title: String,
    movie_slug: String,
    theater_id: Uuid,
    theater_name: String,
    screen_id: Uuid,
    screen_name: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    language: String,
    format: String,
    price_min: i64,
    price_max: i64,
    currency: String,
    free: i64,
    total: i64,
}

impl Catalog {
    /// Scheduled shows still to start, soonest first. A seat held past its deadline counts as
    /// free.
    pub async fn shows(&self, filter: &ShowFilter) -> Result<Arc<Vec<ShowInfo>>, CatalogError> {
        self.cached_list("shows", filter, || self.read_shows(filter))
            .await
    }

    async fn read_shows(&self, filter: &ShowFilter) -> Result<Vec<ShowInfo>, CatalogError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.movie_id, m.title AS movie_title, m.slug AS movie_slug, t.id AS theater_id,
                    t.name AS theater_name, sc.id AS screen_id, sc.name AS screen_name, s.starts_at,
                    s.ends_at, s.language, s.format, p.price_min, p.price_max,
                    s.currency::text AS currency, a.free, a.total
               FROM shows s
               JOIN movies m ON m.id = s.movie_id
               JOIN screens sc ON sc.id = s.screen_id
               JOIN theaters t ON t.id = sc.theater_id
               JOIN cities c ON c.id = t.city_id
               CROSS JOIN LATERAL (SELECT min(price_minor) AS price_min, max(price_minor) AS price_max
                                     FROM show_prices WHERE show_id = s.id) p
               CROSS JOIN LATERAL (SELECT count(*) AS total,
                                          count(*) FILTER (WHERE st.status = 'available') AS free
                                     FROM seat_states st WHERE st.show_id = s.id) a
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
        .fetch_all(self.read())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ShowInfo {
                id: r.id,
                movie_id: r.movie_id,
                movie_title: r.movie_title,
                movie_slug: r.movie_slug,
                theater_id: r.theater_id,
                theater_name: r.theater_name,
                screen_id: r.screen_id,
                screen_name: r.screen_name,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
                language: r.language,
                format: r.format,
                price_min: r.price_min,
                price_max: r.price_max,
                currency: r.currency,
                availability: Availability::of(r.free, r.total),
            })
            .collect())
    }

    /// The first `limit` days, in the city's calendar, with a show of the movie still to start
    /// there: the days the movie page offers, so an advance booking is one tap away too.
    pub async fn show_days(
        &self,
        movie_id: Uuid,
        city_id: Uuid,
        limit: i64,
    ) -> Result<Vec<NaiveDate>, CatalogError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT (s.starts_at AT TIME ZONE c.time_zone)::date AS day
               FROM shows s
               JOIN screens sc ON sc.id = s.screen_id
               JOIN theaters t ON t.id = sc.theater_id
               JOIN cities c ON c.id = t.city_id
              WHERE s.status = 'scheduled' AND s.starts_at > now()
                AND s.movie_id = $1 AND t.city_id = $2
              ORDER BY day
              LIMIT $3",
        )
        .bind(movie_id)
        .bind(city_id)
        .bind(limit)
        .fetch_all(self.read())
        .await?)
    }
}
