//! Reading bookings: one for whoever may see it, a user's lists, the hold they are in the middle
//! of. A hold past its deadline reads as expired (`booking_state`), before any sweeper has run.

use super::{
    Actor, Amount, BookedSeat, Booking, BookingError, BookingShow, BookingStatus, Bookings,
};
use crate::{
    account::runs_theater,
    catalog::ShowMeta,
    ids::{BookingId, ShowId, UserId},
};
use crate::{food::BookingItem, offer::AppliedOffer, payment::Gateway};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

words! {
    /// Which of a user's bookings to list.
    pub enum Scope {
        /// Held or confirmed, show still ahead; soonest first.
        Upcoming = "upcoming",
        /// Confirmed, show over; latest first.
        Past = "past",
        /// Cancelled or expired; newest first.
        Cancelled = "cancelled",
    }
}

/// Show columns every booking view needs, with the joins that provide them.
const SHOW: &str = "s.id, m.title AS movie_title, m.slug AS movie_slug,
    t.id AS theater_id, t.name AS theater_name, sc.name AS screen_name, s.format, s.language,
    s.starts_at, ci.time_zone, s.currency::text AS currency, s.status = 'scheduled' AS scheduled,
    NOT s.sales_paused AS sales_open
  FROM bookings b JOIN shows s ON s.id = b.show_id JOIN movies m ON m.id = s.movie_id
  JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
  JOIN cities ci ON ci.id = t.city_id";

/// A booking's items, as `BookingItem`s with their booking's id.
pub(super) const ITEMS: &str =
    "SELECT bi.booking_id, bi.item_id, m.name, m.size, m.veg, bi.quantity,
        bi.unit_price_minor AS unit_price, bi.tax, bi.tax_minor AS tax_amount,
        bi.picked_up_at IS NOT NULL AS picked_up
   FROM booking_items bi JOIN menu_items m ON m.id = bi.item_id";

#[derive(sqlx::FromRow)]
struct Row {
    booking_id: BookingId,
    user_id: UserId,
    code: String,
    stored_status: BookingStatus,
    status: BookingStatus,
    hold_expires_at: DateTime<Utc>,
    subtotal_minor: i64,
    convenience_fee_minor: i64,
    tax_minor: i64,
    food_minor: i64,
    food_tax_minor: i64,
    discount_minor: i64,
    total_minor: i64,
    confirmed_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    refund_due_minor: i64,
    created_at: DateTime<Utc>,
    #[sqlx(flatten)]
    show: ShowMeta,
}

#[derive(sqlx::FromRow)]
struct SeatRow {
    booking_id: BookingId,
    #[sqlx(flatten)]
    seat: BookedSeat,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    booking_id: BookingId,
    #[sqlx(flatten)]
    item: BookingItem,
}

#[derive(sqlx::FromRow)]
struct OfferRow {
    booking_id: BookingId,
    code: String,
    description: String,
    discount: i64,
    cancellable: bool,
    gateway: Option<String>,
}

impl OfferRow {
    fn applied(&self) -> AppliedOffer {
        AppliedOffer {
            code: self.code.clone(),
            description: self.description.clone(),
            discount: self.discount,
            cancellable: self.cancellable,
            gateway: self.gateway.as_deref().and_then(Gateway::parse),
        }
    }
}

/// A booking with who owns it, for the operations that must check.
pub(super) struct Owned {
    pub owner: UserId,
    pub theater_id: uuid::Uuid,
    /// As written: a lapsed hold is still `Held` here until something ends it.
    pub stored_status: BookingStatus,
    pub booking: Booking,
}

pub(super) fn booking_show(meta: &ShowMeta) -> BookingShow {
    BookingShow {
        show_id: meta.id,
        movie_title: meta.movie_title.clone(),
        movie_slug: meta.movie_slug.clone(),
        theater_name: meta.theater_name.clone(),
        screen_name: meta.screen_name.clone(),
        format: meta.format.clone(),
        language: meta.language.clone(),
        starts_at: meta.starts_at,
        local_time: meta.local_time(),
        local_starts: meta.local_starts(),
    }
}

impl Bookings {
    /// A booking for its owner, a platform admin or an admin of the show's theater; anyone else
    /// is told it does not exist.
    pub async fn get(&self, actor: Actor, id: BookingId) -> Result<Booking, BookingError> {
        Ok(self.visible(actor, id).await?.booking)
    }

    pub(super) async fn visible(&self, actor: Actor, id: BookingId) -> Result<Owned, BookingError> {
        let owned = load(self.primary(), &[id])
            .await?
            .pop()
            .ok_or(BookingError::NotFound)?;
        if owned.owner == actor.user_id || self.runs(actor, owned.theater_id).await? {
            Ok(owned)
        } else {
            Err(BookingError::NotFound)
        }
    }

    /// Whether the actor runs the theater: a platform admin, or one of its theater admins.
    pub(super) async fn runs(
        &self,
        actor: Actor,
        theater: uuid::Uuid,
    ) -> Result<bool, BookingError> {
        let runs = runs_theater(self.primary(), actor.user_id, actor.role, theater);
        Ok(runs.await?)
    }

