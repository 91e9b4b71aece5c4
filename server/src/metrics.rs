//! Prometheus metrics at `/metrics`: request counts and latencies by route, and what the
//! domains and jobs count (holds, confirmations, expiries, payments, webhooks, the outbox);
//! `measure` adds the backends' gauges. deploy/ holds the alert rules and the Grafana
//! dashboard built on these names (docs/OPERATIONS.md).

use crate::Backends;
use axum::{
    extract::{MatchedPath, Request},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Request latency buckets, in seconds: a page or an API call should answer within 100 ms.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Counters and gauges that exist from start-up (at zero), so dashboards and alerts see them
/// before the first event.
const FROM_START: &[&str] = &[
    "district_bookings_confirmed_total",
    "district_holds_expired_total",
    "district_outbox_delivered_total",
    "district_outbox_parked_total",
    "district_refunds_due_total",
    "district_outbox_lag_seconds",
    "district_outbox_dead_letters",
    "district_seat_streams_open",
    "district_hold_expiry_lag_seconds",
];

/// Installs the process-wide recorder once; later calls share it.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("district_http_request_duration_seconds".into()),
                LATENCY_BUCKETS,
            )
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        for name in FROM_START {
            match name.ends_with("_total") {
                true => metrics::counter!(*name).increment(0),
                false => metrics::gauge!(*name).increment(0.0),
            }
        }
        for outcome in ["held", "refused", "failed"] {
            metrics::counter!("district_holds_total", "outcome" => outcome).increment(0);
        }
        handle
    })
}

/// The backends' gauges: each pool's connections in use, idle and at most, how long taking
/// one takes now, and whether Redis answers.
pub async fn measure(backends: &Backends) {
    let db = &backends.db;
    let mut pools = vec![("primary", db.primary())];
    if let Some(replica) = db.replica() {
        pools.push(("replica", replica));
    }
    for (pool, db) in pools {
        let idle = db.num_idle() as f64;
        metrics::gauge!("district_db_pool_connections", "pool" => pool, "state" => "idle")
            .set(idle);
        metrics::gauge!("district_db_pool_connections", "pool" => pool, "state" => "in_use")
            .set(f64::from(db.size()) - idle);
        metrics::gauge!("district_db_pool_max_connections", "pool" => pool)
            .set(f64::from(db.options().get_max_connections()));
        let started = Instant::now();
        let waited = match db.acquire().await {
            Ok(_) => started.elapsed().as_secs_f64(),
            // As long as the pool would make anyone wait: it gave up.
            Err(_) => db.options().get_acquire_timeout().as_secs_f64(),
        };
        metrics::gauge!("district_db_pool_acquire_seconds", "pool" => pool).set(waited);
    }
    if let Some(redis) = &backends.redis {
        let mut redis = redis.clone();
        let ping = redis::cmd("PING");
        let answered = tokio::time::timeout(
            Duration::from_secs(1),
            ping.query_async::<String>(&mut redis),
        );
        let up = matches!(answered.await, Ok(Ok(_)));
        metrics::gauge!("district_redis_up").set(if up { 1.0 } else { 0.0 });
    }
}

pub async fn render() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        install().render(),
    )
        .into_response()
}

/// Counts every request and times it, by route pattern (never the raw path, which has ids).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("district_http_requests_total", &labels).increment(1);
    metrics::histogram!("district_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
