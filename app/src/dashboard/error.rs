//! Everything that can stop a dashboard action, as the client should hear it.

use crate::{error::FieldErrors, i18n::Text};
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
    /// At the theater, written the same in every language (`2026-12-05 19:45`).
    pub starts_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DashboardError {
    Invalid(FieldErrors),
    Conflict {
        code: DashboardConflict,
        message: Text,
    },
    /// The screen is busy then (cleaning time included): `show_id` is the show in the way.
    Overlap {
        show_id: uuid::Uuid,
        starts_at: String,
    },
    SeatsInUse(Vec<SeatInUse>),
    Unauthenticated,
    Forbidden,
    /// The body is over the route's limit (a poster form).
    TooLarge,
    NotFound,
    Unavailable,
    /// The browser could not reach the server function.
    Transport(String),
}

explained!(DashboardError);

impl crate::i18n::Explained for DashboardError {
    fn text(&self) -> Text {
        let id = match self {
            Self::Invalid(_) => "err-fields",
            Self::Conflict { message, .. } => return message.clone(),
            Self::Overlap { starts_at, .. } => {
                return Text::new("err-show-overlap").arg("starts", starts_at.as_str())
            }
            Self::SeatsInUse(seats) => {
                return Text::new("err-seats-in-use").arg("seats", in_use_list(seats))
            }
            Self::Unauthenticated => "err-dashboard-sign-in",
            Self::Forbidden => "err-not-your-theater",
            Self::TooLarge => "err-too-large",
            Self::NotFound => "err-not-found",
            Self::Unavailable => "err-dashboard-unavailable",
            Self::Transport(_) => "err-transport",
        };
        Text::new(id)
    }
}

/// "A1 (2026-12-05 19:45), A2 (...)".
fn in_use_list(seats: &[SeatInUse]) -> String {
    let named: Vec<String> = seats
        .iter()
        .map(|s| format!("{} ({})", s.label, s.starts_at))
        .collect();
    named.join(", ")
}

impl DashboardError {
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(crate::error::field(name, Text::new(message)))
    }

    /// A field's error with arguments.
    pub fn field_with(name: &str, message: Text) -> Self {
        Self::Invalid(crate::error::field(name, message))
    }

    pub fn conflict(code: DashboardConflict, message: Text) -> Self {
        Self::Conflict { code, message }
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
    pub fn field_message(&self, field: &str) -> Option<Text> {
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
            ServerFnErrorErr::Args(detail) => Self::Invalid(crate::error::field(
                "form",
                Text::new("err-form-value").arg("detail", detail),
            )),
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
                Self::Invalid(fields) => {
                    Map::from_iter([("fields".to_owned(), crate::error::fields(fields))])
                }
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
