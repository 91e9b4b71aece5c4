//! Theater admins putting shows on sale over REST: one show or a weekly pattern, refused when
//! the screen is busy (cleaning time included) or the request is wrong, allowed only at the
//! theaters the caller runs, each written to the audit log; and calling a show off. Long: one
//! test per behaviour, sharing one setup.

mod support;

use app::account::Role;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    offers::offer,
    send,
    staff::{id, setup},
    venue::customers,
};
use uuid::Uuid;

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_theater_admin_puts_a_show_on_sale_and_moviegoers_can_hold_its_seats(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    // The venue's show runs two hours; the screen is cleaned for 15 minutes after it.
    let ends = s.starts_of(s.venue.show_id).await + Duration::hours(2);
    let before = s.shows().await;
    let too_soon = s
        .post(
            Some(0),
            "/api/v1/admin/shows",
            s.show(ends + Duration::minutes(14)),
        )
        .await;
    assert_eq!(too_soon.status, StatusCode::CONFLICT, "{}", too_soon.body);
    assert_eq!(too_soon.json()["error"]["code"], "show_overlap");
    let conflict = &too_soon.json()["error"]["conflicting_show"];
    assert_eq!(id(&conflict["show_id"]), s.venue.show_id);

    let starts_at = ends + Duration::minutes(15);
    let made = s
        .post(Some(0), "/api/v1/admin/shows", s.show(starts_at))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let show = id(&made.json()["show_id"]);
    assert_eq!(
        made.json()["ends_at"],
        json!(starts_at + Duration::hours(2))
    );
    assert_eq!(s.shows().await, before + 1);

    // On sale at once: every seat of the screen, at the price set.
    let map = send(
        &s.app,
        "GET",
        &format!("/api/v1/shows/{show}/seats"),
        None,
        &[],
    )
    .await;
    assert_eq!(map.status, StatusCode::OK, "{}", map.body);
    let seats = map.json()["seats"].as_array().unwrap().clone();
    assert_eq!(seats.len(), s.venue.seats.len());
    assert!(seats.iter().all(|seat| seat["status"] == "available"));
    let held = s.hold(s.users[2].0, show, &["C3", "C4"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert_eq!(held.json()["amount"]["subtotal"], 60_000);

    let audit: (Uuid, Uuid, String, Uuid, Value) = sqlx::query_as(
        "SELECT actor_id, theater_id, action, subject_id, after FROM audit_log ORDER BY id",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        (audit.0, audit.1, audit.2.as_str(), audit.3),
        (s.users[0].0, s.venue.theater_id, "show.created", show)
    );
    assert_eq!(audit.4["prices"], json!({"Prime": 30_000}));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn only_who_runs_the_theater_schedules_and_bad_requests_change_nothing(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let later = Utc::now() + Duration::days(5);
    let uri = "/api/v1/admin/shows";
    for (who, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(1), StatusCode::FORBIDDEN),
        (Some(2), StatusCode::FORBIDDEN),
    ] {
        let refused = s.post(who, uri, s.show(later)).await;
        assert_eq!(refused.status, status, "{who:?}: {}", refused.body);
    }
    let by_platform = s.post(Some(3), uri, s.show(later)).await;
    assert_eq!(
        by_platform.status,
        StatusCode::CREATED,
        "{}",
        by_platform.body
    );

    let before = s.shows().await;
    let soon = Utc::now() + Duration::days(9);
    let mut cases = Vec::new();
    let mut with = |field: &'static str, change: Value| {
        let mut body = s.show(soon);
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        cases.push((field, body));
    };
    with(
        "prices",
        json!({"prices": {"Prime": 30_000, "Gold": 50_000}}),
    );
    with("prices", json!({"prices": {}}));
    with("prices", json!({"prices": {"Prime": 0}}));
    with("movie_id", json!({"movie_id": Uuid::new_v4()}));
    with("screen_id", json!({"screen_id": Uuid::new_v4()}));
    with(
        "starts_at",
        json!({"starts_at": Utc::now() - Duration::hours(1)}),
    );
    with("language", json!({"language": "Hindi"}));
    with("format", json!({"format": "IMAX 3D"}));
    for (field, body) in cases {
        let refused = s.post(Some(0), uri, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            refused.body
        );
        let fields = &refused.json()["error"]["fields"];
        assert!(fields[field].is_string(), "{field}: {fields}");
    }
    let refused = s.post(Some(0), uri, json!({"movie_id": "not-an-id"})).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.shows().await, before, "nothing written");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(audited, 1, "only the platform admin's show");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_weekly_pattern_creates_its_shows_and_says_which_it_skipped(db: PgPool) {
    let s = setup(&db, Duration::days(30)).await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let day = |n: i64| today + Duration::days(n);
    let local = |date: NaiveDate, hour: u32, minute: u32| -> DateTime<Utc> {
        let naive = date.and_hms_opt(hour, minute, 0).unwrap();
        naive.and_utc() - Duration::minutes(330)
    };
    // A show already at 10:30 on the second day is in the way of that day's 10:00.
    let blocker = s
        .post(
            Some(0),
            "/api/v1/admin/shows",
            s.show(local(day(2), 10, 30)),
        )
        .await;
    let blocker = id(&blocker.json()["show_id"]);
    let mut pattern = s.show(Utc::now());
    let fields = pattern.as_object_mut().unwrap();
    fields.remove("starts_at");
    fields.extend(
        json!({"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
               "times": ["10:00", "13:00"], "from": day(1), "to": day(7)})
        .as_object()
        .unwrap()
        .clone(),
    );
    let uri = "/api/v1/admin/shows/recurring";
    let done = s.post(Some(0), uri, pattern.clone()).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    let created = done.json()["created"].as_array().unwrap().clone();
    assert_eq!(created.len(), 13, "{}", done.body);
    assert_eq!(
        done.json()["skipped"],
        json!([{"date": day(2), "time": "10:00", "reason": "overlap",
                "conflicting_show_id": blocker}])
    );
    let first: Vec<Value> = created
        .iter()
        .map(|c| c["starts_at"].clone())
        .take(2)
        .collect();
    assert_eq!(
        first,
        [json!(local(day(1), 10, 0)), json!(local(day(1), 13, 0))]
    );

    // The same pattern again finds every date taken, and makes nothing.
    let again = s.post(Some(0), uri, pattern.clone()).await;
    assert_eq!(again.json()["created"], json!([]));
    assert_eq!(again.json()["skipped"].as_array().unwrap().len(), 14);

    // Wrong patterns are refused whole.
    let before = s.shows().await;
    for (field, change) in [
        ("days", json!({"days": ["funday"]})),
        ("times", json!({"times": ["25:00"]})),
        ("to", json!({"to": day(80), "times": ["23:00"]})),
        (
            "prices",
            json!({"prices": {"Gold": 1_000}, "times": ["23:00"]}),
        ),
    ] {
        let mut body = pattern.clone();
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        let refused = s.post(Some(0), uri, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            refused.body
        );
        assert!(
            refused.json()["error"]["fields"][field].is_string(),
            "{field}"
        );
    }
    assert_eq!(
        s.shows().await,
        before,
        "nothing of a refused pattern is written"
    );
    let other_theater = s.post(Some(1), uri, pattern).await;
    assert_eq!(other_theater.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn admins_scheduling_at_once_never_leave_a_screen_without_its_cleaning_time(db: PgPool) {
    let s = setup(&db, Duration::days(30)).await;
    // Each show is two hours; these start 2 h 5 min apart, so neighbours collide only through
    // the 15 minutes of cleaning, which no constraint of the table checks: only the screen's
    // lock does.
    let base = Utc::now() + Duration::days(4);
    let asks = (0..8).map(|k| {
        let body = s.show(base + Duration::minutes(125 * k));
        let who = if k % 2 == 0 { 0 } else { 3 };
        s.post(Some(who), "/api/v1/admin/shows", body)
    });
    let answers = futures_util::future::join_all(asks).await;
    for reply in &answers {
        assert!(
            reply.status == StatusCode::CREATED || reply.status == StatusCode::CONFLICT,
            "{} {}",
            reply.status,
            reply.body
        );
    }
    assert!(answers.iter().any(|r| r.status == StatusCode::CREATED));
    let crowded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM shows a JOIN shows b ON a.screen_id = b.screen_id AND a.id < b.id
          WHERE a.screen_id = $1
            AND tstzrange(a.starts_at, a.ends_at + interval '15 minutes')
             && tstzrange(b.starts_at, b.ends_at + interval '15 minutes')",
    )
    .bind(s.venue.screen_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(crowded, 0, "two shows closer than the cleaning time");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn calling_a_show_off_frees_every_seat_and_refunds_each_paid_booking_once(db: PgPool) {
    let mail = support::mail_dir();
    let s = support::staff::setup_with(&db, Duration::days(2), &[("MAIL_DIR", &mail)]).await;
    let buyers = customers(&db, 4).await;
    // Two paid bookings, a hold with a payment in flight, and a plain hold.
    let mut paid = Vec::new();
    for (i, labels) in [(0, ["B1", "B2"]), (1, ["B3", "B4"])] {
        paid.push(s.buy(buyers[i], &labels).await);
    }
    let token = support::bearer(&s.state, buyers[2], Role::Customer);
    let (_, in_flight) = support::hold_and_pay(
        &s.app,
        &[("authorization", &token)],
        &s.venue,
        &["C1", "C2"],
        "sandbox",
    )
    .await;
    let held = s.hold(buyers[3], s.venue.show_id, &["D3", "D4"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);

    // A customer and another theater's admin may not; the theater's admin and a platform admin
    // call it off at the same moment: one of them does it, once.
    let uri = format!("/api/v1/admin/shows/{}", s.venue.show_id);
    let call_off = |who: usize| {
        let token = support::bearer(&s.state, s.users[who].0, s.users[who].1);
        let (app, uri) = (s.app.clone(), uri.clone());
        async move { send(&app, "DELETE", &uri, None, &[("authorization", &token)]).await }
    };
    for who in [1, 2] {
        assert_eq!(call_off(who).await.status, StatusCode::FORBIDDEN);
    }
    let (a, b) = tokio::join!(call_off(0), call_off(3));
    assert_eq!(
        (a.status, b.status),
        (StatusCode::OK, StatusCode::OK),
        "{} {}",
        a.body,
        b.body
    );
    let (now, again) = if a.json()["cancelled_now"] == true {
        (a, b)
    } else {
        (b, a)
    };
    assert_eq!(now.json()["cancelled_now"], true);
    assert_eq!(now.json()["refunds"], 2);
    assert_eq!(now.json()["seats_released"], 8);
    assert_eq!(again.json()["cancelled_now"], false, "{}", again.body);

    let busy: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM seat_states WHERE show_id = $1 AND status <> 'available'",
    )
    .bind(s.venue.show_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(busy, 0, "every seat given back");
    let held_again = s.hold(buyers[3], s.venue.show_id, &["D3", "D4"]).await;
    assert_ne!(
        held_again.status,
        StatusCode::CREATED,
        "off sale: {}",
        held_again.body
    );

    // The refunds go out through the sandbox, each once; the payment that was in flight is
    // refunded when it goes through.
    s.pay(id(&in_flight["payment_id"])).await;
    s.state.payments.settle().await.unwrap();
    s.state.payments.settle().await.unwrap();
    for (booking, payment) in paid {
        let (status, refunds): (String, i64) = sqlx::query_as(
            "SELECT b.status::text, (SELECT count(*) FROM sandbox_refunds r WHERE r.payment_id = $2)
               FROM bookings b WHERE b.id = $1",
        )
        .bind(booking)
        .bind(payment)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!((status.as_str(), refunds), ("cancelled", 1));
    }
    let late: String = sqlx::query_scalar("SELECT reason FROM refunds WHERE payment_id = $1")
        .bind(id(&in_flight["payment_id"]))
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(late, "booking_cancelled");
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'show.cancelled'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(audited, 1);
    assert_eq!(
        support::venue::invariant_breaches(&db).await,
        Vec::<String>::new()
    );

    // Each customer is told once, by the outbox relay: the paid ones of their refund, the
    // holders of their seats.
    support::outbox::relay(&s.state).await;
    for (i, buyer) in buyers.iter().enumerate() {
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(buyer)
            .fetch_one(&db)
            .await
            .unwrap();
        let told: Vec<String> = std::fs::read_dir(&mail)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|f| {
                f.file_name()
                    .to_string_lossy()
                    .ends_with(&format!("{email}.txt"))
            })
            .map(|f| std::fs::read_to_string(f.path()).unwrap())
            .filter(|text| text.contains("Show called off"))
            .collect();
        assert_eq!(told.len(), 1, "customer {i} told once: {told:?}");
        let refunded = if i < 2 {
            "is being refunded"
        } else {
            "held seats were released"
        };
        assert!(told[0].contains(refunded), "customer {i}: {}", told[0]);
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_theater_sees_its_day_and_reprices_a_show_until_its_first_sale(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let show = s.venue.show_id;
    let day = s
        .starts_of(show)
        .await
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let get = |who: usize, uri: String| {
        let token = support::bearer(&s.state, s.users[who].0, s.users[who].1);
        let app = s.app.clone();
        async move { send(&app, "GET", &uri, None, &[("authorization", &token)]).await }
    };
    let listing = format!(
        "/api/v1/admin/shows?theater_id={}&date={day}",
        s.venue.theater_id
    );
    let day_of = get(0, listing.clone()).await;
    assert_eq!(day_of.status, StatusCode::OK, "{}", day_of.body);
    assert_eq!(day_of.json()["total"], 1, "{}", day_of.body);
    let listed = day_of.json()["items"].clone();
    assert_eq!(id(&listed[0]["show_id"]), show);
    assert_eq!(
        (
            &listed[0]["seats"],
            &listed[0]["seats_sold"],
            &listed[0]["seats_held"]
        ),
        (&json!(32), &json!(0), &json!(0))
    );
    assert_eq!(get(1, listing.clone()).await.status, StatusCode::FORBIDDEN);
    let nowhere = format!("/api/v1/admin/shows?theater_id={}", Uuid::new_v4());
    assert_eq!(get(0, nowhere).await.status, StatusCode::NOT_FOUND);

    let reprice = |who: usize, prices: Value| {
        let token = support::bearer(&s.state, s.users[who].0, s.users[who].1);
        let (app, uri) = (s.app.clone(), format!("/api/v1/admin/shows/{show}"));
        let body = json!({ "prices": prices });
        async move {
            send(
                &app,
                "PATCH",
                &uri,
                Some(body),
                &[("authorization", &token)],
            )
            .await
        }
    };
    let unknown = reprice(0, json!({"Prime": 40_000, "Gold": 90_000})).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert_eq!(
        reprice(1, json!({"Prime": 40_000})).await.status,
        StatusCode::FORBIDDEN
    );
    let repriced = reprice(0, json!({"Prime": 40_000})).await;
    assert_eq!(repriced.status, StatusCode::OK, "{}", repriced.body);

    // A moviegoer pays the new price at once; after that, the price stays.
    let held = s.hold(s.users[2].0, show, &["B5", "B6"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert_eq!(held.json()["amount"]["subtotal"], 80_000);
    let too_late = reprice(0, json!({"Prime": 10_000})).await;
    assert_eq!(too_late.status, StatusCode::CONFLICT, "{}", too_late.body);
    assert_eq!(too_late.json()["error"]["code"], "show_has_sales");
    assert_eq!(get(0, listing).await.json()["items"][0]["seats_held"], 2);

    // The theater's audit log says who changed what, newest first; for its own admins only.
    let uri = format!("/api/v1/admin/audit?theater_id={}", s.venue.theater_id);
    let audit = get(0, uri.clone()).await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.body);
    assert_eq!(audit.json()["total"], 1, "{}", audit.body);
    let entries = audit.json()["items"].clone();
    assert_eq!(entries[0]["action"], "show.repriced");
    assert_eq!(id(&entries[0]["actor_id"]), s.users[0].0);
    assert_eq!(id(&entries[0]["subject_id"]), show);
    assert_eq!(entries[0]["before"], json!({"prices": {"Prime": 25_000}}));
    assert_eq!(entries[0]["after"], json!({"prices": {"Prime": 40_000}}));
    let beyond = get(0, format!("{uri}&page=2&per_page=1")).await.json();
    assert_eq!(
        (&beyond["items"], &beyond["total"]),
        (&json!([]), &json!(1))
    );
    let bad_page = get(0, format!("{uri}&per_page=0")).await;
    assert_eq!(
        bad_page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad_page.body
    );
    assert_eq!(get(1, uri).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_price_change_racing_holds_never_leaves_a_seat_sold_at_the_old_price(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let show = s.venue.show_id;
    let buyers = customers(&db, 6).await;
    let token = support::bearer(&s.state, s.users[0].0, s.users[0].1);
    let uri = format!("/api/v1/admin/shows/{show}");
    let auth = [("authorization", token.as_str())];
    let reprice = send(
        &s.app,
        "PATCH",
        &uri,
        Some(json!({"prices": {"Prime": 40_000}})),
        &auth,
    );
    let holds = buyers.iter().enumerate().map(|(i, buyer)| {
        let token = support::bearer(&s.state, *buyer, Role::Customer);
        let seats = s.venue.block(1 + (i / 3) as i32, 1 + 2 * (i % 3) as i32, 2);
        let body = json!({"show_id": show, "seat_ids": seats});
        let app = s.app.clone();
        async move {
            let auth = [("authorization", token.as_str())];
            send(&app, "POST", "/api/v1/bookings/hold", Some(body), &auth).await
        }
    });
    let (repriced, held) = tokio::join!(reprice, futures_util::future::join_all(holds));
    let price: i64 = sqlx::query_scalar("SELECT price_minor FROM show_prices WHERE show_id = $1")
        .bind(show)
        .fetch_one(&db)
        .await
        .unwrap();
    let lines: Vec<i64> = sqlx::query_scalar(
        "SELECT bs.price_minor FROM booking_seats bs WHERE bs.show_id = $1 AND bs.status = 'held'",
    )
    .bind(show)
    .fetch_all(&db)
    .await
    .unwrap();
    match repriced.status {
        StatusCode::OK => assert_eq!(price, 40_000),
        StatusCode::CONFLICT => assert_eq!(price, 25_000),
        other => panic!("{other}: {}", repriced.body),
    }
    assert!(
        lines.iter().all(|line| *line == price),
        "every held seat at the price of the show: {price} vs {lines:?}"
    );
    let made = held
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(lines.len(), 2 * made);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_box_office_finds_a_booking_by_code_email_or_phone_at_its_theaters_only(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let buyer = customers(&db, 1).await[0];
    sqlx::query("UPDATE users SET phone = '+91 98765 43210' WHERE id = $1")
        .bind(buyer)
        .execute(&db)
        .await
        .unwrap();
    let held = s.hold(buyer, s.venue.show_id, &["D7", "D8"]).await;
    let booking = id(&held.json()["booking_id"]);
    let code = held.json()["code"].as_str().unwrap().to_owned();
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(buyer)
        .fetch_one(&db)
        .await
        .unwrap();
    let search = |who: usize, q: String| {
        let token = support::bearer(&s.state, s.users[who].0, s.users[who].1);
        let app = s.app.clone();
        let uri = format!(
            "/api/v1/admin/bookings?q={}",
            q.replace('+', "%2B").replace(' ', "%20")
        );
        async move { send(&app, "GET", &uri, None, &[("authorization", &token)]).await }
    };
    for q in [
        code.to_lowercase(),
        email.to_uppercase(),
        "98765 43210".to_owned(),
    ] {
        for who in [0, 3] {
            let found = search(who, q.clone()).await;
            assert_eq!(found.status, StatusCode::OK, "{q}: {}", found.body);
            assert_eq!(found.json()["total"], 1, "{q}: {}", found.body);
            let found = found.json()["items"].clone();
            assert_eq!(id(&found[0]["booking_id"]), booking);
            assert_eq!(found[0]["seats"], json!(["D7", "D8"]));
            assert_eq!(found[0]["status"], "held");
        }
        let elsewhere = search(1, q.clone()).await;
        assert_eq!(
            elsewhere.json()["items"],
            json!([]),
            "another theater's admin: {q}"
        );
    }
    assert_eq!(search(2, code.clone()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        search(0, "43210".into()).await.json()["items"],
        json!([]),
        "too few digits"
    );
    let short = search(0, "ab".into()).await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        short.body
    );
}

/// Who may call each admin route: a visitor, a customer, the admin of another theater, the
/// theater's own admin, a platform admin. Every admin route of the OpenAPI document must be
/// in the table, so a new route cannot be left out.
#[sqlx::test(migrator = "MIGRATOR")]
async fn every_admin_route_answers_each_role_as_it_should(db: PgPool) {
    let s = setup(&db, Duration::days(30)).await;
    const UNAUTHORIZED: u16 = 401;
    const FORBIDDEN: u16 = 403;
    const NOT_FOUND: u16 = 404;
    let (theater, show) = (s.venue.theater_id, s.venue.show_id);
    // A customer's booking: hidden from everyone but its theater's staff.
    let (sold, _) = s.buy(customers(&db, 1).await[0], &["D7", "D8"]).await;
    let screen = s.venue.screen_id;
    let (helper, helper_email): (Uuid, String) =
        sqlx::query_as("SELECT id, email FROM users WHERE id = $1")
            .bind(customers(&db, 1).await[0])
            .fetch_one(&db)
            .await
            .unwrap();
    let review: Uuid = sqlx::query_scalar(
        "INSERT INTO reviews (user_id, movie_id, rating) VALUES ($1, $2, 5) RETURNING id",
    )
    .bind(s.users[2].0)
    .bind(s.venue.movie_id)
    .fetch_one(&db)
    .await
    .unwrap();
    let dead = support::outbox::dead_letter(&db).await;
    let item: Uuid = sqlx::query_scalar(
        "INSERT INTO menu_items (theater_id, name, veg, price_minor) VALUES ($1, 'Popcorn', true, 20000)
         RETURNING id",
    )
    .bind(theater)
    .fetch_one(&db)
    .await
    .unwrap();
    let new_offer = |role: usize| {
        offer(
            &format!("ROLE{role}"),
            json!({"scope": {"theater_id": theater}}),
        )
    };
    let offer = s
        .post(Some(3), "/api/v1/admin/offers", new_offer(9))
        .await
        .json()["offer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let layout = s
        .call(
            Some(0),
            "GET",
            &format!("/api/v1/admin/screens/{screen}/layout"),
            None,
        )
        .await
        .json();
    let new_screen = |role: usize| {
        json!({"name": format!("Screen for role {role}"),
               "layout": {"rows": 1, "columns": 1, "categories": [{"name": "Prime", "rank": 1}],
                          "seats": [{"row": "A", "number": 1, "grid_row": 0, "grid_col": 0, "category": "Prime"}]}})
    };
    let start = |role: usize| Utc::now() + Duration::days(3 + role as i64);
    let recurring = |role: usize| {
        let mut body = s.show(Utc::now());
        let fields = body.as_object_mut().unwrap();
        fields.remove("starts_at");
        let from = (Utc::now() + Duration::days(10 + 2 * role as i64)).date_naive();
        fields.extend(
            json!({"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                   "times": ["09:00"], "from": from, "to": from})
            .as_object()
            .unwrap()
            .clone(),
        );
        body
    };
    // (method, OpenAPI path, the path called, body by role, statuses: visitor, customer,
    // another theater's admin, the theater's admin, a platform admin). Calls that change
    // something come after those that read it.
    type Body<'a> = Box<dyn Fn(usize) -> Option<Value> + 'a>;
    let none: fn(usize) -> Option<Value> = |_| None;
    let table: Vec<(&str, &str, String, Body, [u16; 5])> = vec![
        (
            "get",
            "/api/v1/admin/theaters",
            "/api/v1/admin/theaters".into(),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, 200, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/theaters/{id}",
            format!("/api/v1/admin/theaters/{theater}"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/theaters/{id}/screens",
            format!("/api/v1/admin/theaters/{theater}/screens"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/screens/{id}/layout",
            format!("/api/v1/admin/screens/{screen}/layout"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "post",
            "/api/v1/admin/theaters/{id}/screens",
            format!("/api/v1/admin/theaters/{theater}/screens"),
            Box::new(|role| Some(new_screen(role))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 201, 201],
        ),
        (
            "put",
            "/api/v1/admin/theaters/{id}",
            format!("/api/v1/admin/theaters/{theater}"),
            Box::new(|_| {
                Some(
                    json!({"name": "Test Cinema", "address": "1 Test Road", "latitude": 19.07,
                            "longitude": 72.87, "amenities": []}),
                )
            }),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "patch",
            "/api/v1/admin/screens/{id}",
            format!("/api/v1/admin/screens/{screen}"),
            Box::new(|_| Some(json!({"cleaning_minutes": 15}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "put",
            "/api/v1/admin/screens/{id}/layout",
            format!("/api/v1/admin/screens/{screen}/layout"),
            Box::new(|_| Some(layout.clone())),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/shows",
            format!("/api/v1/admin/shows?theater_id={theater}"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/bookings",
            "/api/v1/admin/bookings?q=NOSUCHCODE".into(),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, 200, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/audit",
            format!("/api/v1/admin/audit?theater_id={theater}"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/reports/sales",
            format!(
                "/api/v1/admin/reports/sales?theater_id={theater}&from=2026-01-01&to=2026-01-02"
            ),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/reports/charts/{chart}",
            format!("/api/v1/admin/reports/charts/sales.svg?theater_id={theater}&from=2026-01-01&to=2026-01-02"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "delete",
            "/api/v1/admin/bookings/{id}",
            format!("/api/v1/admin/bookings/{sold}"),
            Box::new(none),
            [UNAUTHORIZED, NOT_FOUND, NOT_FOUND, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/cities",
            "/api/v1/admin/cities".into(),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 200],
        ),
        (
            "get",
            "/api/v1/admin/theaters/{id}/admins",
            format!("/api/v1/admin/theaters/{theater}/admins"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 200],
        ),
        (
            "post",
            "/api/v1/admin/cities",
            "/api/v1/admin/cities".into(),
            Box::new(|_| {
                Some(
                    json!({"name": "Thane", "state": "Maharashtra", "latitude": 19.2,
                            "longitude": 72.97, "time_zone": "Asia/Kolkata"}),
                )
            }),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 201],
        ),
        (
            // Authorised before the body is read: JSON is then no form (422).
            "post",
            "/api/v1/admin/movies",
            "/api/v1/admin/movies".into(),
            Box::new(|_| Some(json!({"title": "Not a form"}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 422],
        ),
        (
            "put",
            "/api/v1/admin/movies/{id}",
            format!("/api/v1/admin/movies/{}", s.venue.movie_id),
            Box::new(|_| Some(json!({"title": "Not a form"}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 422],
        ),
        (
            "post",
            "/api/v1/admin/theaters/{id}/admins",
            format!("/api/v1/admin/theaters/{theater}/admins"),
            Box::new(|_| Some(json!({ "email": helper_email }))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 201],
        ),
        (
            "delete",
            "/api/v1/admin/theaters/{id}/admins/{user_id}",
            format!("/api/v1/admin/theaters/{theater}/admins/{helper}"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 204],
        ),
        (
            "get",
            "/api/v1/admin/outbox/dead-letters",
            "/api/v1/admin/outbox/dead-letters".into(),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 200],
        ),
        (
            "post",
            "/api/v1/admin/outbox/dead-letters/{id}/retry",
            format!("/api/v1/admin/outbox/dead-letters/{dead}/retry"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 204],
        ),
        (
            "post",
            "/api/v1/admin/reviews/{id}/hide",
            format!("/api/v1/admin/reviews/{review}/hide"),
            Box::new(|_| Some(json!({"reason": "Off topic."}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 200],
        ),
        (
            "post",
            "/api/v1/admin/shows",
            "/api/v1/admin/shows".into(),
            Box::new(|role| Some(s.show(start(role)))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 201, 201],
        ),
        (
            "post",
            "/api/v1/admin/shows/recurring",
            "/api/v1/admin/shows/recurring".into(),
            Box::new(|role| Some(recurring(role))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 201, 201],
        ),
        (
            "patch",
            "/api/v1/admin/shows/{id}",
            format!("/api/v1/admin/shows/{show}"),
            Box::new(|_| Some(json!({"prices": {"Prime": 30_000}}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "delete",
            "/api/v1/admin/shows/{id}",
            format!("/api/v1/admin/shows/{show}"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/offers",
            "/api/v1/admin/offers".into(),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, 200, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/offers/{id}",
            format!("/api/v1/admin/offers/{offer}"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "post",
            "/api/v1/admin/offers",
            "/api/v1/admin/offers".into(),
            Box::new(|role| Some(new_offer(role))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 201, 201],
        ),
        (
            "patch",
            "/api/v1/admin/offers/{id}",
            format!("/api/v1/admin/offers/{offer}"),
            Box::new(|_| Some(json!({"paused": true}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/theaters/{id}/menu",
            format!("/api/v1/admin/theaters/{theater}/menu"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/shows/{id}/pickups",
            format!("/api/v1/admin/shows/{show}/pickups"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "post",
            "/api/v1/admin/theaters/{id}/menu",
            format!("/api/v1/admin/theaters/{theater}/menu"),
            Box::new(|role| {
                Some(json!({"name": format!("Samosa {role}"), "veg": true, "price": 5_000}))
            }),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 201, 201],
        ),
        (
            "patch",
            "/api/v1/admin/menu/{id}",
            format!("/api/v1/admin/menu/{item}"),
            Box::new(|_| Some(json!({"price": 21_000}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "put",
            "/api/v1/admin/shows/{id}/stock/{item_id}",
            format!("/api/v1/admin/shows/{show}/stock/{item}"),
            Box::new(|_| Some(json!({"quantity": 50}))),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "get",
            "/api/v1/admin/shows/{id}/waitlist",
            format!("/api/v1/admin/shows/{show}/waitlist"),
            Box::new(none),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200],
        ),
        (
            "post",
            "/api/v1/admin/shows/{id}/pickups/{booking_id}",
            format!("/api/v1/admin/shows/{show}/pickups/{sold}"),
            Box::new(none),
            // Called off above, its bookings are no longer confirmed.
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND],
        ),
    ];

    let doc = send(&s.app, "GET", "/api/v1/openapi.json", None, &[])
        .await
        .json();
    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/admin"))
        .flat_map(|(path, methods)| {
            let methods = methods
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>();
            methods.into_iter().map(move |m| (m, path.clone()))
        })
        .collect();
    let mut tabled: Vec<(String, String)> = table
        .iter()
        .map(|(m, p, ..)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    tabled.sort();
    assert_eq!(documented, tabled, "every admin route is in the table");

    // Roles as `setup` makes them: 0 the theater's admin, 1 another theater's, 2 a customer,
    // 3 a platform admin; None a visitor.
    let roles = [None, Some(2), Some(1), Some(0), Some(3)];
    for (method, _, uri, body, expected) in &table {
        for (role, (who, status)) in roles.iter().zip(expected).enumerate() {
            let token = who.map(|i| support::bearer(&s.state, s.users[i].0, s.users[i].1));
            let auth: Vec<(&str, &str)> = token
                .iter()
                .map(|t| ("authorization", t.as_str()))
                .collect();
            let reply = send(&s.app, &method.to_uppercase(), uri, body(role), &auth).await;
            assert_eq!(
                reply.status.as_u16(),
                *status,
                "{method} {uri} as role {role}: {}",
                reply.body
            );
        }
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn coordinates_are_kept_to_the_centimetre(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    // A subnormal latitude would make every distance reckoned from it underflow in PostgreSQL.
    let uri = format!("/api/v1/admin/theaters/{}", s.venue.theater_id);
    let body = json!({"name": "Test Cinema", "address": "1 Test Road", "latitude": 1e-160,
                      "longitude": 72.877_777_777, "amenities": []});
    let edited = s.call(Some(0), "PUT", &uri, Some(body)).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["latitude"], 0.0);
    assert_eq!(edited.json()["longitude"], 72.877_777_8);
    let near = s
        .call(
            None,
            "GET",
            "/api/v1/theaters?lat=5e-324&lng=72.8777778&radius_km=1",
            None,
        )
        .await;
    assert_eq!(near.status, StatusCode::OK, "{}", near.body);
    assert_eq!(near.json()["items"][0]["id"], json!(s.venue.theater_id));
}
