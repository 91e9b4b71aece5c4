//! Theaters adding screens and editing their seat layouts over REST: the layout JSON round
//! trips with its seat ids, bad layouts are refused field by field, seats keep their ids
//! across edits, and seats held or sold for shows to come never move or go; and a theater's
//! details and screen settings. Long: one test per behaviour, sharing the helpers above them.

mod support;

use chrono::{Duration, Utc};
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    staff::{id, setup, Setup},
    venue::customers,
};
use uuid::Uuid;

fn seat(row: &str, number: i32, at: (i32, i32), category: &str) -> Value {
    json!({"row": row, "number": number, "grid_row": at.0, "grid_col": at.1, "category": category})
}

/// Two rows of five, an aisle after the second seat; row A Recliner, row B Classic with a
/// wheelchair space.
fn small_screen() -> Value {
    let mut seats = Vec::new();
    for (r, (row, category)) in [("A", "Recliner"), ("B", "Classic")].iter().enumerate() {
        for n in 1..=5 {
            let col = if n <= 2 { n - 1 } else { n };
            seats.push(seat(row, n, (r as i32, col), category));
        }
    }
    seats[5]["kind"] = json!("wheelchair");
    json!({"name": "Screen 7", "cleaning_minutes": 20, "formats": ["2D", "3D"],
           "layout": {"rows": 2, "columns": 6,
                      "categories": [{"name": "Recliner", "rank": 1}, {"name": "Classic", "rank": 2}],
                      "seats": seats}})
}

