//! Paying through Razorpay, against a stand-in speaking its API and signing its webhooks
//! (`support::razorpay`): one order per payment, webhooks checked with their own secret and
//! acted on once per event id whatever their order, refunds sent once.

mod support;

use app::{
    account::Role,
    ids::{BookingId, PaymentId},
    payment::{razorpay::Razorpay as Client, Charge, Provider},
};
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    razorpay::{Razorpay, KEY_ID, KEY_SECRET, WEBHOOK_SECRET},
    send,
    venue::{customers, invariant_breaches, venue},
};
use uuid::Uuid;

/// The app with Razorpay's keys, pointed at the stand-in.
fn configured(db: &PgPool, razorpay: &Razorpay) -> server::AppState {
    support::state_with(
        db.clone(),
        None,
        &[
            ("RAZORPAY_KEY_ID", KEY_ID),
            ("RAZORPAY_KEY_SECRET", KEY_SECRET),
            ("RAZORPAY_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("RAZORPAY_API_BASE", &razorpay.api_base),
        ],
    )
}

#[tokio::test]
async fn a_retried_order_create_answers_the_same_order() {
    let razorpay = Razorpay::start().await;
    let client = Client::new(&razorpay.api_base, KEY_ID, KEY_SECRET);
    let charge = Charge {
        payment_id: PaymentId(Uuid::new_v4()),
        booking_id: BookingId(Uuid::new_v4()),
        amount: 57080,
        currency: "INR".into(),
        description: "District booking TEST".into(),
        return_path: "/bookings/x".into(),
    };
    let first = client.create(&charge).await.unwrap();
    let again = client.create(&charge).await.unwrap();
    assert_eq!(first.gateway_ref, again.gateway_ref);
    assert_eq!(first.checkout.key_id.as_deref(), Some(KEY_ID));
    assert_eq!(
        razorpay.orders_with_receipt(&charge.payment_id.to_string()),
        1
    );
    let wrong = Client::new(&razorpay.api_base, KEY_ID, "not-the-secret");
    assert!(
        wrong.create(&charge).await.is_err(),
        "Basic auth is checked"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_razorpay_payment_confirms_once_whatever_the_order_of_its_webhooks(db: PgPool) {
    let razorpay = Razorpay::start().await;
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let user = customers(&db, 1).await[0];
    let state = configured(&db, &razorpay);
    let app = server::router(state.clone());
    razorpay.webhook(&support::serve(app.clone(), "razorpay").await);

    let token = support::bearer(&state, user, Role::Customer);
    let auth = [("authorization", token.as_str())];
    let (booking, payment) =
        support::hold_and_pay(&app, &auth, &venue, &["C5", "C6"], "razorpay").await;
    assert_eq!(payment["key_id"], KEY_ID);
    let order = payment["order_id"].as_str().unwrap().to_owned();
    // The web checkout hands Razorpay Checkout the order and the key id.
    let page_uri = format!("/pay/card/{}", payment["payment_id"].as_str().unwrap());
    let page = support::get(&app, &page_uri, &auth).await.body;
    assert!(page.contains(&format!(r#"data-order="{order}""#)), "{page}");
    assert!(
        page.contains("checkout.razorpay.com/v1/checkout.js"),
        "{page}"
    );
    let uri = format!(
        "/api/v1/payments/{}",
        payment["payment_id"].as_str().unwrap()
    );
    let seen = || async { send(&app, "GET", &uri, None, &auth).await.json() };
    let status = |db: PgPool| async move {
        sqlx::query_scalar::<_, String>("SELECT status::text FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&db)
            .await
            .unwrap()
    };

    // Webhooks not signed with the webhook secret, or without their event id, change nothing.
    let forged =
        json!({"entity": "event", "event": "payment.captured", "payload": {"payment": {"entity":
        {"id": "pay_forged", "order_id": order, "amount": payment["amount"], "currency": "INR"}}}})
        .to_string();
    let key_signed =
        app::payment::signature::hex_signature(KEY_SECRET.as_bytes(), forged.as_bytes());
    let good = app::payment::signature::hex_signature(WEBHOOK_SECRET.as_bytes(), forged.as_bytes());
    let path = "/api/v1/payments/webhook/razorpay";
    for (what, signature, event_id) in [
        (
            "signed with the key secret",
            Some(key_signed.as_str()),
            Some("evt_f1"),
        ),
        ("unsigned", None, Some("evt_f2")),
        ("no event id", Some(good.as_str()), None),
    ] {
        let mut request = http::Request::post(path).header("content-type", "application/json");
        if let Some(signature) = signature {
            request = request.header("x-razorpay-signature", signature);
        }
        if let Some(event_id) = event_id {
            request = request.header("x-razorpay-event-id", event_id);
        }
        let request = request
            .body(axum::body::Body::from(forged.clone()))
            .unwrap();
        let reply = support::request(&app, request).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.body
        );
    }
    assert_eq!(status(db.clone()).await, "held");

    // Declined, then paid with another card; the success confirms, and once.
    let (_, _) = razorpay.pay(&order, false).await;
    assert_eq!(seen().await["status"], "failed");
    let (captured, body) = razorpay.pay(&order, true).await;
    assert_eq!(status(db.clone()).await, "confirmed");
    assert_eq!(seen().await["status"], "succeeded");
    assert_eq!(
        razorpay.deliver(&captured, &body).await,
        200,
        "a replay is acknowledged"
    );
    // Razorpay does not promise order: a failure told late moves nothing back.
    let late = json!({"payment": {"entity": {"id": "pay_late", "order_id": order,
        "amount": payment["amount"], "currency": "INR", "status": "failed"}}});
    razorpay.send("payment.failed", late).await;
    assert_eq!(seen().await["status"], "succeeded");
    let confirmations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'booking.confirmed'",
    )
    .bind(booking)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(confirmations, 1);

    // Cancelled: the policy's refund goes back through Razorpay, once.
    let cancelled = send(
        &app,
        "DELETE",
        &format!("/api/v1/bookings/{booking}"),
        None,
        &auth,
    )
    .await;
    let due = cancelled.json()["refund_due"].as_i64().unwrap();
    assert_eq!(state.payments.settle().await.unwrap().refunds_issued, 1);
    let refunded = || async { seen().await["refunds"][0]["status"] == "succeeded" };
    assert!(
        support::eventually(refunded).await,
        "refund.processed settled it"
    );
    state.payments.settle().await.unwrap();
    let at_razorpay: Vec<Value> = razorpay.refunds();
    assert_eq!(at_razorpay.len(), 1);
    assert_eq!(at_razorpay[0]["amount"], due);
    // Asked later (the reconciliation of refunds no webhook settled), Razorpay says it is paid.
    let client = Client::new(&razorpay.api_base, KEY_ID, KEY_SECRET);
    let refund_id = at_razorpay[0]["id"].as_str().unwrap();
    assert_eq!(client.refund_status(refund_id).await, Ok(Some(true)));
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn razorpay_checkout_s_answer_confirms_before_the_webhook_once_its_signature_holds(
    db: PgPool,
) {
    let razorpay = Razorpay::start().await;
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 2).await;
    let state = configured(&db, &razorpay);
    let app = server::router(state.clone());
    let token = support::bearer(&state, users[0], Role::Customer);
    let auth = [("authorization", token.as_str())];
    let (booking, payment) =
        support::hold_and_pay(&app, &auth, &venue, &["D5", "D6"], "razorpay").await;
    let order = payment["order_id"].as_str().unwrap();
    // Paid on Razorpay Checkout; its webhook has not come.
    let paid = razorpay.record_payment(order, true);
    let paid_id = paid["id"].as_str().unwrap();
    let sign = |message: String| {
        app::payment::signature::hex_signature(KEY_SECRET.as_bytes(), message.as_bytes())
    };
    let uri = format!(
        "/api/v1/payments/{}/razorpay-checkout",
        payment["payment_id"].as_str().unwrap()
    );
    let answer = |signature: String, who: &[(&str, &str)]| {
        let body = json!({"razorpay_payment_id": paid_id, "razorpay_order_id": "order_elsewhere",
                          "razorpay_signature": signature});
        let app = app.clone();
        let uri = uri.clone();
        let who: Vec<(String, String)> = who
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        async move {
            let who: Vec<(&str, &str)> =
                who.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            send(&app, "POST", &uri, Some(body), &who).await
        }
    };
    // Signed over another order (the one the callback names), or by another key: refused.
    let other_order = answer(sign(format!("order_elsewhere|{paid_id}")), &auth).await;
    assert_eq!(
        other_order.status,
        StatusCode::BAD_REQUEST,
        "{}",
        other_order.body
    );
    assert_eq!(other_order.json()["error"]["code"], "invalid_signature");
    let stranger = support::bearer(&state, users[1], Role::Customer);
    let theirs = answer(
        sign(format!("{order}|{paid_id}")),
        &[("authorization", &stranger)],
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let status = || async {
        sqlx::query_scalar::<_, String>("SELECT status::text FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&db)
            .await
            .unwrap()
    };
    assert_eq!(status().await, "held");

    let genuine = answer(sign(format!("{order}|{paid_id}")), &auth).await;
    assert_eq!(genuine.status, StatusCode::OK, "{}", genuine.body);
    assert_eq!(genuine.json()["status"], "succeeded");
    assert_eq!(status().await, "confirmed");

    // The checkout page posts the same answer as a form, and goes back to the booking.
    let form = format!(
        "payment_id={}&razorpay_payment_id={paid_id}&razorpay_signature={}",
        payment["payment_id"].as_str().unwrap(),
        sign(format!("{order}|{paid_id}"))
    );
    let posted = http::Request::post("/_fn/payment/razorpay")
        .header("host", "district.test")
        .header("origin", "http://district.test")
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", &token)
        .body(axum::body::Body::from(form))
        .unwrap();
    let back = support::request(&app, posted).await;
    assert!(
        back.status.is_redirection(),
        "{} {}",
        back.status,
        back.body
    );
    assert_eq!(
        back.headers["location"],
        format!("/bookings/{booking}").as_str()
    );
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}
