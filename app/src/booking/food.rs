//! Food and drinks on a held booking, until the cut-off before the show. Each show's stock of an
//! item is one row (`food_stock`), locked in key order by every writer: an order takes what it
//! asks for from the rows it locked or changes nothing, so `sold` never passes `quantity`. The
//! items are priced into the booking's total with the shared arithmetic (`food::line_tax`).

use super::{
    live::Announced, service::retrying, Actor, Booking, BookingError, Bookings, ConflictCode,
    SeatChange, SeatStatus,
};
use crate::{
    food::{line_tax, FoodTax, MenuItem, OrderLine, MAX_QUANTITY},
    i18n::Text,
    ids::{BookingId, MenuItemId, SeatId, ShowId, UserId},
};
use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Lines one order may name.
const MAX_LINES: usize = 30;

/// The lines of `items` (an SQL array) in holds of `show` past their deadline, with none of
/// their payments in flight: their food is as good as back in stock, as their seats are (an
/// order ends them, as the sweep would).
fn lapsed(show: &str, items: &str) -> String {
    format!(
        "SELECT bi.booking_id, bi.quantity FROM booking_items bi
           JOIN bookings b ON b.id = bi.booking_id
          WHERE bi.item_id = ANY({items}) AND b.show_id = {show} AND b.status = 'held'
            AND b.hold_expires_at <= now()
            AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id
                               AND p.status IN ('created', 'pending'))"
    )
}

/// A theater's menu (`$1`), with what show `$2` has left of each item.
fn menu_query() -> String {
    format!(
        "SELECT m.id AS item_id, m.theater_id, m.name, m.size, m.kind, m.description,
                m.veg, m.price_minor AS price, m.tax, m.stock_per_show, m.available,
                CASE WHEN $2::uuid IS NULL THEN NULL
                     WHEN fs.show_id IS NOT NULL
                     THEN (fs.quantity - fs.sold
                           + (SELECT coalesce(sum(l.quantity), 0) FROM ({}) l))::bigint
                     ELSE m.stock_per_show::bigint END AS \"left\"
           FROM menu_items m LEFT JOIN food_stock fs ON fs.item_id = m.id AND fs.show_id = $2",
        lapsed("$2", "ARRAY[m.id]")
    )
}

/// The held booking items are ordered for, locked.
#[derive(sqlx::FromRow)]
struct Held {
    user_id: UserId,
    live: bool,
    paying: bool,
    show_id: ShowId,
    theater_id: Uuid,
    starts_at: DateTime<Utc>,
}

/// A menu item as an order prices it.
#[derive(sqlx::FromRow)]
struct Priced {
    id: MenuItemId,
    label: String,
    price_minor: i64,
    tax: FoodTax,
}

/// A show's stock of an item, locked.
#[derive(sqlx::FromRow)]
struct Stock {
    item_id: MenuItemId,
    quantity: Option<i32>,
    sold: i32,
}

impl Bookings {
    /// A theater's menu as moviegoers see it (items on sale), each with what `show` has left.
    pub async fn menu(
        &self,
        theater: Uuid,
        show: Option<ShowId>,
    ) -> Result<Vec<MenuItem>, BookingError> {
        let at: Option<Uuid> = sqlx::query_scalar(
            "SELECT t.id FROM theaters t
              WHERE t.id = $1 AND ($2::uuid IS NULL OR EXISTS (
                    SELECT 1 FROM shows s JOIN screens sc ON sc.id = s.screen_id
                     WHERE s.id = $2 AND sc.theater_id = t.id))",
        )
        .bind(theater)
        .bind(show)
        .fetch_optional(self.primary())
        .await?;
        if at.is_none() {
            return Err(BookingError::NotFound);
        }
        Ok(sqlx::query_as(&format!(
            "{} WHERE m.theater_id = $1 AND m.available
              ORDER BY m.kind, m.name, m.size NULLS FIRST",
            menu_query()
        ))
        .bind(theater)
        .bind(show)
        .fetch_all(self.primary())
        .await?)
    }

    /// The menu of a show's theater, with what the show has left of each item.
    pub async fn show_menu(&self, show: ShowId) -> Result<Vec<MenuItem>, BookingError> {
        let theater: Option<Uuid> = sqlx::query_scalar(
            "SELECT sc.theater_id FROM shows s JOIN screens sc ON sc.id = s.screen_id
              WHERE s.id = $1",
        )
        .bind(show)
        .fetch_optional(self.primary())
        .await?;
        self.menu(theater.ok_or(BookingError::NotFound)?, Some(show))
            .await
    }

