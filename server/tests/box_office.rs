//! A theater running a show on sale: stopping and resuming its sales, and cancelling a
//! customer's booking with the policy's refund, each audited, at its own theaters only.

mod support;

use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    staff::{id, setup, Setup},
    venue::customers,
};
use uuid::Uuid;

impl Setup {
    async fn sales(&self, who: usize, open: bool) -> support::Reply {
        let uri = format!("/api/v1/admin/shows/{}", self.venue.show_id);
        let body = json!({ "sales_open": open });
        self.call(Some(who), "PATCH", &uri, Some(body)).await
    }

    async fn actions(&self) -> Vec<Value> {
        let uri = format!("/api/v1/admin/audit?theater_id={}", self.venue.theater_id);
        let audit = self.call(Some(0), "GET", &uri, None).await;
        audit.json()["items"].as_array().unwrap().clone()
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_theater_stops_and_resumes_sales_and_no_hold_lands_in_between(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let buyers = customers(&db, 2).await;
    let show = s.venue.show_id;
    let before = s.hold(buyers[0], show, &["A3", "A4"]).await;
    assert_eq!(before.status, StatusCode::CREATED, "{}", before.body);

    for who in [1, 2] {
        assert_eq!(s.sales(who, false).await.status, StatusCode::FORBIDDEN);
    }
    let empty = s
        .call(
            Some(0),
            "PATCH",
            &format!("/api/v1/admin/shows/{show}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );

    let stopped = s.sales(0, false).await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    assert_eq!(stopped.json()["sales_open"], false);
    assert_eq!(stopped.json()["prices"], json!({"Prime": 25_000}));
    let refused = s.hold(buyers[1], show, &["C1", "C2"]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.json()["error"]["code"], "sales_paused");
    let page = support::get(&s.app, &format!("/shows/{show}"), &[]).await;
    assert!(
        page.body.contains("data-testid=\"not-on-sale\""),
        "the seat map says so: {}",
        page.body
    );
    // The hold made before stays.
    let mine: String = sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1")
        .bind(id(&before.json()["booking_id"]))
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(mine, "held");

    // Stopping twice records once; resuming lets holds in again.
    assert_eq!(s.sales(3, false).await.status, StatusCode::OK);
    let resumed = s.sales(0, true).await;
    assert_eq!(resumed.json()["sales_open"], true, "{}", resumed.body);
    let held = s.hold(buyers[1], show, &["C1", "C2"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let actions: Vec<_> = s
        .actions()
        .await
        .iter()
        .map(|a| a["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [json!("show.sales_resumed"), json!("show.sales_stopped")]
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn postgres_refuses_a_hold_on_stopped_sales_whatever_a_cache_says(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let buyer = customers(&db, 1).await[0];
    let show = s.venue.show_id;
    // This process has the show's layout cached as on sale ...
    let page = support::get(&s.app, &format!("/shows/{show}"), &[]).await;
    assert!(!page.body.contains("not-on-sale"));
    // ... when another instance stops its sales (written straight to the table here, so no
    // cache hears of it).
    sqlx::query("UPDATE shows SET sales_paused = true WHERE id = $1")
        .bind(show)
        .execute(&db)
        .await
        .unwrap();
    let refused = s.hold(buyer, show, &["B1", "B2"]).await;
    assert_eq!(
        refused.json()["error"]["code"],
        "sales_paused",
        "{}",
        refused.body
    );
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings WHERE show_id = $1")
        .bind(show)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(held, 0);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_called_off_show_cannot_go_back_on_sale(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let uri = format!("/api/v1/admin/shows/{}", s.venue.show_id);
    assert_eq!(
        s.call(Some(0), "DELETE", &uri, None).await.status,
        StatusCode::OK
    );
    let resumed = s.sales(0, true).await;
    assert_eq!(resumed.status, StatusCode::CONFLICT, "{}", resumed.body);
    assert_eq!(resumed.json()["error"]["code"], "show_cancelled");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_theater_cancels_a_customers_booking_with_the_policys_refund_once(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let buyers = customers(&db, 2).await;
    let (booking, payment) = s.buy(buyers[0], &["B1", "B2"]).await;
    let uri = format!("/api/v1/admin/bookings/{booking}");

    // Another theater's admin and another customer cannot see it; a visitor must sign in.
    for who in [1, 2] {
        let refused = s.call(Some(who), "DELETE", &uri, None).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    }
    assert_eq!(
        s.call(None, "DELETE", &uri, None).await.status,
        StatusCode::UNAUTHORIZED
    );

    let (first, second) = tokio::join!(
        s.call(Some(0), "DELETE", &uri, None),
        s.call(Some(3), "DELETE", &uri, None)
    );
    for reply in [&first, &second] {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["status"], "cancelled");
    }
    // Three days ahead, the policy gives back every rupee of the tickets, through the sandbox,
    // once.
    s.state.payments.settle().await.unwrap();
    let (due, refunded): (i64, i64) = sqlx::query_as(
        "SELECT b.refund_due_minor,
                (SELECT coalesce(sum(r.amount_minor), 0)::bigint FROM sandbox_refunds r WHERE r.payment_id = $2)
           FROM bookings b WHERE b.id = $1",
    )
    .bind(booking)
    .bind(payment)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((due, refunded), (50_000, 50_000));

    let cancelled: Vec<_> = s
        .actions()
        .await
        .into_iter()
        .filter(|a| a["action"] == "booking.cancelled")
        .collect();
    assert_eq!(cancelled.len(), 1, "{cancelled:?}");
    assert_eq!(id(&cancelled[0]["subject_id"]), booking);
    assert_eq!(cancelled[0]["before"], json!({"status": "confirmed"}));
    assert_eq!(
        cancelled[0]["after"],
        json!({"status": "cancelled", "refund_due": 50_000})
    );
    // Its seats are free for the next moviegoer.
    let next = s.hold(buyers[1], s.venue.show_id, &["B1", "B2"]).await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.body);
    assert_eq!(
        support::venue::invariant_breaches(&db).await,
        Vec::<String>::new()
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_customer_cancelling_their_own_booking_is_not_a_theater_action(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let buyer = customers(&db, 1).await[0];
    let held = s.hold(buyer, s.venue.show_id, &["A5"]).await;
    let booking: Uuid = id(&held.json()["booking_id"]);
    let token = support::bearer(&s.state, buyer, app::account::Role::Customer);
    let uri = format!("/api/v1/bookings/{booking}");
    let auth = [("authorization", token.as_str())];
    let released = support::send(&s.app, "DELETE", &uri, None, &auth).await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.body);
    assert!(s.actions().await.is_empty());
}
