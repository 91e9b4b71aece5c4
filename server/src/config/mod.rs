//! Configuration from the environment (and `.env` when present).
//!
//! Everything is parsed once at start-up so a bad value stops the process with one line naming
//! the variable, instead of failing later in the middle of a request.

use app::{
    account::RateLimits,
    booking::{ticket::TicketKeys, Policy},
    notify::SmtpTls,
};
use secrecy::SecretString;
use std::{fmt, net::IpAddr, str::FromStr, time::Duration};
use vars::{rate_limits, Vars};
use wallets::{apple_wallet, google_wallet};
pub use wallets::{AppleWallet, GoogleWallet};

mod bounds;
mod events;
mod payments;
#[cfg(test)]
mod tests;
mod vars;
mod wallets;

pub use bounds::Bounds;
pub use events::Events;
pub use payments::{Payments, RazorpayKeys, StripeKeys};

/// Which deployment the process runs in; production tightens defaults (JSON logs, no demo data,
/// real secrets). A process told nothing runs as production: development defaults apply only
/// when APP_ENV asks for them (`make` and the test scripts do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Test,
    Production,
}

impl FromStr for AppEnv {
    type Err = ();
    fn from_str(value: &str) -> Result<Self, ()> {
        match value {
            "development" | "dev" => Ok(Self::Development),
            "test" => Ok(Self::Test),
            "production" | "prod" => Ok(Self::Production),
            _ => Err(()),
        }
    }
}

/// A configuration value that is missing or cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration error: {var} {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(var: &'static str, problem: impl Into<String>) -> Self {
        Self {
            var,
            problem: problem.into(),
        }
    }
}

/// Mail relay settings; secrets are `SecretString`s so they never reach a log by accident.
#[derive(Clone, Debug)]
pub struct Smtp {
    pub host: Option<String>,
    pub port: u16,
    /// SMTP_TLS: `starttls` (the default), `tls`, or `none` for a server on this machine.
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub from: String,
    pub sendgrid_api_key: Option<SecretString>,
}

#[derive(Clone, Debug, Default)]
pub struct Twilio {
    pub account_sid: Option<String>,
    pub auth_token: Option<SecretString>,
    pub from_number: Option<String>,
    pub api_base: String,
    /// SMS_COUNTRY_CODES: calling codes phone codes may be texted to (default 91, India).
    pub countries: Vec<String>,
}

/// FCM_SERVICE_ACCOUNT_FILE: a Firebase service account's JSON key; push notifications go
/// through FCM's HTTP v1 API at FCM_API_BASE with it, and are logged without it.
#[derive(Clone, Debug)]
pub struct Fcm {
    pub account_file: std::path::PathBuf,
    pub api_base: String,
}

/// HOLD_TIME_BUDGET: at least one hold's length, twice it unless set.
fn hold_budget(vars: &Vars, hold_ttl: Duration) -> Result<Duration, ConfigError> {
    let budget = vars.duration_or("HOLD_TIME_BUDGET", hold_ttl * 2)?;
    if budget < hold_ttl {
        let problem = format!(
            "must be at least HOLD_TTL_SECONDS ({}s)",
            hold_ttl.as_secs()
        );
        return Err(ConfigError::new("HOLD_TIME_BUDGET", problem));
    }
    Ok(budget)
}

