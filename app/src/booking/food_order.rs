//! Food and drinks for a booking already paid, until the cut-off before the show: an order is
//! priced from the menu when placed and paid for on its own. Its stock is taken when its
//! payment succeeds (`food_order_paid`, under the stock rows' locks), so an order nobody pays
//! keeps nothing from anyone; one that finds an item sold out by then is refunded at once.

use super::{
    food::{food_closed, not_on_menu, wanted},
    Actor, Booking, BookingError, BookingStatus, Bookings, ConflictCode,
};
use crate::{
    food::{food_lines, line_tax, BookingItem, FoodLines, FoodOrder, FoodOrderStatus, OrderLine},
    ids::{BookingId, FoodOrderId, MenuItemId},
};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// How long a placed order may be paid for: as long as a hold, once its payment starts.
pub const PAY_WITHIN: Duration = Duration::from_secs(15 * 60);

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: FoodOrderId,
    booking_id: BookingId,
    owner: crate::ids::UserId,
    status: FoodOrderStatus,
    food_minor: i64,
    food_tax_minor: i64,
    total_minor: i64,
    currency: String,
    pay_by: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

impl Bookings {
    /// Whether food and drinks may be ordered for a paid booking now.
    pub fn takes_food_orders(&self, booking: &Booking) -> bool {
        let cutoff =
            chrono::Duration::from_std(self.policy.food_cutoff).unwrap_or(chrono::Duration::MAX);
        booking.status == BookingStatus::Confirmed && Utc::now() < booking.show.starts_at - cutoff
    }

    /// Places an order of food and drinks for a confirmed booking of the actor's, priced from
    /// the theater's menu now; it is paid for with a payment of its own (`Payments`). Items
    /// the show has too few of are refused now (409 `out_of_stock`), though only a succeeded
    /// payment takes them.
    pub async fn place_food_order(
        &self,
        actor: Actor,
        booking: BookingId,
        lines: &[OrderLine],
    ) -> Result<FoodOrder, BookingError> {
        let wanted = wanted(lines)?;
        if wanted.values().any(|n| *n == 0) {
            return Err(BookingError::field("items", "err-food-quantity"));
        }
        let owned = self.owned(booking).await?;
        if owned.owner != actor.user_id {
            return Err(BookingError::NotFound);
        }
        let booking = owned.booking;
        if booking.status != BookingStatus::Confirmed {
            let message = "err-food-not-confirmed";
            return Err(BookingError::conflict(ConflictCode::NotConfirmed, message));
        }
        if !self.takes_food_orders(&booking) {
            let minutes = self.policy.food_cutoff.as_secs() / 60;
            return Err(food_closed(minutes));
        }
        let menu = self.show_menu(booking.show.show_id).await?;
        let mut items = Vec::with_capacity(wanted.len());
        let mut short: Vec<(MenuItemId, String)> = Vec::new();
        for (id, quantity) in &wanted {
            let Some(item) = menu.iter().find(|m| m.item_id == *id) else {
                return Err(not_on_menu(*id));
            };
            if item.left.is_some_and(|left| left < i64::from(*quantity)) {
                short.push((*id, item.label()));
            }
            items.push(BookingItem {
                item_id: *id,
                name: item.name.clone(),
                size: item.size.clone(),
                veg: item.veg,
                quantity: *quantity,
                unit_price: item.price,
                tax: item.tax,
                tax_amount: line_tax(item.price, *quantity, item.tax),
                picked_up: false,
            });
        }
        if !short.is_empty() {
            return Err(BookingError::OutOfStock {
                item_ids: short.iter().map(|(id, _)| *id).collect(),
                names: short
                    .into_iter()
                    .map(|(_, name)| name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let FoodLines { food, food_tax } = food_lines(&items);
        let mut tx = self.primary().begin().await?;
        let order: FoodOrderId = sqlx::query_scalar(
            "INSERT INTO food_orders (booking_id, food_minor, food_tax_minor, total_minor, currency,
                                      pay_by)
             VALUES ($1, $2, $3, $4, $5, now() + $6) RETURNING id",
        )
        .bind(booking.booking_id)
        .bind(food)
        .bind(food_tax)
        .bind(food + food_tax)
        .bind(&booking.amount.currency)
        .bind(PAY_WITHIN)
        .fetch_one(&mut *tx)
        .await?;
        for item in &items {
            sqlx::query(
                "INSERT INTO food_order_lines (order_id, item_id, quantity, unit_price_minor, tax,
                                               tax_minor)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(order)
            .bind(item.item_id)
            .bind(item.quantity)
            .bind(item.unit_price)
            .bind(item.tax)
            .bind(item.tax_amount)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.food_order(actor, order).await
    }

    /// A food order of the actor's.
    pub async fn food_order(
        &self,
        actor: Actor,
        order: FoodOrderId,
    ) -> Result<FoodOrder, BookingError> {
        let row: OrderRow = sqlx::query_as(
            "SELECT fo.id, fo.booking_id, b.user_id AS owner, fo.status, fo.food_minor,
                    fo.food_tax_minor, fo.total_minor, fo.currency::text AS currency, fo.pay_by,
                    fo.created_at
               FROM food_orders fo JOIN bookings b ON b.id = fo.booking_id WHERE fo.id = $1",
        )
        .bind(order)
        .fetch_optional(self.primary())
        .await?
        .filter(|row: &OrderRow| row.owner == actor.user_id)
        .ok_or(BookingError::NotFound)?;
        let items: Vec<BookingItem> = sqlx::query_as(
            "SELECT l.item_id, m.name, m.size, m.veg, l.quantity, l.unit_price_minor AS unit_price,
                    l.tax, l.tax_minor AS tax_amount, false AS picked_up
               FROM food_order_lines l JOIN menu_items m ON m.id = l.item_id
              WHERE l.order_id = $1 ORDER BY m.name, m.size NULLS FIRST",
        )
        .bind(order)
        .fetch_all(self.primary())
        .await?;
        Ok(FoodOrder {
            order_id: row.id,
            booking_id: row.booking_id,
            status: row.status,
            items,
            food: row.food_minor,
            food_tax: row.food_tax_minor,
            total: row.total_minor,
            currency: row.currency,
            pay_by: row.pay_by,
            created_at: row.created_at,
        })
    }
}
