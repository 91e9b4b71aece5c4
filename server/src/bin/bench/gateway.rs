//! Paying on a gateway's own checkout, as its script does in the browser: Stripe.js
//! (stripe.rs) or Razorpay Checkout (razorpay.rs). While the gateway fails or hangs, or after
//! the bank declined the card, the moviegoer taps Pay again a second later (with a good card);
//! then waits for the booking to be confirmed (by the gateway's webhook, or by the server
//! looking the payment up when the webhook was lost).

use super::{
    journey::{Road, Step, Trip},
    razorpay::RazorpayApi,
    stripe::StripeApi,
};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long a moviegoer keeps tapping Pay while the gateway does not answer: well within the
/// hold (10 minutes, and longer once a payment has started).
const TRYING: Duration = Duration::from_secs(8 * 60);

/// Where the moviegoers pay instead of the sandbox.
pub enum Gateway {
    Stripe(StripeApi),
    Razorpay(RazorpayApi),
}

/// Why a tap of Pay did not pay.
pub enum Tap {
    /// The gateway or the server failed or did not answer: worth another tap.
    Again(String),
    /// An answer no other tap changes.
    Stop(String),
}

impl Road {
    /// Pays `booking` at `gateway` (on Razorpay, the first card declined when
    /// `declined`), then waits for the booking to be confirmed.
    pub async fn pay_at(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        gateway: &Gateway,
        mut declined: bool,
    ) -> Result<(), String> {
        let began = Instant::now();
        loop {
            let tapped = match gateway {
                Gateway::Stripe(api) => self.card_tap(trip, booking, token, api).await,
                Gateway::Razorpay(api) => {
                    self.razorpay_tap(trip, booking, token, api, declined).await
                }
            };
            // Only the first card is declined.
            declined = false;
            match tapped {
                Ok(()) => break,
                Err(Tap::Again(why)) if began.elapsed() > TRYING => return Err(why),
                Err(Tap::Again(_)) => tokio::time::sleep(Duration::from_secs(1)).await,
                Err(Tap::Stop(why)) => return Err(why),
            }
        }
        let booked = format!("/api/v1/bookings/{booking}");
        self.until(trip, &booked, token, "confirmed").await
    }

    /// The booking's payment at `provider` started, or the open one answered again; `None`
    /// when the booking is already confirmed (an earlier tap paid, its answer lost).
    pub(super) async fn start_payment(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        provider: &str,
    ) -> Result<Option<Value>, Tap> {
        let body = serde_json::json!({ "booking_id": booking, "provider": provider });
        let start = self.post("/api/v1/payments/initiate", token).json(&body);
        match self
            .call(trip, Step::Pay, start)
            .await
            .map_err(Tap::Again)?
        {
            (StatusCode::CREATED | StatusCode::OK, payment) => Ok(Some(payment)),
            (_, refused) if refused["error"]["code"] == "already_confirmed" => Ok(None),
            (status, refused) => Err(Tap::Stop(format!("Pay: {status} {refused}"))),
        }
    }

    /// A call to the gateway's own API, timed as `Step::Gateway`: its status and answer, a
    /// refusal included.
    pub(super) async fn at_gateway(
        &self,
        trip: &mut Trip,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Value), Tap> {
        self.call(trip, Step::Gateway, request)
            .await
            .map_err(Tap::Again)
    }
}
