//! Paying for a food order placed after its booking was paid: a payment of its own, through
//! the same gateways and webhooks as the booking's; its success pays the order
//! (`food_order_paid`) or, when that can no longer be, is refunded.

use super::{Gateway, Payment, PaymentConflict, PaymentError, Payments};
use crate::ids::{BookingId, FoodOrderId, PaymentId, UserId};

#[derive(sqlx::FromRow)]
struct Begun {
    outcome: String,
    payment_id: Option<PaymentId>,
    booking_id: Option<BookingId>,
}

impl Payments {
    /// Starts paying for food order `order` of `user`'s through `gateway`; answers the payment
    /// and whether it is new (asked again, the open payment there is answered).
    pub async fn initiate_food_order(
        &self,
        user: UserId,
        order: FoodOrderId,
        gateway: Gateway,
    ) -> Result<(bool, Payment), PaymentError> {
        let provider = self.provider_for(user, gateway).await?;
        let begun: Begun = sqlx::query_as("SELECT * FROM begin_food_payment($1, $2, $3)")
            .bind(order)
            .bind(user)
            .bind(gateway.as_str())
            .fetch_one(&self.db)
            .await?;
        let (payment_id, booking) =
            match (begun.outcome.as_str(), begun.payment_id, begun.booking_id) {
                ("created" | "existing", Some(id), Some(booking)) => (id, booking),
                (outcome, ..) => return Err(refusal(outcome)),
            };
        let payment = self
            .charge(provider, payment_id, booking, "food order for booking")
            .await?;
        Ok((begun.outcome == "created", payment))
    }
}

fn refusal(outcome: &str) -> PaymentError {
    let (code, message) = match outcome {
        "not_found" => return PaymentError::NotFound,
        "already_paid" => (PaymentConflict::AlreadyConfirmed, "err-food-order-paid"),
        "booking_cancelled" => (PaymentConflict::BookingCancelled, "err-booking-cancelled"),
        "too_late" => (PaymentConflict::OrderLapsed, "err-food-order-lapsed"),
        other => {
            tracing::error!(outcome = other, "unexpected answer from begin_food_payment");
            return PaymentError::Unavailable;
        }
    };
    PaymentError::conflict(code, message)
}
