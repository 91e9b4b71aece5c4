//! Confirming a booking once its payment has succeeded: one call to `confirm_booking`.

use super::{
    live::Announced, reads::load, service::retrying, Actor, Booking, BookingError, Bookings,
    ConflictCode, SeatChange, SeatStatus,
};
use crate::ids::{BookingId, SeatId, ShowId, UserId};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct Confirmed {
    outcome: String,
    show_id: Option<ShowId>,
    seats: Option<Vec<SeatId>>,
    /// Seats of lapsed holds that had to end first, ours now or free.
    released: Option<Vec<SeatId>>,
}

impl Bookings {
    /// Confirms a booking its caller may see (see [`Bookings::get`]).
    pub async fn confirm_as(
        &self,
        actor: Actor,
        booking: BookingId,
        payment: Option<Uuid>,
    ) -> Result<Booking, BookingError> {
        let owned = self.visible(actor, booking).await?;
        // Nothing to pay confirms a live hold only: a lapsed one's offers may have ended.
        if payment.is_none() && !owned.booking.is_held() {
            return Err(BookingError::conflict(
                ConflictCode::NotHeld,
                "err-hold-ended",
            ));
        }
        self.confirm(booking, payment).await
    }

    /// Confirms a held (or expired) booking once its payment has succeeded; `None` only for a
    /// booking that costs nothing. A hold past its deadline is confirmed only if every seat is
    /// still free, taken back in the same call. Confirming twice answers the same.
    pub async fn confirm(
        &self,
        booking: BookingId,
        payment: Option<Uuid>,
    ) -> Result<Booking, BookingError> {
        let confirmed: Confirmed = retrying(|| {
            sqlx::query_as("SELECT * FROM confirm_booking($1, $2)")
                .bind(booking)
                .bind(payment)
                .fetch_one(self.primary())
        })
        .await?;
        let seats = confirmed.seats.unwrap_or_default();
        match confirmed.outcome.as_str() {
            "confirmed" | "already_confirmed" => {}
            "seats_unavailable" => return Err(BookingError::SeatsUnavailable(seats)),
            "not_found" => return Err(BookingError::NotFound),
            other => return Err(conflict(other)),
        }
        let owned = load(self.primary(), &[booking])
            .await?
            .pop()
            .ok_or(BookingError::NotFound)?;
        if let ("confirmed", Some(show_id)) = (confirmed.outcome.as_str(), confirmed.show_id) {
            let released = confirmed.released.unwrap_or_default();
            self.announce_confirmed(show_id, seats, &released, owned.owner);
        }
        Ok(owned.booking)
    }

    /// Tells every seat map that `seats` are booked and which of `released` (seats of lapsed
    /// holds ended on the way) are free again.
    pub fn announce_confirmed(
        &self,
        show_id: ShowId,
        seats: Vec<SeatId>,
        released: &[SeatId],
        owner: UserId,
    ) {
        metrics::counter!("district_bookings_confirmed_total").increment(1);
        let freed: Vec<SeatId> = released
            .iter()
            .filter(|s| !seats.contains(s))
            .copied()
            .collect();
        self.announce(&[
            Announced::freed(SeatChange::made(show_id, SeatStatus::Available, freed)),
            Announced {
                change: SeatChange::made(show_id, SeatStatus::Booked, seats),
                holder: Some(owner),
                until: None,
            },
        ]);
    }
}

fn conflict(outcome: &str) -> BookingError {
    let (code, message) = match outcome {
        "booking_cancelled" => (ConflictCode::BookingCancelled, "err-booking-cancelled"),
        "payment_required" => (ConflictCode::PaymentRequired, "err-payment-required"),
        "payment_not_found" => (ConflictCode::PaymentNotFound, "err-payment-not-found"),
        "payment_not_succeeded" => (
            ConflictCode::PaymentNotSucceeded,
            "err-payment-not-succeeded",
        ),
        "payment_amount_mismatch" => (ConflictCode::PaymentAmountMismatch, "err-payment-short"),
        "show_started" => (ConflictCode::ShowStarted, "err-show-started"),
        "offer_exhausted" => (ConflictCode::OfferExhausted, "err-offer-exhausted"),
        "show_cancelled" => (ConflictCode::ShowCancelled, "err-show-was-cancelled"),
        "payment_refunded" => (ConflictCode::PaymentRefunded, "err-payment-refunded"),
        "out_of_stock" => {
            return BookingError::OutOfStock {
                item_ids: Vec::new(),
                names: String::new(),
            }
        }
        other => {
            tracing::error!(outcome = other, "unexpected answer from confirm_booking");
            return BookingError::Unavailable;
        }
    };
    BookingError::conflict(code, message)
}
