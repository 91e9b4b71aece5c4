//! Waiting lists of sold-out shows over REST, with two instances sharing one database: places
//! in order, freed seats held for the next in line exactly once each however the relays of
//! both instances race, declined offers passed on, and the mail that tells.

mod support;

use app::account::Role;
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use support::{
    bearer, send,
    venue::{add_show, customers, invariant_breaches, venue, Venue},
    Reply,
};
use uuid::Uuid;

struct Instance {
    state: AppState,
    app: axum::Router,
}

impl Instance {
    fn new(db: &PgPool, mail: &str) -> Self {
        // One event a pass: two seat-freeing events go one to each instance's relay.
        Self::batched(db, mail, "1")
    }

    fn batched(db: &PgPool, mail: &str, batch: &str) -> Self {
        let vars = [("MAIL_DIR", mail), ("OUTBOX_BATCH", batch)];
        let state = support::state_with(db.clone(), None, &vars);
        let state = support::without_filter(&state);
        Self {
            app: server::router(state.clone()),
            state,
        }
    }

    async fn call(&self, user: Uuid, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let token = bearer(&self.state, user, Role::Customer);
        send(&self.app, method, uri, body, &[("authorization", &token)]).await
    }

    async fn hold(&self, venue: &Venue, user: Uuid, labels: &[&str]) -> Uuid {
        self.hold_at(venue.show_id, venue, user, labels).await
    }

    async fn hold_at(&self, show: Uuid, venue: &Venue, user: Uuid, labels: &[&str]) -> Uuid {
        let body = json!({"show_id": show, "seat_ids": venue.ids(labels)});
        let held = self
            .call(user, "POST", "/api/v1/bookings/hold", Some(body))
            .await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        held.json()["booking_id"].as_str().unwrap().parse().unwrap()
    }

    async fn join(&self, venue: &Venue, user: Uuid) -> Reply {
        let uri = format!("/api/v1/shows/{}/waitlist", venue.show_id);
        self.call(user, "POST", &uri, Some(json!({"seats": 2})))
            .await
    }

    async fn release(&self, user: Uuid, booking: Uuid) {
        let uri = format!("/api/v1/bookings/{booking}");
        let released = self.call(user, "DELETE", &uri, None).await;
        assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    }
}

/// Each user's place: (status, position, seats held for them).
async fn places(db: &PgPool, users: &[Uuid]) -> Vec<(String, Option<i64>, i64)> {
    let mut out = Vec::new();
    for user in users {
        let place: (String, Option<i64>, i64) = sqlx::query_as(
            "SELECT w.status,
                    CASE WHEN w.status = 'waiting' THEN (SELECT count(*) FROM waitlist_entries o
                      WHERE o.show_id = w.show_id AND o.status = 'waiting' AND o.id <= w.id) END,
                    (SELECT count(*) FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id
                      WHERE b.id = w.booking_id AND b.status = 'held')
               FROM waitlist_entries w WHERE w.user_id = $1 ORDER BY w.id DESC LIMIT 1",
        )
        .bind(user)
        .fetch_one(db)
        .await
        .unwrap();
        out.push(place);
    }
    out
}

/// How many offers each user was told of.
async fn offers_told(db: &PgPool, users: &[Uuid]) -> Vec<i64> {
    let mut out = Vec::new();
    for user in users {
        let told: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM outbox_events
              WHERE event_type = 'waitlist.offered' AND payload ->> 'user_id' = $1::text",
        )
        .bind(user)
        .fetch_one(db)
        .await
        .unwrap();
        out.push(told);
    }
    out
}

