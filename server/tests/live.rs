//! Live seat maps: a change made on one instance reaches a seat stream open on another, through
//! Redis pub/sub or, without Redis, PostgreSQL's LISTEN/NOTIFY.

mod support;

use app::{
    account::Role,
    booking::{SeatChange, SeatSnapshot, SeatStatus, SeatVersions},
    ids::SeatId,
};
use axum::body::Body;
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use std::collections::HashSet;
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
    let versions = change["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v.as_u64().unwrap() > 0), "{change}");
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

    // A's own release, heard back, leaves the newer claim alone: what is announced is the
    // seats as they stand, held by users[1].
    a.bookings.live().publish(show, &seat_ids);
    a.bookings.live().flush().await;
    assert_eq!(claimed_on_a().await.len(), 2, "still users[1]'s");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_change_too_big_for_one_notify_still_arrives_whole(db: PgPool) {
    let venue = venue(&db, 20, 20, Duration::days(1)).await;
    let (a, b) = (
        support::state(db.clone(), None),
        support::state(db.clone(), None),
    );
    listen(&a, None).await;
    let (mut events, _) = watch(&a, &venue).await;
    // A sweep that frees 400 seats of one show: far over NOTIFY's 8000-byte payload.
    let freed_seats: Vec<uuid::Uuid> = venue.seats.iter().map(|s| s.id).collect();
    b.bookings
        .live()
        .publish(venue.show_id.into(), &support::seat_ids(&freed_seats));
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

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_change_whose_announcement_died_with_its_process_still_reaches_maps(db: PgPool) {
    let venue = venue(&db, 4, 8, Duration::days(1)).await;
    let user = customers(&db, 1).await[0];
    let a = support::state(db.clone(), None);
    listen(&a, None).await;
    let (mut events, _) = watch(&a, &venue).await;
    // An instance that commits and never announces, as one killed right after its commit:
    // built where no runtime runs, it has no sender.
    let dying = {
        let db = db.clone();
        std::thread::spawn(move || support::state(db, None))
            .join()
            .unwrap()
    };
    let seats = venue.ids(&["B1", "B2"]);
    let request = hold_request(venue.show_id, &seats, false);
    dying.bookings.hold(user.into(), &request).await.unwrap();
    let quiet = events.next(std::time::Duration::from_millis(700)).await;
    assert!(matches!(quiet, Next::Quiet), "{quiet:?}");

    // The hold's event is in the outbox: the next relay to run (here another instance's, as
    // after a restart) announces it from committed state.
    support::outbox::relay(&a).await;
    let (name, change) = events.event(std::time::Duration::from_secs(2)).await;
    assert_eq!(name, "seats");
    assert_eq!(change["status"], "held");
    let mut heard: Vec<uuid::Uuid> = serde_json::from_value(change["seat_ids"].clone()).unwrap();
    heard.sort();
    let mut expected = seats;
    expected.sort();
    assert_eq!(heard, expected);
}

/// Applies changes to a map's taken seats as the browser does: by version, or, with `versions`
/// `None`, blindly in the order given.
fn apply(
    versions: Option<&mut SeatVersions>,
    taken: &mut HashSet<SeatId>,
    changes: &[&SeatChange],
) {
    let mut versions = versions;
    for change in changes {
        let seats = match versions.as_deref_mut() {
            Some(versions) => versions.newer(change),
            None => change.seat_ids.clone(),
        };
        for seat in seats {
            if change.status == SeatStatus::Available {
                taken.remove(&seat);
            } else {
                taken.insert(seat);
            }
        }
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn changes_delivered_out_of_order_leave_the_map_right(db: PgPool) {
    let venue = venue(&db, 4, 8, Duration::days(1)).await;
    let users = customers(&db, 3).await;
    let a = support::state(db.clone(), None);
    let (mut events, first) = watch(&a, &venue).await;
    let first: SeatSnapshot = serde_json::from_value(first).unwrap();

    // The same seats held, released, held by another and given up for others; more held:
    // each change announced before the next is made.
    let hold = |user: uuid::Uuid, labels: &'static [&'static str]| {
        let (a, request) = (
            a.clone(),
            hold_request(venue.show_id, &venue.ids(labels), false),
        );
        async move {
            let held = a.bookings.hold(user.into(), &request).await.unwrap();
            a.bookings.live().flush().await;
            held
        }
    };
    let held = hold(users[0], &["B1", "B2"]).await;
    let actor = app::booking::Actor {
        user_id: users[0].into(),
        role: Role::Customer,
    };
    a.bookings.cancel(actor, held.booking_id).await.unwrap();
    a.bookings.live().flush().await;
    hold(users[1], &["B1", "B2"]).await;
    hold(users[1], &["C1", "C2"]).await;
    hold(users[2], &["B3", "B4"]).await;

    let mut changes: Vec<SeatChange> = Vec::new();
    while let Next::Event(name, data) = events.next(std::time::Duration::from_millis(300)).await {
        if name == "seats" {
            changes.push(serde_json::from_value(data).unwrap());
        }
    }
    assert!(changes.len() >= 6, "{changes:?}");
    let (_, last) = watch(&a, &venue).await;
    let last: SeatSnapshot = serde_json::from_value(last).unwrap();
    let truth: HashSet<SeatId> = last.held.iter().chain(&last.booked).copied().collect();
    assert_eq!(truth.len(), 4, "C1, C2, B3, B4");

    let in_order: Vec<&SeatChange> = changes.iter().collect();
    let reversed: Vec<&SeatChange> = changes.iter().rev().collect();
    let mut shuffled = in_order.clone();
    shuffled.rotate_left(changes.len() / 2);
    shuffled.swap(0, changes.len() - 1);
    for order in [&in_order, &reversed, &shuffled] {
        let mut versions = SeatVersions::default();
        let mut taken = versions.merge(&first, &HashSet::new());
        apply(Some(&mut versions), &mut taken, order);
        assert_eq!(taken, truth, "{order:?}");
        // A snapshot read before all of them, arriving after, undoes none of them.
        assert_eq!(versions.merge(&first, &taken), truth);
        // And the snapshot read after them all agrees.
        assert_eq!(versions.merge(&last, &taken), truth);
    }
    // Applied blindly, the same changes in reverse leave the map wrong: what versions are for.
    let mut blind = HashSet::new();
    apply(None, &mut blind, &reversed);
    assert_ne!(blind, truth);
}
