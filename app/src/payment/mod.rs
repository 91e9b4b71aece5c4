//! Payments through Stripe, Razorpay and the built-in sandbox gateway. So far: checking the
//! signatures gateways put on what they send us, and signing the sandbox's own.

#[cfg(feature = "ssr")]
pub mod signature;
