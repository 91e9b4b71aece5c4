//! Input hygiene at the door: a NUL byte or text that is not UTF-8 anywhere in a request's
//! address or in a JSON or form body is a 400 before any handler sees it. PostgreSQL refuses
//! NUL in text, so letting one through would turn a typo-sized attack into a 500 deep inside
//! a query; every handler would have to remember to check.
//!
//! Bodies are read here after the body cap, so this buffers at most what the route allows.
//! Poster uploads (multipart) pass untouched; their extractor checks them.

use app::error::envelope;
use axum::{
    body::Body,
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::Response,
};
use percent_encoding::percent_decode_str;

pub async fn clean_input(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if !clean_encoded(uri.path()) || !uri.query().is_none_or(clean_encoded) {
        return refuse();
    }
    // Only the poster uploads may send multipart, which their own extractor checks.
    if axum::body::HttpBody::is_end_stream(request.body()) || crate::limits::is_upload(&request) {
        return next.run(request).await;
    }
    // JSON by any of its names is checked as JSON; every other body as form-encoded text,
    // since server functions read their bodies whatever the type says.
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"json"))
        });
    let check: fn(&str) -> bool = if json { clean_json } else { clean_encoded };
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        // Past the route's cap (see `limits`), or the client went away.
        Err(_) => return too_large(),
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) if check(text) => {}
        _ => return refuse(),
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Percent-encoded text (a path, a query, a form body) that decodes to UTF-8 without NUL.
fn clean_encoded(raw: &str) -> bool {
    percent_decode_str(raw)
        .decode_utf8()
        .is_ok_and(|text| !text.contains('\0'))
}

/// JSON without a NUL, raw or escaped.
fn clean_json(text: &str) -> bool {
    !text.contains('\0')
        && !text
            .as_bytes()
            .windows(6)
            .any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}

fn refuse() -> Response {
    envelope(
        StatusCode::BAD_REQUEST,
        "invalid_input",
        &app::i18n::Text::new("err-nul"),
        Default::default(),
        None,
    )
}

fn too_large() -> Response {
    envelope(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        &app::i18n::Text::new("err-body-large"),
        Default::default(),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_broken_utf8_are_caught_however_written() {
        assert!(clean_encoded("/api/v1/movies?q=caf%C3%A9"));
        assert!(!clean_encoded("q=a%00b"));
        assert!(!clean_encoded("q=%FF"));
        assert!(clean_json(r#"{"name": "Asha \u00e9"}"#));
        assert!(!clean_json(r#"{"name": "Asha \u0000"}"#));
        assert!(!clean_json(r#"{"name": "Asha \U0000"}"#));
        assert!(!clean_json("{\"name\": \"\0\"}"));
    }
}
