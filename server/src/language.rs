//! Which language a page is in: `?lang=` (remembered in the `lang` cookie, and as the user's
//! setting when signed in), then the signed-in user's setting, then the cookie, then
//! `Accept-Language`, then English. The answer goes on the request, where the page reads it
//! (`app::i18n`); the REST API and the site's files are left alone.

use app::{
    account::{auth::SESSION_USER, Accounts},
    i18n::{Lang, COOKIE},
    ids::UserId,
};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Uri},
    middleware::Next,
    response::Response,
};
use tower_sessions::Session;

/// A year: the choice outlives a session.
const KEEP_SECONDS: u32 = 365 * 24 * 3600;

#[derive(Clone)]
pub struct Languages {
    pub accounts: Accounts,
    pub secure_cookies: bool,
}

pub async fn negotiate(
    State(languages): State<Languages>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path.starts_with("/pkg/") {
        return next.run(request).await;
    }
    let asked = asked(request.uri());
    let session = request.extensions().get::<Session>().cloned();
    let user: Option<UserId> = match &session {
        Some(session) => session.get(SESSION_USER).await.ok().flatten(),
        None => None,
    };
    let setting = match (asked, user) {
        (None, Some(user)) => languages.accounts.language(user).await.ok().flatten(),
        _ => None,
    };
    let cookie = cookie(request.headers());
    let accepted = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language);
    let lang = asked
        .or(setting)
        .or(cookie)
        .or(accepted)
        .unwrap_or_default();
    request.extensions_mut().insert(lang);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.append(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    if let Some(lang) = asked {
        if cookie != Some(lang) {
            let secure = if languages.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let value = format!(
                "{COOKIE}={}; Path=/; Max-Age={KEEP_SECONDS}; SameSite=Lax{secure}",
                lang.as_str()
            );
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(header::SET_COOKIE, value);
            }
        }
        if let Some(user) = user {
            if let Err(err) = languages.accounts.set_language(user, lang).await {
                tracing::warn!(error = %err, "the language setting was not saved");
            }
        }
    }
    response
}

/// `?lang=` when it names one of ours.
fn asked(uri: &Uri) -> Option<Lang> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .and_then(Lang::parse)
}

/// The `lang` cookie when it names one of ours.
fn cookie(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix("lang="))
        .and_then(Lang::parse)
}
