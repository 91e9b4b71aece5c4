//! The router's state: the domain handles, the Leptos options and the connections the server
//! itself checks (readiness) and keeps sessions in. Wiring only; each handler takes the part
//! it needs (`State<Bookings>`, `State<Catalog>`, ...).
//!
//! axum clones the state for every request, and the domains hold each other (payments and the
//! dashboard hold bookings, which hold the catalog), so a clone of them all is dozens of
//! shared counters touched by every request on every core: the state is one `Arc`.

use app::{
    account::Accounts, booking::Bookings, catalog::Catalog, dashboard::Dashboard, db::Db,
    payment::Payments,
};
use axum::extract::FromRef;
use leptos::prelude::{provide_context, LeptosOptions};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Domains>);

impl AppState {
    pub fn new(domains: Domains) -> Self {
        Self(Arc::new(domains))
    }
}

impl std::ops::Deref for AppState {
    type Target = Domains;

    fn deref(&self) -> &Domains {
        &self.0
    }
}

#[derive(Clone)]
pub struct Domains {
    /// Shared: the options are large, and the page handlers take their own copy.
    pub leptos_options: Arc<LeptosOptions>,
    pub accounts: Accounts,
    pub bookings: Bookings,
    pub catalog: Catalog,
    pub payments: Payments,
    pub dashboard: Dashboard,
    /// Hands outbox events to their consumers; run by the jobs.
    pub relay: app::outbox::Relay,
    pub backends: Backends,
    /// Session cookies only over HTTPS (everywhere but local development and tests).
    pub secure_cookies: bool,
    pub headers: crate::headers::Policy,
    /// PUBLIC_URL's origin, which state-changing browser requests must come from.
    pub site: crate::csrf::SiteOrigin,
    /// Networks that see the metrics and the readiness checks' detail.
    pub operators: crate::operators::OperatorNetworks,
    /// The longest a request may take to start its answer.
    pub request_timeout: std::time::Duration,
    /// Signs the form errors sent back through the address bar.
    pub form_errors: crate::form_errors::Signer,
}

/// The stores behind the domains, for readiness checks and browser sessions.
#[derive(Clone)]
pub struct Backends {
    pub db: Db,
    pub redis: Option<redis::aio::ConnectionManager>,
}

impl AppState {
    /// Hands the domains to server functions, which find them in the Leptos context.
    pub fn provide(&self) {
        provide_context(self.accounts.clone());
        provide_context(self.bookings.clone());
        provide_context(self.catalog.clone());
        provide_context(self.payments.clone());
        provide_context(self.dashboard.clone());
    }
}

macro_rules! part {
    ($($part:ident: $type:ty),*) => {$(
        impl FromRef<AppState> for $type {
            fn from_ref(state: &AppState) -> Self {
                state.$part.clone()
            }
        }
    )*};
}

part!(accounts: Accounts, bookings: Bookings, catalog: Catalog, payments: Payments, dashboard: Dashboard, backends: Backends, operators: crate::operators::OperatorNetworks);

/// Idempotency keys live next to the bookings they protect.
impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.backends.db.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        LeptosOptions::clone(&state.leptos_options)
    }
}
