//! Form errors in the address bar, shown only when this server put them there.
//!
//! A plain form post whose server function fails is sent back to its page with the error in
//! the query (`__err`, beside `__path`), and the page shows it. Anyone can write such a link,
//! so each error is remembered in the browser's session as it goes out, and an `__err` the
//! session does not hold is dropped before the page renders: a crafted link cannot make the
//! sign-in form say what its author wrote.

use axum::{
    extract::Request,
    http::{header, Uri},
    middleware::Next,
    response::Response,
};
use tower_sessions::Session;

const KEY: &str = "form_error";
const ERROR: &str = "__err";
const PATH: &str = "__path";

pub async fn only_ours(session: Session, mut request: Request, next: Next) -> Response {
    if let Some(error) = query_value(request.uri().query(), ERROR) {
        let ours: Option<String> = session.get(KEY).await.ok().flatten();
        if ours.as_deref() != Some(error) {
            *request.uri_mut() = without_error(request.uri());
        }
    }
    let response = next.run(request).await;
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok());
    let sent = location.and_then(|l| query_value(l.split_once('?').map(|(_, q)| q), ERROR));
    if let Some(error) = sent {
        if let Err(err) = session.insert(KEY, error).await {
            tracing::warn!(error = %err, "could not remember a form error");
        }
    }
    response
}

/// A parameter's raw (still encoded) value.
fn query_value<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn without_error(uri: &Uri) -> Uri {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| {
            let key = pair.split_once('=').map_or(*pair, |(key, _)| key);
            key != ERROR && key != PATH
        })
        .collect();
    let path_and_query = match kept.is_empty() {
        true => uri.path().to_owned(),
        false => format!("{}?{}", uri.path(), kept.join("&")),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = path_and_query.parse().ok();
    Uri::from_parts(parts).unwrap_or_else(|_| Uri::from_static("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_only_the_error_parameters() {
        let uri: Uri = "/login?next=%2Fbookings&__path=%2F_fn%2Flogin&__err=eyJ9"
            .parse()
            .unwrap();
        assert_eq!(query_value(uri.query(), ERROR), Some("eyJ9"));
        assert_eq!(without_error(&uri).to_string(), "/login?next=%2Fbookings");
        let bare: Uri = "/login?__err=x".parse().unwrap();
        assert_eq!(without_error(&bare).to_string(), "/login");
    }
}
