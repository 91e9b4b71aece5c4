//! `/api/v1/users`: the signed-in user's own profile, phone verification and bookings.

use super::{ApiJson, ApiPath, ApiQuery, ClientIp, Page, Paging};
use crate::AppState;
use app::{
    account::{auth::Principal, AccountError, Accounts, Device, Profile, ProfileUpdate},
    booking::{Booking, BookingError, Bookings, Scope},
};
use axum::{
    extract::State,
    http::StatusCode,
    response::Response,
    routing::{delete, get, post},
    Json, Router,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/profile", get(get_profile).put(put_profile))
        .route("/profile/email-change", delete(cancel_email_change))
        .route("/phone/send-code", post(send_phone_code))
        .route("/phone/verify", post(verify_phone))
        .route("/devices", post(register_device))
        .route("/devices/{token}", delete(forget_device))
        .route("/bookings", get(bookings))
}

#[utoipa::path(get, path = "/api/v1/users/profile", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Profile), (status = 401, description = "unauthenticated")))]
pub async fn get_profile(
    State(accounts): State<Accounts>,
    who: Principal,
) -> Result<Json<Profile>, AccountError> {
    Ok(Json(accounts.profile(who.user_id).await?))
}

/// Changes name, phone or preferred city. A new email address needs `current_password`, is
/// confirmed by a link sent to it first, and is announced to the old address.
#[utoipa::path(put, path = "/api/v1/users/profile", tag = "users", security(("bearer" = [])),
    request_body = ProfileUpdate, responses((status = 200, body = Profile),
    (status = 409, description = "email_taken"), (status = 422, description = "validation_failed"),
    (status = 429, description = "rate_limited")))]
pub async fn put_profile(
    State(accounts): State<Accounts>,
    who: Principal,
    ApiJson(update): ApiJson<ProfileUpdate>,
) -> Result<Json<Profile>, AccountError> {
    Ok(Json(accounts.update_profile(who.user_id, &update).await?))
}

/// Calls off an email change waiting for its link.
#[utoipa::path(delete, path = "/api/v1/users/profile/email-change", tag = "users",
    security(("bearer" = [])), responses((status = 200, body = Profile),
    (status = 401, description = "unauthenticated")))]
pub async fn cancel_email_change(
    State(accounts): State<Accounts>,
    who: Principal,
) -> Result<Json<Profile>, AccountError> {
    Ok(Json(accounts.cancel_email_change(who.user_id).await?))
}

#[utoipa::path(post, path = "/api/v1/users/phone/send-code", tag = "users", security(("bearer" = [])),
    responses((status = 202, description = "A code is on its way"),
    (status = 403, description = "email_not_verified"),
    (status = 422, description = "validation_failed: no phone, or a country codes are not texted to"),
    (status = 429, description = "rate_limited")))]
pub async fn send_phone_code(
    State(accounts): State<Accounts>,
    ClientIp(ip): ClientIp,
    who: Principal,
) -> Result<StatusCode, AccountError> {
    accounts.throttle_verify(&ip, Some(who.user_id)).await?;
    accounts.send_phone_code(&ip, who.user_id).await?;
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
    State(accounts): State<Accounts>,
    ClientIp(ip): ClientIp,
    who: Principal,
    ApiJson(request): ApiJson<CodeRequest>,
) -> Result<Json<Profile>, AccountError> {
    accounts.throttle_verify(&ip, Some(who.user_id)).await?;
    accounts
        .verify_phone_code(who.user_id, &request.code)
        .await?;
    Ok(Json(accounts.profile(who.user_id).await?))
}

/// Registers a device for push notifications (again on every sign-in of the app; a token
/// registered by another user moves to this one).
#[utoipa::path(post, path = "/api/v1/users/devices", tag = "users", security(("bearer" = [])),
    request_body = Device, responses((status = 204, description = "Registered"),
    (status = 422, description = "validation_failed")))]
pub async fn register_device(
    State(accounts): State<Accounts>,
    who: Principal,
    ApiJson(device): ApiJson<Device>,
) -> Result<StatusCode, AccountError> {
    accounts.register_device(who.user_id, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops push notifications to a device (the app signs out).
#[utoipa::path(delete, path = "/api/v1/users/devices/{token}", tag = "users",
    security(("bearer" = [])), params(("token" = String, Path, description = "The device's push token")),
    responses((status = 204, description = "Forgotten, or was never this user's")))]
pub async fn forget_device(
    State(accounts): State<Accounts>,
    who: Principal,
    ApiPath(token): ApiPath<String>,
) -> Result<StatusCode, AccountError> {
    accounts.forget_device(who.user_id, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsQuery {
    /// upcoming, past or cancelled; every booking, newest first, when omitted.
    scope: Option<Scope>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// The signed-in user's bookings: upcoming (soonest first), past, cancelled, or all of them.
#[utoipa::path(get, path = "/api/v1/users/bookings", tag = "users", security(("bearer" = [])), params(BookingsQuery),
    responses((status = 200, description = "`{items, page, per_page, total}` of bookings", body = Page<Booking>),
        (status = 422, description = "validation_failed")))]
pub async fn bookings(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiQuery(query): ApiQuery<BookingsQuery>,
) -> Result<Response, BookingError> {
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let paging = paging
        .resolve()
        .map_err(|(field, message)| BookingError::field(field, message))?;
    let (items, total) = bookings.list(who.user_id, query.scope, paging).await?;
    Ok(Page::<Booking>::new(&items, paging, total).respond())
}
