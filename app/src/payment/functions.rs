//! Server functions behind paying: the booking summary's payment panel and the sandbox
//! gateway's checkout page. The same payment service as the REST API, with the cookie session
//! instead of a token; each works as a plain form post before the wasm loads.

use super::{Gateway, Payment, PaymentError, Refund};
use crate::{
    booking::{Booking, IssuedTicket},
    ids::{BookingId, PaymentId},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Everything a booking's summary page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingSummary {
    pub booking: Booking,
    /// While the booking is held, or its hold lapsed.
    pub payment: Option<PaymentSummary>,
    /// Once it is confirmed.
    pub ticket: Option<IssuedTicket>,
    /// The refunds of its payments, whatever became of the booking: a late payment's, a
    /// second payment's, or the cancellation policy's.
    pub refunds: Vec<Refund>,
    /// While it is held, or paid and before the food cut-off: the food and drinks its
    /// theater sells, with what the show has left.
    #[serde(default)]
    pub menu: Vec<crate::food::MenuItem>,
    /// Paid and before the food cut-off: the gateways a food order can be paid through.
    #[serde(default)]
    pub food_gateways: Vec<Gateway>,
}

/// What the booking summary shows about paying.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentSummary {
    /// The gateways a moviegoer can pay through here.
    pub gateways: Vec<Gateway>,
    /// The booking's payments, newest first.
    pub payments: Vec<Payment>,
}

/// A charge as the sandbox gateway's checkout page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckoutCharge {
    pub payment_id: PaymentId,
    /// The booking it pays for, and whether for its food order.
    pub booking_code: String,
    pub for_food: bool,
    pub amount: i64,
    pub currency: String,
    /// `open`, `succeeded` or `failed`.
    pub status: String,
    pub return_path: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        account::functions::ssr::principal,
        booking::{Actor, BookingError},
        payment::{PaymentError, Payments},
    };

    pub fn payments() -> Payments {
        leptos::prelude::expect_context::<Payments>()
    }

    pub async fn signed_in() -> Result<Actor, PaymentError> {
        let who = principal()
            .await
            .map_err(|err| PaymentError::from(BookingError::from(err)))?;
        who.map(Actor::from).ok_or(PaymentError::Unauthenticated)
    }

    pub fn sandbox(payments: &Payments) -> Result<&crate::payment::sandbox::Sandbox, PaymentError> {
        payments.sandbox().ok_or(PaymentError::NotFound)
    }
}

/// A booking as its summary page shows it: with the gateways on offer and its payments while
/// it can still be paid for, with its ticket once confirmed. `None` when it is not the
/// visitor's or does not exist.
#[server(prefix = "/_fn", endpoint = "payment/booking")]
pub async fn summary_of_booking(
    booking_id: BookingId,
) -> Result<Option<BookingSummary>, PaymentError> {
    use crate::booking::{BookingError, BookingStatus, Bookings};
    // The handles first: a page left mid-render loses its context while this waits.
    let (bookings, payments) = (
        leptos::prelude::expect_context::<Bookings>(),
        ssr::payments(),
    );
    let actor = ssr::signed_in().await?;
    let booking = match bookings.get(actor, booking_id).await {
        Ok(booking) => booking,
        Err(BookingError::NotFound) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let made = payments.of_booking(&booking).await?;
    let refunds = made.iter().flat_map(|p| p.refunds.clone()).collect();
    let payment = match booking.status {
        BookingStatus::Held | BookingStatus::Expired => Some(PaymentSummary {
            // An offer for one way of paying leaves only that one.
            gateways: payments
                .gateways()
                .into_iter()
                .filter(|g| {
                    booking
                        .offers
                        .iter()
                        .all(|o| o.gateway.is_none_or(|only| only == *g))
                })
                .collect(),
            payments: made,
        }),
        BookingStatus::Confirmed | BookingStatus::Cancelled => None,
    };
    let ticket = match booking.status {
        BookingStatus::Confirmed => Some(bookings.ticket(actor, booking_id).await?),
        _ => None,
    };
    let ordering = bookings.takes_food_orders(&booking);
    let menu = if booking.status == BookingStatus::Held || ordering {
        bookings.show_menu(booking.show.show_id).await?
    } else {
        Vec::new()
    };
    let food_gateways = if ordering {
        payments.gateways()
    } else {
        Vec::new()
    };
    Ok(Some(BookingSummary {
        booking,
        payment,
        ticket,
        refunds,
        menu,
        food_gateways,
    }))
}

/// Starts paying for a held booking and goes on to the gateway's page.
#[server(prefix = "/_fn", endpoint = "payment/start")]
pub async fn start_payment(
    booking_id: BookingId,
    provider: Gateway,
) -> Result<Payment, PaymentError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let (_, payment) = ssr::payments()
                .initiate(actor.user_id, booking_id, provider)
                .await?;
            leptos_axum::redirect(&super::checkout_path(provider, payment.payment_id));
            Ok(payment)
        }
        .await,
    )
}

