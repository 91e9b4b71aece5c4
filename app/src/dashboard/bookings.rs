//! Finding a booking at the theaters the actor runs: by its code, or by the customer's email
//! or phone, as a box-office clerk would look one up.

#[cfg(feature = "ssr")]
use super::{Dashboard, DashboardError};
use crate::ids::BookingId;
#[cfg(feature = "ssr")]
use crate::{account::Role, booking::Actor};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
/// The most bookings one search answers, newest show first.
const MOST: i64 = 50;

/// A booking as the theater's staff see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct FoundBooking {
    pub booking_id: BookingId,
    pub code: String,
    /// `held`, `confirmed`, `cancelled` or `expired`.
    pub status: String,
    pub customer_name: String,
    pub customer_email: String,
    pub movie_title: String,
    pub theater_name: String,
    pub starts_at: DateTime<Utc>,
    /// The start at the theater, as people read it (`Fri 05 Dec, 07:45 PM`).
    pub local_start: String,
    /// The same on the theater's clock, for pages to write in their language.
    pub local_starts: chrono::NaiveDateTime,
    /// Seat labels, e.g. `["F7", "F8"]`.
    pub seats: Vec<String>,
    /// Minor units.
    pub total: i64,
    pub currency: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// The same at the theater, as people read it.
    pub local_checked_in: Option<String>,
    /// The same on the theater's clock.
    pub local_checked_in_at: Option<chrono::NaiveDateTime>,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// Bookings at theaters the actor runs whose code, customer email or customer phone is `q`
    /// (letters' case, a phone's spacing and its country code aside: at least ten digits).
    pub async fn find_bookings(
        &self,
        actor: Actor,
        q: &str,
    ) -> Result<Vec<FoundBooking>, DashboardError> {
        if actor.role == Role::Customer {
            return Err(DashboardError::Forbidden);
        }
        let q = q.trim();
        if !(3..=254).contains(&q.len()) {
            return Err(DashboardError::field("q", "err-booking-search"));
        }
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        Ok(sqlx::query_as(
            "SELECT b.id AS booking_id, b.code, booking_state(b.status, b.hold_expires_at)::text AS status,
                    u.name AS customer_name, u.email AS customer_email, m.title AS movie_title,
                    t.name AS theater_name, sh.starts_at,
                    to_char(sh.starts_at AT TIME ZONE ci.time_zone, 'Dy DD Mon, HH12:MI AM') AS local_start,
                    sh.starts_at AT TIME ZONE ci.time_zone AS local_starts,
                    ARRAY(SELECT se.row_label || se.number FROM booking_seats bs
                            JOIN seats se ON se.id = bs.seat_id
                           WHERE bs.booking_id = b.id ORDER BY se.grid_row, se.grid_col) AS seats,
                    b.total_minor AS total, b.currency::text AS currency, b.checked_in_at,
                    to_char(b.checked_in_at AT TIME ZONE ci.time_zone, 'DD Mon, HH12:MI AM') AS local_checked_in,
                    b.checked_in_at AT TIME ZONE ci.time_zone AS local_checked_in_at
               FROM bookings b
               JOIN users u ON u.id = b.user_id
               JOIN shows sh ON sh.id = b.show_id
               JOIN movies m ON m.id = sh.movie_id
               JOIN screens sc ON sc.id = sh.screen_id
               JOIN theaters t ON t.id = sc.theater_id
               JOIN cities ci ON ci.id = t.city_id
              WHERE (upper(b.code) = upper($1) OR lower(u.email) = lower($1)
                     OR (length($2) >= 10
                         AND regexp_replace(coalesce(u.phone, ''), '\\D', '', 'g') LIKE '%' || $2))
                AND ($3 OR t.id IN (SELECT ta.theater_id FROM theater_admins ta WHERE ta.user_id = $4))
              ORDER BY sh.starts_at DESC, b.created_at DESC
              LIMIT $5",
        )
        .bind(q)
        .bind(digits)
        .bind(actor.role == Role::Admin)
        .bind(actor.user_id)
        .bind(MOST)
        .fetch_all(&self.db)
        .await?)
    }
}
