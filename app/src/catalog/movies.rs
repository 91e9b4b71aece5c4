//! Movies: what plays where (with filters), what is coming, what is trending, and search.

use super::{Catalog, CatalogError, MovieCard};
use crate::error::too_long;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
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

impl From<&MovieInfo> for MovieCard {
    fn from(m: &MovieInfo) -> Self {
        Self {
            id: m.id,
            slug: m.slug.clone(),
            title: m.title.clone(),
            certificate: m.certificate.clone(),
            runtime_minutes: m.runtime_minutes,
            languages: m.languages.clone(),
            genres: m.genres.clone(),
            poster_url: m.poster_url.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TrendingMovie {
    #[serde(flatten)]
    #[sqlx(flatten)]
    pub movie: MovieInfo,
    /// Confirmed bookings in the last 7 days (in the city, when one is given).
    pub recent_bookings: i64,
}

#[derive(Debug, Default)]
pub struct MovieFilter {
    pub city_id: Option<Uuid>,
    pub language: Option<String>,
    pub genre: Option<String>,
    pub format: Option<String>,
    pub date: Option<NaiveDate>,
}

pub const MAX_QUERY: usize = 100;
/// The longest language, genre or format a filter may name: longer ones name nothing, and
/// would only make cache keys long.
pub const MAX_FILTER: usize = 40;

const MOVIE_COLUMNS: &str =
    "m.id, m.slug, m.title, m.synopsis, m.runtime_minutes, m.languages, m.genres,
        m.certificate, m.release_date, m.poster_url, m.trailer_url,
        (SELECT avg(r.rating)::float8 FROM reviews r WHERE r.movie_id = m.id AND r.hidden_at IS NULL) AS rating,
        (SELECT count(*) FROM reviews r WHERE r.movie_id = m.id AND r.hidden_at IS NULL) AS rating_count";

/// A page of movies and how many match in all.
type MoviePage = (Vec<MovieInfo>, i64);

impl Catalog {
    /// Movies with at least one upcoming show matching every filter, newest releases first.
    pub async fn movies(
        &self,
        filter: &MovieFilter,
        (page, per_page): (u32, u32),
    ) -> Result<Arc<MoviePage>, CatalogError> {
        let named = [
            ("language", &filter.language),
            ("genre", &filter.genre),
            ("format", &filter.format),
        ];
        for (field, value) in named {
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > MAX_FILTER)
            {
                return Err(CatalogError::Invalid(too_long(field, MAX_FILTER)));
            }
        }
        self.cached_list("movies", &(filter, page, per_page), || {
            read_movies(self.read(), filter, page, per_page)
        })
        .await
    }

    /// One movie, through the cache like the lists: in a rush every moviegoer's app asks for
    /// the same movie at once, and each read from PostgreSQL took a connection the holds and
    /// seat maps were waiting for. Only movies that exist are cached.
    pub async fn movie(&self, id: Uuid) -> Result<Arc<MovieInfo>, CatalogError> {
        self.cached_list("movie", &id, || async {
            sqlx::query_as(&format!(
                "SELECT {MOVIE_COLUMNS} FROM movies m WHERE m.id = $1"
            ))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(CatalogError::NotFound)
        })
        .await
    }

    pub async fn movie_by_slug(&self, slug: &str) -> Result<Option<Uuid>, CatalogError> {
        Ok(sqlx::query_scalar("SELECT id FROM movies WHERE slug = $1")
            .bind(slug)
            .fetch_optional(self.read())
            .await?)
    }

    /// Releases still to come, soonest first.
    pub async fn upcoming(&self) -> Result<Arc<Vec<MovieInfo>>, CatalogError> {
        self.cached_list("upcoming", &(), || async {
            Ok(sqlx::query_as(&format!(
                "SELECT {MOVIE_COLUMNS} FROM movies m WHERE m.release_date > current_date
                  ORDER BY m.release_date, m.title"
            ))
            .fetch_all(self.read())
            .await?)
        })
        .await
    }

    /// Movies now showing, ranked by confirmed bookings in the last 7 days, ties by rating.
    pub async fn trending(
        &self,
        city_id: Option<Uuid>,
    ) -> Result<Arc<Vec<TrendingMovie>>, CatalogError> {
        if let Some(city) = city_id {
            let known: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM cities WHERE id = $1)")
                    .bind(city)
                    .fetch_one(self.read())
                    .await?;
            if !known {
                return Err(CatalogError::field("city_id", "err-no-city"));
            }
        }
        self.cached_list("trending", &city_id, || async {
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
            .fetch_all(self.read())
            .await?)
        })
        .await
    }

    /// Typo-tolerant search over titles, genres and languages: full-text matches and trigram
    /// similarity, with an exact title first. Limited per client address (`client`).
    pub async fn search(&self, client: &str, query: &str) -> Result<Vec<MovieInfo>, CatalogError> {
        let query = query.trim();
        if query.is_empty() {
            return Err(CatalogError::field("q", "err-search-empty"));
        }
        if query.chars().count() > MAX_QUERY {
            return Err(CatalogError::Invalid(too_long("q", 100)));
        }
        self.search_limit
            .hit(&format!("search:ip:{client}"))
            .await
            .map_err(CatalogError::RateLimited)?;
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
        .fetch_all(self.read())
        .await?)
    }

    /// Languages, genres and formats of the shows still to start in a city.
    pub async fn filter_options(
        &self,
        city_id: Uuid,
    ) -> Result<Arc<(Vec<String>, Vec<String>, Vec<String>)>, CatalogError> {
        self.cached_list("filters", &city_id, || async {
            Ok(sqlx::query_as(
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
            .fetch_one(self.read())
            .await?)
        })
        .await
    }
}

async fn read_movies(
    db: &PgPool,
    filter: &MovieFilter,
    page: u32,
    per_page: u32,
) -> Result<MoviePage, CatalogError> {
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
