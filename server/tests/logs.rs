//! The logs of a whole journey, in the production format: every line JSON, requests named by
//! id, route and user, and not one secret in them (passwords, tokens, links' tokens, the
//! ticket, the configured secrets). One test, since it owns this binary's log subscriber.

mod support;

use app::payment::{sandbox::Choice, test_cards};
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use tracing_subscriber::prelude::*;

/// Where the log lines go: a buffer the test reads.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const JWT_SECRET: &str = "a-production-jwt-secret-of-forty-characters";
const SANDBOX_SECRET: &str = "whsec_a_production_sandbox_secret";
/// base64 of 32 bytes.
const TICKET_KEY: &str = "cHJvZHVjdGlvbi10aWNrZXQta2V5LTMyLWJ5dGVzISE=";
const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a brand new horse battery";

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_whole_journey_logs_json_lines_with_ids_and_no_secret(db: PgPool) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("info,sqlx=warn"))
        .with(server::telemetry::json(move || writer.clone()));
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let venue = support::venue::venue(&db, 2, 6, Duration::days(1)).await;
    let mail = support::mail_dir();
    let state = support::state_with(
        db.clone(),
        None,
        &[
            ("APP_ENV", "production"),
            ("PUBLIC_URL", "https://district.test"),
            ("JWT_SECRET", JWT_SECRET),
            ("TICKET_SIGNING_KEY", TICKET_KEY),
            ("PAYMENTS_SANDBOX", "true"),
            ("SANDBOX_WEBHOOK_SECRET", SANDBOX_SECRET),
            ("MAIL_DIR", &mail),
        ],
    );
    support::outbox::relaying(&state);
    let app = server::router(state.clone());
    let post = |uri: &'static str, body: Value, auth: Option<String>| {
        let app = app.clone();
        async move {
            let auth: Vec<(&str, &str)> =
                auth.iter().map(|a| ("authorization", a.as_str())).collect();
            support::send(&app, "POST", uri, Some(body), &auth).await
        }
    };

    let email = "asha.log@example.com";
    let signed_up = post(
        "/api/v1/auth/signup",
        json!({"name": "Asha", "email": email, "password": PASSWORD, "phone": "+919812345678"}),
        None,
    )
    .await;
    assert_eq!(signed_up.status, StatusCode::CREATED, "{}", signed_up.body);
    let verify = support::mailed_token(&mail, email, "/verify-email").await;
    let verified = post("/api/v1/auth/verify-email", json!({"token": verify}), None).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    let login = post(
        "/api/v1/auth/login",
        json!({"email": email, "password": PASSWORD}),
        None,
    )
    .await
    .json();
    let refresh = login["refresh_token"].as_str().unwrap().to_owned();
    let rotated = post(
        "/api/v1/auth/refresh-token",
        json!({"refresh_token": refresh}),
        None,
    )
    .await
    .json();
    let access = rotated["access_token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {access}");
    let texted = post(
        "/api/v1/users/phone/send-code",
        json!({}),
        Some(bearer.clone()),
    )
    .await;
    assert!(texted.status.is_success(), "{}", texted.body);

    // A booking paid through the sandbox, and its ticket.
    let auth = [("authorization", bearer.as_str())];
    let (booking, started) =
        support::hold_and_pay(&app, &auth, &venue, &["A1", "A2"], "sandbox").await;
    let payment: uuid::Uuid = started["payment_id"].as_str().unwrap().parse().unwrap();
    let sandbox = state.payments.sandbox().unwrap();
    let card = test_cards::SUCCEEDS.into();
    sandbox
        .settle(payment.into(), &Choice::Pay { card })
        .await
        .unwrap();
    state.payments.deliver_sandbox_webhooks().await.unwrap();
    let ticket = support::send(
        &app,
        "GET",
        &format!("/api/v1/bookings/{booking}/ticket"),
        None,
        &auth,
    )
    .await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.body);
    let ticket_token = ticket.json()["token"].as_str().unwrap().to_owned();
    let checked = support::send(
        &app,
        "GET",
        &format!("/api/v1/tickets/{ticket_token}/verify"),
        None,
        &[],
    )
    .await;
    // Door staff only; the request is logged all the same, its token not.
    assert_eq!(checked.status, StatusCode::UNAUTHORIZED, "{}", checked.body);

    // A forgotten password, reset from the mailed link, and a wrong one tried.
    post(
        "/api/v1/auth/forgot-password",
        json!({"email": email}),
        None,
    )
    .await;
    let reset = support::mailed_token(&mail, email, "/reset-password").await;
    let done = post(
        "/api/v1/auth/reset-password",
        json!({"token": reset, "password": NEW_PASSWORD}),
        None,
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let wrong = post(
        "/api/v1/auth/login",
        json!({"email": email, "password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    support::outbox::relay(&state).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(lines.len() >= 10, "{logs}");
    let finished: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "finished processing request")
        .collect();
    assert!(!finished.is_empty(), "{logs}");
    for line in &finished {
        let span = &line["span"];
        assert!(
            span["request_id"].as_str().is_some_and(|id| id.len() == 36),
            "{line}"
        );
        assert!(
            span["route"].is_string() && line["latency"].is_string(),
            "{line}"
        );
    }
    let user: String = sqlx::query_scalar("SELECT id::text FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(
        finished
            .iter()
            .any(|l| l["span"]["user_id"] == user.as_str()
                && l["span"]["route"] == "/api/v1/bookings/hold"),
        "the hold's line names its user"
    );

    let secrets = [
        ("the password", PASSWORD),
        ("the new password", NEW_PASSWORD),
        ("the JWT secret", JWT_SECRET),
        ("the sandbox secret", SANDBOX_SECRET),
        ("the ticket key", TICKET_KEY),
        ("the access token", &access),
        ("the first refresh token", &refresh),
        (
            "the refresh token",
            rotated["refresh_token"].as_str().unwrap(),
        ),
        ("the verification token", &verify),
        ("the reset token", &reset),
        ("the ticket", &ticket_token),
    ];
    for (what, secret) in secrets {
        assert!(!logs.contains(secret), "{what} is in the logs");
    }
}
