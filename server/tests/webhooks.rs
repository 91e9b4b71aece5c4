//! Every gateway's webhook signature, checked at the HTTP door before anything is read or
//! written: a genuine delivery is taken (and recorded once), while a tampered body, a wrong
//! secret, a stale timestamp or a missing header is a 400 that records nothing and never
//! echoes the payload.

mod support;

use app::payment::signature::{hex_signature, timestamped};
use http::StatusCode;
use serde_json::json;
use server::db::MIGRATOR;
use sqlx::PgPool;
use uuid::Uuid;

const STRIPE: &str = "whsec_stripe_door";
const RAZORPAY: &str = "rzp_webhook_door";
const SANDBOX: &str = "whsec_sandbox_door";

/// One gateway's way of signing a delivery.
struct Door {
    gateway: &'static str,
    header: &'static str,
    secret: &'static str,
    /// Stripe's and the sandbox's signatures carry the time they were made.
    timestamped: bool,
    /// An event naming a payment that is not ours: taken and recorded as such.
    body: String,
}

impl Door {
    fn sign(&self, secret: &str, at: i64, body: &str) -> String {
        if self.timestamped {
            timestamped(secret.as_bytes(), at, body.as_bytes())
        } else {
            hex_signature(secret.as_bytes(), body.as_bytes())
        }
    }

    async fn deliver(
        &self,
        app: &axum::Router,
        path: &str,
        body: &str,
        signature: Option<String>,
    ) -> support::Reply {
        let mut request = http::Request::post(path)
            .header("content-type", "application/json")
            .header("x-razorpay-event-id", format!("evt_{}", self.gateway));
        if let Some(signature) = signature {
            request = request.header(self.header, signature);
        }
        let request = request
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap();
        support::request(app, request).await
    }
}

fn doors() -> Vec<Door> {
    let unknown = Uuid::new_v4();
    vec![
        Door {
            gateway: "stripe",
            header: "stripe-signature",
            secret: STRIPE,
            timestamped: true,
            body: json!({"id": "evt_stripe_door", "type": "payment_intent.succeeded",
                         "data": {"object": {"id": "pi_door", "amount": 50000, "currency": "inr",
                                             "metadata": {"payment_id": unknown}}}})
            .to_string(),
        },
        Door {
            gateway: "razorpay",
            header: "x-razorpay-signature",
            secret: RAZORPAY,
            timestamped: false,
            body: json!({"entity": "event", "event": "payment.captured",
                         "payload": {"payment": {"entity": {"id": "pay_door",
                             "order_id": "order_door", "amount": 50000, "currency": "INR"}}}})
            .to_string(),
        },
        Door {
            gateway: "sandbox",
            header: "sandbox-signature",
            secret: SANDBOX,
            timestamped: true,
            body: json!({"id": "evt_sandbox_door", "type": "payment.succeeded",
                         "data": {"payment_id": unknown, "amount": 50000, "currency": "INR"}})
            .to_string(),
        },
    ]
}

