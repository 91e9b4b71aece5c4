//! Waiting lists in the database: joining, leaving, reading, and offering freed seats.

use super::{LinePlace, WaitStatus, WaitlistEntry};
use crate::booking::{
    seat_filter::SeatFilter, Actor, BookingError, BookingStatus, Bookings, ConflictCode,
    HoldRequest, RuleCode,
};
use crate::{
    ids::{BookingId, ShowId, UserId},
    outbox::{Consumer, Event},
};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

#[derive(sqlx::FromRow)]
struct Row {
    entry_id: i64,
    show_id: ShowId,
    movie_title: String,
    starts_at: DateTime<Utc>,
    time_zone: String,
    seats: i32,
    category: Option<String>,
    status: String,
    position: Option<i64>,
    booking_id: Option<BookingId>,
    booking_status: Option<BookingStatus>,
    created_at: DateTime<Utc>,
}

const ENTRIES: &str = "SELECT w.id AS entry_id, w.show_id, m.title AS movie_title, s.starts_at,
        ci.time_zone, w.seats, w.category, w.status, w.booking_id, w.created_at,
        booking_state(b.status, b.hold_expires_at) AS booking_status,
        CASE WHEN w.status = 'waiting' THEN
             (SELECT count(*) FROM waitlist_entries o
               WHERE o.show_id = w.show_id AND o.status = 'waiting' AND o.id <= w.id) END AS position
   FROM waitlist_entries w JOIN shows s ON s.id = w.show_id JOIN movies m ON m.id = s.movie_id
   JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
   JOIN cities ci ON ci.id = t.city_id LEFT JOIN bookings b ON b.id = w.booking_id";

impl Row {
    fn entry(self) -> WaitlistEntry {
        let status = match (self.status.as_str(), self.booking_status) {
            ("offered", Some(BookingStatus::Confirmed)) => WaitStatus::Booked,
            ("offered", Some(BookingStatus::Held)) => WaitStatus::Offered,
            ("offered", _) => WaitStatus::Lapsed,
            ("waiting", _) => WaitStatus::Waiting,
            _ => WaitStatus::Left,
        };
        WaitlistEntry {
            entry_id: self.entry_id,
            show_id: self.show_id,
            movie_title: self.movie_title,
            local_time: crate::catalog::local_time(self.starts_at, &self.time_zone),
            local_starts: crate::catalog::local_starts(self.starts_at, &self.time_zone),
            seats: self.seats,
            category: self.category,
            status,
            position: self.position,
            booking_id: self.booking_id,
            created_at: self.created_at,
        }
    }
}

