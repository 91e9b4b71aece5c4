//! Paying for holds through the sandbox gateway, end to end over REST against real PostgreSQL:
//! signed webhooks, replays, late and duplicate payments, refunds and the jobs that settle what
//! no webhook did. Long: one test per behaviour the money invariant rests on.

mod support;

use app::{
    account::Role,
    payment::{sandbox::Choice, signature, test_cards},
};
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use std::time::Duration as StdDuration;
use support::{
    send,
    venue::{customers, invariant_breaches, run_out, seat_status, venue, Venue},
    Reply,
};
use uuid::Uuid;

const SECRET: &str = "whsec_payments_test";

struct Setup {
    state: AppState,
    app: axum::Router,
    venue: Venue,
    users: Vec<Uuid>,
    db: PgPool,
    mail: String,
}

/// PostgreSQL alone decides on seats (tests move deadlines in the database, which the
/// in-process seat filter's own clock would not see).
async fn setup(db: &PgPool) -> Setup {
    let venue = venue(db, 6, 12, Duration::days(2)).await;
    let users = customers(db, 3).await;
    let mail = support::mail_dir();
    let state = support::state_with(
        db.clone(),
        None,
        &[
            ("SANDBOX_WEBHOOK_SECRET", SECRET),
            ("PAYMENT_GRACE_SECONDS", "120"),
            ("MAIL_DIR", &mail),
        ],
    );
    let state = support::without_filter(&state);
    let app = server::router(state.clone());
    Setup {
        state,
        app,
        venue,
        users,
        db: db.clone(),
        mail,
    }
}

impl Setup {
    async fn call(&self, user: usize, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let token = support::bearer(&self.state, self.users[user], Role::Customer);
        send(&self.app, method, uri, body, &[("authorization", &token)]).await
    }

    async fn hold(&self, user: usize, labels: &[&str]) -> Uuid {
        let body = json!({"show_id": self.venue.show_id, "seat_ids": self.venue.ids(labels)});
        let held = self
            .call(user, "POST", "/api/v1/bookings/hold", Some(body))
            .await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        uuid(&held.json()["booking_id"])
    }

    async fn initiate(&self, user: usize, booking: Uuid) -> Reply {
        let body = json!({"booking_id": booking, "provider": "sandbox"});
        self.call(user, "POST", "/api/v1/payments/initiate", Some(body))
            .await
    }

    async fn payment(&self, user: usize, booking: Uuid) -> Uuid {
        let started = self.initiate(user, booking).await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
        uuid(&started.json()["payment_id"])
    }

    /// The moviegoer's choice on the sandbox's page, and its webhooks delivered.
    async fn checkout(&self, payment: Uuid, choice: Choice) {
        let sandbox = self.state.payments.sandbox().expect("the sandbox is on");
        sandbox.settle(payment.into(), &choice).await.unwrap();
        self.state
            .payments
            .deliver_sandbox_webhooks()
            .await
            .unwrap();
    }

    async fn pay(&self, payment: Uuid) {
        let card = test_cards::SUCCEEDS.into();
        self.checkout(payment, Choice::Pay { card }).await;
    }

    async fn webhook(&self, path: &str, body: &str, signature: Option<String>) -> Reply {
        let mut headers = vec![("content-type", "application/json".to_owned())];
        if let Some(signature) = signature {
            headers.push(("sandbox-signature", signature));
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let request = http::Request::builder()
            .method("POST")
            .uri(path)
            .body(axum::body::Body::from(body.to_owned()));
        let mut request = request.unwrap();
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(name, http::HeaderValue::from_str(value).unwrap());
        }
        support::request(&self.app, request).await
    }

