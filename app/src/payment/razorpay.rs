//! Razorpay over its HTTP API (no maintained crate: reqwest, Basic auth with the key id and
//! secret). A payment is an order whose receipt is our payment id: before creating one, the
//! order with that receipt is looked up, so a retried create answers the same order. Razorpay
//! Checkout pays the order in the browser; its webhooks (checked in `webhook.rs`) say how it
//! went. Refunds carry the refund id as their idempotency key.

use super::{
    gateway::{Charge, Created, GatewayError, Provider, RefundAsk, RefundIssued, Remote},
    Checkout, Gateway,
};
use crate::ids::PaymentId;
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub struct Razorpay {
    http: reqwest::Client,
    api_base: String,
    key_id: String,
    key_secret: String,
}

#[derive(Deserialize)]
struct Order {
    id: String,
}

#[derive(Deserialize)]
struct List<T> {
    items: Vec<T>,
}

#[derive(Deserialize)]
struct Paid {
    id: String,
    amount: i64,
    currency: String,
    status: String,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct Refunded {
    id: String,
    status: String,
}

impl Razorpay {
    pub fn new(api_base: &str, key_id: &str, key_secret: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            api_base: api_base.trim_end_matches('/').to_owned(),
            key_id: key_id.to_owned(),
            key_secret: key_secret.to_owned(),
        }
    }

    /// One call: 409 (the same idempotent request still running), 429, 5xx and network
    /// failures are transient; other refusals final.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, GatewayError> {
        let answer = request
            .basic_auth(&self.key_id, Some(&self.key_secret))
            .send()
            .await
            .map_err(|err| GatewayError::Transient(err.to_string()))?;
        let status = answer.status();
        if status.is_success() {
            return answer
                .json()
                .await
                .map_err(|err| GatewayError::Transient(format!("unreadable answer: {err}")));
        }
        let said = answer.text().await.unwrap_or_default();
        let failure = format!("Razorpay answered {status}: {said}");
        if matches!(status.as_u16(), 409 | 429) || status.is_server_error() {
            Err(GatewayError::Transient(failure))
        } else {
            Err(GatewayError::Refused(failure))
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }

    async fn payments_of(&self, order: &str) -> Result<Vec<Paid>, GatewayError> {
        let url = self.url(&format!("/v1/orders/{order}/payments"));
        Ok(self.call::<List<Paid>>(self.http.get(url)).await?.items)
    }
}

#[async_trait]
impl Provider for Razorpay {
    fn gateway(&self) -> Gateway {
        Gateway::Razorpay
    }

    async fn create(&self, charge: &Charge) -> Result<Created, GatewayError> {
        let receipt = charge.payment_id.to_string();
        let lookup = self
            .http
            .get(self.url("/v1/orders"))
            .query(&[("receipt", &receipt)]);
        let earlier: List<Order> = self.call(lookup).await?;
        let order = match earlier.items.into_iter().next() {
            Some(order) => order,
            None => {
                let body = json!({
                    "amount": charge.amount,
                    "currency": charge.currency,
                    "receipt": receipt,
                    "notes": {"booking_id": charge.booking_id, "description": charge.description},
                });
                self.call(self.http.post(self.url("/v1/orders")).json(&body))
                    .await?
            }
        };
        Ok(Created {
            checkout: Checkout {
                order_id: Some(order.id.clone()),
                key_id: Some(self.key_id.clone()),
                ..Checkout::default()
            },
            gateway_ref: order.id,
        })
    }

    async fn status(&self, _payment: PaymentId, order: &str) -> Result<Remote, GatewayError> {
        let attempts = self.payments_of(order).await?;
        if let Some(paid) = attempts.iter().find(|p| p.status == "captured") {
            return Ok(Remote::Succeeded {
                amount: paid.amount,
                currency: paid.currency.to_ascii_uppercase(),
            });
        }
        Ok(match attempts.iter().rev().find(|p| p.status == "failed") {
            Some(failed) => Remote::Failed {
                reason: failed.error_description.clone(),
            },
            None => Remote::Pending,
        })
    }

    async fn refund(&self, ask: &RefundAsk) -> Result<RefundIssued, GatewayError> {
        let order = ask.gateway_ref.as_deref().unwrap_or_default();
        let attempts = self.payments_of(order).await?;
        let paid = attempts
            .iter()
            .find(|p| p.status == "captured" || p.status == "refunded")
            .ok_or_else(|| {
                GatewayError::Refused(format!("order {order} has no captured payment"))
            })?;
        let url = self.url(&format!("/v1/payments/{}/refund", paid.id));
        let request = self
            .http
            .post(url)
            .header("X-Refund-Idempotency", ask.refund_id.to_string())
            .json(&json!({"amount": ask.amount, "notes": {"refund_id": ask.refund_id}}));
        let refund: Refunded = self.call(request).await?;
        Ok(RefundIssued {
            settled: refund.status == "processed",
            gateway_ref: refund.id,
        })
    }

    async fn refund_status(&self, gateway_ref: &str) -> Result<Option<bool>, GatewayError> {
        let url = self.url(&format!("/v1/refunds/{gateway_ref}"));
        let refund: Refunded = self.call(self.http.get(url)).await?;
        Ok(match refund.status.as_str() {
            "processed" => Some(true),
            "failed" => Some(false),
            _ => None,
        })
    }
}
