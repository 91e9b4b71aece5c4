//! `/api/v1/admin`: what theater admins and platform admins manage.

use super::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use crate::AppState;
use app::{
    account::{auth::Principal, AccountError, Accounts, ManagedTheater},
    dashboard::{
        AuditEntry, CancelledShow, Dashboard, DashboardError, FoundBooking, NewShow, Recurring,
        Reprice, Scheduled, ScheduledShow, ShowPrices, TheaterShow,
    },
    ids::ShowId,
};
use axum::{
    extract::State,
    http::StatusCode,
    response::Response,
    routing::{delete, get, post},
    Json, Router,
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/theaters", get(theaters))
        .route("/theaters/{id}", get(theater))
        .route("/shows", post(schedule_show).get(shows))
        .route("/shows/recurring", post(schedule_recurring))
        .route("/shows/{id}", delete(cancel_show).patch(reprice_show))
        .route("/bookings", get(bookings))
        .route("/audit", get(audit))
}

/// The theaters the caller runs: all of them for a platform admin.
#[utoipa::path(get, path = "/api/v1/admin/theaters", tag = "admin", security(("bearer" = [])),
    params(Paging), responses(
    (status = 200, description = "`{items, page, per_page, total}` of theaters", body = Page<ManagedTheater>),
    (status = 401, description = "unauthenticated"),
    (status = 403, description = "forbidden: not a theater admin")))]
pub async fn theaters(
    State(accounts): State<Accounts>,
    who: Principal,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, AccountError> {
    let paging = paging
        .resolve()
        .map_err(|(field, message)| AccountError::field(field, message))?;
    Ok(Page::of(&accounts.managed_theaters(&who).await?, paging).respond())
}

/// One theater the caller runs; 403 for anyone else's.
#[utoipa::path(get, path = "/api/v1/admin/theaters/{id}", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = ManagedTheater), (status = 403, description = "forbidden"), (status = 404, description = "not_found")))]
pub async fn theater(
    State(accounts): State<Accounts>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ManagedTheater>, AccountError> {
    Ok(Json(accounts.managed_theater(&who, id).await?))
}

/// Puts one show on sale on a screen of a theater the caller runs: its seats are created with
/// the screen's layout and priced by category. 409 `show_overlap` names the show in the way
/// (the screen's cleaning time between shows included).
#[utoipa::path(post, path = "/api/v1/admin/shows", tag = "admin", security(("bearer" = [])),
    request_body = NewShow, responses((status = 201, body = ScheduledShow),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 409, description = "show_overlap, with conflicting_show {show_id, starts_at}"),
    (status = 422, description = "validation_failed: movie_id, screen_id, starts_at, language, format or prices")))]
pub async fn schedule_show(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiJson(show): ApiJson<NewShow>,
) -> Result<(StatusCode, Json<ScheduledShow>), DashboardError> {
    let scheduled = dashboard.schedule_show(who.into(), &show).await?;
    Ok((StatusCode::CREATED, Json(scheduled)))
}

/// Puts a weekly pattern of shows on sale (days, times in the theater's zone, first and last
/// date, at most 62 days): every date that can take its show gets it, in one transaction, and
/// the others are listed with why (`overlap` with the show in the way, or `in_the_past`).
#[utoipa::path(post, path = "/api/v1/admin/shows/recurring", tag = "admin", security(("bearer" = [])),
    request_body = Recurring, responses((status = 201, body = Scheduled),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 422, description = "validation_failed")))]
pub async fn schedule_recurring(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiJson(pattern): ApiJson<Recurring>,
) -> Result<(StatusCode, Json<Scheduled>), DashboardError> {
    let scheduled = dashboard.schedule_recurring(who.into(), &pattern).await?;
    Ok((StatusCode::CREATED, Json(scheduled)))
}

/// Calls a show off: it comes off sale, its holds end and live maps hear the seats are free,
/// and every paid booking is cancelled with a refund of all it paid through its gateway, once,
/// however many admins cancel at once. Calling it off again answers `cancelled_now: false`.
#[utoipa::path(delete, path = "/api/v1/admin/shows/{id}", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = CancelledShow),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found")))]
pub async fn cancel_show(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<ShowId>,
) -> Result<Json<CancelledShow>, DashboardError> {
    Ok(Json(dashboard.cancel_show(who.into(), id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ShowsQuery {
    theater_id: Uuid,
    /// A day at the theater (`YYYY-MM-DD`); today when omitted.
    date: Option<NaiveDate>,
}

/// A theater's shows of one day with how each sells (seats, sold, held), by start and screen.
#[utoipa::path(get, path = "/api/v1/admin/shows", tag = "admin", security(("bearer" = [])),
    params(ShowsQuery, Paging), responses((status = 200, description = "`{items, page, per_page, total}` of shows", body = Page<TheaterShow>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found: no such theater"),
    (status = 422, description = "validation_failed: page, per_page")))]
pub async fn shows(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(query): ApiQuery<ShowsQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    let listed = dashboard.theater_shows(who.into(), query.theater_id, query.date);
    Ok(Page::of(&listed.await?, paging).respond())
}

/// New prices for a show, by seat category, until its first seat is held or sold (409
/// `show_has_sales` after).
#[utoipa::path(patch, path = "/api/v1/admin/shows/{id}", tag = "admin", security(("bearer" = [])),
    request_body = Reprice, responses((status = 200, body = ShowPrices),
    (status = 403, description = "forbidden: not their theater"), (status = 404, description = "not_found"),
    (status = 409, description = "show_has_sales, show_cancelled"),
    (status = 422, description = "validation_failed: prices")))]
pub async fn reprice_show(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<ShowId>,
    ApiJson(reprice): ApiJson<Reprice>,
) -> Result<Json<ShowPrices>, DashboardError> {
    let repriced = dashboard.reprice_show(who.into(), id, &reprice.prices);
    Ok(Json(repriced.await?))
}

#[derive(Deserialize, IntoParams)]
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
pub async fn bookings(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(query): ApiQuery<BookingsQuery>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    let found = dashboard.find_bookings(who.into(), &query.q).await?;
    Ok(Page::of(&found, paging).respond())
}

#[derive(Deserialize, IntoParams)]
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

/// The page asked for, or a 422 naming the field at fault.
fn paged(paging: &Paging) -> Result<(u32, u32), DashboardError> {
    paging
        .resolve()
        .map_err(|(field, message)| DashboardError::field(field, message))
}
