//! Proving an address is yours: email links, and 6-digit codes texted to a phone.

use super::{
    service::{retire_tokens, Purpose},
    tokens::digest,
    AccountError, Accounts,
};
use crate::{
    i18n::{tr_with, Arg, Lang, Text},
    ids::UserId,
};

const PHONE_CODE_MINUTES: i32 = 10;
const PHONE_CODE_ATTEMPTS: i32 = 5;

impl Accounts {
    /// Confirms the address a verification link was sent to (a new address after a change).
    pub async fn verify_email(&self, token: &str) -> Result<(), AccountError> {
        let mut tx = self.db().begin().await?;
        let verified: Option<UserId> = sqlx::query_scalar(
            "WITH t AS (
                UPDATE user_tokens SET used_at = now()
                 WHERE token_hash = $1 AND purpose = 'verify_email' AND used_at IS NULL AND expires_at > now()
                RETURNING user_id, email)
             UPDATE users u SET email = t.email, email_verified_at = now(), updated_at = now()
               FROM t WHERE u.id = t.user_id
             RETURNING u.id",
        )
        .bind(digest(token))
        .fetch_optional(&mut *tx)
        .await
        .map_err(super::service::on_email_taken)?;
        let user = verified.ok_or(AccountError::InvalidToken)?;
        retire_tokens(&mut tx, user, Purpose::VerifyEmail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Texts a 6-digit code to the account's phone number: only for an account whose email is
    /// confirmed, only to the allowed countries, and within limits per number and per address,
    /// so nobody can run up texts to numbers of their choosing.
    pub async fn send_phone_code(&self, ip: &str, user: UserId) -> Result<(), AccountError> {
        let (phone, email_verified, language): (Option<String>, bool, Option<String>) =
            sqlx::query_as(
                "SELECT phone, email_verified_at IS NOT NULL, language FROM users WHERE id = $1",
            )
            .bind(user)
            .fetch_optional(self.db())
            .await?
            .ok_or(AccountError::Unauthenticated)?;
        if !email_verified {
            return Err(AccountError::EmailNotVerified);
        }
        let phone = phone.ok_or_else(|| AccountError::field("phone", "err-phone-first"))?;
        let countries = &self.settings.sms_countries;
        if !countries
            .iter()
            .any(|code| phone.starts_with(&format!("+{code}")))
        {
            let list = countries
                .iter()
                .map(|c| format!("+{c}"))
                .collect::<Vec<_>>();
            let message = Text::new("err-phone-country").arg("prefixes", list.join(", "));
            return Err(AccountError::Invalid(crate::error::field("phone", message)));
        }
        let limits = &self.settings.limits;
        self.throttle(&[
            (format!("sms:ip:{ip}"), limits.sms_per_ip),
            (format!("sms:number:{phone}"), limits.sms_per_number),
        ])
        .await?;
        let code = format!("{:06}", rand::random_range(0..1_000_000u32));
        sqlx::query(
            "INSERT INTO phone_verifications (user_id, phone, code_hash, attempts, expires_at)
             VALUES ($1, $2, $3, 0, now() + make_interval(mins => $4))
             ON CONFLICT (user_id) DO UPDATE
                SET phone = EXCLUDED.phone, code_hash = EXCLUDED.code_hash, attempts = 0,
                    expires_at = EXCLUDED.expires_at, created_at = now()",
        )
        .bind(user)
        .bind(&phone)
        .bind(phone_code_digest(user, &code))
        .bind(PHONE_CODE_MINUTES)
        .execute(self.db())
        .await?;
        // In the language the user reads the site in.
        let lang = Lang::setting(language.as_deref());
        let args = [
            ("code", Arg::Text(&code)),
            ("minutes", Arg::Number(PHONE_CODE_MINUTES.into())),
        ];
        let text = tr_with(lang, "sms-phone-code", &args);
        if let Err(err) = self.sms.send(&phone, &text).await {
            tracing::error!(error = %err, "could not send the phone code");
            return Err(AccountError::Internal);
        }
        Ok(())
    }

    /// Checks a phone code; a handful of wrong guesses burns the code.
    pub async fn verify_phone_code(&self, user: UserId, code: &str) -> Result<(), AccountError> {
        use subtle::ConstantTimeEq;
        let mut tx = self.db().begin().await?;
        let pending: Option<(String, Vec<u8>, i32, bool)> = sqlx::query_as(
            "SELECT phone, code_hash, attempts, expires_at > now() FROM phone_verifications
              WHERE user_id = $1 FOR UPDATE",
        )
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((phone, expected, attempts, live)) = pending else {
            return Err(AccountError::InvalidCode);
        };
        let matches: bool = phone_code_digest(user, code.trim()).ct_eq(&expected).into();
        let accepted = matches && live && attempts < PHONE_CODE_ATTEMPTS;
        if accepted {
            sqlx::query(
                "UPDATE users SET phone_verified_at = now(), updated_at = now()
                  WHERE id = $1 AND phone = $2",
            )
            .bind(user)
            .bind(&phone)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM phone_verifications WHERE user_id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "UPDATE phone_verifications SET attempts = attempts + 1 WHERE user_id = $1",
            )
            .bind(user)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        if accepted {
            Ok(())
        } else {
            Err(AccountError::InvalidCode)
        }
    }
}

fn phone_code_digest(user: UserId, code: &str) -> Vec<u8> {
    digest(&format!("{user}:{code}"))
}
