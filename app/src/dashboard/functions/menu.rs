//! Food and drinks from the dashboard: a theater's menu with plain forms to add and change
//! items (rupees as people type them), and a show's pickup list and stock.
// A plain form's fields are its server function's arguments.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use super::ssr::*;
use crate::{
    account::ManagedTheater,
    dashboard::DashboardError,
    food::{MenuItem, PickupList},
    ids::{BookingId, MenuItemId, ShowId},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheaterMenu {
    pub theater: ManagedTheater,
    pub items: Vec<MenuItem>,
}

/// A theater's whole menu.
#[server(prefix = "/_fn", endpoint = "dashboard/menu")]
pub async fn menu_page(theater_id: Uuid) -> Result<TheaterMenu, DashboardError> {
    answer(
        async move {
            // The handle before waiting: a page left mid-render loses its context meanwhile.
            let dashboard = dashboard();
            let (actor, theater) = theater(theater_id).await?;
            let items = dashboard.theater_menu(actor, theater_id).await?;
            Ok(TheaterMenu { theater, items })
        }
        .await,
    )
}

/// Adds an item to a theater's menu; `price` in rupees, `veg` a checkbox.
#[server(prefix = "/_fn", endpoint = "dashboard/menu/new")]
pub async fn add_menu_item(
    theater_id: Uuid,
    name: String,
    size: Option<String>,
    kind: Option<String>,
    description: Option<String>,
    veg: Option<String>,
    price: String,
    tax: Option<String>,
    stock_per_show: Option<String>,
) -> Result<MenuItem, DashboardError> {
    use crate::food::{FoodTax, MenuKind, NewMenuItem};
    answer(
        async move {
            let new = NewMenuItem {
                name,
                size,
                kind: kind
                    .and_then(|k| MenuKind::parse(&k))
                    .unwrap_or(MenuKind::Item),
                description: description.unwrap_or_default(),
                veg: veg.is_some(),
                price: rupees("price", &price)?,
                tax: tax
                    .and_then(|t| FoodTax::parse(&t))
                    .unwrap_or(FoodTax::Gst5),
                stock_per_show: count("stock_per_show", stock_per_show)?,
            };
            dashboard()
                .add_menu_item(actor().await?, theater_id, &new)
                .await
        }
        .await,
    )
}

/// Changes an item's price (rupees) or stock per show (empty: unlimited), or takes it off
/// sale and back.
#[server(prefix = "/_fn", endpoint = "dashboard/menu/change")]
pub async fn change_menu_item(
    item_id: MenuItemId,
    price: Option<String>,
    stock_per_show: Option<String>,
    available: Option<bool>,
) -> Result<MenuItem, DashboardError> {
    use crate::food::MenuItemChange;
    answer(
        async move {
            let stock = stock_per_show.map(|s| count("stock_per_show", Some(s)));
            let change = MenuItemChange {
                price: price
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| rupees("price", &p))
                    .transpose()?,
                available,
                unlimited_stock: matches!(stock, Some(Ok(None))),
                stock_per_show: stock.transpose()?.flatten(),
                ..MenuItemChange::default()
            };
            dashboard()
                .change_menu_item(actor().await?, item_id, &change)
                .await
        }
        .await,
    )
}

/// A show's food: what its bookings ordered, and each item's stock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowFood {
    pub theater_id: Uuid,
    pub pickups: PickupList,
    /// Items on sale with what the show has left.
    pub stock: Vec<MenuItem>,
}

#[server(prefix = "/_fn", endpoint = "dashboard/food")]
pub async fn food_page(show_id: ShowId) -> Result<ShowFood, DashboardError> {
    answer(
        async move {
            let dashboard = dashboard();
            let actor = actor().await?;
            let (theater_id, stock) = dashboard.show_menu(actor, show_id).await?;
            let pickups = dashboard.pickups(actor, show_id).await?;
            Ok(ShowFood {
                theater_id,
                pickups,
                stock,
            })
        }
        .await,
    )
}

/// Marks a booking's food handed over.
#[server(prefix = "/_fn", endpoint = "dashboard/food/picked-up")]
pub async fn pick_up_food(
    show_id: ShowId,
    booking_id: BookingId,
) -> Result<PickupList, DashboardError> {
    answer(
        async move {
            dashboard()
                .pick_up(actor().await?, show_id, booking_id)
                .await
        }
        .await,
    )
}

/// Sets a show's stock of an item (empty: unlimited).
#[server(prefix = "/_fn", endpoint = "dashboard/food/stock")]
pub async fn set_food_stock(
    show_id: ShowId,
    item_id: MenuItemId,
    quantity: Option<String>,
) -> Result<crate::food::ShowStock, DashboardError> {
    answer(
        async move {
            let quantity = count("quantity", quantity)?;
            dashboard()
                .set_show_stock(actor().await?, show_id, item_id, quantity)
                .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn rupees(field: &str, text: &str) -> Result<i64, DashboardError> {
    super::minor_units(text).ok_or_else(|| DashboardError::field(field, "err-rupees-menu"))
}

/// A whole number as typed; empty: none.
#[cfg(feature = "ssr")]
fn count(field: &str, text: Option<String>) -> Result<Option<i32>, DashboardError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().parse::<i32>())
        .transpose()
        .map_err(|_| DashboardError::field(field, "err-whole-or-empty"))
}
