//! Configuration from the environment (and `.env` when present).
//!
//! Everything is parsed once at start-up so a bad value stops the process with one line naming
//! the variable, instead of failing later in the middle of a request.

use app::{booking::engine::Policy, ratelimit::Limit, state::RateLimits};
use secrecy::SecretString;
use std::{fmt, net::IpAddr, str::FromStr, time::Duration};

/// Which deployment the process runs in; production tightens defaults (JSON logs, no demo data).
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

/// Gateway credentials; every secret is a `SecretString` so it never reaches a log by accident.
#[derive(Clone, Debug, Default)]
pub struct Stripe {
    pub secret_key: Option<SecretString>,
    pub webhook_secret: Option<SecretString>,
    pub api_base: String,
}

#[derive(Clone, Debug, Default)]
pub struct Razorpay {
    pub key_id: Option<String>,
    pub key_secret: Option<SecretString>,
    pub webhook_secret: Option<SecretString>,
    pub api_base: String,
}

#[derive(Clone, Debug, Default)]
pub struct Smtp {
    pub host: Option<String>,
    pub port: u16,
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
    pub redis_url: Option<SecretString>,
    pub kafka_brokers: Option<String>,
    pub auto_migrate: bool,
    pub jwt_secret: SecretString,
    pub jwt_expiry: Duration,
    pub refresh_token_ttl: Duration,
    pub email_verification_required: bool,
    pub trust_forwarded_for: bool,
    pub rate_limit_enabled: bool,
    pub rate_limits: RateLimits,
    pub mail_dir: Option<String>,
    pub cache_ttl: Duration,
    /// Hold length, sales close, cancellation cutoff and fees.
    pub booking: Policy,
    pub sandbox_webhook_secret: SecretString,
    pub stripe: Stripe,
    pub razorpay: Razorpay,
    pub smtp: Smtp,
    pub twilio: Twilio,
}

/// Used outside production only, so a fresh checkout runs without a `.env`.
const DEV_JWT_SECRET: &str = "district-development-jwt-secret-not-for-production";
const DEV_SANDBOX_SECRET: &str = "district-development-sandbox-webhook-secret";

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
            AppEnv::Development,
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
        let hold_ttl_seconds: u64 =
            vars.parse_or("HOLD_TTL_SECONDS", 600, "a number of seconds")?;
        if !(30..=3600).contains(&hold_ttl_seconds) {
            return Err(ConfigError::new(
                "HOLD_TTL_SECONDS",
                "must be between 30 and 3600 seconds",
            ));
        }
        Ok(Self {
            app_env,
            host: vars.parse_or("APP_HOST", IpAddr::from([0, 0, 0, 0]), "an IP address")?,
            port,
            public_url: vars
                .optional("PUBLIC_URL")
                .unwrap_or_else(|| format!("http://127.0.0.1:{port}")),
            database_url: database_url.into(),
            database_replica_url: vars.optional("DATABASE_REPLICA_URL").map(Into::into),
            database_max_connections: vars.parse_or("DATABASE_MAX_CONNECTIONS", 32, "a number")?,
            redis_url: redis_url.map(Into::into),
            kafka_brokers: vars.optional("KAFKA_BROKERS"),
            auto_migrate: vars.parse_or("AUTO_MIGRATE", true, "true or false")?,
            jwt_secret: jwt_secret.into(),
            jwt_expiry: vars.duration_or("JWT_EXPIRY", Duration::from_secs(15 * 60))?,
            refresh_token_ttl: vars
                .duration_or("REFRESH_TOKEN_TTL", Duration::from_secs(30 * 86_400))?,
            email_verification_required: vars.parse_or(
                "EMAIL_VERIFICATION_REQUIRED",
                true,
                "true or false",
            )?,
            trust_forwarded_for: vars.parse_or("TRUST_FORWARDED_FOR", false, "true or false")?,
            rate_limit_enabled: vars.parse_or("RATE_LIMIT_ENABLED", true, "true or false")?,
            rate_limits: rate_limits(&vars)?,
            mail_dir: vars.optional("MAIL_DIR"),
            cache_ttl: vars.duration_or("CACHE_TTL", Duration::from_secs(60))?,
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
            },
            sandbox_webhook_secret: vars
                .secret_or_dev("SANDBOX_WEBHOOK_SECRET", DEV_SANDBOX_SECRET, production)?
                .into(),
            stripe: Stripe {
                secret_key: vars.optional("STRIPE_SECRET_KEY").map(Into::into),
                webhook_secret: vars.optional("STRIPE_WEBHOOK_SECRET").map(Into::into),
                api_base: vars.or("STRIPE_API_BASE", "https://api.stripe.com"),
            },
            razorpay: Razorpay {
                key_id: vars.optional("RAZORPAY_KEY_ID"),
                key_secret: vars.optional("RAZORPAY_KEY_SECRET").map(Into::into),
                webhook_secret: vars.optional("RAZORPAY_WEBHOOK_SECRET").map(Into::into),
                api_base: vars.or("RAZORPAY_API_BASE", "https://api.razorpay.com"),
            },
            smtp: Smtp {
                host: vars.optional("SMTP_HOST"),
                port: vars.parse_or("SMTP_PORT", 587, "a TCP port number")?,
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
            },
        })
    }

    pub fn is_production(&self) -> bool {
        self.app_env == AppEnv::Production
    }
}

