//! Server functions behind the seat map, the booking summary and My bookings: the same booking
//! service as the REST API, with the cookie session instead of a token. Each works as a plain
//! form post before the wasm loads.

use super::{waiting_room::QueueView, Booking, BookingError, BookingShow, CheckIn, SeatMap};
use crate::ids::{BookingId, SeatId, ShowId};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything the seat-map page shows for one show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeatChart {
    pub show: BookingShow,
    pub map: SeatMap,
    /// The visitor's live hold on this show, to pick up where they left off.
    pub hold: Option<Booking>,
    pub signed_in: bool,
    /// Seats suggested by "best available" (pre-selected on the map).
    pub suggested: Vec<SeatId>,
    /// Why no seat of this show can be held now (cancelled, closed, paused), if so.
    pub not_on_sale: Option<String>,
}

/// The signed-in user's bookings, as My bookings groups them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingLists {
    pub upcoming: Vec<Booking>,
    pub past: Vec<Booking>,
    pub cancelled: Vec<Booking>,
    /// Places on waiting lists, newest first.
    pub waitlist: Vec<super::WaitlistEntry>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        account::functions::ssr::principal,
        booking::{Actor, BookingError, Bookings},
    };

    pub fn bookings() -> Bookings {
        leptos::prelude::expect_context::<Bookings>()
    }

    pub async fn actor() -> Result<Option<Actor>, BookingError> {
        Ok(principal().await?.map(Actor::from))
    }

    pub async fn signed_in() -> Result<Actor, BookingError> {
        actor().await?.ok_or(BookingError::Unauthenticated)
    }

    /// A category picked in a form; the empty "Any" choice means none.
    pub fn category(picked: Option<String>) -> Option<String> {
        picked.filter(|c| !c.trim().is_empty())
    }
}

/// The seat map of a show with every seat's state, and the visitor's hold if they have one.
/// `best` asks for a suggestion of that many seats (optionally of `category`). `None` when
/// there is no such show.
#[server(prefix = "/_fn", endpoint = "booking/seats")]
pub async fn show_seats(
    show_id: ShowId,
    best: Option<usize>,
    category: Option<String>,
) -> Result<Option<SeatChart>, BookingError> {
    let actor = ssr::actor().await?;
    let category = ssr::category(category);
    let chart = ssr::bookings()
        .seat_chart(actor, show_id, best, category.as_deref())
        .await;
    crate::error::answer(chart)
}

/// The best block of `count` free seats, for the seat map's suggestion button.
#[server(prefix = "/_fn", endpoint = "booking/best")]
pub async fn suggest_seats(
    show_id: ShowId,
    count: usize,
    category: Option<String>,
) -> Result<Vec<SeatId>, BookingError> {
    let category = ssr::category(category);
    let seats = ssr::bookings()
        .best_seats(show_id, count, category.as_deref())
        .await;
    crate::error::answer(seats.map(|seats| seats.into_iter().map(|s| s.seat_id).collect()))
}

/// Holds the chosen seats and goes on to the booking summary.
#[server(prefix = "/_fn", endpoint = "booking/hold")]
pub async fn hold_seats(
    show_id: ShowId,
    seat_ids: Option<Vec<SeatId>>,
    wheelchair: Option<String>,
) -> Result<Booking, BookingError> {
    use super::HoldRequest;
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let request = HoldRequest {
                show_id,
                seat_ids: seat_ids.unwrap_or_default(),
                wheelchair: wheelchair.is_some_and(|v| v == "true" || v == "on"),
            };
            let bookings = ssr::bookings();
            let held = bookings.hold_in_turn(actor.user_id, &request, None, None);
            let booking = held.await.inspect_err(|err| {
                if let BookingError::Queued(_) = err {
                    leptos_axum::redirect(&format!("/shows/{show_id}/queue"));
                }
            })?;
            leptos_axum::redirect(&format!("/bookings/{}", booking.booking_id));
            Ok(booking)
        }
        .await,
    )
}

/// Where the visitor stands in the show's waiting room.
#[server(prefix = "/_fn", endpoint = "booking/queue")]
pub async fn queue_turn(show_id: ShowId) -> Result<Option<QueueView>, BookingError> {
    use super::waiting_room::Turn;
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let room = ssr::bookings().waiting_room().clone();
            Ok(Some(match room.turn(show_id, actor.user_id).await {
                Turn::NotInLine => QueueView::NoLine { show_id },
                Turn::Waiting(place) => QueueView::Waiting(place),
                Turn::Admitted { expires_at, .. } => {
                    let left = (expires_at - chrono::Utc::now()).num_seconds().max(0);
                    QueueView::Admitted {
                        show_id,
                        minutes: (left as u64).div_ceil(60),
                    }
                }
            }))
        }
        .await,
    )
}

