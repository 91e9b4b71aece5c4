//! A theater's sales report: its figures equal sums the test makes from what each booking
//! paid and got back, grouped every way, as JSON and as CSV, for the theater's staff only.

mod support;

use chrono::{DateTime, Duration, Utc};
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    staff::{id, setup, Setup},
    venue::customers,
};
use uuid::Uuid;

/// What one booking paid, as its own answer said, and what came back.
struct Sale {
    show: Uuid,
    seats: i64,
    subtotal: i64,
    total: i64,
    refunded: i64,
    confirmed: bool,
}

impl Sale {
    fn fee(&self) -> i64 {
        self.total - self.subtotal - (self.refunded - self.subtotal).max(0)
    }
    fn net(&self) -> i64 {
        self.subtotal - self.refunded.min(self.subtotal)
    }
}

impl Setup {
    async fn amount(&self, booking: Uuid) -> (i64, i64) {
        let token = support::bearer(&self.state, self.users[3].0, self.users[3].1);
        let uri = format!("/api/v1/bookings/{booking}");
        let reply = support::send(&self.app, "GET", &uri, None, &[("authorization", &token)]).await;
        let amount = &reply.json()["amount"];
        (
            amount["subtotal"].as_i64().unwrap(),
            amount["total"].as_i64().unwrap(),
        )
    }

    async fn sale(&self, buyer: Uuid, show: Uuid, labels: &[&str]) -> (Uuid, Sale) {
        let (booking, _) = self.buy_at(buyer, show, labels).await;
        let (subtotal, total) = self.amount(booking).await;
        let sale = Sale {
            show,
            seats: labels.len() as i64,
            subtotal,
            total,
            refunded: 0,
            confirmed: true,
        };
        (booking, sale)
    }

    /// Calls the show off as the theater's admin.
    async fn call_off(&self, show: Uuid) {
        let uri = format!("/api/v1/admin/shows/{show}");
        let called_off = self.call(Some(0), "DELETE", &uri, None).await;
        assert_eq!(called_off.status, StatusCode::OK, "{}", called_off.body);
    }

