//! Seats cannot be hoarded: a re-hold never extends a hold, one user holds seats for a
//! bounded number of shows at once and for a bounded time per show, holding is rate limited
//! per user, and a release Redis missed does not leave the seats refused.

mod support;

use app::account::Role;
use chrono::{DateTime, Duration, Utc};
use http::StatusCode;
use serde_json::json;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    send,
    venue::{add_show, customers, venue, Venue},
    Reply,
};
use uuid::Uuid;

struct Setup {
    app: axum::Router,
    venue: Venue,
    token: String,
}

async fn setup(db: &PgPool, vars: &[(&str, &str)]) -> Setup {
    let venue = venue(db, 4, 10, Duration::days(2)).await;
    let user = customers(db, 1).await[0];
    let state = support::state_with(db.clone(), None, vars);
    let token = support::bearer(&state, user, Role::Customer);
    Setup {
        app: server::router(state),
        venue,
        token,
    }
}

impl Setup {
    async fn hold(&self, show: Uuid, labels: &[&str]) -> Reply {
        let body = json!({ "show_id": show, "seat_ids": self.venue.ids(labels) });
        send(
            &self.app,
            "POST",
            "/api/v1/bookings/hold",
            Some(body),
            &[("authorization", &self.token)],
        )
        .await
    }
}

