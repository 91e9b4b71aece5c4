//! Paying by card through Stripe, as the web checkout does: the server starts the booking's
//! PaymentIntent, then the card is entered and the intent confirmed at Stripe's API, as
//! Stripe.js would.

use super::{
    gateway::Tap,
    journey::{Road, Trip},
};
use app::payment::test_cards;
use serde_json::Value;

/// Stripe's API as the moviegoer's browser reaches it.
pub struct StripeApi {
    pub base: String,
    /// localstripe takes the account's secret key for what Stripe.js does with the
    /// publishable one.
    pub key: String,
}

impl Road {
    /// One tap of Pay: the payment started (or the open one answered again) and its intent
    /// confirmed with a good card. An intent Stripe already took counts as paid, and so does
    /// a booking already confirmed.
    pub(super) async fn card_tap(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        stripe: &StripeApi,
    ) -> Result<(), Tap> {
        let Some(payment) = self.start_payment(trip, booking, token, "stripe").await? else {
            return Ok(());
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
        match self.at_gateway(trip, asked).await?.1 {
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
        Ok(self.at_gateway(trip, request).await?.1)
    }
}