/// Releases a hold or cancels a booking, then returns to `next` (a path on this site).
#[server(prefix = "/_fn", endpoint = "booking/cancel")]
pub async fn cancel_booking(
    booking_id: BookingId,
    next: Option<String>,
) -> Result<Booking, BookingError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let booking = ssr::bookings().cancel(actor, booking_id).await?;
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
    use super::Scope;
    let Some(actor) = ssr::actor().await? else {
        return Ok(None);
    };
    let bookings = ssr::bookings();
    let list = |scope| {
        let bookings = &bookings;
        async move {
            bookings
                .list(actor.user_id, Some(scope), (1, 50))
                .await
                .map(|(items, _)| items)
        }
    };
    let (upcoming, past, cancelled, waitlist) = tokio::try_join!(
        list(Scope::Upcoming),
        list(Scope::Past),
        list(Scope::Cancelled),
        bookings.my_waitlist(actor.user_id)
    )?;
    Ok(Some(BookingLists {
        upcoming,
        past,
        cancelled,
        waitlist,
    }))
}

/// Checks a scanned or typed ticket at the door and lets it in, once (theater staff).
#[server(prefix = "/_fn", endpoint = "booking/check-in")]
pub async fn check_in_ticket(token: String) -> Result<CheckIn, BookingError> {
    let actor = ssr::signed_in().await?;
    crate::error::answer(ssr::bookings().check_in(actor, &token, true).await)
}

/// Applies an offer code to a held booking, then shows the booking again with its new price.
#[server(prefix = "/_fn", endpoint = "booking/offer")]
pub async fn apply_offer(booking_id: BookingId, code: String) -> Result<Booking, BookingError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let booking = ssr::bookings()
                .apply_offer(actor, booking_id, &code)
                .await?;
            leptos_axum::redirect(&format!("/bookings/{booking_id}"));
            Ok(booking)
        }
        .await,
    )
}

/// Takes an offer off a held booking.
#[server(prefix = "/_fn", endpoint = "booking/offer/remove")]
pub async fn remove_offer(booking_id: BookingId, code: String) -> Result<Booking, BookingError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let booking = ssr::bookings()
                .remove_offer(actor, booking_id, Some(&code))
                .await?;
            leptos_axum::redirect(&format!("/bookings/{booking_id}"));
            Ok(booking)
        }
        .await,
    )
}

/// Sets how many of one item a held booking orders (0 takes it off), then shows the booking
/// again with its new price.
#[server(prefix = "/_fn", endpoint = "booking/food")]
pub async fn order_food(
    booking_id: BookingId,
    item_id: crate::ids::MenuItemId,
    quantity: i32,
) -> Result<Booking, BookingError> {
    use crate::food::OrderLine;
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let line = OrderLine { item_id, quantity };
            let booking = ssr::bookings()
                .set_items(actor, booking_id, &[line])
                .await?;
            leptos_axum::redirect(&format!("/bookings/{booking_id}"));
            Ok(booking)
        }
        .await,
    )
}

/// Confirms a held booking that offers made free: there is nothing to pay.
#[server(prefix = "/_fn", endpoint = "booking/confirm-free")]
pub async fn confirm_free(booking_id: BookingId) -> Result<Booking, BookingError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let booking = ssr::bookings().confirm_as(actor, booking_id, None).await?;
            leptos_axum::redirect(&format!("/bookings/{booking_id}"));
            Ok(booking)
        }
        .await,
    )
}

/// Joins a sold-out show's waiting list, then shows the visitor's places in My bookings.
#[server(prefix = "/_fn", endpoint = "booking/waitlist/join")]
pub async fn join_waitlist(
    show_id: ShowId,
    seats: usize,
    category: Option<String>,
) -> Result<super::WaitlistEntry, BookingError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let category = ssr::category(category);
            let entry = ssr::bookings()
                .join_waitlist(actor, show_id, seats, category.as_deref())
                .await?;
            leptos_axum::redirect("/bookings#waiting-lists");
            Ok(entry)
        }
        .await,
    )
}

/// Leaves a show's waiting list (an offer held is released to the next in line).
#[server(prefix = "/_fn", endpoint = "booking/waitlist/leave")]
pub async fn leave_waitlist(show_id: ShowId) -> Result<(), BookingError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            ssr::bookings().leave_waitlist(actor, show_id).await?;
            leptos_axum::redirect("/bookings#waiting-lists");
            Ok(())
        }
        .await,
    )
}
