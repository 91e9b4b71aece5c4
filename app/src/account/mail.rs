//! Account mail, sent by the outbox relay from the account's events: the verification link
//! after sign-up, a reset link asked for, and an email change (the link to the new address,
//! the notice to the old). Links carry one-time tokens, and the outbox's events also go to
//! Kafka, so no token is written there: each is made when its mail is sent. A retry makes
//! another (a newer verification link spends the older; reset links all work until one is
//! used).

use super::{
    service::{create_token, Purpose},
    signin::VERIFY_EMAIL_HOURS,
    AccountError, Accounts,
};
use crate::{
    ids::UserId,
    notify::Letter,
    outbox::{Consumer, Event},
};

pub(super) const RESET_PASSWORD_MINUTES: i32 = 60;

/// The account events, as written in the outbox.
pub(super) const SIGNED_UP: &str = "user.signed_up";
pub(super) const RESET_ASKED: &str = "user.password_reset_asked";
pub(super) const EMAIL_CHANGE_ASKED: &str = "user.email_change_asked";

#[derive(sqlx::FromRow)]
struct Holder {
    email: String,
    name: String,
    verified: bool,
    /// The address an email change waits to confirm, if one does.
    pending: Option<String>,
}

impl Accounts {
    /// What could not be done, as the relay records it.
    async fn mail_for(&self, event: &Event) -> Result<(), String> {
        let user = UserId::from(event.aggregate_id);
        let holder: Option<Holder> = sqlx::query_as(
            "SELECT u.email, u.name, u.email_verified_at IS NOT NULL AS verified,
                    (SELECT t.email FROM user_tokens t
                      WHERE t.user_id = u.id AND t.purpose = 'verify_email' AND t.used_at IS NULL
                        AND t.expires_at > now() AND t.email <> u.email
                      ORDER BY t.created_at DESC LIMIT 1) AS pending
               FROM users u WHERE u.id = $1",
        )
        .bind(user)
        .fetch_optional(self.db())
        .await
        .map_err(|err| err.to_string())?;
        let Some(holder) = holder else {
            return Ok(());
        };
        let mut letters = Vec::new();
        match event.event_type.as_str() {
            SIGNED_UP if !holder.verified => {
                let token = self
                    .token(user, Purpose::VerifyEmail, &holder.email)
                    .await?;
                letters.push((
                    holder.email.clone(),
                    self.verification(&holder.name, &token),
                ));
            }
            RESET_ASKED => {
                let token = self
                    .token(user, Purpose::ResetPassword, &holder.email)
                    .await?;
                letters.push((holder.email.clone(), self.reset(&holder.name, &token)));
            }
            // Called off before this ran: nothing to confirm.
            EMAIL_CHANGE_ASKED if holder.pending.is_some() => {
                let new_email = holder.pending.clone().unwrap_or_default();
                let token = self.token(user, Purpose::VerifyEmail, &new_email).await?;
                letters.push((new_email.clone(), self.verification(&holder.name, &token)));
                letters.push((holder.email, self.change_notice(&holder.name, &new_email)));
            }
            _ => {}
        }
        for (n, (to, mut letter)) in letters.into_iter().enumerate() {
            letter.message_id = Some(format!("event-{}.{n}", event.id));
            self.mailer
                .send(&to, &letter)
                .await
                .map_err(|err| err.to_string())?;
        }
        Ok(())
    }

    async fn token(&self, user: UserId, purpose: Purpose, email: &str) -> Result<String, String> {
        let minutes = match purpose {
            Purpose::VerifyEmail => VERIFY_EMAIL_HOURS * 60,
            Purpose::ResetPassword => RESET_PASSWORD_MINUTES,
        };
        let made = async {
            let mut tx = self.db().begin().await?;
            let token = create_token(&mut tx, user, purpose, email, minutes).await?;
            tx.commit().await?;
            Ok::<_, AccountError>(token)
        };
        made.await.map_err(|err| format!("making a link: {err:?}"))
    }

    fn verification(&self, name: &str, token: &str) -> Letter {
        Letter::new("Confirm your email for District", name)
            .says(format!(
                "Confirm your email address for District by opening this link (it works once, \
                 for {VERIFY_EMAIL_HOURS} hours)."
            ))
            .links("Confirm your email", self.link("/verify-email", token))
    }

    fn reset(&self, name: &str, token: &str) -> Letter {
        Letter::new("Reset your District password", name)
            .says(format!(
                "Someone asked to reset the password of your District account. Choose a new \
                 password with this link (it works once, for {RESET_PASSWORD_MINUTES} minutes)."
            ))
            .says("If it was not you, ignore this email: your password stays as it is.")
            .links("Choose a new password", self.link("/reset-password", token))
    }

    /// Tells the old address, so a change its owner did not ask for can be stopped.
    fn change_notice(&self, name: &str, new_email: &str) -> Letter {
        Letter::new("Your District email address is changing", name)
            .says(format!(
                "Someone signed in to your District account asked to change its email address \
                 to {new_email}. The change happens only when the link we sent there is opened."
            ))
            .says(
                "If it was you, there is nothing to do. If not, call it off on your account page \
                 and change your password.",
            )
            .links(
                "Your account",
                format!("{}/account", self.settings.public_url),
            )
    }
}

#[async_trait::async_trait]
impl Consumer for Accounts {
    fn name(&self) -> &'static str {
        "account_mail"
    }

    async fn deliver(&self, events: &[&Event]) -> Vec<Result<(), String>> {
        let mut results = Vec::with_capacity(events.len());
        for event in events {
            let result = match event.aggregate_type.as_str() {
                "user" => self.mail_for(event).await,
                _ => Ok(()),
            };
            results.push(result);
        }
        results
    }
}
