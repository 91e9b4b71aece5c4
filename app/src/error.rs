//! The one JSON error envelope every REST error uses:
//! `{"error": {"code": "snake_case", "message": "human text", ...details}}`.

#[cfg(feature = "ssr")]
pub use ssr::{answer, error_response, HttpStatus};

#[cfg(feature = "ssr")]
mod ssr {
    use axum::{
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        Json,
    };
    use serde_json::{json, Map, Value};

    /// Domain errors know the HTTP status they stand for.
    pub trait HttpStatus {
        fn status(&self) -> StatusCode;
    }

    /// Gives a failed server function its real status (422, 401, 409, ...) instead of a blanket
    /// 500. Plain form posts keep the redirect back to the form, which carries the error.
    pub fn answer<T, E: HttpStatus>(result: Result<T, E>) -> Result<T, E> {
        if let Err(err) = &result {
            let parts = leptos::prelude::use_context::<http::request::Parts>();
            let form_post = parts.as_ref().is_some_and(|p| {
                p.headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
            });
            if let (false, Some(response)) = (
                form_post,
                leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            ) {
                response.set_status(err.status());
            }
        }
        result
    }

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
