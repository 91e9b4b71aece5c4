//! `/api/v1/admin/...menu`, stock and pickups: food and drinks as a theater runs them.

use super::paged;
use crate::api::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    dashboard::{Dashboard, DashboardError},
    food::{MenuItem, MenuItemChange, NewMenuItem, PickupList, ShowStock},
    ids::{BookingId, MenuItemId, ShowId},
};
use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The theater's whole menu, items off sale included, in the list envelope.
#[utoipa::path(get, path = "/api/v1/admin/theaters/{id}/menu", tag = "admin", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of menu items", body = Page<MenuItem>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found")))]
pub async fn theater_menu(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(theater): ApiPath<Uuid>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    Ok(Page::of(&dashboard.theater_menu(who.into(), theater).await?, paging).respond())
}

/// Adds an item (or a combo) to the theater's menu.
#[utoipa::path(post, path = "/api/v1/admin/theaters/{id}/menu", tag = "admin", security(("bearer" = [])),
    request_body = NewMenuItem, responses((status = 201, body = MenuItem),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found"),
    (status = 422, description = "validation_failed: name (or taken), size, description, price or stock_per_show")))]
pub async fn add_menu_item(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(theater): ApiPath<Uuid>,
    ApiJson(new): ApiJson<NewMenuItem>,
) -> Result<(StatusCode, Json<MenuItem>), DashboardError> {
    let item = dashboard.add_menu_item(who.into(), theater, &new).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// Changes an item's price (bookings made keep theirs), description, stock for shows yet to
/// sell it, or takes it off sale.
#[utoipa::path(patch, path = "/api/v1/admin/menu/{id}", tag = "admin", security(("bearer" = [])),
    request_body = MenuItemChange, responses((status = 200, body = MenuItem),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found"),
    (status = 422, description = "validation_failed: price, description or stock_per_show")))]
pub async fn change_menu_item(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<MenuItemId>,
    ApiJson(change): ApiJson<MenuItemChange>,
) -> Result<Json<MenuItem>, DashboardError> {
    Ok(Json(
        dashboard.change_menu_item(who.into(), id, &change).await?,
    ))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct StockQuantity {
    /// None: unlimited.
    quantity: Option<i32>,
}

/// Sets one show's stock of an item; never below what the show has sold of it.
#[utoipa::path(put, path = "/api/v1/admin/shows/{id}/stock/{item_id}", tag = "admin", security(("bearer" = [])),
    request_body = StockQuantity, responses((status = 200, body = ShowStock),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found"),
    (status = 422, description = "validation_failed: quantity (below what is sold)")))]
pub async fn set_show_stock(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath((show, item)): ApiPath<(ShowId, MenuItemId)>,
    ApiJson(body): ApiJson<StockQuantity>,
) -> Result<Json<ShowStock>, DashboardError> {
    let stock = dashboard.set_show_stock(who.into(), show, item, body.quantity);
    Ok(Json(stock.await?))
}

/// The show's pickup list: each confirmed booking's food and drinks, and how many of each item
/// the show needs and has handed over.
#[utoipa::path(get, path = "/api/v1/admin/shows/{id}/pickups", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = PickupList),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found")))]
pub async fn pickups(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(show): ApiPath<ShowId>,
) -> Result<Json<PickupList>, DashboardError> {
    Ok(Json(dashboard.pickups(who.into(), show).await?))
}

/// Marks a booking's food and drinks handed over; answers the pickup list.
#[utoipa::path(post, path = "/api/v1/admin/shows/{id}/pickups/{booking_id}", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = PickupList),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found")))]
pub async fn pick_up(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath((show, booking)): ApiPath<(ShowId, BookingId)>,
) -> Result<Json<PickupList>, DashboardError> {
    Ok(Json(dashboard.pick_up(who.into(), show, booking).await?))
}
