//! Everything that can stop a dashboard action, as the client should hear it.

use crate::error::FieldErrors;
use serde::{Deserialize, Serialize};

words! {
    /// Why a show cannot be changed that way now (409).
    pub enum DashboardConflict {
        /// Seats are held or sold: what they cost stays.
        ShowHasSales = "show_has_sales",
        ShowCancelled = "show_cancelled",
    }
}

/// A seat an edit would move or remove while a show to come has it held or sold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SeatInUse {
    pub seat_id: uuid::Uuid,
    pub label: String,
    pub show_id: uuid::Uuid,
    /// At the theater, as people read it.
    pub starts_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DashboardError {
    #[error("Some fields need attention.")]
    Invalid(FieldErrors),
    #[error("{message}")]
    Conflict {
        code: DashboardConflict,
        message: String,
    },
    /// The screen is busy then (cleaning time included): `show_id` is the show in the way.
    #[error("The screen already has a show then (starting {starts_at}).")]
    Overlap {
        show_id: uuid::Uuid,
        starts_at: String,
    },
    #[error("Seats held or sold for shows to come cannot move or go: {}.", in_use_list(.0))]
    SeatsInUse(Vec<SeatInUse>),
    #[error("Sign in with a theater admin's account to use the dashboard.")]
    Unauthenticated,
    #[error("You do not run this theater.")]
    Forbidden,
    /// The body is over the route's limit (a poster form).
    #[error("That is too big to send.")]
    TooLarge,
    #[error("Not found.")]
    NotFound,
    #[error("The dashboard is unavailable right now. Please try again.")]
    Unavailable,
    /// The browser could not reach the server function.
    #[error("Could not reach District. Check your connection and try again.")]
    Transport(String),
}

/// "A1 (Fri 5 Dec, 7:45 PM), A2 (...)".
fn in_use_list(seats: &[SeatInUse]) -> String {
    let named: Vec<String> = seats
        .iter()
        .map(|s| format!("{} ({})", s.label, s.starts_at))
        .collect();
    named.join(", ")
}

impl DashboardError {
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(crate::error::field(name, message))
    }

    pub fn conflict(code: DashboardConflict, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Invalid(_) => "validation_failed",
            Self::Overlap { .. } => "show_overlap",
            Self::SeatsInUse(_) => "seats_in_use",
            Self::Conflict { code, .. } => code.as_str(),
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::TooLarge => "payload_too_large",
            Self::NotFound => "not_found",
            Self::Unavailable | Self::Transport(_) => "unavailable",
        }
    }

    /// The message for one field of an `Invalid` answer.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid(fields) => fields.get(field).cloned(),
            _ => None,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for DashboardError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr;
        match value {
            // A form's value that is not of its kind (a number, a date, an id).
            ServerFnErrorErr::Args(detail) => Self::field(
                "form",
                &format!("A value of the form could not be read ({detail})."),
            ),
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::DashboardError;
    use axum::{http::StatusCode, response::IntoResponse};
    use serde_json::{json, Map, Value};

    impl From<sqlx::Error> for DashboardError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "dashboard query failed");
            Self::Unavailable
        }
    }

    impl From<crate::account::AccountError> for DashboardError {
        fn from(err: crate::account::AccountError) -> Self {
            use crate::account::AccountError as A;
            match err {
                A::Unauthenticated => Self::Unauthenticated,
                A::Forbidden => Self::Forbidden,
                A::NotFound => Self::NotFound,
                A::Invalid(fields) => Self::Invalid(fields),
                _ => Self::Unavailable,
            }
        }
    }

    impl crate::error::ErrorBody for DashboardError {
        fn status(&self) -> StatusCode {
            match self {
                Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Self::Overlap { .. } | Self::Conflict { .. } | Self::SeatsInUse(_) => {
                    StatusCode::CONFLICT
                }
                Self::Unauthenticated => StatusCode::UNAUTHORIZED,
                Self::Forbidden => StatusCode::FORBIDDEN,
                Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Self::NotFound => StatusCode::NOT_FOUND,
                Self::Unavailable | Self::Transport(_) => StatusCode::SERVICE_UNAVAILABLE,
            }
        }

        fn code(&self) -> &str {
            DashboardError::code(self)
        }

        fn details(&self) -> Map<String, Value> {
            match self {
                Self::Invalid(fields) => Map::from_iter([("fields".to_owned(), json!(fields))]),
                Self::Overlap { show_id, starts_at } => Map::from_iter([(
                    "conflicting_show".to_owned(),
                    json!({"show_id": show_id, "starts_at": starts_at}),
                )]),
                Self::SeatsInUse(seats) => {
                    Map::from_iter([("seats_in_use".to_owned(), json!(seats))])
                }
                _ => Map::new(),
            }
        }
    }

    impl IntoResponse for DashboardError {
        fn into_response(self) -> axum::response::Response {
            crate::error::respond(&self)
        }
    }
}
