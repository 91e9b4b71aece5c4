//! `/api/v1/auth`: sign-up, sign-in and token lifecycle for REST clients.

use super::{ApiJson, ClientIp};
use crate::AppState;
use app::account::{AccountError, Accounts, Profile, SignupInput, TokenPair};
use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", post(signup))
        .route("/login", post(login))
        .route("/refresh-token", post(refresh_token))
        .route("/logout", post(logout))
        .route("/verify-email", post(verify_email))
        .route("/forgot-password", post(forgot_password))
        .route("/reset-password", post(reset_password))
}

#[derive(Serialize, ToSchema)]
pub struct SignedUp {
    user: Profile,
    #[serde(flatten)]
    tokens: TokenPair,
}

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    email: String,
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    refresh_token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    token: String,
}

#[derive(Deserialize, ToSchema)]
pub struct EmailRequest {
    email: String,
}

#[derive(Deserialize, ToSchema)]
pub struct ResetRequest {
    token: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Message {
    message: &'static str,
}

/// Creates an account, emails a verification link and signs the new user in.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupInput, responses(
    (status = 201, body = SignedUp), (status = 409, description = "email_taken"),
    (status = 422, description = "validation_failed, with `fields`"), (status = 429, description = "rate_limited")))]
pub async fn signup(
    State(accounts): State<Accounts>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<SignupInput>,
) -> Result<(StatusCode, Json<SignedUp>), AccountError> {
    accounts.throttle_signup(&ip).await?;
    let who = accounts.sign_up(&input).await?;
    let tokens = accounts.issue_tokens(&who).await?;
    let user = accounts.profile(who.user_id).await?;
    Ok((StatusCode::CREATED, Json(SignedUp { user, tokens })))
}

/// Signs in; a wrong password and an unknown email get the same answer.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = Credentials, responses(
    (status = 200, body = TokenPair), (status = 401, description = "invalid_credentials"),
    (status = 429, description = "rate_limited, with Retry-After")))]
pub async fn login(
    State(accounts): State<Accounts>,
    ClientIp(ip): ClientIp,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Json<TokenPair>, AccountError> {
    let who = accounts
        .sign_in(&ip, &credentials.email, &credentials.password)
        .await?;
    Ok(Json(accounts.issue_tokens(&who).await?))
}

/// Trades a refresh token for a new pair; each refresh token works once.
#[utoipa::path(post, path = "/api/v1/auth/refresh-token", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenPair), (status = 401, description = "invalid_refresh_token")))]
pub async fn refresh_token(
    State(accounts): State<Accounts>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<TokenPair>, AccountError> {
    Ok(Json(accounts.refresh(&request.refresh_token).await?))
}

/// Ends the sign-in the refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(accounts): State<Accounts>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<StatusCode, AccountError> {
    accounts.sign_out(&request.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirms an email address with the token from the verification link.
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = TokenRequest, responses(
    (status = 200, body = Message), (status = 400, description = "invalid_token")))]
pub async fn verify_email(
    State(accounts): State<Accounts>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<Message>, AccountError> {
    accounts.throttle_verify(&ip, None).await?;
    accounts.verify_email(&request.token).await?;
    Ok(Json(Message {
        message: "Your email address is verified.",
    }))
}

/// Emails a reset link if the address has an account; the answer is the same either way.
#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth", request_body = EmailRequest, responses(
    (status = 202, body = Message), (status = 429, description = "rate_limited")))]
pub async fn forgot_password(
    State(accounts): State<Accounts>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<EmailRequest>,
) -> Result<(StatusCode, Json<Message>), AccountError> {
    accounts.throttle_forgot(&ip, &request.email).await?;
    accounts.forgot_password(&request.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Message {
            message: FORGOT_ANSWER,
        }),
    ))
}

pub const FORGOT_ANSWER: &str =
    "If an account uses this address, a link to reset the password is on its way.";

/// Sets a new password with a reset token; every existing sign-in of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth", request_body = ResetRequest, responses(
    (status = 200, body = Message), (status = 400, description = "invalid_token"),
    (status = 422, description = "validation_failed")))]
pub async fn reset_password(
    State(accounts): State<Accounts>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ResetRequest>,
) -> Result<Json<Message>, AccountError> {
    accounts.throttle_verify(&ip, None).await?;
    accounts
        .reset_password(&request.token, &request.password)
        .await?;
    Ok(Json(Message {
        message: "Your password has been changed. Please sign in.",
    }))
}
