//! An offer as its table stores it.

use super::{Offer, OfferBase, OfferKind, OfferScope};
use crate::ids::{OfferId, ShowId};
use crate::payment::Gateway;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An offer's row, as `Offer` reads it.
#[derive(sqlx::FromRow)]
pub struct OfferRow {
    pub id: OfferId,
    pub code: String,
    pub description: String,
    pub kind: OfferKind,
    pub value: i64,
    pub max_discount_minor: Option<i64>,
    pub min_order_minor: i64,
    pub max_uses: Option<i32>,
    pub per_user_limit: Option<i32>,
    pub valid_from: DateTime<Utc>,
    pub valid_to: DateTime<Utc>,
    pub city_id: Option<Uuid>,
    pub theater_id: Option<Uuid>,
    pub movie_id: Option<Uuid>,
    pub show_id: Option<ShowId>,
    pub seat_category: Option<String>,
    pub gateway: Option<String>,
    pub stackable: bool,
    pub base: OfferBase,
    pub cancellable: bool,
    pub paused: bool,
    pub redeemed: i32,
    pub created_at: DateTime<Utc>,
}

impl From<OfferRow> for Offer {
    fn from(row: OfferRow) -> Self {
        Offer {
            offer_id: row.id,
            code: row.code,
            description: row.description,
            kind: row.kind,
            value: row.value,
            max_discount: row.max_discount_minor,
            min_order: row.min_order_minor,
            max_uses: row.max_uses,
            per_user_limit: row.per_user_limit,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            scope: OfferScope {
                city_id: row.city_id,
                theater_id: row.theater_id,
                movie_id: row.movie_id,
                show_id: row.show_id,
                seat_category: row.seat_category,
                gateway: row.gateway.as_deref().and_then(Gateway::parse),
            },
            stackable: row.stackable,
            base: row.base,
            cancellable: row.cancellable,
            paused: row.paused,
            uses: row.redeemed,
            created_at: row.created_at,
        }
    }
}
