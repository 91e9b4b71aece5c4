//! Liveness and readiness for load balancers and orchestrators.

use crate::{db, operators::OperatorNetworks, Backends};
use axum::{
    extract::State,
    http::{request::Parts, StatusCode},
    Json,
};
use serde_json::{json, Value};
use std::time::Duration;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = String, example = "ok")))]
pub async fn live() -> &'static str {
    "ok"
}

/// Ready to take traffic: database reachable with every migration applied, Redis reachable
/// when configured; 503 otherwise. The checks' detail goes to operator networks only, and
/// never carries a raw error.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "Ready to take traffic", body = Object,
     example = json!({"status": "ready", "checks": {"database": "ok", "migrations": "ok", "redis": "not configured"}})),
    (status = 503, description = "A dependency is missing; `checks` says which", body = Object),
))]
pub async fn ready(
    State(backends): State<Backends>,
    State(operators): State<OperatorNetworks>,
    parts: Parts,
) -> (StatusCode, Json<Value>) {
    let database =
        tokio::time::timeout(CHECK_TIMEOUT, db::pending_migrations(backends.db.primary())).await;
    let (database, migrations) = match database {
        Ok(Ok(pending)) if pending.is_empty() => ("ok".to_owned(), "ok".to_owned()),
        Ok(Ok(pending)) => ("ok".to_owned(), format!("{} pending", pending.len())),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: database unreachable");
            ("unreachable".to_owned(), "unknown".to_owned())
        }
        Err(_) => ("timed out".to_owned(), "unknown".to_owned()),
    };
    let redis = match backends.redis.clone() {
        None => "not configured".to_owned(),
        Some(mut conn) => {
            let ping = redis::cmd("PING");
            let ping = ping.query_async::<String>(&mut conn);
            match tokio::time::timeout(CHECK_TIMEOUT, ping).await {
                Ok(Ok(_)) => "ok".to_owned(),
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "readiness: Redis unreachable");
                    "unreachable".to_owned()
                }
                Err(_) => "timed out".to_owned(),
            }
        }
    };
    let healthy =
        database == "ok" && migrations == "ok" && matches!(redis.as_str(), "ok" | "not configured");
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = json!({ "status": if healthy { "ready" } else { "not_ready" } });
    if operators.admit(&parts) {
        body["checks"] = json!({ "database": database, "migrations": migrations, "redis": redis });
    }
    (status, Json(body))
}
