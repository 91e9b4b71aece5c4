//! The District server: Leptos pages and the REST API on one axum router, plus the jobs.

pub mod api;
pub mod assets;
pub mod config;
pub mod csrf;
pub mod db;
pub mod form_errors;
pub mod headers;
pub mod health;
pub mod hygiene;
pub mod invariants;
pub mod jobs;
pub mod language;
pub mod limits;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod operators;
pub mod posters;
pub mod renders;
pub mod seed;
mod senders;
pub mod sessions;
pub mod state;
pub mod telemetry;

pub use state::{AppState, Backends, Domains};

use app::{
    account::{tokens::Jwt, AccountSettings, Accounts},
    booking::{waiting_room::WaitingRoom, Bookings, Waitlists},
    cache::Cache,
    catalog::Catalog,
    dashboard::Dashboard,
    db::Db,
    notify::{Channel, Notifications},
    outbox::{Consumer, Kafka, Relay},
    payment::{PaymentSettings, Payments, RazorpaySettings, StripeSettings},
    ratelimit::RateLimiter,
};
use axum::{
    handler::Handler,
    middleware,
    routing::{get, post},
    Router,
};
use config::Config;
use leptos::prelude::*;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;
use std::sync::Arc;

/// Connects to PostgreSQL (and Redis when configured) and assembles the shared state.
pub async fn state(config: &Config, leptos_options: LeptosOptions) -> anyhow::Result<AppState> {
    let timeout = Some(config.statement_timeout);
    let primary = db::connect_with_timeout(
        config.database_url.expose_secret(),
        config.database_max_connections,
        timeout,
    )
    .await?;
    let replica = match &config.database_replica_url {
        Some(url) => Some(db::connect_lazily(
            url.expose_secret(),
            config.database_max_connections,
            timeout,
        )?),
        None => None,
    };
    let redis = match &config.redis_url {
        Some(url) => Some(db::redis(url.expose_secret()).await?),
        None => None,
    };
    let db = Db::new(primary, replica);
    db.check_replica().await;
    assemble(config, leptos_options, db, redis)
}

/// The state from connections already made (tests bring their own database).
pub fn assemble(
    config: &Config,
    leptos_options: LeptosOptions,
    db: Db,
    redis: Option<redis::aio::ConnectionManager>,
) -> anyhow::Result<AppState> {
    metrics::install();
    // One limiter for every domain: one bounded map in memory, one set of keys in Redis.
    let limiter = RateLimiter::new(config.rate_limit_enabled, redis.clone());
    let catalog = Catalog::new(db.clone(), Cache::new(redis.clone(), config.cache_ttl))
        .with_limits(limiter.clone(), config.catalog_limits);
    let (mailer, sms) = (senders::mailer(config)?, senders::sms(config));
    let accounts = Accounts::new(
        db.clone(),
        Jwt::new(
            config.jwt_secret.expose_secret().as_bytes(),
            config.jwt_expiry,
        ),
        mailer.clone(),
        sms.clone(),
        limiter.clone(),
        AccountSettings {
            public_url: config.public_url.trim_end_matches('/').to_owned(),
            trusted_proxy_hops: config.trusted_proxy_hops,
            refresh_ttl: config.refresh_token_ttl,
            limits: config.rate_limits.clone(),
            hashing: config.bounds.hashing,
            sms_countries: config.twilio.countries.clone(),
        },
    );
    let bookings = Bookings::new(
        db.clone(),
        catalog.clone(),
        redis.clone(),
        config.booking.clone(),
        config.bounds.seat_filter_timeout,
    )
    .with_tickets(config.ticket_keys.clone())
    .with_hold_limit(limiter.clone(), config.hold_rate)
    .with_offer_limit(limiter.clone(), config.offer_rate)
    .with_stream_caps(config.bounds.streams)
    .with_waiting_room(WaitingRoom::new(
        config.bounds.waiting_room,
        config.jwt_secret.expose_secret().as_bytes(),
        redis.clone(),
    ));
    let bookings = match senders::google_wallet(config)? {
        Some(wallet) => bookings.with_google_wallet(wallet),
        None => bookings,
    };
    let bookings = match senders::apple_wallet(config)? {
        Some(apple) => bookings.with_apple_wallet(apple),
        None => bookings,
    };
    let payments = Payments::new(
        db.primary().clone(),
        bookings.clone(),
        PaymentSettings {
            grace: config.payments.grace,
            public_url: config.public_url.trim_end_matches('/').to_owned(),
            sandbox_secret: config
                .payments
                .sandbox_secret
                .as_ref()
                .map(|s| s.expose_secret().to_owned()),
            stripe: config.payments.stripe.as_ref().map(|keys| StripeSettings {
                secret_key: keys.secret_key.expose_secret().to_owned(),
                publishable_key: keys.publishable_key.clone(),
                webhook_secret: keys.webhook_secret.expose_secret().to_owned(),
                api_base: keys.api_base.clone(),
            }),
            razorpay: config
                .payments
                .razorpay
                .as_ref()
                .map(|keys| RazorpaySettings {
                    key_id: keys.key_id.clone(),
                    key_secret: keys.key_secret.expose_secret().to_owned(),
                    webhook_secret: keys.webhook_secret.expose_secret().to_owned(),
                    api_base: keys.api_base.clone(),
                }),
        },
    )
    .with_initiate_limit(limiter, config.payment_rate);
    let public_url = config.public_url.trim_end_matches('/').to_owned();
    let notifications = |via| -> Arc<dyn Consumer> {
        let db = db.primary().clone();
        Arc::new(Notifications::new(
            db,
            via,
            bookings.clone(),
            public_url.clone(),
        ))
    };
    let mut consumers: Vec<Arc<dyn Consumer>> = vec![
        Arc::new(bookings.live().clone()),
        Arc::new(Waitlists(bookings.clone())),
        Arc::new(accounts.clone()),
        notifications(Channel::Mail(mailer)),
        notifications(Channel::Sms(sms)),
        notifications(Channel::Push(senders::push(config)?)),
    ];
    if let Some(kafka) = &config.events.kafka {
        consumers.push(Arc::new(Kafka::new(kafka.clone())));
    }
    let relay = Relay::new(db.primary().clone(), consumers, config.events.relay);
    Ok(AppState::new(Domains {
        leptos_options: Arc::new(leptos_options),
        accounts,
        dashboard: Dashboard::new(
            db.primary().clone(),
            catalog.clone(),
            bookings.clone(),
            config.poster_dir.clone(),
        ),
        bookings,
        catalog,
        payments,
        relay,
        backends: Backends { db, redis },
        secure_cookies: config.secure_cookies(),
        site: csrf::SiteOrigin::from_public_url(&config.public_url),
        operators: operators::OperatorNetworks::new(config.operator_networks.clone()),
        headers: headers::Policy {
            hsts: config.app_env != config::AppEnv::Development,
        },
        request_timeout: config.bounds.request_timeout,
        form_errors: form_errors::Signer::new(config.jwt_secret.expose_secret().as_bytes()),
    }))
}

