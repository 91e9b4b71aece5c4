//! A user's own profile: reading it, and changing name, phone, email or preferred city.

use super::{
    mail::EMAIL_CHANGE_ASKED,
    service::{create_token, Purpose},
    signin::VERIFY_EMAIL_HOURS,
    validate::{check_email, check_name, normalize_phone},
    AccountError, Accounts, Channels, FieldErrors, Profile, ProfileUpdate, Role,
};
use crate::{i18n::Text, ids::UserId, outbox};
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct Row {
    id: UserId,
    email: String,
    name: String,
    phone: Option<String>,
    role: String,
    email_verified: bool,
    phone_verified: bool,
    pending_email: Option<String>,
    preferred_city_id: Option<Uuid>,
    notify_email: bool,
    notify_sms: bool,
    notify_push: bool,
    created_at: DateTime<Utc>,
}

impl Accounts {
    /// The language the user chose to read the site in, if they chose one.
    pub async fn language(&self, user: UserId) -> Result<Option<crate::i18n::Lang>, AccountError> {
        let language: Option<String> =
            sqlx::query_scalar("SELECT language FROM users WHERE id = $1")
                .bind(user)
                .fetch_optional(self.db())
                .await?
                .flatten();
        Ok(language.as_deref().and_then(crate::i18n::Lang::parse))
    }

    /// Remembers the language the user reads the site in.
    pub async fn set_language(
        &self,
        user: UserId,
        lang: crate::i18n::Lang,
    ) -> Result<(), AccountError> {
        sqlx::query(
            "UPDATE users SET language = $2 WHERE id = $1 AND language IS DISTINCT FROM $2",
        )
        .bind(user)
        .bind(lang.as_str())
        .execute(self.db())
        .await?;
        Ok(())
    }