impl Setup {
    async fn layout_of(&self, screen: Uuid) -> Value {
        let uri = format!("/api/v1/admin/screens/{screen}/layout");
        let reply = self.call(Some(0), "GET", &uri, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }

    async fn put_layout(&self, who: usize, screen: Uuid, layout: &Value) -> support::Reply {
        let uri = format!("/api/v1/admin/screens/{screen}/layout");
        self.call(Some(who), "PUT", &uri, Some(layout.clone()))
            .await
    }

    async fn seat_map(&self, show: Uuid) -> Value {
        let uri = format!("/api/v1/shows/{show}/seats");
        support::get(&self.app, &uri, &[]).await.json()
    }
}

fn seat_named<'a>(layout: &'a Value, label: &str) -> &'a Value {
    layout["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| format!("{}{}", s["row"].as_str().unwrap(), s["number"]) == label)
        .unwrap_or_else(|| panic!("no seat {label}"))
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_screen_drawn_by_its_theater_is_the_seat_map_moviegoers_get(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let uri = format!("/api/v1/admin/theaters/{}/screens", s.venue.theater_id);
    for who in [1, 2] {
        let refused = s.post(Some(who), &uri, small_screen()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    let added = s.post(Some(0), &uri, small_screen()).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.json()["seats"], 10);
    let screen = id(&added.json()["id"]);
    let again = s.post(Some(0), &uri, small_screen()).await;
    assert_eq!(
        again.json()["error"]["fields"]["name"],
        "The theater has a screen by this name."
    );
    let listed = s.call(Some(0), "GET", &uri, None).await.json();
    assert_eq!(listed["total"], 2, "{listed}");

    // Exported as drawn, with ids; imported back unchanged, nothing moves.
    let exported = s.layout_of(screen).await;
    let drawn = &small_screen()["layout"];
    assert_eq!(exported["categories"], drawn["categories"]);
    assert_eq!(exported["seats"].as_array().unwrap().len(), 10);
    for spec in drawn["seats"].as_array().unwrap() {
        let label = format!("{}{}", spec["row"].as_str().unwrap(), spec["number"]);
        let stored = seat_named(&exported, &label);
        for field in ["grid_row", "grid_col", "category"] {
            assert_eq!(stored[field], spec[field], "{label} {field}");
        }
    }
    assert_eq!(seat_named(&exported, "B1")["kind"], "wheelchair");
    let reimported = s.put_layout(0, screen, &exported).await;
    assert_eq!(reimported.status, StatusCode::OK, "{}", reimported.body);
    assert_eq!(reimported.json(), exported);

    // A show on it offers exactly the seats drawn, where they were drawn.
    let show = json!({"movie_id": s.venue.movie_id, "screen_id": screen,
                      "starts_at": Utc::now() + Duration::days(2), "language": "English",
                      "format": "3D", "prices": {"Recliner": 50_000, "Classic": 20_000}});
    let scheduled = s.post(Some(0), "/api/v1/admin/shows", show).await;
    assert_eq!(scheduled.status, StatusCode::CREATED, "{}", scheduled.body);
    let map = s.seat_map(id(&scheduled.json()["show_id"])).await;
    assert_eq!(map["layout"]["aisles"], json!([2]), "{map}");
    let mut seen: Vec<(String, i64, i64, String)> = map["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (row, col) = (
                s["grid_row"].as_i64().unwrap(),
                s["grid_col"].as_i64().unwrap(),
            );
            (
                s["label"].as_str().unwrap().to_owned(),
                row,
                col,
                s["category"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut drawn_seats: Vec<(String, i64, i64, String)> = exported["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let label = format!("{}{}", s["row"].as_str().unwrap(), s["number"]);
            (
                label,
                s["grid_row"].as_i64().unwrap(),
                s["grid_col"].as_i64().unwrap(),
                s["category"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    drawn_seats.sort();
    assert_eq!(seen, drawn_seats);

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id")
            .bind(screen)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(actions, ["screen.created", "screen.layout_changed"]);
    // And an event of the outbox, written with it.
    let events: Vec<(String, serde_json::Value)> = sqlx::query_as(
        "SELECT event_type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY id",
    )
    .bind(screen)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "screen.layout_changed");
    assert_eq!(events[0].1["seats"], json!(seen.len()));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_bad_layout_is_refused_field_by_field_and_changes_nothing(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let uri = format!("/api/v1/admin/theaters/{}/screens", s.venue.theater_id);
    let mut bad = small_screen();
    bad["layout"]["seats"][1] = seat("A", 1, (0, 1), "Recliner");
    bad["layout"]["seats"][2] = seat("A", 3, (2, 3), "Recliner");
    bad["layout"]["seats"][3] = seat("A", 4, (0, 4), "Gold");
    bad["formats"] = json!(["8K"]);
    let refused = s.post(Some(0), &uri, bad).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields = refused.json()["error"]["fields"].clone();
    assert_eq!(fields["layout.seats[1].number"], "There are two seats A1.");
    assert_eq!(
        fields["layout.seats[2].grid_row"],
        "A3 is outside the grid's 2 rows."
    );
    assert_eq!(
        fields["layout.seats[3].category"],
        "Gold is not one of the categories."
    );
    assert!(fields["formats"]
        .as_str()
        .unwrap()
        .starts_with("8K is not a format"));
    let screens: i64 = sqlx::query_scalar("SELECT count(*) FROM screens")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(screens, 1);

    let mut layout = s.layout_of(s.venue.screen_id).await;
    layout["seats"][0]["id"] = json!(Uuid::new_v4());
    let unknown = s.put_layout(0, s.venue.screen_id, &layout).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert!(unknown.json()["error"]["fields"]["seats[0].id"].is_string());
    assert_eq!(
        s.layout_of(s.venue.screen_id).await["seats"]
            .as_array()
            .unwrap()
            .len(),
        32
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn seats_keep_their_ids_and_sold_ones_never_move_or_go(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let screen = s.venue.screen_id;
    let buyers = customers(&db, 2).await;
    let (booking, _) = s.buy(buyers[0], &["B1", "B2"]).await;
    let held = s.hold(buyers[1], s.venue.show_id, &["C3", "C4"]).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let original = s.layout_of(screen).await;
    let index = |label: &str| {
        original["seats"]
            .as_array()
            .unwrap()
            .iter()
            .position(|s| format!("{}{}", s["row"].as_str().unwrap(), s["number"]) == label)
            .unwrap()
    };

    // Moving a sold seat, taking away a held one, or recategorising a sold one: refused,
    // naming the seat and the show.
    let mut moved = original.clone();
    moved["seats"][index("B1")]["grid_row"] = json!(3);
    moved["seats"][index("B1")]["grid_col"] = json!(8);
    moved["seats"].as_array_mut().unwrap().remove(index("D8"));
    let mut removed = original.clone();
    removed["seats"].as_array_mut().unwrap().remove(index("C4"));
    let mut recategorised = original.clone();
    recategorised["categories"] =
        json!([{"name": "Prime", "rank": 1}, {"name": "Club", "rank": 2}]);
    recategorised["seats"][index("B2")]["category"] = json!("Club");
    for (edit, label) in [(&moved, "B1"), (&removed, "C4"), (&recategorised, "B2")] {
        let refused = s.put_layout(0, screen, edit).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        let in_use = &refused.json()["error"]["seats_in_use"];
        assert_eq!(in_use.as_array().unwrap().len(), 1, "{in_use}");
        assert_eq!(in_use[0]["label"], label);
        assert_eq!(id(&in_use[0]["show_id"]), s.venue.show_id);
    }
    assert_eq!(s.layout_of(screen).await, original, "nothing changed");

    // Free seats move, go and come: a new front row E in a new category (priced for the show
    // to come), A8 taken out, C1 and C2 swapping places; the rest keep their ids.
    let mut edited = original.clone();
    edited["rows"] = json!(5);
    edited["categories"] = json!([{"name": "Recliner", "rank": 1}, {"name": "Prime", "rank": 2}]);
    let (c1, c2) = (index("C1"), index("C2"));
    let (c1_col, c2_col) = (
        original["seats"][c1]["grid_col"].clone(),
        original["seats"][c2]["grid_col"].clone(),
    );
    edited["seats"][c1]["grid_col"] = c2_col.clone();
    edited["seats"][c2]["grid_col"] = c1_col.clone();
    edited["seats"].as_array_mut().unwrap().remove(index("A8"));
    for n in 1..=4 {
        edited["seats"]
            .as_array_mut()
            .unwrap()
            .push(seat("E", n, (4, n - 1), "Recliner"));
    }
    let unpriced = s.put_layout(0, screen, &edited).await;
    assert_eq!(
        unpriced.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unpriced.body
    );
    assert!(unpriced.json()["error"]["fields"]["new_prices.Recliner"].is_string());
    edited["new_prices"] = json!({"Recliner": 60_000});
    let done = s.put_layout(0, screen, &edited).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let after = done.json();
    for label in ["A1", "B1", "B2", "C1", "C2", "C3", "D8"] {
        assert_eq!(
            seat_named(&after, label)["id"],
            seat_named(&original, label)["id"],
            "{label}"
        );
    }
    assert_eq!(seat_named(&after, "C1")["grid_col"], c2_col);
    assert_eq!(seat_named(&after, "C2")["grid_col"], c1_col);

    // The show to come offers the new layout at once; the old seat cannot be held.
    let map = s.seat_map(s.venue.show_id).await;
    let labels: Vec<&str> = map["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"E1") && !labels.contains(&"A8"),
        "{labels:?}"
    );
    let e1 = seat_named(&after, "E1")["id"].clone();
    let token = support::bearer(&s.state, buyers[1], app::account::Role::Customer);
    let auth = [("authorization", token.as_str())];
    let hold = |seats: Value| {
        let body = json!({"show_id": s.venue.show_id, "seat_ids": seats});
        support::send(&s.app, "POST", "/api/v1/bookings/hold", Some(body), &auth)
    };
    let front = hold(json!([e1])).await;
    assert_eq!(front.status, StatusCode::CREATED, "{}", front.body);
    assert_eq!(front.json()["amount"]["subtotal"], 60_000);
    let gone = hold(json!([seat_named(&original, "A8")["id"]])).await;
    assert_eq!(
        gone.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        gone.body
    );
    let why = gone.json()["error"]["fields"]["seat_ids"].clone();
    assert!(why.as_str().unwrap().contains("not a seat"), "{why}");
    // The ticket sold before still names its seats.
    let ticket = s
        .call(Some(3), "GET", &format!("/api/v1/bookings/{booking}"), None)
        .await;
    let ticket = ticket.json();
    let seats: Vec<&str> = ticket["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(seats, ["B1", "B2"]);
    assert_eq!(
        support::venue::invariant_breaches(&db).await,
        Vec::<String>::new()
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_theater_keeps_its_details_and_its_screens_cleaning_time(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let theater = s.venue.theater_id;
    let public = format!("/api/v1/theaters/{theater}");
    // Read once, so a stale copy would be cached.
    assert_eq!(
        support::get(&s.app, &public, &[]).await.json()["name"],
        "Test Cinema"
    );

    let uri = format!("/api/v1/admin/theaters/{theater}");
    let details = json!({"name": "Test Cinema Grand", "address": "2 Test Road",
                         "latitude": 19.1, "longitude": 72.9,
                         "amenities": ["Dolby Atmos", "Recliners"]});
    for who in [1, 2] {
        let refused = s.call(Some(who), "PUT", &uri, Some(details.clone())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    let mut bad = details.clone();
    bad["latitude"] = json!(91.0);
    bad["amenities"] = json!(["Dolby Atmos", "dolby atmos"]);
    let refused = s.call(Some(0), "PUT", &uri, Some(bad)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields = &refused.json()["error"]["fields"];
    assert!(
        fields["latitude"].is_string() && fields["amenities"].is_string(),
        "{fields}"
    );
    let saved = s.call(Some(0), "PUT", &uri, Some(details.clone())).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let got = s.call(Some(0), "GET", &uri, None).await.json();
    for field in ["name", "address", "latitude", "longitude", "amenities"] {
        assert_eq!(got[field], details[field], "{field}");
    }
    let seen = support::get(&s.app, &public, &[]).await.json();
    assert_eq!(
        seen["name"], "Test Cinema Grand",
        "moviegoers see it at once"
    );

    // Cleaning time grows to 45 minutes: a show 30 minutes after the last one ends is refused.
    let screen = format!("/api/v1/admin/screens/{}", s.venue.screen_id);
    let longer = s
        .call(
            Some(0),
            "PATCH",
            &screen,
            Some(json!({"cleaning_minutes": 45})),
        )
        .await;
    assert_eq!(longer.status, StatusCode::OK, "{}", longer.body);
    assert_eq!(longer.json()["cleaning_minutes"], 45);
    let too_much = s
        .call(
            Some(0),
            "PATCH",
            &screen,
            Some(json!({"cleaning_minutes": 500})),
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ends = s.starts_of(s.venue.show_id).await + Duration::hours(2);
    let next = s
        .post(
            Some(0),
            "/api/v1/admin/shows",
            s.show(ends + Duration::minutes(30)),
        )
        .await;
    assert_eq!(next.status, StatusCode::CONFLICT, "{}", next.body);
    assert_eq!(next.json()["error"]["code"], "show_overlap");

    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(actions, ["theater.updated", "screen.updated"]);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn postgres_refuses_a_retired_seat_whatever_a_cache_says(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let buyer = customers(&db, 1).await[0];
    // This process has the layout cached with A8 in it ...
    assert!(s
        .seat_map(s.venue.show_id)
        .await
        .to_string()
        .contains("\"A8\""));
    // ... when another instance's edit retires it (written straight to the table here, so no
    // cache hears of it).
    sqlx::query("UPDATE seats SET retired_at = now() WHERE id = $1")
        .bind(s.venue.ids(&["A8"])[0])
        .execute(&db)
        .await
        .unwrap();
    let refused = s.hold(buyer, s.venue.show_id, &["A7", "A8"]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM bookings")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(held, 0);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_late_payment_for_a_seat_retired_since_its_hold_lapsed_is_refunded(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let buyer = customers(&db, 1).await[0];
    let token = support::bearer(&s.state, buyer, app::account::Role::Customer);
    let auth = [("authorization", token.as_str())];
    let (booking, payment) =
        support::hold_and_pay(&s.app, &auth, &s.venue, &["D7", "D8"], "sandbox").await;
    support::venue::run_out(&db, booking).await;
    // The lapsed hold keeps nobody from taking D8 out.
    let mut layout = s.layout_of(s.venue.screen_id).await;
    layout["seats"]
        .as_array_mut()
        .unwrap()
        .retain(|seat| !(seat["row"] == "D" && seat["number"] == 8));
    let edited = s.put_layout(0, s.venue.screen_id, &layout).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);

    s.pay(id(&payment["payment_id"])).await;
    let (status, reason): (String, Option<String>) = sqlx::query_as(
        "SELECT b.status::text, (SELECT r.reason FROM refunds r WHERE r.booking_id = b.id)
           FROM bookings b WHERE b.id = $1",
    )
    .bind(booking)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_ne!(status, "confirmed");
    assert_eq!(
        reason.as_deref(),
        Some("seats_taken"),
        "the payment goes back"
    );
    assert_eq!(
        support::venue::invariant_breaches(&db).await,
        Vec::<String>::new()
    );
}
