//! Calling a show off: it comes off sale, its holds end, every confirmed booking is cancelled
//! with a refund of all it paid through the payment that confirmed it (the payment service's
//! job issues each refund, once), and live maps hear the seats are free. PostgreSQL does it
//! all in one transaction (`cancel_show`), so two admins cancelling at once refund once; the
//! customers' mails come from the events it writes.

#[cfg(feature = "ssr")]
use super::{Dashboard, DashboardError};
use crate::ids::ShowId;
#[cfg(feature = "ssr")]
use crate::{booking::Actor, ids::SeatId};
use serde::{Deserialize, Serialize};

/// What calling a show off did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CancelledShow {
    pub show_id: ShowId,
    /// False when the show had already been called off: nothing changed this time.
    pub cancelled_now: bool,
    /// Seats given back, held or sold.
    pub seats_released: usize,
    /// Refunds recorded, one per paid booking.
    pub refunds: i32,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// Calls off a show of a theater the actor runs; calling it off again changes nothing.
    pub async fn cancel_show(
        &self,
        actor: Actor,
        show: ShowId,
    ) -> Result<CancelledShow, DashboardError> {
        self.run_show(actor, show).await?;
        // Ending many bookings at once can meet a food order locking the same stock rows in
        // the other order; PostgreSQL aborts one of the two, and this one is asked again.
        let mut tries = 0;
        let (outcome, released, refunds): (String, Vec<SeatId>, i32) = loop {
            tries += 1;
            let called_off = sqlx::query_as("SELECT * FROM cancel_show($1, $2)")
                .bind(actor.user_id)
                .bind(show)
                .fetch_one(&self.db)
                .await;
            match called_off {
                Err(err) if tries < 3 && deadlocked(&err) => continue,
                called_off => break called_off?,
            }
        };
        if outcome == "not_found" {
            return Err(DashboardError::NotFound);
        }
        let seats_released = released.len();
        if outcome == "cancelled" {
            self.catalog.layout_changed(show).await;
            self.bookings.announce_freed(show, released);
        }
        Ok(CancelledShow {
            show_id: show,
            cancelled_now: outcome == "cancelled",
            seats_released,
            refunds,
        })
    }
}

#[cfg(feature = "ssr")]
fn deadlocked(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "40P01")
}
