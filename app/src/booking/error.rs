//! Everything that can stop a booking, as the client should hear it.

use crate::{
    error::FieldErrors,
    i18n::Text,
    ids::{MenuItemId, SeatId},
};
use serde::{Deserialize, Serialize};

words! {
    /// A seat rule or sales rule a selection broke (422).
    pub enum RuleCode {
        SingleSeatGap = "single_seat_gap",
        WheelchairSpace = "wheelchair_space",
        SalesClosed = "sales_closed",
        /// The theater stopped sales for a while.
        SalesPaused = "sales_paused",
        ShowCancelled = "show_cancelled",
    }
}

words! {
    /// Why a booking is not in a state that allows this (409).
    pub enum ConflictCode {
        BookingCancelled = "booking_cancelled",
        ShowStarted = "show_started",
        ShowCancelled = "show_cancelled",
        /// A payment for this hold is in flight: it stays until the payment settles.
        PaymentPending = "payment_pending",
        /// Tickets come with confirmed bookings only.
        NotConfirmed = "not_confirmed",
        TicketExpired = "ticket_expired",
        PaymentRequired = "payment_required",
        PaymentNotFound = "payment_not_found",
        PaymentNotSucceeded = "payment_not_succeeded",
        PaymentAmountMismatch = "payment_amount_mismatch",
        CancellationClosed = "cancellation_closed",
        PricesChanged = "prices_changed",
        /// Seats beside the selection kept changing while the hold was written.
        SeatsChanging = "seats_changing",
        /// The user holds seats for as many other shows as one may at once.
        TooManyHolds = "too_many_holds",
        /// The user has kept seats of this show as long as one may for now.
        HoldTimeUsed = "hold_time_used",
        /// Offers change held bookings only.
        NotHeld = "not_held",
        /// The booking was made with an offer whose terms rule out cancelling.
        NotCancellable = "not_cancellable",
        /// The booking's offer was used up by others after its hold lapsed.
        OfferExhausted = "offer_exhausted",
        /// Seats like the ones asked for are on sale: no need to wait for them.
        NotSoldOut = "not_sold_out",
        /// Food orders for the show have closed.
        FoodClosed = "food_closed",
        /// The payment is being refunded: it can no longer confirm anything.
        PaymentRefunded = "payment_refunded",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookingError {
    Invalid(FieldErrors),
    /// A seat rule (a single-seat gap, a wheelchair space, sales closed), naming the seats.
    Rule {
        code: RuleCode,
        message: Text,
        seat_ids: Vec<SeatId>,
    },
    /// An offer code that cannot be applied (422 `offer_invalid`, or `offer_exhausted` when
    /// its limits are reached), with the reason.
    Offer(crate::offer::Refusal),
    SeatsUnavailable(Vec<SeatId>),
    /// Too few of these items are left for the show (409), naming them.
    OutOfStock {
        item_ids: Vec<MenuItemId>,
        names: String,
    },
    Conflict {
        code: ConflictCode,
        message: Text,
    },
    Unauthenticated,
    EmailNotVerified,
    NotFound,
    RateLimited(u64),
    /// The show's waiting room is open and the visitor's turn has not come.
    Queued(super::waiting_room::QueuePlace),
    Unavailable,
    Transport(String),
}

explained!(BookingError);

impl crate::i18n::Explained for BookingError {
    fn text(&self) -> Text {
        let id = match self {
            Self::Invalid(_) => "err-fields",
            Self::Rule { message, .. } | Self::Conflict { message, .. } => return message.clone(),
            Self::Offer(refusal) => return refusal.text(),
            Self::SeatsUnavailable(_) => "err-seats-taken",
            // Sold out while nobody held them: no names to give.
            Self::OutOfStock { names, .. } if names.is_empty() => "err-food-sold-out-since",
            Self::OutOfStock { names, .. } => {
                return Text::new("err-out-of-stock").arg("names", names.as_str())
            }
            Self::Unauthenticated => "err-sign-in",
            Self::EmailNotVerified => "err-verify-to-book",
            Self::NotFound => "err-not-found",
            Self::RateLimited(seconds) => return Text::new("err-holds").arg("seconds", *seconds),
            Self::Queued(place) => {
                return Text::new("err-queued")
                    .arg("position", place.position)
                    .arg("seconds", place.estimated_wait_seconds)
            }
            Self::Unavailable => "err-booking-unavailable",
            Self::Transport(_) => "err-transport",
        };
        Text::new(id)
    }
}

impl BookingError {
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(crate::error::field(name, Text::new(message)))
    }

    pub fn rule(code: RuleCode, message: &str, seat_ids: Vec<SeatId>) -> Self {
        Self::Rule {
            code,
            message: Text::new(message),
            seat_ids,
        }
    }

    pub fn conflict(code: ConflictCode, message: &str) -> Self {
        Self::Conflict {
            code,
            message: Text::new(message),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Invalid(_) => "validation_failed",
            Self::Rule { code, .. } => code.as_str(),
            Self::Offer(refusal) if refusal.exhausted() => "offer_exhausted",
            Self::Offer(_) => "offer_invalid",
            Self::Conflict { code, .. } => code.as_str(),
            Self::SeatsUnavailable(_) => "seats_unavailable",
            Self::OutOfStock { .. } => "out_of_stock",
            Self::Unauthenticated => "unauthenticated",
            Self::EmailNotVerified => "email_not_verified",
            Self::NotFound => "not_found",
            Self::RateLimited(_) => "rate_limited",
            Self::Queued(_) => "queued",
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
mod ssr {
    use super::BookingError;
    use axum::{http::StatusCode, response::IntoResponse};
    use serde_json::{json, Map, Value};

    impl From<sqlx::Error> for BookingError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "booking query failed");
            Self::Unavailable
        }
    }

    impl From<crate::catalog::CatalogError> for BookingError {
        fn from(err: crate::catalog::CatalogError) -> Self {
            match err {
                crate::catalog::CatalogError::NotFound => Self::NotFound,
                crate::catalog::CatalogError::Invalid(fields) => Self::Invalid(fields),
                _ => Self::Unavailable,
            }
        }
    }

    /// Who is asking comes from the account domain.
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

    impl crate::error::ErrorBody for BookingError {
        fn status(&self) -> StatusCode {
            match self {
                Self::Invalid(_) | Self::Rule { .. } | Self::Offer(_) => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                Self::SeatsUnavailable(_) | Self::Conflict { .. } | Self::OutOfStock { .. } => {
                    StatusCode::CONFLICT
                }
                Self::Unauthenticated => StatusCode::UNAUTHORIZED,
                Self::EmailNotVerified => StatusCode::FORBIDDEN,
                Self::NotFound => StatusCode::NOT_FOUND,
                // REST answers a place in line with 202 and the place (`api::bookings::hold`);
                // elsewhere it is a request to come back later.
                Self::RateLimited(_) | Self::Queued(_) => StatusCode::TOO_MANY_REQUESTS,
                Self::Unavailable | Self::Transport(_) => StatusCode::SERVICE_UNAVAILABLE,
            }
        }

        fn code(&self) -> &str {
            BookingError::code(self)
        }

        fn details(&self) -> Map<String, Value> {
            let (name, value) = match self {
                Self::Invalid(fields) => ("fields", crate::error::fields(fields)),
                Self::Rule { seat_ids, .. } => ("seat_ids", json!(seat_ids)),
                Self::SeatsUnavailable(seats) => ("unavailable_seat_ids", json!(seats)),
                Self::Offer(refusal) => ("reason", json!(refusal)),
                Self::OutOfStock { item_ids, .. } => ("item_ids", json!(item_ids)),
                _ => return Map::new(),
            };
            Map::from_iter([(name.to_owned(), value)])
        }

        fn retry_after(&self) -> Option<u64> {
            match self {
                Self::RateLimited(seconds) => Some(*seconds),
                Self::Queued(place) => Some(place.estimated_wait_seconds),
                _ => None,
            }
        }
    }

    impl IntoResponse for BookingError {
        fn into_response(self) -> axum::response::Response {
            crate::error::respond(&self)
        }
    }
}
