//! The dashboard's pages and the server functions behind them: the same rules as the admin
//! API for every role, pages that render on the server for staff and send visitors to sign
//! in, and forms that work before the wasm loads.

mod support;

use chrono::{Duration, Utc};
use http::StatusCode;
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::collections::BTreeSet;
use support::{
    get,
    staff::{setup, Setup},
    venue::customers,
};
use uuid::Uuid;

/// Percent-encodes a form value (and the brackets of field names).
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const SMALL_LAYOUT: &str = r#"{"rows": 1, "columns": 3, "categories": [{"name": "Prime", "rank": 1}],
    "seats": [{"row": "A", "number": 1, "grid_row": 0, "grid_col": 0, "category": "Prime"},
              {"row": "A", "number": 2, "grid_row": 0, "grid_col": 2, "category": "Prime"}]}"#;

/// The screen's layout as the admin API gives it, as JSON text.
async fn layout_json(s: &Setup) -> String {
    let uri = format!("/api/v1/admin/screens/{}/layout", s.venue.screen_id);
    s.call(Some(0), "GET", &uri, None).await.body
}

/// Who may call each dashboard server function: a visitor, a customer, the admin of another
/// theater, the theater's own admin, a platform admin. Every server function under
/// `/_fn/dashboard/` must be in the table, so a new one cannot be left out.
#[sqlx::test(migrator = "MIGRATOR")]
async fn every_dashboard_server_function_answers_each_role_as_it_should(db: PgPool) {
    let s = setup(&db, Duration::days(30)).await;
    let cookies = s.sessions().await;
    const UNAUTHORIZED: u16 = 401;
    const FORBIDDEN: u16 = 403;
    let (theater, show, screen) = (
        s.venue.theater_id.to_string(),
        s.venue.show_id.to_string(),
        s.venue.screen_id.to_string(),
    );
    let (booking, _) = s.buy(customers(&db, 1).await[0], &["D7", "D8"]).await;
    let code: String = sqlx::query_scalar("SELECT code FROM bookings WHERE id = $1")
        .bind(booking)
        .fetch_one(&db)
        .await
        .unwrap();
    let helper_email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(customers(&db, 1).await[0])
        .fetch_one(&db)
        .await
        .unwrap();
    let helper: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&helper_email)
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
    let offer: Uuid = sqlx::query_scalar(
        "INSERT INTO offers (code, kind, value, valid_from, valid_to, theater_id)
         VALUES ('PAGES', 'percent', 10, now(), now() + interval '1 day', $1) RETURNING id",
    )
    .bind(s.venue.theater_id)
    .fetch_one(&db)
    .await
    .unwrap();
    let item: Uuid = sqlx::query_scalar(
        "INSERT INTO menu_items (theater_id, name, veg, price_minor) VALUES ($1, 'Popcorn', true, 20000)
         RETURNING id",
    )
    .bind(s.venue.theater_id)
    .fetch_one(&db)
    .await
    .unwrap();
    let layout = layout_json(&s).await;
    let movie = s.venue.movie_id.to_string();
    let day = |role: usize| {
        (Utc::now() + Duration::days(5 + role as i64))
            .date_naive()
            .to_string()
    };

    // (endpoint, form by role, statuses: visitor, customer, another theater's admin, the
    // theater's admin, a platform admin). Calls that change something come after the reads.
    type Form<'a> = Box<dyn Fn(usize) -> String + 'a>;
    let fixed = |fields: Vec<(&'static str, String)>| -> Form { Box::new(move |_| form(&fields)) };
    let staff = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 200, 200];
    let platform = [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, 200];
    let table: Vec<(&str, Form, [u16; 5])> = vec![
        (
            "dashboard/desk",
            fixed(vec![]),
            [UNAUTHORIZED, FORBIDDEN, 200, 200, 200],
        ),
        (
            "dashboard/bookings",
            fixed(vec![("q", code.clone())]),
            [UNAUTHORIZED, FORBIDDEN, 200, 200, 200],
        ),
        (
            "dashboard/day",
            fixed(vec![("theater_id", theater.clone())]),
            staff,
        ),
        (
            "dashboard/offers",
            fixed(vec![]),
            [UNAUTHORIZED, FORBIDDEN, 200, 200, 200],
        ),
        (
            "dashboard/offers/new",
            Box::new(|role| {
                form(&[
                    ("code", format!("ROLE{role}")),
                    ("kind", "flat".into()),
                    ("value", "50".into()),
                    ("valid_from", day(role)),
                    ("valid_until", day(role)),
                    ("theater_id", theater.clone()),
                ])
            }),
            staff,
        ),
        (
            "dashboard/offers/pause",
            fixed(vec![
                ("offer_id", offer.to_string()),
                ("paused", "true".into()),
            ]),
            staff,
        ),
        (
            "dashboard/menu",
            fixed(vec![("theater_id", theater.clone())]),
            staff,
        ),
        (
            "dashboard/food",
            fixed(vec![("show_id", show.clone())]),
            staff,
        ),
        (
            "dashboard/waitlist",
            fixed(vec![("show_id", show.clone())]),
            staff,
        ),
        (
            "dashboard/menu/new",
            Box::new(|role| {
                form(&[
                    ("theater_id", theater.clone()),
                    ("name", format!("Samosa {role}")),
                    ("price", "50".into()),
                    ("veg", "on".into()),
                ])
            }),
            staff,
        ),
        (
            "dashboard/menu/change",
            fixed(vec![("item_id", item.to_string()), ("price", "210".into())]),
            staff,
        ),
        (
            "dashboard/food/stock",
            fixed(vec![
                ("show_id", show.clone()),
                ("item_id", item.to_string()),
                ("quantity", "40".into()),
            ]),
            staff,
        ),
        (
            "dashboard/food/picked-up",
            fixed(vec![
                ("show_id", show.clone()),
                ("booking_id", booking.to_string()),
            ]),
            staff,
        ),
        (
            "dashboard/schedule-form",
            fixed(vec![("theater_id", theater.clone())]),
            staff,
        ),
        (
            "dashboard/screens",
            fixed(vec![("theater_id", theater.clone())]),
            staff,
        ),
        (
            "dashboard/layout",
            fixed(vec![("screen_id", screen.clone())]),
            staff,
        ),
        (
            "dashboard/report",
            fixed(vec![("theater_id", theater.clone())]),
            staff,
        ),
        (
            "dashboard/audit",
            fixed(vec![("theater_id", theater.clone())]),
            staff,
        ),
        ("dashboard/cities", fixed(vec![]), platform),
        ("dashboard/movies", fixed(vec![]), platform),
        ("dashboard/reviews", fixed(vec![]), platform),
        ("dashboard/dead-letters", fixed(vec![]), platform),
        (
            "dashboard/movie",
            fixed(vec![("movie_id", movie.clone())]),
            platform,
        ),
        (
            "dashboard/admins",
            fixed(vec![("theater_id", theater.clone())]),
            platform,
        ),
        (
            "dashboard/schedule",
            Box::new(|role| {
                form(&[
                    ("screen_id", screen.clone()),
                    ("movie_id", movie.clone()),
                    ("language", "English".into()),
                    ("format", "2D".into()),
                    ("prices[Prime]", "300".into()),
                    ("from", day(role)),
                    ("times", "09:00, 13:00".into()),
                ])
            }),
            staff,
        ),
        (
            "dashboard/prices",
            fixed(vec![
                ("show_id", show.clone()),
                ("prices[Prime]", "325".into()),
            ]),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, 409, 409],
        ),
        (
            "dashboard/sales",
            fixed(vec![("show_id", show.clone()), ("open", "false".into())]),
            staff,
        ),
        (
            "dashboard/theater",
            fixed(vec![
                ("theater_id", theater.clone()),
                ("name", "Test Cinema".into()),
                ("address", "1 Test Road".into()),
                ("latitude", "19.07".into()),
                ("longitude", "72.87".into()),
                ("amenities", "Parking, Food court".into()),
            ]),
            staff,
        ),
        (
            "dashboard/screen",
            fixed(vec![
                ("screen_id", screen.clone()),
                ("name", "Screen 1".into()),
                ("cleaning_minutes", "20".into()),
                ("formats[0]", "2D".into()),
                ("formats[1]", "3D".into()),
            ]),
            staff,
        ),
        (
            "dashboard/save-layout",
            fixed(vec![
                ("screen_id", screen.clone()),
                ("layout", layout.clone()),
            ]),
            staff,
        ),
        (
            "dashboard/add-screen",
            Box::new(|role| {
                form(&[
                    ("theater_id", theater.clone()),
                    ("name", format!("Audi {role}")),
                    ("formats[0]", "2D".into()),
                    ("layout", SMALL_LAYOUT.into()),
                ])
            }),
            staff,
        ),
        (
            "dashboard/add-city",
            Box::new(|role| {
                form(&[
                    ("name", format!("Testpur {role}")),
                    ("state", "Goa".into()),
                    ("latitude", "15.5".into()),
                    ("longitude", "73.8".into()),
                    ("time_zone", "Asia/Kolkata".into()),
                ])
            }),
            platform,
        ),
        (
            "dashboard/assign-admin",
            fixed(vec![
                ("theater_id", theater.clone()),
                ("email", helper_email.clone()),
            ]),
            platform,
        ),
        (
            "dashboard/remove-admin",
            fixed(vec![
                ("theater_id", theater.clone()),
                ("user_id", helper.to_string()),
            ]),
            platform,
        ),
        (
            "dashboard/hide-review",
            fixed(vec![
                ("review_id", review.to_string()),
                ("reason", "Spoilers".into()),
            ]),
            platform,
        ),
        (
            "dashboard/retry-event",
            fixed(vec![("event_id", dead.to_string())]),
            platform,
        ),
        (
            "dashboard/cancel-show",
            fixed(vec![("show_id", show.clone())]),
            staff,
        ),
    ];

    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path.starts_with("/_fn/dashboard/"))
        .collect();
    let tabled: BTreeSet<String> = table.iter().map(|(e, ..)| format!("/_fn/{e}")).collect();
    assert_eq!(
        registered, tabled,
        "every dashboard server function is in the table"
    );

    // Roles as `setup` makes them: 0 the theater's admin, 1 another theater's, 2 a customer,
    // 3 a platform admin; None a visitor.
    let roles = [None, Some(2), Some(1), Some(0), Some(3)];
    for (endpoint, body, expected) in &table {
        for (role, (who, status)) in roles.iter().zip(expected).enumerate() {
            let cookie = who.map(|i| cookies[i].as_str());
            let reply = s.form(cookie, endpoint, &body(role)).await;
            let got = match reply.status.as_u16() {
                // A function that goes on to a page answers with where to.
                302 | 303 => 200,
                other => other,
            };
            assert_eq!(got, *status, "{endpoint} as role {role}: {}", reply.body);
        }
    }

    // What each allowed call did.
    let revived: bool =
        sqlx::query_scalar("SELECT dead_at IS NULL FROM outbox_events WHERE id = $1")
            .bind(dead)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(revived, "the platform admin sent the dead letter again");
    let shows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM shows WHERE screen_id = $1 AND language = 'English'
            AND starts_at BETWEEN now() + interval '4 days' AND now() + interval '20 days'",
    )
    .bind(s.venue.screen_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        shows, 4,
        "two shows a day for the theater's admin and the platform admin"
    );
    let screens: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM screens WHERE theater_id = $1 AND name LIKE 'Audi %' ORDER BY name",
    )
    .bind(s.venue.theater_id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(screens, ["Audi 3", "Audi 4"]);
    let (status, paused): (String, bool) =
        sqlx::query_as("SELECT status, sales_paused FROM shows WHERE id = $1")
            .bind(s.venue.show_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), paused), ("cancelled", true));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT action FROM audit_log WHERE theater_id = $1 ORDER BY action",
    )
    .bind(s.venue.theater_id)
    .fetch_all(&db)
    .await
    .unwrap();
    for action in [
        "show.created",
        "show.cancelled",
        "screen.created",
        "theater.updated",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
}

