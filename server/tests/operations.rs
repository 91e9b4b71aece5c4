//! What operators rely on: /metrics moves when bookings happen and exports every name the
//! alert rules and the Grafana dashboard in deploy/ use; promtool accepts the rules and their
//! unit tests; rate limits hold across two server instances on different ports.

mod support;

use chrono::Duration;
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::{collections::BTreeSet, net::SocketAddr, process::Command};

/// The value of one series in a /metrics page (0 when absent).
fn value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// Every `district_*` metric a text names, as exported (histogram series by their base name).
fn names_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("district_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(name);
        names.insert(base.to_owned());
        rest = &tail[end..];
    }
    names
}

fn deploy(path: &str) -> String {
    let file = format!("{}/../deploy/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn metrics_move_when_bookings_happen_and_cover_every_name_deploy_uses(db: PgPool) {
    let s = support::staff::setup(&db, Duration::days(2)).await;
    let before = support::get_as_operator(&s.app, "/metrics").await.body;
    let buyer = support::venue::customers(&db, 1).await[0];
    s.buy(buyer, &["A1", "A2"]).await;
    // A webhook whose signature is missing, and the backends measured with a Redis.
    let forged = support::send(
        &s.app,
        "POST",
        "/api/v1/payments/webhook/sandbox",
        Some(serde_json::json!({})),
        &[],
    )
    .await;
    assert_eq!(forged.status, http::StatusCode::BAD_REQUEST);
    let redis = support::redis_server::Server::start();
    let backends = server::Backends {
        db: s.state.backends.db.clone(),
        redis: Some(server::db::redis(&redis.url()).await.unwrap()),
    };
    server::metrics::measure(&backends).await;
    s.state.relay.measure().await.unwrap();
    let after = support::get_as_operator(&s.app, "/metrics").await.body;

    // Other tests of this binary count too: each series moved at least by this booking.
    for (series, by) in [
        (r#"district_holds_total{outcome="held"}"#, 1.0),
        ("district_bookings_confirmed_total", 1.0),
        (
            r#"district_payment_events_total{gateway="sandbox",outcome="confirmed"}"#,
            1.0,
        ),
        (
            r#"district_webhook_failures_total{gateway="sandbox",reason="invalid_webhook"}"#,
            1.0,
        ),
    ] {
        let moved = value(&after, series) - value(&before, series);
        assert!(moved >= by, "{series} moved by {moved}");
    }
    let hold_route = r#"district_http_request_duration_seconds_bucket{method="POST",route="/api/v1/bookings/hold",status="201",le="+Inf"}"#;
    assert!(
        value(&after, hold_route) >= 1.0,
        "latency is a histogram by route"
    );
    assert!(
        value(
            &after,
            r#"district_db_pool_max_connections{pool="primary"}"#
        ) > 0.0
    );
    assert_eq!(value(&after, "district_redis_up"), 1.0);

    let exported = names_in(&after);
    for file in ["prometheus/alerts.yml", "grafana/district.json"] {
        let used = names_in(&deploy(file));
        assert!(!used.is_empty());
        let missing: Vec<_> = used.difference(&exported).collect();
        assert!(
            missing.is_empty(),
            "{file} uses metrics the server does not export: {missing:?}"
        );
    }
    let dashboard: serde_json::Value =
        serde_json::from_str(&deploy("grafana/district.json")).unwrap();
    let panels = dashboard["panels"].as_array().unwrap();
    assert!(panels
        .iter()
        .all(|p| !p["targets"].as_array().unwrap().is_empty()));
}

/// promtool, from Debian's prometheus package (`scripts/bootstrap.sh --test` unpacks it).
fn promtool() -> String {
    std::env::var("PROMTOOL").unwrap_or_else(|_| {
        let cache = std::env::var("XDG_CACHE_HOME")
            .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap()));
        format!("{cache}/district/prometheus/promtool")
    })
}

#[test]
fn promtool_accepts_the_alert_rules_and_their_unit_tests() {
    let dir = format!("{}/../deploy/prometheus", env!("CARGO_MANIFEST_DIR"));
    for args in [
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "alerts.test.yml"],
    ] {
        let out = Command::new(promtool())
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("promtool (make test installs it)");
        assert!(
            out.status.success(),
            "promtool {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Serves a router on a port of its own, with the peer address the limits key on.
async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn rate_limits_hold_across_two_instances_on_different_ports(db: PgPool) {
    support::seed(&db).await;
    let redis = support::redis_server::Server::start();
    let mut addresses = Vec::new();
    for _ in 0..2 {
        let conn = server::db::redis(&redis.url()).await.unwrap();
        let vars = [
            ("REDIS_URL", redis.url()),
            ("RATE_LIMIT_LOGIN_PER_ACCOUNT", "3/1h".to_owned()),
        ];
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let state = support::state_with(db.clone(), Some(conn), &vars);
        addresses.push(serve(server::router(state)).await);
    }
    assert_ne!(addresses[0].port(), addresses[1].port());
    let client = reqwest::Client::new();
    let login = |at: SocketAddr| {
        client
            .post(format!("http://{at}/api/v1/auth/login"))
            .json(&serde_json::json!({
                "email": server::seed::DEMO_CUSTOMER, "password": "not the password"}))
            .send()
    };
    // Three wrong passwords, alternating instances, use up the account's tries on both.
    for at in [addresses[0], addresses[1], addresses[0]] {
        assert_eq!(login(at).await.unwrap().status(), 401);
    }
    for at in &addresses {
        let refused = login(*at).await.unwrap();
        assert_eq!(refused.status(), 429, "{at}");
        assert!(refused.headers().contains_key("retry-after"));
    }
}
