//! The jobs that keep money from being stranded, safe on every instance at once: the sandbox's
//! webhooks delivered, refunds due issued through their payment's gateway (retried with backoff
//! while the gateway is unavailable) and followed until the gateway says they settled, and open
//! payments no webhook settled looked up at their gateway: succeeded ones settled as if the
//! webhook had come, and those nobody can pay any more given up, so their holds can lapse.

use super::{
    event::{GatewayEvent, Happened, PaymentRef},
    gateway::{scattered, with_retries, GatewayError, RefundAsk, Remote},
    webhook::Applied,
    Gateway, PaymentError, Payments,
};
use crate::ids::{PaymentId, RefundId};
use http::{HeaderMap, HeaderValue};
use std::time::Duration;

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Settled {
    pub delivered: usize,
    pub refunds_issued: usize,
    pub refunds_failed: usize,
    /// Open payments a gateway was asked about that it had settled.
    pub reconciled: usize,
    /// Open payments given up on: no answer long after their hold lapsed.
    pub abandoned: usize,
    /// Refunds a gateway accepted, found settled when asked.
    pub refunds_reconciled: usize,
}

/// An open payment is looked up when no webhook came for this long.
pub const QUIET: Duration = Duration::from_secs(60);
/// An open payment whose hold lapsed this long ago, with still no word from its gateway, is
/// given up (a late success is then confirmed if the seats are free, refunded otherwise).
pub const ABANDON_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(sqlx::FromRow)]
struct DueRefund {
    id: RefundId,
    payment_id: PaymentId,
    gateway: String,
    gateway_ref: Option<String>,
    amount_minor: i64,
    currency: String,
    attempts: i32,
}

#[derive(sqlx::FromRow)]
struct Issued {
    id: RefundId,
    payment_id: PaymentId,
    gateway: String,
    gateway_ref: String,
}

#[derive(sqlx::FromRow)]
struct Open {
    id: PaymentId,
    gateway: String,
    gateway_ref: Option<String>,
    abandoned: bool,
}

impl Payments {
    /// One pass of every job.
    pub async fn settle(&self) -> Result<Settled, PaymentError> {
        let mut settled = Settled {
            delivered: self.deliver_sandbox_webhooks().await?,
            ..Settled::default()
        };
        (settled.refunds_issued, settled.refunds_failed) = self.issue_refunds().await?;
        (settled.reconciled, settled.abandoned) = self.reconcile(QUIET, ABANDON_AFTER).await?;
        settled.refunds_reconciled = self.reconcile_refunds(QUIET).await?;
        // What the sandbox said about those refunds and payments, at once.
        settled.delivered += self.deliver_sandbox_webhooks().await?;
        Ok(settled)
    }

    /// Sends the sandbox's due webhooks through the webhook path; answers how many we took.
    pub async fn deliver_sandbox_webhooks(&self) -> Result<usize, PaymentError> {
        let Some(sandbox) = &self.sandbox else {
            return Ok(0);
        };
        let mut delivered = 0;
        loop {
            let due = sandbox.due(50).await?;
            if due.is_empty() {
                return Ok(delivered);
            }
            for delivery in due {
                let mut headers = HeaderMap::new();
                if let Ok(value) = HeaderValue::from_str(&delivery.signature) {
                    headers.insert("sandbox-signature", value);
                }
                match self
                    .receive(Some(Gateway::Sandbox), &headers, &delivery.body)
                    .await
                {
                    Ok(_) => {
                        sandbox.delivered(delivery.id).await?;
                        delivered += 1;
                    }
                    // Sent again later, as a gateway would.
                    Err(err) => tracing::warn!(error = %err, "sandbox webhook not taken"),
                }
            }
        }
    }

