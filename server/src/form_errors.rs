//! Form errors in the address bar, shown only when this server put them there.
//!
//! A plain form post whose server function fails is sent back to its page with the error in
//! the query (`__err`, beside `__path`), and the page shows it, on the server and again in the
//! browser, which reads the address bar. Anyone can write such a link, so each error going
//! out is signed (`__errsig`, an HMAC under a key of this deployment), and a request whose
//! error is not signed is sent on to the same address without it: a crafted link cannot make
//! the sign-in form say what its author wrote. Parameter names are compared decoded, as the
//! page reads them. No state is kept: a signed link shows its error in any browser, and only
//! errors this server wrote can be signed.

use app::payment::signature;
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, Uri},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use sha2::{Digest, Sha256};
use std::sync::Arc;

const ERROR: &str = "__err";
const PATH: &str = "__path";
const SIGNATURE: &str = "__errsig";

/// The key that signs form errors, derived from a secret of the deployment.
#[derive(Clone)]
pub struct Signer(Arc<[u8; 32]>);

impl Signer {
    pub fn new(secret: &[u8]) -> Self {
        let key = Sha256::new()
            .chain_update(b"district form errors\0")
            .chain_update(secret)
            .finalize();
        Self(Arc::new(key.into()))
    }

    fn sign(&self, error: &str) -> String {
        signature::hex_signature(self.0.as_slice(), error.as_bytes())
    }

    fn verify(&self, error: &str, tag: &str) -> bool {
        signature::verify_hex(self.0.as_slice(), Some(tag), error.as_bytes()).is_ok()
    }
}

pub async fn only_ours(State(signer): State<Signer>, request: Request, next: Next) -> Response {
    let query = request.uri().query().unwrap_or_default().as_bytes();
    if form_urlencoded::parse(query).any(|(name, _)| name == ERROR || name == PATH) {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query).into_owned().collect();
        let value = |wanted: &str| pairs.iter().find(|(name, _)| name == wanted);
        let errors = pairs.iter().filter(|(name, _)| name == ERROR).count();
        let signed = match (value(ERROR), value(SIGNATURE)) {
            (Some((_, error)), Some((_, tag))) => signer.verify(error, tag),
            _ => false,
        };
        if errors != 1 || !signed {
            return Redirect::to(&without_error(request.uri(), &pairs)).into_response();
        }
    }
    let mut response = next.run(request).await;
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(location) = location {
        if let Some(signed) = with_signature(&location, &signer) {
            if let Ok(value) = HeaderValue::from_str(&signed) {
                response.headers_mut().insert(header::LOCATION, value);
            }
        }
    }
    response
}

/// `location` with its error signed, when it carries one. A form posted again from a page
/// that showed an error has the old error in its address too (Leptos appends the new one), so
/// only the newest error and its path are kept.
fn with_signature(location: &str, signer: &Signer) -> Option<String> {
    let (address, fragment) = match location.split_once('#') {
        Some((address, fragment)) => (address, Some(fragment)),
        None => (location, None),
    };
    let (base, query) = address.split_once('?')?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let newest = |wanted: &str| pairs.iter().rev().find(|(name, _)| name == wanted);
    let (_, error) = newest(ERROR)?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(pairs.iter().filter(|(name, _)| !is_error_parameter(name)));
    if let Some((_, path)) = newest(PATH) {
        query.append_pair(PATH, path);
    }
    query.append_pair(ERROR, error);
    query.append_pair(SIGNATURE, &signer.sign(error));
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    Some(format!("{base}?{}{fragment}", query.finish()))
}

fn is_error_parameter(name: &str) -> bool {
    [ERROR, PATH, SIGNATURE].contains(&name)
}

/// The same path and query without the error's parameters.
fn without_error(uri: &Uri, pairs: &[(String, String)]) -> String {
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(name, _)| !is_error_parameter(name))
        .collect();
    if kept.is_empty() {
        return uri.path().to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{}?{query}", uri.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_signed_error_passes_and_stripping_keeps_the_rest() {
        let signer = Signer::new(b"secret");
        // A second failure from a page showing the first: only the newest error stays.
        let location = "http://district.test/login?next=%2Fbookings&__path=%2F_fn&__err=old\
                        &__errsig=00&__path=%2F_fn&__err=eyJ9";
        let signed = with_signature(location, &signer).unwrap();
        let (kept, signature) = signed.rsplit_once("&__errsig=").unwrap();
        assert_eq!(
            kept,
            "http://district.test/login?next=%2Fbookings&__path=%2F_fn&__err=eyJ9"
        );
        assert!(signer.verify("eyJ9", signature));
        assert!(!signer.verify("eyJ0", signature), "another error");
        assert!(
            !Signer::new(b"other").verify("eyJ9", signature),
            "another key"
        );
        assert_eq!(with_signature("/login?next=%2F", &signer), None);

        let uri: Uri = "/login?next=%2Fbookings&%5F%5Ferr=x&__path=y"
            .parse()
            .unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap().as_bytes())
            .into_owned()
            .collect();
        assert_eq!(without_error(&uri, &pairs), "/login?next=%2Fbookings");
    }
}
