//! Paying through Stripe, as the web checkout does: the server starts the booking's
//! PaymentIntent, then the card is entered and the intent confirmed at Stripe's API, as
//! Stripe.js would. While Stripe fails or hangs, the moviegoer taps Pay again a second later.

use super::journey::{Road, Step, Trip};
use app::payment::test_cards;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long a moviegoer keeps tapping Pay while Stripe does not answer: well within the hold
/// (10 minutes, and longer once a payment has started).
const TRYING: Duration = Duration::from_secs(8 * 60);

/// Stripe's API as the moviegoer's browser reaches it.
pub struct StripeApi {
    pub base: String,
    /// localstripe takes the account's secret key for what Stripe.js does with the
    /// publishable one.
    pub key: String,
}

/// Why a tap of Pay did not pay.
enum Tap {
    /// Stripe or the server failed or did not answer: worth another tap.
    Again(String),
    /// An answer no other tap changes.
    Stop(String),
}

impl Road {
    /// Pays `booking` by card, then waits for the booking to be confirmed (by Stripe's
    /// webhook, or by the server looking the payment up when the webhook was lost).
    pub async fn pay_by_card(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        stripe: &StripeApi,
    ) -> Result<(), String> {
        let began = Instant::now();
        loop {
            match self.card_checkout(trip, booking, token, stripe).await {
                Ok(()) => break,
                Err(Tap::Again(why)) if began.elapsed() > TRYING => return Err(why),
                Err(Tap::Again(_)) => tokio::time::sleep(Duration::from_secs(1)).await,
                Err(Tap::Stop(why)) => return Err(why),
            }
        }
        let booked = format!("/api/v1/bookings/{booking}");
        self.until(trip, &booked, token, "confirmed").await
    }

    /// One tap of Pay: the payment started (or the open one answered again) and its intent
    /// confirmed with a good card. An intent Stripe already took counts as paid, and so does
    /// a booking already confirmed.
    async fn card_checkout(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        stripe: &StripeApi,
    ) -> Result<(), Tap> {
        let body = serde_json::json!({ "booking_id": booking, "provider": "stripe" });
        let start = self.post("/api/v1/payments/initiate", token).json(&body);
        let payment = match self
            .call(trip, Step::Pay, start)
            .await
            .map_err(Tap::Again)?
        {
            (StatusCode::CREATED | StatusCode::OK, payment) => payment,
            (_, refused) if refused["error"]["code"] == "already_confirmed" => return Ok(()),
            (status, refused) => return Err(Tap::Stop(format!("Pay: {status} {refused}"))),
        };
        let Some(secret) = payment["client_secret"].as_str() else {
            return Err(Tap::Stop(format!("Pay: no client secret in {payment}")));
        };
        let intent = secret.split("_secret_").next().unwrap_or_default();
        let number = test_cards::SUCCEEDS.replace(' ', "");
        let card = [
            ("type", "card"),
            ("card[number]", number.as_str()),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2040"),
            ("card[cvc]", "123"),
        ];
        let method = self
            .stripe(trip, stripe, "/v1/payment_methods", &card)
            .await?;
        let Some(method) = method["id"].as_str() else {
            return Err(Tap::Stop(format!("card: {method}")));
        };
        let path = format!("/v1/payment_intents/{intent}");
        let updated = self
            .stripe(trip, stripe, &path, &[("payment_method", method)])
            .await?;
        let confirmed = if updated["error"].is_null() {
            self.stripe(trip, stripe, &format!("{path}/confirm"), &[])
                .await?
        } else {
            updated
        };
        if confirmed["status"] == "succeeded" {
            return Ok(());
        }
        // Refused: an earlier tap may have paid it, its answer lost on the way.
        let asked = self
            .http
            .get(format!("{}{path}", stripe.base))
            .basic_auth(&stripe.key, Some(""));
        match self
            .call(trip, Step::Card, asked)
            .await
            .map_err(Tap::Again)?
            .1
        {
            intent if intent["status"] == "succeeded" => Ok(()),
            _ => Err(Tap::Again(format!("card: {confirmed}"))),
        }
    }

    /// A form post to Stripe's API: its answer, a refusal included.
    async fn stripe(
        &self,
        trip: &mut Trip,
        stripe: &StripeApi,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<Value, Tap> {
        let request = self
            .http
            .post(format!("{}{path}", stripe.base))
            .basic_auth(&stripe.key, Some(""))
            .form(form);
        Ok(self
            .call(trip, Step::Card, request)
            .await
            .map_err(Tap::Again)?
            .1)
    }
}
