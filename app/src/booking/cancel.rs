//! Cancelling: a hold is released at once; a confirmed booking follows the policy. The policy
//! is decided here, and `cancel_booking` writes it only while that decision still holds.

use super::{
    live::Announced,
    policy::Cancellation,
    reads::{load, Owned},
    service::retrying,
    Actor, Booking, BookingError, BookingStatus, Bookings, ConflictCode, SeatChange, SeatStatus,
};
use crate::{
    account::runs_theater,
    i18n::Text,
    ids::{BookingId, SeatId, ShowId},
};
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct Cancelled {
    outcome: String,
    show_id: Option<ShowId>,
    seats: Option<Vec<SeatId>>,
}

/// What cancelling now gives back, and until when that holds (a hold: nothing, for ever).
struct Terms {
    refund: i64,
    valid_until: Option<DateTime<Utc>>,
}

impl Bookings {
    /// Cancels a booking of the actor's, or of a theater the actor runs (a platform admin runs
    /// them all): a hold is released (one past its deadline that the sweep has not ended yet is
    /// recorded as cancelled too); a confirmed booking may be cancelled until the cutoff, with
    /// the refund due by the policy.
    /// Staff cancelling a customer's booking is written to the audit log in the same
    /// transaction. Cancelling again answers the same.
    pub async fn cancel(&self, actor: Actor, booking: BookingId) -> Result<Booking, BookingError> {
        // Another write between reading and writing makes the decision stale: decide again.
        for _ in 0..3 {
            let owned = self.owned(booking).await?;
            let staff = owned.owner != actor.user_id;
            if staff
                && !runs_theater(self.primary(), actor.user_id, actor.role, owned.theater_id)
                    .await?
            {
                return Err(BookingError::NotFound);
            }
            let Some(terms) = self.terms(&owned)? else {
                return Ok(owned.booking);
            };
            let cancelled =
                retrying(|| self.write_cancel(&owned, &terms, staff.then_some(actor))).await?;
            match (cancelled.outcome.as_str(), cancelled.show_id) {
                ("stale", _) => continue,
                ("not_found", _) => return Err(BookingError::NotFound),
                ("payment_pending", _) => {
                    return Err(BookingError::conflict(
                        ConflictCode::PaymentPending,
                        "err-cancel-payment-pending",
                    ))
                }
                ("released" | "expired" | "cancelled", Some(show_id)) => {
                    let seats = cancelled.seats.unwrap_or_default();
                    self.filter.release(show_id, &seats, owned.owner).await;
                    self.announce(&[Announced::freed(SeatChange::made(
                        show_id,
                        SeatStatus::Available,
                        seats,
                    ))]);
                }
                _ => {}
            }
            return Ok(self.owned(booking).await?.booking);
        }
        Err(BookingError::Unavailable)
    }

    /// One cancellation, with its audit entry when `staff` cancels someone else's booking.
    async fn write_cancel(
        &self,
        owned: &Owned,
        terms: &Terms,
        staff: Option<Actor>,
    ) -> Result<Cancelled, sqlx::Error> {
        let mut tx = self.primary().begin().await?;
        let cancelled: Cancelled = sqlx::query_as("SELECT * FROM cancel_booking($1, $2, $3, $4)")
            .bind(owned.booking.booking_id)
            .bind(owned.stored_status)
            .bind(terms.refund)
            .bind(terms.valid_until)
            .fetch_one(&mut *tx)
            .await?;
        let ended = matches!(
            cancelled.outcome.as_str(),
            "released" | "expired" | "cancelled"
        );
        if let (Some(actor), true) = (staff, ended) {
            sqlx::query(
                "INSERT INTO audit_log (actor_id, theater_id, action, subject_id, before, after)
                 SELECT $1, $2, 'booking.cancelled', b.id, jsonb_build_object('status', $3::text),
                        jsonb_build_object('status', b.status, 'refund_due', b.refund_due_minor)
                   FROM bookings b WHERE b.id = $4",
            )
            .bind(actor.user_id)
            .bind(owned.theater_id)
            .bind(owned.stored_status)
            .bind(owned.booking.booking_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(cancelled)
    }

    /// A booking as stored now, with its owner and theater.
    pub(super) async fn owned(&self, booking: BookingId) -> Result<Owned, BookingError> {
        load(self.primary(), &[booking])
            .await?
            .pop()
            .ok_or(BookingError::NotFound)
    }

    /// The refund and until when it holds, for a booking that can be cancelled now; `None`
    /// when there is nothing left to cancel.
    fn terms(&self, owned: &Owned) -> Result<Option<Terms>, BookingError> {
        let booking = &owned.booking;
        match owned.stored_status {
            BookingStatus::Held => Ok(Some(Terms {
                refund: 0,
                valid_until: None,
            })),
            BookingStatus::Confirmed => {
                if let Some(offer) = booking.offers.iter().find(|o| !o.cancellable) {
                    return Err(BookingError::Conflict {
                        code: ConflictCode::NotCancellable,
                        message: Text::new("err-not-cancellable").arg("code", offer.code.as_str()),
                    });
                }
                self.confirmed_terms(booking)
            }
            BookingStatus::Cancelled | BookingStatus::Expired => Ok(None),
        }
    }

    /// The policy's terms for a confirmed booking: its refund is a share of what was paid for
    /// the tickets (their price less any discount) and for its food and drinks with their tax.
    fn confirmed_terms(&self, booking: &Booking) -> Result<Option<Terms>, BookingError> {
        let amount = &booking.amount;
        let refundable = (amount.subtotal - amount.discount).max(0) + amount.food + amount.food_tax;
        match self
            .policy
            .cancellation(refundable, booking.show.starts_at, Utc::now())
        {
            Cancellation::Open { refund, until } => Ok(Some(Terms {
                refund,
                valid_until: Some(until),
            })),
            Cancellation::Closed => Err(BookingError::Conflict {
                code: ConflictCode::CancellationClosed,
                message: Text::new("err-cancellation-closed")
                    .arg("minutes", self.policy.cutoff().num_minutes()),
            }),
        }
    }
}
