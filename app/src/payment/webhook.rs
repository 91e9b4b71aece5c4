//! Gateways' webhooks: the signature checked over the raw body with that gateway's secret, the
//! event read, and its effect written once, in the transaction that records the event.

use super::{
    event::{self, GatewayEvent, Happened, PaymentRef},
    signature::{self, SignatureError},
    Gateway, PaymentError, Payments,
};
use crate::i18n::Text;
use crate::ids::{BookingId, PaymentId, RefundId, SeatId, ShowId, UserId};
use http::HeaderMap;

/// The headers each gateway signs with, in the order they are recognised.
const SIGNED_BY: [(&str, Gateway); 3] = [
    ("stripe-signature", Gateway::Stripe),
    ("x-razorpay-signature", Gateway::Razorpay),
    ("sandbox-signature", Gateway::Sandbox),
];

/// What an event did (acknowledged with a 200 whatever it was).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub gateway: Gateway,
    pub event_id: String,
    /// The stored procedure's word: `confirmed`, `refund_due`, `failed`, `duplicate_event`, ...
    pub outcome: String,
}

#[derive(sqlx::FromRow)]
struct Succeeded {
    outcome: String,
    booking_id: Option<BookingId>,
    show_id: Option<ShowId>,
    seats: Option<Vec<SeatId>>,
    released: Option<Vec<SeatId>>,
    holder: Option<UserId>,
    reason: Option<String>,
}

