//! The account service: every rule about accounts lives here, once, for the web UI's server
//! functions and the REST API alike.

use super::{
    password,
    tokens::{digest, random_token},
    validate::{check_email, check_name, normalize_phone},
    AccountError, FieldErrors, Profile, ProfileUpdate, Role, SignupInput,
};
use crate::{ratelimit::Limit, state::AppState};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use std::sync::OnceLock;
use uuid::Uuid;

const VERIFY_EMAIL_HOURS: i32 = 24;
const RESET_PASSWORD_MINUTES: i32 = 60;
const PHONE_CODE_MINUTES: i32 = 10;
const PHONE_CODE_ATTEMPTS: i32 = 5;

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
    pub user_id: Uuid,
    pub role: Role,
    /// Changes whenever the password does, so sessions opened before a reset stop working.
    pub fingerprint: String,
}

pub fn fingerprint(password_hash: &str) -> String {
    digest(password_hash)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates the account and emails a verification link.
pub async fn sign_up(state: &AppState, input: &SignupInput) -> Result<SignedIn, AccountError> {
    let input = input.validate()?;
    let hash = hash_password(input.password.clone()).await?;
    let mut tx = state.db.primary().begin().await?;
    let user_id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, name, phone, password_hash) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&input.email)
    .bind(&input.name)
    .bind(&input.phone)
    .bind(&hash)
    .fetch_one(&mut *tx)
    .await
    .map_err(on_email_taken)?;
    let token = create_token(
        &mut tx,
        user_id,
        "verify_email",
        &input.email,
        VERIFY_EMAIL_HOURS * 60,
    )
    .await?;
    tx.commit().await?;
    send_verification(state, &input.email, &input.name, &token).await;
    Ok(SignedIn {
        user_id,
        role: Role::Customer,
        fingerprint: fingerprint(&hash),
    })
}

/// Checks a password in constant time; an unknown email costs the same as a wrong password
/// and gets the same answer.
pub async fn authenticate(
    db: &PgPool,
    email: &str,
    password: &str,
) -> Result<SignedIn, AccountError> {
    let row: Option<(Uuid, String, String)> =
        sqlx::query_as("SELECT id, role, password_hash FROM users WHERE email = $1")
            .bind(super::normalize_email(email))
            .fetch_optional(db)
            .await?;
    let stored = row
        .as_ref()
        .map(|r| r.2.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &stored))
        .await
        .map_err(|_| AccountError::Internal)?;
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
pub async fn issue_tokens(state: &AppState, who: &SignedIn) -> Result<TokenPair, AccountError> {
    let refresh =
        insert_refresh_token(state.db.primary(), state, who.user_id, Uuid::new_v4()).await?;
    Ok(token_pair(state, who.user_id, who.role, refresh))
}

/// Rotates a refresh token. Presenting a token that was already rotated means it leaked:
/// the whole family is revoked and the client must sign in again.
pub async fn refresh(state: &AppState, presented: &str) -> Result<TokenPair, AccountError> {
    #[derive(sqlx::FromRow)]
    struct Presented {
        user_id: Uuid,
        family_id: Uuid,
        spent: bool,
        revoked: bool,
        live: bool,
        role: String,
    }
    let mut tx = state.db.primary().begin().await?;
    let row: Option<Presented> = sqlx::query_as(
        "SELECT r.user_id, r.family_id, r.used_at IS NOT NULL AS spent, r.revoked_at IS NOT NULL AS revoked,
                r.expires_at > now() AS live, u.role
           FROM refresh_tokens r JOIN users u ON u.id = r.user_id
          WHERE r.token_hash = $1
          FOR UPDATE OF r",
    )
    .bind(digest(presented))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(Presented {
        user_id,
        family_id: family,
        spent,
        revoked,
        live,
        role,
    }) = row
    else {
        return Err(AccountError::InvalidRefreshToken);
    };
    if spent || revoked {
        if !revoked {
            tracing::warn!(%user_id, %family, "refresh token reused: revoking its family");
        }
        revoke_family(&mut *tx, family).await?;
        tx.commit().await?;
        return Err(AccountError::InvalidRefreshToken);
    }
    if !live {
        return Err(AccountError::InvalidRefreshToken);
    }
    sqlx::query("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1")
        .bind(digest(presented))
        .execute(&mut *tx)
        .await?;
    let next = insert_refresh_token(&mut *tx, state, user_id, family).await?;
    tx.commit().await?;
    let role = Role::parse(&role).ok_or(AccountError::Internal)?;
    Ok(token_pair(state, user_id, role, next))
}

