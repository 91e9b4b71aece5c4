//! Waiting lists: `/api/v1/shows/{id}/waitlist` to join a sold-out show's line, and
//! `/api/v1/users/waitlist` for the caller's places.

use super::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use crate::AppState;
use app::{
    account::auth::Principal,
    booking::{BookingError, Bookings, WaitlistEntry},
    ids::ShowId,
};
use axum::{
    extract::State,
    http::StatusCode,
    response::Response,
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new().route("/shows/{id}/waitlist", post(join))
}

/// Under `/api/v1/users`.
pub fn user_router() -> Router<AppState> {
    Router::new().route("/waitlist", get(mine).delete(leave))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct JoinRequest {
    /// 1 to 10.
    seats: usize,
    /// A seat category of the show; any when omitted.
    #[serde(default)]
    category: Option<String>,
}

/// Joins a sold-out show's waiting list for `seats` seats (of `category`, or any): 201 with
/// the place and its `position`. When seats free up, the next in line get them held in their
/// name and are told by email and push. 409 `not_sold_out` while such seats are on sale.
#[utoipa::path(post, path = "/api/v1/shows/{id}/waitlist", tag = "bookings", security(("bearer" = [])),
    request_body = JoinRequest, responses((status = 201, body = WaitlistEntry),
        (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"),
        (status = 409, description = "not_sold_out"),
        (status = 422, description = "validation_failed: count or category")))]
pub async fn join(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(show): ApiPath<ShowId>,
    ApiJson(body): ApiJson<JoinRequest>,
) -> Result<(StatusCode, Json<WaitlistEntry>), BookingError> {
    let entry = bookings
        .join_waitlist(who.into(), show, body.seats, body.category.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// The caller's places on waiting lists, newest first: `waiting` with its `position`,
/// `offered` (seats held: pay before the hold runs out), `booked`, `lapsed` or `left`.
#[utoipa::path(get, path = "/api/v1/users/waitlist", tag = "users", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of places", body = Page<WaitlistEntry>),
        (status = 401, description = "unauthenticated"), (status = 422, description = "validation_failed")))]
pub async fn mine(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, BookingError> {
    let paging = paging
        .resolve()
        .map_err(|(field, message)| BookingError::field(field, message))?;
    Ok(Page::of(&bookings.my_waitlist(who.user_id).await?, paging).respond())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaveQuery {
    show_id: ShowId,
}

/// Leaves a show's waiting list; seats held by an offer are released to the next in line.
#[utoipa::path(delete, path = "/api/v1/users/waitlist", tag = "users", security(("bearer" = [])),
    params(LeaveQuery), responses((status = 204, description = "left"),
        (status = 401, description = "unauthenticated"), (status = 422, description = "validation_failed")))]
pub async fn leave(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiQuery(query): ApiQuery<LeaveQuery>,
) -> Result<StatusCode, BookingError> {
    bookings.leave_waitlist(who.into(), query.show_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