impl Bookings {
    /// Puts the actor in line for `seats` seats (of `category`, or any) of a show whose seats
    /// are gone: 409 `not_sold_out` while such seats are on sale. Joining again answers the
    /// place already taken, with the new count.
    pub async fn join_waitlist(
        &self,
        actor: Actor,
        show: ShowId,
        seats: usize,
        category: Option<&str>,
    ) -> Result<WaitlistEntry, BookingError> {
        let category = category.map(str::trim).filter(|c| !c.is_empty());
        let layout = self.catalog.layout(show).await?;
        let meta = &layout.show;
        if !meta.scheduled || !meta.sales_open || meta.starts_at <= Utc::now() {
            return Err(BookingError::rule(
                RuleCode::SalesClosed,
                "err-waitlist-not-on-sale",
                Vec::new(),
            ));
        }
        if let Some(category) = category {
            if !layout.seats.iter().any(|s| s.category == category) {
                return Err(BookingError::field("category", "err-no-such-seats"));
            }
        }
        if !self.best_seats_now(show, seats, category).await?.is_empty() {
            return Err(BookingError::conflict(
                ConflictCode::NotSoldOut,
                "err-not-sold-out",
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO waitlist_entries (show_id, user_id, seats, category)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (show_id, user_id) WHERE status = 'waiting'
             DO UPDATE SET seats = EXCLUDED.seats, category = EXCLUDED.category
             RETURNING id",
        )
        .bind(show)
        .bind(actor.user_id)
        .bind(seats as i32)
        .bind(category)
        .fetch_one(self.primary())
        .await?;
        self.waitlist_entries("w.id = $1", id)
            .await?
            .pop()
            .ok_or(BookingError::NotFound)
    }

    /// The user's places on waiting lists, newest first.
    pub async fn my_waitlist(&self, user: UserId) -> Result<Vec<WaitlistEntry>, BookingError> {
        self.waitlist_entries("w.user_id = $1 ORDER BY w.created_at DESC", user)
            .await
    }

    /// A show's whole line, in the order people joined, with who they are (for its staff:
    /// the caller checks who may see it).
    pub async fn show_line(&self, show: ShowId) -> Result<Vec<LinePlace>, BookingError> {
        let entries = self
            .waitlist_entries("w.show_id = $1 ORDER BY w.id", show)
            .await?;
        let people: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT w.id, u.name, u.email FROM waitlist_entries w JOIN users u ON u.id = w.user_id
              WHERE w.show_id = $1",
        )
        .bind(show)
        .fetch_all(self.primary())
        .await?;
        Ok(entries
            .into_iter()
            .filter_map(|entry| {
                let (_, name, email) = people.iter().find(|p| p.0 == entry.entry_id)?;
                Some(LinePlace {
                    customer_name: name.clone(),
                    customer_email: email.clone(),
                    entry,
                })
            })
            .collect())
    }

    /// Takes the user out of a show's line; an offer they hold is released first (refused
    /// while they are paying for it), so its seats go to the next in line. A booked offer stays
    /// booked.
    pub async fn leave_waitlist(&self, actor: Actor, show: ShowId) -> Result<(), BookingError> {
        let held: Vec<BookingId> = sqlx::query_scalar(
            "SELECT w.booking_id FROM waitlist_entries w JOIN bookings b ON b.id = w.booking_id
              WHERE w.show_id = $1 AND w.user_id = $2 AND w.status = 'offered'
                AND b.status = 'held'",
        )
        .bind(show)
        .bind(actor.user_id)
        .fetch_all(self.primary())
        .await?;
        for booking in held {
            self.cancel(actor, booking).await?;
        }
        // The line's rows are locked by an offer being made: this waits for it, then sees it.
        sqlx::query(
            "UPDATE waitlist_entries w SET status = 'left'
              WHERE w.show_id = $1 AND w.user_id = $2
                AND (w.status = 'waiting'
                     OR (w.status = 'offered' AND NOT EXISTS (
                           SELECT 1 FROM bookings b WHERE b.id = w.booking_id AND b.status = 'confirmed')))",
        )
        .bind(show)
        .bind(actor.user_id)
        .execute(self.primary())
        .await?;
        Ok(())
    }

    async fn waitlist_entries<T>(
        &self,
        filter: &str,
        key: T,
    ) -> Result<Vec<WaitlistEntry>, BookingError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        let rows: Vec<Row> = sqlx::query_as(&format!("{ENTRIES} WHERE {filter}"))
            .bind(key)
            .fetch_all(self.primary())
            .await?;
        Ok(rows.into_iter().map(Row::entry).collect())
    }

    /// Which of `shows` have someone waiting.
    async fn shows_with_line(&self, shows: &[ShowId]) -> Result<Vec<ShowId>, BookingError> {
        if shows.is_empty() {
            return Ok(Vec::new());
        }
        let lined = sqlx::query_scalar(
            "SELECT DISTINCT show_id FROM waitlist_entries
              WHERE show_id = ANY($1) AND status = 'waiting'",
        )
        .bind(shows)
        .fetch_all(self.primary())
        .await?;
        Ok(lined)
    }

