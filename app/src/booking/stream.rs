//! A show's live seat changes, as open seat maps follow them: first every seat that is not
//! available, then each change; after any gap, a fresh snapshot puts the map right again.

use super::{live::Heard, BookingError, Bookings, SeatChange, SeatSnapshot};
use crate::ids::ShowId;
use futures_util::{stream, Stream};
use sqlx::PgPool;
use tokio::sync::broadcast::error::RecvError;

/// What a seat stream says.
#[derive(Clone, Debug)]
pub enum SeatEvent {
    Snapshot(SeatSnapshot),
    Change(SeatChange),
}

impl Bookings {
    /// The stream of one show; ends when the instance shuts down. 404 for an unknown show.
    pub async fn seat_events(
        &self,
        show: ShowId,
    ) -> Result<impl Stream<Item = SeatEvent> + Send + 'static, BookingError> {
        // Subscribe before reading the snapshot, so no change falls in between.
        let heard = self.live.subscribe();
        let first = snapshot(self.primary(), show)
            .await?
            .ok_or(BookingError::NotFound)?;
        let (stop, db) = (self.live.stopping(), self.primary().clone());
        let state = (heard, Some(SeatEvent::Snapshot(first)));
        Ok(stream::unfold(state, move |(mut heard, first)| {
            let (stop, db) = (stop.clone(), db.clone());
            async move {
                if let Some(event) = first {
                    return Some((event, (heard, None)));
                }
                loop {
                    let next = tokio::select! {
                        _ = stop.cancelled() => return None,
                        next = heard.recv() => next,
                    };
                    let event = match next {
                        Ok(Heard::Change(announced)) if announced.change.show_id == show => {
                            SeatEvent::Change(announced.change)
                        }
                        Ok(Heard::Change(_)) => continue,
                        // Changes were missed: a fresh snapshot puts the map right again.
                        Ok(Heard::Gap) | Err(RecvError::Lagged(_)) => {
                            SeatEvent::Snapshot(snapshot(&db, show).await.ok()??)
                        }
                        Err(RecvError::Closed) => return None,
                    };
                    return Some((event, (heard, None)));
                }
            }
        }))
    }
}

/// Every seat of a show that is held or booked now, read from PostgreSQL; `None` when there is
/// no such show.
async fn snapshot(db: &PgPool, show: ShowId) -> Result<Option<SeatSnapshot>, BookingError> {
    let (exists, held, booked): (bool, Vec<crate::ids::SeatId>, Vec<crate::ids::SeatId>) =
        sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM shows WHERE id = $1),
                    coalesce(array_agg(seat_id ORDER BY seat_id) FILTER (WHERE status = 'held'), '{}'),
                    coalesce(array_agg(seat_id ORDER BY seat_id) FILTER (WHERE status = 'booked'), '{}')
               FROM seat_states WHERE show_id = $1 AND status <> 'available'",
        )
        .bind(show)
        .fetch_one(db)
        .await?;
    Ok(exists.then_some(SeatSnapshot {
        show_id: show,
        held,
        booked,
    }))
}
