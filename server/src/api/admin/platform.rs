//! `/api/v1/admin/cities`, `/theaters/{id}/admins` and `/reviews/{id}/hide`: what platform
//! admins alone manage (403 for anyone else).

use super::paged;
use crate::api::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    dashboard::{City, Dashboard, DashboardError, HiddenReview, NewCity, TheaterAdmin},
};
use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Every city, by name.
#[utoipa::path(get, path = "/api/v1/admin/cities", tag = "admin", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of cities", body = Page<City>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin")))]
pub async fn list_cities(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    Ok(Page::of(&dashboard.cities(who.into()).await?, paging).respond())
}

/// Adds a city (its slug from its name).
#[utoipa::path(post, path = "/api/v1/admin/cities", tag = "admin", security(("bearer" = [])),
    request_body = NewCity, responses((status = 201, body = City),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 422, description = "validation_failed: name, state, latitude, longitude, time_zone")))]
pub async fn add_city(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiJson(city): ApiJson<NewCity>,
) -> Result<(StatusCode, Json<City>), DashboardError> {
    Ok((
        StatusCode::CREATED,
        Json(dashboard.add_city(who.into(), &city).await?),
    ))
}

/// Who runs a theater.
#[utoipa::path(get, path = "/api/v1/admin/theaters/{id}/admins", tag = "admin", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of admins", body = Page<TheaterAdmin>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 404, description = "not_found")))]
pub async fn list_admins(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    Ok(Page::of(&dashboard.theater_admins(who.into(), id).await?, paging).respond())
}

#[derive(Deserialize, ToSchema)]
pub struct Assignment {
    /// The account of the person who is to run the theater.
    email: String,
}

/// Lets someone run a theater: a customer becomes a theater admin.
#[utoipa::path(post, path = "/api/v1/admin/theaters/{id}/admins", tag = "admin", security(("bearer" = [])),
    request_body = Assignment, responses((status = 201, body = TheaterAdmin),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 404, description = "not_found"), (status = 422, description = "validation_failed: email")))]
pub async fn assign_admin(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(assignment): ApiJson<Assignment>,
) -> Result<(StatusCode, Json<TheaterAdmin>), DashboardError> {
    let admin = dashboard.assign_admin(who.into(), id, &assignment.email);
    Ok((StatusCode::CREATED, Json(admin.await?)))
}

/// Stops someone running a theater; running none, they are a customer again.
#[utoipa::path(delete, path = "/api/v1/admin/theaters/{id}/admins/{user_id}", tag = "admin", security(("bearer" = [])),
    responses((status = 204, description = "removed"),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 404, description = "not_found: no such theater or admin of it")))]
pub async fn remove_admin(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath((id, user)): ApiPath<(Uuid, Uuid)>,
) -> Result<StatusCode, DashboardError> {
    dashboard.remove_admin(who.into(), id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Hiding {
    /// What its author reads: 1 to 500 characters.
    reason: String,
}

/// Hides a review from the movie's pages and rating; its author still sees it, with the reason.
#[utoipa::path(post, path = "/api/v1/admin/reviews/{id}/hide", tag = "admin", security(("bearer" = [])),
    request_body = Hiding, responses((status = 200, body = HiddenReview),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 404, description = "not_found"), (status = 422, description = "validation_failed: reason")))]
pub async fn hide_review(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(hiding): ApiJson<Hiding>,
) -> Result<Json<HiddenReview>, DashboardError> {
    Ok(Json(
        dashboard
            .hide_review(who.into(), id, &hiding.reason)
            .await?,
    ))
}
