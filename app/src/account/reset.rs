//! Forgotten passwords: a one-time link by email, and a new password that ends every sign-in.

use super::{mail::RESET_ASKED, tokens::digest, AccountError, Accounts};
use crate::{ids::UserId, outbox};
use serde_json::json;

impl Accounts {
    /// Emails a reset link when the address has an account; the answer never says whether it
    /// does, not even by its timing: the lookup and the mail happen after the answer.
    pub async fn forgot_password(&self, email: &str) -> Result<(), AccountError> {
        let accounts = self.clone();
        let email = super::normalize_email(email);
        tokio::spawn(async move {
            if let Err(err) = accounts.send_reset_link(email).await {
                tracing::error!(error = %err, "could not prepare a reset link");
            }
        });
        Ok(())
    }

    /// Writes the event the relay mails the link from (`mail.rs`).
    async fn send_reset_link(&self, email: String) -> Result<(), AccountError> {
        let user: Option<UserId> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(self.db())
            .await?;
        if let Some(user) = user {
            let mut db = self.db().acquire().await?;
            let payload = json!({ "user_id": user });
            outbox::record(&mut db, "user", user.into(), RESET_ASKED, payload).await?;
        }
        Ok(())
    }

    /// Sets a new password with a reset link, and ends every sign-in of the account.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
    ) -> Result<(), AccountError> {
        let owner: Option<(UserId, String)> = sqlx::query_as(
            "SELECT u.id, u.email FROM user_tokens t JOIN users u ON u.id = t.user_id
              WHERE t.token_hash = $1 AND t.purpose = 'reset_password' AND t.used_at IS NULL
                AND t.expires_at > now()",
        )
        .bind(digest(token))
        .fetch_optional(self.db())
        .await?;
        let (user, email) = owner.ok_or(AccountError::InvalidToken)?;
        super::validate_new_password(new_password, &email)?;
        let hash = self.hasher.hash(new_password.to_owned()).await?;
        let mut tx = self.db().begin().await?;
        let consumed = sqlx::query(
            "UPDATE user_tokens SET used_at = now()
              WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()",
        )
        .bind(digest(token))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if consumed == 0 {
            return Err(AccountError::InvalidToken);
        }
        // The other reset links are spent, and so is a pending change of address: whoever
        // started it may be the one the reset locks out.
        sqlx::query(
            "UPDATE user_tokens SET used_at = now()
              WHERE user_id = $1 AND used_at IS NULL
                AND (purpose = 'reset_password' OR (purpose = 'verify_email' AND email <> $2))",
        )
        .bind(user)
        .bind(&email)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE users SET password_hash = $2, updated_at = now(),
                    email_verified_at = coalesce(email_verified_at, now())
              WHERE id = $1",
        )
        .bind(user)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
