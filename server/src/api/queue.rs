//! A hot show's waiting room over REST: a hold that has to wait answers 202 with a place in
//! line; polling that place returns the position, then the admission token the hold takes in
//! `Admission-Token`.

use super::ApiPath;
use crate::AppState;
use app::{
    account::auth::Principal,
    booking::{
        waiting_room::{QueuePlace, Turn},
        BookingError, Bookings,
    },
    ids::ShowId,
};
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The header a hold carries its admission token in.
pub const ADMISSION_TOKEN: &str = "admission-token";

pub fn router() -> Router<AppState> {
    Router::new().route("/shows/{id}/queue", get(turn))
}

/// A place in a show's line.
#[derive(Serialize, ToSchema)]
pub struct QueueTicket {
    /// Visitors admitted before this one (1: next).
    position: u64,
    estimated_wait_seconds: u64,
    /// Poll this (GET, same credentials) for the position, then the admission token.
    poll_url: String,
}

/// The answer while waiting.
#[derive(Serialize, ToSchema)]
pub struct Queued {
    queue: QueueTicket,
}

/// A place in line, or the admission its turn brought.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum QueueTurn {
    Waiting(Queued),
    Admitted {
        /// Send as the `Admission-Token` header of holds for this show.
        admission_token: String,
        expires_at: DateTime<Utc>,
    },
}

/// The admission token a request carries, if any.
pub fn admission(headers: &HeaderMap) -> Option<&str> {
    headers.get(ADMISSION_TOKEN).and_then(|v| v.to_str().ok())
}

/// 202 with the place, and when to ask again.
pub fn queued(place: &QueuePlace) -> Response {
    let body = Queued {
        queue: QueueTicket {
            position: place.position,
            estimated_wait_seconds: place.estimated_wait_seconds,
            poll_url: format!("/api/v1/shows/{}/queue", place.show_id),
        },
    };
    let again = place.estimated_wait_seconds.clamp(1, 5).to_string();
    (
        StatusCode::ACCEPTED,
        [(header::RETRY_AFTER, again)],
        Json(body),
    )
        .into_response()
}

/// The caller's place in the show's waiting room: the position while waiting, then the
/// admission token for its holds.
#[utoipa::path(get, path = "/api/v1/shows/{id}/queue", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Show id")),
    responses((status = 200, body = QueueTurn),
        (status = 404, description = "not_found: the caller has no place in this show's line")))]
pub async fn turn(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(show): ApiPath<ShowId>,
) -> Response {
    match bookings.waiting_room().turn(show, who.user_id).await {
        Turn::NotInLine => BookingError::NotFound.into_response(),
        Turn::Waiting(place) => {
            let mut response = queued(&place);
            *response.status_mut() = StatusCode::OK;
            response
        }
        Turn::Admitted { token, expires_at } => Json(QueueTurn::Admitted {
            admission_token: token,
            expires_at,
        })
        .into_response(),
    }
}
