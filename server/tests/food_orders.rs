//! Food and drinks ordered after paying, over REST against real PostgreSQL: an order joins its
//! booking only when its own payment succeeds, stock is never sold below zero when many are
//! paid at once, a payment that can no longer pay its order is refunded in full, and a
//! cancellation refunds through every payment that paid for the booking.

mod support;

use app::food::{line_tax, FoodTax};
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    food::popcorn,
    staff::{id, pairs, setup, Setup},
    venue::{add_show, customers, invariant_breaches, PRICE},
    Reply,
};
use uuid::Uuid;

/// A large popcorn's line of `n`, with its tax.
fn popcorns(n: i32) -> i64 {
    i64::from(n) * 29_000 + line_tax(29_000, n, FoodTax::Gst5)
}

impl Setup {
    async fn place(&self, user: Uuid, booking: Uuid, items: &[(Uuid, i32)]) -> Reply {
        let items: Vec<Value> = items
            .iter()
            .map(|(item, quantity)| json!({"item_id": item, "quantity": quantity}))
            .collect();
        let uri = format!("/api/v1/bookings/{booking}/food-orders");
        self.as_customer(user, "POST", &uri, Some(json!({ "items": items })))
            .await
    }

    /// An open order of `items`: its id.
    async fn placed(&self, user: Uuid, booking: Uuid, items: &[(Uuid, i32)]) -> Uuid {
        let placed = self.place(user, booking, items).await;
        assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
        assert_eq!(placed.json()["status"], "open");
        id(&placed.json()["order_id"])
    }

    async fn start_order_payment(&self, user: Uuid, order: Uuid) -> Reply {
        let uri = format!("/api/v1/food-orders/{order}/payments");
        let body = json!({"provider": "sandbox"});
        self.as_customer(user, "POST", &uri, Some(body)).await
    }

    /// Starts a sandbox payment of the order: the payment's id.
    async fn order_payment(&self, user: Uuid, order: Uuid) -> Uuid {
        let started = self.start_order_payment(user, order).await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
        id(&started.json()["payment_id"])
    }

    async fn booking(&self, user: Uuid, booking: Uuid) -> Value {
        let uri = format!("/api/v1/bookings/{booking}");
        let read = self.as_customer(user, "GET", &uri, None).await;
        assert_eq!(read.status, StatusCode::OK, "{}", read.body);
        read.json()
    }

    /// The refunds of a payment: (amount, reason).
    async fn refunds_of(&self, payment: Uuid) -> Vec<(i64, String)> {
        sqlx::query_as("SELECT amount_minor, reason FROM refunds WHERE payment_id = $1")
            .bind(payment)
            .fetch_all(&self.db)
            .await
            .unwrap()
    }

