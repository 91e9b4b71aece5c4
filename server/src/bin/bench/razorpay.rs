//! Paying through Razorpay, as the web checkout does: the server creates the booking's order,
//! Razorpay Checkout pays it and hands the page the payment id and its signature, and the page
//! hands them to the server, which checks them and asks Razorpay.

use super::{
    gateway::Tap,
    journey::{Road, Step, Trip},
};
use app::payment::test_cards;
use reqwest::StatusCode;

/// Razorpay Checkout as the moviegoer's browser reaches it (the stand-in's `/_checkout`).
pub struct RazorpayApi {
    pub base: String,
}

impl Road {
    /// One tap of Pay: the order created (or the open one answered again), paid on Checkout
    /// with a good card or one the bank declines, and Checkout's answer handed to the server.
    /// An order Checkout says is already paid counts as paid, and so does a booking already
    /// confirmed.
    pub(super) async fn razorpay_tap(
        &self,
        trip: &mut Trip,
        booking: &str,
        token: &str,
        razorpay: &RazorpayApi,
        declined: bool,
    ) -> Result<(), Tap> {
        let Some(payment) = self.start_payment(trip, booking, token, "razorpay").await? else {
            return Ok(());
        };
        let (Some(id), Some(order)) =
            (payment["payment_id"].as_str(), payment["order_id"].as_str())
        else {
            return Err(Tap::Stop(format!("Pay: no order in {payment}")));
        };
        let paying = self
            .http
            .post(format!("{}/_checkout/{order}", razorpay.base))
            .form(&[("card", card(declined))]);
        let answer = match self.at_gateway(trip, paying).await? {
            (StatusCode::OK, answer) => answer,
            (_, refused) if refused["error"]["description"] == "Order is already paid" => {
                return Ok(())
            }
            (_, refused) if refused["error"]["reason"] == "payment_failed" => {
                return Err(Tap::Again(format!("Checkout: {refused}")))
            }
            (status, refused) => return Err(Tap::Stop(format!("Checkout: {status} {refused}"))),
        };
        let handed = self
            .post(&format!("/api/v1/payments/{id}/razorpay-checkout"), token)
            .json(&answer);
        match self
            .call(trip, Step::Pay, handed)
            .await
            .map_err(Tap::Again)?
        {
            (StatusCode::OK, _) => Ok(()),
            (status, refused) => Err(Tap::Stop(format!("Checkout's answer: {status} {refused}"))),
        }
    }
}

/// A card number as Checkout's form sends it.
fn card(declined: bool) -> String {
    let number = if declined {
        test_cards::DECLINED
    } else {
        test_cards::SUCCEEDS
    };
    number.replace(' ', "")
}