fn minutes(count: u64) -> Duration {
    Duration::from_secs(count * 60)
}

/// Typed access to a variable source, turning every failure into a `ConfigError`.
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    /// A set, non-blank value.
    fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn or(&self, name: &str, default: &str) -> String {
        self.optional(name).unwrap_or_else(|| default.to_owned())
    }

    fn required(&self, name: &'static str, example: &str) -> Result<String, ConfigError> {
        self.optional(name)
            .ok_or_else(|| ConfigError::new(name, format!("is required ({example})")))
    }

    fn parse_or<T: FromStr>(
        &self,
        name: &'static str,
        default: T,
        expected: &str,
    ) -> Result<T, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(raw) => raw
                .parse()
                .map_err(|_| ConfigError::new(name, format!("must be {expected}, got {raw:?}"))),
        }
    }

    /// Durations as `90`, `90s`, `15m`, `24h` or `7d`.
    fn duration_or(&self, name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(raw) => parse_duration(&raw).ok_or_else(|| {
                ConfigError::new(
                    name,
                    format!("must be a duration like 900s, 15m or 24h, got {raw:?}"),
                )
            }),
        }
    }

    /// Secrets are required in production; elsewhere a development value keeps set-up to zero.
    fn secret_or_dev(
        &self,
        name: &'static str,
        dev: &str,
        production: bool,
    ) -> Result<String, ConfigError> {
        match self.optional(name) {
            Some(value) => Ok(value),
            None if production => Err(ConfigError::new(name, "is required in production")),
            None => Ok(dev.to_owned()),
        }
    }
}

/// `RATE_LIMIT_<NAME>` as "<count>/<window>", e.g. `RATE_LIMIT_LOGIN_PER_IP=20/1m`.
fn rate_limits(vars: &Vars) -> Result<RateLimits, ConfigError> {
    let defaults = RateLimits::default();
    let limit = |name: &'static str, default: Limit| -> Result<Limit, ConfigError> {
        let Some(raw) = vars.optional(name) else {
            return Ok(default);
        };
        let parsed = raw.split_once('/').and_then(|(count, window)| {
            Some(Limit {
                max: count.trim().parse().ok()?,
                window: parse_duration(window.trim())?,
            })
        });
        parsed.ok_or_else(|| {
            ConfigError::new(
                name,
                format!("must look like 20/1m (count/window), got {raw:?}"),
            )
        })
    };
    Ok(RateLimits {
        login_per_ip: limit("RATE_LIMIT_LOGIN_PER_IP", defaults.login_per_ip)?,
        login_per_account: limit("RATE_LIMIT_LOGIN_PER_ACCOUNT", defaults.login_per_account)?,
        signup_per_ip: limit("RATE_LIMIT_SIGNUP_PER_IP", defaults.signup_per_ip)?,
        forgot_per_ip: limit("RATE_LIMIT_FORGOT_PER_IP", defaults.forgot_per_ip)?,
        forgot_per_account: limit("RATE_LIMIT_FORGOT_PER_ACCOUNT", defaults.forgot_per_account)?,
        verify_per_ip: limit("RATE_LIMIT_VERIFY_PER_IP", defaults.verify_per_ip)?,
        verify_per_account: limit("RATE_LIMIT_VERIFY_PER_ACCOUNT", defaults.verify_per_account)?,
    })
}

