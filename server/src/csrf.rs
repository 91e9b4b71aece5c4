//! Cross-site request protection: a state-changing call a browser's cookies authenticate must
//! come from a page of this site, that is from the scheme and host of PUBLIC_URL. That covers
//! server functions, the dashboard's own form routes, and REST calls sent with the session
//! cookie instead of a Bearer token. Together with SameSite=Lax cookies this stops forged posts.

use crate::sessions::{COOKIE, SECURE_COOKIE};
use app::error::envelope;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;

/// The site's own origin, `scheme://host[:port]`, from PUBLIC_URL.
#[derive(Clone, Debug)]
pub struct SiteOrigin(Arc<str>);

impl SiteOrigin {
    pub fn from_public_url(url: &str) -> Self {
        Self(origin_of(url).unwrap_or_default().into())
    }
}

pub async fn same_origin(State(site): State<SiteOrigin>, request: Request, next: Next) -> Response {
    if guarded(&request) && !from_site(request.headers(), &site) {
        return envelope(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            &app::i18n::Text::new("err-cross-site"),
            Default::default(),
            None,
        );
    }
    next.run(request).await
}

/// A state-changing request that a browser's cookies would authenticate.
fn guarded(request: &Request) -> bool {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return false;
    }
    let path = request.uri().path();
    let headers = request.headers();
    let cookie_signed_api = path.starts_with("/api/")
        && carries_session(headers)
        && !headers.contains_key(header::AUTHORIZATION);
    path.starts_with("/_fn/") || path.starts_with("/dashboard/") || cookie_signed_api
}

/// Whether the request sends the browser session cookie (other cookies authenticate nothing).
fn carries_session(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|line| line.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, _)| name == COOKIE || name == SECURE_COOKIE)
}

/// True when Origin (or, without it, Referer) names this site's scheme and host.
fn from_site(headers: &HeaderMap, site: &SiteOrigin) -> bool {
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    !site.0.is_empty() && source.and_then(origin_of).as_deref() == Some(&*site.0)
}

/// `scheme://authority` of a URL, lower-cased; none for `null` or anything without a scheme.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!scheme.is_empty() && !authority.is_empty())
        .then(|| format!("{scheme}://{authority}").to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn only_this_site_may_call() {
        let site = SiteOrigin::from_public_url("https://district.example/");
        let from = |pairs: &[(header::HeaderName, &str)]| from_site(&headers(pairs), &site);
        assert!(from(&[(header::ORIGIN, "https://district.example")]));
        assert!(from(&[(header::ORIGIN, "https://DISTRICT.example")]));
        assert!(from(&[(
            header::REFERER,
            "https://district.example/login?x=1"
        )]));
        assert!(
            !from(&[(header::ORIGIN, "http://district.example")]),
            "scheme"
        );
        assert!(!from(&[(header::ORIGIN, "https://evil.example")]));
        assert!(!from(&[(
            header::ORIGIN,
            "https://district.example.evil.example"
        )]));
        assert!(!from(&[(header::ORIGIN, "null")]));
        assert!(!from(&[]));
    }
}
