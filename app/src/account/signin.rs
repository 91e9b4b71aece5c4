//! Sign-up and sign-in: a new account with its verification link, a constant-time password
//! check, and the tokens a REST client gets.

use super::{
    mail::SIGNED_UP,
    service::{fingerprint, on_email_taken},
    AccountError, Accounts, Role, SignupInput,
};
use crate::{ids::UserId, outbox};
use serde::Serialize;
use serde_json::json;

pub(super) const VERIFY_EMAIL_HOURS: i32 = 24;

/// What a REST client gets after signing in or refreshing.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// The identity a successful sign-in establishes.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user_id: UserId,
    pub role: Role,
    /// Changes whenever the password does, so sessions opened before a reset stop working.
    pub fingerprint: String,
}

impl Accounts {
    /// Creates the account; the relay emails it a verification link.
    pub async fn sign_up(&self, input: &SignupInput) -> Result<SignedIn, AccountError> {
        let input = input.validate()?;
        let hash = self.hasher.hash(input.password.clone()).await?;
        let mut tx = self.db().begin().await?;
        let user: UserId = sqlx::query_scalar(
            "INSERT INTO users (email, name, phone, password_hash, language)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&input.email)
        .bind(&input.name)
        .bind(&input.phone)
        .bind(&hash)
        .bind(input.language.map(crate::i18n::Lang::as_str))
        .fetch_one(&mut *tx)
        .await
        .map_err(on_email_taken)?;
        // The verification link is mailed from this event (`mail.rs`).
        outbox::record(
            &mut tx,
            "user",
            user.into(),
            SIGNED_UP,
            json!({ "user_id": user }),
        )
        .await?;
        tx.commit().await?;
        Ok(SignedIn {
            user_id: user,
            role: Role::Customer,
            fingerprint: fingerprint(&hash),
        })
    }

    /// Checks a password in constant time; an unknown email costs the same as a wrong password
    /// and gets the same answer.
    pub async fn authenticate(
        &self,
        email: &str,
        password: &str,
    ) -> Result<SignedIn, AccountError> {
        let row: Option<(UserId, String, String)> =
            sqlx::query_as("SELECT id, role, password_hash FROM users WHERE email = $1")
                .bind(super::normalize_email(email))
                .fetch_optional(self.db())
                .await?;
        let stored = row.as_ref().map(|r| r.2.clone());
        let matches = self.hasher.verify(password.to_owned(), stored).await?;
        match row {
            Some((user_id, role, hash)) if matches => Ok(SignedIn {
                user_id,
                role: Role::parse(&role).ok_or(AccountError::Internal)?,
                fingerprint: fingerprint(&hash),
            }),
            _ => Err(AccountError::InvalidCredentials),
        }
    }

    /// A new access token and a refresh token in a new family (a new sign-in).
    pub async fn issue_tokens(&self, who: &SignedIn) -> Result<TokenPair, AccountError> {
        let refresh = self
            .insert_refresh_token(self.db(), who.user_id, uuid::Uuid::new_v4())
            .await?;
        Ok(self.token_pair(who.user_id, who.role, refresh))
    }

    pub(super) fn token_pair(&self, user: UserId, role: Role, refresh_token: String) -> TokenPair {
        TokenPair {
            access_token: self.jwt.issue(user, role),
            refresh_token,
            token_type: "Bearer",
            expires_in: self.jwt.expiry.as_secs(),
        }
    }
}
