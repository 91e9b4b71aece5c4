//! Server functions behind the account pages: the same service as the REST API, with a cookie
//! session instead of tokens. Each works as a plain form post before the wasm loads.

use super::{AccountError, Profile};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::account::{
        auth::{self, Principal},
        AccountError, Accounts,
    };
    use leptos::prelude::expect_context;
    use tower_sessions::Session;

    pub fn accounts() -> Accounts {
        expect_context::<Accounts>()
    }

    pub async fn session() -> Result<Session, AccountError> {
        leptos_axum::extract::<Session>().await.map_err(|err| {
            tracing::error!(error = %err, "no session layer");
            AccountError::Internal
        })
    }

    pub fn client_ip() -> String {
        let parts = leptos::prelude::use_context::<http::request::Parts>();
        parts
            .map(|p| auth::client_ip(&p, accounts().settings().trust_forwarded_for))
            .unwrap_or_else(|| "unknown".into())
    }

    /// The same extractor the REST handlers use. Nobody is asking when there is no request
    /// (the router renders the app once to list its routes).
    pub async fn principal() -> Result<Option<Principal>, AccountError> {
        let Some(accounts) = leptos::prelude::use_context::<Accounts>() else {
            return Ok(None);
        };
        leptos_axum::extract_with_state::<Option<Principal>, Accounts>(&accounts)
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "could not tell who is asking");
                AccountError::Internal
            })
    }

    pub async fn signed_in() -> Result<Principal, AccountError> {
        principal().await?.ok_or(AccountError::Unauthenticated)
    }

    pub use crate::error::answer;

    /// Only paths on this site, so a crafted `next` cannot send people elsewhere.
    pub fn local_path(next: Option<String>, default: &str) -> String {
        next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
            .unwrap_or_else(|| default.to_owned())
    }
}

/// The signed-in user's profile, or nothing for visitors.
#[server(prefix = "/_fn", endpoint = "account/current")]
pub async fn current_user() -> Result<Option<Profile>, AccountError> {
    ssr::answer(
        async move {
            match ssr::principal().await? {
                Some(who) => ssr::accounts().profile(who.user_id).await.map(Some),
                None => Ok(None),
            }
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/signup")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    phone: Option<String>,
) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            use super::{auth, SignupInput};
            let accounts = ssr::accounts();
            accounts.throttle_signup(&ssr::client_ip()).await?;
            let input = SignupInput {
                name,
                email,
                password,
                phone,
            };
            let who = accounts.sign_up(&input).await?;
            auth::start_session(&ssr::session().await?, &who).await?;
            leptos_axum::redirect("/account?welcome=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/login")]
pub async fn log_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            let accounts = ssr::accounts();
            accounts.throttle_login(&ssr::client_ip(), &email).await?;
            let who = accounts.authenticate(&email, &password).await?;
            super::auth::start_session(&ssr::session().await?, &who).await?;
            leptos_axum::redirect(&ssr::local_path(next, "/account"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/logout")]
pub async fn log_out() -> Result<(), AccountError> {
    ssr::answer(
        async move {
            ssr::session()
                .await?
                .flush()
                .await
                .map_err(super::auth::session_error)?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/verify-email")]
pub async fn confirm_email(token: String) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            let accounts = ssr::accounts();
            accounts.throttle_verify(&ssr::client_ip(), None).await?;
            accounts.verify_email(&token).await?;
            leptos_axum::redirect("/verify-email?done=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/forgot-password")]
pub async fn request_password_reset(email: String) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            let accounts = ssr::accounts();
            accounts.throttle_forgot(&ssr::client_ip(), &email).await?;
            accounts.forgot_password(&email).await?;
            leptos_axum::redirect("/forgot-password?sent=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/reset-password")]
pub async fn choose_new_password(token: String, password: String) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            let accounts = ssr::accounts();
            accounts.throttle_verify(&ssr::client_ip(), None).await?;
            accounts.reset_password(&token, &password).await?;
            leptos_axum::redirect("/login?reset=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/profile")]
pub async fn save_profile(name: String, email: String, phone: String) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            use super::ProfileUpdate;
            let who = ssr::signed_in().await?;
            let update = ProfileUpdate {
                name: Some(name),
                email: Some(email),
                phone: Some(phone),
                preferred_city_id: None,
            };
            ssr::accounts().update_profile(who.user_id, &update).await?;
            leptos_axum::redirect("/account?saved=1");
            Ok(())
        }
        .await,
    )
}