    async fn status(&self, booking: Uuid) -> String {
        sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    async fn get_payment(&self, user: usize, payment: Uuid) -> Value {
        let got = self
            .call(user, "GET", &format!("/api/v1/payments/{payment}"), None)
            .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        got.json()
    }

    async fn seat(&self, label: &str) -> String {
        seat_status(&self.db, self.venue.show_id, self.venue.ids(&[label])[0]).await
    }

    async fn count(&self, sql: &str, id: Uuid) -> i64 {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// The subjects of the mails the outbox relay sent to a user so far.
    async fn mailed(&self, user: usize) -> Vec<String> {
        support::outbox::relay(&self.state).await;
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(self.users[user])
            .fetch_one(&self.db)
            .await
            .unwrap();
        let mut mails: Vec<_> = std::fs::read_dir(&self.mail)
            .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        mails.sort();
        mails
            .iter()
            .filter(|path| path.to_string_lossy().ends_with(&format!("{email}.txt")))
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .filter_map(|text| {
                let subject = text.lines().find_map(|l| l.strip_prefix("Subject: "));
                subject.map(|s| s.split(':').next().unwrap().to_owned())
            })
            .collect()
    }

    /// Every seat and every rupee accounted for.
    async fn sound(&self) {
        assert_eq!(invariant_breaches(&self.db).await, Vec::<String>::new());
    }
}

fn uuid(value: &Value) -> Uuid {
    value.as_str().unwrap().parse().unwrap()
}

fn sandbox_event(id: &str, kind: &str, payment: Uuid, amount: i64, currency: &str) -> String {
    json!({"id": id, "type": kind,
           "data": {"payment_id": payment, "amount": amount, "currency": currency}})
    .to_string()
}

fn signed(body: &str) -> Option<String> {
    let now = chrono::Utc::now().timestamp();
    Some(signature::timestamped(
        SECRET.as_bytes(),
        now,
        body.as_bytes(),
    ))
}

async fn code(db: &PgPool, booking: Uuid) -> String {
    sqlx::query_scalar("SELECT code FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn total(db: &PgPool, booking: Uuid) -> i64 {
    sqlx::query_scalar("SELECT total_minor FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_sandbox_payment_confirms_the_booking_through_its_signed_webhook(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["C5", "C6"]).await;
    let deadline = |db: PgPool| async move {
        sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>(
            "SELECT hold_expires_at FROM bookings WHERE id = $1",
        )
        .bind(booking)
        .fetch_one(&db)
        .await
        .unwrap()
    };
    let before = deadline(db.clone()).await;

    let started = s.initiate(0, booking).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let payment = started.json();
    assert_eq!(payment["status"], "pending");
    assert_eq!(payment["provider"], "sandbox");
    assert_eq!(payment["amount"], total(&db, booking).await);
    assert_eq!(payment["currency"], "INR");
    let id = uuid(&payment["payment_id"]);
    assert!(payment["checkout_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/pay/sandbox/{id}")));
    let extended = deadline(db.clone()).await;
    assert_eq!((extended - before).num_seconds(), 120, "grace added once");

    // Asked again: the same open payment, and no second extension.
    let again = s.initiate(0, booking).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(uuid(&again.json()["payment_id"]), id);
    assert_eq!(deadline(db.clone()).await, extended);

    s.pay(id).await;
    assert_eq!(s.status(booking).await, "confirmed");
    assert_eq!(s.seat("C5").await, "booked");
    let paid = s.get_payment(0, id).await;
    assert_eq!(paid["status"], "succeeded");
    assert!(paid["succeeded_at"].is_string());
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM outbox_events WHERE aggregate_id IN ($1, $2) ORDER BY id",
    )
    .bind(booking)
    .bind(id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        events,
        ["booking.held", "payment.succeeded", "booking.confirmed"]
    );
    assert_eq!(s.mailed(0).await, ["Booking confirmed"]);
    // Someone else's payment is not theirs to see.
    let other = s
        .call(1, "GET", &format!("/api/v1/payments/{id}"), None)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn webhook_signatures_are_checked_before_anything_changes(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["D1", "D2"]).await;
    let payment = s.payment(0, booking).await;
    let amount = total(&db, booking).await;
    let body = sandbox_event("evt_sig", "payment.succeeded", payment, amount, "INR");
    let path = "/api/v1/payments/webhook/sandbox";
    let now = chrono::Utc::now().timestamp();

    let tampered = body.replace(&amount.to_string(), &(amount - 1).to_string());
    let wrong_secret = signature::timestamped(b"whsec_someone_else", now, body.as_bytes());
    let stale = signature::timestamped(SECRET.as_bytes(), now - 301, body.as_bytes());
    for (what, sent, signature) in [
        ("tampered body", tampered.as_str(), signed(&body)),
        ("wrong secret", body.as_str(), Some(wrong_secret)),
        ("stale timestamp", body.as_str(), Some(stale)),
        ("missing header", body.as_str(), None),
        ("malformed header", body.as_str(), Some("v1=zz".into())),
    ] {
        let refused = s.webhook(path, sent, signature).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            refused.body
        );
        assert_eq!(refused.json()["error"]["code"], "invalid_webhook", "{what}");
        assert!(
            !refused.body.contains("evt_sig"),
            "{what}: the payload is not echoed"
        );
    }
    assert_eq!(s.status(booking).await, "held", "nothing changed");
    let recorded = s
        .count(
            "SELECT count(*) FROM gateway_events WHERE payment_id = $1",
            payment,
        )
        .await;
    assert_eq!(recorded, 0);

    // A gateway not configured here has no webhook; an unknown one neither.
    for path in [
        "/api/v1/payments/webhook/stripe",
        "/api/v1/payments/webhook/paypal",
    ] {
        let refused = s.webhook(path, &body, signed(&body)).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Genuine, at the address that knows the gateway by its header.
    let taken = s
        .webhook("/api/v1/payments/webhook", &body, signed(&body))
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(taken.json()["outcome"], "confirmed");
    assert_eq!(s.status(booking).await, "confirmed");
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_same_event_delivered_ten_times_at_once_confirms_once(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["E3", "E4"]).await;
    let payment = s.payment(0, booking).await;
    let body = sandbox_event(
        "evt_storm",
        "payment.succeeded",
        payment,
        total(&db, booking).await,
        "INR",
    );
    let deliveries =
        (0..10).map(|_| s.webhook("/api/v1/payments/webhook/sandbox", &body, signed(&body)));
    let replies = futures_util::future::join_all(deliveries).await;
    let mut outcomes: Vec<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()["outcome"].as_str().unwrap().to_owned()
        })
        .collect();
    outcomes.sort();
    assert_eq!(outcomes[0], "confirmed");
    assert!(
        outcomes[1..].iter().all(|o| o == "duplicate_event"),
        "{outcomes:?}"
    );
    let confirmations = s
        .count(
            "SELECT count(*) FROM outbox_events WHERE aggregate_id = $1 AND event_type = 'booking.confirmed'",
            booking,
        )
        .await;
    assert_eq!(confirmations, 1);
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_declined_attempt_unpins_the_hold_and_may_still_succeed(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["F1", "F2"]).await;
    let payment = s.payment(0, booking).await;