/// The whole process configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub app_env: AppEnv,
    pub host: IpAddr,
    pub port: u16,
    pub public_url: String,
    pub database_url: SecretString,
    pub database_replica_url: Option<SecretString>,
    pub database_max_connections: u32,
    /// DATABASE_STATEMENT_TIMEOUT: the longest one statement of the server may run.
    pub statement_timeout: Duration,
    pub redis_url: Option<SecretString>,
    pub auto_migrate: bool,
    pub jwt_secret: SecretString,
    pub jwt_expiry: Duration,
    pub refresh_token_ttl: Duration,
    /// TRUSTED_PROXY_HOPS: how many proxies of ours append to X-Forwarded-For.
    pub trusted_proxy_hops: usize,
    /// OPERATOR_NETWORKS: who may read /metrics and the detail of /readyz.
    pub operator_networks: Vec<ipnet::IpNet>,
    pub rate_limit_enabled: bool,
    pub rate_limits: RateLimits,
    /// RATE_LIMIT_HOLD_PER_USER: holds one user may ask for in a window.
    pub hold_rate: app::ratelimit::Limit,
    /// RATE_LIMIT_OFFER_PER_USER: offer codes one user may try in a window.
    pub offer_rate: app::ratelimit::Limit,
    /// RATE_LIMIT_PAYMENT_PER_USER: payments one user may start in a window.
    pub payment_rate: app::ratelimit::Limit,
    /// RATE_LIMIT_SEARCH_PER_IP and RATE_LIMIT_REVIEW_PER_USER.
    pub catalog_limits: app::catalog::CatalogLimits,
    pub bounds: Bounds,
    pub events: Events,
    pub mail_dir: Option<String>,
    /// POSTER_DIR: where uploaded posters are stored.
    pub poster_dir: std::path::PathBuf,
    pub cache_ttl: Duration,
    /// TICKET_SIGNING_KEY: the Ed25519 seed that signs e-tickets.
    pub ticket_keys: TicketKeys,
    /// Hold length, sales close, cancellation cutoff, fees and whether booking needs a
    /// confirmed email address.
    pub booking: Policy,
    pub smtp: Smtp,
    pub twilio: Twilio,
    pub fcm: Option<Fcm>,
    pub google_wallet: Option<GoogleWallet>,
    pub apple_wallet: Option<AppleWallet>,
    pub payments: Payments,
}

/// Used outside production only, so a fresh checkout runs without a `.env`.
pub const DEV_JWT_SECRET: &str = "district-development-jwt-secret-not-for-production";
const DEV_SANDBOX_WEBHOOK_SECRET: &str = "whsec_district_sandbox_development";
/// base64 of "district-dev-ticket-seed-32bytes".
pub const DEV_TICKET_SIGNING_KEY: &str = "ZGlzdHJpY3QtZGV2LXRpY2tldC1zZWVkLTMyYnl0ZXM=";
/// Secrets published in this repository: production refuses every one of them, wherever set.
const DEVELOPMENT_SECRETS: &[&str] = &[
    DEV_JWT_SECRET,
    DEV_SANDBOX_WEBHOOK_SECRET,
    DEV_TICKET_SIGNING_KEY,
];
/// Access tokens cannot be taken back, so they are short-lived: a role change or a revoked
/// refresh family takes effect within this long at most.
const MAX_JWT_EXPIRY: Duration = Duration::from_secs(3600);

