//! What every request handler and server function shares.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;

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

/// The router state; Leptos hands it to server functions as context.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub redis: Option<redis::aio::ConnectionManager>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
