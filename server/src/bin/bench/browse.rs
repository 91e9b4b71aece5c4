//! What a moviegoer reads before a show's seat map: the home page of the show's city, then the
//! show's movie with its showtimes; as the mobile apps read them over REST, or as a phone's
//! browser gets the server-rendered pages.

use super::journey::Step;
use anyhow::Context;
use app::catalog::CITY_COOKIE;
use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Browse {
    /// `/api/v1`: the movies of the city, the movie, its showtimes on the show's day.
    Api,
    /// The home page and the movie's page on the show's day (its showtimes with it), the city
    /// remembered in its cookie as the city picker leaves it.
    Pages,
}

/// The way to a show: the reads before its seat map, in order, each with the step it is timed
/// as.
pub struct Way {
    pub show: Uuid,
    pub reads: Vec<(Step, String)>,
    /// The `Cookie` header the pages are asked with.
    pub cookie: Option<String>,
}

impl Way {
    /// The way to `show` from its city's home.
    pub async fn to(db: &PgPool, show: Uuid, browse: Browse) -> anyhow::Result<Self> {
        type Row = (Uuid, String, Uuid, String, NaiveDate);
        let (movie, movie_slug, city, city_slug, day): Row = sqlx::query_as(
            "SELECT m.id, m.slug, c.id, c.slug, (s.starts_at AT TIME ZONE c.time_zone)::date
               FROM shows s
               JOIN movies m ON m.id = s.movie_id
               JOIN screens sc ON sc.id = s.screen_id
               JOIN theaters t ON t.id = sc.theater_id
               JOIN cities c ON c.id = t.city_id
              WHERE s.id = $1",
        )
        .bind(show)
        .fetch_one(db)
        .await
        .context("the show's movie and city")?;
        Ok(match browse {
            Browse::Api => Self {
                show,
                reads: vec![
                    (Step::Home, format!("/api/v1/movies?city_id={city}")),
                    (Step::Movie, format!("/api/v1/movies/{movie}")),
                    (
                        Step::Showtimes,
                        format!("/api/v1/shows?movie_id={movie}&city_id={city}&date={day}"),
                    ),
                ],
                cookie: None,
            },
            Browse::Pages => Self {
                show,
                reads: vec![
                    (Step::Home, "/".to_owned()),
                    (Step::Movie, format!("/movies/{movie_slug}?date={day}")),
                ],
                cookie: Some(format!("{CITY_COOKIE}={city_slug}")),
            },
        })
    }
}
