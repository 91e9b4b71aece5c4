//! Shared helpers: the real router over a test database, and request shortcuts.
#![allow(dead_code)]

pub mod conformance;
pub mod food;
pub mod forms;
pub mod kafka;
pub mod offers;
pub mod outbox;
pub mod pg_cluster;
pub mod phone;
pub mod razorpay;
pub mod redis_server;
pub mod smtp;
pub mod sse;
pub mod staff;
pub mod stripe;
pub mod venue;

use app::{booking::HoldRequest, db::Db};
use axum::{body::Body, http::Request, Router};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use server::{config::Config, AppState};
use sqlx::PgPool;
use std::collections::HashMap;
use tower::ServiceExt;

/// The app's state from a configuration like production's, with extra variables on top.
pub fn state_with(
    db: PgPool,
    redis: Option<redis::aio::ConnectionManager>,
    vars: &[(&str, &str)],
) -> AppState {
    state_over(Db::new(db, None), redis, vars)
}

/// The same over pools of the test's choosing (a primary and its replica).
pub fn state_over(
    db: Db,
    redis: Option<redis::aio::ConnectionManager>,
    vars: &[(&str, &str)],
) -> AppState {
    let mut all: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), "postgres://unused/by-tests".into()),
        ("APP_ENV".into(), "test".into()),
        // The site the tests' requests say they come from.
        ("PUBLIC_URL".into(), "http://district.test".into()),
    ]);
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::from_lookup(|name| all.get(name).cloned()).expect("test configuration");
    // Warnings and errors go to the test's own output, shown when it fails (TEST_LOG sets
    // another filter, e.g. `debug`, to follow a failing test).
    let filter = std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
    let options = LeptosOptions::builder().output_name("district").build();
    server::assemble(&config, options, db, redis).expect("state")
}

pub fn state(db: PgPool, redis: Option<redis::aio::ConnectionManager>) -> AppState {
    state_with(db, redis, &[])
}

/// The same instance with its seat filter off: PostgreSQL alone decides every hold.
pub fn without_filter(state: &AppState) -> AppState {
    let bookings = state.bookings.clone();
    AppState::new(server::Domains {
        bookings: bookings.with_filter(app::booking::seat_filter::SeatFilter::off()),
        ..server::Domains::clone(state)
    })
}

/// An instance on the Redis at `url`, as each of several sharing one would be.
pub async fn state_on_redis(db: &PgPool, url: &str) -> AppState {
    let conn = server::db::redis(url).await.unwrap();
    state_with(db.clone(), Some(conn), &[("REDIS_URL", url)])
}

/// A hold of `seats` of `show`, as a REST client or the seat map asks for it.
pub fn hold_request(show: uuid::Uuid, seats: &[uuid::Uuid], wheelchair: bool) -> HoldRequest {
    HoldRequest {
        show_id: show.into(),
        seat_ids: seats.iter().map(|s| (*s).into()).collect(),
        wheelchair,
    }
}

pub fn seat_ids(seats: &[uuid::Uuid]) -> Vec<app::ids::SeatId> {
    seats.iter().map(|s| (*s).into()).collect()
}

/// Runs `test` against a database of its own, created from DATABASE_URL and migrated, as
/// `#[sqlx::test]` does, but on whatever runtime the caller runs (several threads, say). The
/// database is dropped when the test passes and kept for a look when it fails.
pub async fn with_database<F, Fut>(migrator: &'static sqlx::migrate::Migrator, test: F)
where
    F: FnOnce(PgPool) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use sqlx::postgres::PgConnectOptions;
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test server");
    let admin: PgConnectOptions = url.parse().expect("a PostgreSQL URL");
    let name = format!("district_race_{}", uuid::Uuid::new_v4().simple());
    let server = sqlx::PgPool::connect_with(admin.clone().database("postgres"))
        .await
        .expect("the test server answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&server)
        .await
        .unwrap();
    let db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(10)
        .connect_with(admin.database(&name))
        .await
        .unwrap();
    migrator.run(&db).await.unwrap();
    test(db.clone()).await;
    db.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&server)
        .await
        .unwrap();
}

/// Serves `app` on a port of its own, where a gateway's stand-in sends webhooks; answers the
/// webhook address of `gateway`.
pub async fn serve(app: Router, gateway: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/api/v1/payments/webhook/{gateway}")
}

