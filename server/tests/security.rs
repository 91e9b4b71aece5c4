//! Defences that only show in production's configuration: published secrets worth nothing,
//! `__Host-` cookies over https, sessions that end however active.

mod support;

use app::account::{tokens::Jwt, Role};
use axum::{body::Body, http::Request, Router};
use http::StatusCode;
use redis::AsyncCommands;
use server::{config::DEV_JWT_SECRET, db::MIGRATOR};
use sqlx::PgPool;
use std::time::Duration;
use support::{redis_server, send};

const PRODUCTION: &[(&str, &str)] = &[
    ("APP_ENV", "production"),
    ("JWT_SECRET", "a-production-secret-that-is-long-enough-0123"),
    (
        "TICKET_SIGNING_KEY",
        "cHJvZHVjdGlvbi10aWNrZXQtc2VlZC0zMi1ieXRlcyE=",
    ),
    ("PUBLIC_URL", "https://district.test"),
];

async fn platform_admin(db: &PgPool) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' LIMIT 1")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn theaters_with(app: &Router, token: &str) -> StatusCode {
    let bearer = format!("Bearer {token}");
    send(
        app,
        "GET",
        "/api/v1/admin/theaters",
        None,
        &[("authorization", &bearer)],
    )
    .await
    .status
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_token_signed_with_the_development_secret_is_refused_in_production(db: PgPool) {
    support::seed(&db).await;
    let admin = platform_admin(&db).await.into();
    let app = server::router(support::state_with(db, None, PRODUCTION));
    let forged =
        Jwt::new(DEV_JWT_SECRET.as_bytes(), Duration::from_secs(600)).issue(admin, Role::Admin);
    assert_eq!(theaters_with(&app, &forged).await, StatusCode::UNAUTHORIZED);
    let genuine =
        Jwt::new(PRODUCTION[1].1.as_bytes(), Duration::from_secs(600)).issue(admin, Role::Admin);
    assert_eq!(theaters_with(&app, &genuine).await, StatusCode::OK);
}

async fn sign_in(app: &Router) -> String {
    let request = Request::post("/_fn/account/login")
        .header("host", "district.test")
        .header("origin", "https://district.test")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=customer%40demo.district.test&password=district-demo",
        ))
        .unwrap();
    let reply = support::request(app, request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-district_session="))
        .unwrap_or_else(|| panic!("a __Host- cookie: {:?}", reply.headers))
        .to_owned()
}