/// A page of the journey asks for no wasm while it loads (its loader fetches the wasm once the
/// page has loaded); a lazy page (the staff's, signing in) preloads it with Leptos's loader, as
/// it hydrates only once its piece is in too.
#[sqlx::test(migrator = "MIGRATOR")]
async fn only_lazy_pages_preload_their_wasm(db: PgPool) {
    let s = setup(&db, Duration::days(30)).await;
    let cookies = s.sessions().await;
    let preloads = |page: &str| page.contains("modulepreload") || page.contains("rel=\"preload\"");
    for path in ["/".to_owned(), format!("/shows/{}", s.venue.show_id)] {
        let page = get(&s.app, &path, &[("cookie", &cookies[0])]).await.body;
        assert!(!preloads(&page), "{path} preloads nothing");
        assert!(
            page.contains("requestIdleCallback"),
            "{path} loads its wasm when idle"
        );
    }
    for path in ["/dashboard", "/login"] {
        let page = get(&s.app, path, &[("cookie", &cookies[0])]).await.body;
        assert!(preloads(&page), "{path} preloads its wasm");
    }
}

/// Staff pages render on the server with their data; visitors are sent to sign in first and
/// customers told they have no access.
#[sqlx::test(migrator = "MIGRATOR")]
async fn dashboard_pages_render_for_staff_and_send_visitors_to_sign_in(db: PgPool) {
    let s = setup(&db, Duration::hours(30)).await;
    let cookies = s.sessions().await;
    let theater = s.venue.theater_id;
    // The show's day at the theater (Testville keeps India's time).
    let date = (Utc::now() + Duration::hours(30))
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .date_naive();
    let pages = [
        ("/dashboard".to_owned(), "Your theaters"),
        (
            format!("/dashboard/theaters/{theater}?date={date}"),
            "theater-show",
        ),
        (
            format!("/dashboard/theaters/{theater}/schedule"),
            "schedule-form",
        ),
        (
            format!("/dashboard/theaters/{theater}/screens"),
            "Edit seat layout",
        ),
        (
            format!("/dashboard/theaters/{theater}/screens/new"),
            "layout-editor",
        ),
        (
            format!("/dashboard/screens/{}/layout", s.venue.screen_id),
            "layout-preview",
        ),
        (
            format!("/dashboard/theaters/{theater}/reports"),
            "report-table",
        ),
        (format!("/dashboard/theaters/{theater}/audit"), "Audit log"),
        ("/dashboard/offers".to_owned(), "new-offer"),
        (
            format!("/dashboard/theaters/{theater}/menu"),
            "new-menu-item",
        ),
        (
            format!("/dashboard/shows/{}/food", s.venue.show_id),
            "pickup-list",
        ),
    ];
    for (path, mark) in &pages {
        let page = get(&s.app, path, &[("cookie", &cookies[0])]).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(mark), "{path} shows {mark}");

        let visitor = get(&s.app, path, &[]).await;
        let location = visitor
            .headers
            .get("location")
            .and_then(|l| l.to_str().ok());
        assert!(
            location.is_some_and(|l| l.starts_with("/login?next="))
                || visitor.body.contains("/login?next="),
            "{path} sends visitors to sign in: {} {:?}",
            visitor.status,
            location
        );

        // The front desk and the offers page show each admin their own.
        let other = get(&s.app, path, &[("cookie", &cookies[1])]).await;
        if !["/dashboard", "/dashboard/offers"].contains(&path.as_str()) {
            assert!(
                other.body.contains("You do not run this theater")
                    || other.body.contains("You do not have access"),
                "{path} refuses another theater's admin"
            );
        }
    }
    let day = get(&s.app, &pages[1].0, &[("cookie", &cookies[0])]).await;
    assert!(day.body.contains("Stop sales"), "each show can be stopped");
    let layout = get(&s.app, &pages[5].0, &[("cookie", &cookies[0])]).await;
    assert!(
        layout.body.contains("name=\"layout\""),
        "the JSON field is the editor without wasm"
    );
    assert!(
        layout.body.contains("\"grid_col\""),
        "the field holds the layout"
    );
}

