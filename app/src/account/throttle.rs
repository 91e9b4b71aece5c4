//! Rate limits on the account endpoints attackers like, per client address and per account.

use super::{validate::sign_in_email, AccountError, Accounts, SignedIn};
use crate::{ids::UserId, ratelimit::Limit};

#[derive(Clone, Debug)]
pub struct RateLimits {
    pub login_per_ip: Limit,
    pub login_per_account: Limit,
    pub signup_per_ip: Limit,
    pub forgot_per_ip: Limit,
    pub forgot_per_account: Limit,
    pub verify_per_ip: Limit,
    pub verify_per_account: Limit,
    pub profile_per_account: Limit,
    pub email_change_per_account: Limit,
    pub sms_per_ip: Limit,
    pub sms_per_number: Limit,
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
            profile_per_account: Limit::per_hour(60),
            email_change_per_account: Limit::per_hour(5),
            sms_per_ip: Limit::per_hour(10),
            sms_per_number: Limit::per_hour(5),
        }
    }
}

impl Accounts {
    /// Counts an attempt against every key; the first exhausted limit answers 429.
    pub(super) async fn throttle(&self, keys: &[(String, Limit)]) -> Result<(), AccountError> {
        for (key, limit) in keys {
            self.limiter
                .hit(key, *limit)
                .await
                .map_err(AccountError::RateLimited)?;
        }
        Ok(())
    }

    /// Signs in within the limits. Every attempt counts against the client's address; only
    /// failures count against the account, and only from that address, so someone guessing
    /// elsewhere cannot lock out a user who knows their password.
    pub async fn sign_in(
        &self,
        ip: &str,
        email: &str,
        password: &str,
    ) -> Result<SignedIn, AccountError> {
        let email = sign_in_email(email)?;
        let limits = &self.settings.limits;
        self.throttle(&[(format!("login:ip:{ip}"), limits.login_per_ip)])
            .await?;
        let failures = format!("login:failed:{email}:{ip}");
        self.limiter
            .check(&failures, limits.login_per_account)
            .await
            .map_err(AccountError::RateLimited)?;
        let outcome = self.authenticate(&email, password).await;
        if matches!(outcome, Err(AccountError::InvalidCredentials)) {
            // Refused or not, the answer stays "incorrect": the next attempt reports the limit.
            let _ = self.limiter.hit(&failures, limits.login_per_account).await;
        }
        outcome
    }

    pub async fn throttle_signup(&self, ip: &str) -> Result<(), AccountError> {
        let limit = self.settings.limits.signup_per_ip;
        self.throttle(&[(format!("signup:ip:{ip}"), limit)]).await
    }

    pub async fn throttle_forgot(&self, ip: &str, email: &str) -> Result<(), AccountError> {
        let limits = &self.settings.limits;
        let email = sign_in_email(email)?;
        self.throttle(&[
            (format!("forgot:ip:{ip}"), limits.forgot_per_ip),
            (format!("forgot:account:{email}"), limits.forgot_per_account),
        ])
        .await
    }

    /// Guessing verification codes and links: per address, and per account when signed in.
    pub async fn throttle_verify(
        &self,
        ip: &str,
        account: Option<UserId>,
    ) -> Result<(), AccountError> {
        let limits = &self.settings.limits;
        let mut keys = vec![(format!("verify:ip:{ip}"), limits.verify_per_ip)];
        if let Some(user) = account {
            keys.push((format!("verify:account:{user}"), limits.verify_per_account));
        }
        self.throttle(&keys).await
    }
}
