//! Stripe through its PaymentIntents and Refunds APIs (async-stripe). A payment is a
//! PaymentIntent naming our payment and booking in its metadata; the browser confirms it with
//! Stripe Elements and the client secret; Stripe's webhooks say how it went. Every call carries
//! an idempotency key of the attempt it belongs to (the payment, or the refund), never of the
//! booking, so a retry after a decline is a new attempt and not a key reused.

use super::{
    gateway::{Charge, Created, GatewayError, Provider, RefundAsk, RefundIssued, Remote},
    Checkout, Gateway,
};
use crate::ids::PaymentId;
use async_trait::async_trait;
use std::{collections::HashMap, str::FromStr};
use stripe::{
    Client, CreatePaymentIntent, CreateRefund, Currency, PaymentIntent, PaymentIntentId,
    PaymentIntentStatus, Refund, RequestStrategy, StripeError,
};

pub struct Stripe {
    client: Client,
    publishable_key: Option<String>,
}

impl Stripe {
    /// A client of the API at `api_base` (Stripe's own, or a stand-in).
    pub fn new(secret_key: &str, api_base: &str, publishable_key: Option<String>) -> Self {
        Self {
            client: Client::from_url(api_base, secret_key),
            publishable_key,
        }
    }

    fn keyed(&self, key: String) -> Client {
        self.client
            .clone()
            .with_strategy(RequestStrategy::Idempotent(key))
    }
}

/// Rate limits, Stripe's own failures and the network are worth another try; a request
/// Stripe refused as it stands is not.
fn classify(err: StripeError) -> GatewayError {
    match err {
        StripeError::Stripe(refused)
            if refused.http_status == 429 || refused.http_status >= 500 =>
        {
            GatewayError::Transient(refused.to_string())
        }
        StripeError::Stripe(refused) => GatewayError::Refused(
            refused
                .message
                .clone()
                .unwrap_or_else(|| refused.to_string()),
        ),
        other => GatewayError::Transient(other.to_string()),
    }
}

fn intent_id(gateway_ref: &str) -> Result<PaymentIntentId, GatewayError> {
    gateway_ref
        .parse()
        .map_err(|_| GatewayError::Refused(format!("{gateway_ref} is not a PaymentIntent")))
}

#[async_trait]
impl Provider for Stripe {
    fn gateway(&self) -> Gateway {
        Gateway::Stripe
    }

    async fn create(&self, charge: &Charge) -> Result<Created, GatewayError> {
        let currency = Currency::from_str(&charge.currency.to_ascii_lowercase())
            .map_err(|_| GatewayError::Refused(format!("currency {}", charge.currency)))?;
        let mut params = CreatePaymentIntent::new(charge.amount, currency);
        // What the booking is travels as metadata (localstripe refuses a description).
        params.metadata = Some(HashMap::from([
            ("payment_id".to_owned(), charge.payment_id.to_string()),
            ("booking_id".to_owned(), charge.booking_id.to_string()),
            ("description".to_owned(), charge.description.clone()),
        ]));
        let client = self.keyed(format!("district-payment-{}", charge.payment_id));
        let intent = PaymentIntent::create(&client, params)
            .await
            .map_err(classify)?;
        Ok(Created {
            gateway_ref: intent.id.to_string(),
            checkout: Checkout {
                client_secret: intent.client_secret,
                key_id: self.publishable_key.clone(),
                ..Checkout::default()
            },
        })
    }

    async fn status(&self, _payment: PaymentId, gateway_ref: &str) -> Result<Remote, GatewayError> {
        let intent = PaymentIntent::retrieve(&self.client, &intent_id(gateway_ref)?, &[])
            .await
            .map_err(classify)?;
        let reason = || {
            intent
                .last_payment_error
                .as_ref()
                .and_then(|e| e.message.clone())
        };
        Ok(match intent.status {
            PaymentIntentStatus::Succeeded => Remote::Succeeded {
                amount: intent.amount_received,
                currency: intent.currency.to_string().to_ascii_uppercase(),
            },
            PaymentIntentStatus::Canceled => Remote::Failed { reason: reason() },
            PaymentIntentStatus::RequiresPaymentMethod if intent.last_payment_error.is_some() => {
                Remote::Failed { reason: reason() }
            }
            _ => Remote::Pending,
        })
    }

    async fn refund(&self, ask: &RefundAsk) -> Result<RefundIssued, GatewayError> {
        let intent = intent_id(ask.gateway_ref.as_deref().unwrap_or_default())?;
        let client = self.keyed(format!("district-refund-{}", ask.refund_id));
        let refund = Refund::create(
            &client,
            CreateRefund {
                payment_intent: Some(intent),
                amount: Some(ask.amount),
                ..CreateRefund::default()
            },
        )
        .await
        .map_err(classify)?;
        Ok(RefundIssued {
            gateway_ref: refund.id.to_string(),
            settled: refund.status.as_deref() == Some("succeeded"),
        })
    }

    async fn refund_status(&self, gateway_ref: &str) -> Result<Option<bool>, GatewayError> {
        let id = gateway_ref
            .parse()
            .map_err(|_| GatewayError::Refused(format!("{gateway_ref} is not a refund")))?;
        let refund = Refund::retrieve(&self.client, &id, &[])
            .await
            .map_err(classify)?;
        Ok(match refund.status.as_deref() {
            Some("succeeded") => Some(true),
            Some("failed" | "canceled") => Some(false),
            _ => None,
        })
    }
}
