//! Waiting lists of sold-out shows. People join in order for a number of seats (of a category,
//! or any); when seats free up, the next in line get them held in their name, for the usual
//! hold time, and are told by the `waitlist.offered` event (mail, push). A hold that lapses or
//! is released passes the seats on to the next in line.
//!
//! Offers for one show are made by one instance at a time (a transaction-scoped advisory lock
//! on the show), in line order; an entry becomes `offered`, and its event is written, in that
//! transaction, so each entry is offered once. The outbox relay's `waitlist` consumer runs it
//! for every event that frees seats, on whichever instance claims the event.

#[cfg(feature = "ssr")]
mod line;

#[cfg(feature = "ssr")]
pub use line::Waitlists;

use crate::ids::{BookingId, ShowId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

words! {
    /// Where a place on a waiting list stands.
    pub enum WaitStatus {
        Waiting = "waiting",
        /// Seats are held in the user's name: pay before the hold runs out.
        Offered = "offered",
        /// The offer was paid for.
        Booked = "booked",
        /// The offer's hold ran out, or the user released it.
        Lapsed = "lapsed",
        Left = "left",
    }
}

/// A place on a show's waiting list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WaitlistEntry {
    pub entry_id: i64,
    pub show_id: ShowId,
    pub movie_title: String,
    /// "Fri 28 Nov, 7:45 PM" at the theater.
    pub local_time: String,
    /// When the show starts on the theater's clock, for pages to write in their language.
    pub local_starts: chrono::NaiveDateTime,
    pub seats: i32,
    pub category: Option<String>,
    pub status: WaitStatus,
    /// 1 for the next in line, while waiting.
    pub position: Option<i64>,
    /// The held booking of an offer.
    pub booking_id: Option<BookingId>,
    pub created_at: DateTime<Utc>,
}

/// A place in a show's line as its theater's staff see it: with who holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LinePlace {
    #[serde(flatten)]
    pub entry: WaitlistEntry,
    pub customer_name: String,
    pub customer_email: String,
}
