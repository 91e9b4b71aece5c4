//! The site as a browser without JavaScript uses it: plain form posts to server functions,
//! signed in with the session cookie.

use super::{venue::Venue, Reply};
use axum::{body::Body, http::Request, Router};
use uuid::Uuid;

pub const ORIGIN: &str = "http://district.test";

/// Posts a form from the page at `from` to a server function as a browser without JavaScript
/// does: brackets in field names percent-encoded, no `Accept: application/json`.
pub async fn post_form(
    app: &Router,
    from: &str,
    path: &str,
    form: &str,
    cookie: Option<&str>,
) -> Reply {
    let mut request = Request::post(path)
        .header("host", "district.test")
        .header("origin", ORIGIN)
        .header("referer", format!("{ORIGIN}{from}"))
        .header("accept", "text/html")
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    super::request(app, request.body(Body::from(form.to_owned())).unwrap()).await
}

/// Signs the demo customer in and returns the session cookie.
pub async fn sign_in(app: &Router) -> String {
    sign_in_as(app, "customer@demo.district.test").await
}

/// Signs a demo user in and returns the session cookie.
pub async fn sign_in_as(app: &Router, email: &str) -> String {
    let form = format!("email={}&password=district-demo", email.replace('@', "%40"));
    let reply = post_form(app, "/login", "/_fn/account/login", &form, None).await;
    reply
        .session_cookie()
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no session cookie: {} {}", reply.status, reply.body))
}

/// The hold form with these seats ticked, as the browser posts it.
pub fn hold_form(page: &str, venue: &Venue, labels: &[&str]) -> String {
    let mut form = format!("show_id={}", venue.show_id);
    for seat in venue.ids(labels) {
        form.push('&');
        form.push_str(&seat_field(page, seat));
    }
    form
}

/// The form field a seat's checkbox posts, as the browser encodes it.
pub fn seat_field(page: &str, seat: Uuid) -> String {
    let value = format!(r#"value="{seat}""#);
    let at = page.find(&value).expect("the seat is on the map");
    let name = &page[..at]
        .rsplit_once(r#"name=""#)
        .expect("a named field")
        .1;
    let name = name.split('"').next().unwrap();
    format!("{}={seat}", name.replace('[', "%5B").replace(']', "%5D"))
}
