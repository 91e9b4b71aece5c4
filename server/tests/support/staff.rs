//! A theater with its staff for dashboard tests: its admin, an admin of another theater, a
//! customer and a platform admin, each able to call the API.

use super::{
    bearer, hold_and_pay, send,
    venue::{customers, venue, Venue},
    Reply,
};
use app::{
    account::Role,
    payment::{sandbox::Choice, test_cards},
};
use chrono::{DateTime, Duration, Utc};
use http::StatusCode;
use serde_json::{json, Value};
use server::AppState;
use sqlx::PgPool;
use uuid::Uuid;

pub struct Setup {
    pub state: AppState,
    pub app: axum::Router,
    pub venue: Venue,
    /// The theater's admin, an admin of another theater, a customer, a platform admin.
    pub users: [(Uuid, Role); 4],
    pub db: PgPool,
}

pub async fn setup(db: &PgPool, show_in: Duration) -> Setup {
    setup_with(db, show_in, &[]).await
}

/// The same with configuration variables on top.
pub async fn setup_with(db: &PgPool, show_in: Duration, vars: &[(&str, &str)]) -> Setup {
    let venue = venue(db, 4, 8, show_in).await;
    let ids = customers(db, 4).await;
    let roles = [
        Role::TheaterAdmin,
        Role::TheaterAdmin,
        Role::Customer,
        Role::Admin,
    ];
    for (id, role) in ids.iter().zip(roles) {
        sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
            .bind(id)
            .bind(role.as_str())
            .execute(db)
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO theater_admins (theater_id, user_id) VALUES ($1, $2)")
        .bind(venue.theater_id)
        .bind(ids[0])
        .execute(db)
        .await
        .unwrap();
    let state = super::state_with(db.clone(), None, vars);
    Setup {
        app: server::router(state.clone()),
        state,
        venue,
        users: [0, 1, 2, 3].map(|i| (ids[i], roles[i])),
        db: db.clone(),
    }
}

impl Setup {
    /// POSTs as user `who` (None: a visitor).
    pub async fn post(&self, who: Option<usize>, uri: &str, body: Value) -> Reply {
        self.call(who, "POST", uri, Some(body)).await
    }

    /// Any request as user `who` (None: a visitor).
    pub async fn call(
        &self,
        who: Option<usize>,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Reply {
        let token = who.map(|i| bearer(&self.state, self.users[i].0, self.users[i].1));
        let auth: Vec<(&str, &str)> = token
            .iter()
            .map(|t| ("authorization", t.as_str()))
            .collect();
        send(&self.app, method, uri, body, &auth).await
    }

    /// A hold by `buyer` (a customer) of `labels` at `show`.
    pub async fn hold(&self, buyer: Uuid, show: Uuid, labels: &[&str]) -> Reply {
        let token = bearer(&self.state, buyer, Role::Customer);
        let body = json!({"show_id": show, "seat_ids": self.venue.ids(labels)});
        let auth = [("authorization", token.as_str())];
        send(
            &self.app,
            "POST",
            "/api/v1/bookings/hold",
            Some(body),
            &auth,
        )
        .await
    }

    pub async fn as_customer(
        &self,
        user: Uuid,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Reply {
        let token = bearer(&self.state, user, Role::Customer);
        send(&self.app, method, uri, body, &[("authorization", &token)]).await
    }

    pub async fn held(&self, user: Uuid, labels: &[&str]) -> Uuid {
        let held = self.hold(user, self.venue.show_id, labels).await;
        assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
        id(&held.json()["booking_id"])
    }

    /// A booking's stored status.
    pub async fn status(&self, booking: Uuid) -> String {
        sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1")
            .bind(booking)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// Starts and settles a sandbox payment of the booking: the payment's id.
    pub async fn pay_for(&self, user: Uuid, booking: Uuid) -> Uuid {
        let payment = self.start_payment(user, booking).await;
        self.pay(payment).await;
        payment
    }

    /// Starts a sandbox payment of the booking: the payment's id.
    pub async fn start_payment(&self, user: Uuid, booking: Uuid) -> Uuid {
        let body = json!({"booking_id": booking, "provider": "sandbox"});
        let started = self
            .as_customer(user, "POST", "/api/v1/payments/initiate", Some(body))
            .await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
        id(&started.json()["payment_id"])
    }

    /// A confirmed booking of `labels` by `buyer`, paid through the sandbox: the booking's id
    /// and the payment's.
    pub async fn buy(&self, buyer: Uuid, labels: &[&str]) -> (Uuid, Uuid) {
        self.buy_at(buyer, self.venue.show_id, labels).await
    }

    /// The same at another show of the venue's screen.
    pub async fn buy_at(&self, buyer: Uuid, show: Uuid, labels: &[&str]) -> (Uuid, Uuid) {
        let token = bearer(&self.state, buyer, Role::Customer);
        let auth = [("authorization", token.as_str())];
        let venue = Venue {
            show_id: show,
            ..self.venue.clone()
        };
        let (booking, payment) = hold_and_pay(&self.app, &auth, &venue, labels, "sandbox").await;
        let payment = id(&payment["payment_id"]);
        self.pay(payment).await;
        (booking, payment)
    }

    /// Settles a sandbox payment with a card that succeeds, and delivers its webhooks.
    pub async fn pay(&self, payment: Uuid) {
        let payments = &self.state.payments;
        let card = test_cards::SUCCEEDS.into();
        let sandbox = payments.sandbox().expect("the sandbox is on");
        sandbox
            .settle(payment.into(), &Choice::Pay { card })
            .await
            .unwrap();
        payments.deliver_sandbox_webhooks().await.unwrap();
    }

    pub fn show(&self, starts_at: DateTime<Utc>) -> Value {
        json!({"movie_id": self.venue.movie_id, "screen_id": self.venue.screen_id,
               "starts_at": starts_at, "language": "English", "format": "2D",
               "prices": {"Prime": 30_000}})
    }

    pub async fn shows(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM shows WHERE screen_id = $1")
            .bind(self.venue.screen_id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    pub async fn starts_of(&self, show: Uuid) -> DateTime<Utc> {
        sqlx::query_scalar("SELECT starts_at FROM shows WHERE id = $1")
            .bind(show)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

/// Seat pairs that leave no single-seat gap: row by row from B, two by two.
pub fn pairs(s: &Setup, count: usize) -> Vec<[String; 2]> {
    let per_row = s.venue.seats_per_row;
    let rows = s.venue.seats.len() as i32 / per_row;
    (1..rows)
        .flat_map(|row| (0..per_row / 2).map(move |pair| (row, pair * 2 + 1)))
        .take(count)
        .map(|(row, n)| {
            let letter = (b'A' + row as u8) as char;
            [format!("{letter}{n}"), format!("{letter}{}", n + 1)]
        })
        .collect()
}

pub fn id(value: &Value) -> Uuid {
    value.as_str().unwrap().parse().unwrap()
}

impl Setup {
    /// A browser session for each of the four users, signed in through the sign-in form.
    pub async fn sessions(&self) -> [String; 4] {
        let hash = app::account::password::hash("staff-password").unwrap();
        let mut cookies = Vec::new();
        for (user, _) in &self.users {
            let email: String = sqlx::query_scalar(
                "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING email",
            )
            .bind(user)
            .bind(&hash)
            .fetch_one(&self.db)
            .await
            .unwrap();
            let form = format!(
                "email={}&password=staff-password",
                email.replace('@', "%40")
            );
            let reply = self.form(None, "account/login", &form).await;
            let cookie = reply
                .session_cookie()
                .and_then(|c| c.split(';').next())
                .unwrap_or_else(|| panic!("no session: {} {}", reply.status, reply.body));
            cookies.push(cookie.to_owned());
        }
        cookies.try_into().unwrap()
    }

    /// Calls the server function at `/_fn/{endpoint}` with a form body, as the hydrated page
    /// does, in the browser session `cookie` (None: a visitor).
    pub async fn form(&self, cookie: Option<&str>, endpoint: &str, form: &str) -> Reply {
        let mut request = http::Request::post(format!("/_fn/{endpoint}"))
            .header("host", "district.test")
            .header("origin", "http://district.test")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let body = axum::body::Body::from(form.to_owned());
        super::request(&self.app, request.body(body).unwrap()).await
    }
}
