//! The District server: Leptos pages, REST and webhooks on one axum router, plus the jobs.

pub mod api;
pub mod config;
pub mod csrf;
pub mod db;
pub mod health;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod posters;
pub mod seed;
pub mod sessions;
pub mod telemetry;

use app::{
    account::tokens::Jwt,
    booking::{live::Live, lock::SeatLock},
    cache::Cache,
    notify::{Mailer, Sms, SmtpSettings},
    ratelimit::RateLimiter,
    state::{AppState, Db, Settings},
};
use axum::{middleware, routing::get, Router};
use config::{AppEnv, Config};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;
use std::sync::Arc;

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
    assemble(config, leptos_options, Db::new(primary, replica), redis)
}

/// The state from connections already made (tests bring their own database).
pub fn assemble(
    config: &Config,
    leptos_options: LeptosOptions,
    db: Db,
    redis: Option<redis::aio::ConnectionManager>,
) -> anyhow::Result<AppState> {
    metrics::install();
    Ok(AppState {
        leptos_options: Arc::new(leptos_options),
        limiter: RateLimiter::new(config.rate_limit_enabled, redis.clone()),
        cache: Cache::new(redis.clone(), config.cache_ttl),
        seat_lock: SeatLock::new(redis.clone()),
        live: Live::new(db.primary().clone(), redis.clone()),
        db,
        redis,
        settings: Arc::new(settings(config)),
        jwt: Jwt::new(
            config.jwt_secret.expose_secret().as_bytes(),
            config.jwt_expiry,
        ),
        mailer: mailer(config)?,
        sms: sms(config),
    })
}

pub fn settings(config: &Config) -> Settings {
    Settings {
        public_url: config.public_url.trim_end_matches('/').to_owned(),
        secure_cookies: config.app_env == AppEnv::Production,
        trust_forwarded_for: config.trust_forwarded_for,
        refresh_ttl: config.refresh_token_ttl,
        email_verification_required: config.email_verification_required,
        limits: config.rate_limits.clone(),
        booking: config.booking.clone(),
    }
}

/// SMTP when SMTP_HOST is set (SendGrid's relay when only SENDGRID_API_KEY is), files in
/// MAIL_DIR when that is set, the log otherwise.
fn mailer(config: &Config) -> anyhow::Result<Mailer> {
    let smtp = &config.smtp;
    let relay = match (&smtp.host, &smtp.sendgrid_api_key) {
        (Some(host), _) => Some(SmtpSettings {
            host: host.clone(),
            port: smtp.port,
            credentials: smtp
                .username
                .clone()
                .zip(smtp.password.as_ref().map(|p| p.expose_secret().to_owned())),
            from: smtp.from.clone(),
        }),
        (None, Some(key)) => Some(SmtpSettings {
            host: "smtp.sendgrid.net".into(),
            port: 587,
            credentials: Some(("apikey".into(), key.expose_secret().to_owned())),
            from: smtp.from.clone(),
        }),
        (None, None) => None,
    };
    Ok(match (relay, &config.mail_dir) {
        (Some(relay), _) => Mailer::smtp(relay)?,
        (None, Some(dir)) => Mailer::Files(dir.into()),
        (None, None) => Mailer::Log {
            show_body: !config.is_production(),
        },
    })
}

fn sms(config: &Config) -> Sms {
    let twilio = &config.twilio;
    match (&twilio.account_sid, &twilio.auth_token, &twilio.from_number) {
        (Some(sid), Some(token), Some(from)) => Sms::Twilio {
            client: reqwest::Client::new(),
            api_base: twilio.api_base.trim_end_matches('/').to_owned(),
            account_sid: sid.clone(),
            auth_token: token.expose_secret().to_owned(),
            from: from.clone(),
        },
        _ => Sms::Log {
            show_body: !config.is_production(),
        },
    }
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
    let shell_options = LeptosOptions::clone(&state.leptos_options);
    let session_store = sessions::Store::new(state.db.primary().clone(), state.redis.clone());
    let router = Router::new()
        .nest("/api/v1", api::router())
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/posters/{file}", get(posters::poster))
        .leptos_routes(&state, routes, move || app::shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(middleware::from_fn(csrf::same_origin_server_functions))
        .route_layer(middleware::from_fn(metrics::track))
        .layer(sessions::layer(
            session_store,
            state.settings.secure_cookies,
        ));
    telemetry::traced(router).with_state(state)
}
