//! A theater's shows of one day, as its admins see them: what plays where, how it sells, and
//! who waits for seats.

#[cfg(feature = "ssr")]
use super::{Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::booking::Actor;
use crate::ids::ShowId;
#[cfg(feature = "ssr")]
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One show in a theater's day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct TheaterShow {
    pub show_id: ShowId,
    pub movie_title: String,
    pub screen_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Start and end at the theater (`19:30`, `22:15`).
    pub local_start: String,
    pub local_end: String,
    pub language: String,
    pub format: String,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// False while the theater has stopped its sales.
    pub sales_open: bool,
    pub seats: i64,
    pub seats_sold: i64,
    pub seats_held: i64,
    /// People in the show's waiting list now.
    #[serde(default)]
    pub waiting: i64,
    /// Minor units by seat category.
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub prices: BTreeMap<String, i64>,
}

/// A movie a theater may put on, as the schedule form offers it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MovieChoice {
    pub id: Uuid,
    pub title: String,
    pub languages: Vec<String>,
    pub runtime_minutes: i32,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// The newest releases first (200 of them at most).
    pub async fn movie_choices(&self) -> Result<Vec<MovieChoice>, DashboardError> {
        Ok(sqlx::query_as(
            "SELECT id, title, languages, runtime_minutes FROM movies
              ORDER BY release_date DESC, title LIMIT 200",
        )
        .fetch_all(&self.db)
        .await?)
    }

    /// The shows of `theater` starting on `date` in the theater's own zone (today when `None`),
    /// by start time and screen.
    pub async fn theater_shows(
        &self,
        actor: Actor,
        theater: Uuid,
        date: Option<NaiveDate>,
    ) -> Result<Vec<TheaterShow>, DashboardError> {
        let zone = self.theater_zone(actor, theater).await?;
        Ok(sqlx::query_as(
            "SELECT sh.id AS show_id, m.title AS movie_title, sc.name AS screen_name, sh.starts_at,
                    sh.ends_at, to_char(sh.starts_at AT TIME ZONE $2, 'HH24:MI') AS local_start,
                    to_char(sh.ends_at AT TIME ZONE $2, 'HH24:MI') AS local_end, sh.language, sh.format, sh.status, NOT sh.sales_paused AS sales_open,
                    show_capacity(sh.id) AS seats,
                    count(st.seat_id) FILTER (WHERE st.status::text = 'booked') AS seats_sold,
                    count(st.seat_id) FILTER (WHERE st.status::text = 'held') AS seats_held,
                    (SELECT count(*) FROM waitlist_entries w
                      WHERE w.show_id = sh.id AND w.status = 'waiting') AS waiting,
                    (SELECT coalesce(jsonb_object_agg(c.name, p.price_minor), '{}')
                       FROM show_prices p JOIN seat_categories c ON c.id = p.category_id
                      WHERE p.show_id = sh.id) AS prices
               FROM shows sh
               JOIN screens sc ON sc.id = sh.screen_id
               JOIN movies m ON m.id = sh.movie_id
               LEFT JOIN seat_states st ON st.show_id = sh.id
              WHERE sc.theater_id = $1
                AND (sh.starts_at AT TIME ZONE $2)::date = coalesce($3, (now() AT TIME ZONE $2)::date)
              GROUP BY sh.id, m.title, sc.name
              ORDER BY sh.starts_at, sc.name",
        )
        .bind(theater)
        .bind(zone)
        .bind(date)
        .fetch_all(&self.db)
        .await?)
    }
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// A show's waiting list as its staff see it: every place, in the order people joined.
    pub async fn show_waitlist(
        &self,
        actor: Actor,
        show: ShowId,
    ) -> Result<Vec<crate::booking::LinePlace>, DashboardError> {
        self.run_show(actor, show).await?;
        let line = self.bookings.show_line(show).await;
        line.map_err(|_| DashboardError::Unavailable)
    }
}
