//! `/api/v1/admin/bookings` and `/audit`: finding a customer's booking, and what was done at a
//! theater.

use super::paged;
use crate::api::{ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    booking::{Booking, BookingError, Bookings},
    dashboard::{AuditEntry, Dashboard, DashboardError, FoundBooking},
    ids::BookingId,
};
use axum::{extract::State, response::Response, Json};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsQuery {
    /// A booking code, a customer's email or phone number.
    q: String,
}

/// Bookings at the theaters the caller runs whose code, customer email or phone is `q`,
/// newest show first (at most 50 in all).
#[utoipa::path(get, path = "/api/v1/admin/bookings", tag = "admin", security(("bearer" = [])),
    params(BookingsQuery, Paging), responses((status = 200, description = "`{items, page, per_page, total}` of bookings", body = Page<FoundBooking>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: a customer"),
    (status = 422, description = "validation_failed: q, page, per_page")))]
pub async fn find_bookings(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(query): ApiQuery<BookingsQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    let found = dashboard.find_bookings(who.into(), &query.q).await?;
    Ok(Page::of(&found, paging).respond())
}

/// Cancels a booking at a theater the caller runs, as its customer could but at any hour
/// before the cutoff: a hold is released; a confirmed booking is refunded what the policy
/// gives back, through its gateway, and the cancellation is written to the audit log.
/// Cancelling again answers the same; another theater's booking is 404.
#[utoipa::path(delete, path = "/api/v1/admin/bookings/{id}", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Booking), (status = 401, description = "unauthenticated"),
    (status = 404, description = "not_found: no such booking at a theater the caller runs"),
    (status = 409, description = "cancellation_closed, payment_pending")))]
pub async fn cancel_booking(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
) -> Result<Json<Booking>, BookingError> {
    Ok(Json(bookings.cancel(who.into(), id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    theater_id: Uuid,
}

/// The actions at a theater the caller runs, newest first: who, what, when, the subject before
/// and after.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(AuditQuery, Paging), responses((status = 200, description = "`{items, page, per_page, total}` of actions", body = Page<AuditEntry>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found: no such theater")))]
pub async fn audit(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    let (entries, total) = dashboard
        .audit(who.into(), query.theater_id, paging)
        .await?;
    Ok(Page::new(&entries, paging, total).respond())
}
