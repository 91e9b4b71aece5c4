//! `/api/v1/bookings/{id}/offer`: promo codes on a held booking.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use app::{
    account::auth::Principal,
    booking::{Booking, BookingError, Bookings},
    ids::BookingId,
};
use axum::{extract::State, routing::post, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new().route("/bookings/{id}/offer", post(apply).delete(remove))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct OfferCode {
    /// Any case; spaces around it are ignored.
    code: String,
}

/// Applies an offer code to the caller's held booking and answers it priced again
/// (`amount.discount`, `amount.total`, `offers`). 422 `offer_invalid` or `offer_exhausted`
/// says why in `reason`; 409 `payment_pending` while a payment is open, `not_held` once the
/// hold has ended.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/offer", tag = "bookings", security(("bearer" = [])),
    request_body = OfferCode, responses((status = 200, body = Booking),
        (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"),
        (status = 409, description = "payment_pending or not_held"),
        (status = 429, description = "rate_limited: too many codes tried, with Retry-After"),
        (status = 422, description = "offer_invalid or offer_exhausted, with `reason`: unknown_code, paused, not_started, ended, out_of_scope, below_minimum, already_applied, not_combinable, no_discount, used_up, user_limit")))]
pub async fn apply(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
    ApiJson(body): ApiJson<OfferCode>,
) -> Result<Json<Booking>, BookingError> {
    Ok(Json(
        bookings.apply_offer(who.into(), id, &body.code).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveQuery {
    /// The offer to take off; every offer when omitted.
    code: Option<String>,
}

/// Takes an offer (or every offer) off the caller's held booking and answers it priced again.
#[utoipa::path(delete, path = "/api/v1/bookings/{id}/offer", tag = "bookings", security(("bearer" = [])),
    params(RemoveQuery), responses((status = 200, body = Booking),
        (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"),
        (status = 409, description = "payment_pending or not_held")))]
pub async fn remove(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
    ApiQuery(query): ApiQuery<RemoveQuery>,
) -> Result<Json<Booking>, BookingError> {
    let booking = bookings.remove_offer(who.into(), id, query.code.as_deref());
    Ok(Json(booking.await?))
}
