//! Moviegoers' and staff accounts: sign-up, sign-in, tokens, verification, password reset,
//! profiles, and who runs which theater.
//!
//! One service (`Accounts`, server only) serves the web UI's server functions and the REST
//! API; each flow has a file of its own.

pub mod functions;
mod validate;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
mod devices;
#[cfg(feature = "ssr")]
mod mail;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
mod profile;
#[cfg(feature = "ssr")]
mod refresh;
#[cfg(feature = "ssr")]
mod reset;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod signin;
mod staff;
#[cfg(feature = "ssr")]
mod throttle;
#[cfg(feature = "ssr")]
pub mod tokens;
#[cfg(feature = "ssr")]
mod verification;

use crate::i18n::Text;
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::error::FieldErrors;
#[cfg(feature = "ssr")]
pub use devices::{Device, Platform};
pub use staff::ManagedTheater;
pub use validate::{normalize_email, validate_new_password, SignupInput};
#[cfg(feature = "ssr")]
pub use {
    password::HashLimits,
    service::{AccountSettings, Accounts},
    signin::{SignedIn, TokenPair},
    staff::runs_theater,
    throttle::RateLimits,
};

words! {
    pub enum Role {
        Customer = "customer",
        TheaterAdmin = "theater_admin",
        Admin = "admin",
    }
}

/// What a user may see of their own account; never the password hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Profile {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub email_verified: bool,
    pub phone_verified: bool,
    /// A new address waiting for its verification link, when the user changed theirs.
    pub pending_email: Option<String>,
    pub preferred_city_id: Option<Uuid>,
    /// How the user hears about their bookings.
    pub notify: Channels,
    pub created_at: DateTime<Utc>,
}

/// The ways a user hears about their bookings: email, SMS to their verified phone, push to
/// their registered devices. Account mail (verification, reset) always goes by email.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Channels {
    pub email: bool,
    pub sms: bool,
    pub push: bool,
}

/// Changes to a profile; absent fields stay as they are, an empty phone removes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProfileUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_city_id: Option<Uuid>,
    /// SMS needs a phone number on the profile.
    #[serde(default)]
    pub notify: Option<Channels>,
    /// Needed to change the email address.
    #[serde(default)]
    pub current_password: Option<String>,
}

/// Everything that can go wrong with an account, as the client should hear it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountError {
    Invalid(FieldErrors),
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    InvalidRefreshToken,
    InvalidCode,
    Unauthenticated,
    Forbidden,
    EmailNotVerified,
    RateLimited(u64),
    /// Too many passwords being checked at once on this server.
    Busy(u64),
    NotFound,
    Internal,
    Transport(String),
}

explained!(AccountError);

impl crate::i18n::Explained for AccountError {
    fn text(&self) -> Text {
        let id = match self {
            Self::Invalid(_) => "err-fields",
            Self::EmailTaken => "err-email-taken",
            Self::InvalidCredentials => "err-credentials",
            Self::InvalidToken => "err-link",
            Self::InvalidRefreshToken => "err-session-expired",
            Self::InvalidCode => "err-code",
            Self::Unauthenticated => "err-sign-in",
            Self::Forbidden => "err-forbidden",
            Self::EmailNotVerified => "err-verify-email",
            Self::RateLimited(seconds) => {
                return Text::new("err-attempts").arg("seconds", *seconds)
            }
            Self::Busy(seconds) => return Text::new("err-busy").arg("seconds", *seconds),
            Self::NotFound => "err-not-found",
            Self::Internal => "err-internal",
            Self::Transport(_) => "err-transport",
        };
        Text::new(id)
    }
}

impl AccountError {
    /// A single-field validation error.
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(crate::error::field(name, Text::new(message)))
    }

    /// The message for one field, for forms that show errors next to their inputs.
    pub fn field_message(&self, name: &str) -> Option<Text> {
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
            Self::Busy(_) => "busy",
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
mod ssr {
    use super::AccountError;
    use axum::{http::StatusCode, response::IntoResponse};
    use serde_json::{Map, Value};

    impl From<sqlx::Error> for AccountError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "account query failed");
            Self::Internal
        }
    }

    impl crate::error::ErrorBody for AccountError {
        fn status(&self) -> StatusCode {
            match self {
                Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Self::EmailTaken => StatusCode::CONFLICT,
                Self::InvalidCredentials | Self::InvalidRefreshToken | Self::Unauthenticated => {
                    StatusCode::UNAUTHORIZED
                }
                Self::InvalidToken | Self::InvalidCode => StatusCode::BAD_REQUEST,
                Self::Forbidden | Self::EmailNotVerified => StatusCode::FORBIDDEN,
                Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
                Self::NotFound => StatusCode::NOT_FOUND,
                Self::Internal | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }

        fn code(&self) -> &str {
            AccountError::code(self)
        }

        fn details(&self) -> Map<String, Value> {
            match self {
                Self::Invalid(fields) => {
                    Map::from_iter([("fields".to_owned(), crate::error::fields(fields))])
                }
                _ => Map::new(),
            }
        }

        fn retry_after(&self) -> Option<u64> {
            match self {
                Self::RateLimited(seconds) | Self::Busy(seconds) => Some(*seconds),
                _ => None,
            }
        }
    }

    impl IntoResponse for AccountError {
        fn into_response(self) -> axum::response::Response {
            crate::error::respond(&self)
        }
    }
}
