//! The one JSON error envelope every REST error uses:
//! `{"error": {"code": "snake_case", "message": "human text", ...details}}`.

#[cfg(feature = "ssr")]
pub use ssr::error_response;

#[cfg(feature = "ssr")]
mod ssr {
    use axum::{
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        Json,
    };
    use serde_json::{json, Map, Value};

    /// Builds the envelope; `details` are merged next to `code` and `message`.
    pub fn error_response(
        status: StatusCode,
        code: &str,
        message: &str,
        details: Map<String, Value>,
        retry_after: Option<u64>,
    ) -> Response {
        let mut error = Map::new();
        error.insert("code".into(), json!(code));
        error.insert("message".into(), json!(message));
        error.extend(details);
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