async fn recorded(db: &PgPool, gateway: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM gateway_events WHERE gateway = $1")
        .bind(gateway)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn every_gateway_checks_its_signature_before_anything_changes(db: PgPool) {
    let nowhere = format!("http://127.0.0.1:{}", support::free_port());
    let state = support::state_with(
        db.clone(),
        None,
        &[
            ("STRIPE_SECRET_KEY", "sk_test_door"),
            ("STRIPE_WEBHOOK_SECRET", STRIPE),
            ("STRIPE_API_BASE", &nowhere),
            ("RAZORPAY_KEY_ID", "rzp_test_door"),
            ("RAZORPAY_KEY_SECRET", "rzp_key_secret_door"),
            ("RAZORPAY_WEBHOOK_SECRET", RAZORPAY),
            ("RAZORPAY_API_BASE", &nowhere),
            ("SANDBOX_WEBHOOK_SECRET", SANDBOX),
        ],
    );
    let app = server::router(state);
    let now = chrono::Utc::now().timestamp();
    for door in doors() {
        let (gateway, body) = (door.gateway, door.body.as_str());
        let own_path = format!("/api/v1/payments/webhook/{gateway}");
        let tampered = body.replace("50000", "1");
        let mut refusals = vec![
            (
                "tampered body",
                tampered.as_str(),
                Some(door.sign(door.secret, now, body)),
            ),
            (
                "wrong secret",
                body,
                Some(door.sign("someone_else", now, body)),
            ),
            ("missing header", body, None),
            ("malformed header", body, Some("v1=zz".to_owned())),
        ];
        if door.timestamped {
            let stale = door.sign(door.secret, now - 301, body);
            refusals.push(("stale timestamp", body, Some(stale)));
        }
        for path in [own_path.as_str(), "/api/v1/payments/webhook"] {
            for (what, sent, signature) in &refusals {
                let refused = door.deliver(&app, path, sent, signature.clone()).await;
                assert_eq!(
                    refused.status,
                    StatusCode::BAD_REQUEST,
                    "{gateway} at {path}, {what}: {}",
                    refused.body
                );
                assert_eq!(refused.json()["error"]["code"], "invalid_webhook");
                assert!(
                    !refused.body.contains("door"),
                    "{gateway}, {what}: the payload is not echoed: {}",
                    refused.body
                );
            }
        }
        assert_eq!(
            recorded(&db, gateway).await,
            0,
            "{gateway}: nothing changed"
        );

        // Genuine, and just inside the tolerance: taken, once, at either address.
        let at = if door.timestamped { now - 290 } else { now };
        for path in [own_path.as_str(), "/api/v1/payments/webhook"] {
            let signature = Some(door.sign(door.secret, at, body));
            let taken = door.deliver(&app, path, body, signature).await;
            assert_eq!(taken.status, StatusCode::OK, "{gateway}: {}", taken.body);
        }
        assert_eq!(recorded(&db, gateway).await, 1, "{gateway}: recorded once");
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_razorpay_refund_we_never_asked_for_is_recorded_not_retried_for_ever(db: PgPool) {
    let nowhere = format!("http://127.0.0.1:{}", support::free_port());
    let state = support::state_with(
        db.clone(),
        None,
        &[
            ("RAZORPAY_KEY_ID", "rzp_test_door"),
            ("RAZORPAY_KEY_SECRET", "rzp_key_secret_door"),
            ("RAZORPAY_WEBHOOK_SECRET", RAZORPAY),
            ("RAZORPAY_API_BASE", &nowhere),
        ],
    );
    let app_state = state.clone();
    let app = server::router(state);
    let refund = |event: &str, refund: &str| {
        let body = json!({"entity": "event", "event": "refund.processed",
                          "payload": {"refund": {"entity": {"id": refund, "amount": 50000,
                                                            "currency": "INR"}}}})
        .to_string();
        let signature = hex_signature(RAZORPAY.as_bytes(), body.as_bytes());
        let request = http::Request::post("/api/v1/payments/webhook/razorpay")
            .header("content-type", "application/json")
            .header("x-razorpay-event-id", event)
            .header("x-razorpay-signature", signature)
            .body(axum::body::Body::from(body))
            .unwrap();
        let app = app.clone();
        async move { support::request(&app, request).await }
    };
    // Made in Razorpay's dashboard, with nothing of ours waiting: recorded once as unknown.
    let elsewhere = refund("evt_rf_1", "rfnd_elsewhere").await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.body);
    assert_eq!(elsewhere.json()["outcome"], "unknown_refund");
    assert_eq!(recorded(&db, "razorpay").await, 1);

    // While a refund of ours was asked for and its answer is not recorded, the event may be
    // that answer's: it stays unrecorded, so Razorpay sends it again.
    let venue = support::venue::venue(&db, 2, 4, chrono::Duration::days(1)).await;
    let user = support::venue::customers(&db, 1).await[0];
    let token = support::bearer(&app_state, user, app::account::Role::Customer);
    let hold = json!({"show_id": venue.show_id, "seat_ids": venue.ids(&["B3"])});
    let held = support::send(
        &app,
        "POST",
        "/api/v1/bookings/hold",
        Some(hold),
        &[("authorization", &token)],
    )
    .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    sqlx::query(
        "WITH p AS (
            INSERT INTO payments (booking_id, gateway, gateway_ref, amount_minor, currency, status,
                                  succeeded_at)
            SELECT id, 'razorpay', 'order_wait', total_minor, 'INR', 'succeeded', now()
              FROM bookings WHERE id = $1::uuid
            RETURNING id, booking_id, amount_minor)
         INSERT INTO refunds (payment_id, booking_id, amount_minor, currency, reason, status, attempts)
         SELECT id, booking_id, amount_minor, 'INR', 'cancelled_by_user', 'pending', 1 FROM p",
    )
    .bind(held.json()["booking_id"].as_str().unwrap())
    .execute(&db)
    .await
    .unwrap();
    let overtaking = refund("evt_rf_2", "rfnd_not_yet").await;
    assert_eq!(
        overtaking.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        overtaking.body
    );
    assert_eq!(recorded(&db, "razorpay").await, 1, "not recorded");
}
