//! Payments through Stripe, Razorpay and the built-in sandbox gateway. So far: checking the
//! signatures gateways put on what they send us, signing the sandbox's own, and reading their
//! webhook events into one shape.

#[cfg(feature = "ssr")]
pub mod event;
#[cfg(feature = "ssr")]
pub mod signature;