    /// Sets how many of each item in `lines` a held booking of the actor's orders (0 takes an
    /// item off; items not named stay as they are) and answers the booking priced again. Too
    /// few left of any item changes nothing and names them (409 `out_of_stock`).
    pub async fn set_items(
        &self,
        actor: Actor,
        booking: BookingId,
        lines: &[OrderLine],
    ) -> Result<Booking, BookingError> {
        let wanted = wanted(lines)?;
        let cutoff =
            chrono::Duration::from_std(self.policy.food_cutoff).unwrap_or(chrono::Duration::MAX);
        let outcome = retrying(|| async {
            let mut tx = self.primary().begin().await?;
            // The show first, as calling it off locks it before its bookings: new stock rows
            // need it (their key), and must not wait on it with the booking locked.
            sqlx::query(
                "SELECT 1 FROM shows s JOIN bookings b ON b.show_id = s.id
                  WHERE b.id = $1 FOR KEY SHARE OF s",
            )
            .bind(booking)
            .execute(&mut *tx)
            .await?;
            let held: Option<Held> = sqlx::query_as(
                "SELECT b.user_id, booking_state(b.status, b.hold_expires_at) = 'held' AS live,
                        EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id
                                   AND p.status IN ('created', 'pending')) AS paying,
                        s.id AS show_id, sc.theater_id, s.starts_at
                   FROM bookings b JOIN shows s ON s.id = b.show_id
                   JOIN screens sc ON sc.id = s.screen_id
                  WHERE b.id = $1 FOR UPDATE OF b",
            )
            .bind(booking)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(held) = held.filter(|h| h.user_id == actor.user_id) else {
                return Ok(Err(BookingError::NotFound));
            };
            if let Some(refusal) = refused(&held, cutoff) {
                return Ok(Err(refusal));
            }
            let ordered = order(&mut tx, booking, &held, &wanted).await?;
            if ordered.is_ok() {
                tx.commit().await?;
            }
            Ok(ordered.map(|freed| (held.show_id, freed)))
        })
        .await?;
        let (show, freed) = outcome?;
        if !freed.is_empty() {
            self.announce(&[Announced::freed(SeatChange::made(
                show,
                SeatStatus::Available,
                freed,
            ))]);
        }
        Ok(self.owned(booking).await?.booking)
    }
}

/// The order's lines by item, checked: whole quantities within bounds, each item once.
pub(super) fn wanted(lines: &[OrderLine]) -> Result<BTreeMap<MenuItemId, i32>, BookingError> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(BookingError::field("items", "err-food-lines"));
    }
    let mut wanted = BTreeMap::new();
    for line in lines {
        if !(0..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(BookingError::field("items", "err-food-quantity-zero"));
        }
        if wanted.insert(line.item_id, line.quantity).is_some() {
            return Err(BookingError::field("items", "err-food-item-twice"));
        }
    }
    Ok(wanted)
}

/// Food orders for the show have closed.
pub(super) fn food_closed(minutes: impl Into<crate::i18n::Value>) -> BookingError {
    BookingError::Conflict {
        code: ConflictCode::FoodClosed,
        message: Text::new("err-food-closed").arg("minutes", minutes),
    }
}

/// An item the theater does not sell (now).
pub(super) fn not_on_menu(item: MenuItemId) -> BookingError {
    let text = Text::new("err-food-not-on-menu").arg("item", item.to_string());
    BookingError::Invalid(crate::error::field("items", text))
}

/// Why items cannot be ordered for this booking now, if they cannot.
fn refused(held: &Held, cutoff: chrono::Duration) -> Option<BookingError> {
    if !held.live {
        let message = "err-food-not-held";
        return Some(BookingError::conflict(ConflictCode::NotHeld, message));
    }
    if held.paying {
        let message = "err-price-fixed";
        return Some(BookingError::conflict(
            ConflictCode::PaymentPending,
            message,
        ));
    }
    if Utc::now() >= held.starts_at - cutoff {
        return Some(food_closed(cutoff.num_minutes()));
    }
    None
}

