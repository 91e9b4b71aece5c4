//! Offers and vouchers over REST against real PostgreSQL: limits under concurrency, price
//! lines that add up to what is charged, the rules with their reasons, uses given back, and
//! admins making, pausing and reporting on offers.

mod support;

use app::{
    booking::Amount,
    offer::{discounted, discounts, OfferBase, OfferKind, Terms},
};
use chrono::{Duration, Utc};
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    offers::offer,
    staff::{pairs, setup, setup_with, Setup},
    venue::{customers, invariant_breaches, paid, price_row, run_out},
    Reply,
};
use uuid::Uuid;

const THEATER_ADMIN: usize = 0;
const OTHER_ADMIN: usize = 1;
const CUSTOMER: usize = 2;
const PLATFORM_ADMIN: usize = 3;

impl Setup {
    async fn make_offer(&self, body: Value) -> Value {
        let made = self
            .post(Some(PLATFORM_ADMIN), "/api/v1/admin/offers", body)
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        made.json()
    }

    async fn apply(&self, user: Uuid, booking: Uuid, code: &str) -> Reply {
        let uri = format!("/api/v1/bookings/{booking}/offer");
        self.as_customer(user, "POST", &uri, Some(json!({"code": code})))
            .await
    }

    async fn redeemed(&self, code: &str) -> i32 {
        sqlx::query_scalar("SELECT redeemed FROM offers WHERE code = $1")
            .bind(code)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

/// An offer made for a case: its code, what its body changes, and its terms.
type Made = (&'static str, Value, Terms);

/// Many codes tried by one customer: a limit on tries too high to matter here.
async fn big_setup(db: &PgPool) -> Setup {
    let s = setup_with(
        db,
        Duration::days(3),
        &[("RATE_LIMIT_OFFER_PER_USER", "1000/1m")],
    )
    .await;
    // Room for many pairs: more rows on the same screen and show.
    sqlx::query(
        "WITH new AS (
            INSERT INTO seats (screen_id, category_id, row_label, number, grid_row, grid_col)
            SELECT se.screen_id, se.category_id, chr(ascii(se.row_label) + 4), se.number,
                   se.grid_row + 4, se.grid_col
              FROM seats se WHERE se.screen_id = $1
            RETURNING id, screen_id)
         INSERT INTO show_seats (show_id, seat_id, screen_id)
         SELECT $2, new.id, new.screen_id FROM new",
    )
    .bind(s.venue.screen_id)
    .bind(s.venue.show_id)
    .execute(db)
    .await
    .unwrap();
    let seats: Vec<(Uuid, String, i32, i32)> = sqlx::query_as(
        "SELECT id, row_label || number, grid_row, grid_col FROM seats
          WHERE screen_id = $1 ORDER BY grid_row, grid_col",
    )
    .bind(s.venue.screen_id)
    .fetch_all(db)
    .await
    .unwrap();
    let mut venue = s.venue.clone();
    venue.seats = seats
        .into_iter()
        .map(|(id, label, grid_row, grid_col)| support::venue::Seat {
            id,
            label,
            grid_row,
            grid_col,
        })
        .collect();
    Setup { venue, ..s }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_code_limited_to_ten_uses_is_redeemed_exactly_ten_times(db: PgPool) {
    let s = big_setup(&db).await;
    s.make_offer(offer("TEN", json!({"max_uses": 10}))).await;
    let users = customers(&db, 28).await;
    let mut bookings = Vec::new();
    for (user, pair) in users.iter().zip(pairs(&s, users.len())) {
        bookings.push(s.held(*user, &[&pair[0], &pair[1]]).await);
    }
    // Everyone applies the code at once: ten claims, and the rest hear it is used up.
    let applied = futures_util::future::join_all(
        users
            .iter()
            .zip(&bookings)
            .map(|(user, booking)| s.apply(*user, *booking, "ten")),
    )
    .await;
    let ok = applied
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(
        ok,
        10,
        "{:?}",
        applied.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    for refused in applied.iter().filter(|r| r.status != StatusCode::OK) {
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.json()["error"]["code"], "offer_exhausted");
        assert_eq!(refused.json()["error"]["reason"], "used_up");
    }

    // The claims lapse; eighteen others claim it (their count no longer includes the lapsed
    // ones), then all twenty-eight payments succeed at once, late ones included.
    for (booking, reply) in bookings.iter().zip(&applied) {
        if reply.status == StatusCode::OK {
            run_out(&db, *booking).await;
        }
    }
    let mut claimed = Vec::new();
    for ((user, booking), reply) in users.iter().zip(&bookings).zip(&applied) {
        if reply.status != StatusCode::OK {
            let again = s.apply(*user, *booking, "TEN").await;
            if again.status == StatusCode::OK {
                claimed.push(*booking);
            }
        }
    }
    assert_eq!(
        claimed.len(),
        10,
        "ten more claims once the first ones lapsed"
    );
    let with_offer: Vec<Uuid> = sqlx::query_scalar("SELECT booking_id FROM booking_offers")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(with_offer.len(), 20);
    let mut payments = Vec::new();
    for booking in &with_offer {
        payments.push((*booking, paid(&db, *booking).await));
    }
    let confirmed = futures_util::future::join_all(
        payments
            .iter()
            .map(|(booking, payment)| s.state.bookings.confirm((*booking).into(), Some(*payment))),
    )
    .await;
    let ok = confirmed.iter().filter(|c| c.is_ok()).count();
    assert_eq!(ok, 10, "{confirmed:?}");
    for refused in confirmed.iter().filter_map(|c| c.as_ref().err()) {
        assert_eq!(refused.code(), "offer_exhausted");
    }
    assert_eq!(s.redeemed("TEN").await, 10);
    let redeemed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM booking_offers bo JOIN bookings b ON b.id = bo.booking_id
          WHERE b.status = 'confirmed' AND bo.redeemed_at IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(redeemed, 10);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn price_lines_add_up_to_the_charge_and_match_the_shared_arithmetic(db: PgPool) {
    let s = big_setup(&db).await;
    // Row C costs more, in a category of its own.
    price_row(&db, &s.venue, 'C', "Recliner", 42_050).await;
    let percent = |value, cap: Option<i64>, base| Terms {
        kind: OfferKind::Percent,
        value,
        max_discount: cap,
        base,
    };
    let flat = |value, base| Terms {
        kind: OfferKind::Flat,
        value,
        max_discount: None,
        base,
    };
    use OfferBase::{Tickets, Total};
    // Offers (code, body, terms), seats, and the discount expected.
    let cases: Vec<(Vec<Made>, [&str; 2], i64)> = vec![
        (
            vec![("P20", json!({}), percent(20, None, Tickets))],
            ["B1", "B2"],
            10_000,
        ),
        (
            vec![(
                "CAP75",
                json!({"value": 50, "max_discount": 7_500}),
                percent(50, Some(7_500), Tickets),
            )],
            ["B3", "B4"],
            7_500,
        ),
        // 15% of ₹250 + ₹420.50 = ₹670.50 is ₹100.575: rounded half up to ₹100.58.
        (
            vec![("P15", json!({"value": 15}), percent(15, None, Tickets))],
            ["B8", "C1"],
            10_058,
        ),
        // Only the recliner counts: 10% of ₹420.50 is ₹42.05.
        (
            vec![(
                "REC10",
                json!({"value": 10, "scope": {"seat_category": "Recliner"}}),
                percent(10, None, Tickets),
            )],
            ["C2", "D1"],
            4_205,
        ),
        // Of the total with fee and tax: 10% of ₹500 + ₹60 + ₹10.80.
        (
            vec![(
                "TOT10",
                json!({"value": 10, "base": "total"}),
                percent(10, None, Total),
            )],
            ["D3", "D4"],
            5_708,
        ),
        (
            vec![(
                "FLAT99",
                json!({"kind": "flat", "value": 9_900}),
                flat(9_900, Tickets),
            )],
            ["D5", "D6"],
            9_900,
        ),
        // Two stackable offers, each on the booking before offers.
        (
            vec![
                (
                    "STACKA",
                    json!({"value": 10, "stackable": true}),
                    percent(10, None, Tickets),
                ),
                (
                    "STACKB",
                    json!({"kind": "flat", "value": 2_500, "stackable": true}),
                    flat(2_500, Tickets),
                ),
            ],
            ["E1", "E2"],
            7_500,
        ),
        // Two stackable 60% offers on the tickets take their price, not the fee or its tax.
        (
            vec![
                (
                    "SIXTYA",
                    json!({"value": 60, "stackable": true}),
                    percent(60, None, Tickets),
                ),
                (
                    "SIXTYB",
                    json!({"value": 60, "stackable": true}),
                    percent(60, None, Tickets),
                ),
            ],
            ["E3", "E4"],
            50_000,
        ),
    ];
    let users = customers(&db, cases.len() as i32).await;
    for ((offers, seats, expected), user) in cases.into_iter().zip(users) {
        let booking = s.held(user, &seats).await;
        let mut answer = Value::Null;
        let mut terms_seen = Vec::new();
        for (code, overrides, terms) in &offers {
            s.make_offer(offer(code, overrides.clone())).await;
            let applied = s.apply(user, booking, code).await;
            assert_eq!(applied.status, StatusCode::OK, "{code}: {}", applied.body);
            answer = applied.json();
            let eligible: i64 = answer["seats"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|seat| {
                    overrides["scope"]["seat_category"]
                        .as_str()
                        .is_none_or(|c| seat["category"] == c)
                })
                .map(|seat| seat["price"].as_i64().unwrap())
                .sum();
            terms_seen.push((*terms, eligible));
        }
        let amount: Amount = serde_json::from_value(answer["amount"].clone()).unwrap();
        let seats_total: i64 = answer["seats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|seat| seat["price"].as_i64().unwrap())
            .sum();
        let codes: Vec<&str> = offers.iter().map(|(code, ..)| *code).collect();
        assert_eq!(amount.subtotal, seats_total, "{codes:?}");
        assert_eq!(amount.discount, expected, "{codes:?}");
        // What the browser works out from the same lines is what the server charged.
        let before = Amount {
            food: 0,
            food_tax: 0,
            discount: 0,
            total: amount.gross(),
            ..amount.clone()
        };
        let discounts = discounts(&before, &terms_seen);
        assert_eq!(discounted(&before, &discounts), amount, "{codes:?}");
        assert_eq!(
            amount.total,
            amount.subtotal + amount.convenience_fee + amount.tax - amount.discount
        );
        let listed: i64 = answer["offers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["discount"].as_i64().unwrap())
            .sum();
        assert_eq!(listed, expected);
        let payment = s.pay_for(user, booking).await;
        let charged: i64 = sqlx::query_scalar("SELECT amount_minor FROM payments WHERE id = $1")
            .bind(payment)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(charged, amount.total, "{codes:?}");
        assert_eq!(s.status(booking).await, "confirmed", "{codes:?}");
    }
    assert!(invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn each_rule_refuses_with_its_reason_and_changes_nothing(db: PgPool) {
    let s = big_setup(&db).await;
    let later = Utc::now() + Duration::days(2);
    s.make_offer(offer("PAUSED", json!({}))).await;
    let paused = s.make_offer(offer("PAUSEME", json!({}))).await;
    let patched = s
        .call(
            Some(PLATFORM_ADMIN),
            "PATCH",
            &format!(
                "/api/v1/admin/offers/{}",
                paused["offer_id"].as_str().unwrap()
            ),
            Some(json!({"paused": true})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    s.make_offer(offer(
        "SOON",
        json!({"valid_from": later, "valid_to": later + Duration::days(1)}),
    ))
    .await;
    s.make_offer(offer("OVER", json!({"valid_from": Utc::now() - Duration::days(2), "valid_to": Utc::now() - Duration::days(1)})))
        .await;
    s.make_offer(offer(
        "ELSEWHERE",
        json!({"scope": {"seat_category": "Recliner"}}),
    ))
    .await;
    s.make_offer(offer("BIGORDER", json!({"min_order": 100_000})))
        .await;
    s.make_offer(offer("ALONE", json!({}))).await;
    s.make_offer(offer("ONCE", json!({"per_user_limit": 1})))
        .await;
    s.make_offer(offer("STRIPEONLY", json!({"scope": {"gateway": "stripe"}})))
        .await;
    let user = customers(&db, 1).await[0];

    // A purchase with ONCE, so this user has used it up.
    let first = s.held(user, &["B1", "B2"]).await;
    assert_eq!(s.apply(user, first, "ONCE").await.status, StatusCode::OK);
    s.pay_for(user, first).await;
    assert_eq!(s.status(first).await, "confirmed");

    let booking = s.held(user, &["B3", "B4"]).await;
    let before: Value = s
        .as_customer(user, "GET", &format!("/api/v1/bookings/{booking}"), None)
        .await
        .json();
    let cases = [
        ("NOPE", "offer_invalid", "unknown_code"),
        ("PAUSEME", "offer_invalid", "paused"),
        ("SOON", "offer_invalid", "not_started"),
        ("OVER", "offer_invalid", "ended"),
        ("ELSEWHERE", "offer_invalid", "out_of_scope"),
        ("BIGORDER", "offer_invalid", "below_minimum"),
        ("ONCE", "offer_exhausted", "user_limit"),
    ];
    for (code, error, reason) in cases {
        let refused = s.apply(user, booking, code).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {}",
            refused.body
        );
        assert_eq!(refused.json()["error"]["code"], error, "{code}");
        assert_eq!(refused.json()["error"]["reason"], reason, "{code}");
    }
    let after: Value = s
        .as_customer(user, "GET", &format!("/api/v1/bookings/{booking}"), None)
        .await
        .json();
    assert_eq!(before["amount"], after["amount"], "refusals change nothing");

    // Not combinable, then removed and the price restored.
    assert_eq!(
        s.apply(user, booking, " paused ").await.status,
        StatusCode::OK
    );
    let second = s.apply(user, booking, "ALONE").await;
    assert_eq!(
        second.json()["error"]["reason"],
        "not_combinable",
        "{}",
        second.body
    );
    let again = s.apply(user, booking, "PAUSED").await;
    assert_eq!(again.json()["error"]["reason"], "already_applied");
    let uri = format!("/api/v1/bookings/{booking}/offer?code=paused");
    let removed = s.as_customer(user, "DELETE", &uri, None).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(removed.json()["amount"], before["amount"]);
    assert_eq!(removed.json()["offers"], json!([]));

    // Someone else's booking is not found; an offer for Stripe only is refused at the sandbox.
    let stranger = customers(&db, 1).await[0];
    assert_eq!(
        s.apply(stranger, booking, "ALONE").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.apply(user, booking, "STRIPEONLY").await.status,
        StatusCode::OK
    );
    let body = json!({"booking_id": booking, "provider": "sandbox"});
    let wrong = s
        .as_customer(user, "POST", "/api/v1/payments/initiate", Some(body))
        .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT, "{}", wrong.body);
    assert_eq!(wrong.json()["error"]["code"], "offer_gateway");

    // While a payment is open the price is fixed.
    let uri = format!("/api/v1/bookings/{booking}/offer");
    s.as_customer(user, "DELETE", &uri, None).await;
    let body = json!({"booking_id": booking, "provider": "sandbox"});
    s.as_customer(user, "POST", "/api/v1/payments/initiate", Some(body))
        .await;
    let fixed = s.apply(user, booking, "ALONE").await;
    assert_eq!(fixed.status, StatusCode::CONFLICT, "{}", fixed.body);
    assert_eq!(fixed.json()["error"]["code"], "payment_pending");
    let blank = s.apply(user, booking, "  ").await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_cancelled_booking_gives_its_use_back_and_terms_follow_the_offer(db: PgPool) {
    let s = big_setup(&db).await;
    s.make_offer(offer("ONLYONE", json!({"max_uses": 1, "value": 40})))
        .await;
    s.make_offer(offer("FINAL", json!({"cancellable": false})))
        .await;
    let users = customers(&db, 3).await;
    let booking = s.held(users[0], &["B1", "B2"]).await;
    assert_eq!(
        s.apply(users[0], booking, "ONLYONE").await.status,
        StatusCode::OK
    );
    s.pay_for(users[0], booking).await;
    assert_eq!(s.redeemed("ONLYONE").await, 1);

    let other = s.held(users[1], &["B3", "B4"]).await;
    let used = s.apply(users[1], other, "ONLYONE").await;
    assert_eq!(used.json()["error"]["reason"], "used_up");

    // Three days ahead: the whole of what was paid for the tickets comes back.
    let cancelled = s
        .as_customer(
            users[0],
            "DELETE",
            &format!("/api/v1/bookings/{booking}"),
            None,
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.json()["refund_due"], 50_000 - 20_000);
    assert_eq!(s.redeemed("ONLYONE").await, 0);
    assert_eq!(
        s.apply(users[1], other, "ONLYONE").await.status,
        StatusCode::OK
    );

    let last = s.held(users[2], &["B5", "B6"]).await;
    assert_eq!(
        s.apply(users[2], last, "FINAL").await.status,
        StatusCode::OK
    );
    s.pay_for(users[2], last).await;
    let refused = s
        .as_customer(
            users[2],
            "DELETE",
            &format!("/api/v1/bookings/{last}"),
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "not_cancellable");
    assert_eq!(s.status(last).await, "confirmed");
    assert!(invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_booking_made_free_is_confirmed_without_a_payment(db: PgPool) {
    let s = big_setup(&db).await;
    s.make_offer(offer("ONUS", json!({"value": 100, "base": "total"})))
        .await;
    let user = customers(&db, 1).await[0];
    let booking = s.held(user, &["B1", "B2"]).await;
    let free = s.apply(user, booking, "ONUS").await.json();
    assert_eq!(free["amount"]["total"], 0);
    let body = json!({"booking_id": booking, "provider": "sandbox"});
    let pay = s
        .as_customer(user, "POST", "/api/v1/payments/initiate", Some(body))
        .await;
    assert_eq!(pay.json()["error"]["code"], "nothing_to_pay");
    let body = json!({"booking_id": booking});
    let confirmed = s
        .as_customer(user, "POST", "/api/v1/bookings/confirm", Some(body))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.json()["status"], "confirmed");
    assert_eq!(s.redeemed("ONUS").await, 1);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn admins_make_pause_and_report_on_their_offers(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let theater = s.venue.theater_id;
    let ours = offer(
        "OURS",
        json!({"scope": {"theater_id": theater}, "kind": "flat", "value": 5_000}),
    );
    let made = s
        .post(Some(THEATER_ADMIN), "/api/v1/admin/offers", ours.clone())
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let offer_id = made.json()["offer_id"].as_str().unwrap().to_owned();
    for (who, body, status) in [
        (
            Some(OTHER_ADMIN),
            offer("THEIRS", json!({"scope": {"theater_id": theater}})),
            StatusCode::FORBIDDEN,
        ),
        (
            Some(CUSTOMER),
            offer("MINE", json!({"scope": {"theater_id": theater}})),
            StatusCode::FORBIDDEN,
        ),
        (None, offer("ANON", json!({})), StatusCode::UNAUTHORIZED),
        (
            Some(THEATER_ADMIN),
            offer("EVERYWHERE", json!({})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Some(THEATER_ADMIN),
            ours.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let reply = s.post(who, "/api/v1/admin/offers", body).await;
        assert_eq!(reply.status, status, "{}", reply.body);
    }
    for (field, body) in [
        ("code", offer("a b", json!({}))),
        ("value", offer("HUGE", json!({"value": 150}))),
        (
            "valid_to",
            offer(
                "BACKWARDS",
                json!({"valid_to": Utc::now() - Duration::days(1)}),
            ),
        ),
        (
            "base",
            offer(
                "MIXED",
                json!({"base": "total", "scope": {"seat_category": "Prime"}}),
            ),
        ),
        ("max_uses", offer("NONE", json!({"max_uses": 0}))),
    ] {
        let reply = s
            .post(Some(PLATFORM_ADMIN), "/api/v1/admin/offers", body)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            reply.body
        );
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            reply.body
        );
    }

    let listed = s
        .call(Some(OTHER_ADMIN), "GET", "/api/v1/admin/offers", None)
        .await;
    assert_eq!(listed.json()["total"], 0);
    let listed = s
        .call(Some(THEATER_ADMIN), "GET", "/api/v1/admin/offers", None)
        .await;
    assert_eq!(listed.json()["total"], 1);
    let uri = format!("/api/v1/admin/offers/{offer_id}");
    assert_eq!(
        s.call(Some(OTHER_ADMIN), "GET", &uri, None).await.status,
        StatusCode::FORBIDDEN
    );

    let buyer = customers(&db, 1).await[0];
    let booking = s.held(buyer, &["B1", "B2"]).await;
    assert_eq!(s.apply(buyer, booking, "ours").await.status, StatusCode::OK);
    s.pay_for(buyer, booking).await;
    let report = s.call(Some(THEATER_ADMIN), "GET", &uri, None).await.json();
    assert_eq!(report["bookings"], 1);
    assert_eq!(report["discount_given"], 5_000);
    assert_eq!(report["sales"], 50_000 + 6_000 + 1_080 - 5_000);
    assert_eq!(report["offer"]["uses"], 1);

    let paused = s
        .call(
            Some(THEATER_ADMIN),
            "PATCH",
            &uri,
            Some(json!({"paused": true})),
        )
        .await;
    assert_eq!(paused.json()["paused"], true, "{}", paused.body);
    let next = s.held(buyer, &["B3", "B4"]).await;
    assert_eq!(
        s.apply(buyer, next, "OURS").await.json()["error"]["reason"],
        "paused"
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'offer.%' ORDER BY at")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(actions, ["offer.created", "offer.changed"]);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn offer_codes_cannot_be_guessed_by_trying_many(db: PgPool) {
    let s = setup_with(
        &db,
        Duration::days(3),
        &[("RATE_LIMIT_OFFER_PER_USER", "3/1m")],
    )
    .await;
    let users = customers(&db, 2).await;
    let booking = s.held(users[0], &["B1", "B2"]).await;
    for guess in ["AAA1", "AAA2", "AAA3"] {
        let tried = s.apply(users[0], booking, guess).await;
        assert_eq!(
            tried.json()["error"]["reason"],
            "unknown_code",
            "{}",
            tried.body
        );
    }
    let limited = s.apply(users[0], booking, "AAA4").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert!(limited.headers.contains_key("retry-after"));
    // Someone else is not held back.
    let other = s.held(users[1], &["C1", "C2"]).await;
    let tried = s.apply(users[1], other, "AAA5").await;
    assert_eq!(
        tried.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        tried.body
    );
}
