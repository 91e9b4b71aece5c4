//! Announcing seat changes from committed state: the seats a change touched are read back as
//! they stand, each with its version, and that is what maps are told. A late announcement is
//! therefore never wrong, only old, and a map drops it by its versions.
//!
//! The instance that made a change announces it at once; the outbox relay announces it again
//! from its event (the `seats` consumer), so a process that dies between commit and
//! announcement delays the change and never loses it.

use super::{
    live::{Announced, Live},
    SeatChange, SeatSnapshot, SeatStatus,
};
use crate::{
    ids::{BookingId, SeatId, ShowId, UserId},
    outbox::{Consumer, Event},
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::collections::BTreeMap;

/// Seats a change touched, by show.
pub type Touched = (ShowId, Vec<SeatId>);

/// The events after which seats of the booking are no longer as they were.
const SEAT_EVENTS: [&str; 5] = [
    "booking.held",
    "booking.released",
    "booking.expired",
    "booking.confirmed",
    "booking.cancelled",
];
#[derive(sqlx::FromRow)]
struct Row {
    show_id: ShowId,
    seat_id: SeatId,
    status: SeatStatus,
    holder: Option<UserId>,
    held_until: Option<DateTime<Utc>>,
    version: i64,
}

/// The touched seats as they stand, grouped into changes (one per show, state and holder).
pub(super) async fn current(
    db: &PgPool,
    touched: &[Touched],
) -> Result<Vec<Announced>, sqlx::Error> {
    let (shows, seats): (Vec<ShowId>, Vec<SeatId>) = touched
        .iter()
        .flat_map(|(show, seats)| seats.iter().map(move |seat| (*show, *seat)))
        .unzip();
    if seats.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Row> = sqlx::query_as("SELECT * FROM seats_as_they_stand($1, $2)")
        .bind(shows)
        .bind(seats)
        .fetch_all(db)
        .await?;
    let mut changes: BTreeMap<_, Announced> = BTreeMap::new();
    for row in rows {
        let key = (row.show_id, row.status.as_str(), row.holder, row.held_until);
        let announced = changes.entry(key).or_insert_with(|| Announced {
            change: SeatChange::made(row.show_id, row.status, Vec::new()),
            holder: row.holder,
            until: row.held_until,
        });
        announced.change.seat_ids.push(row.seat_id);
        announced.change.versions.push(row.version as u64);
    }
    Ok(changes.into_values().collect())
}

/// Every seat of a show that is held or booked now, and the version of every seat that ever
/// changed, in one read; `None` when there is no such show.
pub(super) async fn snapshot(
    db: &PgPool,
    show: ShowId,
) -> Result<Option<SeatSnapshot>, sqlx::Error> {
    type Read = (bool, Vec<SeatId>, Vec<SeatId>, Vec<SeatId>, Vec<i64>);
    let (exists, held, booked, changed, versions): Read = sqlx::query_as(
        "WITH taken AS (SELECT seat_id, status FROM seat_states
                         WHERE show_id = $1 AND status <> 'available'),
              versions AS (SELECT seat_id, version FROM show_seat_versions($1))
         SELECT EXISTS (SELECT 1 FROM shows WHERE id = $1),
                coalesce((SELECT array_agg(seat_id ORDER BY seat_id) FROM taken WHERE status = 'held'), '{}'),
                coalesce((SELECT array_agg(seat_id ORDER BY seat_id) FROM taken WHERE status = 'booked'), '{}'),
                coalesce((SELECT array_agg(seat_id ORDER BY seat_id) FROM versions), '{}'),
                coalesce((SELECT array_agg(version ORDER BY seat_id) FROM versions), '{}')",
    )
    .bind(show)
    .fetch_one(db)
    .await?;
    Ok(exists.then(|| SeatSnapshot {
        show_id: show,
        held,
        booked,
        versions: changed
            .into_iter()
            .zip(versions.into_iter().map(|v| v as u64))
            .collect(),
    }))
}

/// The outbox's seat consumer: announces again, from committed state, the seats of every
/// booking an event changed.
#[async_trait::async_trait]
impl Consumer for Live {
    fn name(&self) -> &'static str {
        "seats"
    }

    async fn deliver(&self, events: &[&Event]) -> Vec<Result<(), String>> {
        let bookings: Vec<BookingId> = events
            .iter()
            .filter(|e| SEAT_EVENTS.contains(&e.event_type.as_str()))
            .map(|e| e.aggregate_id.into())
            .collect();
        let outcome = self.announce_bookings(&bookings).await;
        events.iter().map(|_| outcome.clone()).collect()
    }
}

impl Live {
    async fn announce_bookings(&self, bookings: &[BookingId]) -> Result<(), String> {
        if bookings.is_empty() {
            return Ok(());
        }
        let touched: Vec<Touched> = sqlx::query_as(
            "SELECT show_id, array_agg(seat_id) FROM booking_seats
              WHERE booking_id = ANY($1) GROUP BY show_id",
        )
        .bind(bookings)
        .fetch_all(self.db())
        .await
        .map_err(|err| err.to_string())?;
        self.announce(&touched).await
    }
}
