//! Moviegoers' and staff accounts.

#[cfg(feature = "ssr")]
pub mod password;
