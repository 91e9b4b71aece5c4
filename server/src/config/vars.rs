//! Reading variables: typed values, durations, secrets and rate limits, each failure a
//! `ConfigError` naming the variable.

use super::ConfigError;
use app::{account::RateLimits, catalog::CatalogLimits, ratelimit::Limit};
use std::{str::FromStr, time::Duration};

/// Typed access to a variable source, turning every failure into a `ConfigError`.
pub(super) struct Vars<'a>(pub(super) &'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    /// A set, non-blank value.
    pub(super) fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn or(&self, name: &str, default: &str) -> String {
        self.optional(name).unwrap_or_else(|| default.to_owned())
    }

    pub(super) fn required(
        &self,
        name: &'static str,
        example: &str,
    ) -> Result<String, ConfigError> {
        self.optional(name)
            .ok_or_else(|| ConfigError::new(name, format!("is required ({example})")))
    }

    pub(super) fn parse_or<T: FromStr>(
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

    /// One of an enum's words (`words!`), e.g. `SMTP_TLS=none`.
    pub(super) fn word_or<T: Copy + std::fmt::Display>(
        &self,
        name: &'static str,
        default: T,
        parse: fn(&str) -> Option<T>,
        all: &[T],
    ) -> Result<T, ConfigError> {
        let Some(raw) = self.optional(name) else {
            return Ok(default);
        };
        parse(&raw.to_ascii_lowercase()).ok_or_else(|| {
            let words: Vec<String> = all.iter().map(ToString::to_string).collect();
            ConfigError::new(
                name,
                format!("must be one of {}, got {raw:?}", words.join(", ")),
            )
        })
    }

    /// A limit as "<count>/<window>", e.g. `20/1m`.
    pub(super) fn limit_or(
        &self,
        name: &'static str,
        default: Limit,
    ) -> Result<Limit, ConfigError> {
        let Some(raw) = self.optional(name) else {
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
    }

    /// Durations as `90`, `90s`, `500ms`, `15m`, `24h` or `7d`.
    pub(super) fn duration_or(
        &self,
        name: &'static str,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        match self.optional(name) {
            None => Ok(default),
            Some(raw) => parse_duration(&raw).ok_or_else(|| {
                ConfigError::new(
                    name,
                    format!("must be a duration like 500ms, 900s, 15m or 24h, got {raw:?}"),
                )
            }),
        }
    }

    /// Secrets are required in production, and must not be a published development value;
    /// elsewhere a development value keeps set-up to zero.
    pub(super) fn secret_or_dev(
        &self,
        name: &'static str,
        dev: &str,
        production: bool,
    ) -> Result<String, ConfigError> {
        match self.optional(name) {
            Some(value) => {
                super::refuse_published(name, &value, production)?;
                Ok(value)
            }
            None if production => Err(ConfigError::new(name, "is required in production")),
            None => Ok(dev.to_owned()),
        }
    }
}

/// `RATE_LIMIT_<NAME>` as "<count>/<window>", e.g. `RATE_LIMIT_LOGIN_PER_IP=20/1m`.
pub(super) fn rate_limits(vars: &Vars) -> Result<RateLimits, ConfigError> {
    let defaults = RateLimits::default();
    let limit = |name: &'static str, default: Limit| vars.limit_or(name, default);
    Ok(RateLimits {
        login_per_ip: limit("RATE_LIMIT_LOGIN_PER_IP", defaults.login_per_ip)?,
        login_per_account: limit("RATE_LIMIT_LOGIN_PER_ACCOUNT", defaults.login_per_account)?,
        signup_per_ip: limit("RATE_LIMIT_SIGNUP_PER_IP", defaults.signup_per_ip)?,
        forgot_per_ip: limit("RATE_LIMIT_FORGOT_PER_IP", defaults.forgot_per_ip)?,
        forgot_per_account: limit("RATE_LIMIT_FORGOT_PER_ACCOUNT", defaults.forgot_per_account)?,
        verify_per_ip: limit("RATE_LIMIT_VERIFY_PER_IP", defaults.verify_per_ip)?,
        verify_per_account: limit("RATE_LIMIT_VERIFY_PER_ACCOUNT", defaults.verify_per_account)?,
        profile_per_account: limit(
            "RATE_LIMIT_PROFILE_PER_ACCOUNT",
            defaults.profile_per_account,
        )?,
        email_change_per_account: limit(
            "RATE_LIMIT_EMAIL_CHANGE_PER_ACCOUNT",
            defaults.email_change_per_account,
        )?,
        sms_per_ip: limit("RATE_LIMIT_SMS_PER_IP", defaults.sms_per_ip)?,
        sms_per_number: limit("RATE_LIMIT_SMS_PER_NUMBER", defaults.sms_per_number)?,
    })
}

pub(super) fn catalog_limits(vars: &Vars) -> Result<CatalogLimits, ConfigError> {
    let defaults = CatalogLimits::default();
    Ok(CatalogLimits {
        search_per_client: vars.limit_or("RATE_LIMIT_SEARCH_PER_IP", defaults.search_per_client)?,
        reviews_per_user: vars.limit_or("RATE_LIMIT_REVIEW_PER_USER", defaults.reviews_per_user)?,
    })
}

/// `SMS_COUNTRY_CODES` as calling codes, `91` or `+91,+977`.
pub(super) fn country_codes(vars: &Vars) -> Result<Vec<String>, ConfigError> {
    let raw = vars.or("SMS_COUNTRY_CODES", "91");
    let codes: Vec<String> = raw
        .split(',')
        .map(|code| code.trim().trim_start_matches('+').to_owned())
        .collect();
    let valid =
        |code: &String| (1..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
    if codes.iter().all(valid) {
        Ok(codes)
    } else {
        Err(ConfigError::new(
            "SMS_COUNTRY_CODES",
            format!("must be calling codes like 91,977, got {raw:?}"),
        ))
    }
}

fn parse_duration(raw: &str) -> Option<Duration> {
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number.parse().ok()?;
    if unit.trim() == "ms" {
        return (number > 0).then(|| Duration::from_millis(number));
    }
    let seconds = match unit.trim() {
        "" | "s" => number,
        "m" => number.checked_mul(60)?,
        "h" => number.checked_mul(3600)?,
        "d" => number.checked_mul(86_400)?,
        _ => return None,
    };
    (seconds > 0).then(|| Duration::from_secs(seconds))
}