/// Leptos options for this site, with the configured listen address.
pub fn leptos_options(config: &Config) -> anyhow::Result<LeptosOptions> {
    let mut options = get_configuration(None)?.leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "district".into();
    }
    options.site_addr = (config.host, config.port).into();
    options.hash_files = options.hash_files || assets::hashed(&options);
    Ok(options)
}

/// The app's page routes, generated once per process. Generating them sets a process-wide
/// flag under which any resource first polled meanwhile never loads (leptos#4773), so
/// generating them again while another router serves pages (tests, several instances in one
/// process) could leave a page hanging for good.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// Every route the server answers, with request ids and tracing around them.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let shell_options = LeptosOptions::clone(&state.leptos_options);
    let backends = &state.backends;
    let session_store = sessions::Store::new(backends.db.primary().clone(), backends.redis.clone());
    let domains = {
        let state = state.clone();
        move || {
            state.provide();
            // The nonce the response's CSP names, on the scripts this render writes.
            let nonce = use_context::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<headers::CspNonce>().cloned());
            if let Some(nonce) = nonce {
                provide_context(leptos::nonce::Nonce::from_value(nonce.0));
            }
        }
    };
    let pkg = assets::pkg(&state.leptos_options);
    let whole_pages = middleware::from_fn_with_state(state.request_timeout, renders::run_to_end);
    let router = Router::new()
        .nest_service(&assets::prefix(&state.leptos_options), pkg)
        .nest("/api/v1", api::router())
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route(
            "/metrics",
            get(metrics::render).route_layer(middleware::from_fn_with_state(
                state.operators.clone(),
                operators::only_operators,
            )),
        )
        .route("/posters/{file}", get(posters::poster))
        .route("/media/posters/{file}", get(api::admin::poster))
        .route(
            "/dashboard/movies/form",
            post(api::admin::new_movie_form).layer(api::admin::poster_form_limit()),
        )
        .route(
            "/dashboard/movies/{id}/form",
            post(api::admin::edit_movie_form).layer(api::admin::poster_form_limit()),
        )
        .merge(
            Router::new()
                .leptos_routes_with_context(&state, routes, domains.clone(), move || {
                    app::shell(shell_options.clone())
                })
                .route_layer(whole_pages.clone()),
        )
        .fallback(
            file_and_error_handler_with_context::<AppState, _>(domains, app::shell)
                .layer(whole_pages),
        )
        .layer(middleware::from_fn_with_state(
            state.site.clone(),
            csrf::same_origin,
        ))
        .route_layer(middleware::from_fn(metrics::track))
        .layer(middleware::from_fn_with_state(
            state.form_errors.clone(),
            form_errors::only_ours,
        ))
        .layer(middleware::from_fn_with_state(
            language::Languages {
                accounts: state.accounts.clone(),
                secure_cookies: state.secure_cookies,
            },
            language::negotiate,
        ))
        .layer(sessions::layer(session_store, state.secure_cookies))
        .layer(middleware::from_fn(hygiene::clean_input))
        // Outside the input check, so a body that trickles in is timed too.
        .layer(middleware::from_fn_with_state(
            state.request_timeout,
            limits::time_limit,
        ))
        .layer(middleware::from_fn(limits::bound_body))
        .layer(assets::compression())
        .layer(middleware::from_fn_with_state(
            state.headers,
            headers::security_headers,
        ));
    telemetry::traced(router).with_state(state)
}
