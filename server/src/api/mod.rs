//! REST API, `/api/v1`: thin adapters over the domain services, JSON in and out, errors in
//! the one envelope.

pub mod admin;
pub mod auth;
pub mod bookings;
pub mod catalog;
pub mod food;
pub mod food_orders;
pub mod offers;
pub mod payments;
pub mod queue;
pub mod tickets;
pub mod users;
pub mod waitlist;

use crate::AppState;
use app::{error::envelope, i18n::Text, ratelimit::client::client_address};
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
        .nest("/users", users::router().merge(waitlist::user_router()))
        .nest("/admin", admin::router())
        .merge(catalog::router())
        .merge(bookings::router())
        .merge(queue::router())
        .merge(offers::router())
        .merge(food::router())
        .merge(food_orders::router())
        .merge(waitlist::router())
        .merge(payments::router())
        .merge(tickets::router())
        .route(
            "/openapi.json",
            axum::routing::get(crate::openapi::document),
        )
        .fallback(not_found)
}

async fn not_found() -> Response {
    envelope(
        StatusCode::NOT_FOUND,
        "not_found",
        &Text::new("err-no-endpoint"),
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
                Err(envelope(
                    status,
                    code,
                    &Text::new("err-body").arg("detail", rejection.body_text()),
                    Default::default(),
                    None,
                ))
            }
        }
    }
}

/// A path parameter that does not parse (a malformed id) is a 400 in the envelope.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|rejection| bad_request("invalid_path", rejection.body_text()))
    }
}

/// Query parameters of the wrong type are a 400 in the envelope.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| bad_request("invalid_query", rejection.body_text()))
    }
}

/// A request the framework could not read, with what it said.
fn bad_request(code: &str, detail: String) -> Response {
    envelope(
        StatusCode::BAD_REQUEST,
        code,
        &Text::new("err-body").arg("detail", detail),
        Default::default(),
        None,
    )
}

/// The client's IP address, for rate limits.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let hops = state.accounts.settings().trusted_proxy_hops;
        Ok(Self(client_address(parts, hops)))
    }
}

/// `?page=&per_page=`: page 1 and 20 a page unless asked; page 0 or over 100 a page is a 422.
#[derive(Clone, Copy, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl Paging {
    /// (page, per_page), or the field at fault and what to say about it.
    pub fn resolve(&self) -> Result<(u32, u32), (&'static str, &'static str)> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if page == 0 {
            return Err(("page", "err-page"));
        }
        if !(1..=100).contains(&per_page) {
            return Err(("per_page", "err-per-page"));
        }
        Ok((page, per_page))
    }
}

/// The list envelope: `{"items", "page", "per_page", "total"}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// Items in the whole list.
    pub total: i64,
}

impl<T: Serialize + Clone> Page<T> {
    /// One page of a list the service already paged, of `total` in all.
    pub fn new(items: &[T], (page, per_page): (u32, u32), total: i64) -> Self {
        Self {
            items: items.to_vec(),
            page,
            per_page,
            total,
        }
    }

    /// One page of a whole list.
    pub fn of(all: &[T], (page, per_page): (u32, u32)) -> Self {
        let start = usize::try_from(u64::from(page - 1) * u64::from(per_page))
            .unwrap_or(usize::MAX)
            .min(all.len());
        let end = start.saturating_add(per_page as usize).min(all.len());
        Self::new(&all[start..end], (page, per_page), all.len() as i64)
    }

    pub fn respond(self) -> Response {
        axum::Json(self).into_response()
    }
}
