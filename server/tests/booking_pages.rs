//! The seat map, the booking summary, My bookings, paying and the check at the door render on
//! the server and work as plain forms, the way a phone uses them before the wasm has loaded.

mod support;

use axum::Router;
use chrono::Duration;
use http::StatusCode;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    forms::{hold_form, post_form, sign_in, sign_in_as, ORIGIN},
    get, hold_request,
    venue::{customers, venue, Venue},
};
use uuid::Uuid;

/// The seeded demo catalog plus a small test cinema whose layout the test knows.
async fn setup(db: &PgPool) -> (Router, Venue) {
    support::seed(db).await;
    let venue = venue(db, 4, 8, Duration::days(1)).await;
    (support::app(db.clone()), venue)
}

/// The page with entities decoded and hydration markers dropped.
fn page_text(html: &str) -> String {
    html.replace("<!>", "")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The seat map as the signed-in demo customer sees it, with their session cookie.
async fn signed_in_map(app: &Router, venue: &Venue) -> (String, String) {
    let cookie = sign_in(app).await;
    let map = get(
        app,
        &format!("/shows/{}", venue.show_id),
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(map.status, StatusCode::OK);
    (cookie, map.body)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_seat_map_shows_the_real_layout_with_spoken_labels(db: PgPool) {
    let (app, venue) = setup(&db).await;
    let someone = customers(&db, 1).await[0];
    let request = hold_request(venue.show_id, &venue.ids(&["B4"]), false);
    support::state(db.clone(), None)
        .bookings
        .hold(someone.into(), &request)
        .await
        .expect("B4 held by someone else");

    let page = get(&app, &format!("/shows/{}", venue.show_id), &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page_text(&page.body);
    assert!(text.contains("<title>Pick seats · Test Movie · District</title>"));
    assert!(text.contains("Test Cinema · Screen 1"));
    assert!(
        text.contains(r#"aria-label="Row C seat 5, Prime, 250 rupees, available""#),
        "seats are labelled in words"
    );
    assert!(text
        .contains(r#"aria-label="Row A seat 1, Prime, 250 rupees, wheelchair space, available""#));
    assert!(text.contains(r#"aria-label="Row B seat 4, Prime, 250 rupees, unavailable""#));
    assert_eq!(
        text.matches(r#"name="seat_ids["#).count(),
        venue.seats.len(),
        "one checkbox per seat"
    );
    assert!(
        text.contains(r#"title="A5" class="relative flex" style="grid-row: 1; grid-column: 7;""#),
        "seat A5 sits right of the aisle"
    );
    assert!(text.contains("Prime</b> ₹250"), "legend with prices");
    assert!(
        text.contains(r#"action="/_fn/booking/hold""#),
        "a plain form"
    );
    assert!(
        text.contains(&format!("/login?next=/shows/{}", venue.show_id)),
        "visitors are asked to sign in to book"
    );

    let missing = get(&app, &format!("/shows/{}", Uuid::new_v4()), &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let garbage = get(&app, "/shows/not-a-show", &[]).await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn best_available_preselects_seats_without_javascript(db: PgPool) {
    let (app, venue) = setup(&db).await;
    let page = get(
        &app,
        &format!("/shows/{}?best=3&category=Prime", venue.show_id),
        &[],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let checked = page.body.matches(" checked").count();
    assert_eq!(checked, 3, "the suggested block is ticked");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn hold_release_and_my_bookings_work_as_plain_forms(db: PgPool) {
    let (app, venue) = setup(&db).await;
    let (cookie, map) = signed_in_map(&app, &venue).await;
    let show_page = format!("/shows/{}", venue.show_id);
    assert!(map.contains(">Proceed<"), "signed-in visitors can proceed");
    let form = hold_form(&map, &venue, &["C3", "C4"]);

    let held = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    assert!(
        held.status.is_redirection(),
        "{} {}",
        held.status,
        held.body
    );
    let location = held.headers["location"].to_str().unwrap().to_owned();
    let booking_id: Uuid = location
        .strip_prefix("/bookings/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {location}"));
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT status::text FROM seat_states WHERE show_id = $1 AND booking_id = $2 ORDER BY seat_id",
    )
    .bind(venue.show_id)
    .bind(booking_id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(states, ["held", "held"]);

    // Back on the map, the held seats are still the visitor's: ticked, free to change.
    let again = get(&app, &show_page, &[("cookie", &cookie)]).await;
    let again = page_text(&again.body);
    assert!(again.contains(r#"data-testid="current-hold""#));
    assert!(again.contains(r#"aria-label="Row C seat 3, Prime, 250 rupees, available""#));
    assert_eq!(
        again.matches(" checked").count(),
        2,
        "C3 and C4 stay ticked"
    );
    let moved = post_form(
        &app,
        &show_page,
        "/_fn/booking/hold",
        &hold_form(&again, &venue, &["C4", "C5"]),
        Some(&cookie),
    )
    .await;
    assert!(moved.status.is_redirection(), "{}", moved.body);
    let location = moved.headers["location"].to_str().unwrap().to_owned();
    let booking_id: Uuid = location
        .strip_prefix("/bookings/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("redirected to {location}"));

    let summary = get(&app, &location, &[("cookie", &cookie)]).await;
    assert_eq!(summary.status, StatusCode::OK);
    let text = page_text(&summary.body);
    assert!(text.contains("Your seats are held"));
    assert!(text.contains("C4, C5"));
    assert!(text.contains(r#"data-testid="hold-countdown""#));
    assert!(
        text.contains("₹570.80"),
        "₹500 of tickets, ₹60 convenience fee and ₹10.80 GST on it"
    );

    let stranger = get(&app, &location, &[("accept", "text/html")]).await;
    assert!(stranger.status.is_redirection(), "{}", stranger.status);
    assert_eq!(
        stranger.headers["location"],
        format!("/login?next={location}").as_str(),
        "a visitor is sent to sign in, and back here after"
    );

    let mine = get(&app, "/bookings", &[("cookie", &cookie)]).await;
    let mine = page_text(&mine.body);
    let upcoming = mine
        .split_once(r#"data-testid="upcoming""#)
        .and_then(|(_, rest)| rest.split_once(r#"data-testid="past""#))
        .expect("an upcoming list")
        .0;
    assert!(upcoming.contains("Test Movie"), "listed as upcoming");
    assert!(
        upcoming.contains(r#"aria-label="Release seats: Test Movie, C4, C5""#),
        "with a way to release it"
    );

    let released = post_form(
        &app,
        &location,
        "/_fn/booking/cancel",
        &format!("booking_id={booking_id}&next=%2Fshows%2F{}", venue.show_id),
        Some(&cookie),
    )
    .await;
    assert!(released.status.is_redirection(), "{}", released.body);
    assert_eq!(
        released.headers["location"],
        format!("/shows/{}", venue.show_id).as_str()
    );
    let free: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM seat_states WHERE show_id = $1 AND status = 'available'",
    )
    .bind(venue.show_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(free, venue.seats.len() as i64, "the seats are free again");
    let status: String = sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1")
        .bind(booking_id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, "cancelled");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_refused_hold_changes_nothing_and_says_why(db: PgPool) {
    let (app, venue) = setup(&db).await;
    let (cookie, map) = signed_in_map(&app, &venue).await;
    let show_page = format!("/shows/{}", venue.show_id);
    // C2 alone would leave C1 as a single seat by the wall.
    let form = hold_form(&map, &venue, &["C2"]);
    let refused = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    // Back to the seat map, which says why.
    assert!(
        refused.status.is_redirection(),
        "{} {}",
        refused.status,
        refused.body
    );
    let back = refused.headers["location"].to_str().unwrap();
    let back = back.strip_prefix(ORIGIN).unwrap_or(back).to_owned();
    assert!(back.starts_with(&show_page), "back to the map: {back}");
    let page = get(&app, &back, &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page_text(&page.body);
    assert!(
        text.contains("Seat C1 would be left empty on its own"),
        "the reason is shown: {text}"
    );
    let bookings: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(bookings, 0);

    // Signed out, the same form comes back to the map saying why.
    let signed_out = post_form(&app, &show_page, "/_fn/booking/hold", &form, None).await;
    assert!(signed_out.status.is_redirection(), "{}", signed_out.status);
    let back = signed_out.headers["location"].to_str().unwrap();
    let back = back.strip_prefix(ORIGIN).unwrap_or(back).to_owned();
    assert!(back.starts_with(&show_page), "back to the map: {back}");
    let page = get(&app, &back, &[]).await;
    let text = page_text(&page.body);
    assert!(text.contains("Please sign in to continue."), "{text}");
    let bookings: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(bookings, 0);
}

/// Paying through the sandbox, the e-ticket and the check at the door, all as plain forms.
#[sqlx::test(migrator = "MIGRATOR")]
async fn pay_and_check_in_work_as_plain_forms(db: PgPool) {
    let (app, venue) = setup(&db).await;
    let (cookie, map) = signed_in_map(&app, &venue).await;
    let show_page = format!("/shows/{}", venue.show_id);
    let form = hold_form(&map, &venue, &["D3", "D4"]);
    let held = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    let summary = held.headers["location"].to_str().unwrap().to_owned();
    let booking_id = summary.strip_prefix("/bookings/").unwrap().to_owned();
    let page = page_text(&get(&app, &summary, &[("cookie", &cookie)]).await.body);
    assert!(page.contains(r#"action="/_fn/payment/start""#), "{page}");

    let start = format!("booking_id={booking_id}&provider=sandbox");
    let started = post_form(&app, &summary, "/_fn/payment/start", &start, Some(&cookie)).await;
    assert!(
        started.status.is_redirection(),
        "{} {}",
        started.status,
        started.body
    );
    let checkout = started.headers["location"].to_str().unwrap().to_owned();
    let payment_id = checkout
        .strip_prefix("/pay/sandbox/")
        .unwrap_or_else(|| panic!("redirected to {checkout}"))
        .to_owned();
    let page = page_text(&get(&app, &checkout, &[]).await.body);
    assert!(
        page.contains("test mode") && page.contains("Pay ₹"),
        "{page}"
    );

    // An unknown card changes nothing and says why; a test card pays.
    let choose = "/_fn/payment/sandbox/choose";
    let bad = format!("payment_id={payment_id}&choice=pay&card=1234");
    post_form(&app, &checkout, choose, &bad, None).await;
    let page = page_text(&get(&app, &summary, &[("cookie", &cookie)]).await.body);
    assert!(!page.contains("Booking confirmed"), "{page}");
    let pay = format!("payment_id={payment_id}&choice=pay&card=4242+4242+4242+4242");
    let paid = post_form(&app, &checkout, choose, &pay, None).await;
    assert_eq!(paid.headers["location"], summary.as_str());
    let page = page_text(&get(&app, &summary, &[("cookie", &cookie)]).await.body);
    assert!(page.contains("Booking confirmed"), "{page}");
    assert!(
        page.contains("<svg"),
        "the e-ticket's QR code is drawn on the server"
    );

    // At the door, the demo theater admin (made staff of this theater) types the booking code.
    sqlx::query(
        "INSERT INTO theater_admins (theater_id, user_id)
         SELECT $1, id FROM users WHERE email = 'theater.admin@demo.district.test'",
    )
    .bind(venue.theater_id)
    .execute(&db)
    .await
    .unwrap();
    let code: String = sqlx::query_scalar("SELECT code FROM bookings WHERE id = $1::uuid")
        .bind(&booking_id)
        .fetch_one(&db)
        .await
        .unwrap();
    let staff = sign_in_as(&app, "theater.admin@demo.district.test").await;
    let door = "/staff/check-in";
    let form = format!("token={}", code.to_lowercase());
    let checked = post_form(&app, door, "/_fn/booking/check-in", &form, Some(&staff)).await;
    assert!(
        checked.status.is_redirection(),
        "{} {}",
        checked.status,
        checked.body
    );
    let used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT checked_in_at FROM bookings WHERE id = $1::uuid")
            .bind(&booking_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(used.is_some(), "let in");
    let page = get(&app, door, &[("cookie", &staff)]).await;
    assert!(page.body.contains("Check tickets in"), "{}", page.body);
}

/// A moviegoer who left the gateway's page, let the hold run out and let it go: each page says
/// what happened and what to do next, down to the refund of a payment that came too late.
#[sqlx::test(migrator = "MIGRATOR")]
async fn the_booking_page_says_what_became_of_the_hold_and_the_money(db: PgPool) {
    let (app, venue) = setup(&db).await;
    let (cookie, map) = signed_in_map(&app, &venue).await;
    let show_page = format!("/shows/{}", venue.show_id);
    let form = hold_form(&map, &venue, &["C3", "C4"]);
    let held = post_form(&app, &show_page, "/_fn/booking/hold", &form, Some(&cookie)).await;
    let summary = held.headers["location"].to_str().unwrap().to_owned();
    let booking_id = summary.strip_prefix("/bookings/").unwrap().to_owned();
    let start = format!("booking_id={booking_id}&provider=sandbox");
    let started = post_form(&app, &summary, "/_fn/payment/start", &start, Some(&cookie)).await;
    let checkout = started.headers["location"].to_str().unwrap().to_owned();
    let payment_id = checkout.strip_prefix("/pay/sandbox/").unwrap().to_owned();
    let page = |cookie: String| {
        let (app, summary) = (app.clone(), summary.clone());
        async move { page_text(&get(&app, &summary, &[("cookie", &cookie)]).await.body) }
    };

    // Left the gateway's page before paying: the way back to it.
    let shown = page(cookie.clone()).await;
    assert!(shown.contains("Continue to payment"), "{shown}");
    assert!(shown.contains(&format!(r#"href="{checkout}""#)), "{shown}");

    // Declined, then the hold ran out: pick seats again.
    let choose = "/_fn/payment/sandbox/choose";
    let decline = format!("payment_id={payment_id}&choice=decline");
    post_form(&app, &checkout, choose, &decline, None).await;
    sqlx::query(
        "UPDATE bookings SET hold_expires_at = now() - interval '1 second' WHERE id = $1::uuid",
    )
    .bind(&booking_id)
    .execute(&db)
    .await
    .unwrap();
    let shown = page(cookie.clone()).await;
    assert!(shown.contains("This hold has expired"), "{shown}");
    assert!(shown.contains("Pick seats again"), "{shown}");
    assert!(shown.contains(&format!(r#"href="{show_page}""#)), "{shown}");
    assert!(!shown.contains("Continue to payment"), "{shown}");

    // Let go, and then the declined card goes through after all: the money goes back, and the
    // page says so.
    let release = format!("booking_id={booking_id}&next={summary}");
    post_form(
        &app,
        &summary,
        "/_fn/booking/cancel",
        &release,
        Some(&cookie),
    )
    .await;
    let pay = format!("payment_id={payment_id}&choice=pay&card=4242+4242+4242+4242");
    post_form(&app, &checkout, choose, &pay, None).await;
    let shown = page(cookie).await;
    assert!(shown.contains("Booking cancelled"), "{shown}");
    assert!(shown.contains("is on its way back to you"), "{shown}");
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM bookings WHERE id = $1::uuid")
            .bind(&booking_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(status, "cancelled");
}
