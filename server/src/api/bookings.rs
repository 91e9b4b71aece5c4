//! `/api/v1/bookings` and the seat endpoints of a show: the seat map, holds, confirmation,
//! cancellation, best available seats and the live seat stream.

use super::{ApiJson, ApiPath, ApiQuery, ClientIp};
use crate::AppState;
use app::{
    account::auth::Principal,
    booking::{
        BookedSeat, Booking, BookingError, Bookings, HoldRequest, SeatChange, SeatEvent, SeatMap,
    },
    db::Db,
    idempotency::{self, Run},
    ids::{BookingId, ShowId},
};
use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::{delete, get, post},
    Json, Router,
};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use std::{convert::Infallible, time::Duration};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bookings/hold", post(hold))
        .route("/bookings/confirm", post(confirm))
        .route("/bookings/{id}", get(booking).merge(delete(cancel)))
        .route("/shows/{id}/seats", get(seats))
        .route("/shows/{id}/seats/best", get(best))
        .route("/shows/{id}/seats/stream", get(stream_seats))
}

/// The seat map: layout, categories with prices, and every seat with its live status.
/// Rendered once per change, so it is sent gzipped to clients that take it.
#[utoipa::path(get, path = "/api/v1/shows/{id}/seats", tag = "bookings", responses(
    (status = 200, body = SeatMap), (status = 404, description = "not_found")))]
pub async fn seats(
    State(bookings): State<Bookings>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<ShowId>,
) -> Result<Response, BookingError> {
    let rendered = bookings.seat_map_json(id).await?;
    let gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let json = HeaderValue::from_static("application/json");
    let vary = HeaderValue::from_static("accept-encoding");
    let response = if gzip {
        let encoding = HeaderValue::from_static("gzip");
        (
            [
                (header::CONTENT_TYPE, json),
                (header::CONTENT_ENCODING, encoding),
                (header::VARY, vary),
            ],
            rendered.gzip,
        )
            .into_response()
    } else {
        (
            [(header::CONTENT_TYPE, json), (header::VARY, vary)],
            rendered.json,
        )
            .into_response()
    };
    Ok(response)
}

/// Holds 1 to 10 seats of one show for HOLD_TTL_SECONDS, all or nothing; replaces the caller's
/// earlier hold on the same show. Honours `Idempotency-Key`. While the show's waiting room is
/// open, a caller without an admission token gets a place in line (202) instead.
#[utoipa::path(post, path = "/api/v1/bookings/hold", tag = "bookings", security(("bearer" = [])),
    request_body = HoldRequest, params(("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer"),
        ("Admission-Token" = Option<String>, Header, description = "From the show's queue (GET /api/v1/shows/{id}/queue) once admitted")),
    responses((status = 201, body = Booking),
        (status = 202, body = super::queue::Queued, description = "The show's waiting room is open: the caller's place in line"),
        (status = 403, description = "email_not_verified, where holds need a confirmed address"),
        (status = 409, description = "seats_unavailable, with unavailable_seat_ids; prices_changed; seats_changing (try again)"),
        (status = 422, description = "validation_failed, single_seat_gap, wheelchair_space, sales_closed")))]