impl Payments {
    /// Checks and applies one webhook delivery. `gateway` comes from the path; without it the
    /// gateway is known by its signature header. A bad, stale or missing signature changes
    /// nothing and says why (never with the payload). Failures are counted by gateway and code.
    pub async fn receive(
        &self,
        gateway: Option<Gateway>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Applied, PaymentError> {
        let received = self.receive_checked(gateway, headers, body).await;
        if let Err(err) = &received {
            let gateway = gateway.map_or("unknown", Gateway::as_str);
            metrics::counter!("district_webhook_failures_total", "gateway" => gateway,
                              "reason" => err.code().to_owned())
            .increment(1);
        }
        received
    }

    async fn receive_checked(
        &self,
        gateway: Option<Gateway>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Applied, PaymentError> {
        let gateway = match gateway {
            Some(gateway) => gateway,
            None => SIGNED_BY
                .iter()
                .find(|(header, _)| headers.contains_key(*header))
                .map(|(_, gateway)| *gateway)
                .ok_or_else(|| rejected(None, SignatureError::Missing))?,
        };
        let secret = self
            .secrets
            .iter()
            .find(|(g, _)| *g == gateway)
            .map(|(_, secret)| secret.as_slice())
            .ok_or(PaymentError::NotFound)?;
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (name, _) = SIGNED_BY
            .iter()
            .find(|(_, g)| *g == gateway)
            .expect("every gateway signs");
        let now = chrono::Utc::now().timestamp();
        let checked = match gateway {
            Gateway::Razorpay => signature::verify_hex(secret, header(name), body),
            Gateway::Stripe | Gateway::Sandbox => {
                signature::verify_timestamped(secret, header(name), body, now)
            }
        };
        checked.map_err(|err| rejected(Some(gateway), err))?;
        let read = match gateway {
            Gateway::Stripe => event::stripe(body),
            Gateway::Razorpay => event::razorpay(header("x-razorpay-event-id"), body),
            Gateway::Sandbox => event::sandbox(body),
        };
        let event = read.map_err(|err| {
            tracing::warn!(%gateway, error = %err, "a signed webhook we cannot read");
            PaymentError::Rejected(
                Text::new("err-webhook-unknown").arg("gateway", gateway.as_str()),
            )
        })?;
        self.apply(event).await
    }

    /// Writes what a (verified) event says happened, once per event id.
    pub async fn apply(&self, event: GatewayEvent) -> Result<Applied, PaymentError> {
        let GatewayEvent {
            gateway,
            id,
            payment,
            happened,
        } = event;
        let payment = match payment {
            // Not ours yet, perhaps: a refund's webhook can overtake the answer that names it.
            // While one of our refunds through this gateway waits for that answer, it stays
            // unrecorded, so the gateway sends it again; otherwise it is a refund made
            // elsewhere (the gateway's dashboard), recorded as unknown once.
            Some(reference) => match self.resolve(gateway, &reference).await? {
                None if matches!(reference, PaymentRef::Refund(_))
                    && self.refund_unanswered(gateway).await? =>
                {
                    tracing::warn!(%gateway, event = %id, "a refund we do not know yet; retried");
                    return Err(PaymentError::Unavailable);
                }
                found => found,
            },
            None => None,
        };
        let outcome: String = match happened {
            Happened::Ignored => "ignored".into(),
            Happened::Paid { amount, currency } => {
                let done: Succeeded =
                    sqlx::query_as("SELECT * FROM payment_succeeded($1, $2, $3, $4, $5)")
                        .bind(gateway.as_str())
                        .bind(&id)
                        .bind(payment)
                        .bind(amount)
                        .bind(&currency)
                        .fetch_one(&self.db)
                        .await?;
                self.after_success(gateway, &done);
                done.outcome
            }
            Happened::Declined { reason } => {
                let (outcome, _booking): (String, Option<BookingId>) =
                    sqlx::query_as("SELECT * FROM payment_failed($1, $2, $3, $4)")
                        .bind(gateway.as_str())
                        .bind(&id)
                        .bind(payment)
                        .bind(reason.as_deref().unwrap_or("declined"))
                        .fetch_one(&self.db)
                        .await?;
                outcome
            }
            Happened::Refunded { .. } => {
                self.refund_settled(gateway, &id, payment, None, true)
                    .await?
            }
        };
        metrics::counter!("district_payment_events_total", "gateway" => gateway.as_str(),
                          "outcome" => outcome.clone())
        .increment(1);
        Ok(Applied {
            gateway,
            event_id: id,
            outcome,
        })
    }

    /// Whether a refund of ours through `gateway` was asked for and its answer (the gateway's
    /// refund id) is not recorded yet.
    async fn refund_unanswered(&self, gateway: Gateway) -> Result<bool, PaymentError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM refunds r JOIN payments p ON p.id = r.payment_id
                             WHERE p.gateway = $1 AND r.status = 'pending' AND r.gateway_ref IS NULL
                               AND r.attempts > 0)",
        )
        .bind(gateway.as_str())
        .fetch_one(&self.db)
        .await?)
    }

    /// Our payment an event names, if we know it.
    async fn resolve(
        &self,
        gateway: Gateway,
        reference: &PaymentRef,
    ) -> Result<Option<PaymentId>, PaymentError> {
        Ok(match reference {
            PaymentRef::Ours(id) => Some(*id),
            PaymentRef::Gateway(gateway_ref) => {
                sqlx::query_scalar(
                    "SELECT id FROM payments WHERE gateway = $1 AND gateway_ref = $2",
                )
                .bind(gateway.as_str())
                .bind(gateway_ref)
                .fetch_optional(&self.db)
                .await?
            }
            PaymentRef::Refund(refund_ref) => {
                sqlx::query_scalar("SELECT payment_id FROM refunds WHERE gateway_ref = $1")
                    .bind(refund_ref)
                    .fetch_optional(&self.db)
                    .await?
            }
        })
    }

    /// Live maps hear of the seats a confirmation sold; the moviegoer's mail comes from the
    /// outbox.
    fn after_success(&self, gateway: Gateway, done: &Succeeded) {
        let Some(booking) = done.booking_id else {
            return;
        };
        match (done.outcome.as_str(), done.show_id, done.holder) {
            ("confirmed", Some(show_id), Some(holder)) => {
                self.bookings.announce_confirmed(
                    show_id,
                    done.seats.clone().unwrap_or_default(),
                    done.released.as_deref().unwrap_or_default(),
                    holder,
                );
            }
            ("refund_due", ..) => {
                tracing::warn!(%gateway, %booking, reason = ?done.reason,
                               "a payment that cannot confirm its booking is being refunded");
                metrics::counter!("district_refunds_due_total").increment(1);
            }
            _ => {}
        }
    }

    /// Records what a gateway said of a payment's refund, once per event; answers
    /// `refund_settled`'s word.
    pub(super) async fn refund_settled(
        &self,
        gateway: Gateway,
        event: &str,
        payment: Option<PaymentId>,
        gateway_ref: Option<&str>,
        succeeded: bool,
    ) -> Result<String, PaymentError> {
        let (outcome, _refund): (String, Option<RefundId>) =
            sqlx::query_as("SELECT * FROM refund_settled($1, $2, $3, $4, $5)")
                .bind(gateway.as_str())
                .bind(event)
                .bind(payment)
                .bind(gateway_ref)
                .bind(succeeded)
                .fetch_one(&self.db)
                .await?;
        Ok(outcome)
    }
}

fn rejected(gateway: Option<Gateway>, err: SignatureError) -> PaymentError {
    tracing::warn!(gateway = gateway.map(Gateway::as_str), error = %err,
                   "webhook refused");
    PaymentError::Rejected(Text::new("err-webhook-refused").arg("detail", err.to_string()))
}
