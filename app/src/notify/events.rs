//! The notification consumers of the outbox: what moviegoers are told when their booking,
//! payment or show changes, by email, SMS and push, each as they chose in their profile. They
//! run after the change has committed, from the relay; each channel is a consumer of its own,
//! so a message that cannot go out fails the event for that channel only, which the relay
//! tries again later (and parks if it keeps failing). Every mail of one event has the same
//! Message-ID, so a repeat shows once.

use super::{Image, Letter, Mailer, Note, Push, Pushed, Sms};
use crate::{
    booking::{BookingStatus, Bookings, Mailed},
    i18n::{format, tr, tr_with, Arg, Lang},
    ids::BookingId,
    money,
    outbox::{Consumer, Event},
};
use futures_util::{stream, StreamExt};
use sqlx::PgPool;

/// Mails sent at once from one batch.
const CONCURRENT_SENDS: usize = 8;

#[derive(Clone)]
pub struct Notifications {
    db: PgPool,
    via: Channel,
    bookings: Bookings,
    public_url: String,
}

/// One way of reaching people, with its sender (the log sender unless configured).
#[derive(Clone)]
pub enum Channel {
    Mail(Mailer),
    Sms(Sms),
    Push(Push),
}

/// Whom to tell, and how they want to hear.
#[derive(sqlx::FromRow)]
struct Reach {
    user_id: crate::ids::UserId,
    email: String,
    name: String,
    /// Only once verified.
    phone: Option<String>,
    notify_email: bool,
    notify_sms: bool,
    notify_push: bool,
    /// The language the user reads the site in, if they chose one.
    language: Option<String>,
}

/// What an event tells the moviegoer.
enum News {
    Confirmed,
    /// Food and drinks ordered after paying, paid for.
    FoodOrdered {
        amount: i64,
    },
    /// Seats held from the waiting list.
    WaitlistOffer,
    Expired,
    Cancelled {
        refund: i64,
    },
    CalledOff {
        refund: i64,
    },
    PaymentFailed {
        reason: String,
    },
    RefundDue {
        amount: i64,
        currency: String,
    },
    Refunded {
        amount: i64,
        currency: String,
    },
}

impl Notifications {
    pub fn new(db: PgPool, via: Channel, bookings: Bookings, public_url: String) -> Self {
        Self {
            db,
            via,
            bookings,
            public_url,
        }
    }

    /// The booking an event is about and what to say of it; None for events no one is told of.
    async fn news(&self, event: &Event) -> Result<Option<(BookingId, News)>, sqlx::Error> {
        let payload = &event.payload;
        let text = |key: &str| payload[key].as_str().unwrap_or_default().to_owned();
        let number = |key: &str| payload[key].as_i64().unwrap_or_default();
        let news =
            match event.event_type.as_str() {
                "booking.confirmed" => News::Confirmed,
                "food_order.paid" => News::FoodOrdered {
                    amount: number("amount"),
                },
                "booking.expired" => News::Expired,
                "waitlist.offered" => News::WaitlistOffer,
                "booking.cancelled" | "booking.released" if text("reason") == "show_cancelled" => {
                    News::CalledOff {
                        refund: number("refund_due"),
                    }
                }
                "booking.cancelled" => News::Cancelled {
                    refund: number("refund_due"),
                },
                "payment.failed" => News::PaymentFailed {
                    reason: Some(text("reason"))
                        .filter(|r| !r.is_empty())
                        .unwrap_or_else(|| "declined".into()),
                },
                // A cancellation's refund is in the cancellation's own mail.
                "refund.due"
                    if !matches!(
                        text("reason").as_str(),
                        "cancelled_by_user" | "show_cancelled"
                    ) =>
                {
                    News::RefundDue {
                        amount: number("amount"),
                        currency: text("currency"),
                    }
                }
                "refund.succeeded" => {
                    let refund: Option<(BookingId, i64, String)> = sqlx::query_as(
                    "SELECT booking_id, amount_minor, currency::text FROM refunds WHERE id = $1",
                )
                .bind(payload["refund_id"].as_str().and_then(|id| id.parse::<uuid::Uuid>().ok()))
                .fetch_optional(&self.db)
                .await?;
                    return Ok(refund.map(|(booking, amount, currency)| {
                        (booking, News::Refunded { amount, currency })
                    }));
                }
                _ => return Ok(None),
            };
        let booking = payload["booking_id"]
            .as_str()
            .and_then(|id| id.parse().ok());
        Ok(booking.map(|booking: BookingId| (booking, news)))
    }

