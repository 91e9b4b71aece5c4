//! Holding, confirming and cancelling seats: where the booking invariant lives.
//!
//! A seat of a show is available, held by one live hold until its deadline, or booked by one
//! confirmed booking. The schema enforces that on its own; each transition is one function call
//! in PostgreSQL (`hold`, `confirm`, `cancel`, `expiry`). In front of it, the seat filter turns
//! away requests that would lose anyway (`seat_filter`), every change is announced to open seat
//! maps on every instance (`live`), and each instance keeps the seat states of the shows being
//! looked at in memory (`board`), so reading a seat map costs the database nothing.

mod error;
pub mod functions;

#[cfg(feature = "ssr")]
mod announce;
#[cfg(feature = "ssr")]
pub mod apple_pass;
#[cfg(feature = "ssr")]
mod board;
#[cfg(feature = "ssr")]
mod cancel;
#[cfg(feature = "ssr")]
mod checkin;
#[cfg(feature = "ssr")]
mod confirm;
#[cfg(feature = "ssr")]
mod expiry;
#[cfg(feature = "ssr")]
mod food;
#[cfg(feature = "ssr")]
pub mod food_order;
#[cfg(feature = "ssr")]
mod hold;
#[cfg(feature = "ssr")]
mod hold_writer;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
mod offers;
#[cfg(feature = "ssr")]
pub mod policy;
#[cfg(feature = "ssr")]
mod reads;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod seat_filter;
#[cfg(feature = "ssr")]
mod seat_map;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod stream;
#[cfg(feature = "ssr")]
pub mod ticket;
#[cfg(feature = "ssr")]
mod ticket_pdf;
mod versions;
pub mod waiting_room;
pub mod waitlist;
#[cfg(feature = "ssr")]
pub mod wallet;

pub use error::{BookingError, ConflictCode, RuleCode};
pub use versions::SeatVersions;
pub use waitlist::{LinePlace, WaitStatus, WaitlistEntry};
#[cfg(feature = "ssr")]
pub use {
    checkin::Mailed,
    expiry::Sweep,
    hold::HoldRequest,
    policy::Policy,
    reads::Scope,
    service::{Actor, Bookings},
    stream::{SeatEvent, StreamCaps},
    waitlist::Waitlists,
};

use crate::{
    catalog::{CategoryPrice, Layout, SeatKind},
    ids::{BookingId, SeatId, ShowId},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most seats one booking may take.
pub const MAX_SEATS: usize = 10;

words! {
    /// Where a booking stands. A hold past its deadline reads as expired everywhere, before any
    /// sweeper has run.
    pub enum BookingStatus in "booking_status" {
        Held = "held",
        Confirmed = "confirmed",
        Cancelled = "cancelled",
        Expired = "expired",
    }
}

words! {
    /// A seat of a show, as everyone sees it.
    pub enum SeatStatus in "seat_status" {
        Available = "available",
        Held = "held",
        Booked = "booked",
    }
}

/// A booking as its owner, the theater and REST clients see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Booking {
    pub booking_id: BookingId,
    /// Short code printed on the ticket and read out at the counter.
    pub code: String,
    pub status: BookingStatus,
    pub hold_expires_at: DateTime<Utc>,
    pub show: BookingShow,
    pub seats: Vec<BookedSeat>,
    pub amount: Amount,
    /// Offers applied, each with what it took off.
    #[serde(default)]
    pub offers: Vec<crate::offer::AppliedOffer>,
    /// Food and drinks ordered with the seats.
    #[serde(default)]
    pub items: Vec<crate::food::BookingItem>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// What the cancellation policy gives back, in minor units.
    pub refund_due: i64,
    pub created_at: DateTime<Utc>,
}

impl Booking {
    pub fn is_held(&self) -> bool {
        self.status == BookingStatus::Held
    }

