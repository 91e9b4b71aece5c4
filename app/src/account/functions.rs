//! Server functions behind the account pages.
