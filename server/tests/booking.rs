//! Holds, confirmation, cancellation and expiry over REST, against real PostgreSQL. Long: one
//! test per behaviour, each readable on its own.

mod support;

use app::{
    account::Role,
    booking::{BookingError, BookingStatus, RuleCode},
};
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use support::{
    hold_request, redis_server, send,
    venue::{self, customers, paid, run_out, venue, Venue, PRICE},
    Reply,
};
use uuid::Uuid;

struct Setup {
    state: AppState,
    app: axum::Router,
    venue: Venue,
    users: Vec<Uuid>,
}

async fn setup(db: &PgPool, vars: &[(&str, &str)]) -> Setup {
    let venue = venue(db, 6, 12, Duration::days(2)).await;
    let users = customers(db, 3).await;
    let state = support::state_with(db.clone(), None, vars);
    let app = server::router(state.clone());
    Setup {
        state,
        app,
        venue,
        users,
    }
}

/// For tests that move a hold's deadline into the past in the database: the in-process seat
/// filter keeps its own clock, so it steps aside and PostgreSQL alone decides.
async fn setup_unfiltered(db: &PgPool) -> Setup {
    let mut s = setup(db, &[]).await;
    s.state = support::without_filter(&s.state);
    s.app = server::router(s.state.clone());
    s
}

impl Setup {
    fn token(&self, user: usize) -> String {
        support::bearer(&self.state, self.users[user], Role::Customer)
    }

    async fn call(&self, user: usize, method: &str, uri: &str, body: Option<Value>) -> Reply {
        send(
            &self.app,
            method,
            uri,
            body,
            &[("authorization", &self.token(user))],
        )
        .await
    }

    async fn hold(&self, user: usize, seats: &[Uuid]) -> Reply {
        let body = json!({ "show_id": self.venue.show_id, "seat_ids": seats });
        self.call(user, "POST", "/api/v1/bookings/hold", Some(body))
            .await
    }

    /// A paid, confirmed booking of `labels` at `show`.
    async fn confirmed(&self, user: usize, show: Uuid, labels: &[&str]) -> Uuid {
        let body = json!({"show_id": show, "seat_ids": self.venue.ids(labels)});
        let held = self
            .call(user, "POST", "/api/v1/bookings/hold", Some(body))
            .await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        let booking = id_of(&held);
        let payment = paid(self.state.backends.db.primary(), booking).await;
        self.state
            .bookings
            .confirm(booking.into(), Some(payment))
            .await
            .unwrap();
        booking
    }

    async fn seat_status(&self, seat: Uuid) -> String {
        venue::seat_status(self.state.backends.db.primary(), self.venue.show_id, seat).await
    }

    async fn events(&self, booking: Uuid) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT event_type FROM outbox_events WHERE aggregate_id = $1 ORDER BY id",
        )
        .bind(booking)
        .fetch_all(self.state.backends.db.primary())
        .await
        .unwrap()
    }
}

