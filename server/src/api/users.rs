//! `/api/v1/users`: the signed-in user's own profile, phone verification and bookings.

use super::{ApiJson, ApiQuery, ClientIp, Page, Paging};
use app::{
    account::{auth::Principal, service, AccountError, Profile, ProfileUpdate},
    state::AppState,
};
use axum::{
    extract::State,
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/profile", get(get_profile).put(put_profile))
        .route("/phone/send-code", post(send_phone_code))
        .route("/phone/verify", post(verify_phone))
        .route("/bookings", get(bookings))
}

#[utoipa::path(get, path = "/api/v1/users/profile", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 401, description = "unauthenticated")))]
pub async fn get_profile(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<Profile>, AccountError> {
    Ok(Json(
        service::profile(state.db.primary(), who.user_id).await?,
    ))
}

/// Changes name, phone or preferred city; a new email address is confirmed by a link first.
#[utoipa::path(put, path = "/api/v1/users/profile", tag = "users", security(("bearer" = [])),
    request_body = ProfileUpdate, responses((status = 200, body = Profile),
    (status = 409, description = "email_taken"), (status = 422, description = "validation_failed")))]
pub async fn put_profile(
    State(state): State<AppState>,
    who: Principal,
    ApiJson(update): ApiJson<ProfileUpdate>,
) -> Result<Json<Profile>, AccountError> {
    Ok(Json(
        service::update_profile(&state, who.user_id, &update).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/users/phone/send-code", tag = "users", security(("bearer" = [])),
    responses((status = 202, description = "A code is on its way"), (status = 429, description = "rate_limited")))]
pub async fn send_phone_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    who: Principal,
) -> Result<StatusCode, AccountError> {
    service::throttle_verify(&state, &ip, Some(who.user_id)).await?;
    service::send_phone_code(&state, who.user_id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    code: String,
}

#[utoipa::path(post, path = "/api/v1/users/phone/verify", tag = "users", security(("bearer" = [])),
    request_body = CodeRequest, responses((status = 200, body = Profile),
    (status = 400, description = "invalid_code"), (status = 429, description = "rate_limited")))]
pub async fn verify_phone(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    who: Principal,
    ApiJson(request): ApiJson<CodeRequest>,
) -> Result<Json<Profile>, AccountError> {
    service::throttle_verify(&state, &ip, Some(who.user_id)).await?;
    service::verify_phone_code(state.db.primary(), who.user_id, &request.code).await?;
    Ok(Json(
        service::profile(state.db.primary(), who.user_id).await?,
    ))
}

#[derive(Serialize, sqlx::FromRow, ToSchema)]
pub struct BookingSummary {
    id: Uuid,
    code: String,
    show_id: Uuid,
    status: String,
    seat_count: i32,
    total: i64,
    currency: String,
    created_at: DateTime<Utc>,
}

/// The signed-in user's bookings, newest first.
#[utoipa::path(get, path = "/api/v1/users/bookings", tag = "users", security(("bearer" = [])), params(Paging),
    responses((status = 200, description = "`{items, page, per_page, total}` of bookings")))]
pub async fn bookings(
    State(state): State<AppState>,
    who: Principal,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Page<BookingSummary>, AccountError> {
    let (page, per_page) = paging
        .resolve()
        .map_err(|(field, message)| AccountError::field(field, message))?;
    let db = state.db.primary();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings WHERE user_id = $1")
        .bind(who.user_id)
        .fetch_one(db)
        .await?;
    let items = sqlx::query_as(
        "SELECT id, code, show_id, status, seat_count, total_minor AS total, currency, created_at
           FROM bookings WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3",
    )
    .bind(who.user_id)
    .bind(i64::from(per_page))
    .bind(i64::from((page - 1) * per_page))
    .fetch_all(db)
    .await?;
    Ok(Page::new(items, (page, per_page), total))
}