    async fn orders(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM food_orders")
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn an_order_joins_its_booking_when_its_payment_succeeds(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let item = id(&s.menu_item(popcorn(Some(5))).await["item_id"]);
    let user = customers(&db, 1).await[0];
    let (booking, ticket_payment) = s.buy(user, &["B1", "B2"]).await;
    let paid_before = s.booking(user, booking).await["amount"]["total"].clone();

    let placed = s.place(user, booking, &[(item, 2)]).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let order = placed.json();
    assert_eq!(order["total"], json!(popcorns(2)));
    assert_eq!(order["items"][0]["quantity"], 2);
    // Placing takes nothing: only a payment does.
    assert_eq!(s.left(item).await, json!(5));
    assert_eq!(
        s.booking(user, booking).await["amount"]["total"],
        paid_before
    );

    let payment = s.order_payment(user, id(&order["order_id"])).await;
    let charged: i64 = sqlx::query_scalar("SELECT amount_minor FROM payments WHERE id = $1")
        .bind(payment)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(charged, popcorns(2));
    s.pay(payment).await;

    let uri = format!(
        "/api/v1/food-orders/{}",
        order["order_id"].as_str().unwrap()
    );
    let read = s.as_customer(user, "GET", &uri, None).await;
    assert_eq!(read.json()["status"], "paid", "{}", read.body);
    let now = s.booking(user, booking).await;
    assert_eq!(
        now["amount"]["total"].as_i64().unwrap(),
        paid_before.as_i64().unwrap() + popcorns(2)
    );
    assert_eq!(now["amount"]["food"], json!(2 * 29_000));
    assert_eq!(now["items"][0]["quantity"], 2);
    assert_eq!(s.left(item).await, json!(3));
    // The counter sees it on the show's pickup list.
    let uri = format!("/api/v1/admin/shows/{}/pickups", s.venue.show_id);
    let pickups = s.call(Some(0), "GET", &uri, None).await;
    assert_eq!(
        pickups.json()["totals"][0]["quantity"],
        2,
        "{}",
        pickups.body
    );
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());

    // Three days ahead the policy gives back the tickets and all the food: the order's payment
    // first, in full, then the tickets' payment.
    let uri = format!("/api/v1/bookings/{booking}");
    let cancelled = s.as_customer(user, "DELETE", &uri, None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(
        cancelled.json()["refund_due"],
        json!(2 * PRICE + popcorns(2))
    );
    let cancelled_by_user = "cancelled_by_user".to_owned();
    assert_eq!(
        s.refunds_of(payment).await,
        vec![(popcorns(2), cancelled_by_user.clone())]
    );
    assert_eq!(
        s.refunds_of(ticket_payment).await,
        vec![(2 * PRICE, cancelled_by_user)]
    );
    assert_eq!(s.left(item).await, json!(5));
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn orders_paid_at_once_never_sell_stock_below_zero(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let item = id(&s.menu_item(popcorn(Some(9))).await["item_id"]);
    let users = customers(&db, 8).await;
    let mut payments = Vec::new();
    for (user, pair) in users.iter().zip(pairs(&s, users.len())) {
        let (booking, _) = s.buy(*user, &[&pair[0], &pair[1]]).await;
        // Nine are left when each is placed: all eight orders of two are taken.
        let order = s.placed(*user, booking, &[(item, 2)]).await;
        payments.push(s.order_payment(*user, order).await);
    }
    let sandbox = s.state.payments.sandbox().unwrap();
    for payment in &payments {
        let card = app::payment::test_cards::SUCCEEDS.into();
        let choice = app::payment::sandbox::Choice::Pay { card };
        sandbox.settle((*payment).into(), &choice).await.unwrap();
    }
    // Their webhooks, all at once: four orders are paid, four are refunded in full.
    let deliveries = (0..8).map(|_| s.state.payments.deliver_sandbox_webhooks());
    for delivered in futures_util::future::join_all(deliveries).await {
        delivered.unwrap();
    }
    s.state.payments.deliver_sandbox_webhooks().await.unwrap();
    let paid: i64 = sqlx::query_scalar("SELECT count(*) FROM food_orders WHERE status = 'paid'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(paid, 4);
    assert_eq!(s.sold(item).await, 8);
    let refunded: Vec<(i64, String)> = sqlx::query_as(
        "SELECT amount_minor, reason FROM refunds WHERE payment_id = ANY($1) ORDER BY 1",
    )
    .bind(&payments)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(refunded, vec![(popcorns(2), "out_of_stock".to_owned()); 4]);
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_payment_that_can_no_longer_pay_its_order_is_refunded(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let item = id(&s.menu_item(popcorn(None)).await["item_id"]);
    let users = customers(&db, 2).await;
    // The booking is cancelled while its order's payment is in flight.
    let (booking, _) = s.buy(users[0], &["B1", "B2"]).await;
    let order = s.placed(users[0], booking, &[(item, 1)]).await;
    let payment = s.order_payment(users[0], order).await;
    let uri = format!("/api/v1/bookings/{booking}");
    let cancelled = s.as_customer(users[0], "DELETE", &uri, None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    s.pay(payment).await;
    assert_eq!(
        s.refunds_of(payment).await,
        vec![(popcorns(1), "booking_cancelled".to_owned())]
    );
    let sold: Option<i64> = sqlx::query_scalar("SELECT sum(sold) FROM food_stock")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sold.unwrap_or(0), 0, "a refused order took stock");

    // The show is called off after an order was paid: every payment is refunded in full.
    let (booking, ticket_payment) = s.buy(users[1], &["C1", "C2"]).await;
    let order = s.placed(users[1], booking, &[(item, 3)]).await;
    let payment = s.order_payment(users[1], order).await;
    s.pay(payment).await;
    let uri = format!("/api/v1/admin/shows/{}", s.venue.show_id);
    let called_off = s.call(Some(0), "DELETE", &uri, None).await;
    assert_eq!(called_off.status, StatusCode::OK, "{}", called_off.body);
    let show_cancelled = "show_cancelled".to_owned();
    assert_eq!(
        s.refunds_of(payment).await,
        vec![(popcorns(3), show_cancelled.clone())]
    );
    let tickets: i64 = sqlx::query_scalar("SELECT amount_minor FROM payments WHERE id = $1")
        .bind(ticket_payment)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        s.refunds_of(ticket_payment).await,
        vec![(tickets, show_cancelled)]
    );
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn food_orders_are_refused_clearly_and_change_nothing(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let item = id(&s.menu_item(popcorn(Some(2))).await["item_id"]);
    let users = customers(&db, 2).await;
    let held = s.held(users[0], &["B1", "B2"]).await;
    let (booking, _) = s.buy(users[1], &["C1", "C2"]).await;
    let unknown = Uuid::new_v4();
    let refusals = [
        (
            users[0],
            held,
            vec![(item, 1)],
            StatusCode::CONFLICT,
            "not_confirmed",
        ),
        (
            users[0],
            booking,
            vec![(item, 1)],
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            users[1],
            booking,
            vec![(item, 0)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            users[1],
            booking,
            vec![(unknown, 1)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            users[1],
            booking,
            vec![],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            users[1],
            booking,
            vec![(item, 3)],
            StatusCode::CONFLICT,
            "out_of_stock",
        ),
    ];
    for (user, booking, items, status, code) in refusals {
        let refused = s.place(user, booking, &items).await;
        assert_eq!(refused.status, status, "{items:?}: {}", refused.body);
        assert_eq!(refused.json()["error"]["code"], code, "{}", refused.body);
    }
    assert_eq!(s.orders().await, 0);

    // An order is someone else's to read or pay for only if it is theirs.
    let order = s.placed(users[1], booking, &[(item, 1)]).await;
    let uri = format!("/api/v1/food-orders/{order}");
    let other = s.as_customer(users[0], "GET", &uri, None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let other = s.start_order_payment(users[0], order).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.body);
    // Paid, it is not paid again.
    let payment = s.order_payment(users[1], order).await;
    s.pay(payment).await;
    let again = s.start_order_payment(users[1], order).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.json()["error"]["code"], "already_confirmed");
    // Left unpaid past its time, it is ordered again.
    let late = s.placed(users[1], booking, &[(item, 1)]).await;
    sqlx::query("UPDATE food_orders SET pay_by = now() WHERE id = $1")
        .bind(late)
        .execute(&db)
        .await
        .unwrap();
    let lapsed = s.start_order_payment(users[1], late).await;
    assert_eq!(lapsed.status, StatusCode::CONFLICT, "{}", lapsed.body);
    assert_eq!(lapsed.json()["error"]["code"], "order_lapsed");

    // Orders close before the show.
    let soon = add_show(&db, &s.venue, Duration::minutes(15)).await;
    let (booked_soon, _) = s.buy_at(users[0], soon, &["B1", "B2"]).await;
    let closed = s.place(users[0], booked_soon, &[(item, 1)]).await;
    assert_eq!(closed.status, StatusCode::CONFLICT, "{}", closed.body);
    assert_eq!(closed.json()["error"]["code"], "food_closed");

    // The database keeps a placed order as it was priced.
    let changed = sqlx::query("UPDATE food_order_lines SET quantity = 2 WHERE order_id = $1")
        .bind(order)
        .execute(&db)
        .await;
    assert!(changed.is_err(), "a placed order's lines changed");
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}
