//! A hot show's waiting room: past its rate, holds get a place in line (202 over REST, the
//! queue page in the browser) instead of errors, are admitted first come, first served, with
//! a signed admission token, and then hold as anyone else; the line is shared by instances on
//! one Redis.

mod support;

use app::account::Role;
use axum::Router;
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use std::time::Instant;
use support::{
    forms::{hold_form, post_form, sign_in},
    get, redis_server, send,
    venue::{customers, seat_breaches, venue, Venue},
    Reply,
};
use uuid::Uuid;

/// One hold a second per show, two at once: the third asker in the same second waits.
const ROOM: [(&str, &str); 2] = [("WAITING_ROOM_RATE", "1"), ("WAITING_ROOM_BURST", "2")];

struct Visitor {
    token: String,
    seats: Vec<Uuid>,
}

fn visitors(state: &AppState, venue: &Venue, users: &[Uuid]) -> Vec<Visitor> {
    let visitor = |(i, user): (usize, &Uuid)| Visitor {
        token: support::bearer(state, *user, Role::Customer),
        // Pairs side by side from the first seat of row 1 on (rows of 8): no seat left alone.
        seats: venue.block(1 + i as i32 / 4, 1 + 2 * (i as i32 % 4), 2),
    };
    users.iter().enumerate().map(visitor).collect()
}

async fn hold(app: &Router, show: Uuid, visitor: &Visitor, extra: &[(&str, &str)]) -> Reply {
    let body = json!({ "show_id": show, "seat_ids": visitor.seats });
    let mut headers = vec![("authorization", visitor.token.as_str())];
    headers.extend_from_slice(extra);
    send(app, "POST", "/api/v1/bookings/hold", Some(body), &headers).await
}

async fn poll(app: &Router, show: Uuid, visitor: &Visitor) -> Reply {
    let uri = format!("/api/v1/shows/{show}/queue");
    get(app, &uri, &[("authorization", &visitor.token)]).await
}

fn queued(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    reply.json()["queue"].clone()
}

