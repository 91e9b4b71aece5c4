//! Offers on a held booking. Applying one locks the booking, then the offer: claims of live
//! holds and redemptions are counted under the offer's lock, so two bookings never both take
//! an offer's last use. Redemption itself happens when the booking is confirmed
//! (`confirm_booking`). While a payment is open the price is fixed: offers wait for it.

use super::{
    service::retrying, Actor, Amount, BookedSeat, Booking, BookingError, Bookings, ConflictCode,
};
use crate::{
    ids::{BookingId, OfferId, ShowId, UserId},
    offer::{self, check, discounted, Claim, Offer, OfferRow, Refusal},
    payment::Gateway,
};
use chrono::Utc;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

/// The held booking an offer is applied to, locked.
#[derive(sqlx::FromRow)]
struct Held {
    user_id: UserId,
    live: bool,
    paying: bool,
    show_id: ShowId,
    city_id: Uuid,
    theater_id: Uuid,
    movie_id: Uuid,
}

/// What to do to a booking's offers.
enum Change {
    Apply(String),
    /// One offer by its code, or all of them.
    Remove(Option<String>),
}

impl Bookings {
    /// Applies the offer `code` to a held booking of the actor's and prices it again.
    pub async fn apply_offer(
        &self,
        actor: Actor,
        booking: BookingId,
        code: &str,
    ) -> Result<Booking, BookingError> {
        let code = offer::normal_code(code);
        if code.is_empty() || code.len() > 24 {
            return Err(BookingError::field("code", "err-offer-code"));
        }
        self.offer_limit
            .hit(&format!("offer:user:{}", actor.user_id))
            .await
            .map_err(BookingError::RateLimited)?;
        self.change_offers(actor, booking, &Change::Apply(code))
            .await
    }

    /// Takes the offer `code` (every offer, when `None`) off a held booking of the actor's.
    pub async fn remove_offer(
        &self,
        actor: Actor,
        booking: BookingId,
        code: Option<&str>,
    ) -> Result<Booking, BookingError> {
        let change = Change::Remove(code.map(offer::normal_code));
        self.change_offers(actor, booking, &change).await
    }

    /// Locks the booking, checks it is the actor's, held and not being paid for, makes the
    /// change, then prices the booking again from the offers left on it.
    async fn change_offers(
        &self,
        actor: Actor,
        booking: BookingId,
        change: &Change,
    ) -> Result<Booking, BookingError> {
        let outcome = retrying(|| async {
            let mut tx = self.primary().begin().await?;
            let held: Option<Held> = sqlx::query_as(
                "SELECT b.user_id, booking_state(b.status, b.hold_expires_at) = 'held' AS live,
                        EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id
                                   AND p.status IN ('created', 'pending')) AS paying,
                        s.id AS show_id, t.city_id, t.id AS theater_id, s.movie_id
                   FROM bookings b JOIN shows s ON s.id = b.show_id
                   JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
                  WHERE b.id = $1 FOR UPDATE OF b",
            )
            .bind(booking)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(held) = held.filter(|h| h.user_id == actor.user_id) else {
                return Ok(Err(BookingError::NotFound));
            };
            if !held.live {
                let message = "err-offer-not-held";
                return Ok(Err(BookingError::conflict(ConflictCode::NotHeld, message)));
            }
            if held.paying {
                let message = "err-price-fixed";
                return Ok(Err(BookingError::conflict(
                    ConflictCode::PaymentPending,
                    message,
                )));
            }
            let changed = match change {
                Change::Apply(code) => apply(&mut tx, booking, &held, code).await?,
                Change::Remove(code) => {
                    sqlx::query(
                        "DELETE FROM booking_offers bo USING offers o
                          WHERE bo.booking_id = $1 AND o.id = bo.offer_id
                            AND ($2::text IS NULL OR o.code = $2)",
                    )
                    .bind(booking)
                    .bind(code)
                    .execute(&mut *tx)
                    .await?;
                    Ok(())
                }
            };
            if changed.is_ok() {
                reprice(&mut tx, booking).await?;
                tx.commit().await?;
            }
            Ok(changed)
        })
        .await?;
        outcome?;
        Ok(self.owned(booking).await?.booking)
    }
}

