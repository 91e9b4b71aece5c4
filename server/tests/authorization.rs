//! Another moviegoer's ids on every route that takes one: the REST API, the pages and the
//! server functions answer 404 or 403, show nothing of the owner's, and change nothing.
//! Theater staff's routes have their own table, by role, in `dashboard.rs`.

mod support;

use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use support::{
    food::popcorn,
    offers::offer,
    staff::{id, setup, Setup},
    venue::customers,
    Reply,
};
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// What the owner has: a paid booking with its ticket and a food order, a held booking with a
/// payment started, an offer code on it, a device registered.
struct Owned {
    sold: Uuid,
    held: Uuid,
    paid: Uuid,
    pending: Uuid,
    order: Uuid,
    /// A menu item of the theater, for orders.
    item: Uuid,
    ticket: String,
    device: String,
    /// What no answer to anyone else may contain.
    secrets: Vec<String>,
}

async fn owned(s: &Setup, owner: Uuid) -> Owned {
    let (sold, paid) = s.buy(owner, &["C3", "C4"]).await;
    let held = s.held(owner, &["D3", "D4"]).await;
    let made = s
        .post(
            Some(3),
            "/api/v1/admin/offers",
            offer("OWNERS20", json!({})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let uri = format!("/api/v1/bookings/{held}/offer");
    let applied = s
        .as_customer(owner, "POST", &uri, Some(json!({"code": "OWNERS20"})))
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    let pending = s.start_payment(owner, held).await;

    let item = id(&s.menu_item(popcorn(None)).await["item_id"]);
    let uri = format!("/api/v1/bookings/{sold}/food-orders");
    let items = json!({"items": [{"item_id": item, "quantity": 1}]});
    let ordered = s.as_customer(owner, "POST", &uri, Some(items)).await;
    assert_eq!(ordered.status, StatusCode::CREATED, "{}", ordered.body);
    let order = id(&ordered.json()["order_id"]);

    let uri = format!("/api/v1/bookings/{sold}/ticket");
    let ticket = s.as_customer(owner, "GET", &uri, None).await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.body);
    let ticket = ticket.json()["token"].as_str().unwrap().to_owned();
    let device = format!("fcm-token-of-the-owner-{owner}");
    let body = json!({"token": device, "platform": "android"});
    let registered = s
        .as_customer(owner, "POST", "/api/v1/users/devices", Some(body))
        .await;
    assert_eq!(
        registered.status,
        StatusCode::NO_CONTENT,
        "{}",
        registered.body
    );

    let (email, code): (String, String) = sqlx::query_as(
        "SELECT u.email, b.code FROM bookings b JOIN users u ON u.id = b.user_id WHERE b.id = $1",
    )
    .bind(sold)
    .fetch_one(&s.db)
    .await
    .unwrap();
    let secrets = vec![email, code, ticket.clone(), order.to_string()];
    Owned {
        sold,
        held,
        paid,
        pending,
        order,
        item,
        ticket,
        device,
        secrets,
    }
}

/// Every table's rows, digested: equal before and after means nothing changed.
async fn fingerprint(db: &PgPool) -> BTreeMap<String, String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut digests = BTreeMap::new();
    for table in tables {
        let sql = format!(
            "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{table}\" t"
        );
        let digest: String = sqlx::query_scalar(&sql).fetch_one(db).await.unwrap();
        digests.insert(table, digest);
    }
    digests
}

/// Asserts that an answer to the intruder refuses and shows none of the owner's secrets that
/// the request itself did not carry.
fn refused(what: &str, sent: &str, reply: &Reply, allowed: &[u16], owned: &Owned) {
    assert!(
        allowed.contains(&reply.status.as_u16()),
        "{what} answered {}: {}",
        reply.status,
        reply.body
    );
    for secret in owned.secrets.iter().filter(|s| !sent.contains(s.as_str())) {
        assert!(!reply.body.contains(secret), "{what} showed {secret}");
    }
}

