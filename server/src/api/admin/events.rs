//! `/api/v1/admin/outbox/dead-letters`: events the outbox relay gave up on, for platform
//! admins to see and send again (403 for anyone else).

use super::paged;
use crate::api::{ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    dashboard::{Dashboard, DashboardError, DeadLetter},
};
use axum::{extract::State, http::StatusCode, response::Response};

/// The newest dead letters (at most 100), newest first.
#[utoipa::path(get, path = "/api/v1/admin/outbox/dead-letters", tag = "admin", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of dead letters", body = Page<DeadLetter>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin")))]
pub async fn dead_letters(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    Ok(Page::of(&dashboard.dead_letters(who.into()).await?, paging).respond())
}

/// Puts a dead letter back in line, with a fresh set of attempts; consumers that already took
/// it are skipped.
#[utoipa::path(post, path = "/api/v1/admin/outbox/dead-letters/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The event's id")),
    responses((status = 204, description = "queued again"),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not a platform admin"),
    (status = 404, description = "not_found: no such dead letter")))]
pub async fn retry_dead_letter(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, DashboardError> {
    dashboard.retry_event(who.into(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
