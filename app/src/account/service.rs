//! The accounts handle: what the account flows need, and the helpers they share (one-time
//! links, mail, password hashing).

use super::{
    password::{HashLimits, Hasher},
    throttle::RateLimits,
    tokens::{digest, random_token, Jwt},
    AccountError,
};
use crate::{
    db::Db,
    ids::UserId,
    notify::{Mailer, Sms},
    ratelimit::RateLimiter,
};
use sqlx::{PgPool, Postgres, Transaction};
use std::{sync::Arc, time::Duration};

/// What the deployment decides about accounts.
#[derive(Clone, Debug)]
pub struct AccountSettings {
    /// Base of links sent by email.
    pub public_url: String,
    /// Proxies of ours in front of the server, which append to `X-Forwarded-For`.
    pub trusted_proxy_hops: usize,
    pub refresh_ttl: Duration,
    pub limits: RateLimits,
    pub hashing: HashLimits,
    /// Country calling codes (digits, no `+`) that phone codes may be texted to.
    pub sms_countries: Vec<String>,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            trusted_proxy_hops: 0,
            refresh_ttl: Duration::from_secs(30 * 86_400),
            limits: RateLimits::default(),
            hashing: HashLimits::default(),
            sms_countries: vec!["91".into()],
        }
    }
}

#[derive(Clone)]
pub struct Accounts {
    pub(super) db: Db,
    pub(super) jwt: Jwt,
    pub(super) mailer: Mailer,
    pub(super) sms: Sms,
    pub(super) limiter: RateLimiter,
    pub(super) hasher: Hasher,
    pub(super) settings: Arc<AccountSettings>,
}

impl Accounts {
    pub fn new(
        db: Db,
        jwt: Jwt,
        mailer: Mailer,
        sms: Sms,
        limiter: RateLimiter,
        settings: AccountSettings,
    ) -> Self {
        Self {
            db,
            jwt,
            mailer,
            sms,
            limiter,
            hasher: Hasher::new(settings.hashing),
            settings: Arc::new(settings),
        }
    }

    /// Issues and checks access tokens.
    pub fn jwt(&self) -> &Jwt {
        &self.jwt
    }

    pub fn settings(&self) -> &AccountSettings {
        &self.settings
    }

    pub(super) fn db(&self) -> &PgPool {
        self.db.primary()
    }

    pub(super) fn link(&self, path: &str, token: &str) -> String {
        format!("{}{path}?token={token}", self.settings.public_url)
    }
}

/// What a one-time link is for.
#[derive(Clone, Copy)]
pub(super) enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }
}

/// A new one-time link token for `email` (older ones of the same purpose are spent).
pub(super) async fn create_token(
    tx: &mut Transaction<'_, Postgres>,
    user: UserId,
    purpose: Purpose,
    email: &str,
    minutes: i32,
) -> Result<String, AccountError> {
    // Every live reset link works until one is used (which spends them all), so asking for
    // links in someone's name cannot spend the one they were sent.
    if !matches!(purpose, Purpose::ResetPassword) {
        retire_tokens(tx, user, purpose).await?;
    }
    let token = random_token();
    sqlx::query(
        "INSERT INTO user_tokens (user_id, purpose, token_hash, email, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))",
    )
    .bind(user)
    .bind(purpose.as_str())
    .bind(digest(&token))
    .bind(email)
    .bind(minutes)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Spends every live link of a kind: a newer verification link, or a password changed.
pub(super) async fn retire_tokens(
    tx: &mut Transaction<'_, Postgres>,
    user: UserId,
    purpose: Purpose,
) -> Result<(), AccountError> {
    sqlx::query(
        "UPDATE user_tokens SET used_at = now()
          WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(user)
    .bind(purpose.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes whenever the password does, so sessions opened before a reset stop working.
pub fn fingerprint(password_hash: &str) -> String {
    digest(password_hash)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(super) fn on_email_taken(err: sqlx::Error) -> AccountError {
    match crate::db::constraint(&err) {
        Some("users_email_key") => AccountError::EmailTaken,
        _ => err.into(),
    }
}