/// The REST operations that take someone's booking, payment, order, ticket or device, as
/// `(method, template, uri, body)`.
fn rest_table(o: &Owned) -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    let (sold, held, paid, pending, order) = (o.sold, o.held, o.paid, o.pending, o.order);
    let ticket = &o.ticket;
    let code = json!({"code": "OWNERS20"});
    let items = json!({"items": [{"item_id": o.item, "quantity": 1}]});
    let sandbox = json!({"provider": "sandbox"});
    let razorpay = json!({"razorpay_payment_id": "pay_x", "razorpay_signature": "00"});
    vec![
        (
            "get",
            "/api/v1/bookings/{id}",
            format!("/api/v1/bookings/{sold}"),
            None,
        ),
        (
            "delete",
            "/api/v1/bookings/{id}",
            format!("/api/v1/bookings/{held}"),
            None,
        ),
        (
            "post",
            "/api/v1/bookings/{id}/offer",
            format!("/api/v1/bookings/{held}/offer"),
            Some(code.clone()),
        ),
        (
            "delete",
            "/api/v1/bookings/{id}/offer",
            format!("/api/v1/bookings/{held}/offer"),
            Some(code),
        ),
        (
            "post",
            "/api/v1/bookings/{id}/items",
            format!("/api/v1/bookings/{held}/items"),
            Some(items.clone()),
        ),
        (
            "post",
            "/api/v1/bookings/{id}/food-orders",
            format!("/api/v1/bookings/{sold}/food-orders"),
            Some(items),
        ),
        (
            "get",
            "/api/v1/bookings/{id}/ticket",
            format!("/api/v1/bookings/{sold}/ticket"),
            None,
        ),
        (
            "get",
            "/api/v1/bookings/{id}/ticket.pdf",
            format!("/api/v1/bookings/{sold}/ticket.pdf"),
            None,
        ),
        (
            "get",
            "/api/v1/bookings/{id}/ticket.pkpass",
            format!("/api/v1/bookings/{sold}/ticket.pkpass"),
            None,
        ),
        (
            "post",
            "/api/v1/bookings/confirm",
            "/api/v1/bookings/confirm".into(),
            Some(json!({"booking_id": held, "payment_id": pending})),
        ),
        (
            "post",
            "/api/v1/payments/initiate",
            "/api/v1/payments/initiate".into(),
            Some(json!({"booking_id": held, "provider": "sandbox"})),
        ),
        (
            "get",
            "/api/v1/payments/{id}",
            format!("/api/v1/payments/{paid}"),
            None,
        ),
        (
            "post",
            "/api/v1/payments/{id}/razorpay-checkout",
            format!("/api/v1/payments/{pending}/razorpay-checkout"),
            Some(razorpay),
        ),
        (
            "get",
            "/api/v1/food-orders/{id}",
            format!("/api/v1/food-orders/{order}"),
            None,
        ),
        (
            "post",
            "/api/v1/food-orders/{id}/payments",
            format!("/api/v1/food-orders/{order}/payments"),
            Some(sandbox),
        ),
        (
            "get",
            "/api/v1/tickets/{token}/verify",
            format!("/api/v1/tickets/{ticket}/verify"),
            None,
        ),
        (
            "post",
            "/api/v1/tickets/{token}/check-in",
            format!("/api/v1/tickets/{ticket}/check-in"),
            None,
        ),
        (
            "delete",
            "/api/v1/users/devices/{token}",
            format!("/api/v1/users/devices/{}", o.device),
            None,
        ),
    ]
}