/// Both instances' relays at once, until neither has anything due.
async fn relay_both(a: &Instance, b: &Instance) {
    loop {
        let (x, y) = tokio::join!(
            support::outbox::relay(&a.state),
            support::outbox::relay(&b.state)
        );
        if x + y == 0 {
            return;
        }
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn freed_seats_go_to_the_line_in_order_exactly_once_across_two_instances(db: PgPool) {
    let venue = venue(&db, 2, 4, Duration::days(2)).await;
    let mail = support::mail_dir();
    let (a, b) = (Instance::new(&db, &mail), Instance::new(&db, &mail));
    let users = customers(&db, 6).await;
    let line = &users[3..];

    // Seats are on sale: no line to join yet.
    let early = a.join(&venue, line[0]).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(early.json()["error"]["code"], "not_sold_out");

    // Sold out (the wheelchair space and its companion seat aside).
    let first = a.hold(&venue, users[0], &["A3", "A4"]).await;
    let second = b.hold(&venue, users[1], &["B1", "B2"]).await;
    let third = a.hold(&venue, users[2], &["B3", "B4"]).await;
    relay_both(&a, &b).await;
    for (i, user) in line.iter().enumerate() {
        let instance = if i % 2 == 0 { &a } else { &b };
        let joined = instance.join(&venue, *user).await;
        assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
        assert_eq!(joined.json()["position"], i as i64 + 1);
    }
    let again = b.join(&venue, line[1]).await;
    assert_eq!(again.json()["position"], 2, "joining again keeps the place");
    let mine = b.call(line[1], "GET", "/api/v1/users/waitlist", None).await;
    assert_eq!(mine.json()["items"][0]["status"], "waiting");
    assert_eq!(mine.json()["items"][0]["position"], 2);

    // Two pairs come free at once, one through each instance; both relays race to offer them.
    a.release(users[1], second).await;
    b.release(users[2], third).await;
    relay_both(&a, &b).await;
    assert_eq!(
        places(&db, line).await,
        [
            ("offered".into(), None, 2),
            ("offered".into(), None, 2),
            ("waiting".into(), Some(1), 0)
        ]
    );
    assert_eq!(offers_told(&db, line).await, [1, 1, 0]);
    let told = support::mail_to(&mail, &email(&db, line[0]).await);
    assert!(told.contains("Seats held for you"), "{told}");

    // The first in line declines: their seats pass to the next, once.
    let left = a
        .call(
            line[0],
            "DELETE",
            &format!("/api/v1/users/waitlist?show_id={}", venue.show_id),
            None,
        )
        .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT, "{}", left.body);
    relay_both(&a, &b).await;
    relay_both(&a, &b).await;
    assert_eq!(
        places(&db, line).await,
        [
            ("left".into(), None, 0),
            ("offered".into(), None, 2),
            ("offered".into(), None, 2)
        ]
    );
    assert_eq!(offers_told(&db, line).await, [1, 1, 1]);
    let mine = a.call(line[2], "GET", "/api/v1/users/waitlist", None).await;
    assert_eq!(mine.json()["items"][0]["status"], "offered");
    let _ = first;
    assert!(invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn one_pass_offers_every_line_its_batch_freed_seats_of_and_passes_the_others_by(db: PgPool) {
    let venue = venue(&db, 2, 4, Duration::days(2)).await;
    let other_show = add_show(&db, &venue, Duration::days(3)).await;
    let mail = support::mail_dir();
    let a = Instance::batched(&db, &mail, "50");
    let users = customers(&db, 6).await;
    let line = &users[3..5];

    let holds = [
        a.hold(&venue, users[0], &["A3", "A4"]).await,
        a.hold(&venue, users[1], &["B1", "B2"]).await,
        a.hold(&venue, users[2], &["B3", "B4"]).await,
    ];
    let elsewhere = a.hold_at(other_show, &venue, users[5], &["B1", "B2"]).await;
    support::outbox::relay(&a.state).await;
    for user in line {
        let joined = a.join(&venue, *user).await;
        assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    }

    // Seats of both shows come free; one pass takes every event, the line's and the others'.
    a.release(users[1], holds[1]).await;
    a.release(users[2], holds[2]).await;
    a.release(users[5], elsewhere).await;
    // A hold that replaces an earlier one frees seats too.
    a.hold_at(other_show, &venue, users[5], &["A3", "A4"]).await;
    a.hold_at(other_show, &venue, users[5], &["B3", "B4"]).await;
    support::outbox::relay(&a.state).await;
    assert_eq!(
        places(&db, line).await,
        [("offered".into(), None, 2), ("offered".into(), None, 2)]
    );
    assert_eq!(offers_told(&db, line).await, [1, 1]);
    let undelivered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events WHERE published_at IS NULL OR dead_at IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(undelivered, 0, "every event of the pass was delivered");
    assert!(invariant_breaches(&db).await.is_empty());
}

async fn email(db: &PgPool, user: Uuid) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(db)
        .await
        .unwrap()
}