/// Ends the sign-in the refresh token belongs to. Unknown tokens are fine: the result is the same.
pub async fn sign_out(db: &PgPool, presented: &str) -> Result<(), AccountError> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now()
          WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)
            AND revoked_at IS NULL",
    )
    .bind(digest(presented))
    .execute(db)
    .await?;
    Ok(())
}

/// Confirms the address a verification link was sent to (a new address after a change).
pub async fn verify_email(db: &PgPool, token: &str) -> Result<(), AccountError> {
    let mut tx = db.begin().await?;
    let verified: Option<Uuid> = sqlx::query_scalar(
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
    .map_err(on_email_taken)?;
    let user_id = verified.ok_or(AccountError::InvalidToken)?;
    retire_tokens(&mut tx, user_id, "verify_email").await?;
    tx.commit().await?;
    Ok(())
}

/// Emails a reset link when the address has an account; the answer never says whether it does.
pub async fn forgot_password(state: &AppState, email: &str) -> Result<(), AccountError> {
    let email = super::normalize_email(email);
    let user: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(state.db.primary())
            .await?;
    if let Some((user_id, name)) = user {
        let mut tx = state.db.primary().begin().await?;
        let token = create_token(
            &mut tx,
            user_id,
            "reset_password",
            &email,
            RESET_PASSWORD_MINUTES,
        )
        .await?;
        tx.commit().await?;
        let link = format!("{}/reset-password?token={token}", state.settings.public_url);
        let body = format!(
            "Hello {name},\n\nSomeone asked to reset the password of your District account.\n\
             Choose a new password here (the link works once, for {RESET_PASSWORD_MINUTES} minutes):\n\n{link}\n\n\
             If it was not you, ignore this email: your password stays as it is."
        );
        deliver(state, &email, "Reset your District password", &body).await;
    }
    Ok(())
}

/// Sets a new password with a reset link, and ends every sign-in of the account.
pub async fn reset_password(
    db: &PgPool,
    token: &str,
    new_password: &str,
) -> Result<(), AccountError> {
    let owner: Option<(Uuid, String)> = sqlx::query_as(
        "SELECT u.id, u.email FROM user_tokens t JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1 AND t.purpose = 'reset_password' AND t.used_at IS NULL AND t.expires_at > now()",
    )
    .bind(digest(token))
    .fetch_optional(db)
    .await?;
    let (user_id, email) = owner.ok_or(AccountError::InvalidToken)?;
    super::validate_new_password(new_password, &email)?;
    let hash = hash_password(new_password.to_owned()).await?;
    let mut tx = db.begin().await?;
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
    sqlx::query(
        "UPDATE users SET password_hash = $2, updated_at = now(),
                email_verified_at = coalesce(email_verified_at, now())
          WHERE id = $1",
    )
    .bind(user_id)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn profile(db: &PgPool, user_id: Uuid) -> Result<Profile, AccountError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        email: String,
        name: String,
        phone: Option<String>,
        role: String,
        email_verified: bool,
        phone_verified: bool,
        pending_email: Option<String>,
        preferred_city_id: Option<Uuid>,
        created_at: DateTime<Utc>,
    }
    let row: Row = sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.phone, u.role,
                u.email_verified_at IS NOT NULL AS email_verified,
                u.phone_verified_at IS NOT NULL AS phone_verified,
                (SELECT t.email FROM user_tokens t
                  WHERE t.user_id = u.id AND t.purpose = 'verify_email' AND t.used_at IS NULL
                    AND t.expires_at > now() AND t.email <> u.email
                  ORDER BY t.created_at DESC LIMIT 1) AS pending_email,
                u.preferred_city_id, u.created_at
           FROM users u WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
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
        created_at: row.created_at,
    })
}

/// Applies a profile change. A new phone number must be verified again; a new email address
/// takes effect only once the link sent to it is followed.
pub async fn update_profile(
    state: &AppState,
    user_id: Uuid,
    update: &ProfileUpdate,
) -> Result<Profile, AccountError> {
    let current = profile(state.db.primary(), user_id).await?;
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
    if let Some(Err(message)) = new_email.as_deref().map(check_email) {
        errors.insert("email".into(), message);
    }
    if !errors.is_empty() {
        return Err(AccountError::Invalid(errors));
    }
    let mut tx = state.db.primary().begin().await?;
    sqlx::query(
        "UPDATE users SET name = coalesce($2, name),
                phone = $3,
                phone_verified_at = CASE WHEN phone IS NOT DISTINCT FROM $3 THEN phone_verified_at END,
                preferred_city_id = coalesce($4, preferred_city_id),
                updated_at = now()
          WHERE id = $1",
    )
    .bind(user_id)
    .bind(name)
    .bind(&phone)
    .bind(update.preferred_city_id)
    .execute(&mut *tx)
    .await
    .map_err(|err| match constraint(&err) {
        Some("users_preferred_city_id_fkey") => AccountError::field("preferred_city_id", "There is no such city."),
        _ => err.into(),
    })?;
    let email_token = match &new_email {
        Some(email) => {
            let taken: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
                    .bind(email)
                    .fetch_one(&mut *tx)
                    .await?;
            if taken {
                return Err(AccountError::EmailTaken);
            }
            Some(
                create_token(
                    &mut tx,
                    user_id,
                    "verify_email",
                    email,
                    VERIFY_EMAIL_HOURS * 60,
                )
                .await?,
            )
        }
        None => None,
    };
    tx.commit().await?;
    if let (Some(email), Some(token)) = (&new_email, &email_token) {
        send_verification(state, email, &current.name, token).await;
    }
    profile(state.db.primary(), user_id).await
}

