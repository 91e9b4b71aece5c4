//! Stripe's API for tests: `localstripe` (a third-party implementation from PyPI) on a free port,
//! behind a shim of our own where it falls short. localstripe answers PaymentIntents in the
//! shape of an older API version; the shim adds the fields today's API always sends (and
//! async-stripe requires) before passing the answer on. Everything else, and every webhook
//! localstripe sends, is localstripe's own.

use axum::{body::Bytes, extract::Request, http::StatusCode, response::IntoResponse, Router};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};

pub const SECRET_KEY: &str = "sk_test_district";

pub struct LocalStripe {
    /// localstripe itself, for what the browser and Stripe's dashboard would do.
    pub direct: String,
    /// The shim in front of it: what the app is pointed at (STRIPE_API_BASE).
    pub api_base: String,
    child: Child,
}

impl LocalStripe {
    pub async fn start() -> Self {
        let port = super::free_port();
        let child = Command::new("localstripe")
            .args(["--port", &port.to_string(), "--from-scratch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("localstripe must be installed (make test installs it)");
        super::wait_for_port(port, "localstripe");
        let direct = format!("http://127.0.0.1:{port}");
        let shim = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api_base = format!("http://{}", shim.local_addr().unwrap());
        let upstream = direct.clone();
        let app =
            Router::new().fallback(move |request: Request| forward(upstream.clone(), request));
        tokio::spawn(async move { axum::serve(shim, app).await });
        Self {
            direct,
            api_base,
            child,
        }
    }

    /// A form post to localstripe as the account's owner.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let request = reqwest::Client::new().post(format!("{}{path}", self.direct));
        answer(request.form(form)).await
    }

    /// An object as localstripe has it.
    pub async fn get(&self, path: &str) -> Value {
        answer(reqwest::Client::new().get(format!("{}{path}", self.direct))).await
    }

    /// Tells localstripe to send these events to `url`, signed with `secret`.
    pub async fn webhook(&self, url: &str, secret: &str, events: &[&str]) {
        let mut form = vec![("url", url), ("secret", secret)];
        form.extend(events.iter().map(|e| ("events[]", *e)));
        let url = format!("{}/_config/webhooks/wh_district", self.direct);
        let request = reqwest::Client::new()
            .post(url)
            .basic_auth(SECRET_KEY, Some(""));
        let answer = request.form(&form).send().await.unwrap();
        assert!(answer.status().is_success(), "localstripe took the webhook");
    }

    /// What Stripe.js does when the moviegoer pays with `card` on the PaymentIntent.
    pub async fn pay(&self, intent: &str, card: &str) -> Value {
        let method = self
            .post(
                "/v1/payment_methods",
                &[
                    ("type", "card"),
                    ("card[number]", card),
                    ("card[exp_month]", "12"),
                    ("card[exp_year]", "2040"),
                    ("card[cvc]", "123"),
                ],
            )
            .await;
        let method = method["id"].as_str().unwrap();
        let path = format!("/v1/payment_intents/{intent}");
        self.post(&path, &[("payment_method", method)]).await;
        self.post(&format!("{path}/confirm"), &[]).await
    }
}

async fn answer(request: reqwest::RequestBuilder) -> Value {
    let response = request
        .basic_auth(SECRET_KEY, Some(""))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

impl Drop for LocalStripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn forward(upstream: String, request: Request) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut outgoing =
        reqwest::Client::new().request(parts.method.clone(), format!("{upstream}{path}"));
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = outgoing.body(body).send().await.unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    let mut value: Value = answer.json().await.unwrap_or(Value::Null);
    if value["object"] == "payment_intent" {
        complete_intent(&mut value);
    }
    (status, axum::Json(value)).into_response()
}

/// A PaymentIntent as today's API answers it: the fields localstripe's older shape lacks added,
/// and its latest charge by id (localstripe expands it, in a shape of its own). The fault
/// scripts' proxy (scripts/chaos/stripe_proxy.py) does the same.
fn complete_intent(intent: &mut Value) {
    if let Some(id) = intent["latest_charge"].get("id").cloned() {
        intent["latest_charge"] = id;
    }
    let received = if intent["status"] == "succeeded" {
        intent["amount"].clone()
    } else {
        json!(0)
    };
    let defaults = [
        ("amount_capturable", json!(0)),
        ("amount_received", received),
        ("confirmation_method", json!("automatic")),
        ("payment_method_types", json!(["card"])),
    ];
    for (field, value) in defaults {
        if intent[field].is_null() {
            intent[field] = value;
        }
    }
}