    async fn tell(&self, event: &Event) -> Result<(), String> {
        let Some((booking, news)) = self.news(event).await.map_err(|e| e.to_string())? else {
            return Ok(());
        };
        // Whether this channel is one the owner chose, before the booking is read and drawn
        // (its QR code rendered) for nothing.
        let reach: Option<Reach> = sqlx::query_as(
            "SELECT u.id AS user_id, u.email, u.name,
                    CASE WHEN u.phone_verified_at IS NOT NULL THEN u.phone END AS phone,
                    u.notify_email, u.notify_sms, u.notify_push, u.language
               FROM bookings b JOIN users u ON u.id = b.user_id WHERE b.id = $1",
        )
        .bind(booking)
        .fetch_optional(&self.db)
        .await
        .map_err(|e| e.to_string())?;
        let Some(reach) = reach else {
            tracing::warn!(%booking, event = event.id, "no booking to tell of");
            return Ok(());
        };
        let chosen = match &self.via {
            Channel::Mail(_) => reach.notify_email,
            Channel::Sms(_) => reach.notify_sms && reach.phone.is_some(),
            Channel::Push(_) => reach.notify_push,
        };
        if !chosen {
            return Ok(());
        }
        let Some(mailed) = self
            .bookings
            .for_mail(booking)
            .await
            .map_err(|e| e.to_string())?
        else {
            tracing::warn!(%booking, event = event.id, "no booking to tell of");
            return Ok(());
        };
        let lang = Lang::setting(reach.language.as_deref());
        let mut letter = self.letter(lang, &reach.name, mailed, news);
        letter.message_id = Some(format!("event-{}", event.id));
        let sent = match (&self.via, reach.phone) {
            (Channel::Mail(mailer), _) => mailer.send(&reach.email, &letter).await,
            (Channel::Sms(sms), Some(phone)) => {
                sms.send(&phone, &Note::from_letter(&letter).text()).await
            }
            (Channel::Push(push), _) => {
                let note = Note::from_letter(&letter);
                return self.push(push, reach.user_id, &note).await;
            }
            (Channel::Sms(_), None) => Ok(()),
        };
        sent.map_err(|e| e.to_string())
    }

