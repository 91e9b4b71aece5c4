//! `/api/v1/admin/theaters/{id}/screens` and `/screens/{id}/layout`: a theater's screens and
//! their seat layouts (the JSON shape of `ScreenLayout`, documented in README.md).

use super::paged;
use crate::api::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    dashboard::{
        layout::{NewScreen, ScreenLayout, ScreenSummary},
        Dashboard, DashboardError, ScreenSettings,
    },
};
use axum::{extract::State, http::StatusCode, response::Response, Json};
use uuid::Uuid;

/// The screens of a theater the caller runs, by name.
#[utoipa::path(get, path = "/api/v1/admin/theaters/{id}/screens", tag = "admin", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of screens", body = Page<ScreenSummary>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found: no such theater")))]
pub async fn list_screens(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    Ok(Page::of(&dashboard.screens(who.into(), id).await?, paging).respond())
}

/// Adds a screen with its layout to a theater the caller runs.
#[utoipa::path(post, path = "/api/v1/admin/theaters/{id}/screens", tag = "admin", security(("bearer" = [])),
    request_body = NewScreen, responses((status = 201, body = ScreenSummary),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found: no such theater"),
    (status = 422, description = "validation_failed, per field: name, cleaning_minutes, formats, layout.seats[i].grid_col, ...")))]
pub async fn add_screen(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(screen): ApiJson<NewScreen>,
) -> Result<(StatusCode, Json<ScreenSummary>), DashboardError> {
    let added = dashboard.add_screen(who.into(), id, &screen).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// A screen's layout with its seat ids: what `PUT` takes back.
#[utoipa::path(get, path = "/api/v1/admin/screens/{id}/layout", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = ScreenLayout), (status = 401, description = "unauthenticated"),
    (status = 403, description = "forbidden: not their theater"), (status = 404, description = "not_found")))]
pub async fn screen_layout(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ScreenLayout>, DashboardError> {
    Ok(Json(dashboard.screen_layout(who.into(), id).await?))
}

/// Replaces a screen's layout. Seats keep their ids (matched by `id`, else by row and number);
/// seats left out are retired; new seats join every show to come. 409 `seats_in_use` lists
/// the seats held or sold for shows to come that the edit would move, recategorise or remove.
#[utoipa::path(put, path = "/api/v1/admin/screens/{id}/layout", tag = "admin", security(("bearer" = [])),
    request_body = ScreenLayout, responses((status = 200, body = ScreenLayout),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found"),
    (status = 409, description = "seats_in_use, with seats_in_use [{seat_id, label, show_id, starts_at}]"),
    (status = 422, description = "validation_failed, per field: rows, columns, categories[i].name, seats[i].grid_col, new_prices.<category>, ...")))]
pub async fn edit_layout(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(layout): ApiJson<ScreenLayout>,
) -> Result<Json<ScreenLayout>, DashboardError> {
    Ok(Json(dashboard.edit_layout(who.into(), id, &layout).await?))
}

/// Changes a screen's name, cleaning time between shows (0 to 120 minutes; shows already
/// scheduled stay) or formats; each left out stays.
#[utoipa::path(patch, path = "/api/v1/admin/screens/{id}", tag = "admin", security(("bearer" = [])),
    request_body = ScreenSettings, responses((status = 200, body = ScreenSummary),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found"),
    (status = 422, description = "validation_failed: name, cleaning_minutes, formats")))]
pub async fn edit_screen(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(settings): ApiJson<ScreenSettings>,
) -> Result<Json<ScreenSummary>, DashboardError> {
    Ok(Json(
        dashboard.edit_screen(who.into(), id, &settings).await?,
    ))
}
