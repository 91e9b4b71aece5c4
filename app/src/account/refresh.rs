//! Refresh tokens: rotated on every use, in families, so a stolen one that is used twice ends
//! the whole sign-in.

use super::{tokens::digest, tokens::random_token, AccountError, Accounts, Role, TokenPair};
use crate::ids::UserId;
use uuid::Uuid;

impl Accounts {
    /// Rotates a refresh token. Presenting a token that was already rotated means it leaked:
    /// the whole family is revoked and the client must sign in again.
    pub async fn refresh(&self, presented: &str) -> Result<TokenPair, AccountError> {
        #[derive(sqlx::FromRow)]
        struct Presented {
            user_id: UserId,
            family_id: Uuid,
            spent: bool,
            revoked: bool,
            live: bool,
            role: String,
        }
        let mut tx = self.db().begin().await?;
        let row: Option<Presented> = sqlx::query_as(
            "SELECT r.user_id, r.family_id, r.used_at IS NOT NULL AS spent,
                    r.revoked_at IS NOT NULL AS revoked, r.expires_at > now() AS live, u.role
               FROM refresh_tokens r JOIN users u ON u.id = r.user_id
              WHERE r.token_hash = $1
              FOR UPDATE OF r",
        )
        .bind(digest(presented))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(token) = row else {
            return Err(AccountError::InvalidRefreshToken);
        };
        if token.spent || token.revoked {
            if !token.revoked {
                tracing::warn!(user_id = %token.user_id, family = %token.family_id,
                               "refresh token reused: revoking its family");
            }
            revoke_family(&mut *tx, token.family_id).await?;
            tx.commit().await?;
            return Err(AccountError::InvalidRefreshToken);
        }
        if !token.live {
            return Err(AccountError::InvalidRefreshToken);
        }
        sqlx::query("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1")
            .bind(digest(presented))
            .execute(&mut *tx)
            .await?;
        let next = self
            .insert_refresh_token(&mut *tx, token.user_id, token.family_id)
            .await?;
        tx.commit().await?;
        let role = Role::parse(&token.role).ok_or(AccountError::Internal)?;
        Ok(self.token_pair(token.user_id, role, next))
    }

    /// Ends the sign-in the refresh token belongs to. Unknown tokens are fine: the result is
    /// the same.
    pub async fn sign_out(&self, presented: &str) -> Result<(), AccountError> {
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = now()
              WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)
                AND revoked_at IS NULL",
        )
        .bind(digest(presented))
        .execute(self.db())
        .await?;
        Ok(())
    }

    pub(super) async fn insert_refresh_token<'e>(
        &self,
        db: impl sqlx::PgExecutor<'e>,
        user: UserId,
        family: Uuid,
    ) -> Result<String, AccountError> {
        let token = random_token();
        sqlx::query(
            "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
             VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
        )
        .bind(user)
        .bind(family)
        .bind(digest(&token))
        .bind(self.settings.refresh_ttl.as_secs() as f64)
        .execute(db)
        .await?;
        Ok(token)
    }
}

async fn revoke_family<'e>(
    db: impl sqlx::PgExecutor<'e>,
    family: Uuid,
) -> Result<(), AccountError> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family)
    .execute(db)
    .await?;
    Ok(())
}
