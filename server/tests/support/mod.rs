//! Shared helpers: the real router over a test database, and request shortcuts.
#![allow(dead_code)]

pub mod redis_server;

use app::state::{AppState, Db};
use axum::{body::Body, http::Request, Router};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use tower::ServiceExt;

pub fn state(db: PgPool, redis: Option<redis::aio::ConnectionManager>) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder().output_name("district").build(),
        db: Db::new(db, None),
        redis,
    }
}

pub fn app(db: PgPool) -> Router {
    server::router(state(db, None))
}

/// A seeded demo catalog with two days of shows (fast, and enough for every page).
pub async fn seed(db: &PgPool) -> server::seed::Report {
    let options = server::seed::Options::for_today(2, None);
    server::seed::run(db, &options).await.expect("seed")
}

pub struct Reply {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

pub async fn get(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}