    /// Offers the seats free now of `show` to the people in its line, in order, while a block
    /// for the next one can be found; answers how many were offered seats.
    pub async fn offer_freed_seats(&self, show: ShowId) -> Result<usize, BookingError> {
        let mut tx = self.primary().begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('waitlist:' || $1::text, 0))")
            .bind(show)
            .execute(&mut *tx)
            .await?;
        let line: Vec<(i64, UserId, i32, Option<String>)> = sqlx::query_as(
            "SELECT id, user_id, seats, category FROM waitlist_entries
              WHERE show_id = $1 AND status = 'waiting' ORDER BY id FOR UPDATE",
        )
        .bind(show)
        .fetch_all(&mut *tx)
        .await?;
        // PostgreSQL alone judges these holds: an instance's seat filter may not have heard yet
        // of the seats another instance freed.
        let direct = self.clone().with_filter(SeatFilter::off());
        let mut offered = 0;
        for (entry, user, seats, category) in line {
            let block = self
                .best_seats_now(show, seats as usize, category.as_deref())
                .await?;
            if block.is_empty() {
                // Fair in line order: nobody behind takes seats the next one waits for.
                tracing::debug!(%show, entry, "no seats for the next in line");
                break;
            }
            let request = HoldRequest {
                show_id: show,
                seat_ids: block.iter().map(|s| s.seat_id).collect(),
                wheelchair: false,
            };
            let held = match direct.hold(user, &request).await {
                Ok(held) => held,
                // Taken meanwhile: the next pass (the next freed seats) tries again.
                Err(err @ (BookingError::SeatsUnavailable(_) | BookingError::Unavailable)) => {
                    tracing::debug!(%show, entry, error = %err, "waiting-list hold not made");
                    break;
                }
                // This person cannot hold now (too many holds elsewhere, ...): the next may.
                Err(err) => {
                    tracing::info!(%show, entry, error = %err, "waiting-list offer skipped");
                    continue;
                }
            };
            sqlx::query(
                "UPDATE waitlist_entries SET status = 'offered', booking_id = $2, offered_at = now()
                  WHERE id = $1",
            )
            .bind(entry)
            .bind(held.booking_id)
            .execute(&mut *tx)
            .await?;
            crate::outbox::record(
                &mut tx,
                "booking",
                held.booking_id.into(),
                "waitlist.offered",
                serde_json::json!({"booking_id": held.booking_id, "show_id": show,
                                   "user_id": user, "entry_id": entry,
                                   "hold_expires_at": held.hold_expires_at}),
            )
            .await?;
            offered += 1;
        }
        tx.commit().await?;
        Ok(offered)
    }
}

/// The outbox consumer that offers freed seats: every event of a hold or booking ending, and
/// every layout change (a screen with more seats), runs the lines of its shows where someone
/// waits.
pub struct Waitlists(pub Bookings);

#[async_trait::async_trait]
impl Consumer for Waitlists {
    fn name(&self) -> &'static str {
        "waitlist"
    }

    /// Runs each line once per batch, and only where someone waits: a hold replacing an
    /// earlier one frees seats too, and most shows have no line.
    async fn deliver(&self, events: &[&Event]) -> Vec<Result<(), String>> {
        let freed: Vec<BTreeSet<ShowId>> = events.iter().map(|event| freed_shows(event)).collect();
        let mut shows: Vec<ShowId> = freed.iter().flatten().copied().collect();
        shows.sort_unstable();
        shows.dedup();
        let mut failed = BTreeMap::new();
        match self.0.shows_with_line(&shows).await {
            Ok(lined) => {
                for show in lined {
                    if let Err(err) = self.0.offer_freed_seats(show).await {
                        failed.insert(show, err.to_string());
                    }
                }
            }
            // Nobody knows who waits: the events that freed seats are tried again, the others
            // (nothing to offer) are done.
            Err(err) => failed.extend(shows.iter().map(|show| (*show, err.to_string()))),
        }
        freed
            .iter()
            .map(|shows| {
                let err = shows.iter().find_map(|show| failed.get(show));
                err.map_or(Ok(()), |err| Err(err.clone()))
            })
            .collect()
    }
}

/// The shows an event freed seats of (or may have: a layout with more of them).
fn freed_shows(event: &Event) -> BTreeSet<ShowId> {
    match event.event_type.as_str() {
        "booking.released" | "booking.expired" | "booking.cancelled" => {
            show_ids(&event.payload["show_id"])
        }
        "screen.layout_changed" => event.payload["shows"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(show_ids)
            .collect(),
        _ => BTreeSet::new(),
    }
}

fn show_ids(value: &serde_json::Value) -> BTreeSet<ShowId> {
    value
        .as_str()
        .and_then(|id| id.parse().ok())
        .into_iter()
        .collect()
}