/// Texts a 6-digit code to the account's phone number.
pub async fn send_phone_code(state: &AppState, user_id: Uuid) -> Result<(), AccountError> {
    let phone: Option<String> = sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(state.db.primary())
        .await?
        .flatten();
    let phone = phone
        .ok_or_else(|| AccountError::field("phone", "Add a phone number to your profile first."))?;
    let code = format!("{:06}", rand::random_range(0..1_000_000u32));
    sqlx::query(
        "INSERT INTO phone_verifications (user_id, phone, code_hash, attempts, expires_at)
         VALUES ($1, $2, $3, 0, now() + make_interval(mins => $4))
         ON CONFLICT (user_id) DO UPDATE
            SET phone = EXCLUDED.phone, code_hash = EXCLUDED.code_hash, attempts = 0,
                expires_at = EXCLUDED.expires_at, created_at = now()",
    )
    .bind(user_id)
    .bind(&phone)
    .bind(phone_code_digest(user_id, &code))
    .bind(PHONE_CODE_MINUTES)
    .execute(state.db.primary())
    .await?;
    let text = format!(
        "{code} is your District verification code. It expires in {PHONE_CODE_MINUTES} minutes."
    );
    if let Err(err) = state.sms.send(&phone, &text).await {
        tracing::error!(error = %err, "could not send the phone code");
        return Err(AccountError::Internal);
    }
    Ok(())
}

/// Checks a phone code; a handful of wrong guesses burns the code.
pub async fn verify_phone_code(db: &PgPool, user_id: Uuid, code: &str) -> Result<(), AccountError> {
    use subtle::ConstantTimeEq;
    let mut tx = db.begin().await?;
    let pending: Option<(String, Vec<u8>, i32, bool)> = sqlx::query_as(
        "SELECT phone, code_hash, attempts, expires_at > now() FROM phone_verifications
          WHERE user_id = $1 FOR UPDATE",
    )
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((phone, expected, attempts, live)) = pending else {
        return Err(AccountError::InvalidCode);
    };
    let matches: bool = phone_code_digest(user_id, code.trim())
        .ct_eq(&expected)
        .into();
    if matches && live && attempts < PHONE_CODE_ATTEMPTS {
        sqlx::query("UPDATE users SET phone_verified_at = now(), updated_at = now() WHERE id = $1 AND phone = $2")
            .bind(user_id)
            .bind(&phone)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM phone_verifications WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query("UPDATE phone_verifications SET attempts = attempts + 1 WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if matches && live && attempts < PHONE_CODE_ATTEMPTS {
        Ok(())
    } else {
        Err(AccountError::InvalidCode)
    }
}

/// Counts an attempt against every key; the first exhausted limit answers 429.
async fn throttle(state: &AppState, keys: &[(String, Limit)]) -> Result<(), AccountError> {
    for (key, limit) in keys {
        state
            .limiter
            .hit(key, *limit)
            .await
            .map_err(AccountError::RateLimited)?;
    }
    Ok(())
}

pub async fn throttle_login(state: &AppState, ip: &str, email: &str) -> Result<(), AccountError> {
    let limits = &state.settings.limits;
    let email = super::normalize_email(email);
    throttle(
        state,
        &[
            (format!("login:ip:{ip}"), limits.login_per_ip),
            (format!("login:account:{email}"), limits.login_per_account),
        ],
    )
    .await
}

pub async fn throttle_signup(state: &AppState, ip: &str) -> Result<(), AccountError> {
    throttle(
        state,
        &[(
            format!("signup:ip:{ip}"),
            state.settings.limits.signup_per_ip,
        )],
    )
    .await
}

pub async fn throttle_forgot(state: &AppState, ip: &str, email: &str) -> Result<(), AccountError> {
    let limits = &state.settings.limits;
    let email = super::normalize_email(email);
    throttle(
        state,
        &[
            (format!("forgot:ip:{ip}"), limits.forgot_per_ip),
            (format!("forgot:account:{email}"), limits.forgot_per_account),
        ],
    )
    .await
}

/// Guessing verification codes and links: per address, and per account when signed in.
pub async fn throttle_verify(
    state: &AppState,
    ip: &str,
    account: Option<Uuid>,
) -> Result<(), AccountError> {
    let limits = &state.settings.limits;
    let mut keys = vec![(format!("verify:ip:{ip}"), limits.verify_per_ip)];
    if let Some(user) = account {
        keys.push((format!("verify:account:{user}"), limits.verify_per_account));
    }
    throttle(state, &keys).await
}

/// Booking needs a confirmed email address, unless the deployment switched that off.
pub async fn require_verified_email(state: &AppState, user_id: Uuid) -> Result<(), AccountError> {
    if !state.settings.email_verification_required {
        return Ok(());
    }
    let verified: Option<bool> =
        sqlx::query_scalar("SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(state.db.primary())
            .await?;
    match verified {
        Some(true) => Ok(()),
        Some(false) => Err(AccountError::EmailNotVerified),
        None => Err(AccountError::Unauthenticated),
    }
}

/// Which theaters a user manages: every theater for a platform admin.
pub async fn may_manage_theater(
    db: &PgPool,
    user_id: Uuid,
    role: Role,
    theater_id: Uuid,
) -> Result<bool, AccountError> {
    match role {
        Role::Admin => Ok(true),
        Role::Customer => Ok(false),
        Role::TheaterAdmin => Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM theater_admins WHERE user_id = $1 AND theater_id = $2)",
        )
        .bind(user_id)
        .bind(theater_id)
        .fetch_one(db)
        .await?),
    }
}

