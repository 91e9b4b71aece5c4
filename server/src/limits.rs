//! Bounded requests: a body cap chosen by route (small for JSON and forms, larger only where
//! a screen layout or a poster comes in) and a time limit on every answer.
//!
//! The cap holds for server functions too, whose bodies axum's own limit never sees: a
//! declared length past it is refused before anything is read, and a body without one stops
//! being read at the cap.

use app::{dashboard::MAX_POSTER_BYTES, error::envelope};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::Response,
};
use std::time::Duration;

/// JSON and form bodies.
pub const SMALL_BODY: usize = 64 * 1024;
/// A screen's layout: 60 rows of 80 seats as JSON, form-encoded.
pub const LAYOUT_BODY: usize = 2 * 1024 * 1024;
/// A poster and the form around it.
pub const POSTER_BODY: usize = MAX_POSTER_BYTES + 256 * 1024;

/// The cap for a path: the routes that take a screen layout or a poster, then the rest.
fn body_cap(path: &str) -> usize {
    let layout = path == "/_fn/dashboard/save-layout"
        || path == "/_fn/dashboard/add-screen"
        || (path.starts_with("/api/v1/admin/screens/") && path.ends_with("/layout"))
        || (path.starts_with("/api/v1/admin/theaters/") && path.ends_with("/screens"));
    if takes_uploads(path) {
        POSTER_BODY
    } else if layout {
        LAYOUT_BODY
    } else {
        SMALL_BODY
    }
}

/// The poster upload routes, the only ones that take multipart bodies.
fn takes_uploads(path: &str) -> bool {
    let rest = path
        .strip_prefix("/api/v1/admin/movies")
        .or_else(|| path.strip_prefix("/dashboard/movies"));
    rest.is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

pub async fn bound_body(request: Request, next: Next) -> Response {
    // An empty body is under any cap; uploads (the poster routes) are read by axum's multipart
    // extractor, which holds them to the route's own `DefaultBodyLimit` and answers 413 itself.
    if axum::body::HttpBody::is_end_stream(request.body()) || is_upload(&request) {
        return next.run(request).await;
    }
    let cap = body_cap(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > cap as u64) {
        return too_large(cap);
    }
    let (parts, body) = request.into_parts();
    let limited = Body::new(http_body_util::Limited::new(body, cap));
    next.run(Request::from_parts(parts, limited)).await
}

/// A multipart body to a poster upload route, the only kind those routes take.
pub fn is_upload(request: &Request) -> bool {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.get(..19))
        .is_some_and(|v| v.eq_ignore_ascii_case("multipart/form-data"));
    multipart && takes_uploads(request.uri().path())
}

fn too_large(cap: usize) -> Response {
    envelope(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        &app::i18n::Text::new("err-body-kib").arg("kib", cap / 1024),
        Default::default(),
        None,
    )
}

/// Answers 503 when the request has not started its answer in time (reading its body
/// included); a stream already answering (a live seat map) is not cut.
pub async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            metrics::counter!("district_requests_timed_out_total").increment(1);
            envelope(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                &app::i18n::Text::new("err-timeout"),
                Default::default(),
                Some(1),
            )
        }
    }
}
