//! Live seat maps: a change made on one instance reaches a seat stream open on another, through
//! Redis pub/sub or, without Redis, PostgreSQL's LISTEN/NOTIFY.

mod support;

use app::{
    account::Role,
    booking::{live::Announced, SeatChange, SeatStatus},
};
use axum::body::Body;
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use support::{
    hold_request, redis_server,
    sse::{Events, Next},
    venue::{customers, venue, Venue},
};
use tower::ServiceExt;

async fn open_stream(state: &AppState, venue: &Venue) -> Events {
    let response = server::router(state.clone())
        .oneshot(
            http::Request::get(format!("/api/v1/shows/{}/seats/stream", venue.show_id))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    Events::new(response.into_body())
}

/// A stream open on `state`, past its first snapshot (returned).
async fn watch(state: &AppState, venue: &Venue) -> (Events, Value) {
    let mut events = open_stream(state, venue).await;
    let (name, snapshot) = events.event(std::time::Duration::from_secs(5)).await;
    assert_eq!(name, "snapshot");
    (events, snapshot)
}

/// Starts `state` listening to the other instances and waits until it is subscribed.
async fn listen(state: &AppState, redis_url: Option<String>) {
    state.bookings.follow_others(redis_url);
    state.bookings.live().listening().await;
}

fn freed(show: uuid::Uuid, seats: &[uuid::Uuid]) -> Announced {
    Announced::freed(SeatChange {
        show_id: show.into(),
        status: SeatStatus::Available,
        seat_ids: support::seat_ids(seats),
    })
}

/// Two instances on one database: a hold on `b` shows up on a stream opened on `a`, which
/// listens through Redis when `redis_url` is given.
async fn changes_cross_instances(db: &PgPool, a: AppState, b: AppState, redis_url: Option<String>) {
    let venue = venue(db, 4, 8, Duration::days(1)).await;
    let user = customers(db, 1).await[0];
    let held = venue.ids(&["B1", "B2"]);
    // Somebody already holds C3 and C4 when the map opens.
    let token = support::bearer(&b, user, Role::Customer);
    let hold = |seats: Vec<uuid::Uuid>| {
        let app = server::router(b.clone());
        let token = token.clone();
        let body = json!({ "show_id": venue.show_id, "seat_ids": seats });
        async move {
            support::send(
                &app,
                "POST",
                "/api/v1/bookings/hold",
                Some(body),
                &[("authorization", &token)],
            )
            .await
        }
    };
    let other = customers(db, 1).await[0];
    let early = hold_request(venue.show_id, &venue.ids(&["C3", "C4"]), false);
    b.bookings.hold(other.into(), &early).await.unwrap();
    // Announced, and gone, before a starts to listen.
    b.bookings.live().flush().await;
    listen(&a, redis_url).await;

    let (mut events, snapshot) = watch(&a, &venue).await;
    assert_eq!(snapshot["held"].as_array().unwrap().len(), 2);
    // Now change seats on the other instance.
    assert_eq!(hold(held.clone()).await.status, StatusCode::CREATED);
    let (name, change) = events.event(std::time::Duration::from_secs(1)).await;
    assert_eq!(name, "seats");
    assert_eq!(change["status"], "held");
    let mut seats: Vec<uuid::Uuid> = serde_json::from_value(change["seat_ids"].clone()).unwrap();
    seats.sort();
    let mut expected = held;
    expected.sort();
    assert_eq!(seats, expected);

    // Replacing the hold frees the old seats and takes the new ones, in that order.
    assert_eq!(
        hold(venue.ids(&["D1", "D2"])).await.status,
        StatusCode::CREATED
    );
    let (_, freed) = events.event(std::time::Duration::from_secs(1)).await;
    assert_eq!(freed["status"], "available");
    let (_, taken) = events.event(std::time::Duration::from_secs(1)).await;
    assert_eq!(taken["status"], "held");

    // Shutting an instance down ends its streams, so draining does not wait on them.
    a.bookings.live().close();
    let after = events.next(std::time::Duration::from_secs(2)).await;
    assert!(matches!(after, Next::Ended), "{after:?}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn seat_changes_reach_other_instances_through_postgresql(db: PgPool) {
    let a = support::state(db.clone(), None);
    let b = support::state(db.clone(), None);
    changes_cross_instances(&db, a, b, None).await;
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn seat_changes_reach_other_instances_through_redis(db: PgPool) {
    let redis = redis_server::Server::start();
    let a = support::state_on_redis(&db, &redis.url()).await;
    let b = support::state_on_redis(&db, &redis.url()).await;
    let mut postgres = sqlx::postgres::PgListener::connect_with(&db).await.unwrap();
    postgres.listen(app::booking::live::CHANNEL).await.unwrap();
    changes_cross_instances(&db, a, b, Some(redis.url())).await;
    // With Redis up, nothing went through PostgreSQL: Redis carried every change.
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(200), postgres.recv()).await;
    assert!(quiet.is_err(), "unexpected NOTIFY: {quiet:?}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_stream_for_an_unknown_show_is_a_404(db: PgPool) {
    let app = support::app(db);
    let reply = support::get(
        &app,
        &format!("/api/v1/shows/{}/seats/stream", uuid::Uuid::nil()),
        &[],
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = support::get(&app, "/api/v1/shows/nope/seats/stream", &[]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

use support::eventually;

#[sqlx::test(migrator = "MIGRATOR")]
async fn in_process_seat_claims_follow_releases_made_on_other_instances(db: PgPool) {
    let venue = venue(&db, 4, 8, Duration::days(1)).await;
    let users = customers(&db, 3).await;
    let (a, b) = (
        support::state(db.clone(), None),
        support::state(db.clone(), None),
    );
    listen(&a, None).await;
    listen(&b, None).await;
    let show = venue.show_id.into();
    let seats = venue.ids(&["B1", "B2"]);
    let seat_ids = support::seat_ids(&seats);
    let claimed_on_a = || a.bookings.filter().taken(show, &seat_ids, users[2].into());

    // Held through instance a, released through instance b...
    let request = hold_request(venue.show_id, &seats, false);
    let held = a.bookings.hold(users[0].into(), &request).await.unwrap();
    assert_eq!(claimed_on_a().await.len(), 2);
    let actor = app::booking::Actor {
        user_id: users[0].into(),
        role: Role::Customer,
    };
    b.bookings.cancel(actor, held.booking_id).await.unwrap();
    // ...so a forgets its claims and the next moviegoer gets the seats there at once.
    assert!(eventually(|| async { claimed_on_a().await.is_empty() }).await);
    a.bookings.hold(users[1].into(), &request).await.unwrap();

    // A's own announcement, heard back late, leaves a newer claim alone. NOTIFY delivers in
    // commit order: once the echo is out (a listener of the test's own heard it) and a hears
    // what b announced after that, a has heard its echo too.
    let mut raw = sqlx::postgres::PgListener::connect_with(&db).await.unwrap();
    raw.listen(app::booking::live::CHANNEL).await.unwrap();
    let mut heard = a.bookings.live().subscribe_remote();
    a.bookings.live().publish(&[freed(venue.show_id, &seats)]);
    while !raw
        .recv()
        .await
        .unwrap()
        .payload()
        .contains(&seats[0].to_string())
    {}
    let marker = venue.ids(&["D1"]);
    b.bookings.live().publish(&[freed(venue.show_id, &marker)]);
    loop {
        match heard.recv().await.unwrap() {
            app::booking::live::Heard::Change(change)
                if change.change.seat_ids == support::seat_ids(&marker) =>
            {
                break
            }
            _ => {}
        }
    }
    assert_eq!(claimed_on_a().await.len(), 2, "still users[1]'s");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_change_too_big_for_one_notify_still_arrives_whole(db: PgPool) {
    let venue = venue(&db, 4, 8, Duration::days(1)).await;
    let (a, b) = (
        support::state(db.clone(), None),
        support::state(db.clone(), None),
    );
    listen(&a, None).await;
    let (mut events, _) = watch(&a, &venue).await;
    // A sweep that frees 400 seats of one show: far over NOTIFY's 8000-byte payload.
    let freed_seats: Vec<uuid::Uuid> = (0..400).map(|_| uuid::Uuid::new_v4()).collect();
    b.bookings
        .live()
        .publish(&[freed(venue.show_id, &freed_seats)]);
    let mut heard = Vec::new();
    while heard.len() < freed_seats.len() {
        let (name, change) = events.event(std::time::Duration::from_secs(2)).await;
        if name == "seats" {
            heard.extend(
                serde_json::from_value::<Vec<uuid::Uuid>>(change["seat_ids"].clone()).unwrap(),
            );
        }
    }
    heard.sort();
    let mut expected = freed_seats;
    expected.sort();
    assert_eq!(heard, expected);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_lost_listener_connection_refreshes_maps_and_in_process_claims(db: PgPool) {
    let venue = venue(&db, 4, 8, Duration::days(1)).await;
    let users = customers(&db, 2).await;
    let a = support::state(db.clone(), None);
    listen(&a, None).await;
    let (mut events, _) = watch(&a, &venue).await;
    let seats = venue.ids(&["B1", "B2"]);
    let (show, seat_ids) = (venue.show_id.into(), support::seat_ids(&seats));
    let request = hold_request(venue.show_id, &seats, false);
    a.bookings.hold(users[0].into(), &request).await.unwrap();
    let (name, _) = events.event(std::time::Duration::from_secs(2)).await;
    assert_eq!(name, "seats");
    assert_eq!(
        a.bookings
            .filter()
            .taken(show, &seat_ids, users[1].into())
            .await,
        seat_ids
    );

    // The listener's connection dies: whatever was announced meanwhile is lost, so open maps
    // get a fresh snapshot and the in-process filter forgets what it cannot vouch for.
    support::drop_listeners(&db).await;
    let (name, snapshot) = events.event(std::time::Duration::from_secs(5)).await;
    assert_eq!(name, "snapshot");
    assert_eq!(snapshot["held"].as_array().unwrap().len(), 2);
    assert!(
        eventually(|| async {
            a.bookings
                .filter()
                .taken(show, &seat_ids, users[1].into())
                .await
                .is_empty()
        })
        .await
    );
}
