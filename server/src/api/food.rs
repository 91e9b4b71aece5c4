//! `/api/v1/theaters/{id}/menu` and `/api/v1/bookings/{id}/items`: food and drinks with the
//! seats.

use super::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use crate::AppState;
use app::{
    account::auth::Principal,
    booking::{Booking, BookingError, Bookings},
    food::{MenuItem, OrderLine},
    ids::{BookingId, ShowId},
};
use axum::{
    extract::State,
    response::Response,
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/theaters/{id}/menu", get(menu))
        .route("/bookings/{id}/items", post(order))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MenuQuery {
    /// A show at this theater: each item then says how many are left for it (`left`).
    show_id: Option<ShowId>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The theater's food and drinks on sale, each with its price before tax, GST class and veg
/// mark; with `show_id`, what that show has left of each (`left`, null for unlimited). In the
/// list envelope.
#[utoipa::path(get, path = "/api/v1/theaters/{id}/menu", tag = "catalog",
    params(MenuQuery), responses((status = 200, description = "`{items, page, per_page, total}` of menu items", body = Page<MenuItem>),
        (status = 404, description = "not_found: no such theater, or the show is not there"),
        (status = 422, description = "validation_failed")))]
pub async fn menu(
    State(bookings): State<Bookings>,
    ApiPath(theater): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<MenuQuery>,
) -> Result<Response, BookingError> {
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()
    .map_err(|(field, message)| BookingError::field(field, message))?;
    let menu = bookings.menu(theater, query.show_id).await?;
    Ok(Page::of(&menu, paging).respond())
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct Order {
    /// Each item once, with how many the booking should have (0 takes it off); items not
    /// named stay as they are.
    items: Vec<OrderLine>,
}

/// Orders food and drinks with the caller's held seats, until `FOOD_ORDER_CUTOFF_MINUTES`
/// before the show, and answers the booking priced again (`items`, `amount.food`,
/// `amount.food_tax`, `amount.total`). Setting the same quantities again changes nothing but
/// a price changed meanwhile.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/items", tag = "bookings", security(("bearer" = [])),
    request_body = Order, responses((status = 200, body = Booking),
        (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"),
        (status = 409, description = "out_of_stock (with `item_ids`), payment_pending, not_held or food_closed"),
        (status = 422, description = "validation_failed: items")))]
pub async fn order(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
    ApiJson(body): ApiJson<Order>,
) -> Result<Json<Booking>, BookingError> {
    Ok(Json(bookings.set_items(who.into(), id, &body.items).await?))
}
