//! Server functions behind the account pages: the same service as the REST API, with a cookie
//! session instead of tokens. Each works as a plain form post before the wasm loads.

use super::{AccountError, Profile};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::{
        account::{auth::Principal, AccountError, Accounts},
        ratelimit::client::client_address,
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
            .map(|p| client_address(&p, accounts().settings().trusted_proxy_hops))
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

    /// Only paths on this site, so a crafted `next` cannot send people elsewhere: one leading
    /// slash, no backslash (browsers read it as a slash), and no whitespace or control
    /// character (browsers drop TAB, CR and LF, so `/\t/evil.example` is `//evil.example`).
    pub fn local_path(next: Option<String>, default: &str) -> String {
        next.filter(|n| {
            n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
        })
        .unwrap_or_else(|| default.to_owned())
    }

    #[cfg(test)]
    mod tests {
        use super::local_path;

        #[test]
        fn no_open_redirect_payload_leaves_the_site() {
            // From the usual open-redirect payload lists, with the tricks browsers fall for.
            let payloads = [
                "//evil.example",
                "///evil.example",
                "/\\evil.example",
                "\\/evil.example",
                "/\t/evil.example",
                "/\r\n/evil.example",
                "/ /evil.example",
                "/\u{0}/evil.example",
                "/\u{1b}/evil.example",
                "/\u{a0}/evil.example",
                "https://evil.example",
                "http:evil.example",
                "javascript:alert(1)",
                "evil.example",
                "",
            ];
            for payload in payloads {
                assert_eq!(
                    local_path(Some(payload.into()), "/account"),
                    "/account",
                    "{payload:?}"
                );
            }
            for fine in [
                "/shows/1?seats=A1,A2",
                "/%2F%2Fevil.example",
                "/movies/kaveri#top",
            ] {
                assert_eq!(local_path(Some(fine.into()), "/account"), fine);
            }
        }
    }
}

/// The signed-in user's profile, or nothing for visitors.
#[server(prefix = "/_fn", endpoint = "account/current")]
pub async fn current_user() -> Result<Option<Profile>, AccountError> {
    ssr::answer(
        async move {
            // Taken before waiting: a page left mid-render loses its context meanwhile.
            let accounts = ssr::accounts();
            match ssr::principal().await? {
                Some(who) => accounts.profile(who.user_id).await.map(Some),
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
            // Mail is written in the language they signed up in.
            let input = SignupInput {
                name,
                email,
                password,
                phone,
                language: Some(crate::i18n::use_lang()),
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
            let who = accounts
                .sign_in(&ssr::client_ip(), &email, &password)
                .await?;
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
            // Tickets kept for offline use (public/sw.js) leave with the session.
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.insert_header(
                    http::header::HeaderName::from_static("clear-site-data"),
                    http::HeaderValue::from_static("\"storage\""),
                );
            }
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
pub async fn save_profile(
    name: String,
    email: String,
    phone: String,
    #[server(default)] current_password: Option<String>,
) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            use super::ProfileUpdate;
            let who = ssr::signed_in().await?;
            let update = ProfileUpdate {
                name: Some(name),
                email: Some(email),
                phone: Some(phone),
                preferred_city_id: None,
                notify: None,
                current_password,
            };
            ssr::accounts().update_profile(who.user_id, &update).await?;
            leptos_axum::redirect("/account?saved=1");
            Ok(())
        }
        .await,
    )
}

/// The channels a user hears about their bookings on; a box left unticked is sent as nothing.
#[server(prefix = "/_fn", endpoint = "account/channels")]
pub async fn save_channels(
    #[server(default)] email: Option<String>,
    #[server(default)] sms: Option<String>,
    #[server(default)] push: Option<String>,
) -> Result<(), AccountError> {
    ssr::answer(
        async move {
            use super::{Channels, ProfileUpdate};
            let who = ssr::signed_in().await?;
            let update = ProfileUpdate {
                notify: Some(Channels {
                    email: email.is_some(),
                    sms: sms.is_some(),
                    push: push.is_some(),
                }),
                ..ProfileUpdate::default()
            };
            ssr::accounts().update_profile(who.user_id, &update).await?;
            leptos_axum::redirect("/account?saved=1");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "account/cancel-email-change")]
pub async fn cancel_email_change() -> Result<(), AccountError> {
    ssr::answer(
        async move {
            let who = ssr::signed_in().await?;
            ssr::accounts().cancel_email_change(who.user_id).await?;
            leptos_axum::redirect("/account?saved=1");
            Ok(())
        }
        .await,
    )
}
