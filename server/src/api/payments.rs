//! `/api/v1/payments`: starting a payment for a held booking, reading it, and the gateways'
//! webhooks (one path per gateway, and one that knows the gateway by its signature header).

use super::{ApiJson, ApiPath};
use crate::AppState;
use app::{
    account::auth::Principal,
    db::Db,
    idempotency,
    ids::{BookingId, PaymentId},
    payment::{Gateway, Payment, PaymentError, Payments},
};
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payments/initiate", post(initiate))
        .route("/payments/{id}", get(payment))
        .route("/payments/{id}/razorpay-checkout", post(razorpay_checkout))
        .route("/payments/webhook", post(webhook_any))
        .route("/payments/webhook/{gateway}", post(webhook))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct InitiateRequest {
    booking_id: BookingId,
    /// `stripe`, `razorpay` or `sandbox` (outside production).
    provider: Gateway,
}

/// Starts paying for a held booking of the caller's: 201 with what the client needs to pay
/// (`checkout_url`, `client_secret`, or `order_id` and `key_id`). Asked again for the same
/// booking and provider, answers the payment still open there (200). The first payment of a
/// hold extends its deadline once by PAYMENT_GRACE_SECONDS; while a payment is open the hold
/// can be neither replaced nor released. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/payments/initiate", tag = "payments", security(("bearer" = [])),
    request_body = InitiateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = Payment), (status = 200, body = Payment),
        (status = 404, description = "not_found"),
        (status = 409, description = "hold_expired, already_confirmed, booking_cancelled, nothing_to_pay"),
        (status = 422, description = "validation_failed (an unavailable provider)"),
        (status = 502, description = "gateway_unavailable")))]
pub async fn initiate(
    State(payments): State<Payments>,
    State(db): State<Db>,
    who: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<InitiateRequest>,
) -> Response {
    let body = serde_json::to_vec(&request).unwrap_or_default();
    let scope = format!("{}:payments/initiate", who.user_id);
    idempotency::once(db.primary(), &headers, &scope, &body, move |_| async move {
        let started = payments.initiate(who.user_id, request.booking_id, request.provider);
        match started.await {
            Ok((true, payment)) => (StatusCode::CREATED, Json(payment)).into_response(),
            Ok((false, payment)) => Json(payment).into_response(),
            Err(err) => err.into_response(),
        }
    })
    .await
}

/// A payment of the caller's: `pending`, `succeeded`, `failed`, `cancelled`, `refunded` or
/// `partially_refunded`, with its refunds.
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = Payment), (status = 404, description = "not_found")))]
pub async fn payment(
    State(payments): State<Payments>,
    who: Principal,
    ApiPath(id): ApiPath<PaymentId>,
) -> Result<Json<Payment>, PaymentError> {
    Ok(Json(payments.get(who.into(), id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RazorpayCheckout {
    razorpay_payment_id: String,
    /// Not trusted: the signature is checked against the order stored with the payment.
    razorpay_order_id: Option<String>,
    razorpay_signature: String,
}

/// What Razorpay Checkout hands the client after paying: checked against the order we stored,
/// then Razorpay is asked, so the booking is confirmed without waiting for the webhook.
#[utoipa::path(post, path = "/api/v1/payments/{id}/razorpay-checkout", tag = "payments",
    security(("bearer" = [])), request_body = RazorpayCheckout,
    responses((status = 200, body = Payment),
        (status = 400, description = "invalid_signature: the signature does not match"),
        (status = 404, description = "not_found"), (status = 502, description = "gateway_unavailable")))]
pub async fn razorpay_checkout(
    State(payments): State<Payments>,
    who: Principal,
    ApiPath(id): ApiPath<PaymentId>,
    ApiJson(answer): ApiJson<RazorpayCheckout>,
) -> Result<Json<Payment>, PaymentError> {
    if let Some(named) = &answer.razorpay_order_id {
        tracing::debug!(%id, order = %named, "Razorpay Checkout answered");
    }
    let checked = payments.razorpay_checkout(
        who.into(),
        id,
        &answer.razorpay_payment_id,
        &answer.razorpay_signature,
    );
    Ok(Json(checked.await?))
}

#[derive(Serialize, ToSchema)]
pub struct Received {
    received: bool,
    /// What the event did: `confirmed`, `refund_due`, `failed`, `duplicate_event`, `ignored`, ...
    outcome: String,
}

/// A gateway's webhook, signed over the raw body (`Stripe-Signature`, `X-Razorpay-Signature`
/// or `Sandbox-Signature`). 400 for a missing, wrong or stale signature (nothing changes);
/// replays answer 200 and change nothing.
#[utoipa::path(post, path = "/api/v1/payments/webhook/{gateway}", tag = "payments",
    params(("gateway" = Gateway, Path, description = "stripe, razorpay or sandbox")),
    responses((status = 200, body = Received), (status = 400, description = "invalid_webhook"),
        (status = 404, description = "not_found (a gateway not configured here)")))]
pub async fn webhook(
    State(payments): State<Payments>,
    ApiPath(gateway): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, PaymentError> {
    let gateway = Gateway::parse(&gateway).ok_or(PaymentError::NotFound)?;
    received(payments.receive(Some(gateway), &headers, &body).await)
}

/// The same, for a gateway told only this one address: known by its signature header.
#[utoipa::path(post, path = "/api/v1/payments/webhook", tag = "payments",
    responses((status = 200, body = Received), (status = 400, description = "invalid_webhook")))]
pub async fn webhook_any(
    State(payments): State<Payments>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, PaymentError> {
    received(payments.receive(None, &headers, &body).await)
}

fn received(
    applied: Result<app::payment::Applied, PaymentError>,
) -> Result<Json<Received>, PaymentError> {
    let applied = applied?;
    Ok(Json(Received {
        received: true,
        outcome: applied.outcome,
    }))
}
