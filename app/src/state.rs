//! What every request handler and server function shares.

use crate::{
    account::tokens::Jwt,
    booking::{engine::Policy, live::Live, lock::SeatLock},
    cache::Cache,
    notify::{Mailer, Sms},
    ratelimit::{Limit, RateLimiter},
};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use std::{sync::Arc, time::Duration};

/// Connection pools: writes and read-after-write go to the primary, catalog reads may use a replica.
#[derive(Clone, Debug)]
pub struct Db {
    primary: PgPool,
    replica: Option<PgPool>,
}

impl Db {
    pub fn new(primary: PgPool, replica: Option<PgPool>) -> Self {
        Self { primary, replica }
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// For reads that tolerate replication lag (catalog browsing).
    pub fn read(&self) -> &PgPool {
        self.replica.as_ref().unwrap_or(&self.primary)
    }
}

/// Rate limits on the endpoints attackers like.
#[derive(Clone, Debug)]
pub struct RateLimits {
    pub login_per_ip: Limit,
    pub login_per_account: Limit,
    pub signup_per_ip: Limit,
    pub forgot_per_ip: Limit,
    pub forgot_per_account: Limit,
    pub verify_per_ip: Limit,
    pub verify_per_account: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_ip: Limit::per_minute(20),
            login_per_account: Limit::per_minute(5),
            signup_per_ip: Limit::per_hour(20),
            forgot_per_ip: Limit::per_hour(10),
            forgot_per_account: Limit::per_hour(3),
            verify_per_ip: Limit::per_hour(30),
            verify_per_account: Limit::per_hour(10),
        }
    }
}

/// Domain settings taken from the configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base of links sent by email.
    pub public_url: String,
    /// Cookies only over HTTPS (everywhere but local development and tests).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (behind a load balancer).
    pub trust_forwarded_for: bool,
    pub refresh_ttl: Duration,
    pub email_verification_required: bool,
    pub limits: RateLimits,
    pub booking: Policy,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            trust_forwarded_for: false,
            refresh_ttl: Duration::from_secs(30 * 86_400),
            email_verification_required: true,
            limits: RateLimits::default(),
            booking: Policy::default(),
        }
    }
}

/// The router state; Leptos hands it to server functions as context.
#[derive(Clone)]
pub struct AppState {
    /// Shared, because the state is cloned for every request and these options are large.
    pub leptos_options: Arc<LeptosOptions>,
    pub db: Db,
    pub redis: Option<redis::aio::ConnectionManager>,
    pub settings: Arc<Settings>,
    pub jwt: Jwt,
    pub mailer: Mailer,
    pub sms: Sms,
    pub limiter: RateLimiter,
    pub cache: Cache,
    /// The admission filter in front of seat holds (Redis, or in process).
    pub seat_lock: SeatLock,
    /// Seat changes for the live seat maps.
    pub live: Live,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}
