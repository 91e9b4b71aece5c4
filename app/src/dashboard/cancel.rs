//! Calling a show off: it comes off sale, its holds end, every confirmed booking is cancelled
//! with a refund of all it paid through the payment that confirmed it (the payment service's
//! job issues each refund, once), and live maps hear the seats are free. PostgreSQL does it
//! all in one transaction (`cancel_show`), so two admins cancelling at once refund once.

#[cfg(feature = "ssr")]
use super::{Dashboard, DashboardError};
use crate::ids::ShowId;
#[cfg(feature = "ssr")]
use crate::{booking::Actor, ids::SeatId};
use serde::{Deserialize, Serialize};

/// What calling a show off did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CancelledShow {
    pub show_id: ShowId,
    /// False when the show had already been called off: nothing changed this time.
    pub cancelled_now: bool,
    /// Seats given back, held or sold.
    pub seats_released: usize,
    /// Refunds recorded, one per paid booking.
    pub refunds: i32,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// Calls off a show of a theater the actor runs; calling it off again changes nothing.
    pub async fn cancel_show(
        &self,
        actor: Actor,
        show: ShowId,
    ) -> Result<CancelledShow, DashboardError> {
        self.run_show(actor, show).await?;
        let (outcome, released, refunds): (String, Vec<SeatId>, i32) =
            sqlx::query_as("SELECT * FROM cancel_show($1, $2)")
                .bind(actor.user_id)
                .bind(show)
                .fetch_one(&self.db)
                .await?;
        if outcome == "not_found" {
            return Err(DashboardError::NotFound);
        }
        let seats_released = released.len();
        if outcome == "cancelled" {
            self.catalog.layout_changed(show).await;
            self.bookings.announce_freed(show, released);
            self.tell_called_off(show).await;
        }
        Ok(CancelledShow {
            show_id: show,
            cancelled_now: outcome == "cancelled",
            seats_released,
            refunds,
        })
    }

    /// Emails everyone whose booking or hold the call-off ended: those the cancellation's own
    /// transaction ended (`cancelled_at` is its time, which the show keeps as `updated_at`,
    /// since a cancelled show changes no more). A mail that cannot go is logged; the
    /// cancellation and its refunds stand, and each booking's page says the same.
    async fn tell_called_off(&self, show: ShowId) {
        let told: Result<Vec<CalledOff>, sqlx::Error> = sqlx::query_as(
            "SELECT u.email, u.name, b.code, m.title AS movie, t.name AS theater,
                    to_char(sh.starts_at AT TIME ZONE c.time_zone, 'Dy DD Mon, HH12:MI AM') AS starts,
                    b.refund_due_minor AS refund, b.currency::text AS currency
               FROM shows sh
               JOIN bookings b ON b.show_id = sh.id AND b.status = 'cancelled'
                              AND b.cancelled_at = sh.updated_at
               JOIN users u ON u.id = b.user_id
               JOIN movies m ON m.id = sh.movie_id
               JOIN screens sc ON sc.id = sh.screen_id
               JOIN theaters t ON t.id = sc.theater_id
               JOIN cities c ON c.id = t.city_id
              WHERE sh.id = $1",
        )
        .bind(show)
        .fetch_all(&self.db)
        .await;
        let told = told.unwrap_or_else(|err| {
            tracing::error!(%show, error = %err, "could not list whom to tell of a show called off");
            Vec::new()
        });
        for who in told {
            let money = match who.refund {
                0 => "Your held seats were released; a payment for them that still goes \
                      through is refunded in full."
                    .to_owned(),
                amount => format!(
                    "{} is being refunded to the way you paid; nothing else is needed from you.",
                    crate::money::format(amount, &who.currency)
                ),
            };
            let subject = format!("Show called off: {} ({})", who.movie, who.code);
            let body = format!(
                "Hello {},\n\n{} has called off {} on {}. Your booking {} is cancelled. {money}\n\nDistrict",
                who.name, who.theater, who.movie, who.starts, who.code
            );
            if let Err(err) = self.mailer.send(&who.email, &subject, &body).await {
                tracing::warn!(%show, error = %err, "show call-off email not sent");
            }
        }
    }
}

/// Someone to tell of a show called off.
#[cfg(feature = "ssr")]
#[derive(sqlx::FromRow)]
struct CalledOff {
    email: String,
    name: String,
    code: String,
    movie: String,
    theater: String,
    starts: String,
    refund: i64,
    currency: String,
}
