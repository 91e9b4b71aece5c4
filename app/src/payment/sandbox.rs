//! The built-in sandbox gateway: a gateway of its own that behaves like the real ones. It keeps
//! its own books (`sandbox_*` tables, with no keys to ours), has a hosted checkout page
//! (`/pay/sandbox/:payment_id`, with [`test_cards`](super::test_cards)) and tells us what
//! happened only through webhooks, signed as Stripe signs them and sent until we accept them,
//! so its events take exactly the path of Stripe's and Razorpay's.

use super::{
    gateway::{Charge, Created, GatewayError, Provider, RefundAsk, RefundIssued, Remote},
    signature, test_cards, Checkout, Gateway, PaymentError,
};
use crate::ids::PaymentId;
use async_trait::async_trait;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

pub struct Sandbox {
    db: PgPool,
    secret: Vec<u8>,
    public_url: String,
}

/// What the moviegoer did on the checkout page.
#[derive(Clone, Debug)]
pub enum Choice {
    Pay { card: String },
    Decline,
}

/// A charge as the checkout page shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SandboxCharge {
    pub payment_id: PaymentId,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    /// The booking it pays for, and whether for its food order.
    pub booking_code: String,
    pub for_food: bool,
    pub return_path: String,
    /// `open`, `succeeded` or `failed`.
    pub status: String,
}

/// A webhook due for delivery, signed now.
pub struct Delivery {
    pub id: i64,
    pub signature: String,
    pub body: Vec<u8>,
}

