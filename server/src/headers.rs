//! Security headers on every response (pages, API, static files). The Content-Security-Policy
//! allows scripts from this site, those carrying this response's nonce (Leptos puts it on the
//! hydration and streaming scripts), the two gateways' checkout scripts and frames and the
//! trailer frames; wasm
//! may be compiled, nothing may frame the site, and forms post only here.

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;

/// This request's CSP nonce, for the page render to put on its inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

/// What the headers depend on: HSTS is sent outside development.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub hsts: bool,
}

const GATEWAY_SCRIPTS: &str = "https://js.stripe.com https://checkout.razorpay.com";
/// The gateways' checkout frames, and trailers (embedded from YouTube's no-cookie domain).
const FRAMES: &str = "https://js.stripe.com https://hooks.stripe.com https://api.razorpay.com \
                      https://checkout.razorpay.com https://www.youtube-nocookie.com \
                      https://www.youtube.com";
const GATEWAY_CALLS: &str =
    "https://api.stripe.com https://api.razorpay.com https://lumberjack.razorpay.com";

pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval' {GATEWAY_SCRIPTS}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https://*.stripe.com; \
         connect-src 'self' {GATEWAY_CALLS}; frame-src {FRAMES}; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(
    State(policy): State<Policy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce: Arc<str> = uuid::Uuid::new_v4().simple().to_string().into();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        &content_security_policy(&nonce),
    );
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Same-origin requests keep their Referer, which the cross-site check falls back on.
    set(header::REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "geolocation=(self), camera=(), microphone=(), payment=(self)",
    );
    if policy.hsts {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    response
}
