//! `/api/v1/bookings/{id}/food-orders` and `/api/v1/food-orders`: food and drinks for a booking
//! already paid, until `FOOD_ORDER_CUTOFF_MINUTES` before the show, each order paid on its own.

use super::{ApiJson, ApiPath};
use crate::AppState;
use app::{
    account::auth::Principal,
    booking::{BookingError, Bookings},
    db::Db,
    food::{FoodOrder, OrderLine},
    idempotency,
    ids::{BookingId, FoodOrderId},
    payment::{Gateway, Payment, Payments},
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bookings/{id}/food-orders", post(place))
        .route("/food-orders/{id}", get(order))
        .route("/food-orders/{id}/payments", post(pay))
}

#[derive(Deserialize, ToSchema)]
pub struct NewFoodOrder {
    /// Each item once, 1 to 20 of it.
    items: Vec<OrderLine>,
}

/// Orders food and drinks for a confirmed booking of the caller's, priced from the menu now
/// (201, `status: open`). Pay for it with `POST /api/v1/food-orders/{id}/payments` before
/// `pay_by`; its items are taken from the show's stock when that payment succeeds, and then
/// join the booking (`items`, `amount.food`, `amount.total`). An item sold out by then refunds
/// the payment in full.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/food-orders", tag = "bookings", security(("bearer" = [])),
    request_body = NewFoodOrder, responses((status = 201, body = FoodOrder),
        (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"),
        (status = 409, description = "out_of_stock (with `item_ids`), not_confirmed or food_closed"),
        (status = 422, description = "validation_failed: items")))]
pub async fn place(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
    ApiJson(body): ApiJson<NewFoodOrder>,
) -> Result<Response, BookingError> {
    let order = bookings
        .place_food_order(who.into(), id, &body.items)
        .await?;
    Ok((StatusCode::CREATED, Json(order)).into_response())
}

/// A food order of the caller's: `open` until a payment of it succeeds, then `paid`.
#[utoipa::path(get, path = "/api/v1/food-orders/{id}", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = FoodOrder), (status = 401, description = "unauthenticated"),
        (status = 404, description = "not_found")))]
pub async fn order(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<FoodOrderId>,
) -> Result<Json<FoodOrder>, BookingError> {
    Ok(Json(bookings.food_order(who.into(), id).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PayFoodOrder {
    /// `stripe`, `razorpay` or `sandbox` (outside production).
    provider: Gateway,
}

/// Starts paying for an open food order of the caller's, as `POST /api/v1/payments/initiate`
/// does for a held booking: 201 with what the client needs to pay, or 200 with the payment
/// still open through that provider. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/food-orders/{id}/payments", tag = "payments", security(("bearer" = [])),
    request_body = PayFoodOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = Payment), (status = 200, body = Payment),
        (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"),
        (status = 409, description = "already_confirmed (the order is paid), booking_cancelled, order_lapsed"),
        (status = 422, description = "validation_failed (an unavailable provider)"),
        (status = 502, description = "gateway_unavailable")))]
pub async fn pay(
    State(payments): State<Payments>,
    State(db): State<Db>,
    who: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<FoodOrderId>,
    ApiJson(request): ApiJson<PayFoodOrder>,
) -> Response {
    let body = serde_json::to_vec(&request).unwrap_or_default();
    let scope = format!("{}:food-orders/{id}/payments", who.user_id);
    idempotency::once(db.primary(), &headers, &scope, &body, move |_| async move {
        match payments
            .initiate_food_order(who.user_id, id, request.provider)
            .await
        {
            Ok((true, payment)) => (StatusCode::CREATED, Json(payment)).into_response(),
            Ok((false, payment)) => Json(payment).into_response(),
            Err(err) => err.into_response(),
        }
    })
    .await
}
