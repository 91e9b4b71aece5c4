//! Seats cannot be hoarded: a re-hold never extends a hold, one user holds seats for a
//! bounded number of shows at once, and holding is rate limited per user.

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