/// A form posted without JavaScript puts shows on sale and saves a layout, and a layout that
/// would move a sold seat is refused with the seat and the show named.
#[sqlx::test(migrator = "MIGRATOR")]
async fn plain_forms_schedule_shows_and_guard_sold_seats(db: PgPool) {
    let s = setup(&db, Duration::days(2)).await;
    let cookies = s.sessions().await;
    let before = s.shows().await;
    let from = (Utc::now() + Duration::days(7)).date_naive();
    let body = form(&[
        ("screen_id", s.venue.screen_id.to_string()),
        ("movie_id", s.venue.movie_id.to_string()),
        ("language", "English".into()),
        ("format", "2D".into()),
        ("prices[Prime]", "249.50".into()),
        ("from", from.to_string()),
        ("to", (from + chrono::Days::new(6)).to_string()),
        ("days[1]", "tue".into()),
        ("days[4]", "fri".into()),
        ("times", "10:00,18:30".into()),
    ]);
    let reply = s.form(Some(&cookies[0]), "dashboard/schedule", &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let scheduled = reply.json();
    assert_eq!(
        scheduled["created"].as_array().unwrap().len(),
        4,
        "two days, two times"
    );
    assert_eq!(s.shows().await, before + 4);
    let price: i64 = sqlx::query_scalar(
        "SELECT DISTINCT sp.price_minor FROM show_prices sp JOIN shows sh ON sh.id = sp.show_id
          WHERE sh.screen_id = $1 AND sh.starts_at > now() + interval '6 days'",
    )
    .bind(s.venue.screen_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(price, 24_950, "rupees typed, paise stored");

    // A show nobody has bought into yet takes new prices from its row's form.
    let first = scheduled["created"][0]["show_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let repriced = form(&[("show_id", first.clone()), ("prices[Prime]", "199".into())]);
    let reply = s
        .form(Some(&cookies[0]), "dashboard/prices", &repriced)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let now: i64 =
        sqlx::query_scalar("SELECT price_minor FROM show_prices WHERE show_id = $1::uuid")
            .bind(&first)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(now, 19_900);

    let again = s.form(Some(&cookies[0]), "dashboard/schedule", &body).await;
    let skipped = again.json();
    assert_eq!(skipped["created"].as_array().unwrap().len(), 0);
    assert_eq!(skipped["skipped"][0]["reason"], "overlap");

    // Without the wasm the browser is sent back to the form, which shows the outcome.
    let request = http::Request::post("/_fn/dashboard/schedule")
        .header("host", "district.test")
        .header("origin", "http://district.test")
        .header("accept", "text/html")
        .header("cookie", &cookies[0])
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body.clone()))
        .unwrap();
    let plain = support::request(&s.app, request).await;
    let to = plain
        .headers
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let to = to.unwrap_or_else(|| panic!("{} {}", plain.status, plain.body));
    let form_page = format!("/dashboard/theaters/{}/schedule?", s.venue.theater_id);
    assert!(to.starts_with(&form_page), "{to}");
    let page = get(&s.app, &to, &[("cookie", &cookies[0])]).await;
    assert!(
        page.body.contains("0 shows put on sale, 4 dates skipped."),
        "{}",
        page.body
    );
    assert!(page.body.contains("the show in the way"));

    let bad = body.replace("249.50", "free");
    let refused = s.form(Some(&cookies[0]), "dashboard/schedule", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("prices"), "{}", refused.body);

    // A sold seat cannot move.
    s.buy(customers(&db, 1).await[0], &["B1", "B2"]).await;
    let mut layout: serde_json::Value = serde_json::from_str(&layout_json(&s).await).unwrap();
    let seats = layout["seats"].as_array_mut().unwrap();
    seats.retain(|seat| !(seat["grid_row"] == 3 && seat["grid_col"] == 8));
    let b1 = seats
        .iter_mut()
        .find(|seat| seat["row"] == "B" && seat["number"] == 1)
        .unwrap();
    b1["grid_row"] = serde_json::json!(3);
    b1["grid_col"] = serde_json::json!(8);
    let save = form(&[
        ("screen_id", s.venue.screen_id.to_string()),
        ("layout", layout.to_string()),
    ]);
    let refused = s
        .form(Some(&cookies[0]), "dashboard/save-layout", &save)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(
        refused.body.contains("\"B1\""),
        "names the seat: {}",
        refused.body
    );

    let broken = form(&[
        ("screen_id", s.venue.screen_id.to_string()),
        ("layout", "{".into()),
    ]);
    let refused = s
        .form(Some(&cookies[0]), "dashboard/save-layout", &broken)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page gets the message's id and arguments, to say in its language.
    let error: app::dashboard::DashboardError = serde_json::from_str(&refused.body).unwrap();
    let said = error.field_message("layout").unwrap();
    assert!(said.to_string().contains("not valid JSON"), "{said}");
}
