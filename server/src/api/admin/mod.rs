//! `/api/v1/admin`: what theater admins and platform admins manage.

use super::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use crate::AppState;
use app::{
    account::{auth::Principal, AccountError, Accounts, ManagedTheater},
    dashboard::{Dashboard, DashboardError, TheaterDetails},
};
use axum::{
    extract::{DefaultBodyLimit, State},
    response::{IntoResponse, Response},
    routing::{delete, get, patch, post, put},
    Json, Router,
};
use uuid::Uuid;

mod bookings;
mod events;
mod menu;
mod movies;
mod offers;
mod platform;
mod reports;
mod screens;
mod shows;

pub use {
    bookings::*, events::*, menu::*, movies::*, offers::*, platform::*, reports::*, screens::*,
    shows::*,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/theaters", get(theaters))
        .route("/theaters/{id}", get(theater).put(edit_theater))
        .route("/theaters/{id}/screens", get(list_screens).post(add_screen))
        .route("/screens/{id}", patch(edit_screen))
        .route("/screens/{id}/layout", get(screen_layout).put(edit_layout))
        .route("/shows", post(schedule_show).get(list_shows))
        .route("/shows/recurring", post(schedule_recurring))
        .route("/shows/{id}", delete(cancel_show).patch(change_show))
        .route("/bookings", get(find_bookings))
        .route("/bookings/{id}", delete(cancel_booking))
        .route("/audit", get(audit))
        .route("/cities", get(list_cities).post(add_city))
        .route("/movies", post(add_movie).layer(poster_form_limit()))
        .route("/movies/{id}", put(edit_movie).layer(poster_form_limit()))
        .route("/theaters/{id}/admins", get(list_admins).post(assign_admin))
        .route("/theaters/{id}/admins/{user_id}", delete(remove_admin))
        .route("/reviews/{id}/hide", post(hide_review))
        .route("/outbox/dead-letters", get(dead_letters))
        .route("/outbox/dead-letters/{id}/retry", post(retry_dead_letter))
        .route("/offers", post(create_offer).get(list_offers))
        .route("/offers/{id}", get(offer_report).patch(change_offer))
        .route("/theaters/{id}/menu", get(theater_menu).post(add_menu_item))
        .route("/menu/{id}", patch(change_menu_item))
        .route("/shows/{id}/stock/{item_id}", put(set_show_stock))
        .route("/shows/{id}/pickups", get(pickups))
        .route("/shows/{id}/waitlist", get(show_waitlist))
        .route("/shows/{id}/pickups/{booking_id}", post(pick_up))
        .route("/reports/sales", get(sales_report))
        .route("/reports/charts/{chart}", get(report_chart))
}

/// A poster and the form around it; more is refused before it is read (413).
pub fn poster_form_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(crate::limits::POSTER_BODY)
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

/// Replaces the details of a theater the caller runs (what its page tells moviegoers),
/// answered as `GET` answers.
#[utoipa::path(put, path = "/api/v1/admin/theaters/{id}", tag = "admin", security(("bearer" = [])),
    request_body = TheaterDetails, responses((status = 200, body = ManagedTheater),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found"),
    (status = 422, description = "validation_failed: name, address, latitude, longitude, amenities")))]
pub async fn edit_theater(
    State(dashboard): State<Dashboard>,
    State(accounts): State<Accounts>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(details): ApiJson<TheaterDetails>,
) -> Result<Response, DashboardError> {
    dashboard.edit_theater(who.into(), id, &details).await?;
    Ok(match accounts.managed_theater(&who, id).await {
        Ok(theater) => Json(theater).into_response(),
        Err(err) => err.into_response(),
    })
}

/// The page asked for, or a 422 naming the field at fault.
pub(super) fn paged(paging: &Paging) -> Result<(u32, u32), DashboardError> {
    paging
        .resolve()
        .map_err(|(field, message)| DashboardError::field(field, message))
}