fn phone_code_digest(user_id: Uuid, code: &str) -> Vec<u8> {
    digest(&format!("{user_id}:{code}"))
}

fn token_pair(state: &AppState, user_id: Uuid, role: Role, refresh_token: String) -> TokenPair {
    TokenPair {
        access_token: state.jwt.issue(user_id, role),
        refresh_token,
        token_type: "Bearer",
        expires_in: state.jwt.expiry.as_secs(),
    }
}

async fn insert_refresh_token<'e>(
    db: impl sqlx::PgExecutor<'e>,
    state: &AppState,
    user_id: Uuid,
    family: Uuid,
) -> Result<String, AccountError> {
    let token = random_token();
    sqlx::query(
        "INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
    )
    .bind(user_id)
    .bind(family)
    .bind(digest(&token))
    .bind(state.settings.refresh_ttl.as_secs() as f64)
    .execute(db)
    .await?;
    Ok(token)
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

async fn create_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    user_id: Uuid,
    purpose: &str,
    email: &str,
    minutes: i32,
) -> Result<String, AccountError> {
    retire_tokens(tx, user_id, purpose).await?;
    let token = random_token();
    sqlx::query(
        "INSERT INTO user_tokens (user_id, purpose, token_hash, email, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))",
    )
    .bind(user_id)
    .bind(purpose)
    .bind(digest(&token))
    .bind(email)
    .bind(minutes)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Only the newest link of a kind works: older ones are spent.
async fn retire_tokens(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    user_id: Uuid,
    purpose: &str,
) -> Result<(), AccountError> {
    sqlx::query("UPDATE user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id)
        .bind(purpose)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn send_verification(state: &AppState, email: &str, name: &str, token: &str) {
    let link = format!("{}/verify-email?token={token}", state.settings.public_url);
    let body = format!(
        "Hello {name},\n\nConfirm your email address for District by opening this link \
         (it works once, for {VERIFY_EMAIL_HOURS} hours):\n\n{link}\n"
    );
    deliver(state, email, "Confirm your email for District", &body).await;
}

/// Mail is best effort: a failed send is logged and the user can ask again.
async fn deliver(state: &AppState, to: &str, subject: &str, body: &str) {
    if let Err(err) = state.mailer.send(to, subject, body).await {
        tracing::error!(error = %err, "could not send email");
    }
}

async fn hash_password(password: String) -> Result<String, AccountError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|_| AccountError::Internal)?
        .map_err(|err| {
            tracing::error!(error = %err, "password hashing failed");
            AccountError::Internal
        })
}

/// A real hash to verify against when the email is unknown, so both cases take as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash("no account has this password").expect("hashing works"))
}

fn constraint(err: &sqlx::Error) -> Option<&str> {
    err.as_database_error().and_then(|e| e.constraint())
}

fn on_email_taken(err: sqlx::Error) -> AccountError {
    match constraint(&err) {
        Some("users_email_key") => AccountError::EmailTaken,
        _ => err.into(),
    }
}
