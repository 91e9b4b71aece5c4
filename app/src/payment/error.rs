//! Everything that can stop a payment, as the client should hear it.

use crate::{error::FieldErrors, i18n::Text};
use serde::{Deserialize, Serialize};

words! {
    /// Why a booking cannot be paid for now (409).
    pub enum PaymentConflict {
        AlreadyConfirmed = "already_confirmed",
        BookingCancelled = "booking_cancelled",
        HoldExpired = "hold_expired",
        NothingToPay = "nothing_to_pay",
        /// An offer on the booking is for payments through another gateway.
        OfferGateway = "offer_gateway",
        /// The payment is no longer open (sandbox checkout of a settled payment).
        PaymentClosed = "payment_closed",
        /// A food order left unpaid past its time: order again.
        OrderLapsed = "order_lapsed",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentError {
    Invalid(FieldErrors),
    Conflict {
        code: PaymentConflict,
        message: Text,
    },
    /// A webhook whose signature is missing, wrong or stale, or whose body no gateway sends.
    Rejected(Text),
    /// What the client handed back from a gateway's checkout is not signed by that gateway.
    BadSignature(Text),
    Unauthenticated,
    NotFound,
    RateLimited(u64),
    GatewayUnavailable,
    Unavailable,
    Transport(String),
}

explained!(PaymentError);

impl crate::i18n::Explained for PaymentError {
    fn text(&self) -> Text {
        let id = match self {
            Self::Invalid(_) => "err-fields",
            Self::Conflict { message, .. } => return message.clone(),
            Self::Rejected(text) | Self::BadSignature(text) => return text.clone(),
            Self::Unauthenticated => "err-sign-in",
            Self::NotFound => "err-not-found",
            Self::RateLimited(seconds) => {
                return Text::new("err-payment-attempts").arg("seconds", *seconds)
            }
            Self::GatewayUnavailable => "err-gateway-unavailable",
            Self::Unavailable => "err-payment-unavailable",
            Self::Transport(_) => "err-transport",
        };
        Text::new(id)
    }
}

impl PaymentError {
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(crate::error::field(name, Text::new(message)))
    }

    pub fn conflict(code: PaymentConflict, message: &str) -> Self {
        Self::Conflict {
            code,
            message: Text::new(message),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Self::Invalid(_) => "validation_failed",
            Self::Conflict { code, .. } => code.as_str(),
            Self::Rejected(_) => "invalid_webhook",
            Self::BadSignature(_) => "invalid_signature",
            Self::Unauthenticated => "unauthenticated",
            Self::NotFound => "not_found",
            Self::RateLimited(_) => "rate_limited",
            Self::GatewayUnavailable => "gateway_unavailable",
            Self::Unavailable | Self::Transport(_) => "unavailable",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for PaymentError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::PaymentError;
    use axum::{http::StatusCode, response::IntoResponse};
    use serde_json::{Map, Value};

    impl From<sqlx::Error> for PaymentError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "payment query failed");
            Self::Unavailable
        }
    }

    impl From<crate::booking::BookingError> for PaymentError {
        fn from(err: crate::booking::BookingError) -> Self {
            use crate::booking::BookingError;
            match err {
                BookingError::NotFound => Self::NotFound,
                BookingError::Unauthenticated => Self::Unauthenticated,
                BookingError::Invalid(fields) => Self::Invalid(fields),
                _ => Self::Unavailable,
            }
        }
    }

    impl crate::error::ErrorBody for PaymentError {
        fn status(&self) -> StatusCode {
            match self {
                Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Self::Conflict { .. } => StatusCode::CONFLICT,
                Self::Rejected(_) | Self::BadSignature(_) => StatusCode::BAD_REQUEST,
                Self::Unauthenticated => StatusCode::UNAUTHORIZED,
                Self::NotFound => StatusCode::NOT_FOUND,
                Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                Self::GatewayUnavailable => StatusCode::BAD_GATEWAY,
                Self::Unavailable | Self::Transport(_) => StatusCode::SERVICE_UNAVAILABLE,
            }
        }

        fn code(&self) -> &str {
            PaymentError::code(self)
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
                Self::RateLimited(seconds) => Some(*seconds),
                _ => None,
            }
        }
    }

    impl IntoResponse for PaymentError {
        fn into_response(self) -> axum::response::Response {
            crate::error::respond(&self)
        }
    }
}