impl Sandbox {
    pub fn new(db: PgPool, secret: &[u8], public_url: &str) -> Self {
        Self {
            db,
            secret: secret.to_vec(),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    pub async fn charge(&self, payment: PaymentId) -> Result<Option<SandboxCharge>, PaymentError> {
        Ok(sqlx::query_as(
            "SELECT c.payment_id, c.amount_minor, c.currency::text AS currency, c.description,
                    b.code AS booking_code, p.food_order_id IS NOT NULL AS for_food,
                    c.return_path, c.status
               FROM sandbox_charges c
               JOIN payments p ON p.id = c.payment_id
               JOIN bookings b ON b.id = p.booking_id
              WHERE c.payment_id = $1",
        )
        .bind(payment)
        .fetch_optional(&self.db)
        .await?)
    }

    /// Settles an open (or declined, and tried again) charge as the moviegoer chose, and queues
    /// the webhook saying so. An unknown card changes nothing.
    pub async fn settle(&self, payment: PaymentId, choice: &Choice) -> Result<(), PaymentError> {
        let (status, reason, delay) = match choice {
            Choice::Decline => ("failed", Some("Declined on the checkout page."), 0),
            Choice::Pay { card } => {
                let digits: String = card.chars().filter(|c| !c.is_whitespace()).collect();
                let is = |test_card: &str| digits == test_card.replace(' ', "");
                if is(test_cards::SUCCEEDS) {
                    ("succeeded", None, 0)
                } else if is(test_cards::DELAYED) {
                    ("succeeded", None, test_cards::DELAY_SECONDS)
                } else if is(test_cards::DECLINED) {
                    ("failed", Some("Your card was declined."), 0)
                } else {
                    return Err(PaymentError::field("card", "err-test-card"));
                }
            }
        };
        let mut tx = self.db.begin().await?;
        let charge: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT amount_minor, currency::text, status FROM sandbox_charges
              WHERE payment_id = $1 FOR UPDATE",
        )
        .bind(payment)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((amount, currency, was)) = charge else {
            return Err(PaymentError::NotFound);
        };
        if was == "succeeded" {
            return Err(PaymentError::conflict(
                super::PaymentConflict::PaymentClosed,
                "err-payment-made",
            ));
        }
        sqlx::query(
            "UPDATE sandbox_charges SET status = $2, card_last4 = right($3, 4),
                    settles_at = now() + make_interval(secs => $4), updated_at = now()
              WHERE payment_id = $1",
        )
        .bind(payment)
        .bind(status)
        .bind(match choice {
            Choice::Pay { card } => card.replace(' ', ""),
            Choice::Decline => String::new(),
        })
        .bind(delay as f64)
        .execute(&mut *tx)
        .await?;
        let kind = if status == "succeeded" {
            "payment.succeeded"
        } else {
            "payment.failed"
        };
        let mut data = json!({"payment_id": payment, "amount": amount, "currency": currency});
        if let Some(reason) = reason {
            data["reason"] = json!(reason);
        }
        queue(&mut tx, kind, data, delay).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims webhooks that are due, each signed as it goes out. One not accepted is sent again
    /// later, a little later each time.
    pub async fn due(&self, limit: i64) -> Result<Vec<Delivery>, PaymentError> {
        let due: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "UPDATE sandbox_deliveries d
                SET attempts = d.attempts + 1,
                    deliver_at = now() + make_interval(secs => least(30 * (d.attempts + 1), 600))
              WHERE d.id IN (SELECT id FROM sandbox_deliveries WHERE deliver_at <= now()
                              ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
             RETURNING d.id, d.body",
        )
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        let now = chrono::Utc::now().timestamp();
        Ok(due
            .into_iter()
            .map(|(id, body)| Delivery {
                id,
                signature: signature::timestamped(&self.secret, now, &body),
                body,
            })
            .collect())
    }

    pub async fn delivered(&self, id: i64) -> Result<(), PaymentError> {
        sqlx::query("DELETE FROM sandbox_deliveries WHERE id = $1")
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(())
    }
}

/// The hosted checkout page of a payment, on this site.
pub fn checkout_path(payment: PaymentId) -> String {
    super::checkout_path(Gateway::Sandbox, payment)
}

async fn queue(
    tx: &mut sqlx::PgConnection,
    kind: &str,
    data: serde_json::Value,
    delay: i64,
) -> Result<(), sqlx::Error> {
    let id = format!("evt_sbx_{}", Uuid::new_v4().simple());
    let body = serde_json::to_vec(&json!({"id": id, "type": kind, "data": data}))
        .expect("a JSON value serialises");
    sqlx::query(
        "INSERT INTO sandbox_deliveries (body, deliver_at)
         VALUES ($1, now() + make_interval(secs => $2))",
    )
    .bind(body)
    .bind(delay as f64)
    .execute(tx)
    .await?;
    Ok(())
}

fn unavailable(err: sqlx::Error) -> GatewayError {
    GatewayError::Transient(err.to_string())
}

#[async_trait]
impl Provider for Sandbox {
    fn gateway(&self) -> Gateway {
        Gateway::Sandbox
    }

    async fn create(&self, charge: &Charge) -> Result<Created, GatewayError> {
        sqlx::query(
            "INSERT INTO sandbox_charges (payment_id, amount_minor, currency, description,
                                          return_path, status)
             VALUES ($1, $2, $3, $4, $5, 'open') ON CONFLICT (payment_id) DO NOTHING",
        )
        .bind(charge.payment_id)
        .bind(charge.amount)
        .bind(&charge.currency)
        .bind(&charge.description)
        .bind(&charge.return_path)
        .execute(&self.db)
        .await
        .map_err(unavailable)?;
        Ok(Created {
            gateway_ref: format!("sbx_{}", charge.payment_id.0.simple()),
            checkout: Checkout {
                checkout_url: Some(format!(
                    "{}{}",
                    self.public_url,
                    checkout_path(charge.payment_id)
                )),
                ..Checkout::default()
            },
        })
    }

    async fn status(&self, payment: PaymentId, _gateway_ref: &str) -> Result<Remote, GatewayError> {
        let charge: Option<(String, i64, String, bool)> = sqlx::query_as(
            "SELECT status, amount_minor, currency::text, coalesce(settles_at <= now(), false)
               FROM sandbox_charges WHERE payment_id = $1",
        )
        .bind(payment)
        .fetch_optional(&self.db)
        .await
        .map_err(unavailable)?;
        Ok(match charge {
            Some((status, amount, currency, true)) if status == "succeeded" => {
                Remote::Succeeded { amount, currency }
            }
            Some((status, ..)) if status == "failed" => Remote::Failed { reason: None },
            _ => Remote::Pending,
        })
    }

    async fn refund(&self, ask: &RefundAsk) -> Result<RefundIssued, GatewayError> {
        let mut tx = self.db.begin().await.map_err(unavailable)?;
        let charge: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT status, amount_minor, currency::text FROM sandbox_charges
              WHERE payment_id = $1 FOR UPDATE",
        )
        .bind(ask.payment_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let Some((status, paid, currency)) = charge else {
            return Err(GatewayError::Refused("no such payment".into()));
        };
        let key = ask.refund_id.to_string();
        let earlier: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM sandbox_refunds WHERE idempotency_key = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await
                .map_err(unavailable)?;
        if let Some(id) = earlier {
            return Ok(RefundIssued {
                gateway_ref: format!("sbxr_{}", id.simple()),
                settled: false,
            });
        }
        let refunded: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(amount_minor), 0)::bigint FROM sandbox_refunds WHERE payment_id = $1",
        )
        .bind(ask.payment_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        if status != "succeeded" || currency != ask.currency || refunded + ask.amount > paid {
            return Err(GatewayError::Refused(format!(
                "cannot refund {} {} of a {status} payment of {paid} {currency} ({refunded} refunded)",
                ask.amount, ask.currency
            )));
        }
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO sandbox_refunds (idempotency_key, payment_id, amount_minor)
             VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(&key)
        .bind(ask.payment_id)
        .bind(ask.amount)
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        let gateway_ref = format!("sbxr_{}", id.simple());
        let data = json!({"payment_id": ask.payment_id, "amount": ask.amount,
                          "currency": ask.currency, "refund_id": gateway_ref});
        queue(&mut tx, "refund.succeeded", data, 0)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        Ok(RefundIssued {
            gateway_ref,
            settled: false,
        })
    }

    async fn refund_status(&self, gateway_ref: &str) -> Result<Option<bool>, GatewayError> {
        // The sandbox pays a refund back the moment it takes it.
        let taken: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sandbox_refunds WHERE 'sbxr_' || replace(id::text, '-', '') = $1)",
        )
        .bind(gateway_ref)
        .fetch_one(&self.db)
        .await
        .map_err(unavailable)?;
        Ok(taken.then_some(true))
    }
}