/// Orders food and drinks for a paid booking (`lines[n][item_id]`, `lines[n][quantity]`: the
/// lines above 0) and goes on to the gateway's page to pay for them.
#[server(prefix = "/_fn", endpoint = "payment/food-order")]
pub async fn order_food_and_pay(
    booking_id: BookingId,
    #[server(default)] lines: Vec<crate::food::OrderLine>,
    provider: Gateway,
) -> Result<Payment, PaymentError> {
    crate::error::answer(
        async move {
            let (bookings, payments) = (
                leptos::prelude::expect_context::<crate::booking::Bookings>(),
                ssr::payments(),
            );
            let actor = ssr::signed_in().await?;
            let lines: Vec<crate::food::OrderLine> =
                lines.into_iter().filter(|l| l.quantity != 0).collect();
            let order = bookings.place_food_order(actor, booking_id, &lines).await?;
            let (_, payment) = payments
                .initiate_food_order(actor.user_id, order.order_id, provider)
                .await?;
            leptos_axum::redirect(&super::checkout_path(provider, payment.payment_id));
            Ok(payment)
        }
        .await,
    )
}

/// The sandbox's charge for its checkout page; `None` when there is no such charge. Like a
/// gateway's hosted page, it is reached by its unguessable link.
#[server(prefix = "/_fn", endpoint = "payment/sandbox")]
pub async fn sandbox_checkout(
    payment_id: PaymentId,
) -> Result<Option<CheckoutCharge>, PaymentError> {
    let payments = ssr::payments();
    let charge = ssr::sandbox(&payments)?.charge(payment_id).await?;
    Ok(charge.map(|c| CheckoutCharge {
        payment_id: c.payment_id,
        booking_code: c.booking_code,
        for_food: c.for_food,
        amount: c.amount_minor,
        currency: c.currency,
        status: c.status,
        return_path: c.return_path,
    }))
}

/// Pay (with a test card) or Decline on the sandbox's page; the gateway's webhook is delivered
/// at once, then back to the booking.
#[server(prefix = "/_fn", endpoint = "payment/sandbox/choose")]
pub async fn sandbox_choose(
    payment_id: PaymentId,
    choice: String,
    card: Option<String>,
) -> Result<(), PaymentError> {
    use super::sandbox::Choice;
    crate::error::answer(
        async move {
            let payments = ssr::payments();
            let sandbox = ssr::sandbox(&payments)?;
            let choice = match choice.as_str() {
                "decline" => Choice::Decline,
                _ => Choice::Pay {
                    card: card.unwrap_or_default(),
                },
            };
            sandbox.settle(payment_id, &choice).await?;
            payments.deliver_sandbox_webhooks().await?;
            let back = sandbox
                .charge(payment_id)
                .await?
                .map(|c| c.return_path)
                .unwrap_or_else(|| "/bookings".into());
            leptos_axum::redirect(&back);
            Ok(())
        }
        .await,
    )
}

/// One of the visitor's payments, for its gateway's checkout page; `None` when it is not
/// theirs or does not exist.
#[server(prefix = "/_fn", endpoint = "payment/mine")]
pub async fn my_payment(payment_id: PaymentId) -> Result<Option<Payment>, PaymentError> {
    let actor = ssr::signed_in().await?;
    match ssr::payments().get(actor, payment_id).await {
        Ok(payment) => Ok(Some(payment)),
        Err(PaymentError::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Razorpay Checkout's answer, posted by its page: checked against the order we stored, then
/// back to the booking (confirmed when Razorpay says it was paid).
#[server(prefix = "/_fn", endpoint = "payment/razorpay")]
pub async fn razorpay_answer(
    payment_id: PaymentId,
    razorpay_payment_id: String,
    razorpay_signature: String,
) -> Result<(), PaymentError> {
    crate::error::answer(
        async move {
            let actor = ssr::signed_in().await?;
            let payment = ssr::payments()
                .razorpay_checkout(actor, payment_id, &razorpay_payment_id, &razorpay_signature)
                .await?;
            leptos_axum::redirect(&format!("/bookings/{}", payment.booking_id));
            Ok(())
        }
        .await,
    )
}
