//! `/api/v1/admin/shows`: putting shows on sale, listing a theater's day, changing and calling
//! them off.

use super::paged;
use crate::api::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    booking::LinePlace,
    dashboard::{
        CancelledShow, Dashboard, DashboardError, NewShow, Recurring, Scheduled, ScheduledShow,
        ShowChange, ShowSettings, TheaterShow,
    },
    ids::ShowId,
};
use axum::{extract::State, http::StatusCode, response::Response, Json};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

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
#[into_params(parameter_in = Query)]
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
pub async fn list_shows(
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
/// `show_has_sales` after); `sales_open: false` stops its sales (no new holds, 422
/// `sales_paused`), `true` resumes them.
#[utoipa::path(patch, path = "/api/v1/admin/shows/{id}", tag = "admin", security(("bearer" = [])),
    request_body = ShowChange, responses((status = 200, body = ShowSettings),
    (status = 403, description = "forbidden: not their theater"), (status = 404, description = "not_found"),
    (status = 409, description = "show_has_sales, show_cancelled"),
    (status = 422, description = "validation_failed: prices")))]
pub async fn change_show(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<ShowId>,
    ApiJson(change): ApiJson<ShowChange>,
) -> Result<Json<ShowSettings>, DashboardError> {
    Ok(Json(dashboard.change_show(who.into(), id, &change).await?))
}

/// The show's waiting list: every place in the order people joined, with its status
/// (`waiting` with its `position`, `offered`, `booked`, `lapsed`, `left`) and who holds it, in
/// the list envelope.
#[utoipa::path(get, path = "/api/v1/admin/shows/{id}/waitlist", tag = "admin", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of places", body = Page<LinePlace>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found")))]
pub async fn show_waitlist(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(show): ApiPath<ShowId>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    Ok(Page::of(&dashboard.show_waitlist(who.into(), show).await?, paging).respond())
}