/// A hold of `labels` at the venue's show by the bearer of `auth`, and a payment of it started
/// through `provider`: the booking's id and the payment as `initiate` answered it.
pub async fn hold_and_pay(
    app: &Router,
    auth: &[(&str, &str)],
    venue: &venue::Venue,
    labels: &[&str],
    provider: &str,
) -> (uuid::Uuid, serde_json::Value) {
    let body = serde_json::json!({"show_id": venue.show_id, "seat_ids": venue.ids(labels)});
    let held = send(app, "POST", "/api/v1/bookings/hold", Some(body), auth).await;
    let booking = held.json()["booking_id"]
        .as_str()
        .unwrap_or_else(|| panic!("hold: {}", held.body))
        .parse()
        .unwrap();
    let body = serde_json::json!({"booking_id": booking, "provider": provider});
    let started = send(app, "POST", "/api/v1/payments/initiate", Some(body), auth).await;
    assert_eq!(
        started.status,
        http::StatusCode::CREATED,
        "{}",
        started.body
    );
    (booking, started.json())
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits up to ten seconds for a process started by a test to listen on `port`.
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Polls `check` for up to three seconds.
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..60 {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// Ends this database's seat-change listener connections, as a network blip would: the
/// listener reconnects and announces a gap.
pub async fn drop_listeners(db: &PgPool) {
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .execute(db)
    .await
    .unwrap();
}

/// A bearer token for a user with a role.
pub fn bearer(state: &AppState, user: uuid::Uuid, role: app::account::Role) -> String {
    format!("Bearer {}", state.accounts.jwt().issue(user.into(), role))
}

pub fn app(db: PgPool) -> Router {
    server::router(state(db, None))
}

/// A seeded demo catalog with two days of shows (fast, and enough for every page).
pub async fn seed(db: &PgPool) -> server::seed::Report {
    let options = server::seed::Options::for_today(2, None);
    server::seed::run(db, &options).await.expect("seed")
}

#[derive(Debug)]
pub struct Reply {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

pub async fn get(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    send(app, "GET", uri, None, headers).await
}

/// A GET from `peer`, as the server sees a connection (operator routes judge it).
pub async fn get_from(app: &Router, uri: &str, peer: &str) -> Reply {
    let mut asked = Request::get(uri).body(Body::empty()).unwrap();
    let peer: std::net::SocketAddr = peer.parse().unwrap();
    asked
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request(app, asked).await
}

/// A GET from this machine, where operators are by default.
pub async fn get_as_operator(app: &Router, uri: &str) -> Reply {
    get_from(app, uri, "127.0.0.1:50000").await
}

/// Sends any request through the real router. A request that gets no whole answer within a
/// minute fails the test, naming it, instead of hanging the suite.
pub async fn request(app: &Router, request: Request<Body>) -> Reply {
    let asked = format!("{} {}", request.method(), request.uri());
    let (method, path) = (
        request.method().to_string(),
        request.uri().path().to_owned(),
    );
    let answer = async {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    };
    match tokio::time::timeout(std::time::Duration::from_secs(60), answer).await {
        Ok(reply) => {
            let content_type = reply
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok());
            conformance::check(
                &method,
                &path,
                reply.status.as_u16(),
                content_type,
                &reply.body,
            );
            reply
        }
        Err(_) => panic!(
            "{asked} got no answer within a minute; PostgreSQL meanwhile:\n{}",
            busy_backends().await
        ),
    }
}

/// What every backend of this PostgreSQL is doing that is not idle, for a request that hangs.
async fn busy_backends() -> String {
    use sqlx::Connection;
    let url = std::env::var("DATABASE_URL").unwrap_or_default();
    let Ok(mut conn) = sqlx::PgConnection::connect(&url).await else {
        return "(PostgreSQL not reachable)".into();
    };
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT datname::text, coalesce(state, ''), coalesce(wait_event_type || '/' || wait_event, ''),
                left(query, 200)
           FROM pg_stat_activity
          WHERE state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid() AND datname IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    rows.iter()
        .map(|(db, state, wait, query)| format!("{db} {state} {wait}: {query}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = match body {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    request(app, builder.body(body).unwrap()).await
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    /// The whole `Set-Cookie` line of the browser session cookie, when this reply sets one.
    pub fn session_cookie(&self) -> Option<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("district_session="))
    }
}

/// A directory of its own where the app writes outgoing mail.
pub fn mail_dir() -> String {
    let dir = std::env::temp_dir().join(format!("district-mail-{}", uuid::Uuid::new_v4()));
    dir.to_string_lossy().into_owned()
}

/// The token from the newest link to `path` mailed to `to`. Mail sent after the answer
/// (reset links) is waited for, up to ten seconds.
pub async fn mailed_token(dir: &str, to: &str, path: &str) -> String {
    mailed_token_after(dir, to, path, None).await
}

/// The files of the mail sent to `to` so far, oldest first.
fn mails_to(dir: &str, to: &str) -> Vec<std::path::PathBuf> {
    let mut mails: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .ends_with(&format!("{to}.txt"))
        })
        .map(|e| e.path())
        .collect();
    mails.sort();
    mails
}

/// Every mail sent to `to` so far, oldest first, one after another.
pub fn mail_to(dir: &str, to: &str) -> String {
    mails_to(dir, to)
        .iter()
        .filter_map(|m| std::fs::read_to_string(m).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// As `mailed_token`, waiting for a link other than `previous`.
pub async fn mailed_token_after(dir: &str, to: &str, path: &str, previous: Option<&str>) -> String {
    let marker = format!("{path}?token=");
    let newest = || -> Option<String> {
        mails_to(dir, to)
            .iter()
            .rev()
            .filter_map(|m| std::fs::read_to_string(m).ok())
            .find(|text| text.contains(&marker))
    };
    let token = |text: String| {
        let start = text.find(&marker).unwrap() + marker.len();
        text[start..].split_whitespace().next().unwrap().to_owned()
    };
    for _ in 0..100 {
        match newest().map(token) {
            Some(found) if Some(found.as_str()) != previous => return found,
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    panic!("no new {path} link mailed to {to}")
}
