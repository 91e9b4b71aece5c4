//! Telling the moviegoer by email what became of a payment: the booking confirmed, a payment
//! that failed, a refund on its way and the refund paid back. Sent after the change is
//! committed; a mail that cannot go out is logged and the change stands (the booking's page
//! says the same).

use super::Payments;
use crate::{ids::BookingId, money};

/// What happened, for the message.
pub(super) enum Notice {
    Confirmed,
    Failed { reason: Option<String> },
    RefundDue { amount: i64, currency: String },
    Refunded { amount: i64, currency: String },
}

#[derive(sqlx::FromRow)]
struct Recipient {
    email: String,
    name: String,
    code: String,
    movie: String,
}

impl Payments {
    pub(super) async fn tell(&self, booking: BookingId, notice: Notice) {
        let recipient: Result<Option<Recipient>, sqlx::Error> = sqlx::query_as(
            "SELECT u.email, u.name, b.code, m.title AS movie
               FROM bookings b JOIN users u ON u.id = b.user_id
               JOIN shows s ON s.id = b.show_id JOIN movies m ON m.id = s.movie_id
              WHERE b.id = $1",
        )
        .bind(booking)
        .fetch_optional(&self.db)
        .await;
        let Ok(Some(who)) = recipient else {
            tracing::warn!(%booking, "no one to tell about a payment");
            return;
        };
        let page = format!("{}/bookings/{booking}", self.public_url);
        let (subject, news) = match notice {
            Notice::Confirmed => (
                format!("Booking confirmed: {} ({})", who.movie, who.code),
                "your payment went through and your booking is confirmed. Your e-ticket is on \
                 the booking's page."
                    .to_owned(),
            ),
            Notice::Failed { reason } => (
                format!("Payment failed for booking {}", who.code),
                format!(
                    "your payment did not go through ({}). Your seats stay held until the hold \
                     runs out: you can try again from the booking's page.",
                    reason.unwrap_or_else(|| "declined".into())
                ),
            ),
            Notice::RefundDue { amount, currency } => (
                format!("Refund on its way for booking {}", who.code),
                format!(
                    "we could not confirm this booking with your payment, so {} is being \
                     refunded to you. Nothing else is needed from you.",
                    money::format(amount, &currency)
                ),
            ),
            Notice::Refunded { amount, currency } => (
                format!("Refund paid for booking {}", who.code),
                format!(
                    "{} has been refunded to the way you paid.",
                    money::format(amount, &currency)
                ),
            ),
        };
        let body = format!(
            "Hello {},\n\nFor {} (booking {}), {news}\n\n{page}\n\nDistrict",
            who.name, who.movie, who.code
        );
        if let Err(err) = self.mailer.send(&who.email, &subject, &body).await {
            tracing::warn!(%booking, error = %err, "payment email not sent");
        }
    }
}
