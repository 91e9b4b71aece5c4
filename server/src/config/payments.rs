//! The payment gateways' settings: the sandbox, Stripe and Razorpay, each offered when its key
//! is set, and never without the secret that authenticates its webhooks.

use super::{refuse_published, vars::Vars, ConfigError};
use secrecy::SecretString;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Payments {
    /// PAYMENT_GRACE_SECONDS: how much longer a hold lasts once its payment starts.
    pub grace: Duration,
    /// SANDBOX_WEBHOOK_SECRET, when the sandbox gateway is on: outside production always,
    /// in production only with PAYMENTS_SANDBOX=true.
    pub sandbox_secret: Option<SecretString>,
    /// STRIPE_*: Stripe is offered when its secret key is set.
    pub stripe: Option<StripeKeys>,
    /// RAZORPAY_*: Razorpay is offered when its key id is set.
    pub razorpay: Option<RazorpayKeys>,
}

#[derive(Clone, Debug)]
pub struct RazorpayKeys {
    pub key_id: String,
    pub key_secret: SecretString,
    pub webhook_secret: SecretString,
    pub api_base: String,
}

#[derive(Clone, Debug)]
pub struct StripeKeys {
    pub secret_key: SecretString,
    pub publishable_key: Option<String>,
    pub webhook_secret: SecretString,
    pub api_base: String,
}

/// Stripe's keys, when STRIPE_SECRET_KEY is set: its webhooks cannot be trusted without their
/// own secret, so that is required with it.
pub(super) fn stripe_keys(
    vars: &Vars,
    production: bool,
) -> Result<Option<StripeKeys>, ConfigError> {
    let Some(secret_key) = vars.optional("STRIPE_SECRET_KEY") else {
        return Ok(None);
    };
    let webhook_secret = vars.required(
        "STRIPE_WEBHOOK_SECRET",
        "the signing secret of the Stripe webhook endpoint, whsec_...",
    )?;
    refuse_published("STRIPE_WEBHOOK_SECRET", &webhook_secret, production)?;
    Ok(Some(StripeKeys {
        secret_key: secret_key.into(),
        publishable_key: vars.optional("STRIPE_PUBLISHABLE_KEY"),
        webhook_secret: webhook_secret.into(),
        api_base: vars.or("STRIPE_API_BASE", "https://api.stripe.com"),
    }))
}

/// Razorpay's keys, when RAZORPAY_KEY_ID is set: the key secret signs checkouts, the webhook
/// secret (a secret of its own) the webhooks; both are required with it.
pub(super) fn razorpay_keys(
    vars: &Vars,
    production: bool,
) -> Result<Option<RazorpayKeys>, ConfigError> {
    let Some(key_id) = vars.optional("RAZORPAY_KEY_ID") else {
        return Ok(None);
    };
    let webhook_secret = vars.required(
        "RAZORPAY_WEBHOOK_SECRET",
        "the secret set on the Razorpay webhook",
    )?;
    refuse_published("RAZORPAY_WEBHOOK_SECRET", &webhook_secret, production)?;
    Ok(Some(RazorpayKeys {
        key_id,
        key_secret: vars
            .required("RAZORPAY_KEY_SECRET", "the key secret of RAZORPAY_KEY_ID")?
            .into(),
        webhook_secret: webhook_secret.into(),
        api_base: vars.or("RAZORPAY_API_BASE", "https://api.razorpay.com"),
    }))
}