    async fn report(&self, who: usize, query: &str) -> support::Reply {
        let uri = format!(
            "/api/v1/admin/reports/sales?theater_id={}&{query}",
            self.venue.theater_id
        );
        self.call(Some(who), "GET", &uri, None).await
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn report_figures_are_the_sums_of_what_each_booking_paid_and_got_back(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let buyers = customers(&db, 4).await;
    let first = s.venue.show_id;
    let starts: DateTime<Utc> = s.starts_of(first).await;
    let mut shows = vec![first];
    for day in [1, 2] {
        let made = s
            .post(
                Some(0),
                "/api/v1/admin/shows",
                s.show(starts + Duration::days(day)),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        shows.push(id(&made.json()["show_id"]));
    }

    let mut sales = Vec::new();
    sales.push(s.sale(buyers[0], shows[0], &["B1", "B2"]).await.1);
    // Cancelled by the theater three days ahead: every rupee of the ticket comes back.
    let (cancelled, mut sale) = s.sale(buyers[1], shows[0], &["C1"]).await;
    let uri = format!("/api/v1/admin/bookings/{cancelled}");
    assert_eq!(
        s.call(Some(0), "DELETE", &uri, None).await.status,
        StatusCode::OK
    );
    (sale.refunded, sale.confirmed) = (sale.subtotal, false);
    sales.push(sale);
    sales.push(s.sale(buyers[2], shows[1], &["A5", "A6", "A7"]).await.1);
    // A show called off: all it was paid goes back, fees included.
    let (_, mut sale) = s.sale(buyers[3], shows[2], &["D1", "D2"]).await;
    let uri = format!("/api/v1/admin/shows/{}", shows[2]);
    assert_eq!(
        s.call(Some(0), "DELETE", &uri, None).await.status,
        StatusCode::OK
    );
    (sale.refunded, sale.confirmed) = (sale.total, false);
    sales.push(sale);
    // A hold is no sale.
    let held = s.hold(buyers[0], shows[1], &["D5", "D6"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);

    let day = |show: usize| {
        (starts + Duration::days(show as i64))
            .with_timezone(&chrono_tz::Asia::Kolkata)
            .date_naive()
    };
    let span = format!("from={}&to={}", day(0), day(2));
    let expected = |of: &[usize]| {
        let mine: Vec<&Sale> = sales
            .iter()
            .filter(|sale| of.iter().any(|&i| shows[i] == sale.show))
            .collect();
        let sum = |f: &dyn Fn(&Sale) -> i64| mine.iter().map(|s| f(s)).sum::<i64>();
        let on_schedule = of.iter().filter(|&&i| i < 2).count() as i64;
        let sold = sum(&|s| if s.confirmed { s.seats } else { 0 });
        json!({
            "shows": on_schedule, "seats": 32 * on_schedule, "seats_sold": sold,
            "occupancy_percent": if on_schedule == 0 { 0.0 } else {
                (1000.0 * sold as f64 / (32 * on_schedule) as f64).round() / 10.0 },
            "gross": sum(&|s| s.total), "refunds": sum(&|s| s.refunded),
            "fees": sum(&|s| s.fee()), "net": sum(&|s| s.net()),
        })
    };
    let figures = |line: &Value| {
        let mut picked = json!({});
        for field in [
            "shows",
            "seats",
            "seats_sold",
            "occupancy_percent",
            "gross",
            "refunds",
            "fees",
            "net",
        ] {
            picked[field] = line[field].clone();
        }
        picked
    };

    for group in ["show", "day"] {
        let report = s.report(0, &format!("{span}&group={group}")).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        let lines = report.json()["lines"].as_array().unwrap().clone();
        assert_eq!(lines.len(), 3, "{group}: {}", report.body);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(figures(line), expected(&[i]), "{group} line {i}");
        }
        assert_eq!(
            figures(&report.json()["total"]),
            expected(&[0, 1, 2]),
            "{group} total"
        );
    }
    for group in ["movie", "screen"] {
        let report = s.report(0, &format!("{span}&group={group}")).await.json();
        assert_eq!(report["lines"].as_array().unwrap().len(), 1, "{group}");
        assert_eq!(
            figures(&report["lines"][0]),
            expected(&[0, 1, 2]),
            "{group}"
        );
    }
    // Only the first day: only the first show.
    let one = s
        .report(0, &format!("from={0}&to={0}&group=day", day(0)))
        .await
        .json();
    assert_eq!(figures(&one["total"]), expected(&[0]));

    // The charts' figures: seats sold on the day they were bought, and how full each weekday
    // and hour of the shows on the schedule is.
    let admin = app::booking::Actor {
        user_id: s.users[0].0.into(),
        role: s.users[0].1,
    };
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let charts = s
        .state
        .dashboard
        .chart_data(admin, s.venue.theater_id, (today, day(2)))
        .await
        .unwrap();
    assert_eq!(charts.sales.len() as i64, (day(2) - today).num_days() + 1);
    assert_eq!(charts.sales.iter().map(|d| d.seats_sold).sum::<i64>(), 5);
    let slots: Vec<(i64, i64)> = charts
        .slots
        .iter()
        .map(|c| (c.seats, c.seats_sold))
        .collect();
    let mut expected_slots = vec![(32, 2), (32, 3)];
    if charts.slots[0].weekday > charts.slots[1].weekday {
        expected_slots.reverse(); // Sunday's show before Monday's in the week
    }
    assert_eq!(slots, expected_slots);

    // The CSV says the same, money in rupees.
    let csv = s.report(0, &format!("{span}&group=show&format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let json = s.report(0, &format!("{span}&group=show")).await.json();
    let rows: Vec<Vec<String>> = csv.body.lines().map(split_csv).collect();
    assert_eq!(
        rows[0].join(","),
        "key,label,shows,seats,seats_sold,occupancy_percent,gross,refunds,fees,net,discounts,food,waitlisted,waitlist_booked,currency"
    );
    let lines: Vec<Value> = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .cloned()
        .chain([json["total"].clone()])
        .collect();
    assert_eq!(rows.len(), lines.len() + 1);
    for (row, line) in rows[1..].iter().zip(&lines) {
        assert_eq!(row[0], line["key"].as_str().unwrap());
        assert_eq!(row[1], line["label"].as_str().unwrap());
        for (i, field) in ["shows", "seats", "seats_sold"].iter().enumerate() {
            assert_eq!(row[2 + i], line[field].to_string(), "{field}");
        }
        assert_eq!(
            row[5].parse::<f64>().unwrap(),
            line["occupancy_percent"].as_f64().unwrap()
        );
        for (i, field) in ["gross", "refunds", "fees", "net", "discounts", "food"]
            .iter()
            .enumerate()
        {
            let minor = line[field].as_i64().unwrap();
            assert_eq!(
                row[6 + i],
                format!("{}.{:02}", minor / 100, minor % 100),
                "{field}"
            );
        }
        assert_eq!(row[12], line["waitlisted"].to_string());
        assert_eq!(row[13], line["waitlist_booked"].to_string());
        assert_eq!(row[14], "INR");
    }
}

/// Fields of one CSV row (quoted fields may hold commas and doubled quotes).
fn split_csv(row: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_report_is_for_the_theaters_staff_and_asks_are_checked(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let span = "from=2026-01-01&to=2026-01-31";
    assert_eq!(s.report(0, span).await.status, StatusCode::OK);
    assert_eq!(s.report(3, span).await.status, StatusCode::OK);
    for who in [1, 2] {
        assert_eq!(s.report(who, span).await.status, StatusCode::FORBIDDEN);
    }
    for (query, field) in [
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=2025-01-01&to=2026-06-01", "to"),
        ("from=2026-01-01&to=2026-01-31&format=xml", "format"),
    ] {
        let refused = s.report(0, query).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            refused.body
        );
        assert!(
            refused.json()["error"]["fields"].get(field).is_some(),
            "{query}: {}",
            refused.body
        );
    }
    // The charts, as SVG: a bar per day; anything else named is no chart.
    let staff = &s;
    let chart = |name: &str, query: &str| {
        let uri = format!(
            "/api/v1/admin/reports/charts/{name}?theater_id={}&{query}",
            staff.venue.theater_id
        );
        async move { staff.call(Some(0), "GET", &uri, None).await }
    };
    let bars = chart("sales.svg", span).await;
    assert_eq!(bars.status, StatusCode::OK, "{}", bars.body);
    assert_eq!(bars.headers["content-type"], "image/svg+xml");
    assert_eq!(bars.body.matches("<rect").count(), 31);
    let heat = chart("occupancy.svg", span).await;
    assert!(heat.body.starts_with("<svg"), "{}", heat.body);
    assert_eq!(chart("pie.svg", span).await.status, StatusCode::NOT_FOUND);
    let backwards = chart("sales.svg", "from=2026-02-01&to=2026-01-01").await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let weekly = s.report(0, &format!("{span}&group=week")).await;
    assert_eq!(
        weekly.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        weekly.body
    );
    let nowhere = format!(
        "/api/v1/admin/reports/sales?theater_id={}&{span}",
        Uuid::new_v4()
    );
    assert_eq!(
        s.call(Some(3), "GET", &nowhere, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn fees_and_net_are_kept_per_booking_when_refunds_differ_on_one_show(db: PgPool) {
    // Twelve hours ahead: a cancellation gives back 75% of the tickets.
    let s = setup(&db, Duration::hours(12)).await;
    let buyers = customers(&db, 2).await;
    let show = s.venue.show_id;
    let (partial, mut first) = s.sale(buyers[0], show, &["B1", "B2"]).await;
    let uri = format!("/api/v1/admin/bookings/{partial}");
    assert_eq!(
        s.call(Some(0), "DELETE", &uri, None).await.status,
        StatusCode::OK
    );
    (first.refunded, first.confirmed) = (first.subtotal * 75 / 100, false);
    let (_, mut second) = s.sale(buyers[1], show, &["C1", "C2"]).await;
    s.call_off(show).await;
    (second.refunded, second.confirmed) = (second.total, false);

    let day = s
        .starts_of(show)
        .await
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let report = s
        .report(0, &format!("from={day}&to={day}&group=show"))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let line = &report.json()["lines"][0];
    let sales = [&first, &second];
    let sum = |f: &dyn Fn(&Sale) -> i64| sales.iter().map(|s| f(s)).sum::<i64>();
    assert_eq!(line["refunds"], sum(&|s| s.refunded));
    // The first booking's fee stays; the second's went back with its total.
    assert_eq!(line["fees"], sum(&|s| s.fee()), "{line}");
    assert_eq!(line["fees"], first.total - first.subtotal);
    assert_eq!(line["net"], sum(&|s| s.net()), "{line}");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn waiting_lists_show_on_the_day_and_in_the_report(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let show = s.venue.show_id;
    let people = customers(&db, 3).await;
    // Three joined the line: one was offered seats and booked them, one waits, one left.
    let (booked, _) = s.buy(people[0], &["B1", "B2"]).await;
    for (user, status, booking) in [
        (people[0], "offered", Some(booked)),
        (people[1], "waiting", None),
        (people[2], "left", None),
    ] {
        sqlx::query(
            "INSERT INTO waitlist_entries (show_id, user_id, seats, status, booking_id)
             VALUES ($1, $2, 2, $3, $4)",
        )
        .bind(show)
        .bind(user)
        .bind(status)
        .bind(booking)
        .execute(&db)
        .await
        .unwrap();
    }
    let day = s
        .starts_of(show)
        .await
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let shows = s
        .call(
            Some(0),
            "GET",
            &format!(
                "/api/v1/admin/shows?theater_id={}&date={day}",
                s.venue.theater_id
            ),
            None,
        )
        .await
        .json();
    assert_eq!(shows["items"][0]["waiting"], 1, "{shows}");
    let report = s
        .report(0, &format!("from={day}&to={day}&group=show"))
        .await
        .json();
    assert_eq!(report["total"]["waitlisted"], 3, "{report}");
    assert_eq!(report["total"]["waitlist_booked"], 1, "{report}");
    // The line itself, for the theater's staff only.
    let uri = format!("/api/v1/admin/shows/{show}/waitlist");
    let line = s.call(Some(0), "GET", &uri, None).await.json()["items"].clone();
    let places: Vec<(String, Value)> = line
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["status"].as_str().unwrap().to_owned(),
                p["position"].clone(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("booked".to_owned(), Value::Null),
            ("waiting".to_owned(), json!(1)),
            ("left".to_owned(), Value::Null)
        ],
        "{line}"
    );
    assert!(line[1]["customer_email"]
        .as_str()
        .unwrap()
        .ends_with("@example.com"));
    assert_eq!(
        s.call(Some(1), "GET", &uri, None).await.status,
        StatusCode::FORBIDDEN
    );

    // Called off, the show's line closes: nobody waits for seats that will not be sold.
    s.call_off(show).await;
    let line = s.call(Some(0), "GET", &uri, None).await.json()["items"].clone();
    assert!(
        line.as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] != "waiting"),
        "{line}"
    );
}