/// Applies an offer inside the booking's transaction: `Ok(Err(..))` when it is refused.
async fn apply(
    tx: &mut Transaction<'static, Postgres>,
    booking: BookingId,
    held: &Held,
    code: &str,
) -> Result<Result<(), BookingError>, sqlx::Error> {
    let row: Option<OfferRow> = sqlx::query_as("SELECT * FROM offers WHERE code = $1 FOR UPDATE")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(offer) = row.map(Offer::from) else {
        return Ok(Err(BookingError::Offer(Refusal::UnknownCode)));
    };
    let applied: Vec<(OfferId, bool, i64, Option<String>)> = sqlx::query_as(
        "SELECT o.id, o.stackable, bo.discount_minor, o.gateway
           FROM booking_offers bo JOIN offers o ON o.id = bo.offer_id
          WHERE bo.booking_id = $1",
    )
    .bind(booking)
    .fetch_all(&mut **tx)
    .await?;
    let (uses, user_uses): (i64, i64) =
        sqlx::query_as("SELECT offer_uses($1, NULL, $3), offer_uses($1, $2, $3)")
            .bind(offer.offer_id)
            .bind(held.user_id)
            .bind(booking)
            .fetch_one(&mut **tx)
            .await?;
    let (seats, amount) = (
        seats_of(tx, booking).await?,
        amount_before_offers(tx, booking).await?,
    );
    let claim = Claim {
        now: Utc::now(),
        city_id: held.city_id,
        theater_id: held.theater_id,
        movie_id: held.movie_id,
        show_id: held.show_id,
        seats: &seats,
        applied: &applied
            .iter()
            .map(|(id, stackable, _, gateway)| {
                (*id, *stackable, gateway.as_deref().and_then(Gateway::parse))
            })
            .collect::<Vec<_>>(),
        uses,
        user_uses,
    };
    let eligible = match check(&offer, &claim) {
        Ok(eligible) => eligible,
        Err(refusal) => return Ok(Err(BookingError::Offer(refusal))),
    };
    // Within what the offers already applied left of its base.
    let taken = applied.iter().map(|(_, _, off, _)| off).sum::<i64>();
    let discount = offer.terms().discount_after(&amount, eligible, taken);
    if discount <= 0 {
        return Ok(Err(BookingError::Offer(Refusal::NoDiscount)));
    }
    sqlx::query(
        "INSERT INTO booking_offers (booking_id, offer_id, discount_minor) VALUES ($1, $2, $3)",
    )
    .bind(booking)
    .bind(offer.offer_id)
    .bind(discount)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// The booking's seats, as an offer's scope sees them.
async fn seats_of(
    tx: &mut Transaction<'static, Postgres>,
    booking: BookingId,
) -> Result<Vec<BookedSeat>, sqlx::Error> {
    sqlx::query_as(
        "SELECT bs.seat_id, se.row_label || se.number AS label, c.name AS category,
                bs.price_minor AS price
           FROM booking_seats bs JOIN seats se ON se.id = bs.seat_id
           JOIN seat_categories c ON c.id = se.category_id
          WHERE bs.booking_id = $1",
    )
    .bind(booking)
    .fetch_all(&mut **tx)
    .await
}

/// The booking's amount before offers.
pub(super) async fn amount_before_offers(
    tx: &mut Transaction<'static, Postgres>,
    booking: BookingId,
) -> Result<Amount, sqlx::Error> {
    let (subtotal, convenience_fee, tax, food, food_tax, currency): (
        i64,
        i64,
        i64,
        i64,
        i64,
        String,
    ) = sqlx::query_as(
        "SELECT subtotal_minor, convenience_fee_minor, tax_minor, food_minor, food_tax_minor,
                    currency::text
               FROM bookings WHERE id = $1",
    )
    .bind(booking)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Amount {
        subtotal,
        convenience_fee,
        tax,
        food,
        food_tax,
        discount: 0,
        total: subtotal + convenience_fee + tax + food + food_tax,
        currency,
    })
}

/// Writes the booking's discount and total from the offers on it.
pub(super) async fn reprice(
    tx: &mut Transaction<'static, Postgres>,
    booking: BookingId,
) -> Result<(), sqlx::Error> {
    let discounts: Vec<i64> =
        sqlx::query_scalar("SELECT discount_minor FROM booking_offers WHERE booking_id = $1")
            .bind(booking)
            .fetch_all(&mut **tx)
            .await?;
    let amount = discounted(&amount_before_offers(tx, booking).await?, &discounts);
    sqlx::query(
        "UPDATE bookings SET discount_minor = $2, total_minor = $3, updated_at = now() WHERE id = $1",
    )
    .bind(booking)
    .bind(amount.discount)
    .bind(amount.total)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
