//! Structured logs and per-request ids.

use crate::config::AppEnv;
use axum::{
    http::{HeaderName, Request},
    Router,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// JSON lines in production (for log shippers), readable text elsewhere. `RUST_LOG` overrides.
pub fn init(env: AppEnv) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if env == AppEnv::Production {
        registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init()
    } else {
        // Colours only for a terminal, not in log files.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(fmt::layer().with_ansi(ansi)).try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

/// Gives every request an id (kept if the client sent one), logs it with the request's span and
/// returns it in the response, so a user's report can be matched to the logs.
pub fn traced<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

fn request_span(request: &Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // The path only: query strings may carry tokens.
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id,
    )
}
