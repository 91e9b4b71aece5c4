//! Food and drinks as a theater runs them: its menu (added and changed with an audit entry in
//! the same transaction), each show's stock, and the show's pickup list for the counter.

use super::{audit::Audit, Dashboard, DashboardError};
use crate::{
    booking::Actor,
    food::{
        BookingItem, MenuItem, MenuItemChange, NewMenuItem, Pickup, PickupList, PickupTotal,
        ShowStock,
    },
    ids::{BookingId, MenuItemId, ShowId},
};
use serde_json::json;
use uuid::Uuid;

const ITEM: &str = "SELECT m.id AS item_id, m.theater_id, m.name, m.size, m.kind, m.description,
        m.veg, m.price_minor AS price, m.tax, m.stock_per_show, m.available,
        NULL::bigint AS \"left\"
   FROM menu_items m";

/// Most an item may cost (₹1,00,000): more is a typing mistake.
const MAX_PRICE: i64 = 10_000_000;

/// A line of the pickup list, with its booking.
#[derive(sqlx::FromRow)]
struct PickupRow {
    booking_id: BookingId,
    code: String,
    seats: String,
    #[sqlx(flatten)]
    item: BookingItem,
}

impl Dashboard {
    /// A theater's whole menu, items off sale included.
    pub async fn theater_menu(
        &self,
        actor: Actor,
        theater: Uuid,
    ) -> Result<Vec<MenuItem>, DashboardError> {
        self.theater_zone(actor, theater).await?;
        Ok(sqlx::query_as(&format!(
            "{ITEM} WHERE m.theater_id = $1 ORDER BY m.kind, m.name, m.size NULLS FIRST"
        ))
        .bind(theater)
        .fetch_all(&self.db)
        .await?)
    }

