//! Structured logs and per-request ids.

use crate::config::AppEnv;
use axum::{
    extract::MatchedPath,
    http::{HeaderName, Request},
    Router,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;
use tracing_subscriber::{
    fmt::{self, MakeWriter},
    prelude::*,
    registry::LookupSpan,
    EnvFilter, Layer,
};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// JSON lines in production (for log shippers), readable text elsewhere. `RUST_LOG` overrides.
pub fn init(env: AppEnv) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if env == AppEnv::Production {
        registry.with(json(std::io::stdout)).try_init()
    } else {
        // Colours only for a terminal, not in log files.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(fmt::layer().with_ansi(ansi)).try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

/// The production format: one JSON object a line, with the spans it was logged in (the
/// request's first: its id, method, path, route and user).
pub fn json<S, W>(writer: W) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(writer)
}

/// Gives every request an id (kept if the client sent one), logs it with the request's span and
/// returns it in the response, so a user's report can be matched to the logs.
pub fn traced<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(axum::middleware::from_fn(keep_span))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Runs inside the request's span: keeps it where the user's extractor finds it.
async fn keep_span(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let span = app::account::auth::RequestSpan(tracing::Span::current());
    request.extensions_mut().insert(span);
    next.run(request).await
}

fn request_span(request: &Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str);
    // The path only, since query strings may carry tokens; and a path that is a ticket's
    // token only as its route. The user is recorded once known (`Principal`'s extractor).
    let path = match route.contains("{token}") {
        true => route,
        false => request.uri().path(),
    };
    tracing::info_span!(
        "request",
        method = %request.method(),
        path,
        route,
        request_id,
        user_id = tracing::field::Empty,
    )
}
