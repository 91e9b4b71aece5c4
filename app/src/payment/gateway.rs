//! What the payment service asks of a gateway. Each gateway is one [`Provider`]; calls carry our
//! ids as idempotency keys, so a retried call never charges or refunds twice.

use super::{Checkout, Gateway};
use crate::ids::{BookingId, PaymentId, RefundId};
use async_trait::async_trait;

/// A payment to set up at the gateway.
#[derive(Clone, Debug)]
pub struct Charge {
    pub payment_id: PaymentId,
    pub booking_id: BookingId,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    /// "District booking ABC123": what the moviegoer sees on the gateway's page.
    pub description: String,
    /// Where the gateway's page sends the moviegoer back to: the booking's page.
    pub return_path: String,
}

/// The gateway's reference for a payment set up, and what the client needs to pay.
#[derive(Clone, Debug)]
pub struct Created {
    pub gateway_ref: String,
    pub checkout: Checkout,
}

/// What a gateway says of a payment when asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remote {
    Succeeded {
        amount: i64,
        currency: String,
    },
    Failed {
        reason: Option<String>,
    },
    /// Not settled yet (or not known to the gateway at all).
    Pending,
}

/// A refund to ask the gateway for; `refund_id` is its idempotency key.
#[derive(Clone, Debug)]
pub struct RefundAsk {
    pub refund_id: RefundId,
    pub payment_id: PaymentId,
    pub gateway_ref: Option<String>,
    pub amount: i64,
    pub currency: String,
}

/// A refund the gateway accepted: settled at once, or later (its webhook says when).
#[derive(Clone, Debug)]
pub struct RefundIssued {
    pub gateway_ref: String,
    pub settled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// A timeout, a 5xx or a rate limit: worth another try later.
    #[error("gateway unavailable: {0}")]
    Transient(String),
    /// The gateway refused the request as it stands.
    #[error("gateway refused: {0}")]
    Refused(String),
}

#[async_trait]
pub trait Provider: Send + Sync {
    fn gateway(&self) -> Gateway;

    /// Sets up `charge`; asked again for the same payment, answers the same.
    async fn create(&self, charge: &Charge) -> Result<Created, GatewayError>;

    /// Where the gateway says the payment stands.
    async fn status(&self, payment: PaymentId, gateway_ref: &str) -> Result<Remote, GatewayError>;

    async fn refund(&self, ask: &RefundAsk) -> Result<RefundIssued, GatewayError>;

    /// Where a refund the gateway accepted stands: `Some(true)` paid back, `Some(false)`
    /// failed, `None` still on its way.
    async fn refund_status(&self, gateway_ref: &str) -> Result<Option<bool>, GatewayError>;
}
