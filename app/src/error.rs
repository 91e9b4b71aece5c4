//! The one JSON error envelope every REST error uses:
//! `{"error": {"code": "snake_case", "message": "human text", ...details}}`.
//!
//! Each domain's error says its status, code and details ([`ErrorBody`]); [`respond`] builds the
//! response for all of them, and [`answer`] gives a failed server function the same status.

#[cfg(feature = "ssr")]
pub use ssr::{answer, envelope, fields, respond, ErrorBody};

use crate::i18n::Text;

#[cfg(feature = "ssr")]
mod ssr {
    use axum::{
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        Json,
    };
    use serde_json::{json, Map, Value};

    /// What a domain error tells a client.
    pub trait ErrorBody: crate::i18n::Explained {
        fn status(&self) -> StatusCode;
        fn code(&self) -> &str;
        /// Merged next to `code` and `message` (e.g. `fields`, `unavailable_seat_ids`).
        fn details(&self) -> Map<String, Value> {
            Map::new()
        }
        /// Seconds, for 429 answers.
        fn retry_after(&self) -> Option<u64> {
            None
        }
    }

    /// The envelope of a domain error.
    pub fn respond(err: &impl ErrorBody) -> Response {
        envelope(
            err.status(),
            err.code(),
            &err.text(),
            err.details(),
            err.retry_after(),
        )
    }

    /// The envelope from its parts, for errors that belong to no domain (a malformed body, an
    /// unknown route).
    pub fn envelope(
        status: StatusCode,
        code: &str,
        message: &crate::i18n::Text,
        details: Map<String, Value>,
        retry_after: Option<u64>,
    ) -> Response {
        let mut error = Map::new();
        error.insert("code".into(), json!(code));
        error.insert("message".into(), json!(message.to_string()));
        error.extend(details);
        let mut response = (status, Json(json!({ "error": error }))).into_response();
        if let Some(seconds) = retry_after {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            if status == StatusCode::TOO_MANY_REQUESTS {
                // The IETF RateLimit fields: nothing left, whole again in `seconds` (the
                // current draft's one field, and the earlier drafts' pair).
                let field = format!("\"default\";r=0;t={seconds}");
                if let Ok(value) = HeaderValue::from_str(&field) {
                    headers.insert("ratelimit", value);
                }
                headers.insert("ratelimit-remaining", HeaderValue::from(0));
                headers.insert("ratelimit-reset", HeaderValue::from(seconds));
            }
        }
        response
    }

    /// A form's field errors as the API says them: field name to English text.
    pub fn fields(errors: &super::FieldErrors) -> Value {
        errors
            .iter()
            .map(|(name, text)| (name.clone(), json!(text.to_string())))
            .collect::<Map<_, _>>()
            .into()
    }

    /// Gives a failed server function its real status (422, 401, 409, ...) instead of a blanket
    /// 500. Plain form posts keep the redirect back to the form, which carries the error.
    pub fn answer<T, E: ErrorBody>(result: Result<T, E>) -> Result<T, E> {
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
}

/// Field name to a message a person can act on.
pub type FieldErrors = std::collections::BTreeMap<String, Text>;

/// One field's error, for the `Invalid` variant every domain error has.
pub fn field(name: &str, message: Text) -> FieldErrors {
    FieldErrors::from([(name.to_owned(), message)])
}

/// A field longer than `max` characters.
pub fn too_long(name: &str, max: usize) -> FieldErrors {
    field(name, Text::new("err-too-long").arg("max", max))
}
