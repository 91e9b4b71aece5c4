//! E-tickets over REST: a booking's ticket for its owner, and the check at the door for the
//! theater's staff (read, then admit once).

use super::ApiPath;
use crate::AppState;
use app::{
    account::auth::Principal,
    booking::{BookingError, Bookings, CheckIn, IssuedTicket},
    ids::BookingId,
};
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/bookings/{id}/ticket", get(ticket))
        .route("/bookings/{id}/ticket.pdf", get(ticket_pdf))
        .route("/bookings/{id}/ticket.pkpass", get(ticket_pass))
        .route("/tickets/public-key", get(public_key))
        .route("/tickets/{token}/verify", get(verify))
        .route("/tickets/{token}/check-in", post(check_in))
}

/// A confirmed booking's ticket: the signed token and its QR code (SVG).
#[utoipa::path(get, path = "/api/v1/bookings/{id}/ticket", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = IssuedTicket), (status = 404, description = "not_found"),
        (status = 409, description = "not_confirmed")))]
pub async fn ticket(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
) -> Result<Json<IssuedTicket>, BookingError> {
    Ok(Json(bookings.ticket(who.into(), id).await?))
}

/// The same ticket as a one-page PDF to keep or print: the booking's details around its QR
/// code. Also for the signed-in browser (the booking page links to it).
#[utoipa::path(get, path = "/api/v1/bookings/{id}/ticket.pdf", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "not_found"), (status = 409, description = "not_confirmed")))]
pub async fn ticket_pdf(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
) -> Result<Response, BookingError> {
    let (booking, pdf) = bookings.ticket_pdf(who.into(), id).await?;
    let file = format!(
        "attachment; filename=\"district-ticket-{}.pdf\"",
        booking.code
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, file),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}

/// The same ticket as an Apple Wallet pass (`application/vnd.apple.pkpass`), signed with the
/// configured pass type's certificate; 404 where none is configured.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/ticket.pkpass", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.apple.pkpass", body = Vec<u8>),
        (status = 404, description = "not_found"), (status = 409, description = "not_confirmed")))]
pub async fn ticket_pass(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(id): ApiPath<BookingId>,
) -> Result<Response, BookingError> {
    let (booking, pass) = bookings.ticket_pass(who.into(), id).await?;
    let file = format!(
        "attachment; filename=\"district-ticket-{}.pkpass\"",
        booking.code
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.apple.pkpass".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, file),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pass,
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct PublicKey {
    kty: &'static str,
    crv: &'static str,
    alg: &'static str,
    /// The Ed25519 public key, base64url.
    x: String,
}

/// The key tickets are checked with, as a JWK: a door scanner can tell a genuine ticket offline.
#[utoipa::path(get, path = "/api/v1/tickets/public-key", tag = "tickets",
    responses((status = 200, body = PublicKey)))]
pub async fn public_key(State(bookings): State<Bookings>) -> Result<Json<PublicKey>, BookingError> {
    let x = bookings
        .ticket_public_key()
        .ok_or(BookingError::Unavailable)?;
    Ok(Json(PublicKey {
        kty: "OKP",
        crv: "Ed25519",
        alg: "EdDSA",
        x,
    }))
}

/// What a scanned ticket is, and whether it was used (staff of its theater; nothing changes).
#[utoipa::path(get, path = "/api/v1/tickets/{token}/verify", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = CheckIn), (status = 404, description = "not_found (or not your theater's)"),
        (status = 409, description = "booking_cancelled, ticket_expired"),
        (status = 422, description = "validation_failed: not a genuine ticket")))]
pub async fn verify(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<CheckIn>, BookingError> {
    Ok(Json(bookings.check_in(who.into(), &token, false).await?))
}

/// Lets a ticket in, once: the first check answers `admitted_now: true`; every later one
/// `false`, with `checked_in_at` saying when it was used.
#[utoipa::path(post, path = "/api/v1/tickets/{token}/check-in", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = CheckIn), (status = 404, description = "not_found (or not your theater's)"),
        (status = 409, description = "booking_cancelled, ticket_expired"),
        (status = 422, description = "validation_failed: not a genuine ticket")))]
pub async fn check_in(
    State(bookings): State<Bookings>,
    who: Principal,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<CheckIn>, BookingError> {
    Ok(Json(bookings.check_in(who.into(), &token, true).await?))
}