/// Operations outside staff's routes that take nobody's things: the catalogue, sign-in, the
/// caller's own account (`/users/...` is always the caller's), holds, webhooks, public keys,
/// health.
fn takes_nobodys(method: &str, template: &str) -> bool {
    let own_or_public = [
        "/api/v1/auth/",
        "/api/v1/cities",
        "/api/v1/movies",
        "/api/v1/theaters",
        "/api/v1/shows",
        "/api/v1/payments/webhook",
        "/api/v1/tickets/public-key",
        "/api/v1/users/",
        "/healthz",
        "/readyz",
    ];
    let mine = own_or_public.iter().any(|p| template.starts_with(p))
        && template != "/api/v1/users/devices/{token}";
    mine || (method, template) == ("post", "/api/v1/bookings/hold")
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn another_moviegoers_ids_get_404_or_403_show_nothing_and_change_nothing(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let owner = customers(&db, 1).await[0];
    let o = owned(&s, owner).await;
    // The intruder: a customer with a browser session and an API token.
    let cookies = s.sessions().await;
    let intruder = Some(2);
    let before = fingerprint(&db).await;

    // Every documented operation is either in the table or takes nobody's things.
    let doc =
        serde_json::to_value(<server::openapi::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
    let table = rest_table(&o);
    let tabled: BTreeSet<(String, String)> = table
        .iter()
        .map(|(m, t, ..)| (m.to_string(), t.to_string()))
        .collect();
    let untabled: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| !path.starts_with("/api/v1/admin"))
        .flat_map(|(path, item)| {
            let methods: Vec<String> = item.as_object().unwrap().keys().cloned().collect();
            methods.into_iter().map(move |m| (m, path.clone()))
        })
        .filter(|(m, p)| !takes_nobodys(m, p) && !tabled.contains(&(m.clone(), p.clone())))
        .collect();
    assert_eq!(
        untabled,
        Vec::<(String, String)>::new(),
        "operations in neither list"
    );

    for (method, _, uri, body) in &table {
        let sent = format!("{uri} {}", body.clone().unwrap_or_default());
        let reply = s
            .call(intruder, &method.to_uppercase(), uri, body.clone())
            .await;
        // A device token is forgotten only for its own user: for anyone else a no-op.
        let allowed: &[u16] = if uri.contains("/users/devices/") {
            &[204]
        } else {
            &[403, 404]
        };
        refused(&format!("{method} {uri}"), &sent, &reply, allowed, &o);
    }

    // The pages of someone's booking and payment.
    for path in [
        format!("/bookings/{}", o.sold),
        format!("/bookings/{}", o.held),
        format!("/pay/card/{}", o.pending),
    ] {
        let headers = [("cookie", cookies[2].as_str()), ("accept", "text/html")];
        let page = support::get(&s.app, &path, &headers).await;
        refused(&path, &path, &page, &[404], &o);
    }

    // The moviegoer's server functions that take an id, as the page calls them.
    let (sold, held, paid, pending) = (o.sold, o.held, o.paid, o.pending);
    let item = o.item;
    let functions: Vec<(&str, String)> = vec![
        ("booking/cancel", format!("booking_id={held}")),
        ("booking/offer", format!("booking_id={held}&code=OWNERS20")),
        (
            "booking/offer/remove",
            format!("booking_id={held}&code=OWNERS20"),
        ),
        (
            "booking/food",
            format!("booking_id={held}&item_id={item}&quantity=1"),
        ),
        ("booking/confirm-free", format!("booking_id={held}")),
        ("payment/booking", format!("booking_id={sold}")),
        (
            "payment/start",
            format!("booking_id={held}&provider=sandbox"),
        ),
        (
            "payment/food-order",
            format!(
                "booking_id={sold}&provider=sandbox&lines[0][item_id]={item}&lines[0][quantity]=1"
            ),
        ),
        ("payment/mine", format!("payment_id={paid}")),
        (
            "payment/razorpay",
            format!("payment_id={pending}&razorpay_payment_id=pay_x&razorpay_signature=00"),
        ),
    ];
    let taking_ids: BTreeSet<String> = functions.iter().map(|(e, _)| format!("/_fn/{e}")).collect();
    // The rest take no one's ids: a show's seats and line, the caller's own lists, the staff's
    // check-in (a signed ticket, checked by theater), the sandbox gateway's own page.
    let nobodys = [
        "booking/seats",
        "booking/best",
        "booking/hold",
        "booking/queue",
        "booking/mine",
        "booking/check-in",
        "booking/waitlist/join",
        "booking/waitlist/leave",
        "payment/sandbox",
        "payment/sandbox/choose",
    ]
    .map(|e| format!("/_fn/{e}"));
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|p| p.starts_with("/_fn/booking/") || p.starts_with("/_fn/payment/"))
        .filter(|p| !nobodys.contains(p))
        .collect();
    assert_eq!(
        registered, taking_ids,
        "every moviegoer's function is judged"
    );
    for (endpoint, form) in &functions {
        let reply = s.form(Some(&cookies[2]), endpoint, form).await;
        // A lookup answers "none" rather than an error.
        let nothing = reply.status == StatusCode::OK && reply.body == "null";
        if !nothing {
            refused(endpoint, form, &reply, &[403, 404], &o);
        }
    }

    let after = fingerprint(&db).await;
    let changed: Vec<&String> = before
        .keys()
        .filter(|table| before.get(*table) != after.get(*table))
        .collect();
    assert!(changed.is_empty(), "the intruder changed {changed:?}");
}
