//! What the payment service asks of a gateway. Each gateway is one [`Provider`]; calls carry our
//! ids as idempotency keys, so a retried call never charges or refunds twice.

use super::{Checkout, Gateway};
use crate::ids::{BookingId, PaymentId, RefundId};
use async_trait::async_trait;
use std::{future::Future, time::Duration};

/// Longest a gateway call may take before it counts as a transient failure.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Tries per call while the gateway fails transiently.
const TRIES: u32 = 3;

/// Calls a gateway, each try bounded by [`CALL_TIMEOUT`], again after about 0.2 s and 0.4 s
/// (scattered by up to a quarter either way) while the failure is transient; a refusal is final
/// at once.
pub async fn with_retries<T, F, Fut>(mut call: F) -> Result<T, GatewayError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, GatewayError>>,
{
    let mut delay = Duration::from_millis(200);
    let mut tries = 0;
    loop {
        tries += 1;
        let answer = tokio::time::timeout(CALL_TIMEOUT, call())
            .await
            .unwrap_or_else(|_| Err(GatewayError::Transient("timed out".into())));
        match answer {
            Err(GatewayError::Transient(err)) if tries < TRIES => {
                tracing::debug!(error = %err, tries, "gateway call retried");
                tokio::time::sleep(scattered(delay)).await;
                delay *= 2;
            }
            other => return other,
        }
    }
}

/// `delay`, scattered by up to a quarter either way, so that retries do not arrive together.
pub fn scattered(delay: Duration) -> Duration {
    delay.mul_f64(0.75 + rand::random::<f64>() * 0.5)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    async fn tries_until(
        answers: &[Result<u32, GatewayError>],
    ) -> (Result<u32, GatewayError>, u32) {
        let calls = AtomicU32::new(0);
        let answer = with_retries(|| async {
            let n = calls.fetch_add(1, Ordering::SeqCst) as usize;
            answers[n.min(answers.len() - 1)].clone()
        })
        .await;
        (answer, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn transient_failures_are_tried_again_and_refusals_are_not() {
        let busy = || Err(GatewayError::Transient("503".into()));
        assert_eq!(tries_until(&[busy(), busy(), Ok(7)]).await, (Ok(7), 3));
        assert_eq!(
            tries_until(&[busy(), busy(), busy(), Ok(7)]).await,
            (busy(), 3)
        );
        let refused = Err(GatewayError::Refused("card declined".into()));
        assert_eq!(tries_until(&[refused.clone(), Ok(7)]).await, (refused, 1));
    }
}