    /// A page of the user's bookings (all of them, newest first, without a scope) and the
    /// total.
    pub async fn list(
        &self,
        user: UserId,
        scope: Option<Scope>,
        (page, per_page): (u32, u32),
    ) -> Result<(Vec<Booking>, i64), BookingError> {
        let live = "booking_state(b.status, b.hold_expires_at)";
        let (filter, order) = match scope {
            None => ("TRUE".to_owned(), "b.created_at DESC"),
            Some(Scope::Upcoming) => (
                format!("s.starts_at > now() AND {live} IN ('held', 'confirmed')"),
                "s.starts_at",
            ),
            Some(Scope::Past) => (
                format!("s.starts_at <= now() AND {live} = 'confirmed'"),
                "s.starts_at DESC",
            ),
            Some(Scope::Cancelled) => (
                format!("{live} IN ('cancelled', 'expired')"),
                "b.created_at DESC",
            ),
        };
        let db = self.primary();
        let rows: Vec<(BookingId, i64)> = sqlx::query_as(&format!(
            "SELECT b.id, count(*) OVER () FROM bookings b JOIN shows s ON s.id = b.show_id
              WHERE b.user_id = $1 AND {filter} ORDER BY {order} LIMIT $2 OFFSET $3"
        ))
        .bind(user)
        .bind(i64::from(per_page))
        .bind(i64::from(page.saturating_sub(1)) * i64::from(per_page))
        .fetch_all(db)
        .await?;
        let total = match rows.first() {
            Some((_, total)) => *total,
            None => {
                sqlx::query_scalar(&format!(
                    "SELECT count(*) FROM bookings b JOIN shows s ON s.id = b.show_id
                      WHERE b.user_id = $1 AND {filter}"
                ))
                .bind(user)
                .fetch_one(db)
                .await?
            }
        };
        let ids: Vec<BookingId> = rows.into_iter().map(|(id, _)| id).collect();
        let bookings = load(db, &ids).await?;
        Ok((bookings.into_iter().map(|o| o.booking).collect(), total))
    }

    /// The user's live hold on a show, if any (for the seat map to pick up where they left off).
    pub async fn current_hold(
        &self,
        user: UserId,
        show: ShowId,
    ) -> Result<Option<Booking>, BookingError> {
        let id: Option<BookingId> = sqlx::query_scalar(
            "SELECT id FROM bookings
              WHERE user_id = $1 AND show_id = $2 AND status = 'held'
                AND booking_state(status, hold_expires_at) = 'held'",
        )
        .bind(user)
        .bind(show)
        .fetch_optional(self.primary())
        .await?;
        match id {
            Some(id) => Ok(load(self.primary(), &[id]).await?.pop().map(|o| o.booking)),
            None => Ok(None),
        }
    }
}

/// Bookings by id, in the order given.
pub(super) async fn load(db: &PgPool, ids: &[BookingId]) -> Result<Vec<Owned>, BookingError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT b.id AS booking_id, b.user_id, b.code, b.status AS stored_status,
                booking_state(b.status, b.hold_expires_at) AS status, b.hold_expires_at,
                b.subtotal_minor, b.convenience_fee_minor, b.tax_minor, b.food_minor, b.food_tax_minor,
                b.discount_minor, b.total_minor,
                b.confirmed_at, b.cancelled_at, b.refund_due_minor, b.created_at, {SHOW}
          WHERE b.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await?;
    let seats: Vec<SeatRow> = sqlx::query_as(
        "SELECT bs.booking_id, bs.seat_id, se.row_label || se.number AS label,
                c.name AS category, bs.price_minor AS price
           FROM booking_seats bs
           JOIN seats se ON se.id = bs.seat_id
           JOIN seat_categories c ON c.id = se.category_id
          WHERE bs.booking_id = ANY($1)
          ORDER BY se.grid_row, se.grid_col",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    let offers: Vec<OfferRow> = sqlx::query_as(
        "SELECT bo.booking_id, o.code, o.description, bo.discount_minor AS discount,
                o.cancellable, o.gateway
           FROM booking_offers bo JOIN offers o ON o.id = bo.offer_id
          WHERE bo.booking_id = ANY($1)
          ORDER BY bo.applied_at",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    let items: Vec<ItemRow> = sqlx::query_as(&format!(
        "{ITEMS} WHERE bi.booking_id = ANY($1) ORDER BY m.kind DESC, m.name, m.size"
    ))
    .bind(ids)
    .fetch_all(db)
    .await?;
    let mut bookings: Vec<Owned> = rows
        .into_iter()
        .map(|row| Owned {
            owner: row.user_id,
            theater_id: row.show.theater_id,
            stored_status: row.stored_status,
            booking: Booking {
                booking_id: row.booking_id,
                code: row.code,
                status: row.status,
                hold_expires_at: row.hold_expires_at,
                show: booking_show(&row.show),
                seats: seats
                    .iter()
                    .filter(|s| s.booking_id == row.booking_id)
                    .map(|s| s.seat.clone())
                    .collect(),
                amount: Amount {
                    subtotal: row.subtotal_minor,
                    convenience_fee: row.convenience_fee_minor,
                    tax: row.tax_minor,
                    food: row.food_minor,
                    food_tax: row.food_tax_minor,
                    discount: row.discount_minor,
                    total: row.total_minor,
                    currency: row.show.currency.clone(),
                },
                confirmed_at: row.confirmed_at,
                cancelled_at: row.cancelled_at,
                offers: offers
                    .iter()
                    .filter(|o| o.booking_id == row.booking_id)
                    .map(OfferRow::applied)
                    .collect(),
                items: items
                    .iter()
                    .filter(|i| i.booking_id == row.booking_id)
                    .map(|i| i.item.clone())
                    .collect(),
                refund_due: row.refund_due_minor,
                created_at: row.created_at,
            },
        })
        .collect();
    bookings.sort_by_key(|b| ids.iter().position(|id| *id == b.booking.booking_id));
    Ok(bookings)
}
