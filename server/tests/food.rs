//! Food and drinks over REST against real PostgreSQL: stock under concurrent orders, price
//! lines that add up to what is charged, stock given back and taken again as bookings end and
//! lapsed holds are paid late, refunds under the policy, and theaters running the menu.

mod support;

use app::{
    booking::{Amount, Policy},
    food::{food_lines, line_tax, with_food, BookingItem, FoodTax},
    ids::MenuItemId,
    offer::{discounted, discounts, OfferBase, OfferKind, Terms},
};
use chrono::{Duration, Utc};
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    food::popcorn,
    staff::{id, pairs, setup, setup_with},
    venue::{customers, invariant_breaches, run_out, PRICE},
    Reply,
};
use uuid::Uuid;

const THEATER_ADMIN: usize = 0;
const OTHER_ADMIN: usize = 1;
const CUSTOMER: usize = 2;
const PLATFORM_ADMIN: usize = 3;

/// Ends a hold as its lapse does, payment in flight or not.
async fn lapse(db: &PgPool, booking: Uuid) {
    run_out(db, booking).await;
    sqlx::query("SELECT end_holds(ARRAY[$1], 'expired')")
        .bind(booking)
        .execute(db)
        .await
        .unwrap();
}

/// How many of each menu item a booking orders, and the offer applied to it.
type Case<'a> = (&'a [i32], Option<(&'a str, Terms)>);

#[sqlx::test(migrator = "MIGRATOR")]
async fn stock_is_never_sold_below_zero_under_concurrent_orders(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let item = id(&s.menu_item(popcorn(Some(9))).await["item_id"]);
    let users = customers(&db, 12).await;
    let mut bookings = Vec::new();
    for (user, pair) in users.iter().zip(pairs(&s, users.len())) {
        bookings.push(s.held(*user, &[&pair[0], &pair[1]]).await);
    }
    // Twelve orders of two at once for nine in stock: four go through, the rest are told.
    let two = [(item, 2)];
    let orders = futures_util::future::join_all(
        users
            .iter()
            .zip(&bookings)
            .map(|(user, booking)| s.order(*user, *booking, &two)),
    )
    .await;
    let ok: Vec<&Reply> = orders
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert_eq!(
        ok.len(),
        4,
        "{:?}",
        orders.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    for refused in orders.iter().filter(|r| r.status != StatusCode::OK) {
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        let error = &refused.json()["error"];
        assert_eq!(error["code"], "out_of_stock");
        assert_eq!(error["item_ids"], json!([item]));
        assert!(error["message"]
            .as_str()
            .unwrap()
            .contains("Popcorn (Large)"));
    }
    assert_eq!(s.sold(item).await, 8);
    assert_eq!(s.left(item).await, json!(1));
    // The last one goes to whoever asks for exactly one.
    let refused = bookings
        .iter()
        .zip(&users)
        .zip(&orders)
        .find(|(_, r)| r.status != StatusCode::OK);
    let ((booking, user), _) = refused.unwrap();
    assert_eq!(
        s.order(*user, *booking, &[(item, 1)]).await.status,
        StatusCode::OK
    );
    assert_eq!(s.left(item).await, json!(0));
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn price_lines_with_food_add_up_to_what_is_charged(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let items: Vec<(Uuid, i64, FoodTax)> = futures_util::future::join_all(
        [
            ("Popcorn", 29_000, "gst5"),
            ("Cola", 12_345, "gst18"),
            ("Water", 2_000, "exempt"),
            ("Nachos", 21_010, "gst5"),
        ]
        .map(|(name, price, tax)| {
            s.menu_item(json!({"name": name, "veg": true, "price": price, "tax": tax}))
        }),
    )
    .await
    .into_iter()
    .map(|item| {
        let tax = serde_json::from_value(item["tax"].clone()).unwrap();
        (id(&item["item_id"]), item["price"].as_i64().unwrap(), tax)
    })
    .collect();
    let ticket_offer = Terms {
        kind: OfferKind::Percent,
        value: 20,
        max_discount: None,
        base: OfferBase::Tickets,
    };
    let big_flat = Terms {
        kind: OfferKind::Flat,
        value: 100_000,
        max_discount: None,
        base: OfferBase::Total,
    };
    let admin = s.users[PLATFORM_ADMIN].0;
    for (code, terms) in [("PCT20", ticket_offer), ("FLAT1000", big_flat)] {
        let body = json!({"code": code, "kind": terms.kind, "value": terms.value,
                          "base": terms.base, "stackable": false,
                          "valid_from": Utc::now() - Duration::hours(1),
                          "valid_to": Utc::now() + Duration::days(1)});
        let made = s
            .post(Some(PLATFORM_ADMIN), "/api/v1/admin/offers", body)
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{} {admin}", made.body);
    }
    // (quantities of each item, the offer applied)
    let cases: [Case; 5] = [
        (&[2, 0, 0, 0], None),
        (&[0, 3, 1, 0], None),
        (&[1, 1, 1, 1], Some(("PCT20", ticket_offer))),
        (&[4, 0, 0, 7], Some(("FLAT1000", big_flat))),
        (&[0, 0, 20, 0], Some(("PCT20", ticket_offer))),
    ];
    let users = customers(&db, cases.len() as i32).await;
    let policy = Policy::default();
    for (((quantities, offer), user), pair) in cases.iter().zip(&users).zip(pairs(&s, cases.len()))
    {
        let booking = s.held(*user, &[&pair[0], &pair[1]]).await;
        let order: Vec<(Uuid, i32)> = items
            .iter()
            .zip(quantities.iter())
            .filter(|(_, q)| **q > 0)
            .map(|((item, _, _), q)| (*item, *q))
            .collect();
        let ordered = s.order(*user, booking, &order).await;
        assert_eq!(ordered.status, StatusCode::OK, "{}", ordered.body);
        let mut reply = ordered.json();
        if let Some((code, _)) = offer {
            let uri = format!("/api/v1/bookings/{booking}/offer");
            let applied = s
                .as_customer(*user, "POST", &uri, Some(json!({"code": code})))
                .await;
            assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
            reply = applied.json();
        }
        // What the browser works out from the menu, with the same functions.
        let lines: Vec<BookingItem> = items
            .iter()
            .zip(quantities.iter())
            .filter(|(_, q)| **q > 0)
            .map(|((item, price, tax), q)| BookingItem {
                item_id: MenuItemId::from(*item),
                name: String::new(),
                size: None,
                veg: true,
                quantity: *q,
                unit_price: *price,
                tax: *tax,
                tax_amount: line_tax(*price, *q, *tax),
                picked_up: false,
            })
            .collect();
        let tickets = policy.amount(&[PRICE, PRICE], "INR");
        let taken = offer
            .map(|(_, terms)| discounts(&tickets, &[(terms, 2 * PRICE)]))
            .unwrap_or_default();
        let expected = discounted(&with_food(&tickets, food_lines(&lines)), &taken);
        let amount: Amount = serde_json::from_value(reply["amount"].clone()).unwrap();
        assert_eq!(amount, expected, "{quantities:?} {offer:?}");
        assert_eq!(
            amount.subtotal + amount.convenience_fee + amount.tax + amount.food + amount.food_tax
                - amount.discount,
            amount.total
        );
        // Offers never take anything off the food.
        assert!(amount.total >= amount.food + amount.food_tax);
        let payment = s.pay_for(*user, booking).await;
        let charged: i64 = sqlx::query_scalar("SELECT amount_minor FROM payments WHERE id = $1")
            .bind(payment)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(charged, amount.total);
        assert_eq!(s.status(booking).await, "confirmed");
    }
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn ended_holds_give_food_back_and_late_payments_take_it_again_or_are_refunded(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let item = id(&s.menu_item(popcorn(Some(2))).await["item_id"]);
    let users = customers(&db, 3).await;
    let [late, rival, lucky] = [users[0], users[1], users[2]];

    // A released hold gives its items back at once.
    let released = s.held(late, &["B1", "B2"]).await;
    assert_eq!(
        s.order(late, released, &[(item, 2)]).await.status,
        StatusCode::OK
    );
    assert_eq!(s.left(item).await, json!(0));
    let uri = format!("/api/v1/bookings/{released}");
    assert_eq!(
        s.as_customer(late, "DELETE", &uri, None).await.status,
        StatusCode::OK
    );
    assert_eq!(s.left(item).await, json!(2));

    // A hold that lapsed, swept or not, leaves its items to whoever orders them: it ends.
    let lapsed = s.held(late, &["B1", "B2"]).await;
    assert_eq!(
        s.order(late, lapsed, &[(item, 2)]).await.status,
        StatusCode::OK
    );
    run_out(&db, lapsed).await;
    assert_eq!(s.left(item).await, json!(2), "free to order at once");
    let taker = s.held(lucky, &["D5", "D6"]).await;
    assert_eq!(
        s.order(lucky, taker, &[(item, 2)]).await.status,
        StatusCode::OK
    );
    assert_eq!(s.status(lapsed).await, "expired");
    let uri = format!("/api/v1/bookings/{taker}");
    assert_eq!(
        s.as_customer(lucky, "DELETE", &uri, None).await.status,
        StatusCode::OK
    );
    assert_eq!(s.left(item).await, json!(2));

    // A hold that lapses with a payment open gives them back; someone else takes them all;
    // the late payment then finds none left: not confirmed, refunded in full.
    let booking = s.held(late, &["B3", "B4"]).await;
    assert_eq!(
        s.order(late, booking, &[(item, 2)]).await.status,
        StatusCode::OK
    );
    let payment = s.start_payment(late, booking).await;
    lapse(&db, booking).await;
    assert_eq!(s.left(item).await, json!(2));
    let other = s.held(rival, &["C1", "C2"]).await;
    assert_eq!(
        s.order(rival, other, &[(item, 2)]).await.status,
        StatusCode::OK
    );
    s.pay(payment).await;
    let (status, reason): (String, String) = sqlx::query_as(
        "SELECT b.status::text, r.reason FROM bookings b JOIN refunds r ON r.booking_id = b.id
          WHERE b.id = $1",
    )
    .bind(booking)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("expired", "out_of_stock")
    );
    // Refunded, that payment never confirms the booking later, stock or not.
    let body = json!({"booking_id": booking, "payment_id": payment});
    let again = s
        .as_customer(late, "POST", "/api/v1/bookings/confirm", Some(body))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.json()["error"]["code"], "payment_refunded");
    assert_eq!(s.sold(item).await, 2);

    // The rival lets theirs go; a lapsed hold paid late now takes them again and is confirmed.
    let uri = format!("/api/v1/bookings/{other}");
    assert_eq!(
        s.as_customer(rival, "DELETE", &uri, None).await.status,
        StatusCode::OK
    );
    let booking = s.held(lucky, &["D1", "D2"]).await;
    assert_eq!(
        s.order(lucky, booking, &[(item, 1)]).await.status,
        StatusCode::OK
    );
    let payment = s.start_payment(lucky, booking).await;
    lapse(&db, booking).await;
    assert_eq!(s.sold(item).await, 0);
    s.pay(payment).await;
    assert_eq!(s.status(booking).await, "confirmed");
    assert_eq!(s.sold(item).await, 1);
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn holds_ended_together_give_all_their_items_back(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let popcorn = id(&s.menu_item(popcorn(Some(20))).await["item_id"]);
    let cola = id(&s
        .menu_item(
            json!({"name": "Cola", "veg": true, "price": 12_000, "tax": "gst18",
                          "stock_per_show": 20}),
        )
        .await["item_id"]);
    let users = customers(&db, 6).await;
    let mut bookings = Vec::new();
    for (i, (user, pair)) in users.iter().zip(pairs(&s, users.len())).enumerate() {
        let booking = s.held(*user, &[&pair[0], &pair[1]]).await;
        // Items in either order, so one statement ending them all meets both orders.
        let order = if i % 2 == 0 {
            [(popcorn, 2), (cola, 1)]
        } else {
            [(cola, 3), (popcorn, 1)]
        };
        assert_eq!(s.order(*user, booking, &order).await.status, StatusCode::OK);
        bookings.push(booking);
    }
    assert_eq!((s.sold(popcorn).await, s.sold(cola).await), (9, 12));
    for booking in &bookings {
        run_out(&db, *booking).await;
    }
    let (expired,): (i32,) = sqlx::query_as("SELECT expired FROM expire_holds(100)")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(expired, 6);
    assert_eq!((s.sold(popcorn).await, s.sold(cola).await), (0, 0));
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn food_is_mailed_and_refunded_with_the_tickets_and_restocked(db: PgPool) {
    let mail = support::mail_dir();
    let s = setup_with(&db, Duration::days(3), &[("MAIL_DIR", mail.as_str())]).await;
    let item = id(&s.menu_item(popcorn(Some(5))).await["item_id"]);
    let user = customers(&db, 1).await[0];
    let booking = s.held(user, &["B1", "B2"]).await;
    let ordered = s.order(user, booking, &[(item, 3)]).await;
    assert_eq!(ordered.status, StatusCode::OK, "{}", ordered.body);
    s.pay_for(user, booking).await;
    // The confirmation mail says what to collect.
    support::outbox::relay(&s.state).await;
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&db)
        .await
        .unwrap();
    let letter = support::mail_to(&mail, &email);
    assert!(
        letter.contains("To collect at the food counter: 3 x Popcorn (Large)."),
        "{letter}"
    );
    assert_eq!(s.left(item).await, json!(2));
    let uri = format!("/api/v1/bookings/{booking}");
    let cancelled = s.as_customer(user, "DELETE", &uri, None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    // Three days ahead the policy gives everything back but the fee: tickets and food.
    let food = 3 * 29_000 + line_tax(29_000, 3, FoodTax::Gst5);
    assert_eq!(cancelled.json()["refund_due"], json!(2 * PRICE + food));
    assert_eq!(s.left(item).await, json!(5));
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn orders_are_refused_clearly_and_change_nothing(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let item = id(&s.menu_item(popcorn(Some(5))).await["item_id"]);
    let users = customers(&db, 2).await;
    let booking = s.held(users[0], &["B1", "B2"]).await;
    let refusals = [
        (
            vec![(item, 21)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![(item, -1)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![(item, 1), (item, 2)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![(Uuid::new_v4(), 1)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (vec![(item, 6)], StatusCode::CONFLICT, "out_of_stock"),
    ];
    for (order, status, code) in refusals {
        let reply = s.order(users[0], booking, &order).await;
        assert_eq!(
            (reply.status, reply.json()["error"]["code"].clone()),
            (status, json!(code)),
            "{order:?}: {}",
            reply.body
        );
    }
    // Someone else's booking does not exist for them.
    assert_eq!(
        s.order(users[1], booking, &[(item, 1)]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.left(item).await, json!(5));

    // Setting a quantity again changes nothing; 0 takes the item off and restocks it.
    for _ in 0..2 {
        let reply = s.order(users[0], booking, &[(item, 2)]).await;
        assert_eq!(reply.json()["items"][0]["quantity"], 2, "{}", reply.body);
        assert_eq!(s.left(item).await, json!(3));
    }
    let emptied = s.order(users[0], booking, &[(item, 0)]).await.json();
    assert_eq!(emptied["items"], json!([]));
    assert_eq!(emptied["amount"]["food"], 0);
    assert_eq!(s.left(item).await, json!(5));

    // Fixed while a payment is open; closed once the booking is confirmed.
    s.order(users[0], booking, &[(item, 1)]).await;
    let payment = s.start_payment(users[0], booking).await;
    let pending = s.order(users[0], booking, &[(item, 2)]).await;
    assert_eq!(pending.json()["error"]["code"], "payment_pending");
    s.pay(payment).await;
    let confirmed = s.order(users[0], booking, &[(item, 2)]).await;
    assert_eq!(confirmed.json()["error"]["code"], "not_held");
    // The database holds to it on its own: no items added to a confirmed booking, and no
    // booking whose food is not its lines'.
    let added = sqlx::query(
        "UPDATE booking_items SET quantity = 3, tax_minor = (29000 * 3 * 5 + 50) / 100
          WHERE booking_id = $1",
    )
    .bind(booking)
    .execute(&db)
    .await;
    assert!(added.is_err(), "items changed on a confirmed booking");
    let mut tx = db.begin().await.unwrap();
    sqlx::query("UPDATE bookings SET food_minor = food_minor + 100, total_minor = total_minor + 100 WHERE id = $1")
        .bind(booking)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert!(
        tx.commit().await.is_err(),
        "food that does not add up is refused"
    );

    // Food orders close before the show.
    let soon = support::venue::add_show(&db, &s.venue, Duration::minutes(15)).await;
    let held = s.hold(users[1], soon, &["B1", "B2"]).await;
    let late = s
        .order(users[1], id(&held.json()["booking_id"]), &[(item, 1)])
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.json()["error"]["code"], "food_closed");
    assert_eq!(invariant_breaches(&db).await, Vec::<String>::new());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn theaters_run_their_menu_stock_and_pickup_list(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let menu_uri = format!("/api/v1/admin/theaters/{}/menu", s.venue.theater_id);
    for who in [OTHER_ADMIN, CUSTOMER] {
        let refused = s.post(Some(who), &menu_uri, popcorn(None)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let item = s.menu_item(popcorn(None)).await;
    let item_id = id(&item["item_id"]);
    assert_eq!(item["left"], Value::Null);
    for bad in [
        popcorn(None),
        json!({"name": "Free", "veg": true, "price": 0}),
        json!({"name": " ", "veg": true, "price": 100}),
        json!({"name": "Lots", "veg": true, "price": 100, "stock_per_show": -1}),
    ] {
        let refused = s.post(Some(THEATER_ADMIN), &menu_uri, bad).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
    }
    let combo = s
        .menu_item(
            json!({"name": "Movie combo", "kind": "combo", "veg": false, "price": 45_000,
                          "description": "Popcorn (Large), two colas, chicken nuggets"}),
        )
        .await;
    let combo_id = id(&combo["item_id"]);

    // A customer buys; the counter sees the order and hands it over.
    let user = customers(&db, 1).await[0];
    let booking = s.held(user, &["B1", "B2"]).await;
    s.order(user, booking, &[(item_id, 2), (combo_id, 1)]).await;
    s.pay_for(user, booking).await;
    let pickups_uri = format!("/api/v1/admin/shows/{}/pickups", s.venue.show_id);
    let refused = s.call(Some(OTHER_ADMIN), "GET", &pickups_uri, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let list = s
        .call(Some(THEATER_ADMIN), "GET", &pickups_uri, None)
        .await
        .json();
    assert_eq!(list["orders"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["orders"][0]["seats"], "B1, B2");
    let quantities: Vec<(String, i64)> = list["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        quantities,
        [("Movie combo".to_owned(), 1), ("Popcorn".to_owned(), 2)]
    );
    let handed = s
        .post(
            Some(THEATER_ADMIN),
            &format!("{pickups_uri}/{booking}"),
            json!({}),
        )
        .await
        .json();
    assert!(handed["orders"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["picked_up"] == true));
    assert_eq!(handed["totals"][1]["picked_up"], 2);

    // A show's stock never below what it sold; the price changes for bookings to come only.
    let stock_uri = format!("/api/v1/admin/shows/{}/stock/{item_id}", s.venue.show_id);
    let low = s
        .call(
            Some(THEATER_ADMIN),
            "PUT",
            &stock_uri,
            Some(json!({"quantity": 1})),
        )
        .await;
    assert_eq!(low.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", low.body);
    let set = s
        .call(
            Some(THEATER_ADMIN),
            "PUT",
            &stock_uri,
            Some(json!({"quantity": 10})),
        )
        .await;
    assert_eq!(
        (set.json()["quantity"].clone(), set.json()["sold"].clone()),
        (json!(10), json!(2))
    );
    assert_eq!(s.left(item_id).await, json!(8));
    let change_uri = format!("/api/v1/admin/menu/{item_id}");
    let changed = s
        .call(
            Some(THEATER_ADMIN),
            "PATCH",
            &change_uri,
            Some(json!({"price": 31_000, "available": false})),
        )
        .await;
    assert_eq!(changed.json()["price"], 31_000, "{}", changed.body);
    let public = s
        .call(
            None,
            "GET",
            &format!("/api/v1/theaters/{}/menu", s.venue.theater_id),
            None,
        )
        .await
        .json();
    assert!(public["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| id(&i["item_id"]) != item_id));
    let kept: i64 =
        sqlx::query_scalar("SELECT unit_price_minor FROM booking_items WHERE item_id = $1")
            .bind(item_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(kept, 29_000);

    // The sales report counts the food in gross and in its own column.
    let day = (Utc::now() + Duration::days(3)).date_naive();
    let report = s
        .call(
            Some(THEATER_ADMIN),
            "GET",
            &format!(
                "/api/v1/admin/reports/sales?theater_id={}&from={}&to={}&group=show",
                s.venue.theater_id,
                day - chrono::Days::new(1),
                day + chrono::Days::new(1)
            ),
            None,
        )
        .await;
    let food = 2 * 29_000
        + line_tax(29_000, 2, FoodTax::Gst5)
        + 45_000
        + line_tax(45_000, 1, FoodTax::Gst5);
    assert_eq!(report.json()["total"]["food"], food, "{}", report.body);
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'menu_item.%' OR action = 'food.picked_up'
          ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [
            "menu_item.created",
            "menu_item.created",
            "food.picked_up",
            "menu_item.changed"
        ]
    );

    // A show at another theater is not on this menu's page.
    let nowhere = format!(
        "/api/v1/theaters/{}/menu?show_id={}",
        Uuid::new_v4(),
        s.venue.show_id
    );
    assert_eq!(
        s.call(None, "GET", &nowhere, None).await.status,
        StatusCode::NOT_FOUND
    );
}
