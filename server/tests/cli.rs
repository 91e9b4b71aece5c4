//! The binary refuses to start on bad configuration with one clear line.

use std::process::Command;

fn district(vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir();
    let mut command = Command::new(env!("CARGO_BIN_EXE_district"));
    command.env_clear().current_dir(&dir).args(args);
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().expect("run district")
}

fn stderr_lines(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn missing_database_url_stops_start_up_with_one_line() {
    let output = district(&[], &["serve"]);
    assert_eq!(output.status.code(), Some(2));
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("configuration error: DATABASE_URL is required"),
        "{lines:?}"
    );
}

#[test]
fn malformed_port_names_the_variable_and_value() {
    let output = district(
        &[
            (
                "DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/district",
            ),
            ("APP_PORT", "80a"),
        ],
        &["migrate"],
    );
    assert_eq!(output.status.code(), Some(2));
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("APP_PORT") && lines[0].contains("\"80a\""),
        "{lines:?}"
    );
}

#[test]
fn secrets_are_not_echoed_in_errors() {
    let output = district(
        &[
            (
                "DATABASE_URL",
                "postgres://app:hunter2@127.0.0.1:5432/district",
            ),
            ("JWT_SECRET", "tooshort"),
        ],
        &["serve"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");
    assert!(
        !stderr.contains("tooshort") && !stderr.contains("hunter2"),
        "{stderr}"
    );
}

#[test]
fn seed_refuses_demo_users_in_production() {
    let output = district(
        &[
            ("APP_ENV", "production"),
            (
                "DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/district",
            ),
            ("JWT_SECRET", "a-production-secret-that-is-long-enough-0123"),
            (
                "TICKET_SIGNING_KEY",
                "cHJvZHVjdGlvbi10aWNrZXQtc2VlZC0zMi1ieXRlcyE=",
            ),
            ("PUBLIC_URL", "https://district.example"),
        ],
        &["seed"],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("refusing to load demo data"), "{stderr}");
}

#[test]
fn started_without_app_env_it_refuses_the_development_secret() {
    let output = district(
        &[
            (
                "DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/district",
            ),
            ("JWT_SECRET", server::config::DEV_JWT_SECRET),
        ],
        &["serve"],
    );
    assert_eq!(output.status.code(), Some(2));
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("configuration error: JWT_SECRET is a development value"),
        "{lines:?}"
    );
}

mod support;

/// `district check` on the test's own database.
fn check(db: &sqlx::PgPool, args: &[&str]) -> (Option<i32>, String) {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let name = db.connect_options().get_database().unwrap().to_owned();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let output = district(&[("DATABASE_URL", &url), ("APP_ENV", "test")], &all);
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code(), printed)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn check_names_each_breach_and_fails_on_any(db: sqlx::PgPool) {
    use support::venue::{customers, venue};
    let venue = venue(&db, 2, 6, chrono::Duration::days(1)).await;
    let user = customers(&db, 1).await[0];
    let state = support::state(db.clone(), None);
    let request = support::hold_request(venue.show_id, &venue.ids(&["A1", "A2"]), false);
    let held = state.bookings.hold(user.into(), &request).await.unwrap();

    let (code, printed) = check(&db, &["--lag-seconds", "60"]);
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("invariants hold"), "{printed}");

    // The hold ran out long ago and no sweep ended it; its event was never relayed.
    sqlx::query("UPDATE bookings SET hold_expires_at = now() - interval '5 minutes'")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE outbox_events SET created_at = now() - interval '5 minutes'")
        .execute(&db)
        .await
        .unwrap();
    let (code, printed) = check(&db, &["--lag-seconds", "60"]);
    assert_eq!(code, Some(1), "{printed}");
    let hold = format!("a hold left past its deadline: {}", held.booking_id);
    assert!(printed.contains(&hold), "{printed}");
    assert!(printed.contains("an event not relayed"), "{printed}");
    // Without --lag-seconds only the invariants themselves count, and they hold.
    assert_eq!(check(&db, &[]).0, Some(0));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn check_reports_a_live_line_older_than_an_ended_one(db: sqlx::PgPool) {
    use support::venue::{customers, venue};
    let venue = venue(&db, 2, 6, chrono::Duration::days(1)).await;
    let users = customers(&db, 2).await;
    let state = support::state(db.clone(), None);
    let hold = |user: uuid::Uuid, seat: &str| {
        let request = support::hold_request(venue.show_id, &venue.ids(&[seat]), false);
        let state = state.clone();
        async move { state.bookings.hold(user.into(), &request).await.unwrap() }
    };
    // B1's first line ends when its holder moves to B4; then another user holds B1.
    hold(users[0], "B1").await;
    hold(users[0], "B4").await;
    hold(users[1], "B1").await;
    assert_eq!(check(&db, &[]).0, Some(0));

    // The live lines' versions put back before every ended one's.
    sqlx::query("UPDATE booking_seats SET version = 1 WHERE status IN ('held', 'confirmed')")
        .execute(&db)
        .await
        .unwrap();
    let (code, printed) = check(&db, &[]);
    assert_eq!(code, Some(1), "{printed}");
    let b1 = format!("{}/{}", venue.show_id, venue.ids(&["B1"])[0]);
    assert!(
        printed.contains(&format!("seat's live line older than an ended one: {b1}")),
        "{printed}"
    );
    assert_eq!(
        printed.matches("older than an ended one").count(),
        1,
        "{printed}"
    );
}
