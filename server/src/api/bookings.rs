//! `/api/v1/bookings` and the seat endpoints of a show: holds, confirmation, cancellation,
//! best available seats and the live seat stream.

use super::{ApiJson, ApiPath, ApiQuery};
use app::{
    account::auth::Principal,
    booking::{
        engine::{self, Actor, HoldRequest},
        live::{Heard, SeatChange},
        BookedSeat, Booking, BookingError,
    },
    idempotency,
    state::AppState,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::{delete, get, post},
    Json, Router,
};
use futures_util::{stream, Stream};
use serde::{Deserialize, Serialize};
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast::error::RecvError;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bookings/hold", post(hold))
        .route("/bookings/confirm", post(confirm))
        .route("/bookings/{id}", get(booking).merge(delete(cancel)))
        .route("/shows/{id}/seats/best", get(best))
        .route("/shows/{id}/seats/stream", get(stream_seats))
}

fn actor(who: &Principal) -> Actor {
    Actor {
        user_id: who.user_id,
        role: who.role,
    }
}

/// Holds 1 to 10 seats of one show for HOLD_TTL_SECONDS, all or nothing; replaces the caller's
/// earlier hold on the same show. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/bookings/hold", tag = "bookings", security(("bearer" = [])),
    request_body = HoldRequest, params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = Booking),
        (status = 409, description = "seats_unavailable, with unavailable_seat_ids"),
        (status = 422, description = "validation_failed, single_seat_gap, wheelchair_space, sales_closed")))]
pub async fn hold(
    State(state): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<HoldRequest>,
) -> Response {
    let body = serde_json::to_vec(&request).unwrap_or_default();
    let scope = format!("{}:bookings/hold", who.user_id);
    idempotency::once(state.db.primary(), &headers, &scope, &body, || async {
        match engine::hold(&state, who.user_id, &request).await {
            Ok(booking) => (StatusCode::CREATED, Json(booking)).into_response(),
            Err(err) => err.into_response(),
        }
    })
    .await
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ConfirmRequest {
    booking_id: Uuid,
    /// A succeeded payment of this booking; omitted only for bookings that cost nothing.
    payment_id: Option<Uuid>,
}

/// Confirms a held booking whose payment has succeeded (409 otherwise). A hold past its
/// deadline is confirmed only if all its seats are still free. Confirming twice is harmless.
#[utoipa::path(post, path = "/api/v1/bookings/confirm", tag = "bookings", security(("bearer" = [])),
    request_body = ConfirmRequest, responses((status = 200, body = Booking),
        (status = 404, description = "not_found"),
        (status = 409, description = "payment_not_succeeded, seats_unavailable, booking_cancelled, show_started")))]
pub async fn confirm(
    State(state): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ConfirmRequest>,
) -> Response {
    let body = serde_json::to_vec(&request).unwrap_or_default();
    let scope = format!("{}:bookings/confirm", who.user_id);
    idempotency::once(state.db.primary(), &headers, &scope, &body, || async {
        let confirmed = async {
            engine::get(&state, request.booking_id, actor(&who)).await?;
            engine::confirm(&state, request.booking_id, request.payment_id).await
        };
        match confirmed.await {
            Ok(booking) => Json(booking).into_response(),
            Err(err) => err.into_response(),
        }
    })
    .await
}

/// One booking, for its owner, the theater's admins or a platform admin (404 for anyone else).
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = Booking), (status = 404, description = "not_found")))]
pub async fn booking(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Booking>, BookingError> {
    Ok(Json(engine::get(&state, id, actor(&who)).await?))
}

/// Cancels: a hold is released at once; a confirmed booking until CANCELLATION_CUTOFF_MINUTES
/// before the show, with the refund due by the policy. Cancelling again answers the same.
#[utoipa::path(delete, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = Booking), (status = 404, description = "not_found"),
        (status = 409, description = "cancellation_closed")))]
pub async fn cancel(
    State(state): State<AppState>,
    who: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> Response {
    let scope = format!("{}:bookings/cancel", who.user_id);
    idempotency::once(
        state.db.primary(),
        &headers,
        &scope,
        id.as_bytes(),
        || async {
            match engine::cancel(&state, id, actor(&who)).await {
                Ok(booking) => Json(booking).into_response(),
                Err(err) => err.into_response(),
            }
        },
    )
    .await
}

#[derive(Deserialize, IntoParams)]
pub struct BestQuery {
    /// How many seats, 1 to 10.
    count: Option<usize>,
    /// A seat category (e.g. Prime); any when omitted.
    category: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BestSeats {
    /// Empty when no block of that many seats is free.
    seats: Vec<BookedSeat>,
}

/// The best block of adjacent free seats: central, a comfortable distance back, never leaving
/// a single-seat gap.
#[utoipa::path(get, path = "/api/v1/shows/{id}/seats/best", tag = "bookings", params(BestQuery),
    responses((status = 200, body = BestSeats), (status = 404, description = "not_found"),
        (status = 422, description = "validation_failed")))]
pub async fn best(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<BestQuery>,
) -> Result<Json<BestSeats>, BookingError> {
    let count = query.count.unwrap_or(2);
    let category = query.category.as_deref().filter(|c| !c.trim().is_empty());
    Ok(Json(BestSeats {
        seats: engine::best_seats(&state, id, count, category).await?,
    }))
}

/// Server-Sent Events of one show's seat changes: first a `snapshot` of every seat that is not
/// available, then a `seats` event per change anywhere (`{show_id, status, seat_ids}`).
#[utoipa::path(get, path = "/api/v1/shows/{id}/seats/stream", tag = "bookings",
    responses((status = 200, description = "text/event-stream of seat changes", body = SeatChange),
        (status = 404, description = "not_found")))]
pub async fn stream_seats(
    State(state): State<AppState>,
    ApiPath(show_id): ApiPath<Uuid>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, BookingError> {
    // Subscribe before reading the snapshot, so no change falls in between.
    let changes = state.live.subscribe();
    let snapshot = engine::taken_seats(state.db.primary(), show_id).await?;
    let first = Event::default().event("snapshot").json_data(&snapshot).ok();
    let stop = state.live.stopping();
    let db = state.db.primary().clone();
    let updates = stream::unfold((changes, first), move |(mut changes, first)| {
        let (stop, db) = (stop.clone(), db.clone());
        async move {
            if let Some(event) = first {
                return Some((Ok(event), (changes, None)));
            }
            loop {
                let change = tokio::select! {
                    _ = stop.cancelled() => return None,
                    change = changes.recv() => change,
                };
                let event = match change {
                    Ok(Heard::Change(change)) if change.show_id == show_id => {
                        Event::default().event("seats").json_data(&change).ok()?
                    }
                    Ok(Heard::Change(_)) => continue,
                    // Changes were missed: a fresh snapshot puts the map right again.
                    Ok(Heard::Gap) | Err(RecvError::Lagged(_)) => {
                        let snapshot = engine::taken_seats(&db, show_id).await.ok()?;
                        Event::default()
                            .event("snapshot")
                            .json_data(&snapshot)
                            .ok()?
                    }
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok(event), (changes, None)));
            }
        }
    });
    Ok(Sse::new(updates).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
