//! Paying for a held booking through Stripe, Razorpay or the built-in sandbox gateway.
//!
//! A payment is one attempt through one gateway. Gateways tell us what happened through signed
//! webhooks (`webhook`); each event is acted on once, in the transaction of its effect, and a
//! succeeded payment either confirms its booking or records a refund that a job issues through
//! the same gateway and tracks to completion (`settle`). Gateways that stay silent are asked.

mod error;
pub mod functions;

#[cfg(feature = "ssr")]
pub mod event;
#[cfg(feature = "ssr")]
mod food_order;
#[cfg(feature = "ssr")]
mod gateway;
#[cfg(feature = "ssr")]
#[cfg(feature = "ssr")]
pub mod razorpay;
#[cfg(feature = "ssr")]
pub mod sandbox;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod settle;
#[cfg(feature = "ssr")]
pub mod signature;
#[cfg(feature = "ssr")]
pub mod stripe;
#[cfg(feature = "ssr")]
mod webhook;

pub use error::{PaymentConflict, PaymentError};
#[cfg(feature = "ssr")]
pub use {
    gateway::{Charge, Created, GatewayError, Provider, RefundAsk, RefundIssued, Remote},
    service::{PaymentSettings, Payments, RazorpaySettings, StripeSettings, MAX_GRACE},
    settle::Settled,
    webhook::Applied,
};

use crate::ids::{BookingId, PaymentId, RefundId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

words! {
    /// A payment gateway, named as in its webhook path.
    pub enum Gateway {
        Stripe = "stripe",
        Razorpay = "razorpay",
        Sandbox = "sandbox",
    }
}

words! {
    /// Where a payment stands, as its owner sees it.
    pub enum PaymentStatus {
        /// Waiting for the moviegoer or the gateway.
        Pending = "pending",
        Succeeded = "succeeded",
        /// This attempt failed; another may be started.
        Failed = "failed",
        /// Given up: the gateway never said it succeeded.
        Cancelled = "cancelled",
        Refunded = "refunded",
        PartiallyRefunded = "partially_refunded",
    }
}

/// Where a moviegoer pays `payment`: the sandbox's hosted page, or ours around Stripe's or
/// Razorpay's own checkout.
pub fn checkout_path(gateway: Gateway, payment: PaymentId) -> String {
    match gateway {
        Gateway::Sandbox => format!("/pay/sandbox/{payment}"),
        Gateway::Stripe | Gateway::Razorpay => format!("/pay/card/{payment}"),
    }
}

words! {
    pub enum RefundStatus {
        /// Due: recorded, not yet accepted by the gateway.
        Pending = "pending",
        /// Accepted by the gateway, on its way.
        Issued = "issued",
        Succeeded = "succeeded",
        /// The gateway refused it; support looks into it.
        Failed = "failed",
    }
}

/// What a client needs to pay: one of these is set, by gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Checkout {
    /// The sandbox's hosted page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<String>,
    /// Stripe: the PaymentIntent's secret, for Stripe Elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Razorpay: the order to open Razorpay Checkout on, with the public key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// A payment as its owner and REST clients see it. Amounts in minor units of `currency`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Payment {
    pub payment_id: PaymentId,
    pub booking_id: BookingId,
    pub provider: Gateway,
    pub amount: i64,
    pub currency: String,
    pub status: PaymentStatus,
    /// Why the attempt failed, as the gateway put it.
    pub failure_reason: Option<String>,
    #[serde(flatten)]
    pub checkout: Checkout,
    pub refunds: Vec<Refund>,
    pub created_at: DateTime<Utc>,
    pub succeeded_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Refund {
    pub refund_id: RefundId,
    pub amount: i64,
    pub currency: String,
    /// Why: `cancelled_by_user`, `seats_taken`, `duplicate_payment`, `amount_mismatch`, ...
    pub reason: String,
    pub status: RefundStatus,
    pub created_at: DateTime<Utc>,
}

/// Card numbers the sandbox's checkout page understands (any other is declined as invalid).
pub mod test_cards {
    /// Pays at once.
    pub const SUCCEEDS: &str = "4242 4242 4242 4242";
    /// Declined by the "bank".
    pub const DECLINED: &str = "4000 0000 0000 0002";
    /// Pays, but the gateway says so only after [`DELAY_SECONDS`].
    pub const DELAYED: &str = "4000 0000 0000 0077";
    pub const DELAY_SECONDS: i64 = 10;
}