    // While the payment is open, the hold stays: neither replaced nor released.
    let body = json!({"show_id": s.venue.show_id, "seat_ids": s.venue.ids(&["E11", "E12"])});
    let replaced = s
        .call(0, "POST", "/api/v1/bookings/hold", Some(body.clone()))
        .await;
    assert_eq!(replaced.status, StatusCode::CONFLICT, "{}", replaced.body);
    assert_eq!(replaced.json()["error"]["code"], "payment_pending");
    let released = s
        .call(0, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    assert_eq!(released.status, StatusCode::CONFLICT, "{}", released.body);
    assert_eq!(s.status(booking).await, "held");
    assert_eq!(s.seat("F1").await, "held");

    s.checkout(
        payment,
        Choice::Pay {
            card: test_cards::DECLINED.into(),
        },
    )
    .await;
    let declined = s.get_payment(0, payment).await;
    assert_eq!(declined["status"], "failed");
    assert_eq!(declined["failure_reason"], "Your card was declined.");
    assert_eq!(
        s.status(booking).await,
        "held",
        "the hold outlives a declined card"
    );

    // The card is tried again on the gateway's page, and this time it goes through.
    s.pay(payment).await;
    assert_eq!(s.get_payment(0, payment).await["status"], "succeeded");
    assert_eq!(s.status(booking).await, "confirmed");

    // A succeeded payment never goes back to failed, however late that news comes.
    let late = sandbox_event("evt_late_fail", "payment.failed", payment, 1, "INR");
    let reply = s
        .webhook("/api/v1/payments/webhook/sandbox", &late, signed(&late))
        .await;
    assert_eq!(reply.json()["outcome"], "unchanged");
    assert_eq!(s.get_payment(0, payment).await["status"], "succeeded");
    let code = code(&db, booking).await;
    assert_eq!(
        s.mailed(0).await,
        [
            format!("Payment failed for booking {code}"),
            "Booking confirmed".into()
        ]
    );
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn paid_after_the_hold_lapsed_confirms_if_the_seats_are_free(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["B3", "B4"]).await;
    let payment = s.payment(0, booking).await;
    run_out(&db, booking).await;
    s.pay(payment).await;
    assert_eq!(s.status(booking).await, "confirmed");
    assert_eq!(s.seat("B3").await, "booked");
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn paid_after_a_seat_was_taken_is_refunded_and_the_seats_stay_put(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["B7", "B8"]).await;
    let payment = s.payment(0, booking).await;
    run_out(&db, booking).await;
    let rival = s.hold(1, &["B7", "B8"]).await;

    s.pay(payment).await;
    assert_ne!(s.status(booking).await, "confirmed");
    assert_eq!(s.status(rival).await, "held");
    assert_eq!(s.seat("B8").await, "held", "the rival keeps the seat");
    let paid = s.get_payment(0, payment).await;
    assert_eq!(paid["refunds"][0]["reason"], "seats_taken");
    assert_eq!(paid["refunds"][0]["status"], "pending");
    assert_eq!(paid["refunds"][0]["amount"], paid["amount"]);

    // The job asks the sandbox for the refund; the sandbox's webhook settles it.
    let settled = s.state.payments.settle().await.unwrap();
    assert_eq!(settled.refunds_issued, 1);
    let refunded = s.get_payment(0, payment).await;
    assert_eq!(refunded["status"], "refunded");
    assert_eq!(refunded["refunds"][0]["status"], "succeeded");
    let code = code(&db, booking).await;
    // Told that the hold ran out (a mail sent in the same relay batch as the refund's, so in
    // either order), that the refund is on its way, then that it was paid.
    let mut mailed = s.mailed(0).await;
    mailed[..2].sort();
    assert_eq!(
        mailed,
        [
            format!("Refund on its way for booking {code}"),
            "Your seats were released".into(),
            format!("Refund paid for booking {code}"),
        ]
    );
    // Asked again, the gateway is not asked twice.
    assert_eq!(s.state.payments.settle().await.unwrap().refunds_issued, 0);
    let at_gateway = s
        .count(
            "SELECT count(*) FROM sandbox_refunds WHERE payment_id = $1",
            payment,
        )
        .await;
    assert_eq!(at_gateway, 1);
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_lapsed_hold_its_user_replaced_or_released_is_never_revived(db: PgPool) {
    let s = setup(&db).await;
    let declined = Choice::Pay {
        card: test_cards::DECLINED.into(),
    };
    // Replaced: a declined attempt, the hold runs out, the user picks other seats.
    let replaced = s.hold(0, &["C1", "C2"]).await;
    let first = s.payment(0, replaced).await;
    s.checkout(first, declined.clone()).await;
    run_out(&db, replaced).await;
    let other = s.hold(0, &["C5", "C6"]).await;
    assert_eq!(s.status(replaced).await, "cancelled");
    // Released: the same, then the user lets the hold go.
    let released = s.hold(1, &["C9", "C10"]).await;
    let second = s.payment(1, released).await;
    s.checkout(second, declined).await;
    run_out(&db, released).await;
    let reply = s
        .call(1, "DELETE", &format!("/api/v1/bookings/{released}"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["status"], "cancelled");

    // The declined cards go through after all, with every seat still free: no booking comes
    // back to life; the money goes back.
    for (user, booking, payment, seat) in [(0, replaced, first, "C1"), (1, released, second, "C9")]
    {
        s.pay(payment).await;
        assert_eq!(s.status(booking).await, "cancelled");
        assert_eq!(s.seat(seat).await, "available");
        let paid = s.get_payment(user, payment).await;
        assert_eq!(paid["refunds"][0]["reason"], "booking_cancelled");
    }
    assert_eq!(s.status(other).await, "held");
    s.state.payments.settle().await.unwrap();
    assert_eq!(s.get_payment(0, first).await["status"], "refunded");
    assert_eq!(s.get_payment(1, second).await["status"], "refunded");
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_payment_of_the_wrong_amount_or_currency_never_confirms(db: PgPool) {
    let s = setup(&db).await;
    let path = "/api/v1/payments/webhook/sandbox";
    for (event, labels, amount_off, currency) in [
        ("evt_short", ["A3", "A4"], -100, "INR"),
        ("evt_usd", ["A7", "A8"], 0, "USD"),
    ] {
        let booking = s.hold(0, &labels).await;
        let payment = s.payment(0, booking).await;
        let amount = total(&db, booking).await + amount_off;
        let body = sandbox_event(event, "payment.succeeded", payment, amount, currency);
        let reply = s.webhook(path, &body, signed(&body)).await;
        assert_eq!(reply.json()["outcome"], "refund_due", "{event}");
        assert_eq!(s.status(booking).await, "held", "{event}");
        let seen = s.get_payment(0, payment).await;
        assert_eq!(seen["refunds"][0]["reason"], "amount_mismatch", "{event}");
        assert_eq!(
            seen["refunds"][0]["amount"], amount,
            "{event}: what was taken"
        );
        assert_eq!(seen["refunds"][0]["currency"], currency, "{event}");
        let flagged = s
            .count(
                "SELECT count(*) FROM payments WHERE id = $1 AND review_reason IS NOT NULL",
                payment,
            )
            .await;
        assert_eq!(flagged, 1, "{event}: flagged for review");
        // A new attempt for the same hold is possible.
        sqlx::query("DELETE FROM refunds WHERE payment_id = $1")
            .bind(payment)
            .execute(&db)
            .await
            .ok();
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_second_succeeded_payment_is_refunded(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["D7", "D8"]).await;
    let first = s.payment(0, booking).await;
    s.checkout(
        first,
        Choice::Pay {
            card: test_cards::DECLINED.into(),
        },
    )
    .await;
    let second = s.payment(0, booking).await;
    assert_ne!(first, second, "a new attempt after a decline");

    s.pay(second).await;
    assert_eq!(s.status(booking).await, "confirmed");
    // The first attempt goes through after all (a card retried on the gateway's page).
    s.pay(first).await;
    let duplicate = s.get_payment(0, first).await;
    assert_eq!(duplicate["status"], "succeeded");
    assert_eq!(duplicate["refunds"][0]["reason"], "duplicate_payment");
    s.state.payments.settle().await.unwrap();
    assert_eq!(s.get_payment(0, first).await["status"], "refunded");
    assert_eq!(s.get_payment(0, second).await["status"], "succeeded");
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_sweeper_leaves_a_pending_payment_to_the_gateway(db: PgPool) {
    let s = setup(&db).await;
    let payments = &s.state.payments;
    let quiet = StdDuration::from_secs(60);
    let long = StdDuration::from_secs(3600);

    // Paid at the gateway, but its webhook never came: looked up and confirmed.
    let booking = s.hold(0, &["E7", "E8"]).await;
    let payment = s.payment(0, booking).await;
    run_out(&db, booking).await;
    s.state.bookings.expire_due_holds().await.unwrap();
    assert_eq!(
        s.status(booking).await,
        "held",
        "pinned: the sweeper waits for the gateway"
    );
    assert_eq!(payments.reconcile(quiet, long).await.unwrap(), (0, 0));
    let sandbox = payments.sandbox().unwrap();
    let card = test_cards::SUCCEEDS.into();
    sandbox
        .settle(payment.into(), &Choice::Pay { card })
        .await
        .unwrap();
    sqlx::query("DELETE FROM sandbox_deliveries")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE payments SET checked_at = NULL")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(payments.reconcile(quiet, long).await.unwrap(), (1, 0));
    assert_eq!(s.status(booking).await, "confirmed");

    // Never paid, and the gateway keeps saying nothing: given up, then the hold lapses.
    let silent = s.hold(1, &["F7", "F8"]).await;
    let open = s.payment(1, silent).await;
    run_out(&db, silent).await;
    assert_eq!(
        payments.reconcile(quiet, StdDuration::ZERO).await.unwrap(),
        (0, 1)
    );
    assert_eq!(s.get_payment(1, open).await["status"], "cancelled");
    s.state.bookings.expire_due_holds().await.unwrap();
    assert_eq!(s.status(silent).await, "expired");
    assert_eq!(s.seat("F7").await, "available");
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn cancelling_a_paid_booking_refunds_the_policy_amount_through_the_gateway(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["C9", "C10"]).await;
    let payment = s.payment(0, booking).await;
    s.pay(payment).await;
    let cancelled = s
        .call(0, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let due = cancelled.json()["refund_due"].as_i64().unwrap();
    assert!(due > 0);
    s.state.payments.settle().await.unwrap();
    let seen = s.get_payment(0, payment).await;
    assert_eq!(seen["refunds"][0]["reason"], "cancelled_by_user");
    assert_eq!(seen["refunds"][0]["amount"], due);
    assert_eq!(seen["refunds"][0]["status"], "succeeded");
    let expected = if due == seen["amount"].as_i64().unwrap() {
        "refunded"
    } else {
        "partially_refunded"
    };
    assert_eq!(seen["status"], expected);
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn what_cannot_be_paid_is_refused_and_changes_nothing(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["D11", "D12"]).await;
    let cases = [
        (
            1,
            json!({"booking_id": booking, "provider": "sandbox"}),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            0,
            json!({"booking_id": booking, "provider": "stripe"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            0,
            json!({"booking_id": booking, "provider": "paypal"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            0,
            json!({"booking_id": "nope", "provider": "sandbox"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (user, body, status, code) in cases {
        let reply = s
            .call(
                user,
                "POST",
                "/api/v1/payments/initiate",
                Some(body.clone()),
            )
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], code, "{body}");
    }
    run_out(&db, booking).await;
    let lapsed = s.initiate(0, booking).await;
    assert_eq!(lapsed.status, StatusCode::CONFLICT, "{}", lapsed.body);
    assert_eq!(lapsed.json()["error"]["code"], "hold_expired");
    let none = s
        .count(
            "SELECT count(*) FROM payments WHERE booking_id = $1",
            booking,
        )
        .await;
    assert_eq!(none, 0);
}

/// A user who runs the test venue's theater.
async fn door_staff(s: &Setup) -> String {
    let staff = customers(&s.db, 1).await[0];
    sqlx::query("UPDATE users SET role = 'theater_admin' WHERE id = $1")
        .bind(staff)
        .execute(&s.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO theater_admins (theater_id, user_id) VALUES ($1, $2)")
        .bind(s.venue.theater_id)
        .bind(staff)
        .execute(&s.db)
        .await
        .unwrap();
    support::bearer(&s.state, staff, Role::TheaterAdmin)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_paid_booking_has_a_ticket_that_lets_in_once(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["C3", "C4"]).await;
    let uri = format!("/api/v1/bookings/{booking}/ticket");
    let unpaid = s.call(0, "GET", &uri, None).await;
    assert_eq!(unpaid.status, StatusCode::CONFLICT, "{}", unpaid.body);
    assert_eq!(unpaid.json()["error"]["code"], "not_confirmed");
    let pdf_uri = format!("{uri}.pdf");
    let unpaid = s.call(0, "GET", &pdf_uri, None).await;
    assert_eq!(unpaid.status, StatusCode::CONFLICT, "{}", unpaid.body);
    s.pay(s.payment(0, booking).await).await;

    // The ticket to keep, as a PDF: its owner's alone.
    let pdf = s.call(0, "GET", &pdf_uri, None).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let code = code(&db, booking).await;
    let disposition = pdf.headers["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"district-ticket-{code}.pdf\"")
    );
    assert!(pdf.body.starts_with("%PDF-1.4"));
    assert!(pdf.body.contains(&format!("({code}) Tj")), "{}", pdf.body);
    let theirs = s.call(1, "GET", &pdf_uri, None).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    let ticket = s.call(0, "GET", &uri, None).await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.body);
    let token = ticket.json()["token"].as_str().unwrap().to_owned();
    assert!(ticket.json()["qr_svg"]
        .as_str()
        .unwrap()
        .starts_with("<?xml"));
    // Checked offline with the published key alone.
    let jwk = support::get(&s.app, "/api/v1/tickets/public-key", &[])
        .await
        .json();
    let key = jsonwebtoken::DecodingKey::from_ed_components(jwk["x"].as_str().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["district-ticket"]);
    let claims = jsonwebtoken::decode::<Value>(&token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], booking.to_string());
    assert_eq!(claims["seats"], json!(["C3", "C4"]));

    let staff = door_staff(&s).await;
    let at_door = |method: &'static str, path: &'static str, who: String| {
        let uri = format!("/api/v1/tickets/{token}/{path}");
        let app = s.app.clone();
        async move { send(&app, method, &uri, None, &[("authorization", &who)]).await }
    };
    let read = at_door("GET", "verify", staff.clone()).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.json()["checked_in_at"], Value::Null);
    let first = at_door("POST", "check-in", staff.clone()).await;
    assert_eq!(first.json()["admitted_now"], true, "{}", first.body);
    let used_at = first.json()["checked_in_at"].clone();
    assert!(used_at.is_string());
    let second = at_door("POST", "check-in", staff.clone()).await;
    assert_eq!(second.json()["admitted_now"], false);
    assert_eq!(
        second.json()["checked_in_at"],
        used_at,
        "says when it was first used"
    );

    // The moviegoer is not door staff; staff of another theater do not see it.
    let own = support::bearer(&s.state, s.users[0], Role::Customer);
    assert_eq!(
        at_door("POST", "check-in", own).await.status,
        StatusCode::NOT_FOUND
    );
    let elsewhere = support::bearer(&s.state, s.users[1], Role::TheaterAdmin);
    assert_eq!(
        at_door("GET", "verify", elsewhere).await.status,
        StatusCode::NOT_FOUND
    );
    // Staff of another theater cannot let their own ticket in either.
    let own_elsewhere = support::bearer(&s.state, s.users[0], Role::TheaterAdmin);
    let refused = at_door("GET", "verify", own_elsewhere).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // Forged: signed with another key, or with a byte changed.
    let forged = app::booking::ticket::TicketKeys::from_seed(&[7; 32]).issue(
        &app::booking::ticket::Ticket {
            booking: booking.into(),
            show: s.venue.show_id.into(),
            seats: vec!["C3".into()],
            valid_until: chrono::Utc::now().timestamp() + 3600,
        },
    );
    let mut tampered = token.clone();
    let at = token.len() - 6;
    let other = if &token[at..at + 1] == "A" { "B" } else { "A" };
    tampered.replace_range(at..at + 1, other);
    for fake in [forged, tampered, "not-a-ticket".to_owned()] {
        let uri = format!("/api/v1/tickets/{fake}/check-in");
        let refused = send(&s.app, "POST", &uri, None, &[("authorization", &staff)]).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fake}: {}",
            refused.body
        );
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_cancelled_booking_s_ticket_is_void(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["F3", "F4"]).await;
    s.pay(s.payment(0, booking).await).await;
    let ticket = s
        .call(
            0,
            "GET",
            &format!("/api/v1/bookings/{booking}/ticket"),
            None,
        )
        .await;
    let token = ticket.json()["token"].as_str().unwrap().to_owned();
    let cancelled = s
        .call(0, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let staff = door_staff(&s).await;
    let uri = format!("/api/v1/tickets/{token}/check-in");
    let refused = send(&s.app, "POST", &uri, None, &[("authorization", &staff)]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "booking_cancelled");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_typed_booking_code_is_void_after_the_show_like_its_ticket(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["A7", "A8"]).await;
    s.pay(s.payment(0, booking).await).await;
    let staff = door_staff(&s).await;
    let uri = format!("/api/v1/tickets/{}/verify", code(&db, booking).await);
    let valid = send(&s.app, "GET", &uri, None, &[("authorization", &staff)]).await;
    assert_eq!(valid.status, StatusCode::OK, "{}", valid.body);
    sqlx::query(
        "UPDATE shows SET starts_at = now() - interval '2 days',
                          ends_at = now() - interval '2 days' + interval '3 hours'",
    )
    .execute(&db)
    .await
    .unwrap();
    let over = send(&s.app, "GET", &uri, None, &[("authorization", &staff)]).await;
    assert_eq!(over.status, StatusCode::CONFLICT, "{}", over.body);
    assert_eq!(over.json()["error"]["code"], "ticket_expired");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_refund_whose_webhook_was_lost_is_looked_up_at_the_gateway(db: PgPool) {
    let s = setup(&db).await;
    let booking = s.hold(0, &["B11", "B12"]).await;
    let payment = s.payment(0, booking).await;
    s.pay(payment).await;
    s.call(0, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    let payments = &s.state.payments;
    assert_eq!(payments.issue_refunds().await.unwrap(), (1, 0));
    // The gateway's word that it paid the refund back never arrives.
    sqlx::query("DELETE FROM sandbox_deliveries")
        .execute(&db)
        .await
        .unwrap();
    let quiet = StdDuration::from_secs(60);
    assert_eq!(
        payments.reconcile_refunds(quiet).await.unwrap(),
        0,
        "not yet"
    );
    assert_eq!(
        s.get_payment(0, payment).await["refunds"][0]["status"],
        "issued"
    );
    sqlx::query(
        "UPDATE refunds SET updated_at = now() - interval '2 minutes',
                            next_attempt_at = now() - interval '1 second'",
    )
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(payments.reconcile_refunds(quiet).await.unwrap(), 1);
    assert_eq!(
        s.get_payment(0, payment).await["refunds"][0]["status"],
        "succeeded"
    );
    s.sound().await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_client_that_hangs_up_mid_request_gets_the_answer_on_retry(db: PgPool) {
    use tower::ServiceExt;
    let s = setup(&db).await;
    let booking = s.hold(0, &["E5", "E6"]).await;
    let token = support::bearer(&s.state, s.users[0], Role::Customer);
    let body = json!({"booking_id": booking, "provider": "sandbox"}).to_string();
    let request = || {
        http::Request::post("/api/v1/payments/initiate")
            .header("authorization", &token)
            .header("content-type", "application/json")
            .header("idempotency-key", "pay-once")
            .body(axum::body::Body::from(body.clone()))
            .unwrap()
    };
    // The booking's row is busy, so the work waits; meanwhile the client gives up.
    let mut busy = db.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM bookings WHERE id = $1 FOR UPDATE")
        .bind(booking)
        .execute(&mut *busy)
        .await
        .unwrap();
    let wait = StdDuration::from_millis(300);
    let gave_up = tokio::time::timeout(wait, s.app.clone().oneshot(request())).await;
    assert!(gave_up.is_err(), "the request was still running");
    busy.commit().await.unwrap();

    // The work went on without the client: the retry gets its answer, and there is one payment.
    let answered = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT status_code IS NOT NULL FROM idempotency_keys WHERE key = 'pay-once'",
        )
        .fetch_one(&db)
        .await
        .unwrap_or(false)
    };
    assert!(support::eventually(answered).await, "the answer was saved");
    let retry = support::request(&s.app, request()).await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    let payments = s
        .count(
            "SELECT count(*) FROM payments WHERE booking_id = $1",
            booking,
        )
        .await;
    assert_eq!(payments, 1);
}
