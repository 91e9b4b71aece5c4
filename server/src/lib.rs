//! The District server: Leptos pages, REST and webhooks on one axum router, plus the jobs.

pub mod config;
pub mod db;
pub mod health;
pub mod jobs;
pub mod openapi;
pub mod posters;
pub mod seed;
pub mod telemetry;

use app::state::{AppState, Db};
use axum::{routing::get, Router};
use config::Config;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;

/// Connects to PostgreSQL (and Redis when configured) and assembles the shared state.
pub async fn state(config: &Config, leptos_options: LeptosOptions) -> anyhow::Result<AppState> {
    let primary = db::connect(
        config.database_url.expose_secret(),
        config.database_max_connections,
    )
    .await?;
    let replica = match &config.database_replica_url {
        Some(url) => Some(db::connect(url.expose_secret(), config.database_max_connections).await?),
        None => None,
    };
    let redis = match &config.redis_url {
        Some(url) => Some(db::redis(url.expose_secret()).await?),
        None => None,
    };
    Ok(AppState {
        leptos_options,
        db: Db::new(primary, replica),
        redis,
    })
}

/// Leptos options for this site, with the configured listen address.
pub fn leptos_options(config: &Config) -> anyhow::Result<LeptosOptions> {
    let mut options = get_configuration(None)?.leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "district".into();
    }
    options.site_addr = (config.host, config.port).into();
    Ok(options)
}

/// Every route the server answers, with request ids and tracing around them.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let shell_options = state.leptos_options.clone();
    let router = Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/posters/{file}", get(posters::poster))
        .leptos_routes(&state, routes, move || app::shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ));
    telemetry::traced(router).with_state(state)
}
