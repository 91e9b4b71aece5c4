//! Paying through Stripe, as the web checkout does: the server starts the booking's
//! PaymentIntent, then the card is entered and the intent confirmed at Stripe's API, as
//! Stripe.js would. While Stripe fails or hangs, the moviegoer taps Pay again a second later,
//! for as long as the hold leaves time.

use super::journey::{Road, Step, Trip};
use app::payment::test_cards;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

/// How long a moviegoer keeps trying while Stripe does not answer: most of a hold.
const TRYING: Duration = Duration::from_secs(8 * 60);
/// localstripe takes the account's secret key for what Stripe.js does with the publishable
/// one.
const KEY: &str = "sk_test_district";

impl Road {
    /// Pays `booking` by card at the Stripe API `api`, then waits for the booking to be
    /// confirmed (by Stripe's webhook, or by the server looking the payment up when the
    /// webhook was lost).
    pub async fn pay_by_card(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        api: &str,
    ) -> Result<(), String> {
        let began = Instant::now();
        loop {
            match self.card_checkout(trip, booking, token, api).await {
                Ok(()) => break,
                Err(err) if began.elapsed() > TRYING => return Err(err),
                Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
        let booked = format!("/api/v1/bookings/{booking}");
        self.until(trip, &booked, token, "confirmed").await
    }

    /// One tap of Pay: the payment started (or the open one answered again) and its intent
    /// confirmed with a good card. An intent Stripe already took counts as paid.
    async fn card_checkout(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        api: &str,
    ) -> Result<(), String> {
        let body = serde_json::json!({ "booking_id": booking, "provider": "stripe" });
        let start = self.post("/api/v1/payments/initiate", token).json(&body);
        let payment = match self.call(trip, Step::Pay, start).await? {
            (StatusCode::CREATED | StatusCode::OK, payment) => payment,
            (status, body) => return Err(format!("Pay: {status} {body}")),
        };
        let secret = payment["client_secret"].as_str().unwrap_or_default();
        let intent = secret.split("_secret_").next().unwrap_or_default();
        let number = test_cards::SUCCEEDS.replace(' ', "");
        let card = [
            ("type", "card"),
            ("card[number]", number.as_str()),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2040"),
            ("card[cvc]", "123"),
        ];
        let method = self.stripe(trip, api, "/v1/payment_methods", &card).await?;
        let Some(method) = method["id"].as_str() else {
            return Err(format!("card: {method}"));
        };
        let path = format!("/v1/payment_intents/{intent}");
        let updated = self
            .stripe(trip, api, &path, &[("payment_method", method)])
            .await?;
        let confirmed = if updated["error"].is_null() {
            self.stripe(trip, api, &format!("{path}/confirm"), &[])
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
            .get(format!("{api}{path}"))
            .basic_auth(KEY, Some(""));
        match self.call(trip, Step::Card, asked).await?.1 {
            intent if intent["status"] == "succeeded" => Ok(()),
            _ => Err(format!("card: {confirmed}")),
        }
    }

    /// A form post to Stripe's API: its answer, a refusal included; a 5xx or no answer is an
    /// error worth another tap.
    async fn stripe(
        &self,
        trip: &mut Trip,
        api: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<serde_json::Value, String> {
        let request = self
            .http
            .post(format!("{api}{path}"))
            .basic_auth(KEY, Some(""))
            .form(form);
        Ok(self.call(trip, Step::Card, request).await?.1)
    }
}
