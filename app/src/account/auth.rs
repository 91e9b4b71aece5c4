//! Who is asking: one extractor for REST handlers (Bearer JWT) and server functions (cookie
//! session), and the role and theater checks both use.

use super::{service::fingerprint, AccountError, Accounts, Role, SignedIn};
use crate::ids::UserId;
use axum::{
    extract::{FromRef, FromRequestParts, OptionalFromRequestParts},
    http::{header::AUTHORIZATION, request::Parts},
};
use tower_sessions::Session;

pub const SESSION_USER: &str = "user_id";
pub const SESSION_FINGERPRINT: &str = "fp";
/// When the user signed in (unix seconds).
pub const SESSION_STARTED: &str = "started";
/// However active, a signed-in browser session ends this long after its sign-in, so a cookie
/// taken once does not work for ever.
pub const SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(30 * 86_400);

/// The span of the request being served, kept in its extensions by the server, so the user
/// can be named in it from inside spans that middleware opens.
#[derive(Clone, Debug)]
pub struct RequestSpan(pub tracing::Span);

/// A signed-in user. Extracting it answers 401 when there are no valid credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub role: Role,
}

impl Principal {
    /// 403 unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AccountError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AccountError::Forbidden)
        }
    }
}

impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    Accounts: FromRef<S>,
{
    type Rejection = AccountError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AccountError> {
        <Self as OptionalFromRequestParts<S>>::from_request_parts(parts, state)
            .await?
            .ok_or(AccountError::Unauthenticated)
    }
}

/// As `Option<Principal>`: a visitor is `None`, while a bad token is still a 401.
impl<S> OptionalFromRequestParts<S> for Principal
where
    S: Send + Sync,
    Accounts: FromRef<S>,
{
    type Rejection = AccountError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, AccountError> {
        let found = Self::find(parts, Accounts::from_ref(state)).await;
        if let Ok(Some(principal)) = &found {
            // Into the request's span, so its log lines name the user.
            let span = parts.extensions.get::<RequestSpan>();
            let span = span.map_or_else(tracing::Span::current, |s| s.0.clone());
            span.record("user_id", tracing::field::display(principal.user_id));
        }
        found
    }
}

impl Principal {
    async fn find(parts: &Parts, accounts: Accounts) -> Result<Option<Self>, AccountError> {
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .ok_or(AccountError::Unauthenticated)?;
            let claims = accounts
                .jwt
                .verify(token.trim())
                .ok_or(AccountError::Unauthenticated)?;
            return Ok(Some(Self {
                user_id: claims.sub,
                role: claims.role,
            }));
        }
        match parts.extensions.get::<Session>().cloned() {
            Some(session) => accounts.from_session(&session).await,
            None => Ok(None),
        }
    }
}

impl Accounts {
    /// The user a browser session belongs to. A session opened before the password last
    /// changed is ended here, which is how a password reset signs out every browser.
    pub async fn from_session(&self, session: &Session) -> Result<Option<Principal>, AccountError> {
        let user: Option<UserId> = session.get(SESSION_USER).await.map_err(session_error)?;
        let Some(user_id) = user else {
            return Ok(None);
        };
        let stored: Option<String> = session
            .get(SESSION_FINGERPRINT)
            .await
            .map_err(session_error)?;
        let started: Option<i64> = session.get(SESSION_STARTED).await.map_err(session_error)?;
        let age = started.map(|at| chrono::Utc::now().timestamp().saturating_sub(at));
        if !age.is_some_and(|age| (0..=SESSION_LIFETIME.as_secs() as i64).contains(&age)) {
            session.flush().await.map_err(session_error)?;
            return Ok(None);
        }
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT role, password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(self.db())
                .await?;
        match row {
            Some((role, hash)) if stored.as_deref() == Some(fingerprint(&hash).as_str()) => {
                Ok(Role::parse(&role).map(|role| Principal { user_id, role }))
            }
            _ => {
                session.flush().await.map_err(session_error)?;
                Ok(None)
            }
        }
    }
}

/// Starts a browser session for a sign-in, under a fresh session id (no fixation).
pub async fn start_session(session: &Session, who: &SignedIn) -> Result<(), AccountError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(SESSION_USER, who.user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(SESSION_FINGERPRINT, &who.fingerprint)
        .await
        .map_err(session_error)?;
    session
        .insert(SESSION_STARTED, chrono::Utc::now().timestamp())
        .await
        .map_err(session_error)?;
    Ok(())
}

pub fn session_error(err: tower_sessions::session::Error) -> AccountError {
    tracing::error!(error = %err, "session store failed");
    AccountError::Internal
}