/// Writes the order inside the booking's transaction: `Ok(Err(..))` when it is refused, the
/// seats of lapsed holds it ended otherwise.
async fn order(
    tx: &mut Transaction<'static, Postgres>,
    booking: BookingId,
    held: &Held,
    wanted: &BTreeMap<MenuItemId, i32>,
) -> Result<Result<Vec<SeatId>, BookingError>, sqlx::Error> {
    let ids: Vec<MenuItemId> = wanted.keys().copied().collect();
    let priced: Vec<Priced> = sqlx::query_as(
        "SELECT id, name || coalesce(' (' || size || ')', '') AS label, price_minor, tax
           FROM menu_items WHERE id = ANY($1) AND theater_id = $2 AND available",
    )
    .bind(&ids)
    .bind(held.theater_id)
    .fetch_all(&mut **tx)
    .await?;
    let had: BTreeMap<MenuItemId, i32> =
        sqlx::query_as("SELECT item_id, quantity FROM booking_items WHERE booking_id = $1")
            .bind(booking)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .collect();
    // Taking an item off needs nothing of the menu; adding one needs it on sale here.
    if let Some(item) = wanted
        .iter()
        .find(|(id, n)| **n > 0 && !priced.iter().any(|p| p.id == **id))
    {
        return Ok(Err(not_on_menu(*item.0)));
    }
    // Lapsed holds with these items end first, giving them back (their seats read as free
    // already).
    let freed: Vec<SeatId> = sqlx::query_scalar(&format!(
        "SELECT end_holds(ARRAY(SELECT DISTINCT l.booking_id FROM ({}) l), 'expired')",
        lapsed("$1", "$2")
    ))
    .bind(held.show_id)
    .bind(&ids)
    .fetch_one(&mut **tx)
    .await?;
    // Every row of these items for the show, made if new, then locked in key order.
    sqlx::query(
        "INSERT INTO food_stock (show_id, item_id, quantity)
         SELECT $1, m.id, m.stock_per_show FROM menu_items m
          WHERE m.id = ANY($2) AND m.theater_id = $3 ORDER BY m.id
         ON CONFLICT DO NOTHING",
    )
    .bind(held.show_id)
    .bind(&ids)
    .bind(held.theater_id)
    .execute(&mut **tx)
    .await?;
    let stock: Vec<Stock> = sqlx::query_as(
        "SELECT item_id, quantity, sold FROM food_stock
          WHERE show_id = $1 AND item_id = ANY($2) ORDER BY item_id FOR UPDATE",
    )
    .bind(held.show_id)
    .bind(&ids)
    .fetch_all(&mut **tx)
    .await?;
    let change = |id: &MenuItemId| wanted[id] - had.get(id).copied().unwrap_or(0);
    let short: Vec<&Stock> = stock
        .iter()
        .filter(|s| s.quantity.is_some_and(|q| s.sold + change(&s.item_id) > q))
        .collect();
    if !short.is_empty() {
        let label = |id| priced.iter().find(|p| p.id == id).map(|p| p.label.clone());
        return Ok(Err(BookingError::OutOfStock {
            item_ids: short.iter().map(|s| s.item_id).collect(),
            names: short
                .iter()
                .filter_map(|s| label(s.item_id))
                .collect::<Vec<_>>()
                .join(", "),
        }));
    }
    let changes: Vec<i32> = ids.iter().map(change).collect();
    sqlx::query(
        "UPDATE food_stock fs SET sold = fs.sold + c.change
           FROM unnest($2::uuid[], $3::int[]) c (item_id, change)
          WHERE fs.show_id = $1 AND fs.item_id = c.item_id AND c.change <> 0",
    )
    .bind(held.show_id)
    .bind(&ids)
    .bind(&changes)
    .execute(&mut **tx)
    .await?;
    write_lines(tx, booking, wanted, &priced).await?;
    Ok(Ok(freed))
}

/// The booking's lines as ordered, and its food and total from them.
async fn write_lines(
    tx: &mut Transaction<'static, Postgres>,
    booking: BookingId,
    wanted: &BTreeMap<MenuItemId, i32>,
    priced: &[Priced],
) -> Result<(), sqlx::Error> {
    let gone: Vec<MenuItemId> = wanted
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| *id)
        .collect();
    sqlx::query("DELETE FROM booking_items WHERE booking_id = $1 AND item_id = ANY($2)")
        .bind(booking)
        .bind(&gone)
        .execute(&mut **tx)
        .await?;
    for item in priced.iter().filter(|p| wanted[&p.id] > 0) {
        let quantity = wanted[&item.id];
        sqlx::query(
            "INSERT INTO booking_items (booking_id, item_id, quantity, unit_price_minor, tax, tax_minor)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (booking_id, item_id, order_id) DO UPDATE
                SET quantity = EXCLUDED.quantity, unit_price_minor = EXCLUDED.unit_price_minor,
                    tax = EXCLUDED.tax, tax_minor = EXCLUDED.tax_minor",
        )
        .bind(booking)
        .bind(item.id)
        .bind(quantity)
        .bind(item.price_minor)
        .bind(item.tax)
        .bind(line_tax(item.price_minor, quantity, item.tax))
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE bookings b
            SET food_minor = f.food, food_tax_minor = f.tax, updated_at = now(),
                total_minor = b.subtotal_minor + b.convenience_fee_minor + b.tax_minor + f.food
                              + f.tax - b.discount_minor
           FROM (SELECT coalesce(sum(unit_price_minor * quantity), 0)::bigint AS food,
                        coalesce(sum(tax_minor), 0)::bigint AS tax
                   FROM booking_items WHERE booking_id = $1) f
          WHERE b.id = $1",
    )
    .bind(booking)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