fn id_of(reply: &Reply) -> Uuid {
    reply.json()["booking_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn ids(value: &Value) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().parse().unwrap())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

async fn bookings_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM bookings")
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn hold_pay_confirm_and_cancel(db: PgPool) {
    let s = setup(&db, &[]).await;
    let seats = s.venue.ids(&["C5", "C6"]);
    let held = s.hold(0, &seats).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let body = held.json();
    assert_eq!(body["status"], "held");
    assert_eq!(
        body["amount"],
        json!({"subtotal": 2 * PRICE, "convenience_fee": 6000, "tax": 1080, "food": 0, "food_tax": 0, "discount": 0,
               "total": 2 * PRICE + 7080, "currency": "INR"})
    );
    let labels: Vec<&str> = body["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["C5", "C6"]);
    let deadline: chrono::DateTime<chrono::Utc> =
        body["hold_expires_at"].as_str().unwrap().parse().unwrap();
    let left = deadline - chrono::Utc::now();
    assert!(
        left > Duration::seconds(590) && left <= Duration::seconds(600),
        "{left}"
    );
    let booking = id_of(&held);
    assert_eq!(s.seat_status(seats[0]).await, "held");

    let map = support::get(
        &s.app,
        &format!("/api/v1/shows/{}/seats", s.venue.show_id),
        &[],
    )
    .await;
    let held_on_map = map.json()["seats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|seat| seat["status"] == "held")
        .count();
    assert_eq!(held_on_map, 2);

    let fetched = s
        .call(0, "GET", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json()["code"], body["code"]);

    // Not paid yet: nothing to confirm.
    let confirm = json!({ "booking_id": booking });
    let unpaid = s
        .call(0, "POST", "/api/v1/bookings/confirm", Some(confirm))
        .await;
    assert_eq!(unpaid.status, StatusCode::CONFLICT);
    assert_eq!(unpaid.json()["error"]["code"], "payment_required");

    let payment = paid(&db, booking).await;
    let confirm = json!({ "booking_id": booking, "payment_id": payment });
    for _ in 0..2 {
        let confirmed = s
            .call(0, "POST", "/api/v1/bookings/confirm", Some(confirm.clone()))
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        assert_eq!(confirmed.json()["status"], "confirmed");
    }
    assert_eq!(s.seat_status(seats[1]).await, "booked");
    assert!(venue::invariant_breaches(&db).await.is_empty());

    // Two days ahead: the whole ticket price comes back, fees do not.
    for _ in 0..2 {
        let cancelled = s
            .call(0, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
            .await;
        assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
        assert_eq!(cancelled.json()["status"], "cancelled");
        assert_eq!(cancelled.json()["refund_due"], 2 * PRICE);
    }
    assert_eq!(s.seat_status(seats[0]).await, "available");
    assert_eq!(
        s.events(booking).await,
        ["booking.held", "booking.confirmed", "booking.cancelled"]
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hold_is_all_or_nothing_and_names_the_taken_seats(db: PgPool) {
    let s = setup(&db, &[]).await;
    let first = s.hold(0, &s.venue.ids(&["B3", "B4"])).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let wanted = s.venue.ids(&["B2", "B3", "B4", "B5"]);
    let refused = s.hold(1, &wanted).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "seats_unavailable");
    assert_eq!(
        ids(&error["unavailable_seat_ids"]),
        sorted(s.venue.ids(&["B3", "B4"]))
    );
    assert_eq!(s.seat_status(wanted[0]).await, "available");
    assert_eq!(bookings_count(&db).await, 1);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_new_hold_replaces_the_users_earlier_one(db: PgPool) {
    let s = setup(&db, &[]).await;
    let first = id_of(&s.hold(0, &s.venue.ids(&["D3", "D4"])).await);
    let second = s.hold(0, &s.venue.ids(&["D1", "D2", "D3"])).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(s.seat_status(s.venue.ids(&["D4"])[0]).await, "available");
    assert_eq!(s.seat_status(s.venue.ids(&["D3"])[0]).await, "held");
    let old = s
        .call(0, "GET", &format!("/api/v1/bookings/{first}"), None)
        .await;
    assert_eq!(old.json()["status"], "cancelled");
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings WHERE status = 'held'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(live, 1);
    // A refused replacement leaves the earlier hold as it was.
    s.hold(1, &s.venue.ids(&["E1", "E2"])).await;
    let refused = s.hold(0, &s.venue.ids(&["E1", "E2"])).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(s.seat_status(s.venue.ids(&["D3"])[0]).await, "held");
    assert!(venue::invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn bad_requests_are_refused_and_change_nothing(db: PgPool) {
    let s = setup(&db, &[]).await;
    let eleven = s.venue.block(2, 1, 11);
    let a3 = s.venue.ids(&["A3"])[0];
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"show_id": s.venue.show_id, "seat_ids": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"show_id": s.venue.show_id, "seat_ids": eleven}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"show_id": s.venue.show_id, "seat_ids": [a3, a3]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"show_id": s.venue.show_id, "seat_ids": [Uuid::nil()]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"show_id": Uuid::nil(), "seat_ids": [a3]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            json!({"show_id": "tomorrow", "seat_ids": [a3]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"seat_ids": [a3]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let reply = s
            .call(0, "POST", "/api/v1/bookings/hold", Some(body.clone()))
            .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], code, "{body}");
    }
    let malformed = support::request(
        &s.app,
        http::Request::post("/api/v1/bookings/hold")
            .header("authorization", s.token(0))
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{\"show_id\":"))
            .unwrap(),
    )
    .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    let anonymous = send(
        &s.app,
        "POST",
        "/api/v1/bookings/hold",
        Some(json!({"show_id": s.venue.show_id, "seat_ids": [a3]})),
        &[],
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1")
        .bind(s.users[2])
        .execute(&db)
        .await
        .unwrap();
    let unverified = s.hold(2, &s.venue.ids(&["A3", "A4"])).await;
    assert_eq!(unverified.status, StatusCode::FORBIDDEN);
    assert_eq!(unverified.json()["error"]["code"], "email_not_verified");
    let bad_id = s.call(0, "GET", "/api/v1/bookings/not-an-id", None).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(bookings_count(&db).await, 0);
    assert!(venue::invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn seat_rules_name_the_seat(db: PgPool) {
    let s = setup(&db, &[]).await;
    // B1..B6 left of the aisle; taking B2 and B3 leaves B1 alone against the wall.
    let gap = s.hold(0, &s.venue.ids(&["B2", "B3"])).await;
    assert_eq!(gap.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", gap.body);
    let error = &gap.json()["error"];
    assert_eq!(error["code"], "single_seat_gap");
    assert_eq!(ids(&error["seat_ids"]), s.venue.ids(&["B1"]));
    assert!(error["message"].as_str().unwrap().contains("B1"));
    // Against a taken seat too.
    assert_eq!(
        s.hold(1, &s.venue.ids(&["C1", "C2"])).await.status,
        StatusCode::CREATED
    );
    let gap = s.hold(0, &s.venue.ids(&["C4", "C5"])).await;
    assert_eq!(ids(&gap.json()["error"]["seat_ids"]), s.venue.ids(&["C3"]));
    assert_eq!(
        s.hold(0, &s.venue.ids(&["C3", "C4"])).await.status,
        StatusCode::CREATED
    );

    let space = s.venue.ids(&["A1"]);
    let alone = s.hold(2, &space).await;
    assert_eq!(alone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alone.json()["error"]["code"], "wheelchair_space");
    let chosen = json!({"show_id": s.venue.show_id, "seat_ids": space, "wheelchair": true});
    let chosen = s
        .call(2, "POST", "/api/v1/bookings/hold", Some(chosen))
        .await;
    assert_eq!(chosen.status, StatusCode::CREATED, "{}", chosen.body);
    let with_companion = s.hold(2, &s.venue.ids(&["A1", "A2"])).await;
    assert_eq!(
        with_companion.status,
        StatusCode::CREATED,
        "{}",
        with_companion.body
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn sales_close_before_the_show(db: PgPool) {
    let s = setup(&db, &[("SALES_CLOSE_MINUTES", "30")]).await;
    let soon = venue::add_show(&db, &s.venue, Duration::minutes(20)).await;
    let body = json!({"show_id": soon, "seat_ids": s.venue.ids(&["D3", "D4"])});
    let closed = s.call(0, "POST", "/api/v1/bookings/hold", Some(body)).await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(closed.json()["error"]["code"], "sales_closed");
    assert_eq!(bookings_count(&db).await, 0);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn cancellation_follows_the_policy(db: PgPool) {
    let s = setup(&db, &[("CANCELLATION_CUTOFF_MINUTES", "120")]).await;
    let soon = venue::add_show(&db, &s.venue, Duration::minutes(90)).await;
    let booking = s.confirmed(0, soon, &["D3", "D4"]).await;
    let late = s
        .call(0, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.json()["error"]["code"], "cancellation_closed");
    // Someone else's booking does not exist for this user.
    let stranger = s
        .call(1, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);

    let policy = s.state.bookings.policy();
    assert_eq!(policy.refund(10_000, Duration::hours(30)), 10_000);
    assert_eq!(policy.refund(10_000, Duration::hours(8)), 7_500);
    assert_eq!(policy.refund(10_000, Duration::hours(3)), 5_000);
}

/// Each refund band through the API, on either side of where it changes: the whole ticket
/// price a day or more ahead, 75% from six hours, 50% until the two-hour cutoff, then nothing.
#[sqlx::test(migrator = "MIGRATOR")]
async fn refunds_change_at_each_band_boundary(db: PgPool) {
    let s = setup(&db, &[("CANCELLATION_CUTOFF_MINUTES", "120")]).await;
    let (two, five) = (2 * PRICE, Duration::minutes(5));
    let cases = [
        (Duration::hours(24) + five, Some(two)),
        (Duration::hours(24) - five, Some(two * 3 / 4)),
        (Duration::hours(6) + five, Some(two * 3 / 4)),
        (Duration::hours(6) - five, Some(two / 2)),
        (Duration::hours(2) + five, Some(two / 2)),
        (Duration::hours(2) - five, None),
    ];
    for (starts_in, refund) in cases {
        let show = venue::add_show_lasting(&db, &s.venue, starts_in, Duration::minutes(1)).await;
        let booking = s.confirmed(0, show, &["C5", "C6"]).await;
        let cancelled = s
            .call(0, "DELETE", &format!("/api/v1/bookings/{booking}"), None)
            .await;
        let status: String = sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&db)
            .await
            .unwrap();
        match refund {
            Some(refund) => {
                assert_eq!(
                    cancelled.status,
                    StatusCode::OK,
                    "{starts_in}: {}",
                    cancelled.body
                );
                assert_eq!(cancelled.json()["refund_due"], refund, "{starts_in}");
                assert_eq!(status, "cancelled");
            }
            None => {
                assert_eq!(cancelled.status, StatusCode::CONFLICT, "{starts_in}");
                assert_eq!(cancelled.json()["error"]["code"], "cancellation_closed");
                assert_eq!(
                    status, "confirmed",
                    "a refused cancellation changes nothing"
                );
            }
        }
    }
}

/// A hold across categories prices each seat at its own category's price for the show.
#[sqlx::test(migrator = "MIGRATOR")]
async fn each_seat_costs_its_categorys_price(db: PgPool) {
    const RECLINER: i64 = 42_000;
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    venue::price_row(&db, &venue, 'F', "Recliner", RECLINER).await;
    let users = customers(&db, 1).await;
    let state = support::state_with(db.clone(), None, &[]);
    let s = Setup {
        app: server::router(state.clone()),
        state,
        venue,
        users,
    };
    let held = s.hold(0, &s.venue.ids(&["E3", "F3", "F4"])).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let body = held.json();
    let seats: Vec<(&str, &str, i64)> = body["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (label, category) = (s["label"].as_str().unwrap(), s["category"].as_str());
            (label, category.unwrap(), s["price"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        seats,
        [
            ("E3", "Prime", PRICE),
            ("F3", "Recliner", RECLINER),
            ("F4", "Recliner", RECLINER)
        ]
    );
    let subtotal = PRICE + 2 * RECLINER;
    assert_eq!(
        body["amount"],
        json!({"subtotal": subtotal, "convenience_fee": 9000, "tax": 1620, "food": 0, "food_tax": 0, "discount": 0,
               "total": subtotal + 10_620, "currency": "INR"})
    );
    let stored: (i64, i64) = sqlx::query_as(
        "SELECT b.subtotal_minor, (SELECT sum(price_minor) FROM booking_seats WHERE booking_id = b.id)::bigint
           FROM bookings b WHERE b.id = $1",
    )
    .bind(id_of(&held))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(stored, (subtotal, subtotal));
    let map = support::get(
        &s.app,
        &format!("/api/v1/shows/{}/seats", s.venue.show_id),
        &[],
    )
    .await
    .json();
    let prices: Vec<(String, i64)> = map["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["price"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        prices.contains(&("Recliner".into(), RECLINER)),
        "{prices:?}"
    );
    assert!(prices.contains(&("Prime".into(), PRICE)), "{prices:?}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_booking_is_visible_to_its_owner_and_its_theater_only(db: PgPool) {
    let s = setup(&db, &[]).await;
    let booking = id_of(&s.hold(0, &s.venue.ids(&["E3", "E4"])).await);
    let uri = format!("/api/v1/bookings/{booking}");
    assert_eq!(
        s.call(1, "GET", &uri, None).await.status,
        StatusCode::NOT_FOUND
    );
    let staff: Vec<(Uuid, Role)> = vec![
        (customers(&db, 1).await[0], Role::Admin),
        (customers(&db, 1).await[0], Role::TheaterAdmin),
    ];
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
        .bind(staff[0].0)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET role = 'theater_admin' WHERE id = $1")
        .bind(staff[1].0)
        .execute(&db)
        .await
        .unwrap();
    let outsider = support::bearer(&s.state, staff[1].0, Role::TheaterAdmin);
    let reply = send(&s.app, "GET", &uri, None, &[("authorization", &outsider)]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "not their theater yet");
    sqlx::query("INSERT INTO theater_admins (theater_id, user_id) VALUES ($1, $2)")
        .bind(s.venue.theater_id)
        .bind(staff[1].0)
        .execute(&db)
        .await
        .unwrap();
    for (user, role) in staff {
        let token = support::bearer(&s.state, user, role);
        let reply = send(&s.app, "GET", &uri, None, &[("authorization", &token)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{role:?}: {}", reply.body);
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn idempotency_keys_replay_the_first_answer(db: PgPool) {
    let s = setup(&db, &[]).await;
    let body = json!({"show_id": s.venue.show_id, "seat_ids": s.venue.ids(&["F1", "F2"])});
    let headers = |key: &'static str| {
        let token = s.token(0);
        move || {
            vec![
                ("authorization".to_owned(), token.clone()),
                ("idempotency-key".to_owned(), key.to_owned()),
            ]
        }
    };
    let with_key = headers("hold-1");
    let retry = |body: Value| {
        let headers = with_key();
        let app = s.app.clone();
        async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            send(&app, "POST", "/api/v1/bookings/hold", Some(body), &headers).await
        }
    };
    // A burst of retries at once: one hold, every finished answer the same.
    let answers = futures_util::future::join_all((0..8).map(|_| retry(body.clone()))).await;
    let created: Vec<&Reply> = answers
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    assert!(!created.is_empty());
    for reply in &answers {
        assert!(
            reply.status == StatusCode::CREATED
                || reply.json()["error"]["code"] == "request_in_progress",
            "{}",
            reply.body
        );
    }
    let first = id_of(created[0]);
    assert!(created.iter().all(|r| id_of(r) == first));
    let again = retry(body.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(id_of(&again), first);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(bookings_count(&db).await, 1);
    // The same key for a different request is a mistake, not a replay.
    let other = json!({"show_id": s.venue.show_id, "seat_ids": s.venue.ids(&["F3", "F4"])});
    let reused = retry(other).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.json()["error"]["code"], "idempotency_key_reused");

    // Cancelling under retries releases once, with or without a key.
    let uri = format!("/api/v1/bookings/{first}");
    let cancel = |keyed: bool| {
        let headers = headers("cancel-1")();
        let app = s.app.clone();
        let uri = uri.clone();
        async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .take(if keyed { 2 } else { 1 })
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            send(&app, "DELETE", &uri, None, &headers).await
        }
    };
    let cancels = futures_util::future::join_all((0..6).map(|i| cancel(i % 2 == 0))).await;
    for reply in &cancels {
        assert!(
            (reply.status == StatusCode::OK && reply.json()["status"] == "cancelled")
                || reply.json()["error"]["code"] == "request_in_progress",
            "{}",
            reply.body
        );
    }
    let replayed = cancel(true).await;
    assert_eq!(replayed.status, StatusCode::OK, "{}", replayed.body);
    assert_eq!(replayed.json()["status"], "cancelled");
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(s.events(first).await, ["booking.held", "booking.released"]);
    // The released seats are free for the next person at once.
    assert_eq!(
        s.hold(1, &s.venue.ids(&["F1", "F2"])).await.status,
        StatusCode::CREATED
    );
    assert!(venue::invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hold_whose_answer_was_lost_is_not_made_again(db: PgPool) {
    let s = setup(&db, &[]).await;
    let token = s.token(0);
    let hold = |key: &'static str, labels: &'static [&'static str]| {
        let (app, token) = (s.app.clone(), token.clone());
        let body = json!({"show_id": s.venue.show_id, "seat_ids": s.venue.ids(labels)});
        async move {
            let headers = [("authorization", token.as_str()), ("idempotency-key", key)];
            send(&app, "POST", "/api/v1/bookings/hold", Some(body), &headers).await
        }
    };
    // The process dies after the hold commits and before its answer is saved: the claim is
    // left as it was when the work ran, and taken over once it is old enough.
    let crash = |key: &'static str| {
        let db = db.clone();
        async move {
            sqlx::query(
                "UPDATE idempotency_keys SET status_code = NULL, response_body = NULL,
                        created_at = now() - interval '1 minute' WHERE key = $1",
            )
            .bind(key)
            .execute(&db)
            .await
            .unwrap();
        }
    };
    let first = hold("lost-1", &["B1", "B2"]).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let booking = id_of(&first);
    let recorded: Option<Uuid> =
        sqlx::query_scalar("SELECT resource_id FROM idempotency_keys WHERE key = 'lost-1'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(recorded, Some(booking), "recorded by the hold's own write");
    crash("lost-1").await;
    let retried = hold("lost-1", &["B1", "B2"]).await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.body);
    assert_eq!(id_of(&retried), booking, "answered with the hold it made");
    assert_eq!(retried.json()["status"], "held");
    assert_eq!(bookings_count(&db).await, 1, "no second hold");
    assert_eq!(s.events(booking).await, ["booking.held"]);
    // That answer is saved in turn.
    let again = hold("lost-1", &["B1", "B2"]).await;
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(id_of(&again), booking);

    // A refusal makes nothing, so nothing is recorded and the retry does the work.
    let refused = send(
        &s.app,
        "POST",
        "/api/v1/bookings/hold",
        Some(json!({"show_id": s.venue.show_id, "seat_ids": s.venue.ids(&["B2", "B3"])})),
        &[
            ("authorization", &s.token(1)),
            ("idempotency-key", "lost-2"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    crash("lost-2").await;
    let recorded: Option<Uuid> =
        sqlx::query_scalar("SELECT resource_id FROM idempotency_keys WHERE key = 'lost-2'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(recorded, None);
    assert!(venue::invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn expired_holds_are_taken_over_before_and_after_the_sweeper(db: PgPool) {
    let s = setup_unfiltered(&db).await;
    let seats = s.venue.ids(&["D5", "D6"]);
    // Before any sweep: the expired hold's seats are free for the next person.
    let stale = id_of(&s.hold(0, &seats).await);
    run_out(&db, stale).await;
    let taker = s.hold(1, &seats).await;
    assert_eq!(taker.status, StatusCode::CREATED, "{}", taker.body);
    // Taking the seats ended the stale hold, so the sweeper finds nothing left to release.
    let sweep = s.state.bookings.expire_holds(100).await.unwrap();
    assert_eq!(sweep.expired, 0, "the taker expired it");
    assert!(
        sweep.changes.is_empty(),
        "the seats were not the stale hold's any more"
    );
    assert_eq!(s.seat_status(seats[0]).await, "held");
    let old = s
        .call(0, "GET", &format!("/api/v1/bookings/{stale}"), None)
        .await;
    assert_eq!(old.json()["status"], "expired");
    assert_eq!(s.events(stale).await, ["booking.held", "booking.expired"]);
    assert!(venue::invariant_breaches(&db).await.is_empty());

    // After the sweep: released, then held again.
    let second = id_of(&s.hold(1, &s.venue.ids(&["E5", "E6"])).await);
    run_out(&db, second).await;
    let sweep = s.state.bookings.expire_holds(100).await.unwrap();
    assert_eq!(sweep.expired, 1);
    assert_eq!(sweep.changes.len(), 1);
    assert_eq!(sweep.changes[0].seat_ids.len(), 2);
    assert!(sweep.lag_seconds >= 1.0);
    assert_eq!(
        s.hold(2, &s.venue.ids(&["E5", "E6"])).await.status,
        StatusCode::CREATED
    );
    assert_eq!(s.events(second).await, ["booking.held", "booking.expired"]);

    // The job's pass records how late it released holds.
    let third = id_of(&s.hold(0, &s.venue.ids(&["F5", "F6"])).await);
    run_out(&db, third).await;
    assert_eq!(s.state.bookings.expire_due_holds().await.unwrap(), 1);
    let metrics = support::get_as_operator(&s.app, "/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics.body.contains("district_hold_expiry_lag_seconds"),
        "{}",
        metrics.body
    );

    // Releasing a hold that ran out before any sweep: its user let it go, so it is cancelled
    // (a late payment can never revive it).
    let lapsed = id_of(&s.hold(1, &s.venue.ids(&["B5", "B6"])).await);
    run_out(&db, lapsed).await;
    let released = s
        .call(1, "DELETE", &format!("/api/v1/bookings/{lapsed}"), None)
        .await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    assert_eq!(released.json()["status"], "cancelled");
    assert_ne!(released.json()["cancelled_at"], Value::Null);
    assert_eq!(s.events(lapsed).await, ["booking.held", "booking.released"]);
    assert_eq!(s.seat_status(s.venue.ids(&["B5"])[0]).await, "available");
    assert!(venue::invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn confirm_after_expiry_reclaims_free_seats_or_is_refused(db: PgPool) {
    let s = setup_unfiltered(&db).await;
    // Expired and swept, seats still free: the late payment confirms it.
    let late = id_of(&s.hold(0, &s.venue.ids(&["B7", "B8"])).await);
    run_out(&db, late).await;
    s.state.bookings.expire_holds(100).await.unwrap();
    let payment = paid(&db, late).await;
    let confirmed = s
        .state
        .bookings
        .confirm(late.into(), Some(payment))
        .await
        .unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    assert_eq!(s.seat_status(s.venue.ids(&["B7"])[0]).await, "booked");

    // Past its deadline but not yet swept, seats still free: confirmed just the same.
    let unswept = id_of(&s.hold(1, &s.venue.ids(&["E7", "E8"])).await);
    run_out(&db, unswept).await;
    let payment = paid(&db, unswept).await;
    let confirmed = s
        .state
        .bookings
        .confirm(unswept.into(), Some(payment))
        .await
        .unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    assert_eq!(s.seat_status(s.venue.ids(&["E8"])[0]).await, "booked");

    // Expired, and one seat has gone to someone else: refused, nothing changes.
    let unlucky = id_of(&s.hold(0, &s.venue.ids(&["C7", "C8", "C9"])).await);
    run_out(&db, unlucky).await;
    let rival = id_of(&s.hold(1, &s.venue.ids(&["C9", "C10"])).await);
    let payment = paid(&db, unlucky).await;
    let refused = s
        .state
        .bookings
        .confirm(unlucky.into(), Some(payment))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "seats_unavailable");
    assert_eq!(
        s.seat_status(s.venue.ids(&["C7"])[0]).await,
        "available",
        "the stale hold's, run out, and not taken back"
    );
    let rival_seats: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM seat_states WHERE booking_id = $1 AND status = 'held'",
    )
    .bind(rival)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(rival_seats, 2);
    // A payment that did not succeed never confirms.
    let pending = id_of(&s.hold(2, &s.venue.ids(&["F9", "F10"])).await);
    let payment = paid(&db, pending).await;
    sqlx::query("UPDATE payments SET status = 'failed', succeeded_at = NULL WHERE id = $1")
        .bind(payment)
        .execute(&db)
        .await
        .unwrap();
    let failed = s
        .state
        .bookings
        .confirm(pending.into(), Some(payment))
        .await
        .unwrap_err();
    assert_eq!(failed.code(), "payment_not_succeeded");
    // Seats only: these payments are written straight to the table, and a refused one has no
    // refund as the payment flow would record (tests/payments.rs checks the money).
    assert!(venue::seat_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn two_sweepers_release_each_hold_once(db: PgPool) {
    let s = setup(&db, &[]).await;
    let users = customers(&db, 36).await;
    for (i, user) in users.iter().enumerate() {
        let row = (i / 6) as i32;
        let from = 1 + 2 * (i % 6) as i32;
        let seats = s.venue.block(row, from, 2);
        let request = hold_request(s.venue.show_id, &seats, true);
        s.state
            .bookings
            .hold((*user).into(), &request)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE bookings SET hold_expires_at = now() - interval '1 second'")
        .execute(&db)
        .await
        .unwrap();
    let sweeper = |state: AppState| async move {
        let mut expired = 0;
        loop {
            let sweep = state.bookings.expire_holds(5).await.unwrap();
            if sweep.expired == 0 {
                return expired;
            }
            expired += sweep.expired;
        }
    };
    let (a, b) = tokio::join!(
        sweeper(support::state(db.clone(), None)),
        sweeper(support::state(db.clone(), None))
    );
    assert_eq!(a + b, 36, "{a} + {b}");
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events WHERE event_type = 'booking.expired'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(events, 36);
    let still_held: i64 =
        sqlx::query_scalar("SELECT count(*) FROM seat_states WHERE status <> 'available'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(still_held, 0);
    assert!(venue::invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn best_available_and_my_bookings(db: PgPool) {
    let s = setup(&db, &[]).await;
    let uri = format!("/api/v1/shows/{}/seats/best?count=3", s.venue.show_id);
    let best = support::get(&s.app, &uri, &[]).await;
    assert_eq!(best.status, StatusCode::OK, "{}", best.body);
    let seats = best.json()["seats"].as_array().unwrap().clone();
    assert_eq!(seats.len(), 3);
    let picked: Vec<Uuid> = seats
        .iter()
        .map(|s| s["seat_id"].as_str().unwrap().parse().unwrap())
        .collect();
    let held = s.hold(0, &picked).await;
    assert_eq!(
        held.status,
        StatusCode::CREATED,
        "the suggestion obeys the rules: {}",
        held.body
    );
    for bad in ["count=0", "count=11", "count=two"] {
        let reply = support::get(
            &s.app,
            &format!("/api/v1/shows/{}/seats/best?{bad}", s.venue.show_id),
            &[],
        )
        .await;
        assert!(reply.status.is_client_error(), "{bad}: {}", reply.status);
    }
    let missing = support::get(
        &s.app,
        &format!("/api/v1/shows/{}/seats/best?count=2", Uuid::nil()),
        &[],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let mine = s
        .call(0, "GET", "/api/v1/users/bookings?scope=upcoming", None)
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.json()["total"], 1);
    assert_eq!(mine.json()["items"][0]["show"]["movie_title"], "Test Movie");
    let cancelled = s
        .call(0, "GET", "/api/v1/users/bookings?scope=cancelled", None)
        .await;
    assert_eq!(cancelled.json()["total"], 0);
    // A page far past the end is just empty.
    let beyond = s
        .call(
            0,
            "GET",
            "/api/v1/users/bookings?page=4294967295&per_page=100",
            None,
        )
        .await;
    assert_eq!(beyond.status, StatusCode::OK, "{}", beyond.body);
    assert_eq!(beyond.json()["items"], json!([]));
    assert_eq!(beyond.json()["total"], 1);
    let bad = s
        .call(0, "GET", "/api/v1/users/bookings?scope=someday", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// Holds written in one call stand alone: a refused, an unknown-seat and a mispriced hold write
/// nothing while the others are written, and one call takes each show once.
#[sqlx::test(migrator = "MIGRATOR")]
async fn holds_written_in_one_call_each_stand_alone(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let mut shows = vec![venue.show_id];
    for i in 1..4 {
        shows.push(venue::add_show(&db, &venue, Duration::days(2) + Duration::hours(3 * i)).await);
    }
    let users = customers(&db, 5).await;
    let mut pair = venue.block(1, 3, 2);
    pair.sort();
    let ask = |user: Uuid, show: Uuid, seats: &[Uuid], prices: &[i64]| {
        json!({"user_id": user, "show_id": show, "seats": seats, "prices": prices, "watch": seats,
               "taken": [], "code": Uuid::new_v4().simple().to_string()[..8].to_uppercase(),
               "fee": 0, "tax": 0})
    };
    let call = |asks: Vec<Value>| {
        let db = db.clone();
        async move {
            sqlx::query_as::<_, (String, Option<Vec<Uuid>>, Option<Value>)>(
                "SELECT outcome, seats, holders FROM hold_seats_many(
                     ARRAY(SELECT a FROM jsonb_populate_recordset(NULL::hold_ask, $1) a),
                     interval '10 minutes', interval '0', true, 4)",
            )
            .bind(Value::Array(asks))
            .fetch_all(&db)
            .await
        }
    };
    let first = call(vec![ask(users[4], shows[1], &pair, &[PRICE, PRICE])])
        .await
        .unwrap();
    assert_eq!(first[0].0, "held");

    let answers = call(vec![
        ask(users[0], shows[0], &pair, &[PRICE, PRICE]),
        ask(users[1], shows[1], &pair, &[PRICE, PRICE]),
        ask(
            users[2],
            shows[2],
            &[pair[0], Uuid::new_v4()],
            &[PRICE, PRICE],
        ),
        ask(users[3], shows[3], &pair, &[PRICE, PRICE + 1]),
    ])
    .await
    .unwrap();
    let outcomes: Vec<&str> = answers.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        outcomes,
        ["held", "refused", "unknown_seats", "prices_changed"]
    );
    assert_eq!(answers[0].1.as_deref(), Some(&pair[..]), "the held seats");
    assert_eq!(
        answers[1].1.as_deref(),
        Some(&pair[..]),
        "the refused seats"
    );
    let holders = answers[1].2.clone().unwrap();
    assert!(
        holders
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["by"] == json!(users[4])),
        "{holders}"
    );

    let live = |show: Uuid| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, Vec<Uuid>>(
                "SELECT coalesce(array_agg(user_id), '{}') FROM bookings
                  WHERE show_id = $1 AND booking_state(status, hold_expires_at) = 'held'",
            )
            .bind(show)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(live(shows[0]).await, [users[0]]);
    assert_eq!(live(shows[1]).await, [users[4]]);
    assert!(live(shows[2]).await.is_empty());
    assert!(live(shows[3]).await.is_empty());

    let twice = call(vec![
        ask(users[2], shows[2], &pair, &[PRICE, PRICE]),
        ask(users[3], shows[2], &venue.block(2, 3, 2), &[PRICE, PRICE]),
    ])
    .await
    .unwrap_err();
    let code = twice
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("22023"), "{twice}");
    assert!(live(shows[2]).await.is_empty());
    assert!(venue::invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hold_is_refused_only_on_the_layout_as_it_is(db: PgPool) {
    let redis = redis_server::Server::start();
    let a = support::state_on_redis(&db, &redis.url()).await;
    let b = support::state_on_redis(&db, &redis.url()).await;
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let user = customers(&db, 1).await[0];
    let hold = |row| {
        let request = hold_request(venue.show_id, &venue.block(row, 1, 2), false);
        let a = a.clone();
        async move { a.bookings.hold(user.into(), &request).await }
    };
    let set_status = |status: &'static str| {
        let (db, b, show) = (db.clone(), b.clone(), venue.show_id);
        async move {
            sqlx::query("UPDATE shows SET status = $2 WHERE id = $1")
                .bind(show)
                .bind(status)
                .execute(&db)
                .await
                .unwrap();
            // As the dashboard on instance B will: every instance's cached copy is out of date.
            b.catalog.layout_changed(show.into()).await;
        }
    };
    let cancelled = |held: Result<_, BookingError>| {
        matches!(
            held,
            Err(BookingError::Rule {
                code: RuleCode::ShowCancelled,
                ..
            })
        )
    };
    // Instance A keeps the layout it read for this hold.
    hold(1).await.unwrap();
    // The show is cancelled on B: A's copy still says it is on sale, and PostgreSQL refuses.
    set_status("cancelled").await;
    assert!(cancelled(hold(2).await));
    // Read afresh, A's copy says cancelled and refuses on its own.
    assert!(cancelled(hold(2).await));
    // Sales resume on B. A's copy still says cancelled, but refusing is only done on the
    // layout as it is: A reads it again and the hold goes through.
    set_status("scheduled").await;
    hold(2).await.unwrap();
}
