//! Cross-site request protection for server functions and the dashboard's own form routes: a
//! state-changing call must come from a page of this site. Together with SameSite=Lax session
//! cookies this stops forged form posts.

use app::error::envelope;
use axum::{
    extract::Request,
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::Response,
};

pub async fn same_origin_server_functions(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let guarded = (path.starts_with("/_fn/") || path.starts_with("/dashboard/"))
        && !matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        );
    if guarded && !same_origin(request.headers()) {
        return envelope(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "This request did not come from a District page.",
            Default::default(),
            None,
        );
    }
    next.run(request).await
}

/// True when Origin (or, without it, Referer) names the host the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    source
        .and_then(|url| url.split_once("://"))
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
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
        let host = (header::HOST, "district.example:8080");
        assert!(same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "http://district.example:8080")
        ])));
        assert!(same_origin(&headers(&[
            host.clone(),
            (header::REFERER, "https://district.example:8080/login?x=1")
        ])));
        assert!(!same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "http://district.example:8080.evil.example")
        ])));
        assert!(!same_origin(&headers(&[host, (header::ORIGIN, "null")])));
        assert!(!same_origin(&headers(&[(
            header::ORIGIN,
            "http://district.example:8080"
        )])));
    }
}
