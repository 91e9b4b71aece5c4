//! A stand-in for Razorpay's API (no implementation of it installs from a registry here): orders,
//! their payments and refunds over Basic-auth JSON as Razorpay answers them, and webhooks signed
//! the way Razorpay signs them (hex HMAC-SHA256 of the body, the event id in a header), sent
//! again until they are accepted. Tests play the moviegoer's side with `pay`.

use app::payment::signature::hex_signature;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

pub const KEY_ID: &str = "rzp_test_district";
pub const KEY_SECRET: &str = "district_key_secret";
pub const WEBHOOK_SECRET: &str = "district_razorpay_webhook_secret";

#[derive(Default)]
struct Books {
    orders: Vec<Value>,
    payments: Vec<Value>,
    refunds: Vec<Value>,
    /// Refunds by their idempotency key.
    keys: HashMap<String, Value>,
    webhook: Option<String>,
}

#[derive(Clone)]
pub struct Razorpay {
    pub api_base: String,
    books: Arc<Mutex<Books>>,
}

fn id(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..14]
    )
}

impl Razorpay {
    pub async fn start() -> Self {
        let books = Arc::new(Mutex::new(Books::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api_base = format!("http://{}", listener.local_addr().unwrap());
        let stand_in = Self { api_base, books };
        let app = Router::new()
            .route("/v1/orders", get(orders).post(create_order))
            .route("/v1/orders/{id}/payments", get(order_payments))
            .route("/v1/payments/{id}/refund", post(refund))
            .route("/v1/refunds/{id}", get(refund_of))
            .with_state(stand_in.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        stand_in
    }

    /// Where webhooks go.
    pub fn webhook(&self, url: &str) {
        self.books.lock().unwrap().webhook = Some(url.to_owned());
    }

    pub fn orders_with_receipt(&self, receipt: &str) -> usize {
        let books = self.books.lock().unwrap();
        books
            .orders
            .iter()
            .filter(|o| o["receipt"] == receipt)
            .count()
    }

    pub fn refunds(&self) -> Vec<Value> {
        self.books.lock().unwrap().refunds.clone()
    }

    /// The moviegoer pays the order on Razorpay Checkout (or the bank declines): the payment is
    /// recorded and its webhook sent. Answers the event's id and body, for replays.
    pub async fn pay(&self, order: &str, captured: bool) -> (String, String) {
        let payment = self.record_payment(order, captured);
        let event = if captured {
            "payment.captured"
        } else {
            "payment.failed"
        };
        self.send(event, json!({"payment": {"entity": payment}}))
            .await
    }

    /// A payment of the order as Razorpay records it, its webhook not (yet) sent.
    pub fn record_payment(&self, order: &str, captured: bool) -> Value {
        let mut books = self.books.lock().unwrap();
        let order = books
            .orders
            .iter()
            .find(|o| o["id"] == order)
            .unwrap()
            .clone();
        let payment = json!({
            "id": id("pay"), "entity": "payment", "order_id": order["id"],
            "amount": order["amount"], "currency": order["currency"],
            "status": if captured { "captured" } else { "failed" },
            "error_description": if captured { Value::Null } else { json!("Payment was declined by the bank.") },
        });
        books.payments.push(payment.clone());
        payment
    }

    /// Signs and sends an event, again until it is accepted (as Razorpay retries).
    pub async fn send(&self, event: &str, payload: Value) -> (String, String) {
        let event_id = id("evt");
        let body = json!({"entity": "event", "event": event, "payload": payload}).to_string();
        self.deliver(&event_id, &body).await;
        (event_id, body)
    }

    /// One event as Razorpay sends it, until a 2xx (or ten tries).
    pub async fn deliver(&self, event_id: &str, body: &str) -> u16 {
        let url = self
            .books
            .lock()
            .unwrap()
            .webhook
            .clone()
            .expect("a webhook URL");
        let mut status = 0;
        for _ in 0..10 {
            let sent = reqwest::Client::new()
                .post(&url)
                .header("content-type", "application/json")
                .header("x-razorpay-event-id", event_id)
                .header(
                    "x-razorpay-signature",
                    hex_signature(WEBHOOK_SECRET.as_bytes(), body.as_bytes()),
                )
                .body(body.to_owned())
                .send()
                .await
                .unwrap();
            status = sent.status().as_u16();
            if sent.status().is_success() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        status
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    use base64::Engine;
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY_ID}:{KEY_SECRET}"));
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {expected}"))
}

fn refused(status: StatusCode, description: &str) -> Response {
    let error = json!({"error": {"code": "BAD_REQUEST_ERROR", "description": description}});
    (status, Json(error)).into_response()
}

fn collection(items: Vec<Value>) -> Response {
    Json(json!({"entity": "collection", "count": items.len(), "items": items})).into_response()
}

async fn orders(
    State(rzp): State<Razorpay>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return refused(StatusCode::UNAUTHORIZED, "Authentication failed");
    }
    let books = rzp.books.lock().unwrap();
    let receipt = query.get("receipt");
    let found = books
        .orders
        .iter()
        .filter(|o| receipt.is_none_or(|r| o["receipt"] == *r));
    collection(found.cloned().collect())
}

async fn create_order(
    State(rzp): State<Razorpay>,
    headers: HeaderMap,
    Json(asked): Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return refused(StatusCode::UNAUTHORIZED, "Authentication failed");
    }
    if !asked["amount"].is_i64() || asked["currency"] != "INR" {
        return refused(StatusCode::BAD_REQUEST, "amount and currency are required");
    }
    let order = json!({"id": id("order"), "entity": "order", "amount": asked["amount"],
                       "currency": asked["currency"], "receipt": asked["receipt"],
                       "notes": asked["notes"], "status": "created"});
    rzp.books.lock().unwrap().orders.push(order.clone());
    Json(order).into_response()
}

async fn order_payments(
    State(rzp): State<Razorpay>,
    headers: HeaderMap,
    Path(order): Path<String>,
) -> Response {
    if !authorised(&headers) {
        return refused(StatusCode::UNAUTHORIZED, "Authentication failed");
    }
    let books = rzp.books.lock().unwrap();
    collection(
        books
            .payments
            .iter()
            .filter(|p| p["order_id"] == order)
            .cloned()
            .collect(),
    )
}

async fn refund(
    State(rzp): State<Razorpay>,
    headers: HeaderMap,
    Path(payment): Path<String>,
    Json(asked): Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return refused(StatusCode::UNAUTHORIZED, "Authentication failed");
    }
    let key = headers
        .get("x-refund-idempotency")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let refund = {
        let mut books = rzp.books.lock().unwrap();
        if let Some(earlier) = key.as_ref().and_then(|k| books.keys.get(k)) {
            return Json(earlier.clone()).into_response();
        }
        let Some(paid) = books
            .payments
            .iter()
            .find(|p| p["id"] == payment && p["status"] == "captured")
            .cloned()
        else {
            return refused(StatusCode::BAD_REQUEST, "The payment has not been captured");
        };
        let amount = asked["amount"].as_i64().unwrap_or(0);
        let refunded: i64 = books
            .refunds
            .iter()
            .filter(|r| r["payment_id"] == payment)
            .map(|r| r["amount"].as_i64().unwrap())
            .sum();
        if amount <= 0 || refunded + amount > paid["amount"].as_i64().unwrap() {
            return refused(StatusCode::BAD_REQUEST, "The refund amount is invalid");
        }
        let refund = json!({"id": id("rfnd"), "entity": "refund", "amount": amount,
                            "currency": paid["currency"], "payment_id": payment, "status": "processed"});
        books.refunds.push(refund.clone());
        if let Some(key) = key {
            books.keys.insert(key, refund.clone());
        }
        refund
    };
    let rzp = rzp.clone();
    let processed = refund.clone();
    tokio::spawn(async move {
        rzp.send("refund.processed", json!({"refund": {"entity": processed}}))
            .await
    });
    Json(refund).into_response()
}

async fn refund_of(
    State(rzp): State<Razorpay>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&headers) {
        return refused(StatusCode::UNAUTHORIZED, "Authentication failed");
    }
    let books = rzp.books.lock().unwrap();
    match books.refunds.iter().find(|r| r["id"] == id) {
        Some(refund) => Json(refund.clone()).into_response(),
        None => refused(StatusCode::NOT_FOUND, "The id provided does not exist"),
    }
}
