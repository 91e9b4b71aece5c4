//! Server functions behind the seat map, the booking summary and My bookings: the same booking
//! service as the REST API, with the cookie session instead of a token. Each works as a plain
//! form post before the wasm loads.

use super::{Booking, BookingError, BookingShow};
use crate::catalog::SeatMap;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything the seat-map page shows for one show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeatChart {
    pub show: BookingShow,
    pub map: SeatMap,
    /// The visitor's live hold on this show, to pick up where they left off.
    pub hold: Option<Booking>,
    pub signed_in: bool,
    /// Seats suggested by "best available" (pre-selected on the map).
    pub suggested: Vec<Uuid>,
}

/// The signed-in user's bookings, as My bookings groups them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingLists {
    pub upcoming: Vec<Booking>,
    pub past: Vec<Booking>,
    pub cancelled: Vec<Booking>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        account::functions::ssr::principal,
        booking::{engine::Actor, BookedSeat, BookingError},
        state::AppState,
    };
    use uuid::Uuid;

    pub fn state() -> AppState {
        leptos::prelude::expect_context::<AppState>()
    }

    pub async fn actor() -> Result<Option<Actor>, BookingError> {
        Ok(principal().await?.map(|who| Actor {
            user_id: who.user_id,
            role: who.role,
        }))
    }

    pub async fn signed_in() -> Result<Actor, BookingError> {
        actor().await?.ok_or(BookingError::Unauthenticated)
    }

    /// A category picked in a form; the empty "Any" choice means none.
    pub fn category(picked: Option<String>) -> Option<String> {
        picked.filter(|c| !c.trim().is_empty())
    }

    pub fn ids(seats: Vec<BookedSeat>) -> Vec<Uuid> {
        seats.into_iter().map(|s| s.seat_id).collect()
    }
}

/// The seat map of a show with every seat's state, and the visitor's hold if they have one.
/// `best` asks for a suggestion of that many seats (optionally of `category`). `None` when
/// there is no such show.
#[server(prefix = "/_fn", endpoint = "booking/seats")]
pub async fn show_seats(
    show_id: Uuid,
    best: Option<usize>,
    category: Option<String>,
) -> Result<Option<SeatChart>, BookingError> {
    use super::engine;
    use crate::catalog::{browse, CatalogError};
    let state = ssr::state();
    let mut map = match browse::seat_map(state.db.primary(), &state.cache, show_id).await {
        Ok(map) => map,
        Err(CatalogError::NotFound) => return Ok(None),
        Err(_) => return Err(BookingError::Unavailable),
    };
    let Some(show) = engine::show_info(state.db.primary(), show_id).await? else {
        return Ok(None);
    };
    let actor = ssr::actor().await?;
    let hold = match actor {
        Some(actor) => engine::current_hold(state.db.primary(), actor.user_id, show_id).await?,
        None => None,
    };
    // The visitor's own held seats are theirs to keep or change: free to them, and ticked.
    let mine: Vec<Uuid> = hold
        .iter()
        .flat_map(|h| h.seats.iter())
        .map(|s| s.seat_id)
        .collect();
    for seat in map.seats.iter_mut().filter(|s| mine.contains(&s.id)) {
        seat.status = "available".into();
    }
    let category = ssr::category(category);
    let suggested = match best {
        Some(count) => engine::best_in(&map, count, category.as_deref())
            .map(ssr::ids)
            .unwrap_or_default(),
        None => mine,
    };
    Ok(Some(SeatChart {
        show,
        map,
        hold,
        signed_in: actor.is_some(),
        suggested,
    }))
}

/// The best block of `count` free seats, for the seat map's suggestion button.
#[server(prefix = "/_fn", endpoint = "booking/best")]
pub async fn suggest_seats(
    show_id: Uuid,
    count: usize,
    category: Option<String>,
) -> Result<Vec<Uuid>, BookingError> {
    let category = ssr::category(category);
    let seats = super::engine::best_seats(&ssr::state(), show_id, count, category.as_deref()).await;
    crate::error::answer(seats.map(ssr::ids))
}

/// Holds the chosen seats and goes on to the booking summary.
#[server(prefix = "/_fn", endpoint = "booking/hold")]
pub async fn hold_seats(
    show_id: Uuid,
    seat_ids: Option<Vec<Uuid>>,
    wheelchair: Option<String>,
) -> Result<Booking, BookingError> {
    use super::engine::{self, HoldRequest};
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let request = HoldRequest {
                show_id,
                seat_ids: seat_ids.unwrap_or_default(),
                wheelchair: wheelchair.is_some_and(|v| v == "true" || v == "on"),
            };
            let booking = engine::hold(&ssr::state(), actor.user_id, &request).await?;
            leptos_axum::redirect(&format!("/bookings/{}", booking.booking_id));
            Ok(booking)
        }
        .await,
    )
}

/// One of the visitor's bookings; `None` when it is not theirs or does not exist.
#[server(prefix = "/_fn", endpoint = "booking/get")]
pub async fn booking_details(booking_id: Uuid) -> Result<Option<Booking>, BookingError> {
    let Some(actor) = ssr::actor().await? else {
        return Err(BookingError::Unauthenticated);
    };
    match super::engine::get(&ssr::state(), booking_id, actor).await {
        Ok(booking) => Ok(Some(booking)),
        Err(BookingError::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Releases a hold or cancels a booking, then returns to `next` (a path on this site).
#[server(prefix = "/_fn", endpoint = "booking/cancel")]
pub async fn cancel_booking(
    booking_id: Uuid,
    next: Option<String>,
) -> Result<Booking, BookingError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let booking = super::engine::cancel(&ssr::state(), booking_id, actor).await?;
            let back = crate::account::functions::ssr::local_path(
                next,
                &format!("/bookings/{booking_id}"),
            );
            leptos_axum::redirect(&back);
            Ok(booking)
        }
        .await,
    )
}

/// The visitor's bookings in three lists; `None` for visitors who are not signed in.
#[server(prefix = "/_fn", endpoint = "booking/mine")]
pub async fn my_bookings() -> Result<Option<BookingLists>, BookingError> {
    use super::engine::{list_for_user, Scope};
    let Some(actor) = ssr::actor().await? else {
        return Ok(None);
    };
    let state = ssr::state();
    let db = state.db.primary();
    let list = |scope| async move {
        list_for_user(db, actor.user_id, Some(scope), (1, 50))
            .await
            .map(|(items, _)| items)
    };
    let (upcoming, past, cancelled) = tokio::try_join!(
        list(Scope::Upcoming),
        list(Scope::Past),
        list(Scope::Cancelled)
    )?;
    Ok(Some(BookingLists {
        upcoming,
        past,
        cancelled,
    }))
}
