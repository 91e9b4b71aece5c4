//! Paying through Stripe, against localstripe (a third-party implementation of Stripe's API,
//! `support::stripe`): a PaymentIntent per attempt, the moviegoer's card confirmed as Stripe.js
//! would, localstripe's signed webhook confirming the booking, and a cancellation refunded
//! through Stripe's Refunds API.

mod support;

use app::account::Role;
use chrono::Duration;
use http::StatusCode;
use serde_json::json;
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use support::{
    send,
    stripe::{LocalStripe, SECRET_KEY},
    venue::{customers, invariant_breaches, venue, Venue},
};

const WEBHOOK_SECRET: &str = "whsec_district_stripe_test";

/// localstripe, a test cinema, the app's state pointed at localstripe, and a customer's
/// bearer token.
async fn with_stripe(db: &PgPool) -> (LocalStripe, Venue, AppState, String) {
    let stripe = LocalStripe::start().await;
    let venue = venue(db, 6, 12, Duration::days(2)).await;
    let user = customers(db, 1).await[0];
    let state = support::state_with(
        db.clone(),
        None,
        &[
            ("STRIPE_SECRET_KEY", SECRET_KEY),
            ("STRIPE_PUBLISHABLE_KEY", "pk_test_district"),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("STRIPE_API_BASE", &stripe.api_base),
        ],
    );
    let token = support::bearer(&state, user, Role::Customer);
    (stripe, venue, state, token)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_stripe_payment_confirms_by_webhook_and_a_cancellation_is_refunded(db: PgPool) {
    let (stripe, venue, state, token) = with_stripe(&db).await;
    let app = server::router(state.clone());
    let hook = support::serve(app.clone(), "stripe").await;
    let events = [
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "charge.refunded",
    ];
    stripe.webhook(&hook, WEBHOOK_SECRET, &events).await;

    let auth = [("authorization", token.as_str())];
    let (booking, payment) =
        support::hold_and_pay(&app, &auth, &venue, &["C5", "C6"], "stripe").await;
    assert_eq!(payment["key_id"], "pk_test_district");
    let secret = payment["client_secret"].as_str().unwrap();
    // The web checkout hands Stripe Elements the client secret and the publishable key.
    let page_uri = format!("/pay/card/{}", payment["payment_id"].as_str().unwrap());
    let page = support::get(&app, &page_uri, &auth).await.body;
    for expected in [
        format!(r#"data-client-secret="{secret}""#),
        r#"data-key="pk_test_district""#.into(),
        r#"src="https://js.stripe.com/v3/""#.into(),
        r#"src="/checkout.js""#.into(),
    ] {
        assert!(page.contains(&expected), "{expected} in {page}");
    }
    let intent = secret.split("_secret_").next().unwrap().to_owned();
    let created = stripe.get(&format!("/v1/payment_intents/{intent}")).await;
    assert_eq!(created["amount"], payment["amount"]);
    assert_eq!(created["currency"], "inr");
    assert_eq!(created["metadata"]["payment_id"], payment["payment_id"]);

    // A webhook that is not Stripe's changes nothing.
    let forged = json!({"id": "evt_forged", "type": "payment_intent.succeeded",
                        "data": {"object": created}})
    .to_string();
    let now = chrono::Utc::now().timestamp();
    let wrong = app::payment::signature::timestamped(b"whsec_other", now, forged.as_bytes());
    let path = "/api/v1/payments/webhook/stripe";
    let request = http::Request::post(path)
        .header("stripe-signature", wrong)
        .body(axum::body::Body::from(forged))
        .unwrap();
    assert_eq!(
        support::request(&app, request).await.status,
        StatusCode::BAD_REQUEST
    );

    let paid = stripe.pay(&intent, "4242424242424242").await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    let status = |db: PgPool| async move {
        sqlx::query_scalar::<_, String>("SELECT status::text FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&db)
            .await
            .unwrap()
    };
    assert!(
        support::eventually(|| async { status(db.clone()).await == "confirmed" }).await,
        "localstripe's webhook confirmed the booking"
    );

    let cancelled = send(
        &app,
        "DELETE",
        &format!("/api/v1/bookings/{booking}"),
        None,
        &auth,
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let due = cancelled.json()["refund_due"].as_i64().unwrap();
    assert_eq!(state.payments.settle().await.unwrap().refunds_issued, 1);
    let uri = format!(
        "/api/v1/payments/{}",
        payment["payment_id"].as_str().unwrap()
    );
    let refunded = || async {
        let seen = send(&app, "GET", &uri, None, &auth).await.json();
        seen["refunds"][0]["status"] == "succeeded"
    };
    assert!(support::eventually(refunded).await, "the refund settled");
    let at_stripe = stripe.get(&format!("/v1/payment_intents/{intent}")).await;
    let charge = &at_stripe["charges"]["data"][0];
    assert_eq!(charge["amount_refunded"], due, "{at_stripe}");
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_gateway_that_keeps_failing_cannot_pin_a_hold_for_ever(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let user = customers(&db, 1).await[0];
    // Stripe is configured, but nothing answers where it should be.
    let dead = format!("http://127.0.0.1:{}", support::free_port());
    let state = support::state_with(
        db.clone(),
        None,
        &[
            ("STRIPE_SECRET_KEY", SECRET_KEY),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("STRIPE_API_BASE", &dead),
        ],
    );
    let app = server::router(state.clone());
    let token = support::bearer(&state, user, Role::Customer);
    let auth = [("authorization", token.as_str())];
    let body = json!({"show_id": venue.show_id, "seat_ids": venue.ids(&["C5", "C6"])});
    let held = send(&app, "POST", "/api/v1/bookings/hold", Some(body), &auth).await;
    let booking: uuid::Uuid = held.json()["booking_id"].as_str().unwrap().parse().unwrap();
    // A payment Stripe took before it went away; the hold then lapses.
    sqlx::query(
        "INSERT INTO payments (booking_id, gateway, gateway_ref, amount_minor, currency, status)
         SELECT id, 'stripe', 'pi_unreachable', total_minor, currency, 'pending'
           FROM bookings WHERE id = $1",
    )
    .bind(booking)
    .execute(&db)
    .await
    .unwrap();
    support::venue::run_out(&db, booking).await;
    let payments = &state.payments;
    let quiet = std::time::Duration::from_secs(60);
    let long = std::time::Duration::from_secs(3600);
    assert_eq!(
        payments.reconcile(quiet, long).await.unwrap(),
        (0, 0),
        "asked, no answer"
    );
    sqlx::query("UPDATE payments SET checked_at = NULL")
        .execute(&db)
        .await
        .unwrap();
    let past_bound = std::time::Duration::ZERO;
    assert_eq!(
        payments.reconcile(quiet, past_bound).await.unwrap(),
        (0, 1),
        "given up"
    );
    state.bookings.expire_due_holds().await.unwrap();
    let status: String = sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "expired", "the seats are free again");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_stripe_payment_whose_webhook_was_lost_is_looked_up_and_confirms(db: PgPool) {
    // No webhook is registered: Stripe takes the card and nobody is told.
    let (stripe, venue, state, token) = with_stripe(&db).await;
    let app = server::router(state.clone());
    let auth = [("authorization", token.as_str())];
    let (booking, payment) =
        support::hold_and_pay(&app, &auth, &venue, &["D5", "D6"], "stripe").await;
    let secret = payment["client_secret"].as_str().unwrap();
    let intent = secret.split("_secret_").next().unwrap();
    assert_eq!(
        stripe.pay(intent, "4242424242424242").await["status"],
        "succeeded"
    );
    let payments = &state.payments;
    let long = std::time::Duration::from_secs(3600);
    let quiet = std::time::Duration::from_secs(60);
    assert_eq!(
        payments.reconcile(quiet, long).await.unwrap(),
        (0, 0),
        "not yet"
    );
    sqlx::query("UPDATE payments SET updated_at = now() - interval '2 minutes'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        payments.reconcile(quiet, long).await.unwrap(),
        (1, 0),
        "Stripe says it succeeded"
    );
    let status: String = sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "confirmed");
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}
