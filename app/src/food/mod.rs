//! Food and drinks: each theater's menu, and what a booking orders from it. The arithmetic is
//! plain functions, in the server and the browser builds alike.
//! Ordering is the booking domain's (`booking::food`); running the menu is the dashboard's.

mod price;

pub use price::{food_lines, line_tax, with_food, FoodLines};

use crate::ids::{BookingId, FoodOrderId, MenuItemId, ShowId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most of one item a booking may order.
pub const MAX_QUANTITY: i32 = 20;

words! {
    /// A single item, or several sold together at one price.
    pub enum MenuKind in "menu_kind" {
        Item = "item",
        Combo = "combo",
    }
}

words! {
    /// The GST an item carries: 5% for what a cinema serves, 18% for the rest, or none.
    pub enum FoodTax in "food_tax" {
        Gst5 = "gst5",
        Gst18 = "gst18",
        Exempt = "exempt",
    }
}

impl FoodTax {
    pub fn percent(self) -> i64 {
        match self {
            Self::Gst5 => 5,
            Self::Gst18 => 18,
            Self::Exempt => 0,
        }
    }
}

/// Something on a menu, with what is left of it for a show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct MenuItem {
    pub item_id: MenuItemId,
    pub theater_id: uuid::Uuid,
    pub name: String,
    /// "Regular", "Large": each size is an item of its own.
    pub size: Option<String>,
    pub kind: MenuKind,
    /// What a combo holds, or a line about the item.
    pub description: String,
    pub veg: bool,
    /// Before tax, in minor units.
    pub price: i64,
    pub tax: FoodTax,
    /// Each show's stock unless a show says otherwise; none: unlimited.
    pub stock_per_show: Option<i32>,
    pub available: bool,
    /// What the show asked about has left; none: unlimited (or no show asked about).
    #[serde(default)]
    pub left: Option<i64>,
}

impl MenuItem {
    /// "Popcorn (Large)".
    pub fn label(&self) -> String {
        label(&self.name, self.size.as_deref())
    }
}

/// One item and how many of it, as an order names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub item_id: MenuItemId,
    /// 0 takes the item off the booking.
    pub quantity: i32,
}

/// An item on a booking, priced as it was ordered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct BookingItem {
    pub item_id: MenuItemId,
    pub name: String,
    pub size: Option<String>,
    pub veg: bool,
    pub quantity: i32,
    /// Before tax, in minor units.
    pub unit_price: i64,
    pub tax: FoodTax,
    /// The line's tax.
    pub tax_amount: i64,
    /// Handed over at the counter.
    #[serde(default)]
    pub picked_up: bool,
}

impl BookingItem {
    /// A veg line of a new item, priced with its tax: for tests.
    #[cfg(test)]
    pub(crate) fn priced(
        name: &str,
        size: Option<&str>,
        quantity: i32,
        unit_price: i64,
        tax: FoodTax,
    ) -> Self {
        Self {
            item_id: uuid::Uuid::new_v4().into(),
            name: name.into(),
            size: size.map(Into::into),
            veg: true,
            quantity,
            unit_price,
            tax,
            tax_amount: line_tax(unit_price, quantity, tax),
            picked_up: false,
        }
    }

    pub fn label(&self) -> String {
        label(&self.name, self.size.as_deref())
    }

    /// The line with its tax.
    pub fn total(&self) -> i64 {
        self.unit_price * i64::from(self.quantity) + self.tax_amount
    }
}

fn label(name: &str, size: Option<&str>) -> String {
    match size {
        Some(size) => format!("{name} ({size})"),
        None => name.to_owned(),
    }
}

/// A show's food orders as the theater's counter hands them over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PickupList {
    pub show_id: ShowId,
    /// Each confirmed booking with items, by code.
    pub orders: Vec<Pickup>,
    /// How many of each item the show needs.
    pub totals: Vec<PickupTotal>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Pickup {
    pub booking_id: crate::ids::BookingId,
    pub code: String,
    pub seats: String,
    pub items: Vec<BookingItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct PickupTotal {
    pub item_id: MenuItemId,
    pub name: String,
    pub size: Option<String>,
    pub veg: bool,
    pub quantity: i64,
    pub picked_up: i64,
}

/// A menu item as its theater's admin adds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewMenuItem {
    pub name: String,
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default = "item_kind")]
    pub kind: MenuKind,
    #[serde(default)]
    pub description: String,
    pub veg: bool,
    /// Before tax, in minor units.
    pub price: i64,
    #[serde(default = "restaurant_tax")]
    pub tax: FoodTax,
    /// Each show's stock; none: unlimited.
    #[serde(default)]
    pub stock_per_show: Option<i32>,
}

fn item_kind() -> MenuKind {
    MenuKind::Item
}

fn restaurant_tax() -> FoodTax {
    FoodTax::Gst5
}

/// What an admin changes of a menu item; fields left out stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MenuItemChange {
    #[serde(default)]
    pub price: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    /// Taken off sale (false) or back on.
    #[serde(default)]
    pub available: Option<bool>,
    /// Shows yet to sell the item get this stock; `{"stock_per_show": null}` leaves it as
    /// it is, so say `unlimited_stock` to lift the limit.
    #[serde(default)]
    pub stock_per_show: Option<i32>,
    #[serde(default)]
    pub unlimited_stock: bool,
}

/// One show's stock of an item, as the theater sets it; `quantity` none: unlimited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct ShowStock {
    pub item_id: MenuItemId,
    pub quantity: Option<i32>,
    pub sold: i32,
}

words! {
    /// A food order placed once its booking was paid: open until a payment of its own succeeds.
    pub enum FoodOrderStatus in "text" {
        Open = "open",
        Paid = "paid",
    }
}

/// Food and drinks ordered for a paid booking, priced when placed and paid for on their own;
/// paid, its lines join the booking's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FoodOrder {
    pub order_id: FoodOrderId,
    pub booking_id: BookingId,
    pub status: FoodOrderStatus,
    pub items: Vec<BookingItem>,
    /// Before tax, in minor units.
    pub food: i64,
    pub food_tax: i64,
    /// What its payment charges: `food + food_tax`.
    pub total: i64,
    pub currency: String,
    /// A payment may be started until then.
    pub pay_by: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}