async fn profile_with(app: &Router, cookie: &str) -> StatusCode {
    let pair = cookie.split(';').next().unwrap();
    send(
        app,
        "GET",
        "/api/v1/users/profile",
        None,
        &[("cookie", pair)],
    )
    .await
    .status
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn over_https_the_session_cookie_is_secure_and_host_only_and_ends_after_its_lifetime(
    db: PgPool,
) {
    support::seed(&db).await;
    let redis = redis_server::Server::start();
    let mut vars = PRODUCTION.to_vec();
    let url = redis.url();
    vars.push(("REDIS_URL", &url));
    let conn = server::db::redis(&url).await.unwrap();
    let app = server::router(support::state_with(db, Some(conn.clone()), &vars));

    let cookie = sign_in(&app).await;
    for part in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(profile_with(&app, &cookie).await, StatusCode::OK);

    // The same session, signed in 31 days ago and busy ever since.
    let id = cookie["__Host-district_session=".len()..]
        .split(';')
        .next()
        .unwrap();
    let key = format!("session:{id}");
    let mut redis_conn = conn;
    let stored: String = redis_conn.get(&key).await.unwrap();
    // Edited as text: the record's id is an i128, which a JSON value would round.
    let at = stored
        .find("\"started\":")
        .expect("the sign-in time is kept")
        + 10;
    let digits = stored[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    let month_ago = chrono::Utc::now().timestamp() - 31 * 86_400;
    let record = format!("{}{month_ago}{}", &stored[..at], &stored[at + digits..]);
    let ttl: i64 = redis_conn.ttl(&key).await.unwrap();
    let _: () = redis_conn.set_ex(&key, record, ttl as u64).await.unwrap();
    assert_eq!(
        profile_with(&app, &cookie).await,
        StatusCode::UNAUTHORIZED,
        "a signed-in session ends {} days after its sign-in",
        app::account::auth::SESSION_LIFETIME.as_secs() / 86_400
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn after_sign_in_next_stays_on_the_site(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db);
    for (next, expected) in [
        ("%2F%09%2Fevil.example", "/account"),
        ("%2F%5Cevil.example", "/account"),
        ("%2F%0D%0ASet-Cookie%3Ax", "/account"),
        ("%2Fbookings", "/bookings"),
    ] {
        let form =
            format!("email=customer%40demo.district.test&password=district-demo&next={next}");
        let request = Request::post("/_fn/account/login")
            .header("host", "district.test")
            .header("origin", "http://district.test")
            .header("accept", "text/html")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let reply = support::request(&app, request).await;
        assert!(reply.status.is_redirection(), "{next}: {}", reply.status);
        assert_eq!(reply.headers["location"], expected, "{next}");
    }
}

/// A plain form post of the sign-in form, as a browser without the wasm sends it.
async fn sign_in_form(app: &Router, password: &str) -> support::Reply {
    let form = format!("email=customer%40demo.district.test&password={password}");
    let request = Request::post("/_fn/account/login")
        .header("host", "district.test")
        .header("origin", "http://district.test")
        .header("referer", "http://district.test/login")
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    support::request(app, request).await
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_sign_in_form_shows_only_errors_this_server_sent(db: PgPool) {
    use base64::Engine;
    support::seed(&db).await;
    let app = support::app(db);
    let failed = sign_in_form(&app, "not-the-password").await;
    assert!(failed.status.is_redirection(), "{}", failed.status);
    let location = failed.headers["location"].to_str().unwrap();
    let back = &location[location.find("/login").expect("back to the form")..];
    assert!(
        back.contains("__err=") && back.contains("__errsig="),
        "{back}"
    );
    let page = |uri: String| {
        let app = app.clone();
        async move { support::get(&app, &uri, &[("accept", "text/html")]).await }
    };
    let shown = page(back.to_owned()).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("Email or password is incorrect."),
        "the real error shows"
    );

    // An error the server did not sign, however its name is written, is taken out of the
    // address before any page (or the browser, which reads the address) sees it.
    let forged = serde_json::json!({"Transport": "Your account is locked. Call +91 99999 00000"});
    let forged = base64::engine::general_purpose::URL_SAFE.encode(forged.to_string());
    let signature = back.rsplit_once("__errsig=").unwrap().1;
    for crafted in [
        format!("/login?next=%2Fbookings&__path=%2F_fn%2Faccount%2Flogin&__err={forged}"),
        format!("/login?next=%2Fbookings&__path=%2F_fn%2Faccount%2Flogin&%5F%5Ferr={forged}"),
        format!("/login?next=%2Fbookings&__path=%2F_fn%2Faccount%2Flogin&__err={forged}&__errsig={signature}"),
    ] {
        let reply = page(crafted.clone()).await;
        assert!(reply.status.is_redirection(), "{crafted}: {}", reply.status);
        assert_eq!(reply.headers["location"], "/login?next=%2Fbookings", "{crafted}");
        assert!(!reply.body.contains("Call +91"));
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn every_response_carries_the_security_headers_and_the_page_scripts_its_nonce(db: PgPool) {
    support::seed(&db).await;
    let production = server::router(support::state_with(db.clone(), None, PRODUCTION));
    let development = server::router(support::state_with(db, None, &[("APP_ENV", "development")]));
    for path in ["/", "/api/v1/cities", "/healthz", "/no-such-page"] {
        let reply = support::get(&production, path, &[("accept", "text/html")]).await;
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let csp = header("content-security-policy");
        for part in [
            "frame-ancestors 'none'",
            "object-src 'none'",
            "'wasm-unsafe-eval'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(part), "{path}: {part} in {csp}");
        }
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        assert!(
            header("permissions-policy").contains("geolocation=(self)"),
            "{path}"
        );
        assert!(
            header("strict-transport-security").starts_with("max-age="),
            "{path}"
        );
        if path == "/" {
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .unwrap()
                .split('\'')
                .next()
                .unwrap();
            let scripts = reply.body.matches("<script").count();
            let signed = reply.body.matches(&format!("nonce=\"{nonce}\"")).count();
            assert!(
                scripts > 0 && signed >= scripts,
                "{signed} of {scripts} scripts carry {nonce}"
            );
        }
    }
    let local = support::get(&development, "/", &[]).await;
    assert!(local.headers.get("content-security-policy").is_some());
    assert!(
        local.headers.get("strict-transport-security").is_none(),
        "no HSTS in development"
    );
    let again = support::get(&production, "/", &[]).await;
    assert_ne!(
        again.headers["content-security-policy"],
        support::get(&production, "/", &[]).await.headers["content-security-policy"],
        "a fresh nonce each response"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn rest_calls_signed_by_the_session_cookie_must_come_from_the_site(db: PgPool) {
    support::seed(&db).await;
    let app = support::app(db.clone());
    // A browser session, signed in through the site's own form.
    let request = Request::post("/_fn/account/login")
        .header("origin", "http://district.test")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=customer%40demo.district.test&password=district-demo",
        ))
        .unwrap();
    let reply = support::request(&app, request).await;
    let cookie = reply
        .session_cookie()
        .expect("signed in")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let put = |headers: Vec<(&'static str, String)>| {
        let mut request =
            Request::put("/api/v1/users/profile").header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let request = request
            .body(Body::from(r#"{"name": "Asha Forged"}"#))
            .unwrap();
        let app = app.clone();
        async move { support::request(&app, request).await.status }
    };
    let with_cookie = |origin: Option<&str>| {
        let mut headers = vec![("cookie", cookie.clone())];
        if let Some(origin) = origin {
            headers.push(("origin", origin.to_owned()));
        }
        headers
    };
    for origin in [
        Some("https://evil.example"),
        Some("https://district.test"),
        Some("null"),
        None,
    ] {
        assert_eq!(
            put(with_cookie(origin)).await,
            StatusCode::FORBIDDEN,
            "{origin:?}"
        );
    }
    let name = || {
        sqlx::query_scalar::<_, String>(
            "SELECT name FROM users WHERE email = 'customer@demo.district.test'",
        )
        .fetch_one(&db)
    };
    assert_ne!(name().await.unwrap(), "Asha Forged", "nothing changed");
    assert_eq!(
        put(with_cookie(Some("http://district.test"))).await,
        StatusCode::OK
    );
    // A Bearer token is no ambient credential: no origin needed.
    let user: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'customer@demo.district.test'")
            .fetch_one(&db)
            .await
            .unwrap();
    let token = Jwt::new(DEV_JWT_SECRET.as_bytes(), Duration::from_secs(60))
        .issue(user.into(), Role::Customer);
    assert_eq!(
        put(vec![("authorization", format!("Bearer {token}"))]).await,
        StatusCode::OK
    );
}
