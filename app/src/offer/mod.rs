//! Promo codes and vouchers: what an offer is, what it takes off a booking and whether it may.
//! The arithmetic and the rules are plain functions shared by the server and the browser, so a
//! price shown is the price charged. Applying one to a booking is the booking domain's; making
//! and running offers is the dashboard's.

mod price;
#[cfg(feature = "ssr")]
mod row;
mod rules;

pub use price::{discounted, discounts, Terms};
#[cfg(feature = "ssr")]
pub use row::OfferRow;
pub use rules::{check, Claim, Refusal};

use crate::ids::{OfferId, ShowId};
use crate::payment::Gateway;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

words! {
    /// A percentage of the base, or a fixed amount off it.
    pub enum OfferKind in "offer_kind" {
        Percent = "percent",
        Flat = "flat",
    }
}

words! {
    /// What the discount is taken from: the ticket prices (before the convenience fee and its
    /// tax), or the total with them.
    pub enum OfferBase in "offer_base" {
        Tickets = "tickets",
        Total = "total",
    }
}

/// Where an offer applies: each part that is set narrows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OfferScope {
    #[serde(default)]
    pub city_id: Option<Uuid>,
    #[serde(default)]
    pub theater_id: Option<Uuid>,
    #[serde(default)]
    pub movie_id: Option<Uuid>,
    #[serde(default)]
    pub show_id: Option<ShowId>,
    /// Only seats of this category count towards the discount.
    #[serde(default)]
    pub seat_category: Option<String>,
    /// The booking must be paid through this gateway.
    #[serde(default)]
    pub gateway: Option<Gateway>,
}

/// An offer as its admins see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Offer {
    pub offer_id: OfferId,
    pub code: String,
    pub description: String,
    pub kind: OfferKind,
    /// Percent (1 to 100) or minor units.
    pub value: i64,
    pub max_discount: Option<i64>,
    /// The ticket prices a booking must reach, in minor units.
    pub min_order: i64,
    pub max_uses: Option<i32>,
    pub per_user_limit: Option<i32>,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub scope: OfferScope,
    /// May be combined with other stackable offers on one booking.
    pub stackable: bool,
    pub base: OfferBase,
    /// Whether a booking made with it may be cancelled (by the usual policy).
    pub cancellable: bool,
    pub paused: bool,
    /// Confirmed bookings using it, less those cancelled since.
    pub uses: i32,
    pub created_at: DateTime<Utc>,
}

impl Offer {
    pub fn terms(&self) -> Terms {
        Terms {
            kind: self.kind,
            value: self.value,
            max_discount: self.max_discount,
            base: self.base,
        }
    }
}

/// A new offer, as an admin writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewOffer {
    pub code: String,
    #[serde(default)]
    pub description: String,
    pub kind: OfferKind,
    pub value: i64,
    #[serde(default)]
    pub max_discount: Option<i64>,
    #[serde(default)]
    pub min_order: i64,
    #[serde(default)]
    pub max_uses: Option<i32>,
    #[serde(default)]
    pub per_user_limit: Option<i32>,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    #[serde(default)]
    pub scope: OfferScope,
    #[serde(default)]
    pub stackable: bool,
    #[serde(default = "tickets")]
    pub base: OfferBase,
    #[serde(default = "yes")]
    pub cancellable: bool,
}

fn tickets() -> OfferBase {
    OfferBase::Tickets
}

fn yes() -> bool {
    true
}

/// What may change once an offer exists: each field given replaces the offer's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OfferChange {
    #[serde(default)]
    pub paused: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub valid_to: Option<DateTime<Utc>>,
    #[serde(default)]
    pub max_uses: Option<i32>,
    #[serde(default)]
    pub per_user_limit: Option<i32>,
}

/// An offer with what it has done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OfferReport {
    pub offer: Offer,
    /// Confirmed bookings with it, cancelled ones included.
    pub bookings: i64,
    /// Of those, cancelled since (their uses given back).
    pub cancelled: i64,
    /// Held bookings it is applied to, counting against its limits until they lapse.
    pub live_claims: i64,
    /// Discount given on bookings that stand, in minor units.
    pub discount_given: i64,
    /// What those bookings paid, in minor units.
    pub sales: i64,
}

/// An offer on a booking, and what it took off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppliedOffer {
    pub code: String,
    pub description: String,
    /// In minor units.
    pub discount: i64,
    /// A booking with a non-cancellable offer cannot be cancelled.
    pub cancellable: bool,
    /// The booking must be paid through this gateway.
    pub gateway: Option<Gateway>,
}

/// "SAVE20" from " save20 ": codes are compared in capitals, without spaces around.
pub fn normal_code(code: &str) -> String {
    code.trim().to_uppercase()
}
