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
    i18n::{tr, tr_with, Arg, Lang},
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
    /// The language they read the site in, if they chose one.
    language: Option<String>,
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
                      ORDER BY t.created_at DESC LIMIT 1) AS pending,
                    u.language
               FROM users u WHERE u.id = $1",
        )
        .bind(user)
        .fetch_optional(self.db())
        .await
        .map_err(|err| err.to_string())?;
        let Some(holder) = holder else {
            return Ok(());
        };
        let lang = Lang::setting(holder.language.as_deref());
        let mut letters = Vec::new();
        match event.event_type.as_str() {
            SIGNED_UP if !holder.verified => {
                let token = self
                    .token(user, Purpose::VerifyEmail, &holder.email)
                    .await?;
                letters.push((
                    holder.email.clone(),
                    self.verification(lang, &holder.name, &token),
                ));
            }
            RESET_ASKED => {
                let token = self
                    .token(user, Purpose::ResetPassword, &holder.email)
                    .await?;
                let letter = self.reset(lang, &holder.name, &token);
                letters.push((holder.email.clone(), letter));
            }
            // Called off before this ran: nothing to confirm.
            EMAIL_CHANGE_ASKED if holder.pending.is_some() => {
                let new_email = holder.pending.clone().unwrap_or_default();
                let token = self.token(user, Purpose::VerifyEmail, &new_email).await?;
                let verification = self.verification(lang, &holder.name, &token);
                letters.push((new_email.clone(), verification));
                let notice = self.change_notice(lang, &holder.name, &new_email);
                letters.push((holder.email, notice));
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

    fn verification(&self, lang: Lang, name: &str, token: &str) -> Letter {
        let hours = [("hours", Arg::Number(VERIFY_EMAIL_HOURS.into()))];
        Letter::new(tr(lang, "mail-verify-subject"), name)
            .in_lang(lang)
            .says(tr_with(lang, "mail-verify", &hours))
            .links(
                tr(lang, "mail-verify-link"),
                self.link("/verify-email", token),
            )
    }

    fn reset(&self, lang: Lang, name: &str, token: &str) -> Letter {
        let minutes = [("minutes", Arg::Number(RESET_PASSWORD_MINUTES.into()))];
        Letter::new(tr(lang, "mail-reset-subject"), name)
            .in_lang(lang)
            .says(tr_with(lang, "mail-reset", &minutes))
            .says(tr(lang, "mail-reset-not-you"))
            .links(
                tr(lang, "mail-reset-link"),
                self.link("/reset-password", token),
            )
    }

    /// Tells the old address, so a change its owner did not ask for can be stopped.
    fn change_notice(&self, lang: Lang, name: &str, new_email: &str) -> Letter {
        let email = [("email", Arg::Text(new_email))];
        Letter::new(tr(lang, "mail-email-change-subject"), name)
            .in_lang(lang)
            .says(tr_with(lang, "mail-email-change", &email))
            .says(tr(lang, "mail-email-change-not-you"))
            .links(
                tr(lang, "mail-your-account"),
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