    pub async fn profile(&self, user: UserId) -> Result<Profile, AccountError> {
        let row: Row = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.phone, u.role,
                    u.email_verified_at IS NOT NULL AS email_verified,
                    u.phone_verified_at IS NOT NULL AS phone_verified,
                    (SELECT t.email FROM user_tokens t
                      WHERE t.user_id = u.id AND t.purpose = 'verify_email' AND t.used_at IS NULL
                        AND t.expires_at > now() AND t.email <> u.email
                      ORDER BY t.created_at DESC LIMIT 1) AS pending_email,
                    u.preferred_city_id, u.notify_email, u.notify_sms, u.notify_push, u.created_at
               FROM users u WHERE u.id = $1",
        )
        .bind(user)
        .fetch_optional(self.db())
        .await?
        .ok_or(AccountError::Unauthenticated)?;
        Ok(Profile {
            id: row.id,
            email: row.email,
            name: row.name,
            phone: row.phone,
            role: Role::parse(&row.role).ok_or(AccountError::Internal)?,
            email_verified: row.email_verified,
            phone_verified: row.phone_verified,
            pending_email: row.pending_email,
            preferred_city_id: row.preferred_city_id,
            notify: Channels {
                email: row.notify_email,
                sms: row.notify_sms,
                push: row.notify_push,
            },
            created_at: row.created_at,
        })
    }

    /// Applies a profile change. A new phone number must be verified again; a new email
    /// address needs the current password, takes effect only once the link sent to it is
    /// followed, and is announced to the old address, whose owner can call it off.
    pub async fn update_profile(
        &self,
        user: UserId,
        update: &ProfileUpdate,
    ) -> Result<Profile, AccountError> {
        let limits = &self.settings.limits;
        self.throttle(&[(
            format!("profile:account:{user}"),
            limits.profile_per_account,
        )])
        .await?;
        let current = self.profile(user).await?;
        let mut errors = FieldErrors::new();
        let name = update.name.as_deref().map(str::trim);
        if let Some(Err(message)) = name.map(check_name) {
            errors.insert("name".into(), message);
        }
        let phone = match update.phone.as_deref().map(str::trim) {
            None => current.phone.clone(),
            Some("") => None,
            Some(raw) => match normalize_phone(raw) {
                Ok(phone) => Some(phone),
                Err(message) => {
                    errors.insert("phone".into(), message);
                    None
                }
            },
        };
        let new_email = update
            .email
            .as_deref()
            .map(super::normalize_email)
            .filter(|email| *email != current.email);
        if let Some(email) = &new_email {
            if let Err(message) = check_email(email) {
                errors.insert("email".into(), message);
            }
            let key = format!("email_change:account:{user}");
            self.throttle(&[(key, limits.email_change_per_account)])
                .await?;
            if let Err(message) = self.check_current_password(user, update).await? {
                errors.insert("current_password".into(), Text::new(message));
            }
        }
        let notify = update.notify.unwrap_or(current.notify);
        // Removing the phone turns texts off; asking for texts without one is an error.
        let texts_asked = update.notify.is_some_and(|n| n.sms);
        if texts_asked && phone.is_none() && !errors.contains_key("phone") {
            errors.insert("notify".into(), Text::new("err-texts-need-phone"));
        }
        if !errors.is_empty() {
            return Err(AccountError::Invalid(errors));
        }
        let mut tx = self.db().begin().await?;
        sqlx::query(
            "UPDATE users SET name = coalesce($2, name),
                    phone = $3,
                    phone_verified_at = CASE WHEN phone IS NOT DISTINCT FROM $3 THEN phone_verified_at END,
                    preferred_city_id = coalesce($4, preferred_city_id),
                    notify_email = $5, notify_sms = $6, notify_push = $7,
                    updated_at = now()
              WHERE id = $1",
        )
        .bind(user)
        .bind(name)
        .bind(&phone)
        .bind(update.preferred_city_id)
        .bind(notify.email)
        .bind(notify.sms && phone.is_some())
        .bind(notify.push)
        .execute(&mut *tx)
        .await
        .map_err(|err| match crate::db::constraint(&err) {
            Some("users_preferred_city_id_fkey") => {
                AccountError::field("preferred_city_id", "err-no-city")
            }
            _ => err.into(),
        })?;
        if let Some(email) = &new_email {
            let taken: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
                    .bind(email)
                    .fetch_one(&mut *tx)
                    .await?;
            if taken {
                return Err(AccountError::EmailTaken);
            }
            // The new address waits here until confirmed; the relay mails it a link of its
            // own, and the old address a notice (`mail.rs`).
            let minutes = VERIFY_EMAIL_HOURS * 60;
            create_token(&mut tx, user, Purpose::VerifyEmail, email, minutes).await?;
            let payload = json!({ "user_id": user });
            outbox::record(&mut tx, "user", user.into(), EMAIL_CHANGE_ASKED, payload).await?;
        }
        tx.commit().await?;
        self.profile(user).await
    }

    /// Calls off an email change waiting for its link: the link stops working.
    pub async fn cancel_email_change(&self, user: UserId) -> Result<Profile, AccountError> {
        sqlx::query(
            "UPDATE user_tokens t SET used_at = now()
               FROM users u
              WHERE t.user_id = $1 AND u.id = t.user_id AND t.purpose = 'verify_email'
                AND t.used_at IS NULL AND t.email <> u.email",
        )
        .bind(user)
        .execute(self.db())
        .await?;
        self.profile(user).await
    }

    /// `Ok(Err(message))` when the update lacks the account's current password.
    async fn check_current_password(
        &self,
        user: UserId,
        update: &ProfileUpdate,
    ) -> Result<Result<(), &'static str>, AccountError> {
        let Some(password) = update.current_password.clone().filter(|p| !p.is_empty()) else {
            return Ok(Err("err-current-password-empty"));
        };
        let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(self.db())
            .await?;
        Ok(match self.hasher.verify(password, Some(stored)).await? {
            true => Ok(()),
            false => Err("err-current-password"),
        })
    }
}
