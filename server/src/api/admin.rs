//! `/api/v1/admin`: what theater admins and platform admins manage.

use super::ApiPath;
use app::{
    account::{auth::Principal, AccountError, Role},
    state::AppState,
};
use axum::{extract::State, routing::get, Json, Router};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/theaters", get(theaters))
        .route("/theaters/{id}", get(theater))
}

#[derive(Serialize, sqlx::FromRow, ToSchema)]
pub struct ManagedTheater {
    id: Uuid,
    name: String,
    city: String,
    address: String,
    screens: i64,
}

const THEATERS: &str = "SELECT t.id, t.name, c.name AS city, t.address,
        (SELECT count(*) FROM screens s WHERE s.theater_id = t.id) AS screens
   FROM theaters t JOIN cities c ON c.id = t.city_id";

/// The theaters the caller runs: all of them for a platform admin.
#[utoipa::path(get, path = "/api/v1/admin/theaters", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = [ManagedTheater]), (status = 401, description = "unauthenticated"),
    (status = 403, description = "forbidden: not a theater admin")))]
pub async fn theaters(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<Vec<ManagedTheater>>, AccountError> {
    who.require(&[Role::TheaterAdmin, Role::Admin])?;
    let sql = format!(
        "{THEATERS} WHERE $2 OR t.id IN (SELECT theater_id FROM theater_admins WHERE user_id = $1)
          ORDER BY c.name, t.name"
    );
    let theaters = sqlx::query_as(&sql)
        .bind(who.user_id)
        .bind(who.role == Role::Admin)
        .fetch_all(state.db.primary())
        .await?;
    Ok(Json(theaters))
}

/// One theater the caller runs; 403 for anyone else's.
#[utoipa::path(get, path = "/api/v1/admin/theaters/{id}", tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = ManagedTheater), (status = 403, description = "forbidden"), (status = 404, description = "not_found")))]
pub async fn theater(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ManagedTheater>, AccountError> {
    who.require(&[Role::TheaterAdmin, Role::Admin])?;
    who.require_theater(state.db.primary(), id).await?;
    let theater = sqlx::query_as(&format!("{THEATERS} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(state.db.primary())
        .await?
        .ok_or(AccountError::NotFound)?;
    Ok(Json(theater))
}