    /// Pushes to every device of the user's; a device the push service no longer knows is
    /// forgotten.
    async fn push(&self, push: &Push, user: crate::ids::UserId, note: &Note) -> Result<(), String> {
        let devices: Vec<String> =
            sqlx::query_scalar("SELECT token FROM push_devices WHERE user_id = $1")
                .bind(user)
                .fetch_all(&self.db)
                .await
                .map_err(|e| e.to_string())?;
        for device in devices {
            if push.send(&device, note).await.map_err(|e| e.to_string())? == Pushed::Gone {
                sqlx::query("DELETE FROM push_devices WHERE token = $1 AND user_id = $2")
                    .bind(&device)
                    .bind(user)
                    .execute(&self.db)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    fn letter(&self, lang: Lang, name: &str, mailed: Mailed, news: News) -> Letter {
        let b = &mailed.booking;
        let when = format::date_time(lang, b.show.local_starts);
        let place = format!("{} ({})", b.show.theater_name, b.show.screen_name);
        let page = format!("{}/bookings/{}", self.public_url, b.booking_id);
        let money = |minor: i64| money::format(minor, &b.amount.currency);
        let seats = b.seat_labels();
        // Each message is given the booking's particulars, and may name any of them.
        let say = |id: &str, more: &[(&str, &str)]| {
            let mut all: Vec<(&str, Arg)> = vec![
                ("movie", Arg::Text(&b.show.movie_title)),
                ("code", Arg::Text(&b.code)),
                ("when", Arg::Text(&when)),
                ("place", Arg::Text(&place)),
                ("theater", Arg::Text(&b.show.theater_name)),
                ("seats", Arg::Text(&seats)),
            ];
            all.extend(more.iter().map(|(name, value)| (*name, Arg::Text(value))));
            tr_with(lang, id, &all)
        };
        let letter = |subject: &str| Letter::new(say(subject, &[]), name).in_lang(lang);
        let letter = match news {
            News::Confirmed => {
                let total = money(b.amount.total);
                let mut letter = letter("mail-confirmed-subject")
                    .says(say("mail-confirmed", &[]))
                    .says(say(
                        "mail-confirmed-paid",
                        &[("amount", &total), ("saved", &saved(lang, b))],
                    ))
                    .says_if(!b.items.is_empty(), || {
                        say("mail-food-collect", &[("items", &b.food_labels())])
                    })
                    .says(say("mail-confirmed-qr", &[]));
                letter.image = mailed.qr_png.map(|png| Image {
                    png,
                    alt: say("mail-qr-alt", &[]),
                });
                letter
            }
            News::FoodOrdered { amount } => letter("mail-food-subject")
                .says(say("mail-food-paid", &[("amount", &money(amount))]))
                .says(say("mail-food-collect", &[("items", &b.food_labels())])),
            News::WaitlistOffer => letter("mail-waitlist-subject").says(say("mail-waitlist", &[])),
            News::Expired => letter("mail-expired-subject").says(say("mail-expired", &[])),
            News::Cancelled { refund } => letter("mail-cancelled-subject")
                .says(say("mail-cancelled", &[]))
                .says(refund_line(lang, refund, &b.amount.currency)),
            News::CalledOff { refund } => letter("mail-called-off-subject")
                .says(say("mail-called-off", &[]))
                .says(match refund {
                    0 => tr(lang, "mail-called-off-held"),
                    amount => refund_line(lang, amount, &b.amount.currency),
                }),
            // Paid for already: it was a food order's payment.
            News::PaymentFailed { reason } if b.status == BookingStatus::Confirmed => {
                letter("mail-payment-failed-subject")
                    .says(say("mail-food-payment-failed", &[("reason", &reason)]))
            }
            News::PaymentFailed { reason } => letter("mail-payment-failed-subject")
                .says(say("mail-payment-failed", &[("reason", &reason)])),
            News::RefundDue { amount, currency } => letter("mail-refund-due-subject").says(say(
                "mail-refund-due",
                &[("amount", &money::format(amount, &currency))],
            )),
            News::Refunded { amount, currency } => letter("mail-refunded-subject").says(say(
                "mail-refunded",
                &[("amount", &money::format(amount, &currency))],
            )),
        };
        letter.links(tr(lang, "mail-your-booking"), page)
    }
}

fn refund_line(lang: Lang, amount: i64, currency: &str) -> String {
    match amount {
        0 => tr(lang, "mail-refund-none"),
        amount => {
            let amount = money::format(amount, currency);
            tr_with(lang, "mail-refund", &[("amount", Arg::Text(&amount))])
        }
    }
}

#[async_trait::async_trait]
impl Consumer for Notifications {
    fn name(&self) -> &'static str {
        match self.via {
            Channel::Mail(_) => "mail",
            Channel::Sms(_) => "sms",
            Channel::Push(_) => "push",
        }
    }

    async fn deliver(&self, events: &[&Event]) -> Vec<Result<(), String>> {
        let sends: Vec<_> = events.iter().map(|event| self.tell(event)).collect();
        stream::iter(sends)
            .buffered(CONCURRENT_SENDS)
            .collect()
            .await
    }
}

/// ", with ₹100 off (DISTRICT20)" for a booking made with offers; empty otherwise.
fn saved(lang: Lang, booking: &crate::booking::Booking) -> String {
    if booking.amount.discount == 0 {
        return String::new();
    }
    let codes: Vec<&str> = booking.offers.iter().map(|o| o.code.as_str()).collect();
    let amount = money::format(booking.amount.discount, &booking.amount.currency);
    let args = [
        ("amount", Arg::Text(&amount)),
        ("codes", Arg::Text(&codes.join(", "))),
    ];
    tr_with(lang, "mail-saved", &args)
}
