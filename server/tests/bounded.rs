//! Bounded work: password checks behind a gate, a time limit on every answer, body caps by
//! route, clean input at the door, and capped live seat streams that share one snapshot.

mod support;

use axum::{body::Body, extract::ConnectInfo, http::Request, Router};
use chrono::Duration;
use futures_util::future::join_all;
use http::StatusCode;
use serde_json::json;
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use std::net::SocketAddr;
use support::{
    sse::Events,
    venue::{customers, venue},
    Reply,
};
use tower::ServiceExt;

const CUSTOMER: &str = "customer@demo.district.test";
const PASSWORD: &str = "district-demo";
/// Limits out of the way, so only the bound under test answers.
const NO_LIMITS: [(&str, &str); 2] = [
    ("RATE_LIMIT_LOGIN_PER_IP", "10000/1m"),
    ("RATE_LIMIT_LOGIN_PER_ACCOUNT", "10000/1m"),
];

fn app(db: PgPool, vars: &[(&str, &str)]) -> Router {
    let mut all = NO_LIMITS.to_vec();
    all.extend_from_slice(vars);
    server::router(support::state_with(db, None, &all))
}

async fn login(app: &Router, password: &str) -> Reply {
    support::send(
        app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({"email": CUSTOMER, "password": password})),
        &[],
    )
    .await
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn password_checks_past_the_gate_wait_briefly_then_get_a_503(db: PgPool) {
    support::seed(&db).await;
    let app = app(
        db,
        &[
            ("PASSWORD_HASH_CONCURRENCY", "1"),
            ("PASSWORD_HASH_WAIT", "1s"),
        ],
    );
    let replies = join_all((0..200).map(|_| login(&app, "a wrong guess"))).await;
    let busy: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "two hundred checks one at a time outlast a second's wait"
    );
    for reply in &busy {
        assert_eq!(reply.json()["error"]["code"], "busy");
        assert!(reply.headers.contains_key("retry-after"));
    }
    for reply in replies
        .iter()
        .filter(|r| r.status != StatusCode::SERVICE_UNAVAILABLE)
    {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    }
    // Once the queue is gone, sign-in works again.
    assert_eq!(login(&app, PASSWORD).await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn an_answer_that_takes_too_long_is_a_503_not_a_hang(db: PgPool) {
    support::seed(&db).await;
    let state = support::state_with(db.clone(), None, &[("REQUEST_TIMEOUT", "1s")]);
    let token = login(&server::router(state.clone()), PASSWORD).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another transaction holds the user's row, so the profile write waits on it.
    let mut blocker = db.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM users WHERE email = $1 FOR UPDATE")
        .bind(CUSTOMER)
        .execute(&mut *blocker)
        .await
        .unwrap();
    let reply = support::send(
        &server::router(state),
        "PUT",
        "/api/v1/users/profile",
        Some(json!({"name": "Slow Write"})),
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["error"]["code"], "timeout");
    blocker.rollback().await.unwrap();

    // A body that starts and never ends is timed too (a slow client holds nothing for ever).
    let start = futures_util::stream::iter([Ok::<_, std::io::Error>(br#"{"email": "#.to_vec())]);
    let trickle = futures_util::StreamExt::chain(start, futures_util::stream::pending());
    let request = Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from_stream(trickle))
        .unwrap();
    let app = server::router(support::state_with(db, None, &[("REQUEST_TIMEOUT", "1s")]));
    let reply = support::request(&app, request).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["error"]["code"], "timeout");
}

/// A POST whose body is `bytes`, with its length declared or streamed without one.
async fn post_bytes(app: &Router, uri: &str, kind: &str, bytes: Vec<u8>, declared: bool) -> Reply {
    let builder = Request::post(uri).header("content-type", kind);
    let request = if declared {
        builder
            .header("content-length", bytes.len())
            .body(Body::from(bytes))
    } else {
        let chunks = bytes
            .chunks(8192)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>();
        builder.body(Body::from_stream(futures_util::stream::iter(chunks)))
    };
    support::request(app, request.unwrap()).await
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn bodies_are_capped_by_route_small_for_json_and_forms(db: PgPool) {
    support::seed(&db).await;
    let app = app(db, &[]);
    let padding = "x".repeat(100 * 1024);
    let json = json!({"email": CUSTOMER, "password": padding})
        .to_string()
        .into_bytes();
    let form = format!("email=a%40b.in&password={padding}");
    let too_big = [
        ("/api/v1/auth/login", "application/json", json.clone()),
        (
            "/_fn/account/login",
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        ),
    ];
    for (uri, kind, body) in too_big {
        for declared in [true, false] {
            let reply = post_bytes(&app, uri, kind, body.clone(), declared).await;
            assert_eq!(
                reply.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{uri}, declared: {declared}"
            );
            assert_eq!(reply.json()["error"]["code"], "payload_too_large");
        }
    }
    // Multipart is no way around the cap, outside the poster uploads.
    let multipart = post_bytes(
        &app,
        "/api/v1/auth/login",
        "multipart/form-data; boundary=x",
        json,
        false,
    )
    .await;
    assert_eq!(multipart.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A screen layout may be larger: refused for who is asking, not for its size.
    let layout = json!({"rows": 1, "padding": padding}).to_string();
    let screen = format!("/api/v1/admin/screens/{}/layout", uuid::Uuid::new_v4());
    let request = Request::put(screen.as_str())
        .header("content-type", "application/json")
        .body(Body::from(layout))
        .unwrap();
    assert_eq!(
        support::request(&app, request).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_nul_or_broken_utf8_anywhere_is_a_400_and_long_filters_a_422(db: PgPool) {
    support::seed(&db).await;
    let app = app(db.clone(), &[]);
    let users_before: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db)
        .await
        .unwrap();
    for uri in [
        "/api/v1/movies/search?q=a%00b",
        "/api/v1/movies/search?q=%FF%FE",
        "/api/v1/movies?language=hi%00",
        "/movies/a%00b",
    ] {
        let reply = support::get(&app, uri, &[]).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{uri}: {}",
            reply.body
        );
    }
    let signup =
        |body: Vec<u8>| post_bytes(&app, "/api/v1/auth/signup", "application/json", body, true);
    let escaped =
        json!({"name": "Asha\u{0}", "email": "nul@example.com", "password": "long enough"});
    let mut raw = br#"{"name": "Asha "#.to_vec();
    raw.extend_from_slice(&[0xff, 0xfe]);
    raw.extend_from_slice(br#"", "email": "utf@example.com", "password": "long enough"}"#);
    for body in [escaped.to_string().into_bytes(), raw] {
        let reply = signup(body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "invalid_input");
    }
    let form = post_bytes(
        &app,
        "/_fn/account/login",
        "application/x-www-form-urlencoded",
        b"email=a%00%40b.in&password=x".to_vec(),
        true,
    )
    .await;
    assert_eq!(form.status, StatusCode::BAD_REQUEST);
    // Whatever the body says it is: JSON by another name, plain text to a server function.
    let other_json = post_bytes(
        &app,
        "/api/v1/auth/signup",
        "application/vnd.district+json",
        escaped.to_string().into_bytes(),
        true,
    )
    .await;
    assert_eq!(
        other_json.status,
        StatusCode::BAD_REQUEST,
        "{}",
        other_json.body
    );
    let plain = post_bytes(
        &app,
        "/_fn/search_movies",
        "text/plain",
        b"q=a%00b".to_vec(),
        true,
    )
    .await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST, "{}", plain.body);
    let users_after: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(users_after, users_before, "nothing was written");

    let long = format!("/api/v1/movies?genre={}", "g".repeat(41));
    let reply = support::get(&app, &long, &[]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.json()["error"]["fields"]["genre"].is_string());
}

/// Opens the show's seat stream as a client at `peer`: its events, or the refusal.
async fn open_stream(state: &AppState, show: uuid::Uuid, peer: &str) -> Result<Events, Reply> {
    let mut request = Request::get(format!("/api/v1/shows/{show}/seats/stream"))
        .body(Body::empty())
        .unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = server::router(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    if response.status() == StatusCode::OK {
        return Ok(Events::new(response.into_body()));
    }
    let (status, headers) = (response.status(), response.headers().clone());
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    Err(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn live_streams_are_capped_per_client_and_in_all(db: PgPool) {
    let venue = venue(&db, 2, 4, Duration::days(1)).await;
    let state = support::state_with(
        db,
        None,
        &[
            ("SEAT_STREAMS_PER_CLIENT", "2"),
            ("SEAT_STREAMS_TOTAL", "3"),
        ],
    );
    let show = venue.show_id;
    let first = open_stream(&state, show, "192.0.2.1:1").await.unwrap();
    let _second = open_stream(&state, show, "192.0.2.1:2").await.unwrap();
    let refused = open_stream(&state, show, "192.0.2.1:3")
        .await
        .err()
        .expect("a third from one client");
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
    let _other = open_stream(&state, show, "198.51.100.7:1").await.unwrap();
    let full = open_stream(&state, show, "203.0.113.3:1")
        .await
        .err()
        .expect("past the total");
    assert_eq!(full.status, StatusCode::TOO_MANY_REQUESTS);
    // A closed stream gives its place back.
    drop(first);
    assert!(open_stream(&state, show, "192.0.2.1:4").await.is_ok());
}

/// `district_seat_snapshots_total{reason="gap"}` as this process counted it so far.
async fn gap_snapshots(app: &Router) -> u64 {
    let metrics = support::get_as_operator(app, "/metrics").await.body;
    metrics
        .lines()
        .find(|l| l.starts_with("district_seat_snapshots_total{reason=\"gap\"}"))
        .and_then(|l| l.split_whitespace().last()?.parse().ok())
        .unwrap_or(0)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn after_a_listener_gap_every_open_map_of_a_show_shares_one_snapshot(db: PgPool) {
    let venue = venue(&db, 2, 4, Duration::days(1)).await;
    let user = customers(&db, 1).await[0];
    let state = support::state(db.clone(), None);
    state.bookings.follow_others(None);
    state.bookings.live().listening().await;
    let request = support::hold_request(venue.show_id, &venue.ids(&["A1", "A2"]), false);
    state.bookings.hold(user.into(), &request).await.unwrap();
    // Announced before the maps open, so each map's first event after its snapshot is the gap's.
    state.bookings.live().flush().await;
    let mut maps = Vec::new();
    for i in 0..12 {
        let mut events = open_stream(&state, venue.show_id, &format!("192.0.2.{i}:1"))
            .await
            .unwrap();
        let (name, _) = events.event(std::time::Duration::from_secs(5)).await;
        assert_eq!(name, "snapshot");
        maps.push(events);
    }
    let app = server::router(state.clone());
    let before = gap_snapshots(&app).await;

    support::drop_listeners(&db).await;
    for events in &mut maps {
        let (name, snapshot) = events.event(std::time::Duration::from_secs(5)).await;
        assert_eq!(name, "snapshot");
        assert_eq!(snapshot["held"].as_array().unwrap().len(), 2);
    }
    assert_eq!(
        gap_snapshots(&app).await - before,
        1,
        "one read for twelve maps"
    );
}