    /// Asks gateways for the refunds that are due; answers how many they accepted and refused.
    pub async fn issue_refunds(&self) -> Result<(usize, usize), PaymentError> {
        // Claimed for a while: a process that dies mid-call leaves them to another instance,
        // which asks again with the same idempotency key.
        let due: Vec<DueRefund> = sqlx::query_as(
            "WITH due AS (SELECT r.id FROM refunds r
                           WHERE r.status = 'pending' AND r.next_attempt_at <= now()
                           ORDER BY r.next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
             UPDATE refunds r SET attempts = r.attempts + 1,
                                  next_attempt_at = now() + interval '5 minutes', updated_at = now()
               FROM due, payments p
              WHERE r.id = due.id AND p.id = r.payment_id
             RETURNING r.id, r.payment_id, p.gateway, p.gateway_ref, r.amount_minor,
                       r.currency::text AS currency, r.attempts",
        )
        .fetch_all(&self.db)
        .await?;
        let (mut issued, mut refused) = (0, 0);
        for refund in due {
            let gateway = Gateway::parse(&refund.gateway).unwrap_or(Gateway::Sandbox);
            let answer = match self.provider(gateway) {
                Some(provider) => {
                    let ask = RefundAsk {
                        refund_id: refund.id,
                        payment_id: refund.payment_id,
                        gateway_ref: refund.gateway_ref.clone(),
                        amount: refund.amount_minor,
                        currency: refund.currency.clone(),
                    };
                    with_retries(|| provider.refund(&ask)).await
                }
                None => Err(GatewayError::Transient(format!(
                    "{gateway} is not configured"
                ))),
            };
            match answer {
                Ok(done) => {
                    issued += 1;
                    sqlx::query(
                        "UPDATE refunds SET status = 'issued', gateway_ref = $2, last_error = NULL,
                                updated_at = now()
                          WHERE id = $1 AND status = 'pending'",
                    )
                    .bind(refund.id)
                    .bind(&done.gateway_ref)
                    .execute(&self.db)
                    .await?;
                    if done.settled {
                        let event = format!("issued:{}", refund.id);
                        let payment = Some(refund.payment_id);
                        let gateway_ref = Some(done.gateway_ref.as_str());
                        self.refund_settled(gateway, &event, payment, gateway_ref, true)
                            .await?;
                    }
                }
                Err(GatewayError::Transient(err)) => {
                    tracing::warn!(refund = %refund.id, %gateway, error = %err, "refund retried later");
                    sqlx::query(
                        "UPDATE refunds SET last_error = $2, updated_at = now(),
                                next_attempt_at = now() + make_interval(secs => $3)
                          WHERE id = $1",
                    )
                    .bind(refund.id)
                    .bind(&err)
                    .bind(backoff(refund.attempts).as_secs_f64())
                    .execute(&self.db)
                    .await?;
                }
                Err(GatewayError::Refused(err)) => {
                    refused += 1;
                    tracing::error!(refund = %refund.id, %gateway, error = %err,
                                    "gateway refused a refund; needs a person");
                    metrics::counter!("district_refunds_failed_total").increment(1);
                    sqlx::query(
                        "WITH failed AS (
                             UPDATE refunds SET status = 'failed', last_error = $2, updated_at = now()
                              WHERE id = $1 AND status = 'pending' RETURNING id, payment_id)
                         INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
                         SELECT 'payment', payment_id, 'refund.failed',
                                jsonb_build_object('refund_id', id, 'payment_id', payment_id,
                                                   'error', $2)
                           FROM failed",
                    )
                    .bind(refund.id)
                    .bind(&err)
                    .execute(&self.db)
                    .await?;
                }
            }
        }
        Ok((issued, refused))
    }

    /// Looks up open payments quiet for `quiet` (or whose hold, or food order, is past its
    /// time) at their gateway; answers how many it settled and how many it gave up (past
    /// their time `abandon_after` ago with the gateway still not saying).
    pub async fn reconcile(
        &self,
        quiet: Duration,
        abandon_after: Duration,
    ) -> Result<(usize, usize), PaymentError> {
        let open: Vec<Open> = sqlx::query_as(
            "WITH due AS (SELECT p.id, coalesce(fo.pay_by, b.hold_expires_at) AS deadline
                            FROM payments p JOIN bookings b ON b.id = p.booking_id
                            LEFT JOIN food_orders fo ON fo.id = p.food_order_id
                           WHERE p.status IN ('created', 'pending')
                             AND (p.updated_at <= now() - $1
                                  OR coalesce(fo.pay_by, b.hold_expires_at) <= now())
                             AND (p.checked_at IS NULL OR p.checked_at <= now() - $1)
                           ORDER BY p.updated_at LIMIT 50 FOR UPDATE OF p SKIP LOCKED)
             UPDATE payments p SET checked_at = now()
               FROM due
              WHERE p.id = due.id
             RETURNING p.id, p.gateway, p.gateway_ref, due.deadline <= now() - $2 AS abandoned",
        )
        .bind(quiet)
        .bind(abandon_after)
        .fetch_all(&self.db)
        .await?;
        let (mut reconciled, mut abandoned) = (0, 0);
        for payment in open {
            let gateway = Gateway::parse(&payment.gateway).unwrap_or(Gateway::Sandbox);
            let remote = match (self.provider(gateway), &payment.gateway_ref) {
                (Some(provider), Some(gateway_ref)) => {
                    match with_retries(|| provider.status(payment.id, gateway_ref)).await {
                        Ok(remote) => remote,
                        // Unanswered long after the lapse counts as no word at all, so a gateway
                        // that keeps failing cannot pin the seats for ever.
                        Err(_) if payment.abandoned => Remote::Pending,
                        Err(err) => {
                            tracing::warn!(payment = %payment.id, %gateway, error = %err,
                                           "could not ask the gateway about a payment");
                            continue;
                        }
                    }
                }
                // Never reached the gateway: nobody can pay it.
                _ => Remote::Pending,
            };
            let applied = match remote {
                Remote::Pending if payment.abandoned => {
                    sqlx::query(
                        "WITH given_up AS (
                             UPDATE payments SET status = 'cancelled', updated_at = now(),
                                    failure_reason = 'The gateway never confirmed this payment.'
                              WHERE id = $1 AND status IN ('created', 'pending')
                             RETURNING id, booking_id)
                         INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
                         SELECT 'payment', id, 'payment.abandoned',
                                jsonb_build_object('payment_id', id, 'booking_id', booking_id)
                           FROM given_up",
                    )
                    .bind(payment.id)
                    .execute(&self.db)
                    .await?;
                    abandoned += 1;
                    None
                }
                remote => self.apply_remote(gateway, payment.id, remote).await?,
            };
            reconciled += usize::from(applied.is_some());
        }
        Ok((reconciled, abandoned))
    }

    /// Applies what a gateway said when asked about a payment, as its webhook would have been
    /// (once per outcome); nothing while it is still pending.
    pub(super) async fn apply_remote(
        &self,
        gateway: Gateway,
        payment: PaymentId,
        remote: Remote,
    ) -> Result<Option<Applied>, PaymentError> {
        let (outcome, happened) = match remote {
            Remote::Succeeded { amount, currency } => {
                ("succeeded", Happened::Paid { amount, currency })
            }
            Remote::Failed { reason } => ("failed", Happened::Declined { reason }),
            Remote::Pending => return Ok(None),
        };
        let event = GatewayEvent {
            gateway,
            id: format!("reconciled:{payment}:{outcome}"),
            payment: Some(PaymentRef::Ours(payment)),
            happened,
        };
        self.apply(event).await.map(Some)
    }

    /// Asks gateways about refunds they accepted that no webhook settled within `quiet`;
    /// answers how many were settled.
    pub async fn reconcile_refunds(&self, quiet: Duration) -> Result<usize, PaymentError> {
        let issued: Vec<Issued> = sqlx::query_as(
            "WITH due AS (SELECT r.id FROM refunds r
                           WHERE r.status = 'issued' AND r.updated_at <= now() - $1
                             AND r.next_attempt_at <= now() AND r.gateway_ref IS NOT NULL
                           ORDER BY r.next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
             UPDATE refunds r SET next_attempt_at = now() + $1
               FROM due, payments p
              WHERE r.id = due.id AND p.id = r.payment_id
             RETURNING r.id, r.payment_id, p.gateway, r.gateway_ref",
        )
        .bind(quiet)
        .fetch_all(&self.db)
        .await?;
        let mut settled = 0;
        for refund in issued {
            let gateway = Gateway::parse(&refund.gateway).unwrap_or(Gateway::Sandbox);
            let Some(provider) = self.provider(gateway) else {
                continue;
            };
            let done = match with_retries(|| provider.refund_status(&refund.gateway_ref)).await {
                Ok(Some(done)) => done,
                Ok(None) => continue,
                Err(err) => {
                    tracing::warn!(refund = %refund.id, %gateway, error = %err,
                                   "could not ask the gateway about a refund");
                    continue;
                }
            };
            let event = format!("reconciled-refund:{}", refund.id);
            let payment = Some(refund.payment_id);
            self.refund_settled(gateway, &event, payment, Some(&refund.gateway_ref), done)
                .await?;
            settled += 1;
        }
        Ok(settled)
    }
}

/// 10 s, 20 s, 40 s, ... up to an hour, scattered so that retries of many refunds do not
/// arrive together.
fn backoff(attempts: i32) -> Duration {
    let base = 10f64 * 2f64.powi(attempts.clamp(0, 20) - 1);
    scattered(Duration::from_secs_f64(base.min(3600.0)))
}