    /// "F11, F12, F13": the seats as a ticket prints them.
    pub fn seat_labels(&self) -> String {
        self.seats
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "2 x Popcorn (Large), 1 x Cola": the food and drinks to collect.
    pub fn food_labels(&self) -> String {
        // An item ordered with the seats and again later is one count to collect.
        let mut counts: Vec<(String, i32)> = Vec::new();
        for item in &self.items {
            let label = item.label();
            match counts.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += item.quantity,
                None => counts.push((label, item.quantity)),
            }
        }
        counts
            .iter()
            .map(|(label, n)| format!("{n} x {label}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The show a booking is for, with its time in the theater's zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BookingShow {
    pub show_id: ShowId,
    pub movie_title: String,
    pub movie_slug: String,
    pub theater_name: String,
    pub screen_name: String,
    pub format: String,
    pub language: String,
    pub starts_at: DateTime<Utc>,
    /// "Fri 28 Nov, 7:45 PM" at the theater.
    pub local_time: String,
    /// When it starts on the theater's clock, for pages to write in their language.
    pub local_starts: chrono::NaiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct BookedSeat {
    pub seat_id: SeatId,
    pub label: String,
    pub category: String,
    /// What this seat sold for, in minor units.
    pub price: i64,
}

/// What a booking costs, in minor units of `currency`, line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Amount {
    pub subtotal: i64,
    pub convenience_fee: i64,
    pub tax: i64,
    /// Food and drinks, before their tax.
    #[serde(default)]
    pub food: i64,
    /// GST on the food and drinks.
    #[serde(default)]
    pub food_tax: i64,
    /// What offers took off.
    #[serde(default)]
    pub discount: i64,
    /// `subtotal + convenience_fee + tax + food + food_tax - discount`: what is charged.
    pub total: i64,
    pub currency: String,
}

impl Amount {
    /// The total before offers.
    pub fn gross(&self) -> i64 {
        self.tickets_gross() + self.food + self.food_tax
    }

    /// The tickets with their fee and its tax: all an offer may take from.
    pub fn tickets_gross(&self) -> i64 {
        self.subtotal + self.convenience_fee + self.tax
    }
}

/// A confirmed booking's ticket: its signed token and the token's QR code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IssuedTicket {
    /// An Ed25519-signed JWT (audience `district-ticket`), checked offline with the public key.
    pub token: String,
    /// The token's QR code, as SVG.
    pub qr_svg: String,
    /// "Save to Google Wallet", where a wallet issuer is configured.
    #[serde(default)]
    pub google_wallet_url: Option<String>,
    /// The Apple Wallet pass (`.pkpass`), where a pass type is configured.
    #[serde(default)]
    pub apple_wallet_url: Option<String>,
}

/// What a check of a ticket at the door found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckIn {
    pub booking_id: BookingId,
    pub code: String,
    pub movie_title: String,
    pub local_time: String,
    /// The show's start on the theater's clock, for pages to write in their language.
    pub local_starts: chrono::NaiveDateTime,
    pub screen_name: String,
    pub seats: Vec<String>,
    /// When the ticket was first used; `None` when it has not been.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// This check is the one that let it in.
    pub admitted_now: bool,
}

/// Some seats of one show now `status`, each at a version: a seat's version grows with every
/// change of it, so a map that shows a newer one leaves the seat alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeatChange {
    pub show_id: ShowId,
    pub status: SeatStatus,
    pub seat_ids: Vec<SeatId>,
    /// The version of each of `seat_ids`, in the same order (empty for a change known only to
    /// the instance that made it, which it is not yet announced as).
    #[serde(default)]
    pub versions: Vec<u64>,
}

impl SeatChange {
    /// A change as its maker knows it, before it is read back with its versions.
    pub fn made(show_id: ShowId, status: SeatStatus, seat_ids: Vec<SeatId>) -> Self {
        Self {
            show_id,
            status,
            seat_ids,
            versions: Vec::new(),
        }
    }
}

/// Every seat of a show that is not available, for a stream's first event, with the version
/// of every seat that ever changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeatSnapshot {
    pub show_id: ShowId,
    pub held: Vec<SeatId>,
    pub booked: Vec<SeatId>,
    #[serde(default)]
    pub versions: std::collections::HashMap<SeatId, u64>,
}

/// A show's screen as the seat map draws it: layout, prices by category, every seat's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeatMap {
    pub show_id: ShowId,
    pub layout: Layout,
    pub categories: Vec<CategoryPrice>,
    pub seats: Vec<SeatInfo>,
}

impl SeatMap {
    /// The show's currency (every price of a show is in one).
    pub fn currency(&self) -> &str {
        self.categories.first().map_or("INR", |c| &c.currency)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeatInfo {
    pub id: SeatId,
    pub label: String,
    pub row: String,
    pub number: i32,
    pub category: String,
    pub price: i64,
    pub currency: String,
    pub kind: SeatKind,
    pub status: SeatStatus,
    pub grid_row: i32,
    pub grid_col: i32,
}