fn deadline(reply: &Reply) -> DateTime<Utc> {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["hold_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_re_hold_keeps_the_first_deadline(db: PgPool) {
    let s = setup(&db, &[]).await;
    let show = s.venue.show_id;
    let first = deadline(&s.hold(show, &["A1", "A2"]).await);
    // Time passes: the hold has five minutes left.
    sqlx::query(
        "UPDATE bookings SET hold_expires_at = now() + interval '5 minutes' WHERE status = 'held'",
    )
    .execute(&db)
    .await
    .unwrap();
    let same = deadline(&s.hold(show, &["A1", "A2"]).await);
    let grown = deadline(&s.hold(show, &["A1", "A2", "A3"]).await);
    for later in [same, grown] {
        let left = later - Utc::now();
        assert!(
            left <= Duration::minutes(5) && left > Duration::minutes(4),
            "a re-hold left {left} (the first ran to {first})"
        );
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn one_user_holds_seats_for_a_bounded_number_of_shows(db: PgPool) {
    let s = setup(&db, &[("MAX_LIVE_HOLDS", "2")]).await;
    let mut shows = vec![s.venue.show_id];
    for hours in [6, 9] {
        shows.push(add_show(&db, &s.venue, Duration::days(2) + Duration::hours(hours)).await);
    }
    deadline(&s.hold(shows[0], &["B1"]).await);
    deadline(&s.hold(shows[1], &["B1"]).await);
    let refused = s.hold(shows[2], &["B1"]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "too_many_holds");
    // Changing the seats of a show already held is no new show.
    deadline(&s.hold(shows[0], &["B1", "B2"]).await);
    // A lapsed hold no longer counts.
    sqlx::query(
        "UPDATE bookings SET hold_expires_at = now() - interval '1 second' WHERE show_id = $1",
    )
    .bind(shows[1])
    .execute(&db)
    .await
    .unwrap();
    deadline(&s.hold(shows[2], &["B1"]).await);
}

impl Setup {
    async fn release(&self, reply: &Reply) {
        let id = reply.json()["booking_id"].as_str().unwrap().to_owned();
        let uri = format!("/api/v1/bookings/{id}");
        let released = send(
            &self.app,
            "DELETE",
            &uri,
            None,
            &[("authorization", &self.token)],
        )
        .await;
        assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    }
}

/// Moves the user's holds `minutes` into the past, as if that much time had gone by.
async fn age_holds(db: &PgPool, minutes: i32) {
    sqlx::query(
        "UPDATE bookings SET created_at = created_at - make_interval(mins => $1),
                hold_expires_at = hold_expires_at - make_interval(mins => $1),
                cancelled_at = cancelled_at - make_interval(mins => $1)",
    )
    .bind(minutes)
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn letting_go_and_holding_again_does_not_keep_seats_for_ever(db: PgPool) {
    let s = setup(&db, &[("HOLD_TIME_BUDGET", "15m")]).await;
    let show = s.venue.show_id;
    let first = s.hold(show, &["D1", "D2"]).await;
    deadline(&first);
    // Eight minutes later the user lets go and at once holds the same seats again.
    age_holds(&db, 8).await;
    s.release(&first).await;
    let second = s.hold(show, &["D1", "D2"]).await;
    let left = deadline(&second) - Utc::now();
    assert!(
        left <= Duration::minutes(7) && left > Duration::minutes(6),
        "the second hold gets what is left of fifteen minutes, not ten more: {left}"
    );
    // Once the fifteen minutes are used, the seats go back to everyone.
    age_holds(&db, 7).await;
    s.release(&second).await;
    let third = s.hold(show, &["D1", "D2"]).await;
    assert_eq!(third.status, StatusCode::CONFLICT, "{}", third.body);
    assert_eq!(third.json()["error"]["code"], "hold_time_used");
    // An hour on, the budget is whole again.
    age_holds(&db, 45).await;
    deadline(&s.hold(show, &["D1", "D2"]).await);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn holds_of_other_shows_at_the_same_moment_do_not_slip_past_the_cap(db: PgPool) {
    let s = setup(&db, &[("MAX_LIVE_HOLDS", "1")]).await;
    let mut shows = vec![s.venue.show_id];
    for hours in 1..6 {
        shows.push(
            add_show(
                &db,
                &s.venue,
                Duration::days(2) + Duration::hours(hours * 4),
            )
            .await,
        );
    }
    // Six holds of six shows at once: written together or side by side, one gets through.
    let replies =
        futures_util::future::join_all(shows.iter().map(|show| s.hold(*show, &["C5"]))).await;
    let held = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        held,
        1,
        "{:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    for refused in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        assert_eq!(
            refused.json()["error"]["code"],
            "too_many_holds",
            "{}",
            refused.body
        );
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn holding_is_rate_limited_per_user(db: PgPool) {
    let s = setup(&db, &[("RATE_LIMIT_HOLD_PER_USER", "3/1m")]).await;
    let show = s.venue.show_id;
    for seats in [&["C1", "C2"][..], &["C1", "C2", "C3"], &["C1", "C2"]] {
        deadline(&s.hold(show, seats).await);
    }
    let limited = s.hold(show, &["C1", "C2", "C3"]).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert!(limited.headers.contains_key("retry-after"));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_release_redis_missed_still_frees_the_seats_within_seconds(db: PgPool) {
    let redis = support::redis_server::Server::start();
    let venue = venue(&db, 4, 10, Duration::days(2)).await;
    let users = customers(&db, 3).await;
    let state = support::state_on_redis(&db, &redis.url()).await;
    let app = server::router(state.clone());
    let call = |user: Uuid, method: &'static str, uri: String, body: Option<serde_json::Value>| {
        let token = support::bearer(&state, user, Role::Customer);
        let app = app.clone();
        async move { send(&app, method, &uri, body, &[("authorization", &token)]).await }
    };
    let hold = |user: Uuid, labels: &[&str]| {
        let body = json!({ "show_id": venue.show_id, "seat_ids": venue.ids(labels) });
        call(user, "POST", "/api/v1/bookings/hold".into(), Some(body))
    };
    let held = hold(users[0], &["B1", "B2"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let booking = held.json()["booking_id"].as_str().unwrap().to_owned();

    // Redis stalls: a hold elsewhere times out in the seat filter, which then rests.
    let mut admin = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let stalled = std::time::Instant::now();
    redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(1500)
        .arg("WRITE")
        .query_async::<()>(&mut admin)
        .await
        .unwrap();
    assert_eq!(hold(users[1], &["D1"]).await.status, StatusCode::CREATED);
    // The first holder lets go meanwhile: PostgreSQL frees the seats at once, Redis hears
    // nothing now.
    let released = call(
        users[0],
        "DELETE",
        format!("/api/v1/bookings/{booking}"),
        None,
    )
    .await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    let released_at = std::time::Instant::now();

    // Once Redis answers and the filter's rest is over, the seats are not refused on a stale
    // claim: someone else holds them, within three seconds of the release.
    let back = stalled + std::time::Duration::from_millis(2500);
    tokio::time::sleep(back.saturating_duration_since(std::time::Instant::now())).await;
    let taken = hold(users[2], &["B1", "B2"]).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    assert!(released_at.elapsed() < std::time::Duration::from_secs(3));
}
