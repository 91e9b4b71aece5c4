//! The payments handle: starting a payment for a held booking and reading payments back.

use super::{
    gateway::{with_retries, Charge, Provider},
    razorpay::Razorpay,
    sandbox::Sandbox,
    signature::verify_razorpay_checkout,
    stripe::Stripe,
    Checkout, Gateway, Payment, PaymentConflict, PaymentError, PaymentStatus, Refund, RefundStatus,
};
use crate::{
    account::Role,
    booking::{Actor, Booking, Bookings},
    i18n::Text,
    ids::{BookingId, PaymentId, RefundId, UserId},
    ratelimit::{Limit, RateLimiter, Throttle},
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::{sync::Arc, time::Duration};

/// Longest PAYMENT_GRACE_SECONDS: a pinned hold keeps seats from everyone else.
pub const MAX_GRACE: Duration = Duration::from_secs(900);

#[derive(Clone)]
pub struct PaymentSettings {
    /// How much longer a hold lasts once its first payment starts.
    pub grace: Duration,
    /// Where links to the sandbox's checkout page point.
    pub public_url: String,
    /// The sandbox gateway's webhook secret; `None` turns the sandbox off.
    pub sandbox_secret: Option<String>,
    /// Stripe, when its keys are set.
    pub stripe: Option<StripeSettings>,
    /// Razorpay, when its keys are set.
    pub razorpay: Option<RazorpaySettings>,
}

#[derive(Clone)]
pub struct RazorpaySettings {
    pub key_id: String,
    pub key_secret: String,
    pub webhook_secret: String,
    /// `https://api.razorpay.com`, or a stand-in.
    pub api_base: String,
}

#[derive(Clone)]
pub struct StripeSettings {
    pub secret_key: String,
    pub publishable_key: Option<String>,
    pub webhook_secret: String,
    /// `https://api.stripe.com`, or a stand-in.
    pub api_base: String,
}

#[derive(Clone)]
pub struct Payments {
    pub(super) db: PgPool,
    pub(super) bookings: Bookings,
    pub(super) providers: Arc<Vec<Arc<dyn Provider>>>,
    pub(super) sandbox: Option<Arc<Sandbox>>,
    /// Checks Razorpay Checkout's signatures.
    razorpay_key_secret: Option<String>,
    /// Webhook secrets by gateway.
    pub(super) secrets: Arc<Vec<(Gateway, Vec<u8>)>>,
    grace: Duration,
    /// Payments one user may start in a window (none: unlimited).
    initiate_limit: Throttle,
}

#[derive(sqlx::FromRow)]
struct Begun {
    outcome: String,
    payment_id: Option<PaymentId>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: PaymentId,
    booking_id: BookingId,
    owner: UserId,
    gateway: String,
    gateway_ref: Option<String>,
    amount_minor: i64,
    currency: String,
    status: String,
    failure_reason: Option<String>,
    checkout: sqlx::types::Json<Checkout>,
    created_at: DateTime<Utc>,
    succeeded_at: Option<DateTime<Utc>>,
    code: String,
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    id: RefundId,
    amount_minor: i64,
    currency: String,
    reason: String,
    status: String,
    created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT p.id, p.booking_id, b.user_id AS owner, p.gateway,
        p.gateway_ref, p.amount_minor, p.currency::text AS currency, p.status, p.failure_reason, p.checkout,
        p.created_at, p.succeeded_at, b.code
   FROM payments p JOIN bookings b ON b.id = p.booking_id";

impl Payments {
    pub fn new(db: PgPool, bookings: Bookings, settings: PaymentSettings) -> Self {
        let mut providers: Vec<Arc<dyn Provider>> = Vec::new();
        let mut secrets = Vec::new();
        let sandbox = settings.sandbox_secret.as_ref().map(|secret| {
            secrets.push((Gateway::Sandbox, secret.as_bytes().to_vec()));
            Arc::new(Sandbox::new(
                db.clone(),
                secret.as_bytes(),
                &settings.public_url,
            ))
        });
        if let Some(sandbox) = &sandbox {
            providers.push(sandbox.clone());
        }
        if let Some(stripe) = &settings.stripe {
            secrets.push((Gateway::Stripe, stripe.webhook_secret.as_bytes().to_vec()));
            providers.push(Arc::new(Stripe::new(
                &stripe.secret_key,
                &stripe.api_base,
                stripe.publishable_key.clone(),
            )));
        }
        if let Some(razorpay) = &settings.razorpay {
            secrets.push((
                Gateway::Razorpay,
                razorpay.webhook_secret.as_bytes().to_vec(),
            ));
            providers.push(Arc::new(Razorpay::new(
                &razorpay.api_base,
                &razorpay.key_id,
                &razorpay.key_secret,
            )));
        }
        Self {
            db,
            bookings,
            providers: Arc::new(providers),
            sandbox,
            secrets: Arc::new(secrets),
            razorpay_key_secret: settings.razorpay.as_ref().map(|r| r.key_secret.clone()),
            grace: settings.grace.min(MAX_GRACE),
            initiate_limit: Throttle::default(),
        }
    }

    /// The gateways a moviegoer can pay through here.
    pub fn gateways(&self) -> Vec<Gateway> {
        self.providers.iter().map(|p| p.gateway()).collect()
    }

    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_deref()
    }

    /// The same, limiting how many payments one user may start in a window.
    pub fn with_initiate_limit(self, limiter: RateLimiter, limit: Limit) -> Self {
        Self {
            initiate_limit: Throttle::new(limiter, limit),
            ..self
        }
    }

    pub(super) fn provider(&self, gateway: Gateway) -> Option<&Arc<dyn Provider>> {
        self.providers.iter().find(|p| p.gateway() == gateway)
    }

    /// The gateway's provider, once `user` may start another payment.
    pub(super) async fn provider_for(
        &self,
        user: UserId,
        gateway: Gateway,
    ) -> Result<&Arc<dyn Provider>, PaymentError> {
        let provider = self
            .provider(gateway)
            .ok_or_else(|| PaymentError::field("provider", "err-payment-method"))?;
        self.initiate_limit
            .hit(&format!("pay:user:{user}"))
            .await
            .map_err(PaymentError::RateLimited)?;
        Ok(provider)
    }

    /// Starts paying for `booking`, a live hold of `user`'s, through `gateway`; answers the
    /// payment and whether it is new (asked again, the open payment there is answered). The
    /// first payment of a hold extends its deadline once, by the grace period.
    pub async fn initiate(
        &self,
        user: UserId,
        booking: BookingId,
        gateway: Gateway,
    ) -> Result<(bool, Payment), PaymentError> {
        let provider = self.provider_for(user, gateway).await?;
        let begun: Begun = sqlx::query_as("SELECT * FROM begin_payment($1, $2, $3, $4)")
            .bind(booking)
            .bind(user)
            .bind(gateway.as_str())
            .bind(self.grace)
            .fetch_one(&self.db)
            .await?;
        let payment_id = match (begun.outcome.as_str(), begun.payment_id) {
            ("created" | "existing", Some(id)) => id,
            (outcome, _) => return Err(refusal(outcome)),
        };
        let charged = self
            .charge(provider, payment_id, booking, "booking")
            .await?;
        Ok((begun.outcome == "created", charged))
    }

    /// Asks the gateway for payment `payment_id` (for `booking`, described as `what`) unless
    /// it already did, and answers the payment.
    pub(super) async fn charge(
        &self,
        provider: &Arc<dyn Provider>,
        payment_id: PaymentId,
        booking: BookingId,
        what: &str,
    ) -> Result<Payment, PaymentError> {
        let row = self.row(payment_id).await?;
        if row.status != "created" {
            return self.view(row).await;
        }
        let gateway = provider.gateway();
        // New, or left `created` by a call that died half-way: the gateway answers the same
        // for the same payment.
        let charge = Charge {
            payment_id,
            booking_id: booking,
            amount: row.amount_minor,
            currency: row.currency.clone(),
            description: format!("District {what} {}", row.code),
            return_path: format!("/bookings/{booking}"),
        };
        match with_retries(|| provider.create(&charge)).await {
            Ok(created) => {
                sqlx::query(
                    "UPDATE payments SET status = 'pending', gateway_ref = $2, checkout = $3,
                            updated_at = now()
                      WHERE id = $1 AND status = 'created'",
                )
                .bind(payment_id)
                .bind(&created.gateway_ref)
                .bind(sqlx::types::Json(&created.checkout))
                .execute(&self.db)
                .await?;
            }
            Err(err) => {
                tracing::warn!(%payment_id, %gateway, error = %err, "creating a payment failed");
                // Given up, so the hold is not pinned by a payment nobody can make.
                sqlx::query(
                    "UPDATE payments SET status = 'failed', failure_reason = $2, updated_at = now()
                      WHERE id = $1 AND status = 'created'",
                )
                .bind(payment_id)
                .bind(err.to_string())
                .execute(&self.db)
                .await?;
                return Err(PaymentError::GatewayUnavailable);
            }
        }
        self.view(self.row(payment_id).await?).await
    }

    /// Razorpay Checkout's answer for a payment of the actor's. Its signature is checked with
    /// the key secret against the order we stored (never one the callback names), then
    /// Razorpay is asked how the payment stands, which settles it at once when it went through
    /// (its webhook, whenever it comes, then changes nothing).
    pub async fn razorpay_checkout(
        &self,
        actor: Actor,
        payment: PaymentId,
        razorpay_payment: &str,
        signature: &str,
    ) -> Result<Payment, PaymentError> {
        let row = self.row(payment).await?;
        let (Some(secret), Some(order), "razorpay") = (
            &self.razorpay_key_secret,
            row.gateway_ref.as_deref(),
            row.gateway.as_str(),
        ) else {
            return Err(PaymentError::NotFound);
        };
        if row.owner != actor.user_id {
            return Err(PaymentError::NotFound);
        }
        verify_razorpay_checkout(secret.as_bytes(), order, razorpay_payment, signature).map_err(
            |err| {
                let text = Text::new("err-checkout-signature").arg("detail", err.to_string());
                PaymentError::BadSignature(text)
            },
        )?;
        let provider = self
            .provider(Gateway::Razorpay)
            .ok_or(PaymentError::NotFound)?;
        let remote = with_retries(|| provider.status(payment, order))
            .await
            .map_err(|_| PaymentError::GatewayUnavailable)?;
        self.apply_remote(Gateway::Razorpay, payment, remote)
            .await?;
        self.view(self.row(payment).await?).await
    }

    /// A payment for its owner or a platform admin; anyone else is told it does not exist.
    pub async fn get(&self, actor: Actor, payment: PaymentId) -> Result<Payment, PaymentError> {
        let row = self.row(payment).await?;
        if row.owner != actor.user_id && actor.role != Role::Admin {
            return Err(PaymentError::NotFound);
        }
        self.view(row).await
    }

    /// Every payment of a booking, newest first (a `Booking` is one its reader may see).
    pub async fn of_booking(&self, booking: &Booking) -> Result<Vec<Payment>, PaymentError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "{SELECT} WHERE p.booking_id = $1 ORDER BY p.created_at DESC"
        ))
        .bind(booking.booking_id)
        .fetch_all(&self.db)
        .await?;
        let mut payments = Vec::with_capacity(rows.len());
        for row in rows {
            payments.push(self.view(row).await?);
        }
        Ok(payments)
    }

    async fn row(&self, payment: PaymentId) -> Result<Row, PaymentError> {
        sqlx::query_as(&format!("{SELECT} WHERE p.id = $1"))
            .bind(payment)
            .fetch_optional(&self.db)
            .await?
            .ok_or(PaymentError::NotFound)
    }

    async fn view(&self, row: Row) -> Result<Payment, PaymentError> {
        let refunds: Vec<RefundRow> = sqlx::query_as(
            "SELECT id, amount_minor, currency::text AS currency, reason, status,
                    created_at
               FROM refunds WHERE payment_id = $1 ORDER BY created_at",
        )
        .bind(row.id)
        .fetch_all(&self.db)
        .await?;
        let refunds: Vec<Refund> = refunds
            .into_iter()
            .map(|r| Refund {
                refund_id: r.id,
                amount: r.amount_minor,
                currency: r.currency,
                reason: r.reason,
                status: RefundStatus::parse(&r.status).unwrap_or(RefundStatus::Pending),
                created_at: r.created_at,
            })
            .collect();
        let refunded: i64 = refunds
            .iter()
            .filter(|r| r.status == RefundStatus::Succeeded)
            .map(|r| r.amount)
            .sum();
        let status = match row.status.as_str() {
            "succeeded" if refunded >= row.amount_minor => PaymentStatus::Refunded,
            "succeeded" if refunded > 0 => PaymentStatus::PartiallyRefunded,
            "succeeded" => PaymentStatus::Succeeded,
            "failed" => PaymentStatus::Failed,
            "cancelled" => PaymentStatus::Cancelled,
            _ => PaymentStatus::Pending,
        };
        Ok(Payment {
            payment_id: row.id,
            booking_id: row.booking_id,
            provider: Gateway::parse(&row.gateway).unwrap_or(Gateway::Sandbox),
            amount: row.amount_minor,
            currency: row.currency,
            status,
            failure_reason: row.failure_reason,
            checkout: row.checkout.0,
            refunds,
            created_at: row.created_at,
            succeeded_at: row.succeeded_at,
        })
    }
}

fn refusal(outcome: &str) -> PaymentError {
    let (code, message) = match outcome {
        "not_found" => return PaymentError::NotFound,
        "already_confirmed" => (PaymentConflict::AlreadyConfirmed, "err-already-paid"),
        "booking_cancelled" => (PaymentConflict::BookingCancelled, "err-booking-cancelled"),
        "hold_expired" => (PaymentConflict::HoldExpired, "err-hold-lapsed"),
        "nothing_to_pay" => (PaymentConflict::NothingToPay, "err-nothing-to-pay"),
        "offer_gateway" => (PaymentConflict::OfferGateway, "err-offer-gateway"),
        other => {
            tracing::error!(outcome = other, "unexpected answer from begin_payment");
            return PaymentError::Unavailable;
        }
    };
    PaymentError::conflict(code, message)
}