impl Config {
    /// Reads the process environment, after loading `.env` if one exists.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Parses configuration from any variable source; tests pass a map.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(&get);
        let app_env = vars.parse_or(
            "APP_ENV",
            AppEnv::Production,
            "development, test or production",
        )?;
        let production = app_env == AppEnv::Production;
        let port = vars.parse_or("APP_PORT", 8080u16, "a TCP port number (1-65535)")?;
        if port == 0 {
            return Err(ConfigError::new(
                "APP_PORT",
                "must be a TCP port number (1-65535), got \"0\"",
            ));
        }
        let database_url = vars.required(
            "DATABASE_URL",
            "e.g. postgres://postgres@127.0.0.1:5432/district",
        )?;
        if !database_url.starts_with("postgres://") && !database_url.starts_with("postgresql://") {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "must be a postgres:// URL",
            ));
        }
        let redis_url = vars.optional("REDIS_URL");
        if let Some(url) = &redis_url {
            if !url.starts_with("redis://") && !url.starts_with("rediss://") {
                return Err(ConfigError::new(
                    "REDIS_URL",
                    "must be a redis:// or rediss:// URL",
                ));
            }
        }
        let jwt_secret = vars.secret_or_dev("JWT_SECRET", DEV_JWT_SECRET, production)?;
        if jwt_secret.len() < 32 {
            return Err(ConfigError::new(
                "JWT_SECRET",
                "must be at least 32 characters",
            ));
        }
        if vars.optional("TRUST_FORWARDED_FOR").is_some() {
            return Err(ConfigError::new(
                "TRUST_FORWARDED_FOR",
                "is replaced by TRUSTED_PROXY_HOPS (the number of proxies in front of the server)",
            ));
        }
        let jwt_expiry = vars.duration_or("JWT_EXPIRY", Duration::from_secs(15 * 60))?;
        if jwt_expiry > MAX_JWT_EXPIRY {
            return Err(ConfigError::new(
                "JWT_EXPIRY",
                "must be at most 1h (access tokens cannot be revoked before they expire)",
            ));
        }
        let public_url = match vars.optional("PUBLIC_URL") {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => url,
            Some(url) => {
                return Err(ConfigError::new(
                    "PUBLIC_URL",
                    format!("must be an http:// or https:// URL, got {url:?}"),
                ))
            }
            None if production => {
                return Err(ConfigError::new(
                    "PUBLIC_URL",
                    "is required in production (e.g. https://district.example)",
                ))
            }
            None => format!("http://127.0.0.1:{port}"),
        };
        let hold_ttl_seconds: u64 =
            vars.parse_or("HOLD_TTL_SECONDS", 600, "a number of seconds")?;
        if !(30..=3600).contains(&hold_ttl_seconds) {
            return Err(ConfigError::new(
                "HOLD_TTL_SECONDS",
                "must be between 30 and 3600 seconds",
            ));
        }
        let ticket_keys = TicketKeys::from_base64(&vars.secret_or_dev(
            "TICKET_SIGNING_KEY",
            DEV_TICKET_SIGNING_KEY,
            production,
        )?)
        .map_err(|err| ConfigError::new("TICKET_SIGNING_KEY", err.to_string()))?;
        let grace_seconds: u64 =
            vars.parse_or("PAYMENT_GRACE_SECONDS", 300, "a number of seconds")?;
        if grace_seconds > app::payment::MAX_GRACE.as_secs() {
            return Err(ConfigError::new(
                "PAYMENT_GRACE_SECONDS",
                format!(
                    "must be at most {} seconds",
                    app::payment::MAX_GRACE.as_secs()
                ),
            ));
        }
        let sandbox = !production || vars.parse_or("PAYMENTS_SANDBOX", false, "true or false")?;
        let sandbox_secret = match sandbox {
            true => Some(vars.secret_or_dev(
                "SANDBOX_WEBHOOK_SECRET",
                DEV_SANDBOX_WEBHOOK_SECRET,
                production,
            )?),
            false => None,
        };
        Ok(Self {
            app_env,
            host: vars.parse_or("APP_HOST", IpAddr::from([0, 0, 0, 0]), "an IP address")?,
            port,
            public_url,
            database_url: database_url.into(),
            database_replica_url: vars.optional("DATABASE_REPLICA_URL").map(Into::into),
            database_max_connections: vars.parse_or("DATABASE_MAX_CONNECTIONS", 32, "a number")?,
            statement_timeout: vars
                .duration_or("DATABASE_STATEMENT_TIMEOUT", Duration::from_secs(15))?,
            redis_url: redis_url.map(Into::into),
            auto_migrate: vars.parse_or("AUTO_MIGRATE", true, "true or false")?,
            jwt_secret: jwt_secret.into(),
            jwt_expiry,
            refresh_token_ttl: vars
                .duration_or("REFRESH_TOKEN_TTL", Duration::from_secs(30 * 86_400))?,
            trusted_proxy_hops: vars
                .parse_or::<u8>(
                    "TRUSTED_PROXY_HOPS",
                    0,
                    "the number of proxies in front of the server (0-255)",
                )?
                .into(),
            operator_networks: match vars.optional("OPERATOR_NETWORKS") {
                None => crate::operators::loopback(),
                Some(raw) => raw
                    .split(',')
                    .map(|net| net.trim().parse())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        ConfigError::new(
                            "OPERATOR_NETWORKS",
                            format!("must be networks like 127.0.0.0/8,10.0.0.0/8, got {raw:?}"),
                        )
                    })?,
            },
            rate_limit_enabled: vars.parse_or("RATE_LIMIT_ENABLED", true, "true or false")?,
            rate_limits: rate_limits(&vars)?,
            hold_rate: vars.limit_or(
                "RATE_LIMIT_HOLD_PER_USER",
                app::ratelimit::Limit::per_minute(30),
            )?,
            offer_rate: vars.limit_or(
                "RATE_LIMIT_OFFER_PER_USER",
                app::ratelimit::Limit::per_minute(10),
            )?,
            payment_rate: vars.limit_or(
                "RATE_LIMIT_PAYMENT_PER_USER",
                app::ratelimit::Limit {
                    max: 20,
                    window: Duration::from_secs(600),
                },
            )?,
            catalog_limits: vars::catalog_limits(&vars)?,
            bounds: bounds::bounds(&vars)?,
            events: events::events(&vars)?,
            mail_dir: vars.optional("MAIL_DIR"),
            poster_dir: vars
                .optional("POSTER_DIR")
                .unwrap_or_else(|| "media/posters".into())
                .into(),
            cache_ttl: vars.duration_or("CACHE_TTL", Duration::from_secs(60))?,
            ticket_keys,
            booking: Policy {
                hold_ttl: Duration::from_secs(hold_ttl_seconds),
                sales_close: minutes(vars.parse_or(
                    "SALES_CLOSE_MINUTES",
                    0,
                    "a number of minutes",
                )?),
                cancellation_cutoff: minutes(vars.parse_or(
                    "CANCELLATION_CUTOFF_MINUTES",
                    120,
                    "a number of minutes",
                )?),
                food_cutoff: minutes(vars.parse_or(
                    "FOOD_ORDER_CUTOFF_MINUTES",
                    20,
                    "a number of minutes",
                )?),
                convenience_fee: i64::from(vars.parse_or::<u32>(
                    "CONVENIENCE_FEE_MINOR",
                    3000,
                    "an amount in minor units (paise)",
                )?),
                fee_tax_percent: i64::from(vars.parse_or::<u8>(
                    "CONVENIENCE_FEE_TAX_PERCENT",
                    18,
                    "a whole percentage",
                )?),
                verified_email_only: vars.parse_or(
                    "EMAIL_VERIFICATION_REQUIRED",
                    true,
                    "true or false",
                )?,
                max_live_holds: vars
                    .parse_or("MAX_LIVE_HOLDS", 4, "a number of shows (1 or more)")?
                    .max(1),
                hold_budget: hold_budget(&vars, Duration::from_secs(hold_ttl_seconds))?,
            },
            smtp: Smtp {
                host: vars.optional("SMTP_HOST"),
                port: vars.parse_or("SMTP_PORT", 587, "a TCP port number")?,
                tls: vars.word_or("SMTP_TLS", SmtpTls::StartTls, SmtpTls::parse, SmtpTls::ALL)?,
                username: vars.optional("SMTP_USERNAME"),
                password: vars.optional("SMTP_PASSWORD").map(Into::into),
                from: vars.or("SMTP_FROM", "District <no-reply@district.test>"),
                sendgrid_api_key: vars.optional("SENDGRID_API_KEY").map(Into::into),
            },
            twilio: Twilio {
                account_sid: vars.optional("TWILIO_ACCOUNT_SID"),
                auth_token: vars.optional("TWILIO_AUTH_TOKEN").map(Into::into),
                from_number: vars.optional("TWILIO_FROM_NUMBER"),
                api_base: vars.or("TWILIO_API_BASE", "https://api.twilio.com"),
                countries: vars::country_codes(&vars)?,
            },
            google_wallet: google_wallet(&vars)?,
            apple_wallet: apple_wallet(&vars)?,
            fcm: vars.optional("FCM_SERVICE_ACCOUNT_FILE").map(|file| Fcm {
                account_file: file.into(),
                api_base: vars.or("FCM_API_BASE", "https://fcm.googleapis.com"),
            }),
            payments: Payments {
                grace: Duration::from_secs(grace_seconds),
                sandbox_secret: sandbox_secret.map(Into::into),
                stripe: payments::stripe_keys(&vars, production)?,
                razorpay: payments::razorpay_keys(&vars, production)?,
            },
        })
    }

    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }

    /// Cookies are `Secure` when the site is served over https, whatever the environment.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// In production, a secret published in this repository is as good as none.
fn refuse_published(name: &'static str, value: &str, production: bool) -> Result<(), ConfigError> {
    if production && DEVELOPMENT_SECRETS.contains(&value) {
        return Err(ConfigError::new(
            name,
            "is a development value, published in the source; set a secret of your own",
        ));
    }
    Ok(())
}

fn minutes(count: u64) -> Duration {
    Duration::from_secs(count * 60)
}

impl fmt::Display for AppEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        })
    }
}
