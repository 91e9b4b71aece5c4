//! Rate limits that cannot be dodged or turned against users: the client address behind our
//! proxies, failures-only account limits, bounded identifiers, reset links nobody else spends.

mod support;

use axum::{body::Body, extract::ConnectInfo, http::Request, Router};
use http::StatusCode;
use serde_json::json;
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::net::SocketAddr;
use support::Reply;

const CUSTOMER: &str = "customer@demo.district.test";
const PASSWORD: &str = "district-demo";

/// A sign-in as it reaches us from `peer`, with the `X-Forwarded-For` our proxy passes on.
async fn login_from(
    app: &Router,
    peer: &str,
    forwarded: Option<&str>,
    email: &str,
    password: &str,
) -> Reply {
    let mut request =
        Request::post("/api/v1/auth/login").header("content-type", "application/json");
    if let Some(line) = forwarded {
        request = request.header("x-forwarded-for", line);
    }
    let body = json!({"email": email, "password": password}).to_string();
    let mut request = request.body(Body::from(body)).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    support::request(app, request).await
}

/// The router, with the outbox relay running (account mail goes through it).
fn app(db: PgPool, vars: &[(&str, &str)]) -> Router {
    let state = support::state_with(db, None, vars);
    support::outbox::relaying(&state);
    server::router(state)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_spoofed_forwarded_for_does_not_escape_the_limit(db: PgPool) {
    support::seed(&db).await;
    let app = app(
        db,
        &[
            ("TRUSTED_PROXY_HOPS", "1"),
            ("RATE_LIMIT_LOGIN_PER_IP", "3/1m"),
        ],
    );
    let proxy = "10.0.0.2:40000";
    // The client writes a new address of its own each time; our proxy appends the real one.
    for i in 0..3 {
        let line = format!("198.51.100.{i}, 203.0.113.9");
        let reply = login_from(&app, proxy, Some(&line), CUSTOMER, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let line = "198.51.100.77, 203.0.113.9";
    let limited = login_from(&app, proxy, Some(line), CUSTOMER, PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy has its own allowance.
    let other = login_from(&app, proxy, Some("203.0.113.10"), CUSTOMER, PASSWORD).await;
    assert_eq!(other.status, StatusCode::OK);
    // IPv6 clients count by their /64: a new address in the same block is the same client.
    for i in 0..3 {
        let line = format!("2001:db8:7:7::{i}");
        let reply = login_from(&app, proxy, Some(&line), CUSTOMER, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let same_block = login_from(
        &app,
        proxy,
        Some("2001:db8:7:7:ffff::1"),
        CUSTOMER,
        PASSWORD,
    )
    .await;
    assert_eq!(same_block.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn guessing_a_password_locks_out_the_guesser_not_the_user(db: PgPool) {
    support::seed(&db).await;
    let app = app(db, &[("RATE_LIMIT_LOGIN_PER_ACCOUNT", "3/1m")]);
    let (attacker, user) = ("192.0.2.66:1000", "198.51.100.5:1000");
    for _ in 0..3 {
        let guess = login_from(&app, attacker, None, CUSTOMER, "guess-guess").await;
        assert_eq!(guess.status, StatusCode::UNAUTHORIZED);
    }
    let stopped = login_from(&app, attacker, None, CUSTOMER, PASSWORD).await;
    assert_eq!(
        stopped.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser is stopped"
    );
    // The user signs in from their own address as often as they like: successes do not count.
    for _ in 0..6 {
        let reply = login_from(&app, user, None, CUSTOMER, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn an_oversized_email_is_refused_before_any_limit_counts_it(db: PgPool) {
    support::seed(&db).await;
    let app = app(db, &[("RATE_LIMIT_LOGIN_PER_IP", "1/1m")]);
    let peer = "192.0.2.1:1000";
    let long = format!("{}@example.com", "a".repeat(250));
    for bad in [long.as_str(), "<script>@example.com"] {
        let reply = login_from(&app, peer, None, bad, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(reply.json()["error"]["fields"]["email"].is_string());
    }
    // A NUL never gets that far: it is turned away at the door.
    let nul = login_from(&app, peer, None, "name\u{0}@example.com", PASSWORD).await;
    assert_eq!(nul.status, StatusCode::BAD_REQUEST);
    let reply = login_from(&app, peer, None, CUSTOMER, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "nothing was counted before");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn asking_for_reset_links_in_someones_name_spends_none_of_theirs_and_a_reset_cancels_a_move(
    db: PgPool,
) {
    support::seed(&db).await;
    let mail = support::mail_dir();
    let app = app(
        db,
        &[
            ("MAIL_DIR", &mail),
            ("RATE_LIMIT_FORGOT_PER_ACCOUNT", "10/1h"),
        ],
    );
    let forgot = || {
        support::send(
            &app,
            "POST",
            "/api/v1/auth/forgot-password",
            Some(json!({"email": CUSTOMER})),
            &[],
        )
    };
    // Someone signed in as the customer starts moving the account to their own address.
    let signed_in = login_from(&app, "192.0.2.9:1", None, CUSTOMER, PASSWORD).await;
    let bearer = format!(
        "Bearer {}",
        signed_in.json()["access_token"].as_str().unwrap()
    );
    let moved = support::send(
        &app,
        "PUT",
        "/api/v1/users/profile",
        Some(json!({"email": "taker@example.com", "current_password": PASSWORD})),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let takeover = support::mailed_token(&mail, "taker@example.com", "/verify-email").await;

    assert_eq!(forgot().await.status, StatusCode::ACCEPTED);
    let theirs = support::mailed_token(&mail, CUSTOMER, "/reset-password").await;
    let mut previous = theirs.clone();
    for _ in 0..3 {
        forgot().await;
        previous =
            support::mailed_token_after(&mail, CUSTOMER, "/reset-password", Some(&previous)).await;
    }
    let reset = |token: String| {
        support::send(
            &app,
            "POST",
            "/api/v1/auth/reset-password",
            Some(json!({"token": token, "password": "a whole new secret"})),
            &[],
        )
    };
    let used = reset(theirs).await;
    assert_eq!(used.status, StatusCode::OK, "{}", used.body);
    assert_eq!(
        reset(previous).await.status,
        StatusCode::BAD_REQUEST,
        "using one link spends the others"
    );
    let late = support::send(
        &app,
        "POST",
        "/api/v1/auth/verify-email",
        Some(json!({"token": takeover})),
        &[],
    )
    .await;
    assert_eq!(
        late.status,
        StatusCode::BAD_REQUEST,
        "the reset cancelled the move"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn search_reviews_and_payments_have_limits_of_their_own(db: PgPool) {
    use support::venue::{customers, venue};
    let venue = venue(&db, 2, 6, chrono::Duration::days(1)).await;
    let user = customers(&db, 1).await[0];
    let state = support::state_with(
        db,
        None,
        &[
            ("RATE_LIMIT_SEARCH_PER_IP", "2/1m"),
            ("RATE_LIMIT_REVIEW_PER_USER", "1/1h"),
            ("RATE_LIMIT_PAYMENT_PER_USER", "1/1h"),
        ],
    );
    let token = support::bearer(&state, user, app::account::Role::Customer);
    let auth = [("authorization", token.as_str())];
    let app = server::router(state);
    let search = || support::get(&app, "/api/v1/movies/search?q=test", &[]);
    assert_eq!(search().await.status, StatusCode::OK);
    assert_eq!(search().await.status, StatusCode::OK);
    let limited = search().await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = limited.headers["retry-after"].to_str().unwrap().to_owned();
    assert_eq!(
        limited.headers["ratelimit"].to_str().unwrap(),
        format!("\"default\";r=0;t={wait}")
    );
    assert_eq!(limited.headers["ratelimit-remaining"], "0");
    assert_eq!(limited.headers["ratelimit-reset"].to_str().unwrap(), wait);
    assert_eq!(limited.json()["error"]["code"], "rate_limited");

    let review = format!("/api/v1/movies/{}/reviews", venue.movie_id);
    let write = |rating: u8| {
        support::send(
            &app,
            "POST",
            &review,
            Some(json!({"rating": rating, "body": "Fun"})),
            &auth,
        )
    };
    assert_eq!(write(8).await.status, StatusCode::OK);
    assert_eq!(write(9).await.status, StatusCode::TOO_MANY_REQUESTS);

    let (booking, _) = support::hold_and_pay(&app, &auth, &venue, &["B3", "B4"], "sandbox").await;
    let again = support::send(
        &app,
        "POST",
        "/api/v1/payments/initiate",
        Some(json!({"booking_id": booking, "provider": "sandbox"})),
        &auth,
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        again.body
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn phone_codes_go_only_to_allowed_countries_within_limits_per_number(db: PgPool) {
    use support::venue::customers;
    let users = customers(&db, 4).await;
    let state = support::state_with(
        db.clone(),
        None,
        &[
            ("RATE_LIMIT_SMS_PER_NUMBER", "1/1h"),
            ("RATE_LIMIT_SMS_PER_IP", "2/1h"),
            ("RATE_LIMIT_VERIFY_PER_ACCOUNT", "100/1h"),
        ],
    );
    let app = server::router(state.clone());
    let send_code = |user: uuid::Uuid, phone: &'static str| {
        let (app, db) = (app.clone(), db.clone());
        let token = support::bearer(&state, user, app::account::Role::Customer);
        async move {
            sqlx::query("UPDATE users SET phone = $2 WHERE id = $1")
                .bind(user)
                .bind(phone)
                .execute(&db)
                .await
                .unwrap();
            let auth = [("authorization", token.as_str())];
            support::send(&app, "POST", "/api/v1/users/phone/send-code", None, &auth).await
        }
    };
    let abroad = send_code(users[0], "+12025550123").await;
    assert_eq!(
        abroad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        abroad.body
    );
    assert!(abroad.json()["error"]["fields"]["phone"]
        .as_str()
        .unwrap()
        .contains("+91"));
    assert_eq!(
        send_code(users[1], "+919876543210").await.status,
        StatusCode::ACCEPTED
    );
    // Another account naming the same number cannot make it ring again.
    let same_number = send_code(users[2], "+919876543210").await;
    assert_eq!(same_number.status, StatusCode::TOO_MANY_REQUESTS);
    // Nor can one client make number after number ring.
    let next_number = send_code(users[3], "+919876500000").await;
    assert_eq!(next_number.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn email_changes_are_limited_per_account(db: PgPool) {
    support::seed(&db).await;
    let app = app(db, &[("RATE_LIMIT_EMAIL_CHANGE_PER_ACCOUNT", "2/1h")]);
    let signed_in = login_from(&app, "192.0.2.9:1", None, CUSTOMER, PASSWORD).await;
    let bearer = format!(
        "Bearer {}",
        signed_in.json()["access_token"].as_str().unwrap()
    );
    let change = |to: &'static str, password: &'static str| {
        let body = json!({"email": to, "current_password": password});
        let auth = bearer.clone();
        let app = app.clone();
        async move {
            let auth = [("authorization", auth.as_str())];
            support::send(&app, "PUT", "/api/v1/users/profile", Some(body), &auth).await
        }
    };
    // Guessing the password through the email form is limited like any other try.
    assert_eq!(
        change("a@example.com", "guess-one").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        change("a@example.com", PASSWORD).await.status,
        StatusCode::OK
    );
    let limited = change("b@example.com", PASSWORD).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    // Other changes to the profile go on.
    let renamed = support::send(
        &app,
        "PUT",
        "/api/v1/users/profile",
        Some(json!({"name": "Demo Customer"})),
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn profile_changes_are_limited_per_account(db: PgPool) {
    support::seed(&db).await;
    let app = app(db, &[("RATE_LIMIT_PROFILE_PER_ACCOUNT", "2/1h")]);
    let signed_in = login_from(&app, "192.0.2.9:1", None, CUSTOMER, PASSWORD).await;
    let bearer = format!(
        "Bearer {}",
        signed_in.json()["access_token"].as_str().unwrap()
    );
    let rename = |name: &'static str| {
        let (app, bearer) = (app.clone(), bearer.clone());
        async move {
            let body = Some(json!({ "name": name }));
            let auth = [("authorization", bearer.as_str())];
            support::send(&app, "PUT", "/api/v1/users/profile", body, &auth).await
        }
    };
    assert_eq!(rename("Asha").await.status, StatusCode::OK);
    assert_eq!(rename("Asha R").await.status, StatusCode::OK);
    let limited = rename("Asha Rao").await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
}