    pub async fn add_menu_item(
        &self,
        actor: Actor,
        theater: Uuid,
        new: &NewMenuItem,
    ) -> Result<MenuItem, DashboardError> {
        self.theater_zone(actor, theater).await?;
        validate(new)?;
        let mut tx = self.db.begin().await?;
        let id: Result<MenuItemId, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO menu_items (theater_id, name, size, kind, description, veg, price_minor,
                                     tax, stock_per_show)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(theater)
        .bind(new.name.trim())
        .bind(new.size.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .bind(new.kind)
        .bind(new.description.trim())
        .bind(new.veg)
        .bind(new.price)
        .bind(new.tax)
        .bind(new.stock_per_show)
        .fetch_one(&mut *tx)
        .await;
        let id = id.map_err(|err| match err.as_database_error().and_then(|e| e.code()) {
            Some(code) if code == "23505" => DashboardError::field("name", "err-item-taken"),
            _ => err.into(),
        })?;
        let item = item(&mut tx, id).await?;
        Audit::new(actor, Some(theater), "menu_item.created", id.into())
            .record(&mut tx, json!(null), json!(item))
            .await?;
        tx.commit().await?;
        Ok(item)
    }

    /// Changes an item's price, description, stock for shows to come, or takes it off sale.
    /// Bookings already made keep the price they were made at.
    pub async fn change_menu_item(
        &self,
        actor: Actor,
        id: MenuItemId,
        change: &MenuItemChange,
    ) -> Result<MenuItem, DashboardError> {
        let mut tx = self.db.begin().await?;
        let before: Option<MenuItem> =
            sqlx::query_as(&format!("{ITEM} WHERE m.id = $1 FOR NO KEY UPDATE"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let before = before.ok_or(DashboardError::NotFound)?;
        self.may_run(actor, before.theater_id).await?;
        if change.price.is_some_and(|p| !(1..=MAX_PRICE).contains(&p)) {
            return Err(DashboardError::field("price", "err-menu-price"));
        }
        check_stock("stock_per_show", change.stock_per_show)?;
        if change
            .description
            .as_ref()
            .is_some_and(|d| d.trim().chars().count() > 200)
        {
            return Err(DashboardError::field("description", "err-description-200"));
        }
        let stock = match (change.unlimited_stock, change.stock_per_show) {
            (true, _) => None,
            (false, Some(stock)) => Some(stock),
            (false, None) => before.stock_per_show,
        };
        sqlx::query(
            "UPDATE menu_items SET price_minor = coalesce($2, price_minor),
                    description = coalesce($3, description), available = coalesce($4, available),
                    stock_per_show = $5, updated_at = now()
              WHERE id = $1",
        )
        .bind(id)
        .bind(change.price)
        .bind(change.description.as_deref().map(str::trim))
        .bind(change.available)
        .bind(stock)
        .execute(&mut *tx)
        .await?;
        let after = item(&mut tx, id).await?;
        Audit::new(
            actor,
            Some(before.theater_id),
            "menu_item.changed",
            id.into(),
        )
        .record(&mut tx, json!(before), json!(after))
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A show's theater and the items on sale there, with what the show has left of each.
    pub async fn show_menu(
        &self,
        actor: Actor,
        show: ShowId,
    ) -> Result<(Uuid, Vec<MenuItem>), DashboardError> {
        let (theater, _) = self.run_show(actor, show).await?;
        let menu = self.bookings.menu(theater, Some(show)).await;
        Ok((theater, menu.map_err(|_| DashboardError::Unavailable)?))
    }

    /// Sets one show's stock of an item (`None`: unlimited); never below what it has sold.
    pub async fn set_show_stock(
        &self,
        actor: Actor,
        show: ShowId,
        item: MenuItemId,
        quantity: Option<i32>,
    ) -> Result<ShowStock, DashboardError> {
        let (theater, _) = self.run_show(actor, show).await?;
        check_stock("quantity", quantity)?;
        let set: Result<Option<ShowStock>, sqlx::Error> = sqlx::query_as(
            "INSERT INTO food_stock (show_id, item_id, quantity)
             SELECT $1, m.id, $3 FROM menu_items m WHERE m.id = $2 AND m.theater_id = $4
             ON CONFLICT (show_id, item_id) DO UPDATE SET quantity = EXCLUDED.quantity
             RETURNING item_id, quantity, sold",
        )
        .bind(show)
        .bind(item)
        .bind(quantity)
        .bind(theater)
        .fetch_optional(&self.db)
        .await;
        match set {
            Ok(set) => set.ok_or(DashboardError::NotFound),
            Err(err)
                if err.as_database_error().and_then(|e| e.code()).as_deref() == Some("23514") =>
            {
                Err(DashboardError::field("quantity", "err-stock-sold"))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// What the show's confirmed bookings ordered, booking by booking and item by item.
    pub async fn pickups(&self, actor: Actor, show: ShowId) -> Result<PickupList, DashboardError> {
        self.run_show(actor, show).await?;
        let rows: Vec<PickupRow> = sqlx::query_as(
            "SELECT b.id AS booking_id, b.code,
                    (SELECT string_agg(se.row_label || se.number, ', ' ORDER BY se.grid_row, se.grid_col)
                       FROM booking_seats bs JOIN seats se ON se.id = bs.seat_id
                      WHERE bs.booking_id = b.id) AS seats,
                    bi.item_id, m.name, m.size, m.veg, bi.quantity, bi.unit_price_minor AS unit_price,
                    bi.tax, bi.tax_minor AS tax_amount, bi.picked_up_at IS NOT NULL AS picked_up
               FROM booking_items bi JOIN bookings b ON b.id = bi.booking_id
               JOIN menu_items m ON m.id = bi.item_id
              WHERE b.show_id = $1 AND b.status = 'confirmed'
              ORDER BY b.code, m.kind DESC, m.name, m.size",
        )
        .bind(show)
        .fetch_all(&self.db)
        .await?;
        let mut orders: Vec<Pickup> = Vec::new();
        let mut totals: Vec<PickupTotal> = Vec::new();
        for row in rows {
            let item = &row.item;
            match totals.iter_mut().find(|t| t.item_id == item.item_id) {
                Some(total) => total.quantity += i64::from(item.quantity),
                None => totals.push(PickupTotal {
                    item_id: item.item_id,
                    name: item.name.clone(),
                    size: item.size.clone(),
                    veg: item.veg,
                    quantity: i64::from(item.quantity),
                    picked_up: 0,
                }),
            }
            if item.picked_up {
                if let Some(total) = totals.iter_mut().find(|t| t.item_id == item.item_id) {
                    total.picked_up += i64::from(item.quantity);
                }
            }
            match orders.last_mut().filter(|o| o.booking_id == row.booking_id) {
                Some(order) => order.items.push(row.item),
                None => orders.push(Pickup {
                    booking_id: row.booking_id,
                    code: row.code,
                    seats: row.seats,
                    items: vec![row.item],
                }),
            }
        }
        totals.sort_by(|a, b| (&a.name, &a.size).cmp(&(&b.name, &b.size)));
        Ok(PickupList {
            show_id: show,
            orders,
            totals,
        })
    }

    /// Marks a booking's food handed over at the counter; marking again changes nothing.
    pub async fn pick_up(
        &self,
        actor: Actor,
        show: ShowId,
        booking: BookingId,
    ) -> Result<PickupList, DashboardError> {
        let (theater, _) = self.run_show(actor, show).await?;
        let confirmed: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM bookings WHERE id = $1 AND show_id = $2
                              AND status = 'confirmed')",
        )
        .bind(booking)
        .bind(show)
        .fetch_one(&self.db)
        .await?;
        if !confirmed {
            return Err(DashboardError::NotFound);
        }
        let mut tx = self.db.begin().await?;
        let marked = sqlx::query(
            "UPDATE booking_items bi SET picked_up_at = now()
               FROM bookings b
              WHERE b.id = bi.booking_id AND b.id = $1 AND b.show_id = $2
                AND b.status = 'confirmed' AND bi.picked_up_at IS NULL",
        )
        .bind(booking)
        .bind(show)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked > 0 {
            Audit::new(actor, Some(theater), "food.picked_up", booking.into())
                .record(&mut tx, json!(null), json!({ "items": marked }))
                .await?;
        }
        tx.commit().await?;
        self.pickups(actor, show).await
    }
}

async fn item(tx: &mut sqlx::PgConnection, id: MenuItemId) -> Result<MenuItem, DashboardError> {
    Ok(sqlx::query_as(&format!("{ITEM} WHERE m.id = $1"))
        .bind(id)
        .fetch_one(tx)
        .await?)
}

fn validate(new: &NewMenuItem) -> Result<(), DashboardError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(DashboardError::field("name", "err-item-name"));
    }
    if new
        .size
        .as_ref()
        .is_some_and(|s| s.trim().chars().count() > 20)
    {
        return Err(DashboardError::field("size", "err-item-size"));
    }
    if new.description.chars().count() > 200 {
        return Err(DashboardError::field("description", "err-description-200"));
    }
    if !(1..=MAX_PRICE).contains(&new.price) {
        return Err(DashboardError::field("price", "err-menu-price"));
    }
    check_stock("stock_per_show", new.stock_per_show)
}

fn check_stock(field: &str, stock: Option<i32>) -> Result<(), DashboardError> {
    if stock.is_some_and(|s| !(0..=100_000).contains(&s)) {
        return Err(DashboardError::field(field, "err-stock"));
    }
    Ok(())
}
