//! `/api/v1/admin`: what theater admins and platform admins manage.

use super::{ApiPath, ApiQuery, Page, Paging};
use crate::AppState;
use app::account::{auth::Principal, AccountError, Accounts, ManagedTheater};
use axum::{extract::State, response::Response, routing::get, Json, Router};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/theaters", get(theaters))
        .route("/theaters/{id}", get(theater))
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