fn parse_duration(raw: &str) -> Option<Duration> {
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        "d" => number.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
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

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const DB: (&str, &str) = (
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/district",
    );

    #[test]
    fn defaults_fill_everything_but_the_database() {
        let config = parse(&[DB]).unwrap();
        assert_eq!(config.port, 8080);
        assert_eq!(config.app_env, AppEnv::Development);
        assert_eq!(config.booking.hold_ttl, Duration::from_secs(600));
        assert!(config.auto_migrate);
        assert!(config.redis_url.is_none());
    }

    #[test]
    fn missing_database_url_names_the_variable() {
        let err = parse(&[]).unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert!(err
            .to_string()
            .starts_with("configuration error: DATABASE_URL is required"));
    }

    #[test]
    fn bad_port_names_the_variable_and_the_value() {
        for bad in ["eighty", "70000", "-1", "0"] {
            let err = parse(&[DB, ("APP_PORT", bad)]).unwrap_err();
            assert_eq!(err.var, "APP_PORT", "{bad}");
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn production_requires_real_secrets() {
        let err = parse(&[DB, ("APP_ENV", "production")]).unwrap_err();
        assert_eq!(err.var, "JWT_SECRET");
        let short = parse(&[DB, ("JWT_SECRET", "short")]).unwrap_err();
        assert_eq!(short.var, "JWT_SECRET");
    }

    #[test]
    fn durations_and_hold_ttl_are_validated() {
        let config = parse(&[DB, ("JWT_EXPIRY", "24h"), ("HOLD_TTL_SECONDS", "300")]).unwrap();
        assert_eq!(config.jwt_expiry, Duration::from_secs(86_400));
        assert_eq!(config.booking.hold_ttl, Duration::from_secs(300));
        assert_eq!(
            parse(&[DB, ("JWT_EXPIRY", "soon")]).unwrap_err().var,
            "JWT_EXPIRY"
        );
        assert_eq!(
            parse(&[DB, ("HOLD_TTL_SECONDS", "5")]).unwrap_err().var,
            "HOLD_TTL_SECONDS"
        );
    }

    #[test]
    fn rate_limits_parse_count_and_window() {
        let config = parse(&[DB, ("RATE_LIMIT_LOGIN_PER_IP", "3/10s")]).unwrap();
        assert_eq!(
            config.rate_limits.login_per_ip,
            Limit {
                max: 3,
                window: Duration::from_secs(10)
            }
        );
        assert_eq!(
            parse(&[DB, ("RATE_LIMIT_LOGIN_PER_IP", "lots")])
                .unwrap_err()
                .var,
            "RATE_LIMIT_LOGIN_PER_IP"
        );
        assert!(
            !parse(&[DB, ("RATE_LIMIT_ENABLED", "false")])
                .unwrap()
                .rate_limit_enabled
        );
    }

    #[test]
    fn other_malformed_values_are_rejected() {
        assert_eq!(
            parse(&[DB, ("APP_ENV", "staging")]).unwrap_err().var,
            "APP_ENV"
        );
        assert_eq!(
            parse(&[DB, ("AUTO_MIGRATE", "maybe")]).unwrap_err().var,
            "AUTO_MIGRATE"
        );
        assert_eq!(
            parse(&[DB, ("REDIS_URL", "localhost:6379")])
                .unwrap_err()
                .var,
            "REDIS_URL"
        );
        assert_eq!(
            parse(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var,
            "DATABASE_URL"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = parse(&[
            ("DATABASE_URL", "postgres://app:hunter2-db@db/district"),
            ("JWT_SECRET", "a-very-long-jwt-secret-value-0123456789"),
            ("STRIPE_SECRET_KEY", "sk_test_supersecret"),
        ])
        .unwrap();
        let shown = format!("{config:?}");
        for secret in [
            "hunter2-db",
            "a-very-long-jwt-secret",
            "sk_test_supersecret",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked");
        }
        assert_eq!(
            config.jwt_secret.expose_secret(),
            "a-very-long-jwt-secret-value-0123456789"
        );
    }
}