pub async fn hold(
    State(bookings): State<Bookings>,
    State(db): State<Db>,
    who: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<HoldRequest>,
) -> Response {
    let body = serde_json::to_vec(&request).unwrap_or_default();
    let scope = format!("{}:bookings/hold", who.user_id);
    let admission = super::queue::admission(&headers).map(str::to_owned);
    idempotency::once(
        db.primary(),
        &headers,
        &scope,
        &body,
        move |run| async move {
            let held = match run {
                Run::Fresh(key) => {
                    let admission = admission.as_deref();
                    let held = bookings.hold_in_turn(who.user_id, &request, admission, key);
                    held.await
                }
                Run::Recovered(made) => bookings.get(who.into(), made.into()).await,
            };
            match held {
                Ok(booking) => (StatusCode::CREATED, Json(booking)).into_response(),
                Err(BookingError::Queued(place)) => super::queue::queued(&place),
                Err(err) => err.into_response(),
            }
        },
    )
    .await
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ConfirmRequest {
    booking_id: BookingId,
    /// A succeeded payment of this booking; omitted only for bookings that cost nothing.
    payment_id: Option<Uuid>,
}

/// Confirms a held booking whose payment has succeeded (409 otherwise). A hold past its
/// deadline is confirmed only if all its seats are still free. Confirming twice is harmless.
#[utoipa::path(post, path = "/api/v1/bookings/confirm", tag = "bookings", security(("bearer" = [])),
    request_body = ConfirmRequest, responses((status = 200, body = Booking),
        (status = 404, description = "not_found"),
        (status = 409, description = "payment_not_succeeded, payment_refunded, seats_unavailable, booking_cancelled, show_started, offer_exhausted, out_of_stock")))]
pub async fn confirm(
    State(bookings): State<Bookings>,
    State(db): State<Db>,
    who: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ConfirmRequest>,
) -> Response {
    let body = serde_json::to_vec(&request).unwrap_or_default();
    let scope = format!("{}:bookings/confirm", who.user_id);
    idempotency::once(db.primary(), &headers, &scope, &body, move |_| async move {
        let confirmed = bookings.confirm_as(who.into(), request.booking_id, request.payment_id);
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
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
) -> Result<Json<Booking>, BookingError> {
    Ok(Json(bookings.get(who.into(), id).await?))
}

/// Cancels: a hold is released at once; a confirmed booking until CANCELLATION_CUTOFF_MINUTES
/// before the show, with the refund due by the policy. Cancelling again answers the same.
#[utoipa::path(delete, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    responses((status = 200, body = Booking), (status = 404, description = "not_found"),
        (status = 409, description = "cancellation_closed")))]
pub async fn cancel(
    State(bookings): State<Bookings>,
    State(db): State<Db>,
    who: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<BookingId>,
) -> Response {
    let scope = format!("{}:bookings/cancel", who.user_id);
    idempotency::once(
        db.primary(),
        &headers,
        &scope,
        id.uuid().as_bytes(),
        move |_| async move {
            match bookings.cancel(who.into(), id).await {
                Ok(booking) => Json(booking).into_response(),
                Err(err) => err.into_response(),
            }
        },
    )
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    State(bookings): State<Bookings>,
    ApiPath(id): ApiPath<ShowId>,
    ApiQuery(query): ApiQuery<BestQuery>,
) -> Result<Json<BestSeats>, BookingError> {
    let count = query.count.unwrap_or(2);
    let category = query.category.as_deref().filter(|c| !c.trim().is_empty());
    Ok(Json(BestSeats {
        seats: bookings.best_seats(id, count, category).await?,
    }))
}

/// Server-Sent Events of one show's seat changes: first a `snapshot` of every seat that is not
/// available, then a `seats` event per change anywhere (`{show_id, status, seat_ids}`), with a
/// comment as heartbeat every 15 s. Open streams are capped per client address and in all.
#[utoipa::path(get, path = "/api/v1/shows/{id}/seats/stream", tag = "bookings",
    responses((status = 200, description = "text/event-stream of seat changes", body = SeatChange),
        (status = 404, description = "not_found"),
        (status = 429, description = "rate_limited: too many open streams")))]
pub async fn stream_seats(
    State(bookings): State<Bookings>,
    ClientIp(client): ClientIp,
    ApiPath(show): ApiPath<ShowId>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, BookingError> {
    let events = bookings
        .seat_events(show, &client)
        .await?
        .filter_map(|event| async move {
            let event = match event {
                SeatEvent::Snapshot(snapshot) => {
                    Event::default().event("snapshot").json_data(snapshot)
                }
                SeatEvent::Change(change) => Event::default().event("seats").json_data(change),
            };
            event.ok().map(Ok)
        });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
