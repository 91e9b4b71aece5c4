//! Browser sessions: hardened cookies, fresh ids at sign-in, cross-site protection, Redis or
//! PostgreSQL storage, and a password reset ending every session.

mod support;

use axum::{body::Body, http::Request, Router};
use http::StatusCode;
use serde_json::json;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{send, Reply};

const ORIGIN: &str = "http://district.test";

/// Posts a form to a server function the way a page of the site does.
async fn call(
    app: &Router,
    function: &str,
    form: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Reply {
    let mut request = Request::post(format!("/_fn/account/{function}"))
        .header("host", "district.test")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("district_session={cookie}"));
    }
    support::request(app, request.body(Body::from(form.to_owned())).unwrap()).await
}

fn session_cookie(reply: &Reply) -> Option<(String, String)> {
    reply.session_cookie().map(|c| {
        let id = c["district_session=".len()..]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        (id, c.to_owned())
    })
}

async fn profile_with(app: &Router, cookie: &str) -> StatusCode {
    send(
        app,
        "GET",
        "/api/v1/users/profile",
        None,
        &[("cookie", &format!("district_session={cookie}"))],
    )
    .await
    .status
}

const LOGIN: &str = "email=customer%40demo.district.test&password=district-demo";

#[sqlx::test(migrator = "MIGRATOR")]
async fn sign_in_sets_a_hardened_cookie_under_a_fresh_id(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db);
    let first = call(&app, "login", LOGIN, None, Some(ORIGIN)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let (id, cookie) = session_cookie(&first).expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP (https: tests/security.rs)"
    );
    assert_eq!(
        profile_with(&app, &id).await,
        StatusCode::OK,
        "the session signs REST calls in too"
    );

    let again = call(&app, "login", LOGIN, Some(&id), Some(ORIGIN)).await;
    let (next, _) = session_cookie(&again).expect("a new cookie");
    assert_ne!(next, id, "signing in rotates the session id");
    assert_eq!(
        profile_with(&app, &id).await,
        StatusCode::UNAUTHORIZED,
        "the old id is dead"
    );
    assert_eq!(profile_with(&app, &next).await, StatusCode::OK);

    call(&app, "logout", "", Some(&next), Some(ORIGIN)).await;
    assert_eq!(profile_with(&app, &next).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn server_functions_refuse_cross_site_posts(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db.clone());
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let reply = call(&app, "login", LOGIN, None, origin).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{origin:?}");
        assert_eq!(reply.json()["error"]["code"], "cross_site_request");
        assert!(session_cookie(&reply).is_none());
    }
    let forged = call(
        &app,
        "signup",
        "name=X&email=x%40example.com&password=long+enough",
        None,
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'x@example.com'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(users, 0, "nothing changed");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn failed_calls_answer_with_their_real_status(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db);
    let wrong = call(
        &app,
        "login",
        "email=customer%40demo.district.test&password=nope",
        None,
        Some(ORIGIN),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let invalid = call(
        &app,
        "signup",
        "name=&email=bad&password=x",
        None,
        Some(ORIGIN),
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_password_reset_ends_every_browser_session(db: PgPool) {
    support::seed(&db).await;
    let mail = support::mail_dir();
    let state = support::state_with(db, None, &[("MAIL_DIR", &mail)]);
    support::outbox::relaying(&state);
    let app = server::router(state);
    let (session, _) =
        session_cookie(&call(&app, "login", LOGIN, None, Some(ORIGIN)).await).unwrap();
    assert_eq!(profile_with(&app, &session).await, StatusCode::OK);

    let email = "customer@demo.district.test";
    send(
        &app,
        "POST",
        "/api/v1/auth/forgot-password",
        Some(json!({"email": email})),
        &[],
    )
    .await;
    let token = support::mailed_token(&mail, email, "/reset-password").await;
    let reset = send(
        &app,
        "POST",
        "/api/v1/auth/reset-password",
        Some(json!({"token": token, "password": "a whole new one"})),
        &[],
    )
    .await;
    assert_eq!(reset.status, StatusCode::OK);
    assert_eq!(profile_with(&app, &session).await, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn sessions_live_in_postgres_without_redis(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db.clone());
    let (id, _) = session_cookie(&call(&app, "login", LOGIN, None, Some(ORIGIN)).await).unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM web_sessions WHERE id = $1")
        .bind(&id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn sessions_live_in_redis_when_configured(db: PgPool) {
    support::seed(&db).await;
    let redis = support::redis_server::Server::start();
    let conn = server::db::redis(&redis.url()).await.unwrap();
    let app = server::router(support::state(db.clone(), Some(conn.clone())));
    let (id, _) = session_cookie(&call(&app, "login", LOGIN, None, Some(ORIGIN)).await).unwrap();
    let mut conn = conn;
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("session:{id}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0, "stored with an expiry ({ttl})");
    let in_postgres: i64 = sqlx::query_scalar("SELECT count(*) FROM web_sessions")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(in_postgres, 0);
    assert_eq!(profile_with(&app, &id).await, StatusCode::OK);
}
