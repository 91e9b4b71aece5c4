//! E-tickets and check-in. A confirmed booking's ticket is a signed token (`ticket.rs`) shown as
//! a QR code; the theater's staff check it in once, and a second scan says when it was used.

use super::{
    reads::{load, Owned},
    ticket::{qr_png, qr_svg, Ticket, TicketError},
    Actor, BookingError, BookingStatus, Bookings, CheckIn, ConflictCode, IssuedTicket,
};
use crate::ids::{BookingId, UserId};
use chrono::{DateTime, Utc};

/// A booking as its owner is told of it by mail: with its ticket's QR code once confirmed.
pub struct Mailed {
    pub booking: super::Booking,
    pub owner: UserId,
    /// PNG, for a confirmed booking when tickets are configured.
    pub qr_png: Option<Vec<u8>>,
}

impl Bookings {
    /// A booking for the mail about it, whoever's it is: only the mail's own code calls this.
    pub async fn for_mail(&self, booking: BookingId) -> Result<Option<Mailed>, BookingError> {
        let Some(owned) = load(self.primary(), &[booking]).await?.pop() else {
            return Ok(None);
        };
        let qr_png = match (&self.tickets, owned.booking.status) {
            (Some(keys), BookingStatus::Confirmed) => Some(qr_png(&keys.issue(&ticket_of(&owned)))),
            _ => None,
        };
        Ok(Some(Mailed {
            owner: owned.owner,
            booking: owned.booking,
            qr_png,
        }))
    }

    /// The ticket of a confirmed booking the actor may see.
    pub async fn ticket(
        &self,
        actor: Actor,
        booking: BookingId,
    ) -> Result<IssuedTicket, BookingError> {
        let owned = self.visible(actor, booking).await?;
        if owned.booking.status != BookingStatus::Confirmed {
            return Err(BookingError::conflict(
                ConflictCode::NotConfirmed,
                "err-ticket-not-confirmed",
            ));
        }
        let keys = self.tickets.as_ref().ok_or(BookingError::Unavailable)?;
        let token = keys.issue(&ticket_of(&owned));
        let google_wallet_url = self
            .wallet
            .as_ref()
            .and_then(|wallet| wallet.save_url(&owned.booking, &token));
        let apple_wallet_url = self
            .apple
            .as_ref()
            .map(|_| format!("/api/v1/bookings/{booking}/ticket.pkpass"));
        Ok(IssuedTicket {
            qr_svg: qr_svg(&token),
            token,
            google_wallet_url,
            apple_wallet_url,
        })
    }

    /// Reads a ticket for staff of its theater (or a platform admin): a scanned token, or the
    /// booking code typed in when a code will not scan. With `admit` it lets it in: once; a
    /// second time says when it first was.
    pub async fn check_in(
        &self,
        actor: Actor,
        ticket: &str,
        admit: bool,
    ) -> Result<CheckIn, BookingError> {
        let booking = self.ticket_booking(ticket.trim()).await?;
        let owned = self.visible(actor, booking).await?;
        // Door staff of this show's theater only, whoever's ticket it is (their own included).
        if !self.runs(actor, owned.theater_id).await? {
            return Err(BookingError::NotFound);
        }
        // A typed code carries no expiry of its own: the ticket's rule applies to it too.
        if Utc::now() > ticket_void_after(&owned) {
            return Err(BookingError::conflict(
                ConflictCode::TicketExpired,
                "err-ticket-expired",
            ));
        }
        if owned.stored_status != BookingStatus::Confirmed {
            return Err(BookingError::conflict(
                ConflictCode::BookingCancelled,
                "err-ticket-void",
            ));
        }
        let (checked_in_at, admitted_now): (Option<DateTime<Utc>>, bool) = if admit {
            sqlx::query_as(
                "WITH admitted AS (
                     UPDATE bookings SET checked_in_at = now(), checked_in_by = $2
                      WHERE id = $1 AND status = 'confirmed' AND checked_in_at IS NULL
                     RETURNING checked_in_at)
                 SELECT coalesce((SELECT checked_in_at FROM admitted),
                                 (SELECT checked_in_at FROM bookings WHERE id = $1)),
                        EXISTS (SELECT 1 FROM admitted)",
            )
            .bind(booking)
            .bind(actor.user_id)
            .fetch_one(self.primary())
            .await?
        } else {
            (
                sqlx::query_scalar("SELECT checked_in_at FROM bookings WHERE id = $1")
                    .bind(booking)
                    .fetch_one(self.primary())
                    .await?,
                false,
            )
        };
        let seats = owned
            .booking
            .seats
            .iter()
            .map(|s| s.label.clone())
            .collect();
        let booking = owned.booking;
        Ok(CheckIn {
            booking_id: booking.booking_id,
            code: booking.code,
            movie_title: booking.show.movie_title,
            local_time: booking.show.local_time,
            local_starts: booking.show.local_starts,
            screen_name: booking.show.screen_name,
            seats,
            checked_in_at,
            admitted_now,
        })
    }
}

impl Bookings {
    /// The booking a ticket token (signed by our key, not expired) or a booking code names.
    async fn ticket_booking(&self, ticket: &str) -> Result<BookingId, BookingError> {
        if ticket.contains('.') {
            let keys = self.tickets.as_ref().ok_or(BookingError::Unavailable)?;
            return keys
                .verify(ticket)
                .map(|t| t.booking)
                .map_err(|err| match err {
                    TicketError::Expired => {
                        BookingError::conflict(ConflictCode::TicketExpired, "err-ticket-expired")
                    }
                    _ => BookingError::field("token", "err-ticket-forged"),
                });
        }
        let code = ticket.to_ascii_uppercase();
        let found: Option<BookingId> =
            sqlx::query_scalar("SELECT id FROM bookings WHERE code = $1")
                .bind(&code)
                .fetch_optional(self.primary())
                .await?;
        found.ok_or_else(|| BookingError::field("token", "err-ticket-unknown"))
    }
}

/// The ticket a booking carries: void a day after its show starts.
fn ticket_of(owned: &Owned) -> Ticket {
    let booking = &owned.booking;
    Ticket {
        booking: booking.booking_id,
        show: booking.show.show_id,
        seats: booking.seats.iter().map(|s| s.label.clone()).collect(),
        valid_until: ticket_void_after(owned).timestamp(),
    }
}

fn ticket_void_after(owned: &Owned) -> DateTime<Utc> {
    owned.booking.show.starts_at + chrono::Duration::days(1)
}
