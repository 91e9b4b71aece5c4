//! Moviegoers' and staff accounts: sign-up, sign-in, verification, password reset, profiles.
//!
//! One service (`service`, server only) serves the web UI's server functions and the REST API.

pub mod functions;
mod validate;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod tokens;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub use validate::{normalize_email, validate_new_password, SignupInput};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    TheaterAdmin,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::TheaterAdmin => "theater_admin",
            Self::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "customer" => Some(Self::Customer),
            "theater_admin" => Some(Self::TheaterAdmin),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// What a user may see of their own account; never the password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Profile {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub email_verified: bool,
    pub phone_verified: bool,
    /// A new address waiting for its verification link, when the user changed theirs.
    pub pending_email: Option<String>,
    pub preferred_city_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// Changes to a profile; absent fields stay as they are, an empty phone removes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProfileUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_city_id: Option<Uuid>,
}

/// Field name to a message a person can act on.
pub type FieldErrors = BTreeMap<String, String>;

/// Everything that can go wrong with an account, as the client should hear it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AccountError {
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error("An account with this email already exists.")]
    EmailTaken,
    #[error("Email or password is incorrect.")]
    InvalidCredentials,
    #[error("This link is invalid or has expired.")]
    InvalidToken,
    #[error("Your session has expired. Please sign in again.")]
    InvalidRefreshToken,
    #[error("The code is wrong or has expired.")]
    InvalidCode,
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You do not have access to this.")]
    Forbidden,
    #[error("Please verify your email address first.")]
    EmailNotVerified,
    #[error("Too many attempts. Try again in {0} seconds.")]
    RateLimited(u64),
    #[error("Not found.")]
    NotFound,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("{0}")]
    Transport(String),
}

impl AccountError {
    /// A single-field validation error.
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(BTreeMap::from([(name.to_owned(), message.to_owned())]))
    }

    /// The message for one field, for forms that show errors next to their inputs.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            Self::Invalid(fields) => fields.get(name).cloned(),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "validation_failed",
            Self::EmailTaken => "email_taken",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidToken => "invalid_token",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::InvalidCode => "invalid_code",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::EmailNotVerified => "email_not_verified",
            Self::RateLimited(_) => "rate_limited",
            Self::NotFound => "not_found",
            Self::Internal | Self::Transport(_) => "internal",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AccountError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AccountError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "account query failed");
        Self::Internal
    }
}

#[cfg(feature = "ssr")]
impl crate::error::HttpStatus for AccountError {
    fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::EmailTaken => StatusCode::CONFLICT,
            Self::InvalidCredentials | Self::InvalidRefreshToken | Self::Unauthenticated => {
                StatusCode::UNAUTHORIZED
            }
            Self::InvalidToken | Self::InvalidCode => StatusCode::BAD_REQUEST,
            Self::Forbidden | Self::EmailNotVerified => StatusCode::FORBIDDEN,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Internal | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AccountError {
    fn into_response(self) -> axum::response::Response {
        use crate::error::HttpStatus;
        use serde_json::{json, Map};
        let status = self.status();
        let mut details = Map::new();
        if let Self::Invalid(fields) = &self {
            details.insert("fields".into(), json!(fields));
        }
        let retry_after = match self {
            Self::RateLimited(seconds) => Some(seconds),
            _ => None,
        };
        crate::error::error_response(status, self.code(), &self.to_string(), details, retry_after)
    }
}
