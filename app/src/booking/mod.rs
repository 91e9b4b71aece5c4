//! Holding, confirming and cancelling seats: where the booking invariant lives.
//!
//! A seat of a show is available, held by one live hold until its deadline, or booked by one
//! confirmed booking. PostgreSQL decides every transition with a conditional write in one
//! transaction (`engine`); Redis only turns away requests that would lose anyway (`lock`), and
//! every change is announced to open seat maps (`live`).

pub mod functions;

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod lock;
#[cfg(feature = "ssr")]
pub mod rules;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Most seats one booking may take.
pub const MAX_SEATS: usize = 10;

/// A booking as its owner, the theater and REST clients see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Booking {
    pub booking_id: Uuid,
    /// Short code printed on the ticket and read out at the counter.
    pub code: String,
    /// held, confirmed, cancelled or expired.
    pub status: String,
    pub hold_expires_at: DateTime<Utc>,
    pub show: BookingShow,
    pub seats: Vec<BookedSeat>,
    pub amount: Amount,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// What the cancellation policy gives back, in minor units.
    pub refund_due: i64,
    pub created_at: DateTime<Utc>,
}

impl Booking {
    pub fn is_held(&self) -> bool {
        self.status == "held"
    }

    /// "F11, F12, F13": the seats as a ticket prints them.
    pub fn seat_labels(&self) -> String {
        self.seats
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The show a booking is for, with its time in the theater's zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct BookingShow {
    pub show_id: Uuid,
    pub movie_title: String,
    pub movie_slug: String,
    pub theater_name: String,
    pub screen_name: String,
    pub format: String,
    pub language: String,
    pub starts_at: DateTime<Utc>,
    /// "Fri 28 Nov, 7:45 PM" at the theater.
    pub local_time: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::FromRow))]
pub struct BookedSeat {
    pub seat_id: Uuid,
    pub label: String,
    pub category: String,
    /// What this seat sold for, in minor units.
    pub price: i64,
}

/// What a booking costs, in minor units of `currency`, line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Amount {
    pub subtotal: i64,
    pub convenience_fee: i64,
    pub tax: i64,
    pub total: i64,
    pub currency: String,
}

/// Some seats of one show changed to `status` (available, held or booked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeatChange {
    pub show_id: Uuid,
    pub status: String,
    pub seat_ids: Vec<Uuid>,
}

impl SeatChange {
    pub fn new(show_id: Uuid, status: &str, seat_ids: Vec<Uuid>) -> Self {
        Self {
            show_id,
            status: status.to_owned(),
            seat_ids,
        }
    }
}

/// Every seat of a show that is not available, for a stream's first event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeatSnapshot {
    pub show_id: Uuid,
    pub held: Vec<Uuid>,
    pub booked: Vec<Uuid>,
}

/// Everything that can stop a booking, as the client should hear it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum BookingError {
    #[error("Some fields need attention.")]
    Invalid(BTreeMap<String, String>),
    /// A seat rule (a single-seat gap, a wheelchair space, sales closed), naming the seats.
    #[error("{message}")]
    Rule {
        code: String,
        message: String,
        seat_ids: Vec<Uuid>,
    },
    #[error("Some of these seats have just been taken. Please pick others.")]
    SeatsUnavailable(Vec<Uuid>),
    /// The booking is not in a state that allows this (cancelled, unpaid, too late...).
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("Please verify your email address before booking.")]
    EmailNotVerified,
    #[error("Not found.")]
    NotFound,
    #[error("Booking is unavailable right now. Please try again.")]
    Unavailable,
    #[error("{0}")]
    Transport(String),
}

impl BookingError {
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(BTreeMap::from([(name.to_owned(), message.to_owned())]))
    }

    pub fn rule(code: &str, message: impl Into<String>, seat_ids: Vec<Uuid>) -> Self {
        Self::Rule {
            code: code.to_owned(),
            message: message.into(),
            seat_ids,
        }
    }

    pub fn conflict(code: &str, message: &str) -> Self {
        Self::Conflict {
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Invalid(_) => "validation_failed",
            Self::Rule { code, .. } | Self::Conflict { code, .. } => code,
            Self::SeatsUnavailable(_) => "seats_unavailable",
            Self::Unauthenticated => "unauthenticated",
            Self::EmailNotVerified => "email_not_verified",
            Self::NotFound => "not_found",
            Self::Unavailable | Self::Transport(_) => "unavailable",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for BookingError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for BookingError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "booking query failed");
        Self::Unavailable
    }
}

#[cfg(feature = "ssr")]
impl From<crate::account::AccountError> for BookingError {
    fn from(err: crate::account::AccountError) -> Self {
        use crate::account::AccountError;
        match err {
            AccountError::Unauthenticated => Self::Unauthenticated,
            AccountError::EmailNotVerified => Self::EmailNotVerified,
            AccountError::NotFound | AccountError::Forbidden => Self::NotFound,
            _ => Self::Unavailable,
        }
    }
}

#[cfg(feature = "ssr")]
impl crate::error::HttpStatus for BookingError {
    fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::Invalid(_) | Self::Rule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::SeatsUnavailable(_) | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::EmailNotVerified => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unavailable | Self::Transport(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for BookingError {
    fn into_response(self) -> axum::response::Response {
        use crate::error::HttpStatus;
        use serde_json::{json, Map};
        let mut details = Map::new();
        match &self {
            Self::Invalid(fields) => {
                details.insert("fields".into(), json!(fields));
            }
            Self::Rule { seat_ids, .. } => {
                details.insert("seat_ids".into(), json!(seat_ids));
            }
            Self::SeatsUnavailable(seats) => {
                details.insert("unavailable_seat_ids".into(), json!(seats));
            }
            _ => {}
        }
        crate::error::error_response(self.status(), self.code(), &self.to_string(), details, None)
    }
}
