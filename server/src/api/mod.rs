//! REST API, `/api/v1`: thin adapters over the domain services, JSON in and out, errors in
//! the one envelope.

pub mod admin;
pub mod auth;
pub mod users;

use app::{account::auth::client_ip, error::error_response, state::AppState};
use axum::{
    extract::{rejection::JsonRejection, FromRequest, FromRequestParts, Request},
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
    Router,
};
use serde::{de::DeserializeOwned, Serialize};
use std::convert::Infallible;

pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/auth", auth::router())
        .nest("/users", users::router())
        .nest("/admin", admin::router())
        .route(
            "/openapi.json",
            axum::routing::get(crate::openapi::document),
        )
        .fallback(not_found)
}

async fn not_found() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no such endpoint.",
        Default::default(),
        None,
    )
}

/// `axum::Json` whose rejections use the error envelope: 400 for malformed JSON, 422 when the
/// JSON does not have the expected shape, 415 without a JSON content type.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => {
                let (status, code) = match &rejection {
                    JsonRejection::JsonDataError(_) => {
                        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
                    }
                    JsonRejection::MissingJsonContentType(_) => {
                        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
                    }
                    _ => (StatusCode::BAD_REQUEST, "malformed_json"),
                };
                Err(error_response(
                    status,
                    code,
                    &rejection.body_text(),
                    Default::default(),
                    None,
                ))
            }
        }
    }
}

/// The client's IP address, for rate limits.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self(client_ip(parts, state.settings.trust_forwarded_for)))
    }
}

/// The list envelope: `{"items", "page", "per_page", "total"}`.
#[derive(Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T: Serialize> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        axum::Json(self).into_response()
    }
}