/// Polls until `visitor` is admitted, returning its admission token.
async fn admitted(app: &Router, show: Uuid, visitor: &Visitor) -> String {
    let started = Instant::now();
    loop {
        let turn = poll(app, show, visitor).await;
        assert_eq!(turn.status, StatusCode::OK, "{}", turn.body);
        if let Some(token) = turn.json()["admission_token"].as_str() {
            return token.to_owned();
        }
        assert!(
            started.elapsed().as_secs() < 10,
            "never admitted: {}",
            turn.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn past_its_rate_a_show_lines_visitors_up_and_admits_them_in_order_of_arrival(db: PgPool) {
    let venue = venue(&db, 4, 8, Duration::days(2)).await;
    let state = support::state_with(db.clone(), None, &ROOM);
    let app = server::router(state.clone());
    let all = visitors(&state, &venue, &customers(&db, 5).await);
    let show = venue.show_id;

    for visitor in &all[..2] {
        let held = hold(&app, show, visitor, &[]).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    }
    let mut positions = Vec::new();
    for visitor in &all[2..] {
        let reply = hold(&app, show, visitor, &[("idempotency-key", "first-try")]).await;
        assert!(reply.headers.contains_key("retry-after"));
        let place = queued(&reply);
        assert_eq!(place["poll_url"], format!("/api/v1/shows/{show}/queue"));
        assert!(place["estimated_wait_seconds"].as_u64().unwrap() >= 1);
        positions.push(place["position"].as_u64().unwrap());
    }
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]) && positions[0] >= 1,
        "places follow arrival: {positions:?}"
    );
    // Asking again keeps one's place (it does not take a later one), and a token made for
    // someone else, or made up, does not let anyone in.
    let again = queued(&hold(&app, show, &all[3], &[]).await);
    assert!(again["position"].as_u64().unwrap() <= positions[1]);
    let last = &all[4];
    let forged = hold(
        &app,
        show,
        last,
        &[("admission-token", "4102444800000.00ff")],
    )
    .await;
    queued(&forged);
    let nobody = visitors(&state, &venue, &customers(&db, 1).await);
    assert_eq!(
        poll(&app, show, &nobody[0]).await.status,
        StatusCode::NOT_FOUND
    );
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(held, 2, "a place in line writes nothing");

    // First come, first served: whenever someone is admitted, everyone ahead of them is too.
    let waiting = &all[2..];
    let started = Instant::now();
    loop {
        let mut turns = Vec::new();
        for visitor in waiting {
            turns.push(poll(&app, show, visitor).await.json()["admission_token"].is_string());
        }
        assert!(
            turns.windows(2).all(|t| t[0] || !t[1]),
            "admitted out of order: {turns:?}"
        );
        if turns.iter().all(|t| *t) {
            break;
        }
        assert!(started.elapsed().as_secs() < 10, "the line never moved");
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }

    // Admitted: each holds with its token, the first under the key its 202 was answered on.
    let first = admitted(&app, show, &waiting[0]).await;
    let keyed = [
        ("idempotency-key", "first-try"),
        ("admission-token", first.as_str()),
    ];
    let held = hold(&app, show, &waiting[0], &keyed).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    for visitor in &waiting[1..] {
        let token = admitted(&app, show, visitor).await;
        let held = hold(&app, show, visitor, &[("admission-token", &token)]).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    }
    // A token is for its own holder.
    let stolen = hold(&app, show, &nobody[0], &[("admission-token", &first)]).await;
    queued(&stolen);
    assert!(seat_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn instances_on_one_redis_share_the_line(db: PgPool) {
    let redis = redis_server::Server::start();
    let url = redis.url();
    let instance = || async {
        let conn = server::db::redis(&url).await.unwrap();
        let vars = [ROOM[0], ROOM[1], ("REDIS_URL", url.as_str())];
        let state = support::state_with(db.clone(), Some(conn), &vars);
        (server::router(state.clone()), state)
    };
    let (a, state) = instance().await;
    let (b, _) = instance().await;
    let venue = venue(&db, 4, 8, Duration::days(2)).await;
    let all = visitors(&state, &venue, &customers(&db, 4).await);
    let show = venue.show_id;

    for visitor in &all[..2] {
        assert_eq!(
            hold(&a, show, visitor, &[]).await.status,
            StatusCode::CREATED
        );
    }
    let on_b = queued(&hold(&b, show, &all[2], &[]).await)["position"]
        .as_u64()
        .unwrap();
    let on_a = queued(&hold(&a, show, &all[3], &[]).await)["position"]
        .as_u64()
        .unwrap();
    assert!(on_b < on_a, "one line across instances: {on_b}, {on_a}");
    // Admitted on one instance, holding on the other.
    let token = admitted(&a, show, &all[2]).await;
    let held = hold(&b, show, &all[2], &[("admission-token", &token)]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert!(seat_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn without_javascript_a_queued_visitor_waits_on_a_page_that_updates_itself(db: PgPool) {
    support::seed(&db).await;
    let venue = venue(&db, 4, 8, Duration::days(2)).await;
    let vars = [("WAITING_ROOM_RATE", "1"), ("WAITING_ROOM_BURST", "1")];
    let state = support::state_with(db.clone(), None, &vars);
    let app = server::router(state.clone());
    let cookie = sign_in(&app).await;
    let show_page = format!("/shows/{}", venue.show_id);
    let map = get(&app, &show_page, &[("cookie", &cookie)]).await.body;
    let form = hold_form(&map, &venue, &["C3", "C4"]);
    let ahead = visitors(&state, &venue, &customers(&db, 1).await);
    assert_eq!(
        hold(&app, venue.show_id, &ahead[0], &[]).await.status,
        StatusCode::CREATED
    );

    let queue_page = format!("{show_page}/queue");
    let posted = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    assert!(posted.status.is_redirection(), "{}", posted.body);
    assert_eq!(posted.headers["location"], queue_page.as_str());
    let waiting = get(&app, &queue_page, &[("cookie", &cookie)]).await;
    assert_eq!(waiting.status, StatusCode::OK);
    assert!(
        waiting.body.contains("data-testid=\"queue-position\""),
        "{}",
        waiting.body
    );
    assert!(
        waiting.body.contains(r#"http-equiv="refresh""#),
        "the page updates itself"
    );
    // In Hindi, whether the turn has come by now or not.
    let in_hindi = format!("{cookie}; lang=hi");
    let hindi = get(&app, &queue_page, &[("cookie", &in_hindi)]).await.body;
    assert!(hindi.contains(r#"<html lang="hi""#), "{hindi}");
    let heading = |id: &str| app::i18n::tr(app::i18n::Lang::Hi, id);
    assert!(
        hindi.contains(&heading("queue-heading")) || hindi.contains(&heading("queue-choose")),
        "{hindi}"
    );

    let started = Instant::now();
    let turn = loop {
        let page = get(&app, &queue_page, &[("cookie", &cookie)]).await.body;
        if page.contains("data-testid=\"queue-admitted\"") {
            break page;
        }
        assert!(started.elapsed().as_secs() < 10, "never admitted");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(
        turn.contains(&format!("url={show_page}")),
        "on to the seat map"
    );
    let held = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    let location = held.headers["location"].to_str().unwrap();
    assert!(location.starts_with("/bookings/"), "held: {location}");
    assert!(seat_breaches(&db).await.is_empty());
}
